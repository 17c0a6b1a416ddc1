"""The mannequin's body: pose parameters, anthropometry and forward kinematics.

A pose is a vector of joint angles (degrees) named by ``PARAM_NAMES``; ``skeleton`` turns a
``(n, P)`` array of poses into ``(n, 33, 3)`` landmark positions in the *model frame*:
metres, ``x`` = the person's left at ``trunk_yaw = 0``, ``y`` up, ``z`` = the person's forward
at ``trunk_yaw = 0`` (right-handed), the floor at ``y = 0``.

Conventions (every rotation is a rigid rotation of a segment frame whose axes are
``L`` = the segment's left, ``U`` = up along the segment (towards the proximal end),
``F`` = its front; standing, all three equal the world's left, up and forward):

- Trunk: ``R = Yaw(trunk_yaw) · Pitch(trunk_pitch) · Roll(trunk_roll)``; yaw is about the world
  vertical (positive turns the chest towards the person's left), pitch about the lateral axis
  (positive tilts the chest forward: 90 = face down, -90 = face up), roll about the trunk's long
  axis, right-handed (positive turns the chest towards the person's left: face down the left side
  lifts, face up the right side lifts). ``spine_flex`` splits the trunk at mid-spine: the lower
  half is pitched by ``-spine_flex/2``, the upper half by ``+spine_flex/2`` (in the trunk frame),
  so the hip-neck chord keeps ``trunk_pitch``. ``pelvis_roll`` turns the pelvis (hip line and
  legs) about the lower trunk's long axis, same sign as ``trunk_roll``. ``neck_flex`` pitches
  the head about the neck (positive = chin to chest). ``side_bend`` tilts the upper half of
  the trunk (shoulders, arms, head) sideways about its forward axis at mid-spine, positive
  towards the person's left (the left shoulder drops); the lower half and the pelvis stay.
- Shoulder and hip (same composition): start along ``-U`` of the trunk (pelvis); rotate about
  the lateral axis by ``*_flex`` towards ``F``; then about the trunk's (pelvis's) forward axis by
  ``*_abd`` towards the side's outside: ``R_limb = R_trunk · Rz(±abd) · Rx(-flex)``. The limb
  direction is ``d = -U cos(flex) cos(abd) + O cos(flex) sin(abd) + F sin(flex)`` with ``O`` the
  outside. Continuous everywhere; at ``flex = ±90`` the abduction does nothing (gimbal).
  ``flex = A sin φ, abd = 90 + A cos φ`` circles the arm about the lateral axis; a reverse fly
  is ``abd = 90`` with ``flex`` from 90 (hanging when bent over) to 0 (out to the side).
- ``elbow_flex``: the forearm turns from the upper arm towards the upper arm's own front (its
  ``F`` axis, the biceps side) about its lateral axis. For an arm below horizontal this is the
  trunk's forward direction projected perpendicular to the upper arm; above horizontal the
  forearm bends behind the head (as a real elbow does), never degenerate.
- ``wrist_flex`` (extra, not in the original brief): the hand tilts from the forearm line
  towards the same side as the elbow bends; 90 = palm flat on the floor on all fours.
- ``knee_flex``: the shank turns backward (heel to buttock). ``ankle_flex``: 0 = foot
  perpendicular to the shank pointing forward; positive = toes pointed (plantar flexion, same
  rotational sense as the knee), 90 = foot in line with the shank (prone, tops of the feet down).
- ``pelvis_lift`` is in metres, not degrees: added to the height after support placement.
- ``shoulder_rot_{side}``: rotation of the upper arm about its own axis (external rotation
  positive): with the arm out to the side and the elbow bent 90, +90 points the forearm up.
- ``shrug_{side}`` is in metres too: the shoulder joint moves up along the upper trunk (a
  shoulder shrug; 0.05 is a clear shrug).
- Support: ``"floor"`` puts the lowest landmark at ``y = 0`` in every frame; ``"hang"`` puts the
  higher wrist at ``BAR_HEIGHT_M``; ``"bars"`` (dips) the lower wrist at ``BARS_HEIGHT_M``,
  pressing down on parallel bars. The mid-hip stays at ``x = z = 0``.

Body proportions (``Body``): every length is a fraction of the body height ``height_m`` (metres,
1.0..2.3) after Winter's anthropometry, times a scale (0.6..1.6, 1 = the default mannequin):
``arms`` scales the upper arm, the forearm and the hand, ``legs`` the thigh, the shank and the
foot, ``trunk`` the hip line to shoulder line length (split evenly at mid-spine), ``shoulders``
the shoulder width and ``hips`` the hip width. The head and face scale with the height alone.
``girth`` (heavy > 1, slim < 1) moves no landmark: it scales the silhouette's radii, breadths
and depths (``formcheck.synth.silhouette``). ``Body()`` is exactly the default mannequin.

Scripting notes (angles are relative to the parent segment, as joint angles are):

- A limb's direction in the world is its flex relative to its segment's pitch: thighs are
  vertical when ``hip_flex = trunk_pitch - spine_flex/2`` and arms hang vertically when
  ``shoulder_flex = trunk_pitch + spine_flex/2`` (e.g. bent over: ``hip_flex = trunk_pitch``;
  cat-cow with planted hands and knees: change those two with ``spine_flex``). A level limb
  pointing forward needs ``flex = 90 + pitch``, backward ``flex = pitch - 90``.
- Arms are longer than thighs, so (with the default ``Body``) on hands and knees with vertical
  arms and thighs the hip-shoulder line rises 17.6 deg towards the head (preset ``all_fours``);
  with ``trunk_pitch = 90`` the body rests on its hands and the knees float 0.087 H above the
  floor. Other proportions change both numbers.
- With ``flex > 90`` a positive ``abd`` turns the arm towards the midline: an overhead "Y" is
  ``shoulder_abd = 150`` with ``shoulder_flex`` near 0 (negative lifts the arms behind).
- Hands continue the forearm unless ``wrist_flex`` says otherwise; feet point along the shank's
  front unless ``ankle_flex`` does. Hands and feet take part in floor contact, so a pose with a
  hand or toes pointing into the floor is lifted onto them (the presets set both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from numbers import Real
from typing import Any

import numpy as np

from formcheck.errors import DefinitionError
from formcheck.pose.core import LANDMARK_INDEX, NUM_LANDMARKS

__all__ = [
    "BAR_HEIGHT_M",
    "BARS_HEIGHT_M",
    "Body",
    "GLOBAL_PARAMS",
    "PARAM_INDEX",
    "PARAM_NAMES",
    "PRESETS",
    "SIDED_PARAMS",
    "SUPPORTS",
    "Skeleton",
    "pose_vector",
    "skeleton",
]

SIDES = ("left", "right")
GLOBAL_PARAMS: tuple[str, ...] = (
    "trunk_pitch", "trunk_roll", "trunk_yaw", "pelvis_roll", "spine_flex", "neck_flex",
    "pelvis_lift", "side_bend",
)  # fmt: skip
SIDED_PARAMS: tuple[str, ...] = (
    "shoulder_flex", "shoulder_abd", "elbow_flex", "wrist_flex",
    "hip_flex", "hip_abd", "knee_flex", "ankle_flex", "shrug", "shoulder_rot",
)  # fmt: skip
PARAM_NAMES: tuple[str, ...] = GLOBAL_PARAMS + tuple(
    f"{p}_{s}" for p in SIDED_PARAMS for s in SIDES
)
PARAM_INDEX: dict[str, int] = {name: i for i, name in enumerate(PARAM_NAMES)}
SUPPORTS = ("floor", "hang", "bars")
BAR_HEIGHT_M = 2.3
BARS_HEIGHT_M = 1.3  # parallel bars for dips (the lower wrist)

# Named postures (the postures of ``formcheck.engine.definition.Posture``); a pose may start
# from one with ``base = "<name>"``.
PRESETS: dict[str, dict[str, float]] = {
    "standing": {},
    # Arms (0.332 H to the wrist) are longer than thighs (0.245 H): with both vertical and hands
    # and knees on the floor, the hip-shoulder line rises 17.6 deg towards the head.
    "all_fours": {
        "trunk_pitch": 72.4, "shoulder_flex": 72.4, "wrist_flex": 90,
        "hip_flex": 72.4, "knee_flex": 90, "ankle_flex": 90,
    },
    "prone": {"trunk_pitch": 90, "ankle_flex": 90},
    "supine": {"trunk_pitch": -90},
    "seated": {"hip_flex": 90},  # long sitting on the floor, legs straight
    "kneeling": {"knee_flex": 90, "ankle_flex": 90},
    "hanging": {"shoulder_flex": 180},  # use with support "hang"
}  # fmt: skip

# Segment lengths and offsets as fractions of body height (after Winter's anthropometry;
# landmark spacings are joint-centre spacings, narrower than body breadths).
_TRUNK = 0.288  # hip line to shoulder line
_SHOULDER_W = 0.22
_HIP_W = 0.14
_UPPER_ARM, _FOREARM = 0.186, 0.146
_THIGH, _SHANK = 0.245, 0.246
_HEAD_UP = 0.11  # neck (mid-shoulder) to ear level, along the head's up axis

# Local offsets, fractions of height, in (L, U, F) of the head frame: ``x`` is mirrored for
# the right side.
_FACE: dict[str, tuple[float, float, float]] = {
    "nose": (0.0, -0.012, 0.058),
    "left_eye_inner": (0.009, 0.006, 0.050),
    "left_eye": (0.018, 0.007, 0.048),
    "left_eye_outer": (0.027, 0.006, 0.044),
    "left_ear": (0.043, 0.0, 0.0),
    "mouth_left": (0.014, -0.032, 0.048),
}
# Hand points in the hand frame; ``x`` times the side sign (+1 left): negative = medial.
_HAND = {
    "index": (-0.010, -0.050, 0.0),
    "pinky": (0.012, -0.046, 0.0),
    "thumb": (-0.018, -0.028, 0.0),
}
_FOOT = {"heel": (0.0, -0.03, -0.035), "foot_index": (0.0, -0.025, 0.11)}

_HEIGHT_RANGE_M = (1.0, 2.3)
_SCALE_RANGE = (0.6, 1.6)


@dataclass(frozen=True, slots=True)
class Body:
    """The mannequin's proportions: its height (metres) and scales of the default segments.

    ``arms``, ``legs``, ``trunk``, ``shoulders`` and ``hips`` scale segment lengths and widths
    (landmarks); ``girth`` scales only the silhouette's thickness. See the module docstring.
    """

    height_m: float = 1.75
    arms: float = 1.0
    legs: float = 1.0
    trunk: float = 1.0
    shoulders: float = 1.0
    hips: float = 1.0
    girth: float = 1.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            height = field.name == "height_m"
            lo, hi = _HEIGHT_RANGE_M if height else _SCALE_RANGE
            number = isinstance(value, Real) and not isinstance(value, bool)
            if not (number and lo <= value <= hi):
                what = f"a height in {lo}..{hi} m" if height else f"a scale in {lo}..{hi}"
                raise ValueError(f"{field.name}: expected {what}, got {value!r}")
            object.__setattr__(self, field.name, float(value))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Body:
        """Proportions from a plain table (e.g. a definition's ``selftest.body``)."""
        names = [field.name for field in fields(cls)]
        for key in data:
            if key not in names:
                raise ValueError(f"unknown body key {key!r}; expected one of {', '.join(names)}")
        return cls(**data)


@dataclass(frozen=True, slots=True, eq=False)
class Skeleton:
    """Landmarks and internal joints of ``n`` poses in the model frame (metres, y up).

    - ``landmarks``: ``(n, 33, 3)`` in MediaPipe order.
    - ``joints``: ``(n, 3)`` arrays for ``"mid_hip"``, ``"mid_spine"``, ``"neck"`` (mid-shoulder)
      and ``"head"`` (between the ears).
    """

    landmarks: np.ndarray
    joints: Mapping[str, np.ndarray]

    def __post_init__(self) -> None:
        if self.landmarks.ndim != 3 or self.landmarks.shape[1:] != (NUM_LANDMARKS, 3):
            raise ValueError(f"expected landmarks of shape (n, 33, 3), got {self.landmarks.shape}")


def pose_vector(layers: Sequence[Mapping[str, float]], where: str = "pose") -> np.ndarray:
    """``(P,)`` parameter vector from mappings applied in order (later layers win).

    Within one layer a key without side suffix sets both sides and a suffixed key overrides it.
    Missing parameters are 0. Unknown names raise ``DefinitionError`` naming ``where``.
    """
    vec = np.zeros(len(PARAM_NAMES))
    for layer in layers:
        plain = [(k, v) for k, v in layer.items() if k in SIDED_PARAMS]
        rest = [(k, v) for k, v in layer.items() if k not in SIDED_PARAMS]
        for key, value in plain + rest:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DefinitionError(f"{where}: {key}: expected a number, got {value!r}")
            if key in SIDED_PARAMS:
                for side in SIDES:
                    vec[PARAM_INDEX[f"{key}_{side}"]] = float(value)
            elif key in PARAM_INDEX:
                vec[PARAM_INDEX[key]] = float(value)
            else:
                valid = ", ".join((*GLOBAL_PARAMS, *SIDED_PARAMS))
                raise DefinitionError(
                    f"{where}: unknown pose parameter {key!r}; expected one of {valid} "
                    "(sided ones optionally with _left/_right)"
                )
    return vec


def _rot(axis: int, angle_deg: np.ndarray) -> np.ndarray:
    """``(n, 3, 3)`` right-handed rotations about model axis 0 (x), 1 (y) or 2 (z)."""
    a = np.radians(np.asarray(angle_deg, float))
    c, s = np.cos(a), np.sin(a)
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    r = np.zeros((*a.shape, 3, 3))
    r[..., axis, axis] = 1.0
    r[..., i, i], r[..., i, j], r[..., j, i], r[..., j, j] = c, -s, s, c
    return r


def _apply(frame: np.ndarray, local: Sequence[float]) -> np.ndarray:
    """Local offset ``(3,)`` expressed in world axes of the frames ``(n, 3, 3)``: ``(n, 3)``."""
    return frame @ np.asarray(local, float)


def skeleton(
    params: np.ndarray,
    height_m: float = 1.75,
    support: str = "floor",
    *,
    body: Body | None = None,
) -> Skeleton:
    """Forward kinematics of ``(n, P)`` poses (columns as ``PARAM_NAMES``), placed on a support.

    ``height_m`` (metres) scales every segment; ``body`` sets the proportions (default
    ``Body()``) and, when given, its ``height_m`` replaces the ``height_m`` argument.
    ``support`` is ``"floor"``, ``"hang"`` or ``"bars"`` (see the module docstring).
    """
    params = np.atleast_2d(np.asarray(params, float))
    if params.shape[1] != len(PARAM_NAMES):
        raise ValueError(f"expected params of shape (n, {len(PARAM_NAMES)}), got {params.shape}")
    if support not in SUPPORTS:
        raise ValueError(f"support: expected one of {SUPPORTS}, got {support!r}")
    if body is not None:
        height_m = body.height_m
    if not height_m > 0:
        raise ValueError(f"height_m: expected a positive height, got {height_m!r}")
    shape = body if body is not None else Body()
    n, h = len(params), float(height_m)
    # metres per fraction of height, per segment group (exactly h for a scale of 1)
    h_trunk, h_arms, h_legs = h * shape.trunk, h * shape.arms, h * shape.legs
    h_shoulders, h_hips = h * shape.shoulders, h * shape.hips

    def p(name: str) -> np.ndarray:
        return params[:, PARAM_INDEX[name]]

    rx = lambda a: _rot(0, a)  # noqa: E731
    mid = _rot(1, p("trunk_yaw")) @ rx(p("trunk_pitch")) @ _rot(1, p("trunk_roll"))
    lower = mid @ rx(-p("spine_flex") / 2)
    upper = mid @ rx(p("spine_flex") / 2) @ _rot(2, -p("side_bend"))
    pelvis = lower @ _rot(1, p("pelvis_roll"))
    head_r = upper @ rx(p("neck_flex"))

    mid_hip = np.zeros((n, 3))
    mid_spine = _apply(lower, (0.0, h_trunk * _TRUNK / 2, 0.0))
    neck = mid_spine + _apply(upper, (0.0, h_trunk * _TRUNK / 2, 0.0))
    head = neck + _apply(head_r, (0.0, h * _HEAD_UP, 0.0))
    out = np.zeros((n, NUM_LANDMARKS, 3))

    for name, (x, y, z) in _FACE.items():
        out[:, LANDMARK_INDEX[name]] = head + _apply(head_r, (h * x, h * y, h * z))
        mirrored = name.replace("left", "right")
        if mirrored != name:
            out[:, LANDMARK_INDEX[mirrored]] = head + _apply(head_r, (-h * x, h * y, h * z))

    for side, sign in (("left", 1.0), ("right", -1.0)):
        lm = lambda part: LANDMARK_INDEX[f"{side}_{part}"]  # noqa: B023, E731
        q = lambda name: p(f"{name}_{side}")  # noqa: B023, E731
        # arm
        shoulder = neck + _apply(upper, (sign * h_shoulders * _SHOULDER_W / 2, 0.0, 0.0))
        shoulder = shoulder + upper[:, :, 1] * q("shrug")[:, None]  # up the upper trunk
        arm = upper @ _rot(2, sign * q("shoulder_abd")) @ rx(-q("shoulder_flex"))
        arm = arm @ _rot(1, sign * q("shoulder_rot"))  # about the upper arm's own axis
        fore = arm @ rx(-q("elbow_flex"))
        hand = fore @ rx(-q("wrist_flex"))
        elbow = shoulder + _apply(arm, (0.0, -h_arms * _UPPER_ARM, 0.0))
        wrist = elbow + _apply(fore, (0.0, -h_arms * _FOREARM, 0.0))
        out[:, lm("shoulder")], out[:, lm("elbow")], out[:, lm("wrist")] = shoulder, elbow, wrist
        for part, (x, y, z) in _HAND.items():
            out[:, lm(part)] = wrist + _apply(hand, (sign * h_arms * x, h_arms * y, h_arms * z))
        # leg
        hip = mid_hip + _apply(pelvis, (sign * h_hips * _HIP_W / 2, 0.0, 0.0))
        thigh = pelvis @ _rot(2, sign * q("hip_abd")) @ rx(-q("hip_flex"))
        shank = thigh @ rx(q("knee_flex"))
        foot = shank @ rx(q("ankle_flex"))
        knee = hip + _apply(thigh, (0.0, -h_legs * _THIGH, 0.0))
        ankle = knee + _apply(shank, (0.0, -h_legs * _SHANK, 0.0))
        out[:, lm("hip")], out[:, lm("knee")], out[:, lm("ankle")] = hip, knee, ankle
        for part, (x, y, z) in _FOOT.items():
            out[:, lm(part)] = ankle + _apply(foot, (h_legs * x, h_legs * y, h_legs * z))

    wrists = out[:, [LANDMARK_INDEX["left_wrist"], LANDMARK_INDEX["right_wrist"]], 1]
    if support == "floor":
        lift = -out[:, :, 1].min(axis=1)
    elif support == "hang":
        lift = BAR_HEIGHT_M - wrists.max(axis=1)
    else:
        lift = BARS_HEIGHT_M - wrists.min(axis=1)
    shift = np.zeros((n, 3))
    shift[:, 1] = lift + p("pelvis_lift")
    joints = {"mid_hip": mid_hip, "mid_spine": mid_spine, "neck": neck, "head": head}
    return Skeleton(
        landmarks=out + shift[:, None, :],
        joints={k: v + shift for k, v in joints.items()},
    )
