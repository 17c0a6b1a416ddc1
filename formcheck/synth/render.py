"""Render a script as the pose model would report it: one ``PoseFrame`` per video frame.

Frames are at ``t_s = i / fps`` for every ``t_s`` before the script's end. Image landmarks are
the pinhole projection of the mannequin (``formcheck.synth.camera``); image ``z`` is the depth
relative to the mid-hip depth in the pixel scale of ``x`` (``(depth - hip_depth) * focal_px /
hip_depth``, smaller = nearer); world landmarks are camera-frame positions (x right, y down,
z away, metres) minus the mid-hip, as MediaPipe's world landmarks are.

The mannequin's body: ``height_m`` (metres, default 1.75) scales every segment; ``body`` (a
``formcheck.synth.body.Body``: height and the scales ``arms``, ``legs``, ``trunk``,
``shoulders``, ``hips`` and ``girth``) sets its proportions for the landmarks and the mask alike,
and when given its ``height_m`` replaces the ``height_m`` argument everywhere below (noise,
far-side depth gap). Without ``body`` the proportions are the default ones (``Body()``).

Imperfections, all reproducible from ``seed``:

- ``noise``: Gaussian sigma as a fraction of the body height; in pixels it is
  ``noise * height_m * focal_px / hip_depth`` on x and y, in metres ``noise * height_m`` on
  world x, y and z. Image z is not noised.
- ``dropout``: probability per landmark per frame that it is lost: visibility and presence drop
  to 0.05 and its coordinates jump to a uniformly random place inside the body's bounding box
  (image and world alike).
- ``low_visibility``: landmark name -> visibility for the whole script.
- ``absent``: ``(start_s, end_s)`` intervals, half-open, in which no person is in view
  (``PoseFrame.empty``).
- Visibility and presence are ``visibility`` (0.98); the landmarks of a side whose shoulder and
  hip lie deeper than the other side's by more than 5 % of the height (the far side in a side or
  oblique view) get visibility ``far_side_visibility`` (0.9).
- ``occlusion``: the far side's limb points (elbow, wrist and hand, knee, ankle and foot) get
  visibility 0.2 wherever the near side's limbs, the trunk or the head cover them in the
  picture, nearer to the camera: the limb, with its own radius there, overlaps a nearer part
  (the silhouette's sizes; the trunk is the shoulders-hips quadrilateral widened by half its
  depth). The far shoulder and hip stay seen. The pose model does this from the side: on
  this project's real side-view clips (squat, superman, glute bridge) it gives the far elbow a
  visibility under 0.5 in 97-100 % of the frames, the far wrist in 88-100 %, the far knee in
  35-79 % and the far ankle in 0-48 %; the mannequin's clean cases of those exercises, with
  ``occlusion``, hide the far elbow in 42-100 %, the wrist in 35-100 %, the knee in 100 % and
  the ankle in 79-100 %: milder on the arms, harsher on the legs.

``with_mask=True`` also fills ``PoseFrame.mask`` with the mannequin's silhouette
(``formcheck.synth.silhouette``), drawn from the noise-free body with the same camera. Frames
of an unchanged pose (a hold) share one mask array: treat masks as read-only. Renders of the
same script through the same camera with the same body (noise and dropouts change only the
landmarks) can share their masks through ``mask_cache``, a dict from frame index to mask that
``render`` fills. Renders of other scripts through the same camera framing (the self-test cases
of one exercise) can share what was drawn through ``silhouettes``, a
``formcheck.synth.silhouette.SilhouetteCache``: a pose drawn once is not drawn again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from formcheck.pose.core import (
    LANDMARK_INDEX,
    LANDMARK_NAMES,
    NUM_LANDMARKS,
    PoseFrame,
    landmark_index,
)
from formcheck.synth.body import Body, Skeleton, skeleton
from formcheck.synth.camera import Camera
from formcheck.synth.script import Script
from formcheck.synth.silhouette import HEAD_RADIUS, LIMB_SIZES, SilhouetteCache, render_masks

__all__ = ["render"]

_LOST_VISIBILITY = 0.05
_FAR_SIDE_DEPTH = 0.05  # fraction of height_m


def _side_of(name: str) -> int:
    """+1 for a left landmark, -1 for a right one, 0 for the nose."""
    if name.startswith("left_") or name.endswith("_left"):
        return 1
    if name.startswith("right_") or name.endswith("_right"):
        return -1
    return 0


_SIDE = np.array([_side_of(name) for name in LANDMARK_NAMES])


_HIDDEN_VISIBILITY = 0.2  # a limb hidden behind the body: what the pose model gives it, roughly
# What a limb of the far side can hide behind: the near side's limbs (the silhouette's
# ``LIMB_SIZES``), the trunk (the shoulders-hips quadrilateral, widened by half the trunk's
# depth) and the head (the silhouette's ``HEAD_RADIUS`` about the ears' midpoint); and what can
# be hidden: the far side's limb points beyond the shoulder and the hip (the model sees a far
# shoulder and hip through the trunk), with the limb's own radius there (fractions of the
# height): a point is hidden when its limb overlaps what is nearer.
_TRUNK_HALF_DEPTH = 0.055
_HIDEABLE = {
    "elbow": 0.020, "wrist": 0.014, "pinky": 0.010, "index": 0.010, "thumb": 0.010,
    "knee": 0.032, "ankle": 0.020, "heel": 0.020, "foot_index": 0.015,
}  # fmt: skip
_HIDEABLE_RADIUS = np.array(list(_HIDEABLE.values()))
# The joints occlusion may hide, by name without the side: the far side's arm and leg.
HIDEABLE_JOINTS = tuple(_HIDEABLE)


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distance from points ``p`` (..., 2) to segments ``a``-``b`` (..., 2), and where along
    the segment the nearest point lies (0 at ``a``, 1 at ``b``)."""
    ab = b - a
    t = np.clip(((p - a) * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[..., None] * ab), axis=-1), t


