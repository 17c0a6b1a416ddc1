"""How rounded the back is, measured on the person's outline (segmentation mask).

Landmarks cannot see a rounded back: the shoulder-hip line stays straight whatever the spine
does between its ends. The outline can. ``spine_curvature(mask, image)`` follows the back's
outline between the shoulders and the hips and says how far it bows away from a straight line,
as a fraction of the torso length::

    value = spine_curvature(frame.mask, frame.image)   # NaN when it cannot be measured
    smooth = CurvatureSmoother().update(frame.t_s, value)

Method (all in image pixels):

1. The chord runs from the hip midpoint ``H`` to the shoulder midpoint ``S`` (a side's single
   landmark stands in when only that side is seen well enough).
2. The back must be seen from the side: when the shoulders and the hips look wider than 45 %
   of the torso length (both sides seen; roughly 40 deg or more away from a side view,
   depending on the posture) the outline is the trunk's flank, not the spine's profile, and the
   result is NaN. Up to about 25 deg off the side the values hold; beyond that they sink (a
   rounded back is missed, never invented) and 50 deg off they are noise.
3. The back side is the side of the chord *opposite the limbs*: elbows, wrists, knees and ankles
   (and, weakly, the nose) vote with their signed distance from the chord line, each clipped to
   one torso length. On all fours, bent over, in a seated forward fold or a deadlift, arms and
   legs hang or reach on the belly side, so the back is the other side. When the vote is too
   weak to trust (upright standing, arms at the sides) the result is NaN rather than a guess.
4. At ``stations`` points between 15 % and 85 % of the chord a ray is cast perpendicular to the
   chord towards the back; the back outline is where the ray leaves the body (mask >= 0.5) for
   the first time, with sub-pixel interpolation. Gaps in the mask shorter than 4 % of the torso
   along a ray are bridged, so a hole in the mask (dark clothing) is not taken for the back.
5. An arm raised past the chord to the back side (a row's or reverse fly's elbow above the
   back) makes its own outline: stations whose outline point lies within 15 % of the torso of
   that arm are dropped. At least 60 % of the stations, spanning at least half the chord, must
   remain, or the result is NaN.
6. The outline's distances from the chord are compared with the straight line joining the
   outline points of the first and last remaining stations (so the body's thickness cancels).
   The residuals are smoothed by a 3-station median; the value is the residual of largest
   magnitude, divided by the chord length. Positive = rounded (the back bows outward, away from
   the belly: cat, a flexed spine); negative = arched (the back sags inward: cow, an extended
   spine). A back with both (a lumbar sag under a thoracic hump) reports the larger.

Typical values: the mannequin's straight back about -0.01, spine_flex 40 deg about +0.03; on
real footage a cow about -0.13, a cat about +0.06, a deep seated forward fold +0.07 to +0.13.

Numpy and OpenCV only; no model needed.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

import cv2
import numpy as np

from formcheck.pose.core import LANDMARK_INDEX

__all__ = ["CurvatureSmoother", "back_normal", "back_outline", "spine_curvature"]

NAN = float("nan")

_SHOULDERS = (LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"])
_HIPS = (LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"])
_LIMBS = np.array(
    [
        LANDMARK_INDEX[f"{side}_{part}"]
        for side in ("left", "right")
        for part in ("elbow", "wrist", "knee", "ankle")
    ]
)
_ARMS = tuple(
    tuple(LANDMARK_INDEX[f"{side}_{part}"] for part in ("shoulder", "elbow", "wrist"))
    for side in ("left", "right")
)
_NOSE = LANDMARK_INDEX["nose"]
_NOSE_WEIGHT = 0.5  # the face is in front, but a raised head (cow) puts the nose up: weak vote
_MIN_VOTE = 0.15  # summed limb offsets, in torso lengths, needed to decide the back side
_MIN_CHORD_PX = 16.0
_REACH = 0.75  # how far from the chord the back outline is searched, in torso lengths
_GAP = 0.04  # mask gaps shorter than this (torso lengths) along a ray are bridged
_MIN_FOUND = 0.6  # share of stations whose outline must be found
_MIN_SPAN = 0.5  # chord fraction the found stations must span
_ARM_CLEARANCE = 0.25  # outline points nearer an arm crossing the back (torso lengths) are dropped
# Widest the shoulders and hips may look (mean of the two widths over the torso length) for the
# back to count as seen from the side. Mannequin: side view 0.13-0.21 (perspective), 20 deg off
# 0.16-0.39, 35 deg off 0.31-0.54, 50 deg off 0.55-0.70, front 0.7-0.9; real side and oblique
# clips 0.06-0.31. Up to 0.33 the mannequin's straight and rounded (30 deg) backs read as from
# the side (<= -0.009, >= +0.019); from 0.38 on the values sink (straight -0.03 to -0.1) and
# from 0.55 they are noise (a straight back bent over, 50 deg off: +0.064).
_MAX_WIDTH = 0.45


def _mid_point(
    xy: np.ndarray, vis: np.ndarray, pair: tuple[int, int], min_vis: float
) -> np.ndarray | None:
    """Midpoint of a left/right pair, or the one seen well enough, or None."""
    a, b = pair
    if vis[a] >= min_vis and vis[b] >= min_vis:
        return (xy[a] + xy[b]) / 2.0
    best = a if vis[a] >= vis[b] else b
    return xy[best] if vis[best] >= min_vis else None


def back_normal(
    image_landmarks: np.ndarray, *, min_visibility: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The chord and the back side: ``(hip_xy, shoulder_xy, normal)`` with ``normal`` the unit
    image vector perpendicular to the chord pointing to the back, or None when the chord's ends
    are unseen or the back side cannot be decided (see the module docstring, step 3)."""
    lm = np.asarray(image_landmarks, float)
    if lm.shape != (33, 5):
        raise ValueError(f"image_landmarks: expected shape (33, 5), got {lm.shape}")
    xy, vis = lm[:, :2], np.minimum(lm[:, 3], lm[:, 4])
    hip = _mid_point(xy, vis, _HIPS, min_visibility)
    shoulder = _mid_point(xy, vis, _SHOULDERS, min_visibility)
    if hip is None or shoulder is None or not np.all(np.isfinite([*hip, *shoulder])):
        return None
    chord = shoulder - hip
    length = float(np.hypot(*chord))
    if length < 1e-6:
        return None
    u = chord / length
    n = np.array([-u[1], u[0]])
    seen = (vis[_LIMBS] >= min_visibility) & np.all(np.isfinite(xy[_LIMBS]), axis=1)
    offsets = np.clip((xy[_LIMBS[seen]] - hip) @ n / length, -1.0, 1.0)
    vote = float(offsets.sum())
    if vis[_NOSE] >= min_visibility and np.all(np.isfinite(xy[_NOSE])):
        vote += _NOSE_WEIGHT * float(np.clip((xy[_NOSE] - hip) @ n / length, -1.0, 1.0))
    if not abs(vote) >= _MIN_VOTE:
        return None
    return hip, shoulder, (-n if vote > 0 else n)


