"""Setup checks: is the camera view and the body's posture right for the exercise?

Pure functions of one frame's points plus a small debouncer, so a check must fail (or pass)
for ``persist_s`` before it is reported (or cleared).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.features.geometry import inclination_to_vertical_deg
from formcheck.features.measure import PointTable, torso_length

__all__ = ["Debounced", "observed_trunk", "observed_view", "POSTURE_TRUNK", "VIEW_MESSAGES"]

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
    "upright": "Stand or sit up: this exercise starts with the trunk upright",
    "horizontal": "Get into position: this exercise is done with the trunk horizontal",
}


def observed_view(points: PointTable) -> str | None:
    """ "side" or "front" from how wide the shoulders look next to the torso; None if unsure."""
    torso = torso_length(points)
    a, b = points.get("left_shoulder"), points.get("right_shoulder")
    if a is None or b is None or not torso > 0:
        return None
    ratio = float(math.hypot(*(a - b))) / torso
    if ratio < 0.45:
        return "side"
    if ratio > 0.65:
        return "front"
    return None


def observed_trunk(points: PointTable) -> str | None:
    """ "upright" or "horizontal" from the shoulder-hip line in 3D (world landmarks, so a trunk
    pointing at the camera is not mistaken for an upright one); None if in between or unseen."""
    s, h = points.get("shoulder_mid", "world"), points.get("hip_mid", "world")
    if s is None or h is None:
        return None
    incl = float(inclination_to_vertical_deg(h, s))
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
