"""Geometry on the points of one frame.

Every function takes points as sequences of 2 floats (image pixels) or 3 (world metres), such
as rows of a landmark array or tuples, and returns a float. Image and world coordinates both
have y pointing down; "up" means towards smaller y, and "vertical" is the y axis (the camera
is assumed level). Angles are in degrees; a result that needs a direction from a zero-length
segment is NaN.

The engine evaluates a few dozen of these per frame, for every frame of every session and
every self-test, so they are plain ``math`` on floats: on 2- and 3-vectors that is several
times faster than NumPy's per-call overhead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "joint_angle_deg",
    "bend_deg",
    "twist_deg",
    "inclination_to_vertical_deg",
    "inclination_to_horizontal_deg",
    "elevation_deg",
    "lean_deg",
    "angle_between_deg",
    "distance",
    "midpoint",
    "sub",
    "dot",
    "cross",
    "unit",
]

Point = Sequence[float]

_EPS = 1e-9
NAN = float("nan")


def sub(p: Point, q: Point) -> tuple[float, ...]:
    """The vector ``p - q``."""
    return tuple(a - b for a, b in zip(p, q, strict=True))


def dot(u: Point, v: Point) -> float:
    return sum(a * b for a, b in zip(u, v, strict=True))


def unit(v: Point) -> tuple[float, ...] | None:
    """``v`` scaled to length 1, or None when it has (almost) no length."""
    n = math.hypot(*v)
    return tuple(a / n for a in v) if n > _EPS else None


def angle_between_deg(u: Point, v: Point) -> float:
    """Unsigned angle between vectors ``u`` and ``v`` in 0..180° (NaN if one has zero length)."""
    uu, vv = unit(u), unit(v)
    if uu is None or vv is None:
        return NAN
    return math.degrees(math.acos(min(1.0, max(-1.0, dot(uu, vv)))))


def joint_angle_deg(a: Point, b: Point, c: Point) -> float:
    """Angle at ``b`` of the chain a-b-c in 0..180° (180 = straight), 2D or 3D."""
    return angle_between_deg(sub(a, b), sub(c, b))


def bend_deg(a: Point, b: Point, c: Point) -> float:
    """How far the chain a-b-c bends at ``b``, signed: 0 = straight, positive when ``c`` lies
    below the line a-b extended (y pointing down, as in image and world coordinates).

    E.g. hip -> shoulder -> ear on all fours: positive when the head drops (cat), negative
    when it rises (cow), whichever way the person faces.
    """
    v1, v2 = sub(b, a), sub(c, b)
    bend = angle_between_deg(v1, v2)
    u = unit(v1)
    if u is None:
        return NAN
    along = dot(v2, u)
    below = c[1] - (b[1] + u[1] * along)  # c's height against the line's point beside it
    return bend if below >= 0 else -bend


def _vertical_and_horizontal(p: Point, q: Point) -> tuple[float, float]:
    """Components of q - p: along y (down positive) and the length across it (x, and z in 3D)."""
    d = sub(q, p)
    return d[1], math.hypot(d[0], *d[2:])


def inclination_to_vertical_deg(p: Point, q: Point) -> float:
    """Undirected angle of segment p-q to the vertical (the y axis), 0..90°, 2D or 3D."""
    dy, across = _vertical_and_horizontal(p, q)
    return math.degrees(math.atan2(across, abs(dy)))


def inclination_to_horizontal_deg(p: Point, q: Point) -> float:
    """Undirected angle of segment p-q to the horizontal, 0..90°, 2D or 3D."""
    return 90.0 - inclination_to_vertical_deg(p, q)


def elevation_deg(p: Point, q: Point) -> float:
    """Signed elevation of q seen from p above the horizontal, -90..90° (y pointing down).

    Positive when q is higher than p; independent of which way the person faces.
    """
    dy, across = _vertical_and_horizontal(p, q)
    return math.degrees(math.atan2(-dy, across))


def lean_deg(p: Point, q: Point, left: Point, right: Point) -> float:
    """Signed angle of p->q from straight up, -180..180° (3D, y down): + when it leans the way
    a person faces, - backwards. Forward is the horizontal direction across the line
    ``right -> left`` (a person's shoulders) on the chest's side, so it stays defined bent over
    or lying down; sideways tilt is left out. NaN when that line is vertical or p = q.

    E.g. hips -> shoulders: upright 0, bent over or prone 90, leaning back -20, supine -90.
    """
    a = sub(left, right)
    forward = unit((a[2], 0.0, -a[0]))  # (right -> left) x up, up = (0, -1, 0)
    v = sub(q, p)
    if forward is None or math.hypot(*v) < _EPS:
        return NAN
    return math.degrees(math.atan2(dot(v, forward), -v[1]))


def cross(u: Point, v: Point) -> tuple[float, float, float]:
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def _across(v: Point, axis: Point) -> tuple[float, ...]:
    """``v`` projected onto the plane across the unit vector ``axis``."""
    k = dot(v, axis)
    return tuple(a - k * x for a, x in zip(v, axis, strict=True))


def twist_deg(a: Point, b: Point, c: Point, d: Point) -> float:
    """Signed rotation of line a->b relative to line c->d about the trunk's long axis, -180..180.

    The axis runs from the midpoint of c, d to the midpoint of a, b (hips to shoulders); both
    lines are projected onto the plane across it, so the measure means the same standing,
    seated or bent over. 3D points (y down, z away from the camera). With a, b = right and left
    shoulder and c, d = right and left hip, + is a turn of the shoulders to the person's left,
    wherever the camera stands.
    """
    axis = unit(sub(midpoint(a, b), midpoint(c, d)))
    if axis is None:
        return NAN
    u, v = _across(sub(d, c), axis), _across(sub(b, a), axis)
    return math.degrees(math.atan2(dot(axis, cross(u, v)), dot(u, v)))


def distance(p: Point, q: Point) -> float:
    """Euclidean distance between points (same units as the input)."""
    return math.dist(p, q)


def midpoint(p: Point, q: Point) -> tuple[float, ...]:
    """Midpoint of two points."""
    return tuple((a + b) / 2.0 for a, b in zip(p, q, strict=True))