def back_outline(
    mask: np.ndarray,
    hip_xy: np.ndarray,
    shoulder_xy: np.ndarray,
    normal: np.ndarray,
    *,
    stations: int = 20,
    span: tuple[float, float] = (0.15, 0.85),
    step_px: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances (px) of the back outline from the chord at ``stations`` fractions of it.

    Returns ``(t, d)``: chord fractions and distances along ``normal``; ``d`` is NaN where the
    ray does not leave the body within reach. ``mask`` is float in 0..1, thresholded at 0.5.
    """
    chord = shoulder_xy - hip_xy
    length = float(np.hypot(*chord))
    t = np.linspace(span[0], span[1], stations)
    r = np.arange(0.0, _REACH * length, step_px)
    base = hip_xy[None, :] + t[:, None] * chord[None, :]  # (S, 2)
    pts = base[:, None, :] + r[None, :, None] * normal[None, None, :]  # (S, K, 2)
    values = cv2.remap(
        np.ascontiguousarray(mask, dtype=np.float32),
        pts[..., 0].astype(np.float32),
        pts[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )
    inside = (values >= 0.5).astype(np.uint8)
    gap = max(1, int(round(_GAP * length / step_px)))
    kernel = np.ones((1, 2 * gap + 1), np.uint8)
    closed = cv2.erode(cv2.dilate(inside, kernel), kernel).astype(bool) | inside.astype(bool)
    k = np.arange(len(r))[None, :]
    has_in = closed.any(axis=1)
    first_in = np.argmax(closed, axis=1)
    leaving = ~closed & (k > first_in[:, None])
    has_out = leaving.any(axis=1)
    first_out = np.argmax(leaving, axis=1)
    found = has_in & has_out
    rows = np.arange(stations)
    last_in = np.maximum(first_out - 1, 0)
    v_in, v_out = values[rows, last_in], values[rows, first_out]
    # sub-pixel: where the interpolated mask crosses 0.5 between the two samples
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip((v_in - 0.5) / (v_in - v_out), 0.0, 1.0)
    frac = np.where(v_in > v_out, frac, 1.0)  # a bridged gap: no crossing to interpolate
    d = (last_in + frac) * step_px
    return t, np.where(found, d, np.nan)


def spine_curvature(
    mask: np.ndarray | None,
    image_landmarks: np.ndarray | None,
    *,
    min_visibility: float = 0.5,
    resolution_wh: tuple[int, int] | None = None,
    stations: int = 20,
) -> float:
    """Signed bow of the back's outline as a fraction of the torso length (hip to shoulder).

    ``mask``: ``(H, W)`` person segmentation in 0..1 (a ``PoseFrame.mask``); ``image_landmarks``:
    ``(33, 5)`` x_px, y_px, z, visibility, presence (a ``PoseFrame.image``) in the same pixel grid
    as the mask, or in a ``resolution_wh`` grid that is rescaled to the mask's.
    ``+`` = rounded (bowing outward), ``-`` = arched (sagging inward), 0 = a straight back.
    NaN when there is no mask or no person, the hips or shoulders are unseen, the back is not
    seen from the side, the back side cannot be decided, the torso is shorter than 16 px, or the
    outline is not found.
    """
    if mask is None or image_landmarks is None:
        return NAN
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask: expected an (H, W) array, got shape {mask.shape}")
    lm = np.array(image_landmarks, float)
    if resolution_wh is not None:
        h, w = mask.shape
        lm[:, 0] *= w / resolution_wh[0]
        lm[:, 1] *= h / resolution_wh[1]
    chord = back_normal(lm, min_visibility=min_visibility)
    if chord is None:
        return NAN
    hip, shoulder, normal = chord
    length = float(np.hypot(*(shoulder - hip)))
    if length < _MIN_CHORD_PX or _width_ratio(lm, length, min_visibility) > _MAX_WIDTH:
        return NAN
    t, d = back_outline(mask, hip, shoulder, normal, stations=stations)
    outline = hip + t[:, None] * (shoulder - hip) + np.nan_to_num(d)[:, None] * normal
    near_arm = _near_raised_arm(outline, lm, hip, normal, length, 0.0)
    found = np.isfinite(d) & ~near_arm
    if not found.mean() >= _MIN_FOUND:
        return NAN
    t, d = t[found], d[found]
    if t[-1] - t[0] < _MIN_SPAN:
        return NAN
    baseline = d[0] + (t - t[0]) / (t[-1] - t[0]) * (d[-1] - d[0])
    resid = d - baseline
    if len(resid) >= 3:
        stacked = np.stack([resid[:-2], resid[1:-1], resid[2:]])
        resid = np.concatenate([resid[:1], np.median(stacked, axis=0), resid[-1:]])
    return float(resid[np.argmax(np.abs(resid))] / length)


def _width_ratio(lm: np.ndarray, length: float, min_vis: float) -> float:
    """Mean image width of the shoulders and the hips over the torso length (0 when neither
    pair is seen on both sides: one side hidden behind the other is a side view)."""
    vis = np.minimum(lm[:, 3], lm[:, 4])
    widths = [
        float(np.hypot(*(lm[a, :2] - lm[b, :2])))
        for a, b in (_SHOULDERS, _HIPS)
        if vis[a] >= min_vis and vis[b] >= min_vis
    ]
    return float(np.mean(widths)) / length if widths else 0.0


def _near_raised_arm(
    points: np.ndarray,
    lm: np.ndarray,
    hip: np.ndarray,
    normal: np.ndarray,
    length: float,
    min_vis: float,
) -> np.ndarray:
    """``(S,)`` True where an outline point lies near an arm that is raised past the chord to
    the back side (a row's or a reverse fly's elbow poking above the back): there the outline is
    the arm's, not the back's."""
    xy, vis = lm[:, :2], np.minimum(lm[:, 3], lm[:, 4])
    near = np.zeros(len(points), bool)
    for shoulder, elbow, wrist in _ARMS:
        seen = [i for i in (elbow, wrist) if vis[i] >= min_vis]
        if not any((xy[i] - hip) @ normal > 0 for i in seen):
            continue
        chain = [i for i in (shoulder, elbow, wrist) if vis[i] >= min_vis]
        for a, b in zip(chain[:-1], chain[1:], strict=False):
            near |= _distance_to_segment(points, xy[a], xy[b]) < _ARM_CLEARANCE * length
        if len(chain) == 1:
            near |= np.hypot(*(points - xy[chain[0]]).T) < _ARM_CLEARANCE * length
    return near


def _distance_to_segment(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    u = np.clip((points - a) @ ab / max(float(ab @ ab), 1e-12), 0.0, 1.0)
    return np.hypot(*(points - (a + u[:, None] * ab)).T)


class CurvatureSmoother:
    """Median of the finite values among the last ``window`` frames, one value per frame.

    ``update(t_s, value)`` returns the smoothed value, or NaN unless more than half of the
    frames in the window were measured: a lone value among unmeasurable frames (the outline
    caught half-way behind an arm) is not trusted, a lone NaN among values is skipped. Frames
    older than ``max_age_s`` before the newest one leave the window, so a value does not linger
    across a long gap.
    """

    def __init__(self, window: int = 5, max_age_s: float = 1.0) -> None:
        if window < 1:
            raise ValueError(f"window: expected >= 1, got {window!r}")
        if not max_age_s > 0:
            raise ValueError(f"max_age_s: expected > 0, got {max_age_s!r}")
        self.window = window
        self.max_age_s = max_age_s
        self._recent: deque[tuple[float, float]] = deque(maxlen=window)

    def update(self, t_s: float, value: float) -> float:
        self._recent.append((float(t_s), float(value)))
        window = [v for t, v in self._recent if t_s - t <= self.max_age_s]
        live = [v for v in window if math.isfinite(v)]
        return statistics.median(live) if 2 * len(live) > len(window) else NAN

    def reset(self) -> None:
        self._recent.clear()
