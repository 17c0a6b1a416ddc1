"""The mannequin's silhouette: a person segmentation mask drawn from its 3D joints.

A stand-in for the pose model's segmentation output, so that features measured on the outline
(``formcheck.features.curvature``) can be tested against a known posture::

    body = skeleton(params)                  # formcheck.synth.body
    view = Camera(azimuth_deg=90).view(body.landmarks)
    mask = render_mask(body, view, index=0)  # (H, W) float32, 1 inside the body

``render(script, camera, with_mask=True)`` fills ``PoseFrame.mask`` the same way.

The body is a union of convex solids, each projected with the same pinhole camera as the
landmarks and filled as the convex hull of its projected surface points:

- the trunk: elliptic cross-sections swept along a smooth curve from the mid-hip to the neck
  (mid-shoulder) joint: the quadratic Bezier curve with the mid-spine joint as its control point.
  It leaves the pelvis along the lower trunk and reaches the shoulders along the upper trunk, so
  it turns by ``spine_flex`` in all, as the two-segment spine does, but evenly instead of in one
  kink at mid-spine: ``spine_flex`` bows the back as one smooth arc. Its half-breadth and its
  back and front depths vary along the trunk (buttocks, waist, chest, shoulders;
  ``TRUNK_PROFILE``); with ``spine_flex = 0`` the back has only a slight natural lumbar dip and
  thoracic hump;
- the neck and the head (a sphere a little in front of the ears);
- limbs as truncated cones between joints (upper arm, forearm, hand, thigh, shank, foot), with
  spheres at the shoulders, elbows, hips and knees.

Sizes are fractions of the body height (after Winter's anthropometry, rounded). Edges are
anti-aliased, so the mask is 0..1 like a model's; it has no noise, no hair and no clothes.

Other bodies (``proportions``, a ``formcheck.synth.body.Body``): lengths and joint spacings come
with the landmarks the ``Skeleton`` was built with, and the trunk's profile runs along its own
curve, so it stretches with ``trunk``. ``girth`` (a heavy body > 1, a slim one < 1) scales every
radius and every trunk depth, and the trunk's half-breadth up to the chest (``s <= 0.85``),
fading out towards the shoulder line (``s = 1``), where the breadth is bone: the shoulder joints'
spacing, so slim shoulders stay joined to the chest. It leaves the head alone: a skull does not
slim, and the ears (0.043 H from the head's centre) must stay inside it. The trunk's
half-breadth also follows the skeleton's width: it is scaled by ``hips`` at the hip line and
below, by ``shoulders`` at the shoulder line and above, and linearly in between.
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.pose.core import LANDMARK_INDEX
from formcheck.synth.body import Body, Skeleton
from formcheck.synth.camera import View

__all__ = [
    "HEAD_RADIUS",
    "LIMB_SIZES",
    "SOLID_PARTS",
    "TRUNK_PROFILE",
    "SilhouetteCache",
    "body_solids",
    "render_mask",
    "render_masks",
    "trunk_curve",
]

# Along the trunk curve: s (0 = mid-hip, 1 = neck; beyond: extended along the end tangents),
# half-breadth, back depth, front depth (fractions of the height, measured from the curve).
TRUNK_PROFILE = np.array(
    [
        (-0.16, 0.060, 0.030, 0.025),
        (-0.08, 0.095, 0.062, 0.045),
        (0.05, 0.100, 0.062, 0.050),
        (0.20, 0.090, 0.058, 0.054),
        (0.40, 0.085, 0.056, 0.056),
        (0.65, 0.090, 0.058, 0.060),
        (0.85, 0.100, 0.058, 0.055),
        (1.00, 0.110, 0.055, 0.045),
        (1.10, 0.045, 0.035, 0.030),
    ]
)  # fmt: skip
_TRUNK_STATIONS = np.linspace(TRUNK_PROFILE[0, 0], TRUNK_PROFILE[-1, 0], 29)
_RING = 24  # points per cross-section
_GIRTH_FADE_S = (0.85, 1.0)  # girth widens the trunk fully up to the chest, not at the shoulders

# Each side's limbs: (from, to, radius at from, radius at to), fractions of the height.
LIMB_SIZES: tuple[tuple[str, str, float, float], ...] = (
    ("shoulder", "elbow", 0.028, 0.020),
    ("elbow", "wrist", 0.020, 0.014),
    ("wrist", "index", 0.014, 0.010),
    ("hip", "knee", 0.048, 0.032),
    ("knee", "ankle", 0.032, 0.020),
    ("heel", "foot_index", 0.020, 0.015),
)
_LIMBS: tuple[tuple[str, str, float, float], ...] = tuple(
    (f"{side}_{a}", f"{side}_{b}", r0, r1)
    for side in ("left", "right")
    for a, b, r0, r1 in LIMB_SIZES
)  # fmt: skip
_JOINTS: tuple[tuple[str, float], ...] = tuple(
    (f"{side}_{name}", r)
    for side in ("left", "right")
    for name, r in (("shoulder", 0.028), ("elbow", 0.020), ("hip", 0.048), ("knee", 0.032),
                    ("ankle", 0.020), ("wrist", 0.014))
)  # fmt: skip
_LIMB_FROM = np.array([LANDMARK_INDEX[a] for a, _, _, _ in _LIMBS])
_LIMB_TO = np.array([LANDMARK_INDEX[b] for _, b, _, _ in _LIMBS])
_LIMB_R0 = np.array([r0 for _, _, r0, _ in _LIMBS])
_LIMB_R1 = np.array([r1 for _, _, _, r1 in _LIMBS])
_JOINT_AT = np.array([LANDMARK_INDEX[name] for name, _ in _JOINTS])
_JOINT_R = np.array([r for _, r in _JOINTS])
_NECK_R = 0.030
HEAD_RADIUS = 0.060
_HEAD_FORWARD = 0.015  # head centre in front of the ears' midpoint
_FULL = np.float32(255.0)  # the canvas's value inside the body

# What each solid of ``body_solids`` is: "trunk" slices from the hips up, the limbs' cones
# ("left_shoulder-elbow": the left upper arm), the joints' spheres, the neck and the head.
SOLID_PARTS: tuple[str, ...] = (
    *("trunk",) * (len(_TRUNK_STATIONS) - 1),
    *(f"{a}-{b.split('_', 1)[1]}" for a, b, _, _ in _LIMBS),
    *(name for name, _ in _JOINTS),
    "neck",
    "head",
)


def trunk_curve(body: Skeleton, index: int | np.ndarray, s: np.ndarray) -> tuple[np.ndarray, ...]:
    """Points and frames of the trunk's centre curve at parameters ``s`` (model frame).

    Returns ``(centre, left, forward)``, each ``(len(s), 3)`` (``(n, len(s), 3)`` for ``n``
    indices): the quadratic Bezier curve from mid-hip (s=0) to neck (s=1) with mid-spine as
    control point, extended along its end tangents outside 0..1, with the person's left (from
    the hip line at s<=0 turning to the shoulder line at s>=1) and front axes perpendicular to
    it.
    """
    s = np.asarray(s, float)
    p0, pm, p1 = (body.joints[k][index][..., None, :] for k in ("mid_hip", "mid_spine", "neck"))
    c1 = 2.0 * (pm - p0)  # (1-s)^2 p0 + 2 s (1-s) pm + s^2 p1 = p0 + c1 s + c2 s^2
    c2 = p0 - 2.0 * pm + p1
    inner = np.clip(s, 0.0, 1.0)[:, None]
    centre = p0 + c1 * inner + c2 * inner**2
    tangent = c1 + 2.0 * c2 * inner
    centre = centre + (s[:, None] - inner) * tangent  # straight beyond the ends
    up = tangent / np.linalg.norm(tangent, axis=-1, keepdims=True)

    lm = body.landmarks[index]

    def across(a: str, b: str) -> np.ndarray:
        v = lm[..., LANDMARK_INDEX[a], :] - lm[..., LANDMARK_INDEX[b], :]
        return (v / np.linalg.norm(v, axis=-1, keepdims=True))[..., None, :]

    hips, shoulders = across("left_hip", "right_hip"), across("left_shoulder", "right_shoulder")
    left = (1.0 - inner) * hips + inner * shoulders
    left = left - up * np.sum(left * up, axis=-1, keepdims=True)
    left /= np.linalg.norm(left, axis=-1, keepdims=True)
    forward = np.cross(left, up)  # x (left) cross y (up) = z (forward)
    return centre, left, forward


def _trunk_rings(
    body: Skeleton, index: int | np.ndarray, height_m: float, shape: Body
) -> np.ndarray:
    """``([n,] stations, _RING, 3)`` surface points of the trunk's cross-sections (module
    docstring)."""
    s = _TRUNK_STATIONS
    centre, left, forward = trunk_curve(body, index, s)
    half_w, back, front = (np.interp(s, TRUNK_PROFILE[:, 0], TRUNK_PROFILE[:, k]) * height_m
                           for k in (1, 2, 3))  # fmt: skip
    half_w = half_w * np.interp(s, (0.0, 1.0), (shape.hips, shape.shoulders))
    half_w = half_w * np.interp(s, _GIRTH_FADE_S, (shape.girth, 1.0))
    back, front = back * shape.girth, front * shape.girth
    theta = np.linspace(0.0, 2.0 * np.pi, _RING, endpoint=False)
    cos, sin = np.cos(theta)[None, :], np.sin(theta)[None, :]
    depth = np.where(sin >= 0, front[:, None], back[:, None])
    return (
        centre[..., None, :]
        + (half_w[:, None] * cos)[..., None] * left[..., None, :]
        + (depth * sin)[..., None] * forward[..., None, :]
    )


_THETA = np.linspace(0.0, 2.0 * np.pi, _RING, endpoint=False)
_COS, _SIN = np.cos(_THETA), np.sin(_THETA)


def _unit_sphere(n: int = 48) -> np.ndarray:
    """``(n, 3)`` points spread evenly over the unit sphere (a Fibonacci lattice)."""
    k = np.arange(n) + 0.5
    z = 1.0 - 2.0 * k / n
    phi = np.pi * (1.0 + 5**0.5) * k
    rho = np.sqrt(1.0 - z**2)
    return np.stack([rho * np.cos(phi), rho * np.sin(phi), z], axis=1)


_UNIT_SPHERE = _unit_sphere()


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross product of ``(N, 3)`` arrays (``np.cross`` is slow on small arrays)."""
    ax, ay, az = a[:, 0], a[:, 1], a[:, 2]
    bx, by, bz = b[:, 0], b[:, 1], b[:, 2]
    return np.stack([ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx], axis=1)


