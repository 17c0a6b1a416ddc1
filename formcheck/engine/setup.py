"""Setup checks: is the camera view and the body's posture right for the exercise?

Pure functions of one frame's points plus a small debouncer, so a check must fail (or pass)
for ``persist_s`` before it is reported (or cleared).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from formcheck.features.geometry import inclination_to_vertical_deg
from formcheck.features.measure import PointTable
from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

if TYPE_CHECKING:
    from formcheck.engine.definition import ExerciseDef

__all__ = [
    "Debounced",
    "POSTURE_TRUNK",
    "checked_trunk",
    "VIEW_MESSAGES",
    "framing_problem",
    "posture_message",
    "start_words",
    "observed_trunk",
    "observed_view",
]

# Which way the trunk points in each posture ("any" = do not check).
POSTURE_TRUNK = {
    "standing": "upright",
    "seated": "upright",
    "hanging": "upright",
    "kneeling": "upright",
    "all_fours": "horizontal",
    "prone": "horizontal",
    "supine": "horizontal",
}
VIEW_MESSAGES = {
    "side": "Turn sideways to the camera",
    "front": "Face the camera",
}
TRUNK_MESSAGES = {
    "upright": "Straighten up: start with your back upright",
    "horizontal": "Get into position: start with your back level with the floor",
}
# What to do when the trunk is not as the posture needs it, in the person's words.
POSTURE_MESSAGES = {
    "standing": "Stand up straight to start",
    "seated": "Sit up straight on the floor, legs out in front",
    "kneeling": "Kneel upright to start",
    "hanging": "Hang from the bar with straight arms",
    "all_fours": "Get on your hands and knees to start",
    "prone": "Lie face down to start",
    "supine": "Lie on your back to start",
}


def checked_trunk(exercise: ExerciseDef) -> str:
    """The trunk the setup check wants ("upright" | "horizontal"), or "any" (not checked):
    the definition's own ``trunk``, else the one its posture puts the trunk in."""
    return exercise.trunk or POSTURE_TRUNK.get(exercise.posture, "any")


def start_words(exercise: ExerciseDef) -> str | None:
    """How to get into the exercise's start position, in the person's words: the definition's
    own (``start``), else the posture's, or the trunk's when the exercise holds the trunk
    otherwise (a bent-over row stands with the back level: not "Stand up straight to start");
    None when none is known. The live card and the wrong-posture cue both say this."""
    if exercise.start:
        return exercise.start
    trunk = checked_trunk(exercise)
    if trunk == "any":
        return POSTURE_MESSAGES.get(exercise.posture)
    return posture_message(exercise.posture, trunk)


def posture_message(posture: str, trunk: str) -> str:
    """The setup cue for a trunk that is not ``trunk`` ("upright" | "horizontal"): the
    posture's own words ("Get on your hands and knees to start") when the posture puts the
    trunk that way, else the trunk's ("Get into position: start with your back level ...")."""
    if POSTURE_TRUNK.get(posture) == trunk and posture in POSTURE_MESSAGES:
        return POSTURE_MESSAGES[posture]
    return TRUNK_MESSAGES[trunk]


# Body parts named in "out of view" guidance, by landmark name.
_PARTS = {
    "feet": ("ankle", "heel", "foot_index"),
    "knees": ("knee",),
    "hips": ("hip",),
    "hands": ("wrist", "pinky", "index", "thumb"),
    "elbows": ("elbow",),
    "shoulders": ("shoulder",),
    "head": ("nose", "eye", "ear", "mouth"),
}
TOO_FAR = "Come closer: you are too far from the camera"


def _part(name: str) -> str:
    for part, keys in _PARTS.items():
        if any(k in name for k in keys):
            return part
    return name.replace("_", " ")


def framing_problem(
    frame: PoseFrame, needed: set[str], *, margin: float = 0.01, min_height: float = 0.3
) -> tuple[str, str] | None:
    """("out_of_frame" | "too_far", message) when the picture does not hold the body parts the
    exercise needs, or holds them too small; None when the framing is fine (or no person).

    A needed landmark is out of the picture when MediaPipe places it beyond the image border
    (it does so for parts it extrapolates). "Too far": everything seen fits in less than
    ``min_height`` of the picture's height and width.
    """
    if frame.image is None:
        return None
    w, h = frame.resolution_wh
    xy = frame.image[:, :2]
    lo = np.array([-margin * w, -margin * h])
    hi = np.array([(1 + margin) * w, (1 + margin) * h])
    out = np.any((xy < lo) | (xy > hi), axis=1).tolist()
    outside = [n for n in sorted(needed) if out[LANDMARK_INDEX[n]]]
    if outside:
        parts = list(dict.fromkeys(_part(n) for n in outside))
        what = " and ".join(parts[:2])
        verb = "is" if len(parts) == 1 and what == "head" else "are"
        return "out_of_frame", f"Step back: your {what} {verb} out of view"
    seen = xy[frame.visibility >= 0.5]
    if len(seen) >= 2:
        span = seen.max(axis=0) - seen.min(axis=0)
        if span[1] < min_height * h and span[0] < min_height * w:
            return "too_far", TOO_FAR
    return None


# Where the camera stands, from how the shoulder line (and the hip line) turns away from the
# picture's plane: within a third of a right angle of facing it (or of the back) is a front
# view, within a third of a right angle of pointing at the camera is a side view, the
# three-quarter view in between is neither.
FRONT_VIEW_MAX_DEG = 35.0
SIDE_VIEW_MIN_DEG = 55.0


def observed_view(points: PointTable) -> str | None:
    """ "side" or "front" (the back counts as front) from which way the shoulders and the hips
    face the camera, in 3D: the angle of the line from one shoulder to the other (and from one
    hip to the other) against the picture's plane, seen from above (world landmarks: x across
    the picture, z away from the camera); None if in between or unseen. Measured in 3D, it is
    the same whether the trunk is upright, bent over or lying (the shoulders' width on the
    picture next to the torso's length is not: a trunk bent towards the camera looks short)."""
    turns = []
    for a, b in (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")):
        p, q = points.get(a, "world"), points.get(b, "world")
        if p is not None and q is not None:
            turns.append(math.degrees(math.atan2(abs(q[2] - p[2]), abs(q[0] - p[0]))))
    if not turns:
        return None
    turned = sum(turns) / len(turns)
    if turned <= FRONT_VIEW_MAX_DEG:
        return "front"
    if turned >= SIDE_VIEW_MIN_DEG:
        return "side"
    return None


def observed_trunk(points: PointTable) -> str | None:
    """ "upright" or "horizontal" from the shoulder-hip line in 3D (world landmarks, so a trunk
    pointing at the camera is not mistaken for an upright one); None if in between or unseen."""
    s, h = points.get("shoulder_mid", "world"), points.get("hip_mid", "world")
    if s is None or h is None:
        return None
    incl = inclination_to_vertical_deg(h, s)
    if incl < 30:
        return "upright"
    if incl > 60:
        return "horizontal"
    return None


@dataclass(slots=True)
class Debounced:
    """A yes/no that flips only after the new value has held ``persist_s``."""

    persist_s: float = 1.0
    state: bool = False
    _since: float | None = None

    def update(self, t_s: float, value: bool | None) -> bool | None:
        """Feed one observation (None = unknown); returns the new state when it flips."""
        if value is None or value == self.state:
            self._since = None
            return None
        if self._since is None:
            self._since = t_s
        if t_s - self._since >= self.persist_s:
            self.state, self._since = value, None
            return value
        return None
