"""The live path: a camera, or a video file played as if it were a camera.

::

    with CameraSource(0) as frames:                 # or CameraSource.from_video("set.mp4")
        for frame in frames:
            ...                                       # as slow as you like
    print(frames.dropped_frames)

Both run one code path. A capture thread reads frames from a ``cv2.VideoCapture`` (a device
index, or a file) and keeps only the newest in a one-slot buffer; the iterator hands out the
newest frame it has not handed out yet. A consumer that falls behind never works through a queue
of stale frames: the frames it had no time for are dropped and counted in ``dropped_frames``.

- Camera: ``t_s`` is monotonic-clock seconds since the first frame.
- Video as camera: the thread paces reads to the wall clock (frame ``t_s`` is shown ``t_s / speed``
  seconds after the first), ``t_s`` is the container timestamp and ``index`` the frame's number in
  the file, so times and counts match the video; the end of the file ends the iteration.

The thread stops and the capture is released on :meth:`CameraSource.close`, on leaving the
``with`` block, when the loop breaks or raises, and when the stream ends.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Generator, Iterator
from pathlib import Path

import cv2

from formcheck.errors import SourceError
from formcheck.sources.core import Frame
from formcheck.sources.video import (
    ContainerClock,
    VideoFileSource,
    open_video_capture,
    rotate_upright,
)

__all__ = ["CameraSource"]

_NUDGE_S = 1e-6
_POLL_S = 0.1  # how often a waiting consumer checks for a stalled capture
_JOIN_S = 2.0  # how long close() waits for the capture thread to finish


class CameraSource:
    """Frames from a camera (``CameraSource(0)``) or a paced video (``CameraSource.from_video``).

    ``timeout_s`` bounds how long the source waits for the first frame and for any one read of
    the device; past it the iteration raises :class:`SourceError`.

    Attributes: ``name``, ``live`` (True), ``camera_index`` / ``path`` (whichever applies),
    ``fps`` (as the device or container states it, None if unknown), ``resolution_wh`` (as the
    device states it, (0, 0) if it does not; replaced by the first frame's size when it
    arrives), ``frame_count`` and ``duration_s`` (for a video; None for a camera), ``speed``,
    ``frames_captured``, ``frames_delivered``, ``dropped_frames`` (captured but replaced by a
    newer frame before the consumer asked), ``thread`` (the capture thread, None before the
    first frame is requested).
    """

    live: bool = True
    truncated: bool = False  # a feed ends when it ends

    def __init__(
        self, index: int, *, timeout_s: float = 5.0, size_wh: tuple[int, int] | None = None
    ) -> None:
        """``size_wh``: the picture size to ask the camera for (it picks its nearest mode;
        ``resolution_wh`` says what it gave); None: the camera's default."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise SourceError(f"camera index must be a whole number 0 or more, got {index!r}")
        cap = cv2.VideoCapture(index)
        if not cap.isOpened():
            cap.release()
            raise SourceError(_camera_problem(index, "could not be opened"))
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver from queueing old frames
        if size_wh is not None:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, size_wh[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size_wh[1])
        fps = cap.get(cv2.CAP_PROP_FPS)
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._setup(
            cap,
            name=f"camera {index}",
            timeout_s=timeout_s,
            fps=fps if math.isfinite(fps) and fps > 0 else None,
            resolution_wh=(max(width, 0), max(height, 0)),
        )
        self.camera_index = index

    @classmethod
    def from_video(
        cls, path: str | Path, *, speed: float = 1.0, timeout_s: float = 5.0
    ) -> CameraSource:
        """A video file played in real time (``speed`` times faster) as if it were a camera.

        The file is checked as :class:`VideoFileSource` checks it; bad files raise
        :class:`SourceError` here, not during the iteration.
        """
        if not (math.isfinite(speed) and speed > 0):
            raise ValueError(f"speed must be a positive number, got {speed!r}")
        probe = VideoFileSource(path)
        cap, rotation = open_video_capture(probe.path)
        source = cls.__new__(cls)
        source._setup(
            cap,
            name=probe.name,
            timeout_s=timeout_s,
            fps=probe.fps,
            resolution_wh=probe.resolution_wh,
            path=probe.path,
            rotation=rotation,
            speed=speed,
            frame_count=probe.frame_count,
            duration_s=probe.duration_s,
        )
        return source

    def _setup(
        self,
        cap: cv2.VideoCapture,
        *,
        name: str,
        timeout_s: float,
        fps: float | None,
        resolution_wh: tuple[int, int],
        path: Path | None = None,
        rotation: int = 0,
        speed: float = 1.0,
        frame_count: int | None = None,
        duration_s: float | None = None,
    ) -> None:
        self.name = name
        self.camera_index: int | None = None
        self.path = path
        self.fps = fps
        self.resolution_wh = resolution_wh
        self.frame_count = frame_count
        self.duration_s = duration_s
        self.speed = speed
        self.timeout_s = timeout_s
        self.frames_captured = 0
        self.frames_delivered = 0
        self.dropped_frames = 0
        self.warnings: list[str] = []
        self._cap = cap
        self._rotation = rotation
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._slot: Frame | None = None  # newest frame the consumer has not taken
        self._finished = False
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._started_at = 0.0
        self._read_since: float | None = None  # when the pending cap.read() began
        self._released = False
        # held weakly so that a loop that breaks closes the generator, which stops the thread
        self._active: weakref.ref[Generator[Frame, None, None]] | None = None

    @property
    def thread(self) -> threading.Thread | None:
        """The capture thread (None until the first frame is requested)."""
        return self._thread

    # -- consumer side -------------------------------------------------------------------

    def __iter__(self) -> Iterator[Frame]:
        if self._thread is not None or self._stop.is_set():
            raise RuntimeError(f"{self.name}: a live source can be iterated only once")
        gen = self._frames()
        self._active = weakref.ref(gen)
        return gen

    def _frames(self) -> Generator[Frame, None, None]:
        self._start()
        try:
            while (frame := self._take()) is not None:
                yield frame
        finally:
            self._shutdown()

    def _start(self) -> None:
        with self._cond:
            if self._stop.is_set():
                return
            self._started_at = time.monotonic()
            self._thread = threading.Thread(
                target=self._capture_loop, name=f"formcheck-capture:{self.name}", daemon=True
            )
            self._thread.start()

    def _take(self) -> Frame | None:
        """The newest frame not yet handed out; None when the stream has ended."""
        with self._cond:
            while True:
                if self._stop.is_set():
                    return None
                if self._slot is not None:
                    frame, self._slot = self._slot, None
                    self.frames_delivered += 1
                    return frame
                if self._failure is not None:
                    raise SourceError(
                        f"{self.name}: reading failed ({self._failure}): check the device or file"
                    ) from self._failure
                if self._finished:
                    if self.frames_captured == 0:
                        raise SourceError(self._no_frame_message())
                    return None
                self._check_stall()
                self._cond.wait(timeout=_POLL_S)

    def _check_stall(self) -> None:
        now = time.monotonic()
        read_since = self._read_since
        waiting_first = self.frames_captured == 0 and now - self._started_at > self.timeout_s
        read_stuck = read_since is not None and now - read_since > self.timeout_s
        if waiting_first or read_stuck:
            raise SourceError(self._no_frame_message())

    def _no_frame_message(self) -> str:
        if self.camera_index is not None:
            within = f"gave no picture within {self.timeout_s:g} s"
            return _camera_problem(self.camera_index, within)
        return f"{self.path}: no frame could be read within {self.timeout_s:g} s: check the file"

    # -- capture thread ------------------------------------------------------------------

    def _capture_loop(self) -> None:
        cap = self._cap
        clock = ContainerClock(self.fps or 30.0) if self.path is not None else None
        index = 0
        wall0: float | None = None  # wall-clock time that corresponds to t_s = 0
        prev_t_s = 0.0
        try:
            while not self._stop.is_set():
                self._read_since = time.monotonic()
                ok, image = cap.read()
                now = time.monotonic()
                self._read_since = None
                if not ok or image is None:
                    if clock is None and index == 0 and now - self._started_at < self.timeout_s:
                        self._stop.wait(0.02)  # cameras may fail a few reads while starting up
                        continue
                    break
                image = rotate_upright(image, self._rotation)
                if clock is not None:
                    t_s = clock.t_s(cap.get(cv2.CAP_PROP_POS_MSEC), index)
                    if wall0 is None:
                        wall0 = now - t_s / self.speed
                    delay_s = wall0 + t_s / self.speed - time.monotonic()
                    if delay_s > 0 and self._stop.wait(delay_s):
                        break
                else:
                    if wall0 is None:
                        wall0 = now
                    t_s = now - wall0 if index == 0 else max(now - wall0, prev_t_s + _NUDGE_S)
                prev_t_s = t_s
                self._publish(Frame(t_s=t_s, image_bgr=image, index=index))
                index += 1
        except Exception as exc:  # handed to the consumer, which raises it as a SourceError
            self._failure = exc
        finally:
            cap.release()
            with self._cond:
                self._released = True
                self._finished = True
                self._cond.notify_all()

    def _publish(self, frame: Frame) -> None:
        with self._cond:
            if self._slot is not None:
                self.dropped_frames += 1
            self._slot = frame
            if self.frames_captured == 0:
                self.resolution_wh = frame.resolution_wh  # what is delivered, after rotation
            self.frames_captured += 1
            self._cond.notify_all()

    # -- closing -------------------------------------------------------------------------

    def _shutdown(self) -> None:
        """Stop the capture thread and release the capture (idempotent)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            thread = self._thread
            if thread is None and not self._released:
                self._cap.release()
                self._released = True
        if thread is not None and thread is not threading.current_thread():
            # A read stuck in the driver cannot be interrupted; the daemon thread then
            # releases the capture itself when the read returns.
            thread.join(timeout=_JOIN_S)

    def close(self) -> None:
        """Stop the capture thread, release the camera or file (safe to call twice)."""
        self._shutdown()
        ref, self._active = self._active, None
        gen = ref() if ref is not None else None
        if gen is not None:
            try:
                gen.close()
            except ValueError:
                pass  # being iterated in another thread, which sees the stop and ends by itself

    def __enter__(self) -> CameraSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CameraSource({self.name!r}, live=True, dropped_frames={self.dropped_frames})"


def _camera_problem(index: int, what: str) -> str:
    other = 1 if index == 0 else 0
    return (
        f"camera {index} {what}: check that it is connected and not in use by another program"
        f" (try --camera {other})"
    )
