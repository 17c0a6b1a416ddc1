"""What fault rules see: feature values a rule may be judged on, or NaN ("not judged").

A fault must be real before it fires. The landmarks behind a feature must be clearly seen
(visibility at least ``JUDGE_VISIBILITY``) and inside the picture, not at its border
(``BORDER``): the pose model places limbs
that leave the picture by guesswork, well enough to count a rep but not to say a knee is bent.
A rule judged over time sees each feature's median over the last ``JITTER_WINDOW_S``, so one
jittery frame is not a fault; a rule judged once per rep at the top sees the median over the
rep's held top (``top_values``), not one frame at the peak.

A joint angle is not judged while its limb, end to end (shoulder to wrist for an elbow),
points at (or away from) the camera by more than ``DEPTH_LIMIT_DEG``, nor a bend measured on
the picture while its chain does (a push-up's body line seen from the front), nor a segment's
direction measured on the picture while that segment does (``FeatureSet.segments_of``): the
picture then shows it foreshortened, and its depth is the pose model's guess from one camera.
Seen from the front, an arm circling through the forward half of its circle reads 80-130 deg
at a straight elbow; the same arm across the picture reads its real 150-175 deg. A joint
bending one segment towards the camera stays judged: the limb end to end still lies across.

A fault on either side (the ``_min`` of a feature measured per side below a level, or its
``_max`` above one) is judged on the sides clearly seen: from the side, the far leg is often
not, and the near one alone can still show a squat too shallow. A fault on both sides (both
knees bent: the ``_max`` below a level) still needs both. The mean of a feature's two sides
(a ``combine`` ``mean``: one movement of both limbs, both hands on one bar) is judged as the
mean of the sides clearly seen.

A feature measured on the segmentation mask (``spine_curvature``) has no landmarks of its own:
it is judged whenever it was measured (it is NaN when the view does not show the back).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence

from formcheck.features.measure import combine_values
from formcheck.features.spec import MID_POINTS
from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

__all__ = [
    "BORDER",
    "DEPTH_LIMIT_DEG",
    "JITTER_WINDOW_S",
    "JUDGE_VISIBILITY",
    "PEAK_BAND",
    "Judge",
    "top_values",
]

JUDGE_VISIBILITY = 0.5
JITTER_WINDOW_S = 0.3
# A landmark closer than this share of the picture to its border is where a limb leaves the
# picture: the pose model puts it there by guesswork.
BORDER = 0.02
# A rule judged once per rep at its top sees the frames within this share of the rep's range
# from its peak: where the rep got to, not the way up and down.
PEAK_BAND = 0.1
# A segment more than this far out of the picture's plane is more depth than width: what it
# shows across the picture is less than its own length times cos(45 deg) = 0.71.
DEPTH_LIMIT_DEG = 45.0
NAN = float("nan")


class Judge:
    """Per frame, the values fault rules are judged on (see the module docstring).

    ``landmarks`` maps each judged feature to the landmark names it is measured from;
    ``segments`` maps a feature to the segments (pairs of point names, ``*_mid`` allowed)
    that must lie across the picture for it to be judged. ``either`` maps a judged ``_min``,
    ``_max`` or two-sided mean feature to its left and right features and ``min``, ``max``
    or ``mean``: it is judged on the sides clearly seen; ``landmarks`` and ``segments`` then
    also hold the two sides (which are judged too).
    """

    def __init__(
        self,
        landmarks: dict[str, Iterable[str]],
        segments: dict[str, Iterable[tuple[str, str]]] | None = None,
        either: dict[str, tuple[str, str, str]] | None = None,
    ) -> None:
        self._either = either or {}
        self._idx = {
            name: tuple(sorted({LANDMARK_INDEX[n] for n in names}))
            for name, names in landmarks.items()
        }
        segments = segments or {}
        self._segments = {
            name: tuple((_point_idx(a), _point_idx(b)) for a, b in segments.get(name, ()))
            for name in self._idx
        }
        self._any_segments = any(self._segments.values())
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
        # the world landmarks as floats, only for an exercise with a segment to check
        world = frame.world.tolist() if self._any_segments and frame.world is not None else None
        out: dict[str, float] = {}
        seen: dict[str, float] = {}
        clear_now: dict[str, float] = {}  # each feature checked once a frame

        def clear_value(name: str) -> float:
            """This frame's value, NaN unless clearly seen and across the picture."""
            if name not in clear_now:
                v, idx = values.get(name, NAN), self._idx[name]
                ok = not math.isnan(v) and clear is not None and all(clear[i] for i in idx)
                if ok and self._segments[name]:
                    ok = all(_across(world, a, b) for a, b in self._segments[name])
                clear_now[name] = v if ok else NAN
            return clear_now[name]

        for name in self._idx:
            if name in self._either:
                left, right, op = self._either[name]
                v = combine_values(op, [clear_value(left), clear_value(right)])  # sides seen
            else:
                v = clear_value(name)
            ok = not math.isnan(v)
            q = self._recent[name]
            if ok:
                q.append((t, v))
            while q and q[0][0] < t - JITTER_WINDOW_S - 1e-9:
                q.popleft()
            seen[name] = v if ok else NAN
            out[name] = statistics.median(x for _, x in q) if ok else NAN
        self.seen = seen
        return out


def _point_idx(name: str) -> tuple[int, ...]:
    """Landmark indices of a point name (a ``*_mid`` point: its two landmarks)."""
    return tuple(LANDMARK_INDEX[n] for n in MID_POINTS.get(name, (name,)))


_SIN_DEPTH_LIMIT = math.sin(math.radians(DEPTH_LIMIT_DEG))


def _across(world: list[list[float]] | None, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Whether the segment from point ``a`` to ``b`` lies within ``DEPTH_LIMIT_DEG`` of the
    picture's plane (world landmarks: z is the depth; unknown counts as across)."""
    if world is None:
        return True
    pa = [sum(world[i][k] for i in a) / len(a) for k in range(3)]
    pb = [sum(world[i][k] for i in b) / len(b) for k in range(3)]
    d = [q - p for p, q in zip(pa, pb, strict=True)]
    length = math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    return length == 0 or abs(d[2]) <= _SIN_DEPTH_LIMIT * length


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
