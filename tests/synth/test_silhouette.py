"""The mannequin's silhouette: lines up with the landmarks, bows with spine_flex, opt-in."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose.core import LANDMARK_INDEX
from formcheck.synth import PRESETS, Camera, Script, Step, pose_vector, render, skeleton
from formcheck.synth.body import Body
from formcheck.synth.silhouette import render_mask, trunk_curve

BODY_POINTS = [
    f"{side}_{part}"
    for side in ("left", "right")
    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
] + ["nose", "left_ear", "right_ear", "left_eye", "right_eye"]


def hold(pose: dict, hold_s: float = 1.0) -> Script:
    return Script({"p": pose}, [Step("p", move_s=0.0, hold_s=hold_s)])


def mask_at(frame, name: str) -> float:
    x, y = frame.image[LANDMARK_INDEX[name], :2]
    return float(frame.mask[int(round(y)), int(round(x))])


def test_masks_are_opt_in_and_change_nothing_else() -> None:
    script = hold({"base": "all_fours", "spine_flex": 20}, hold_s=0.2)
    plain = render(script, fps=10, noise=0.01, seed=2)
    masked = render(script, fps=10, noise=0.01, seed=2, with_mask=True)
    assert all(f.mask is None for f in plain)
    assert all(a.same_as(b) for a, b in zip(plain, masked, strict=True))
    w, h = masked[0].resolution_wh
    for f in masked:
        assert f.mask.shape == (h, w) and f.mask.dtype == np.float32
        assert 0.0 <= f.mask.min() and f.mask.max() <= 1.0


def test_held_frames_and_cached_renders_share_exact_masks() -> None:
    script = Script(
        {"a": {"base": "all_fours"}, "b": {"base": "all_fours", "spine_flex": 30}},
        [Step("a", move_s=0.0, hold_s=0.3), Step("b", move_s=0.3, hold_s=0.3)],
        start="a",
    )
    fresh = render(script, fps=10, with_mask=True)
    held = [f.mask for f in fresh[:3]]
    assert held[0] is held[1] is held[2] and not held[0].flags.writeable  # one array, read-only
    moving = [f.mask for f in fresh[3:6]]
    assert all(not np.array_equal(a, b) for a, b in zip(moving[:-1], moving[1:], strict=True))
    cache: dict = {}
    first = render(script, fps=10, with_mask=True, mask_cache=cache)
    noisy = render(script, fps=10, noise=0.01, with_mask=True, mask_cache=cache)
    assert cache and all(a.mask is b.mask for a, b in zip(first, noisy, strict=True))
    assert all(np.array_equal(a.mask, b.mask) for a, b in zip(fresh, noisy, strict=True))
    assert not np.array_equal(first[4].image, noisy[4].image)  # the landmarks still differ


def test_absent_frames_have_no_mask() -> None:
    frames = render(hold({"base": "standing"}), fps=4, absent=[(0.5, 1.0)], with_mask=True)
    assert [f.mask is None for f in frames] == [False, False, True, True]


@pytest.mark.parametrize(
    "pose, camera",
    [
        ({"base": "standing", "shoulder_flex": 30, "elbow_flex": 40}, Camera(azimuth_deg=0)),
        ({"base": "standing"}, Camera(azimuth_deg=90)),
        ({"base": "all_fours", "spine_flex": 30}, Camera(azimuth_deg=70)),
        ({"base": "all_fours", "spine_flex": -30}, Camera(azimuth_deg=-110, roll_deg=25)),
        ({"base": "seated", "trunk_pitch": 40, "spine_flex": 20}, Camera(elevation_deg=30)),
        ({"base": "supine", "knee_flex": 90, "hip_flex": 45}, Camera(azimuth_deg=135)),
    ],
)
def test_landmarks_lie_inside_the_silhouette(pose, camera) -> None:
    frame = render(hold(pose), camera, fps=1, with_mask=True)[0]
    outside = [name for name in BODY_POINTS if mask_at(frame, name) < 0.5]
    assert not outside
    covered = float((frame.mask >= 0.5).mean())
    assert 0.03 < covered < 0.6  # a body, not a dot or the whole picture


def test_edges_are_soft_like_a_model_mask() -> None:
    frame = render(hold({"base": "standing"}), fps=1, with_mask=True)[0]
    edge = (frame.mask > 0.05) & (frame.mask < 0.95)
    assert edge.sum() > 100


def test_trunk_bends_smoothly_by_spine_flex() -> None:
    body = skeleton(pose_vector([{"trunk_pitch": 80, "spine_flex": 40}]))
    hip, mid, neck = (body.joints[k][0] for k in ("mid_hip", "mid_spine", "neck"))
    centre, _, _ = trunk_curve(body, 0, np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(centre, [hip, (hip + 2 * mid + neck) / 4, neck], atol=1e-9)
    s = np.linspace(0.0, 1.0, 41)
    c, left, forward = trunk_curve(body, 0, s)
    up = np.gradient(c, s, axis=0)
    up /= np.linalg.norm(up, axis=1, keepdims=True)
    np.testing.assert_allclose(np.sum(left * up, axis=1), 0.0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(forward, axis=1), 1.0, atol=1e-9)
    turn = np.degrees(np.arccos(np.clip(np.sum(up[1:] * up[:-1], axis=1), -1, 1)))
    assert turn.max() < 1.5  # evenly, no kink at mid-spine
    assert turn.sum() == pytest.approx(40.0, abs=1.5)  # in all, as much as the two segments


def test_spine_flex_lifts_the_middle_of_the_back() -> None:
    """Side view on all fours, one camera: rounding lifts the back above mid-spine."""
    poses = [
        {"spine_flex": flex, "hip_flex": 72.4 - flex / 2, "shoulder_flex": 72.4 + flex / 2}
        for flex in (0.0, 40.0)
    ]
    body = skeleton(np.stack([pose_vector([PRESETS["all_fours"], p]) for p in poses]))
    view = Camera(azimuth_deg=90).view(body.landmarks)
    straight, rounded = (render_mask(body, view, i) for i in (0, 1))
    spine_x = view.project(view.to_camera(body.joints["mid_spine"]))[:, 0]
    column = int(round(spine_x.mean()))
    top = [int(np.argmax(m[:, column] >= 0.5)) for m in (straight, rounded)]  # first body row
    assert top[1] < top[0] - 5


BODY_POSES = [
    ({"base": "standing", "shoulder_flex": 30, "elbow_flex": 40}, Camera(azimuth_deg=0)),
    ({"base": "all_fours", "spine_flex": 30}, Camera(azimuth_deg=70)),
    ({"base": "supine", "knee_flex": 90, "hip_flex": 45}, Camera(azimuth_deg=135)),
]


def area(frame) -> float:
    return float((frame.mask >= 0.5).sum())


@pytest.mark.parametrize("pose, camera", BODY_POSES)
def test_default_proportions_draw_the_default_mask(pose, camera) -> None:
    for height_m in (1.75, 1.6):
        body = skeleton(Script({}, [Step(pose, move_s=0.0)]).pose_vector(pose)[None], height_m)
        view = camera.view(body.landmarks)
        old = render_mask(body, view, height_m=height_m)
        new = render_mask(body, view, height_m=2.0, proportions=Body(height_m=height_m))
        np.testing.assert_array_equal(new, old)  # and the Body's height wins


@pytest.mark.parametrize("pose, camera", BODY_POSES)
def test_girth_thickens_the_silhouette_not_the_landmarks(pose, camera) -> None:
    slim, heavy = (
        render(hold(pose), camera, fps=1, with_mask=True, body=Body(girth=g))[0] for g in (0.8, 1.3)
    )
    assert heavy.same_as(slim)
    assert area(heavy) > 1.2 * area(slim)
    for frame in (slim, heavy):
        assert not [name for name in BODY_POINTS if mask_at(frame, name) < 0.5]


@pytest.mark.parametrize(
    "shape",
    [
        Body(shoulders=1.6, hips=0.6),
        Body(shoulders=0.6, hips=1.6),
        Body(height_m=1.2, arms=1.4, legs=0.7, trunk=1.3, girth=0.6),
        Body(height_m=2.2, arms=0.7, legs=1.4, trunk=0.7, girth=1.6),
    ],
)
def test_other_bodies_stay_one_piece_around_their_landmarks(shape: Body) -> None:
    """Front view: the shoulder and hip lines run inside the body, wide or narrow."""
    frame = render(hold({"base": "standing"}), Camera(azimuth_deg=0), fps=1, with_mask=True,
                   body=shape)[0]  # fmt: skip
    assert not [name for name in BODY_POINTS if mask_at(frame, name) < 0.5]
    for part in ("shoulder", "hip"):
        a, b = (frame.image[LANDMARK_INDEX[f"{side}_{part}"], :2] for side in ("left", "right"))
        line = np.round(a + np.linspace(0.0, 1.0, 100)[:, None] * (b - a)).astype(int)
        assert frame.mask[line[:, 1], line[:, 0]].min() >= 0.5, part
