"""What fault rules see: feature values a rule may be judged on, or NaN ("not judged").

A fault must be real before it fires. The landmarks behind a feature must be clearly seen
(visibility at least ``JUDGE_VISIBILITY``) and inside the picture, not at its border
(``BORDER``): the pose model places limbs
that leave the picture by guesswork, well enough to count a rep but not to say a knee is bent.
A rule judged over time sees each feature's median over the last ``JITTER_WINDOW_S``, so one
jittery frame is not a fault; a rule judged once per rep at the top sees the median over the
rep's held top (``top_values``), not one frame at the peak.

A feature measured on the segmentation mask (``spine_curvature``) has no landmarks of its own:
it is judged whenever it was measured (it is NaN when the view does not show the back).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence

from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

__all__ = ["BORDER", "JITTER_WINDOW_S", "PEAK_BAND", "JUDGE_VISIBILITY", "Judge", "top_values"]

JUDGE_VISIBILITY = 0.5
JITTER_WINDOW_S = 0.3
# A landmark closer than this share of the picture to its border is where a limb leaves the
# picture: the pose model puts it there by guesswork.
BORDER = 0.02
# A rule judged once per rep at its top sees the frames within this share of the rep's range
# from its peak: where the rep got to, not the way up and down.
PEAK_BAND = 0.1
NAN = float("nan")


class Judge:
    """Per frame, the values fault rules are judged on (see the module docstring).

    ``landmarks`` maps each judged feature to the landmark names it is measured from.
    """

    def __init__(self, landmarks: dict[str, Iterable[str]]) -> None:
        self._idx = {
            name: tuple(sorted({LANDMARK_INDEX[n] for n in names}))
            for name, names in landmarks.items()
        }
        self._recent: dict[str, deque[tuple[float, float]]] = {n: deque() for n in self._idx}
        self.seen: dict[str, float] = {}  # this frame's clearly seen values (NaN when not)

    @property
    def names(self) -> list[str]:
        return list(self._idx)

    def reset(self) -> None:
        for q in self._recent.values():
            q.clear()
        self.seen = {}

    def update(self, frame: PoseFrame, values: dict[str, float]) -> dict[str, float]:
        """The values to judge on this frame: each feature's median over the last
        ``JITTER_WINDOW_S`` of clearly seen values, NaN when it is not clearly seen now."""
        t = frame.t_s
        clear = _clearly_seen(frame)
        out: dict[str, float] = {}
        seen: dict[str, float] = {}
        for name, idx in self._idx.items():
            v = values.get(name, NAN)
            ok = not math.isnan(v) and clear is not None and all(clear[i] for i in idx)
            q = self._recent[name]
            if ok:
                q.append((t, v))
            while q and q[0][0] < t - JITTER_WINDOW_S - 1e-9:
                q.popleft()
            seen[name] = v if ok else NAN
            out[name] = statistics.median(x for _, x in q) if ok else NAN
        self.seen = seen
        return out


def _clearly_seen(frame: PoseFrame) -> list[bool] | None:
    """Per landmark: visible enough and inside the picture (None without a person)."""
    if frame.image is None:
        return None
    w, h = frame.resolution_wh
    mx, my = BORDER * w, BORDER * h
    xy = frame.image[:, :2]
    inside = (xy[:, 0] >= mx) & (xy[:, 0] <= w - mx) & (xy[:, 1] >= my) & (xy[:, 1] <= h - my)
    return ((frame.visibility >= JUDGE_VISIBILITY) & inside).tolist()


def top_values(
    samples: Sequence[tuple[float, float, float, dict[str, float]]],
    base: float,
    band: float,
    names: Iterable[str],
) -> tuple[dict[str, float], float, float]:
    """The rep's top: the median of each feature over the samples ``(t, signed robust drive,
    signed drive, clearly seen values)`` whose drive came within ``band`` of the rep's range
    (from the rest level ``base`` to the highest robust drive) of that highest drive, and the
    top's first and last time. The robust drive (a running median) sets the level, so one
    spike does not; the drive itself picks the frames, so a quick rep's top is not missed by
    the median's lag. A feature never clearly seen at the top is NaN (not judged)."""
    peak = max((r for _, r, _, _ in samples), default=math.nan)
    level = peak - band * (peak - base)
    top = [(t, vals) for t, _, drive, vals in samples if drive >= level - 1e-9]
    out: dict[str, float] = {}
    for name in names:
        vs = [v for _, vals in top if not math.isnan(v := vals.get(name, NAN))]
        out[name] = statistics.median(vs) if vs else NAN
    if not top:
        return out, NAN, NAN
    return out, top[0][0], top[-1][0]
