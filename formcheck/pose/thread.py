"""The pose model on its own thread, one frame ahead of whoever consumes the poses.

Inference is most of a frame's cost (about 40 ms on this project's CPU, against well under a
millisecond for the features and the engine, and a few for drawing). On a machine with more
than one core, the consumer's work on frame N (the engine; the live window's drawing and
showing) overlaps the model's work on frame N+1 instead of following it. Both
``formcheck.pipeline.open_pose_input`` (analyze, reports, eval, record) and the live window
(``formcheck.live.feed``) run the model this way.

Not in a process that is one of several analysing at once (a batch's or eval's worker
processes, one per core: :func:`share_cores`): there the cores are busy already, and a second
busy thread per process only makes the processes wait for each other. Measured on this
project's 2-core machine: the real-clip report tests (tests/cli/test_analyze_reports.py, some
with two workers) took 59-65 s with the model on the caller's thread everywhere and 69-78 s
with it on its own everywhere (10-17 % more CPU), while one analysis with a report and an
annotated video took 21-24 s instead of 28.

While a pose thread runs, the interpreter hands its lock from thread to thread every
``SWITCH_S`` instead of Python's default 5 ms. Inference runs without the lock, but the pose
thread needs it back to hand out each result: with the default it waited up to 5 ms for a
consumer busy drawing in Python, and the live loop ran at 0.60-0.96 of the pose model's own
throughput (4 runs of ``bench/live_loop.py``, 2026-12-08); with 0.5 ms, 0.94-1.02 (6 runs,
alternating with them; README "Live coaching").
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from formcheck.pose.core import PoseFrame
from formcheck.sources.core import Frame

__all__ = ["SWITCH_S", "PoseThread", "own_thread", "share_cores"]

_END = object()
_SHARING = False
SWITCH_S = 0.0005  # sys.setswitchinterval while a pose thread runs (see the module docstring)
_running = 0  # pose threads running
_default_switch_s = sys.getswitchinterval()
_switch_lock = threading.Lock()


def _thread_started() -> None:
    global _running, _default_switch_s
    with _switch_lock:
        if _running == 0:
            _default_switch_s = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_S, _default_switch_s))
        _running += 1


def _thread_ended() -> None:
    global _running
    with _switch_lock:
        _running -= 1
        if _running == 0:
            sys.setswitchinterval(_default_switch_s)


def share_cores() -> None:
    """Say that this process is one of several analysing at once (a worker process): from now
    on :func:`own_thread` is False."""
    global _SHARING
    _SHARING = True


def own_thread() -> bool:
    """Whether the pose model should run on a thread of its own here (see the module
    docstring): yes, unless :func:`share_cores` was called in this process."""
    return not _SHARING


class PoseThread:
    """Runs ``pose.process`` over ``frames`` on a thread of its own and hands out each frame
    with its pose, in order (:meth:`pairs`). At most one result waits for the consumer: when
    the consumer falls behind, the model waits (a camera's capture thread then drops frames,
    counted), so nothing piles up. Every pose the model computes reaches the consumer; an
    error on the thread is raised in the consumer.

    :meth:`stop` ends the thread and returns once the model is out of its inference (call it
    before the model is closed). ``closes``: something to ``close()`` on stop, to end a wait
    for the next frame (a camera source; its ``close`` must be safe from another thread)."""

    def __init__(self, frames: Iterable[Frame], pose: Any, *, closes: Any = None) -> None:  # noqa: ANN401
        self._results: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._stopping = threading.Event()
        self._closes = closes
        self._thread = threading.Thread(
            target=self._run, args=(frames, pose), name="formcheck-pose", daemon=True
        )
        _thread_started()
        try:
            self._thread.start()
        except BaseException:
            _thread_ended()
            raise

    def _put(self, item: Any) -> bool:  # noqa: ANN401
        while not self._stopping.is_set():
            try:
                self._results.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, frames: Iterable[Frame], pose: Any) -> None:  # noqa: ANN401
        try:
            for frame in frames:
                if self._stopping.is_set() or not self._put((frame, pose.process(frame))):
                    return
        except BaseException as err:  # noqa: BLE001 - handed to the consumer, raised there
            self._put(err)
        finally:
            _thread_ended()
            self._put(_END)

    def pairs(self) -> Iterator[tuple[Frame, PoseFrame]]:
        """Each frame with its pose, in order, until the frames end (or an error, raised)."""
        while True:
            item = self._results.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        """End the thread; returns once the model is out of the frame it was working on."""
        self._stopping.set()
        close = getattr(self._closes, "close", None)
        if close is not None:
            close()  # ends a wait for the camera's next frame (safe from here, and twice)
        self._thread.join()
