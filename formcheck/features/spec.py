"""The feature vocabulary: point names, sides and the definition of one measurement.

It sits below the engine: :mod:`formcheck.features.measure` computes what a
:class:`FeatureDef` describes, and :mod:`formcheck.engine.definition` builds exercise
definitions out of them. Neither the features nor the pose stage import the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from formcheck.pose.core import LANDMARK_NAMES

__all__ = [
    "MID_POINTS",
    "POINT_NAMES",
    "PLACEHOLDER",
    "SIDES",
    "FeatureDef",
    "StrictModel",
    "landmarks_behind",
    "point_names",
    "substitute_side",
]

SIDES = ("left", "right")
_PAIRED = sorted({n.split("_", 1)[1] for n in LANDMARK_NAMES if n.startswith("left_")})
# Virtual points: the midpoint of a left/right pair, e.g. "shoulder_mid", "hip_mid".
MID_POINTS = {f"{base}_mid": (f"left_{base}", f"right_{base}") for base in _PAIRED}
POINT_NAMES = frozenset(LANDMARK_NAMES) | frozenset(MID_POINTS)
PLACEHOLDER = re.compile(r"\{(side|other)\}")


def landmarks_behind(points: Iterable[str]) -> set[str]:
    """The landmark names behind point names (a ``*_mid`` point stands for its two)."""
    return {n for p in points for n in MID_POINTS.get(p, (p,))}


def point_names() -> list[str]:
    """Every point name a feature may use: the 33 landmarks and the ``*_mid`` midpoints."""
    return sorted(POINT_NAMES)


def substitute_side(text: str, side: str) -> str:
    """Replace ``{side}`` by ``side`` and ``{other}`` by the opposite side."""
    other = {"left": "right", "right": "left"}.get(side, side)
    return text.replace("{side}", side).replace("{other}", other)


class StrictModel(BaseModel):
    """Frozen, and a key it does not know is an error (a typo is not silently ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


FeatureKind = Literal[
    "angle",
    "bend",
    "inclination",
    "elevation",
    "distance",
    "height",
    "angle_to_trunk",
    "twist",
    "ahead",
    "lean",
    "spine_curvature",
    "combine",
    "from_start",
]
_POINTS_PER_KIND = {
    "angle": 3, "bend": 3, "inclination": 2, "elevation": 2, "distance": 2, "height": 2,
    "angle_to_trunk": 2, "twist": 4, "ahead": 2, "lean": 2,
    "spine_curvature": 0,
}  # fmt: skip


class FeatureDef(StrictModel):
    """One named measurement. Points may contain ``{side}``: the feature then exists as
    ``NAME_left``, ``NAME_right``, ``NAME_min`` and ``NAME_max``.

    Kinds (degrees unless said; see routines/README.md): ``angle`` at the middle of 3 points
    (180 straight); ``bend`` of 3 points, signed (+ when the third drops below the line of the
    first two); ``inclination`` of 2 points to the vertical or horizontal (0..90);
    ``elevation`` of the second point above the first (-90..90, floor line = 0);
    ``angle_to_trunk`` of the segment against the trunk pointing down (0..180);
    ``distance`` between 2 points and ``height`` of the second above the first, both in torso
    lengths; ``twist`` of the line of points 1->2 against the line of points 3->4 about the
    trunk's long axis (world space; with right, left shoulder and right, left hip, + is a turn
    to the person's left); ``ahead``: how far the second point is in front of the first along
    the way the chest faces, in torso lengths (world space); ``lean``: the angle of the segment
    from straight up, + leaning the way the person faces, - backwards (-180..180, world
    space; forward is across the shoulder line, horizontal); ``spine_curvature`` (no points):
    how far the back's outline in the segmentation mask bows from the hip-shoulder line, in
    torso lengths, + rounded, - arched (needs masks); ``combine`` of other features (min, max,
    mean, diff, absdiff); ``from_start`` of one feature (``of``, without ``{side}``): how far it
    has moved from the person's own value when it was first clearly seen in the set (the
    median of that first second; NaN before), in the feature's unit."""

    kind: FeatureKind
    points: list[str] = []
    space: Literal["image", "world"] = "image"
    reference: Literal["vertical", "horizontal"] = "vertical"
    op: Literal["min", "max", "mean", "diff", "absdiff"] | None = None
    of: list[str] = []
    # A feature without {side} whose sign tells the side (e.g. a twist: + to the left): it then
    # also exists as NAME_left (the value, 0 when negative) and NAME_right (minus the value, 0
    # when positive), for per-side counting: how far towards that side.
    mirror: bool = False
    description: str = ""
    # What a person reads instead of the feature's name ("{side} thigh above the floor line")
    # and its unit ("°"); empty: generated from the kind and the points (formcheck.engine.words)
    label: str = ""
    unit: str = ""

    @model_validator(mode="after")
    def _check(self) -> FeatureDef:
        if self.kind == "combine":
            if self.op is None or not self.of:
                raise ValueError("a 'combine' feature needs 'op' and 'of'")
            if self.op in ("diff", "absdiff") and len(self.of) != 2:
                raise ValueError(f"op '{self.op}' needs exactly 2 features in 'of'")
            return self
        if self.kind == "from_start":
            if len(self.of) != 1 or self.points or PLACEHOLDER.search(self.of[0]):
                raise ValueError(
                    "a 'from_start' feature needs 'of' = one feature without {side}, no points"
                )
            return self
        need = _POINTS_PER_KIND[self.kind]
        if len(self.points) != need:
            raise ValueError(f"kind '{self.kind}' needs {need} points, got {len(self.points)}")
        if self.kind in ("twist", "ahead", "lean") and self.space != "world":
            raise ValueError(f"kind '{self.kind}' needs space = \"world\" (it is seen in depth)")
        if self.mirror and any(PLACEHOLDER.search(p) for p in self.points):
            raise ValueError("'mirror' is for features without {side} in their points")
        for p in self.points:
            for side in SIDES:
                name = substitute_side(p, side)
                if name not in POINT_NAMES:
                    raise ValueError(
                        f"unknown landmark {p!r} (see `formcheck exercises landmarks`)"
                    )
        return self

    @property
    def sided(self) -> bool:
        return self.mirror or any(PLACEHOLDER.search(p) for p in [*self.points, *self.of])