def _hidden(
    xy: np.ndarray, cam: np.ndarray, far_left: np.ndarray, far_right: np.ndarray,
    px_per_height: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """(n, 33) bool: the far side's limb points that the near side's limbs, the trunk or the
    head cover in the picture, nearer to the camera than the point (``xy``: noise-free
    pixels; ``cam``: camera-frame positions, z the depth)."""
    hidden = np.zeros(xy.shape[:2], bool)
    ear_idx = [LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]]
    for far, far_side, near_side in ((far_left, "left", "right"), (far_right, "right", "left")):
        frames = np.flatnonzero(far)
        if frames.size == 0:
            continue
        fxy, fz = xy[frames], cam[frames][..., 2]  # (m, 33, 2), (m, 33)
        pts = np.array([LANDMARK_INDEX[f"{far_side}_{name}"] for name in _HIDEABLE])
        p, z = fxy[:, pts], fz[:, pts]  # (m, k, 2), (m, k)
        scale = px_per_height[frames][:, None]  # (m, 1)
        cover = np.zeros(p.shape[:2], bool)
        for a_name, b_name, r0, r1 in LIMB_SIZES:
            a, b = (LANDMARK_INDEX[f"{near_side}_{n}"] for n in (a_name, b_name))
            dist, t = _segment_distance(p, fxy[:, None, a], fxy[:, None, b])
            nearer = fz[:, None, a] + t * (fz[:, None, b] - fz[:, None, a]) < z
            cover |= (dist <= (r0 + t * (r1 - r0) + _HIDEABLE_RADIUS) * scale) & nearer
        corners = [(near_side, "shoulder"), (far_side, "shoulder"), (far_side, "hip"),
                   (near_side, "hip")]  # fmt: skip
        quad = fxy[:, [LANDMARK_INDEX[f"{s}_{j}"] for s, j in corners]]
        trunk_z = fz[:, [LANDMARK_INDEX[f"{s}_{j}"] for s in ("left", "right")
                         for j in ("shoulder", "hip")]].mean(1)[:, None]  # fmt: skip
        inside = _inside_quad(p, quad)
        for i in range(4):
            dist, _ = _segment_distance(p, quad[:, None, i], quad[:, None, (i + 1) % 4])
            inside |= dist <= (_TRUNK_HALF_DEPTH + _HIDEABLE_RADIUS) * scale
        cover |= inside & (trunk_z < z)
        head = np.linalg.norm(p - fxy[:, ear_idx].mean(1)[:, None], axis=-1)
        near_head = head <= (HEAD_RADIUS + _HIDEABLE_RADIUS) * scale
        cover |= near_head & (fz[:, ear_idx].mean(1)[:, None] < z)
        hidden[frames[:, None], pts[None, :]] = cover
    return hidden


