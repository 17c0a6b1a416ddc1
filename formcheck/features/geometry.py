"""Pure, vectorised geometry on landmark arrays.

Every function takes points as arrays whose last axis is the coordinate (2 for image pixels,
3 for world metres) and broadcasts over any leading axes, so one call handles a frame or a
whole recording. Image and world coordinates both have y pointing down; "up" means towards
smaller y, and
"vertical" is the y axis (the camera is assumed level).
Angles are in degrees.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "joint_angle_deg",
    "bend_deg",
    "twist_deg",
    "inclination_to_vertical_deg",
    "inclination_to_horizontal_deg",
    "elevation_deg",
    "angle_between_deg",
    "distance",
    "midpoint",
]

_EPS = 1e-9


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > _EPS, v / np.maximum(n, _EPS), np.nan)


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors ``u`` and ``v`` in 0..180° (NaN if one has zero length)."""
    u, v = _unit(np.asarray(u, float)), _unit(np.asarray(v, float))
    cos = np.clip(np.sum(u * v, axis=-1), -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle at ``b`` of the chain a-b-c in 0..180° (180 = straight), 2D or 3D."""
    a, b, c = (np.asarray(p, float) for p in (a, b, c))
    return angle_between_deg(a - b, c - b)


def bend_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """How far the chain a-b-c bends at ``b``, signed: 0 = straight, positive when ``c`` lies
    below the line a-b extended (y pointing down, as in image and world coordinates).

    E.g. hip -> shoulder -> ear on all fours: positive when the head drops (cat), negative
    when it rises (cow), whichever way the person faces.
    """
    a, b, c = (np.asarray(p, float) for p in (a, b, c))
    v1, v2 = b - a, c - b
    bend = angle_between_deg(v1, v2)
    u = _unit(v1)
    on_line = b + u * np.sum(v2 * u, axis=-1, keepdims=True)
    below = (c - on_line)[..., 1]
    return np.where(below >= 0, bend, -bend)


def _vertical_and_horizontal(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Components of q - p: along y (down positive) and the length across it (x, and z in 3D)."""
    d = np.asarray(q, float) - np.asarray(p, float)
    across = np.delete(d, 1, axis=-1)
    return d[..., 1], np.linalg.norm(across, axis=-1)


def inclination_to_vertical_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Undirected angle of segment p-q to the vertical (the y axis), 0..90°, 2D or 3D."""
    dy, across = _vertical_and_horizontal(p, q)
    return np.degrees(np.arctan2(across, np.abs(dy)))


def inclination_to_horizontal_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Undirected angle of segment p-q to the horizontal, 0..90°, 2D or 3D."""
    return 90.0 - inclination_to_vertical_deg(p, q)


def elevation_deg(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Signed elevation of q seen from p above the horizontal, -90..90° (y pointing down).

    Positive when q is higher than p; independent of which way the person faces.
    """
    dy, across = _vertical_and_horizontal(p, q)
    return np.degrees(np.arctan2(-dy, across))


def twist_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Signed rotation of line a->b relative to line c->d about the trunk's long axis, -180..180.

    The axis runs from the midpoint of c, d to the midpoint of a, b (hips to shoulders); both
    lines are projected onto the plane across it, so the measure means the same standing,
    seated or bent over. 3D points (y down, z away from the camera). With a, b = right and left
    shoulder and c, d = right and left hip, + is a turn of the shoulders to the person's left,
    wherever the camera stands.
    """
    a, b, c, d = (np.asarray(p, float) for p in (a, b, c, d))
    axis = _unit((a + b) / 2 - (c + d) / 2)
    u, v = d - c, b - a
    u = u - axis * np.sum(u * axis, axis=-1, keepdims=True)
    v = v - axis * np.sum(v * axis, axis=-1, keepdims=True)
    return np.degrees(np.arctan2(np.sum(axis * np.cross(u, v), axis=-1), np.sum(u * v, axis=-1)))


def distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Euclidean distance between points (same units as the input)."""
    return np.linalg.norm(np.asarray(q, float) - np.asarray(p, float), axis=-1)


def midpoint(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Midpoint of two points."""
    return (np.asarray(p, float) + np.asarray(q, float)) / 2.0