def _rings(centres: np.ndarray, axes: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """``(N, _RING, 3)``: circles of ``radii`` about ``centres`` perpendicular to ``axes``."""
    axes = axes / np.maximum(np.linalg.norm(axes, axis=1, keepdims=True), 1e-12)
    helper = np.where(np.abs(axes[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    a = _cross(axes, helper)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b = _cross(axes, a)
    r = np.asarray(radii, float)[:, None, None]
    return centres[:, None, :] + r * (
        _COS[None, :, None] * a[:, None, :] + _SIN[None, :, None] * b[:, None, :]
    )


def body_solids(
    body: Skeleton,
    index: int | np.ndarray = 0,
    *,
    height_m: float = 1.75,
    proportions: Body | None = None,
) -> np.ndarray:
    """The convex solids the body is made of, for pose ``index``: ``(len(SOLID_PARTS), 48, 3)``
    surface points in the model frame (two rings of a cone or a trunk slice, or a sphere), in
    the order ``SOLID_PARTS`` names them; ``(n, len(SOLID_PARTS), 48, 3)`` for ``n`` indices.
    Arguments as for ``render_mask``."""
    shape = proportions if proportions is not None else Body()
    h = float(proportions.height_m if proportions is not None else height_m)
    size = h * shape.girth  # the unit of the limbs' and the neck's radii
    one = np.ndim(index) == 0
    index = np.atleast_1d(np.asarray(index, int))
    n = len(index)
    lm = body.landmarks[index]  # (n, 33, 3)
    rings = _trunk_rings(body, index, h, shape)  # (n, stations, ring, 3)
    trunk = np.concatenate([rings[:, :-1], rings[:, 1:]], axis=2)  # neighbouring rings
    starts, ends = lm[:, _LIMB_FROM].reshape(-1, 3), lm[:, _LIMB_TO].reshape(-1, 3)
    limb_axes = ends - starts
    near = _rings(starts, limb_axes, np.tile(_LIMB_R0 * size, n))
    far = _rings(ends, limb_axes, np.tile(_LIMB_R1 * size, n))
    limbs = np.concatenate([near, far], axis=1).reshape(n, len(_LIMBS), -1, 3)
    joints = lm[:, _JOINT_AT, None, :] + (_JOINT_R * size)[:, None, None] * _UNIT_SPHERE
    neck, head = body.joints["neck"][index], body.joints["head"][index]
    axis = head - neck
    facing = lm[:, LANDMARK_INDEX["nose"]] - head
    along = np.einsum("ij,ij->i", facing, axis) / np.einsum("ij,ij->i", axis, axis)
    facing -= axis * along[:, None]  # the face's forward, across the neck
    facing /= np.linalg.norm(facing, axis=1, keepdims=True)
    neck_rings = _rings(
        np.stack([neck, head], axis=1).reshape(-1, 3),
        np.repeat(axis, 2, axis=0),
        np.full(2 * n, _NECK_R * size),
    ).reshape(n, 1, -1, 3)
    head_ball = (head + _HEAD_FORWARD * h * facing)[:, None, :] + HEAD_RADIUS * h * _UNIT_SPHERE
    solids = np.concatenate([trunk, limbs, joints, neck_rings, head_ball[:, None]], axis=1)
    return solids[0] if one else solids


def render_masks(
    body: Skeleton,
    view: View,
    indices: np.ndarray,
    *,
    height_m: float = 1.75,
    proportions: Body | None = None,
) -> list[np.ndarray]:
    """``render_mask`` of several poses at once (the same masks, computed together)."""
    w, h = view.camera.resolution_wh
    drawn = _draw(body, view, indices, height_m, proportions)
    return [_unpack(d, (h, w)) for d in drawn]


# A silhouette kept small: the top-left corner (y, x) of the body's box and its 8-bit pixels.
_Packed = tuple[int, int, np.ndarray]


def _draw(
    body: Skeleton,
    view: View,
    indices: np.ndarray,
    height_m: float,
    proportions: Body | None,
) -> list[_Packed]:
    solids = body_solids(body, np.asarray(indices, int), height_m=height_m, proportions=proportions)
    cam = view.to_camera(solids)
    # a solid reaching behind the camera is left out
    in_front = (cam[..., 2] > 1e-3).all(axis=-1)
    fixed = np.round(view.project(cam) * 16).astype(np.int32)  # 4 fractional bits (shift=4)
    w, h = view.camera.resolution_wh
    out = []
    for parts, oks in zip(fixed, in_front, strict=True):
        canvas = np.zeros((h, w), np.uint8)
        for part in parts[oks]:
            cv2.fillConvexPoly(canvas, cv2.convexHull(part), 255, lineType=cv2.LINE_AA, shift=4)
        x, y, bw, bh = cv2.boundingRect(canvas)  # where anything was drawn
        out.append((y, x, canvas[y : y + bh, x : x + bw].copy()))
    return out


def _unpack(packed: _Packed, shape_hw: tuple[int, int]) -> np.ndarray:
    """The ``(H, W)`` float32 mask, 0..1 (0 outside the box)."""
    y, x, pixels = packed
    mask = np.zeros(shape_hw, np.float32)
    h, w = pixels.shape
    np.divide(pixels, _FULL, out=mask[y : y + h, x : x + w], dtype=np.float32)
    return mask


class SilhouetteCache:
    """Silhouettes drawn so far, by what they show: a pose of a body seen through one camera.
    Renders of other scripts that pass the same pose through the same view (the self-test
    cases of one exercise, framed alike) get it without drawing it again. Kept small (the
    body's box, 8 bits per pixel); ``masks`` returns fresh float32 arrays."""

    def __init__(self) -> None:
        self._drawn: dict[tuple, _Packed] = {}

    def __len__(self) -> int:
        return len(self._drawn)

    def masks(
        self,
        body: Skeleton,
        view: View,
        indices: np.ndarray,
        *,
        height_m: float = 1.75,
        proportions: Body | None = None,
    ) -> list[np.ndarray]:
        """``render_masks`` of ``indices``, drawing only the poses not drawn before."""
        seen = (view.position.tobytes(), view.axes.tobytes(), view.camera, proportions, height_m)
        joints = [body.joints[k] for k in sorted(body.joints)]
        keys = [
            (seen, body.landmarks[i].tobytes(), b"".join(j[i].tobytes() for j in joints))
            for i in (int(i) for i in indices)
        ]
        new: dict[tuple, int] = {}  # not drawn yet: key -> the first index showing it
        for i, key in zip(indices, keys, strict=True):
            if key not in self._drawn:
                new.setdefault(key, int(i))
        if new:
            drawn = _draw(body, view, np.array(list(new.values())), height_m, proportions)
            self._drawn.update(zip(new, drawn, strict=True))
        w, h = view.camera.resolution_wh
        return [_unpack(self._drawn[key], (h, w)) for key in keys]


def render_mask(
    body: Skeleton,
    view: View,
    index: int = 0,
    *,
    height_m: float = 1.75,
    proportions: Body | None = None,
) -> np.ndarray:
    """Silhouette of pose ``index`` of ``body`` seen through ``view``: ``(H, W)`` float32 in 0..1.

    ``view`` must be the one the landmarks were projected with (``camera.view(body.landmarks)``)
    so that mask and landmarks line up; ``height_m`` (metres) is the height ``body`` was built
    with and ``proportions`` the ``Body`` it was built with (default ``Body()``); when given, its
    ``height_m`` replaces the ``height_m`` argument.
    """
    return render_masks(body, view, np.array([index]), height_m=height_m, proportions=proportions)[
        0
    ]
