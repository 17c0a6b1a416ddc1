"""Whether the pose model keeps up with the camera, judged from the frames themselves.

::

    watch = LagWatch()
    for lf in feed.frames:
        if (notice := watch.update(lf.pose.t_s, feed.dropped_frames)) is not None:
            show(notice)          # once per session, with what to do about it

A camera (or a video played as one) delivers frames in real time; when the model is slower,
the capture drops the frames it had no time for (``CameraSource.dropped_frames``). The share
of frames dropped over the last second of *input* time says whether the model keeps up; when
it stays too high for a few seconds, it is said, once. Only the input's timestamps and the
drop counter are used, never the wall clock: the same input and drops give the same answer
on any machine, and a test can script both. A landmark recording drops nothing (every frame
is analysed), so it is never "behind".
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["LagWatch", "lag_notice"]


@dataclass(frozen=True, slots=True)
class _Mark:
    t_s: float
    dropped: int  # the capture's drop counter when this frame was analysed


def lag_notice(analysed_fps: float, input_fps: float) -> str:
    """What the window says when the model falls behind: how far, and what to do."""
    return (
        f"Falling behind: only {analysed_fps:.0f} of {input_fps:.0f} frames a second are "
        "analysed,\nso reps can be missed. Faster: --model lite,\nor a smaller camera "
        "resolution (--camera-size 640x480)."
    )


class LagWatch:
    """Says once when more than ``max_dropped`` of the frames were dropped, measured over each
    last ``measure_s`` of input, for ``persist_s`` on end (the model fell behind real time
    for that long, not for a moment)."""

    def __init__(
        self, measure_s: float = 1.0, persist_s: float = 3.0, max_dropped: float = 0.3
    ) -> None:
        if not measure_s > 0 or not persist_s >= 0 or not 0 <= max_dropped < 1:
            raise ValueError(
                f"expected measure_s > 0, persist_s >= 0 and 0 <= max_dropped < 1, got "
                f"{measure_s!r}, {persist_s!r}, {max_dropped!r}"
            )
        self.measure_s = measure_s
        self.persist_s = persist_s
        self.max_dropped = max_dropped
        self.reset()

    def reset(self) -> None:
        self._marks: deque[_Mark] = deque()
        self._behind_since: float | None = None
        self.said = False
        self.analysed_fps = self.input_fps = 0.0

    def update(self, t_s: float, dropped_total: int) -> str | None:
        """Take one analysed frame (its input time, the drops so far); the notice on the
        frame where the model has been behind for ``persist_s``, else None."""
        marks = self._marks
        if marks and t_s < marks[-1].t_s:
            marks.clear()  # the input started over (a new source): judge afresh
            self._behind_since = None
        marks.append(_Mark(t_s, dropped_total))
        while len(marks) > 2 and t_s - marks[1].t_s >= self.measure_s - 1e-9:
            marks.popleft()
        span = t_s - marks[0].t_s
        if span < self.measure_s - 1e-9:
            return None
        analysed = len(marks) - 1  # frames after the first, over the span
        dropped = dropped_total - marks[0].dropped
        self.analysed_fps = analysed / span
        self.input_fps = (analysed + dropped) / span
        if dropped <= self.max_dropped * (analysed + dropped):
            self._behind_since = None
            return None
        if self._behind_since is None:
            self._behind_since = t_s
        if self.said or t_s - self._behind_since < self.persist_s - 1e-9:
            return None
        self.said = True
        return lag_notice(self.analysed_fps, self.input_fps)
