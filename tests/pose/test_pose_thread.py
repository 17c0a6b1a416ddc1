"""The pose stage runs on its own thread (the live loop's and the pipeline's): frame N+1 is
being estimated while frame N is drawn or counted, every pose reaches the consumer in order,
and errors and early ends are clean."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.pose.core import PoseFrame
from formcheck.pose.thread import PoseThread
from formcheck.sources.core import Frame


def _frames(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise SourceError("cam: reading failed (unplugged): check the device or file")
        yield Frame(i / 30, np.zeros((4, 4, 3), np.uint8), i)


class _Pose:
    def __init__(self) -> None:
        self.started: list[int] = []
        self.gate: dict[int, threading.Event] = {}

    def process(self, frame: Frame) -> PoseFrame:
        self.started.append(frame.index)
        gate = self.gate.get(frame.index)
        if gate is not None:
            assert gate.wait(5), "the model waited for the loop: no overlap"
        return PoseFrame(frame.t_s, (4, 4), index=frame.index)


def test_the_model_works_on_the_next_frame_while_the_loop_draws():
    pose = _Pose()
    worker = PoseThread(_frames(5), pose)
    got = []
    for _, pf in worker.pairs():
        got.append(pf.index)
        if pf.index == 1:  # "drawing" frame 1: the model must already be at frame 2
            for _ in range(500):
                if 2 in pose.started:
                    break
                threading.Event().wait(0.01)
            assert 2 in pose.started
    worker.stop()
    assert got == [0, 1, 2, 3, 4]  # every pose, in order


def test_at_most_one_result_waits_for_a_slow_loop():
    pose = _Pose()
    worker = PoseThread(_frames(10), pose)
    pairs = worker.pairs()
    _, first = next(pairs)
    threading.Event().wait(0.3)  # a loop stuck on frame 0
    # one result waits, one more is computed and held by the thread: the rest not started
    assert first.index == 0 and max(pose.started) <= 2
    assert [pf.index for _, pf in pairs] == list(range(1, 10))
    worker.stop()


def test_an_error_on_the_thread_is_raised_in_the_loop():
    worker = PoseThread(_frames(5, fail_at=3), _Pose())
    with pytest.raises(SourceError, match="unplugged"):
        for _ in worker.pairs():
            pass
    worker.stop()


def test_stop_while_the_model_is_busy_waits_for_it():
    pose = _Pose()
    pose.gate[1] = threading.Event()
    worker = PoseThread(_frames(5), pose)
    assert next(worker.pairs())[1].index == 0  # the loop leaves after one frame
    threading.Timer(0.2, pose.gate[1].set).start()
    worker.stop()  # returns only once the model is out of frame 1
    assert not worker._thread.is_alive()
    assert pose.started == [0, 1]


def test_the_interpreter_switches_threads_often_while_a_pose_thread_runs():
    """The pose thread needs the interpreter's lock back after each inference: while one runs,
    the lock changes hands every SWITCH_S (not Python's 5 ms), and the setting is restored
    when the last one ends, an error included."""
    import sys

    from formcheck.pose.thread import SWITCH_S

    before = sys.getswitchinterval()
    assert SWITCH_S < before
    seen = []

    class _Watching(_Pose):
        def process(self, frame: Frame) -> PoseFrame:
            seen.append(sys.getswitchinterval())
            return super().process(frame)

    first = PoseThread(_frames(3), _Watching())
    second = PoseThread(_frames(3, fail_at=1), _Watching())
    with pytest.raises(SourceError):
        list(second.pairs())
    second.stop()
    assert sys.getswitchinterval() == SWITCH_S  # the first one still runs
    assert len(list(first.pairs())) == 3
    first.stop()
    assert seen and all(s == SWITCH_S for s in seen)
    assert sys.getswitchinterval() == before
