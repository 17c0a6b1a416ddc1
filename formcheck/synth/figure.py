"""The mannequin as a picture a pose model recognises: its silhouette, filled in.

The self-test's silhouette (``formcheck.synth.silhouette``) is a flat shape: a pose model finds
no person in it. ``render_figure`` draws the same solids, so the same outline, as a clothed
figure in a plain room: skin, a shirt, trousers and shoes, each solid shaded by its distance
(the far side darker, so left and right can be told apart), nearer solids over farther ones,
and a face (eyes, nose, mouth) on the side of the head that faces the camera::

    body = skeleton(params)
    view = Camera(azimuth_deg=90).view(body.landmarks)
    image_bgr = render_figure(body, view, index=0)      # (H, W, 3) uint8
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

from formcheck.pose.core import LANDMARK_INDEX
from formcheck.synth.body import Body, Skeleton, skeleton
from formcheck.synth.camera import Camera, View
from formcheck.synth.script import Script
from formcheck.synth.silhouette import SOLID_PARTS, body_solids

__all__ = ["WALL_BGR", "render_figure", "render_figures"]

WALL_BGR = (186, 192, 196)
FLOOR_BGR = (120, 132, 142)
_SKIN = (120, 155, 205)
_SHIRT = (150, 80, 40)
_TROUSERS = (120, 95, 75)
_SHOES = (35, 35, 35)
_EYE = (40, 30, 25)
_DEPTH_SHADE = 4.0  # brightness lost per body height of depth behind the hips
_INNER = 0.55  # the lit middle of a solid: this share of its width ...
_HIGHLIGHT = 1.2  # ... this much brighter
_MOUTH = (70, 80, 150)


def _colour(part: str) -> tuple[int, int, int]:
    if part in ("head", "neck") or "wrist-index" in part or part.endswith("_wrist"):
        return _SKIN
    if "heel" in part or part.endswith("_ankle"):
        return _SHOES
    if any(k in part for k in ("hip", "knee")):
        return _TROUSERS
    return _SHIRT  # trunk, upper arms, forearms, shoulders, elbows


_COLOURS = np.array([_colour(p) for p in SOLID_PARTS], float)


def render_figure(
    body: Skeleton,
    view: View,
    index: int = 0,
    *,
    height_m: float = 1.75,
    proportions: Body | None = None,
) -> np.ndarray:
    """Pose ``index`` of ``body`` as a ``(H, W, 3)`` BGR picture (see the module docstring);
    arguments as for ``formcheck.synth.silhouette.render_mask``, whose outline it fills."""
    h = float(proportions.height_m if proportions is not None else height_m)
    solids = body_solids(body, index, height_m=height_m, proportions=proportions)
    image = _room(view)
    cam = view.to_camera(solids)
    depth = cam[..., 2].mean(axis=1)
    hip_depth = float(view.to_camera(body.joints["mid_hip"][index])[2])
    # nearer than the hips: brighter; the far side, a hip's width back: clearly darker
    shade = np.clip(1.0 - _DEPTH_SHADE * (depth - hip_depth) / h, 0.4, 1.3)
    # each solid again, narrowed towards its axis and lighter: a round limb, not a flat one
    rings = solids.reshape(len(solids), 2, -1, 3)
    axis = rings.mean(axis=2, keepdims=True)
    inner = (axis + _INNER * (rings - axis)).reshape(solids.shape)
    inner_xy = view.project(view.to_camera(inner))
    xy = view.project(cam)
    for k in np.argsort(-depth, kind="stable"):  # far to near
        if not (cam[k, :, 2] > 1e-3).all():
            continue
        colour = _COLOURS[k] * shade[k]
        for points, tint in ((xy[k], 1.0), (inner_xy[k], _HIGHLIGHT)):
            hull = cv2.convexHull(np.round(points * 16).astype(np.int32))
            bgr = tuple(float(c) for c in np.clip(colour * tint, 0, 255))
            cv2.fillConvexPoly(image, hull, bgr, lineType=cv2.LINE_AA, shift=4)
            if tint == 1.0 and SOLID_PARTS[k] != "trunk":  # the trunk's slices are one surface
                edge = tuple(0.6 * c for c in bgr)  # where a limb crosses the body
                cv2.polylines(image, [hull], True, edge, 1, lineType=cv2.LINE_AA, shift=4)
    _face(image, body, view, index, h)
    return image


def _room(view: View) -> np.ndarray:
    """A plain wall, and the floor below where the person stands (its height seen at the
    middle of the body)."""
    w, h = view.camera.resolution_wh
    image = np.empty((h, w, 3), np.uint8)
    image[:] = WALL_BGR
    floor_y = view.project(view.to_camera(np.zeros((1, 3))))[0, 1]
    if 0 < floor_y < h:
        image[int(floor_y) :] = FLOOR_BGR
    return image


def _face(image: np.ndarray, body: Skeleton, view: View, index: int, h: float) -> None:
    """Eyes, nose and mouth where they face the camera (nearer than the head's centre)."""
    head = view.to_camera(body.joints["head"][index])
    lm = view.to_camera(body.landmarks[index])
    focal = view.camera.focal_px

    def dot(name: str, radius_m: float, colour: tuple[int, int, int]) -> None:
        p = lm[LANDMARK_INDEX[name]]
        if p[2] < head[2] and p[2] > 1e-3:
            x, y = view.project(p[None])[0]
            r = max(1, round(radius_m * focal / p[2]))
            cv2.circle(image, (round(x), round(y)), r, colour, -1, lineType=cv2.LINE_AA)

    for eye in ("left_eye", "right_eye"):
        dot(eye, 0.006 * h, _EYE)
    dot("nose", 0.004 * h, tuple(int(0.8 * c) for c in _SKIN))
    for corner in ("mouth_left", "mouth_right"):
        dot(corner, 0.004 * h, _MOUTH)


def render_figures(
    script: Script,
    camera: Camera | None = None,
    fps: float = 30.0,
    *,
    body: Body | None = None,
    height_m: float = 1.75,
    absent: Sequence[tuple[float, float]] = (),
) -> Iterator[np.ndarray]:
    """The pictures of ``script`` frame by frame, at the times and through the view
    ``formcheck.synth.render.render`` uses for the same arguments (an empty room while the
    person is ``absent``)."""
    camera = camera if camera is not None else Camera()
    if body is not None:
        height_m = body.height_m
    n = max(1, math.ceil(script.duration_s * fps - 1e-9))
    times = np.arange(n) / fps
    skel = skeleton(script.sample(times), height_m, script.support, body=body)
    view = camera.view(skel.landmarks)
    for i, t in enumerate(times):
        if any(a <= t < b for a, b in absent):
            yield _room(view)
        else:
            yield render_figure(skel, view, i, height_m=height_m, proportions=body)
