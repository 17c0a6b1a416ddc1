"""Named features of one frame, computed from a definition's feature vocabulary.

``FeatureSet(defn.features).evaluate(frame)`` returns ``{name: value}``; a value is NaN when a
point it needs is not seen well enough (visibility below ``min_visibility``), so nothing
downstream is computed from guesses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from formcheck.features.curvature import spine_curvature
from formcheck.features.geometry import (
    angle_between_deg,
    bend_deg,
    cross,
    dot,
    elevation_deg,
    inclination_to_horizontal_deg,
    inclination_to_vertical_deg,
    joint_angle_deg,
    lean_deg,
    midpoint,
    sub,
    twist_deg,
    unit,
)
from formcheck.features.spec import MID_POINTS, SIDES, FeatureDef, substitute_side
from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

__all__ = ["FeatureSet", "PointTable", "combine_values", "torso_length"]

NAN = float("nan")


@dataclass(frozen=True, slots=True)
class PointTable:
    """Points of one frame by name (landmarks and ``*_mid``), with their visibility, as plain
    floats (what ``formcheck.features.geometry`` computes on)."""

    xy: list[list[float]]  # 33 x (x, y) image px
    world: list[list[float]]  # 33 x (x, y, z) metres
    vis: list[float]  # 33
    min_visibility: float = 0.5

    @classmethod
    def from_frame(cls, frame: PoseFrame, min_visibility: float = 0.5) -> PointTable:
        assert frame.image is not None and frame.world is not None
        return cls(
            frame.image[:, :2].tolist(),
            frame.world.tolist(),
            frame.visibility.tolist(),
            min_visibility,
        )

    def get(self, name: str, space: str = "image") -> tuple[float, ...] | None:
        """Coordinates of a point, or None when it is not seen well enough."""
        arr = self.xy if space == "image" else self.world
        if name in MID_POINTS:
            a, b = (LANDMARK_INDEX[n] for n in MID_POINTS[name])
            if min(self.vis[a], self.vis[b]) < self.min_visibility:
                return None
            return midpoint(arr[a], arr[b])
        i = LANDMARK_INDEX[name]
        return tuple(arr[i]) if self.vis[i] >= self.min_visibility else None

    def seen(self, name: str) -> bool:
        return self.get(name) is not None


def torso_length(points: PointTable, space: str = "image") -> float:
    """Shoulder-midpoint to hip-midpoint distance (NaN when not seen)."""
    s, h = points.get("shoulder_mid", space), points.get("hip_mid", space)
    if s is None or h is None:
        return NAN
    return math.dist(s, h)


# Kinds that read one segment's direction across the picture (see FeatureSet.segments_of).
_PLANE_KINDS = ("elevation", "inclination", "angle_to_trunk")


class FeatureSet:
    """Compiled features of a definition: evaluates every named value for one frame."""

    def __init__(self, features: Mapping[str, FeatureDef]) -> None:
        self._base: list[tuple[str, FeatureDef, list[str]]] = []
        self._combine: list[tuple[str, FeatureDef, list[str]]] = []
        # (name, feature of): measured against the set's start, by the engine (it has state)
        self.from_start: list[tuple[str, str]] = []
        self._sided: list[str] = []
        self._mirrored: list[str] = []
        for name, f in features.items():
            templated = f.sided and not f.mirror
            variants = [(f"{name}_{s}", s) for s in SIDES] if templated else [(name, "left")]
            if f.mirror:
                self._mirrored.append(name)
            if f.kind == "from_start":
                self.from_start.append((name, f.of[0]))
                continue
            for out_name, side in variants:
                if f.kind == "combine":
                    refs = [substitute_side(r, side) for r in f.of]
                    self._combine.append((out_name, f, refs))
                else:
                    pts = [substitute_side(p, side) for p in f.points]
                    self._base.append((out_name, f, pts))
            if f.sided:
                self._sided.append(name)
        self._pairs = [(f"{n}_left", f"{n}_right", f"{n}_min", f"{n}_max") for n in self._sided]
        self.names = (
            [n for n, _, _ in self._base + self._combine]
            + [n for n, _ in self.from_start]
            + [f"{n}_{s}" for n in self._mirrored for s in SIDES]
            + [f"{n}_{agg}" for n in self._sided for agg in ("min", "max")]
        )

    @property
    def curvature_names(self) -> list[str]:
        """Features measured on the segmentation mask (smoothed by the engine over time)."""
        return [n for n, f, _ in self._base if f.kind == "spine_curvature"]

    def points_of(self, feature: str) -> list[str]:
        """Landmark/point names a feature depends on (recursively for combine features)."""
        return [p for _, pts in self._measured(feature) for p in pts]

    def sides_of(self, feature: str) -> tuple[str, str, str] | None:
        """For the ``_min`` or ``_max`` of a sided feature: its left and right features and
        ``"min"`` or ``"max"``; for a ``combine`` ``mean`` of a sided feature's two sides (the
        mean of the sides seen): the two and ``"mean"``; None for any other feature."""
        for left, right, low, high in self._pairs:
            if feature in (low, high):
                return left, right, "min" if feature == low else "max"
        for name, f, refs in self._combine:
            if name == feature and f.op == "mean" and len(refs) == 2:
                pair = next((p for p in self._pairs if set(p[:2]) == set(refs)), None)
                if pair is not None:
                    return pair[0], pair[1], "mean"
        return None

    def segments_of(self, feature: str) -> list[tuple[str, str]]:
        """The segments (pairs of point names) a feature must see across the picture: the
        limb of a joint ``angle`` end to end (shoulder to wrist for an elbow; in either space:
        a limb seen end-on collapses in the picture and its depth is the pose model's guess),
        the chain of a ``bend`` measured on the picture end to end (shoulders to ankles for a
        push-up's body line: seen from the front, the picture shows no bend of the hips), and
        the segment of an ``elevation``, ``inclination`` or ``angle_to_trunk`` measured on
        the picture. ``formcheck.engine.judge`` does not judge a feature while one of its
        segments points at the camera. Other kinds: none.

        A bending joint may turn one of its segments towards the camera (a forearm bent
        forward, seen from the front) and stays judged: the other segment anchors the angle."""
        out: list[tuple[str, str]] = []
        for f, pts in self._measured(feature):
            if f.kind == "angle" or (f.kind == "bend" and f.space == "image"):
                out.append((pts[0], pts[2]))
            elif f.kind in _PLANE_KINDS and f.space == "image":
                out.append((pts[0], pts[1]))
        return out

    def _measured(self, feature: str) -> list[tuple[FeatureDef, list[str]]]:
        """The measured features (definition and points) a feature is made of: itself, or
        those its combine, ``from_start``, mirror or ``_min``/``_max`` refers to, in order."""
        for name, f, pts in self._base:
            if name == feature:
                return [(f, pts)]
        for name, _, refs in self._combine:
            if name == feature:
                return [m for r in refs for m in self._measured(r)]
        for name, of in self.from_start:
            if name == feature:
                return self._measured(of)
        for base in self._mirrored:
            if feature in (f"{base}_left", f"{base}_right"):
                return self._measured(base)
        for base in self._sided:
            if feature in (f"{base}_min", f"{base}_max"):
                return self._measured(f"{base}_left") + self._measured(f"{base}_right")
        raise KeyError(feature)

    def evaluate(self, frame: PoseFrame, min_visibility: float = 0.5) -> dict[str, float]:
        """All features for one frame; all NaN when no person is in view."""
        if not frame.has_person:
            return dict.fromkeys(self.names, NAN)
        pts = PointTable.from_frame(frame, min_visibility)
        torso = {"image": torso_length(pts, "image"), "world": torso_length(pts, "world")}
        out: dict[str, float] = {}
        for name, f, names in self._base:
            if f.kind == "spine_curvature":
                out[name] = spine_curvature(
                    frame.mask, frame.image, min_visibility=min_visibility,
                    resolution_wh=frame.resolution_wh,
                )  # fmt: skip
                continue
            coords = [pts.get(n, f.space) for n in names]
            out[name] = NAN if any(c is None for c in coords) else _measure(f, coords, pts, torso)
        for name in self._mirrored:  # how far towards each side; 0 turned the other way
            v = out[name]
            out[f"{name}_left"], out[f"{name}_right"] = max(v, 0.0), max(-v, 0.0)
            if math.isnan(v):
                out[f"{name}_left"] = out[f"{name}_right"] = NAN
        self._aggregate(out)  # combines may use the _min/_max of measured features
        for name, f, refs in self._combine:
            out[name] = combine_values(f.op, [out.get(r, NAN) for r in refs])
        self._aggregate(out)  # ... and sided combines have a _min/_max of their own
        for name, _ in self.from_start:
            out[name] = NAN  # the engine's: it knows the set's start
        return out

    def _aggregate(self, out: dict[str, float]) -> None:
        """The ``_min`` and ``_max`` of each sided feature: of the side that is seen when the
        other is not (as ``_combine`` does), NaN when neither is."""
        for left, right, low, high in self._pairs:
            a, b = out.get(left, NAN), out.get(right, NAN)
            if math.isnan(a):
                out[low] = out[high] = b
            elif math.isnan(b):
                out[low] = out[high] = a
            else:
                out[low], out[high] = min(a, b), max(a, b)


def _measure(f: FeatureDef, c: list, pts: PointTable, torso: dict[str, float]) -> float:
    if f.kind == "angle":
        return joint_angle_deg(c[0], c[1], c[2])
    if f.kind == "ahead":
        fwd = _chest_forward(pts)
        t = torso["world"]
        if fwd is None or not t > 0:
            return NAN
        return dot(sub(c[1], c[0]), fwd) / t
    if f.kind == "twist":
        return twist_deg(*c)
    if f.kind == "lean":
        ls, rs = pts.get("left_shoulder", "world"), pts.get("right_shoulder", "world")
        return NAN if ls is None or rs is None else lean_deg(c[0], c[1], ls, rs)
    if f.kind == "bend":
        return bend_deg(c[0], c[1], c[2])
    p, q = c
    if f.kind == "inclination":
        if f.reference == "vertical":
            return inclination_to_vertical_deg(p, q)
        return inclination_to_horizontal_deg(p, q)
    if f.kind == "elevation":
        return elevation_deg(p, q)
    if f.kind == "distance":
        return math.dist(p, q) / torso[f.space] if torso[f.space] > 0 else NAN
    if f.kind == "height":
        return (p[1] - q[1]) / torso[f.space] if torso[f.space] > 0 else NAN
    if f.kind == "angle_to_trunk":
        s, h = pts.get("shoulder_mid", f.space), pts.get("hip_mid", f.space)
        if s is None or h is None:
            return NAN
        dims = 2 if f.space == "image" else 3
        # against the trunk pointing down (shoulders -> hips): arm down 0, overhead 180;
        # thigh of a standing person 0, seated 90 (like shoulder and hip flexion)
        return angle_between_deg(sub(q[:dims], p[:dims]), sub(h[:dims], s[:dims]))
    raise AssertionError(f.kind)  # pragma: no cover - validated at load time


def combine_values(op: str | None, values: list[float]) -> float:
    """A ``combine`` feature's value from its parts' ``values``: their min, max or mean over
    the ones seen (not NaN), or the diff or absdiff of two seen ones; NaN when that cannot be
    had. ``formcheck.engine.judge`` combines a feature's clearly seen sides with it too."""
    if any(math.isnan(v) for v in values):
        # min/max of a pair where one side is unseen: use the side that is seen
        seen = [v for v in values if not math.isnan(v)]
        if op in ("min", "max", "mean") and seen:
            values = seen
        else:
            return NAN
    if op == "min":
        return min(values)
    if op == "max":
        return max(values)
    if op == "mean":
        return sum(values) / len(values)
    if op == "diff":
        return values[0] - values[1]
    if op == "absdiff":
        return abs(values[0] - values[1])
    raise AssertionError(op)  # pragma: no cover


def _chest_forward(pts: PointTable) -> tuple[float, ...] | None:
    """Unit vector the chest faces (world): across the shoulders crossed with the trunk axis."""
    ls, rs = pts.get("left_shoulder", "world"), pts.get("right_shoulder", "world")
    s, h = pts.get("shoulder_mid", "world"), pts.get("hip_mid", "world")
    if ls is None or rs is None or s is None or h is None:
        return None
    return unit(cross(sub(ls, rs), sub(s, h)))