def _inside_quad(p: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """(m, k) bool: points ``p`` (m, k, 2) inside the quadrilateral ``quad`` (m, 4, 2), by the
    crossing rule (any winding, self-crossing allowed)."""
    inside = np.zeros(p.shape[:2], bool)
    x, y = p[..., 0], p[..., 1]
    for i in range(4):
        a, b = quad[:, None, i], quad[:, None, (i + 1) % 4]
        ay, by = a[..., 1], b[..., 1]
        crosses = (ay > y) != (by > y)
        at_x = a[..., 0] + (y - ay) * (b[..., 0] - a[..., 0]) / np.where(by == ay, 1.0, by - ay)
        inside ^= crosses & (x < at_x)
    return inside


def render(
    script: Script,
    camera: Camera | None = None,
    fps: float = 30.0,
    noise: float = 0.0,
    dropout: float = 0.0,
    low_visibility: Mapping[str, float] | None = None,
    absent: Sequence[tuple[float, float]] = (),
    seed: int = 0,
    height_m: float = 1.75,
    visibility: float = 0.98,
    far_side_visibility: float = 0.9,
    with_mask: bool = False,
    mask_cache: dict[int, np.ndarray] | None = None,
    body: Body | None = None,
    silhouettes: SilhouetteCache | None = None,
    occlusion: bool = False,
) -> list[PoseFrame]:
    """Pose frames of ``script`` seen by ``camera`` (default ``Camera()``: a side view from the
    person's left) at ``fps`` frames per second; see the module docstring for the options."""
    camera = camera if camera is not None else Camera()
    if body is not None:
        height_m = body.height_m
    if not fps > 0:
        raise ValueError(f"fps: expected a positive frame rate, got {fps!r}")
    if not noise >= 0:
        raise ValueError(f"noise: expected >= 0, got {noise!r}")
    if not 0 <= dropout <= 1:
        raise ValueError(f"dropout: expected a probability in 0..1, got {dropout!r}")
    for interval in absent:
        if len(interval) != 2 or not interval[0] <= interval[1]:
            raise ValueError(
                f"absent: expected (start_s, end_s) with start <= end, got {interval!r}"
            )
    low = {landmark_index(name): float(v) for name, v in (low_visibility or {}).items()}

    n = max(1, math.ceil(script.duration_s * fps - 1e-9))
    times = np.arange(n) / fps
    skel = skeleton(script.sample(times), height_m, script.support, body=body)
    view = camera.view(skel.landmarks)
    cam = view.to_camera(skel.landmarks)  # (n, 33, 3)
    hip = view.to_camera(skel.joints["mid_hip"])  # (n, 3)
    hip_depth = hip[:, 2:3]
    focal = camera.focal_px

    xy = view.project(cam)
    z_px = (cam[..., 2] - hip_depth) * focal / hip_depth
    world = cam - hip[:, None, :]

    vis = np.full((n, NUM_LANDMARKS), float(visibility))
    presence = np.full((n, NUM_LANDMARKS), float(visibility))
    side_depth = {
        s: cam[:, [LANDMARK_INDEX[f"{name}_shoulder"], LANDMARK_INDEX[f"{name}_hip"]], 2].mean(1)
        for s, name in ((1, "left"), (-1, "right"))
    }
    gap = _FAR_SIDE_DEPTH * height_m
    far_left = side_depth[1] - side_depth[-1] > gap
    far_right = side_depth[-1] - side_depth[1] > gap
    vis[far_left[:, None] & (_SIDE == 1)] = far_side_visibility
    vis[far_right[:, None] & (_SIDE == -1)] = far_side_visibility
    if occlusion:
        hidden = _hidden(xy, cam, far_left, far_right, height_m * focal / hip_depth[:, 0])
        vis[hidden] = _HIDDEN_VISIBILITY
    for index, value in low.items():
        vis[:, index] = value

    noise_rng, drop_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    sigma_px = noise * height_m * focal / hip_depth  # (n, 1)
    clean_xy, clean_world = xy, world
    xy = xy + noise_rng.standard_normal(xy.shape) * sigma_px[..., None]
    world = world + noise_rng.standard_normal(world.shape) * noise * height_m

    lost = drop_rng.random((n, NUM_LANDMARKS)) < dropout
    spots = drop_rng.random((n, NUM_LANDMARKS, 6))

    def scatter(values: np.ndarray, clean: np.ndarray, u: np.ndarray) -> np.ndarray:
        lo, hi = clean.min(axis=1, keepdims=True), clean.max(axis=1, keepdims=True)
        return np.where(lost[..., None], lo + u * (hi - lo), values)

    xy = scatter(xy, clean_xy, spots[..., :2])
    z_px = scatter(z_px[..., None], z_px[..., None], spots[..., 2:3])[..., 0]
    world = scatter(world, clean_world, spots[..., 3:])
    vis[lost] = _LOST_VISIBILITY
    presence[lost] = _LOST_VISIBILITY

    image = np.concatenate([xy, z_px[..., None], vis[..., None], presence[..., None]], axis=-1)
    away = np.array([any(a <= float(t) < b for a, b in absent) for t in times], bool)
    masks = _masks(skel, view, away, height_m, body, mask_cache, silhouettes) if with_mask else {}
    frames = []
    for i, t in enumerate(times):
        t_s = float(t)
        if away[i]:
            frames.append(PoseFrame.empty(t_s, camera.resolution_wh, index=i))
        else:
            frames.append(
                PoseFrame(t_s, camera.resolution_wh, image[i], world[i], mask=masks.get(i), index=i)
            )
    return frames


_MASK_BATCH = 64  # poses whose solids are computed together


def _masks(
    skel: Skeleton,
    view,  # noqa: ANN001 - formcheck.synth.camera.View
    away: np.ndarray,
    height_m: float,
    body: Body | None,
    cache: dict[int, np.ndarray] | None,
    silhouettes: SilhouetteCache | None,
) -> dict[int, np.ndarray]:
    """The silhouette of every frame in view, read-only. A frame whose pose is the one of the
    frame before (a hold) shares its mask; masks in ``cache`` are reused, new ones added; the
    ones not there are taken from ``silhouettes`` (drawn only if new there too)."""
    cache = {} if cache is None else cache
    source: dict[int, int] = {}  # frame -> the frame whose mask it shows
    drawn = -1
    for i in np.flatnonzero(~away):
        i = int(i)
        if drawn >= 0 and _same_pose(skel, drawn, i):
            source[i] = drawn
        else:
            source[i] = drawn = i
    todo = sorted({j for j in source.values() if j not in cache})
    for k in range(0, len(todo), _MASK_BATCH):
        batch = np.array(todo[k : k + _MASK_BATCH])
        if silhouettes is not None:
            new = silhouettes.masks(skel, view, batch, height_m=height_m, proportions=body)
        else:
            new = render_masks(skel, view, batch, height_m=height_m, proportions=body)
        for j, mask in zip(batch, new, strict=True):
            mask.flags.writeable = False
            cache[j] = mask
    return {i: cache[j] for i, j in source.items()}


def _same_pose(skel: Skeleton, i: int, j: int) -> bool:
    """Poses ``i`` and ``j`` are identical (a hold): the silhouette drawn for one serves both."""
    return np.array_equal(skel.landmarks[i], skel.landmarks[j]) and all(
        np.array_equal(joint[i], joint[j]) for joint in skel.joints.values()
    )
