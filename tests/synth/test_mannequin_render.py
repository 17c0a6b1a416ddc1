"""Rendering: determinism, noise, dropout, absence, visibility, framing, arm circles."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose.core import LANDMARK_INDEX, LANDMARK_NAMES, PoseFrame
from formcheck.synth import Camera, Script, Step, render
from formcheck.synth.body import Body

H = 1.75


def bird_dog() -> Script:
    return Script(
        {"reach": {"base": "all_fours", "shoulder_flex_right": 162.4, "wrist_flex_right": 0,
                   "hip_flex_left": -17.6, "knee_flex_left": 0}},
        [Step("reach", move_s=1.0, hold_s=1.0, tag="rep:left"), Step("all_fours", move_s=1.0)],
        start="all_fours",
    )  # fmt: skip


def stack(frames: list[PoseFrame], part: str = "image") -> np.ndarray:
    return np.stack([getattr(f, part) for f in frames])


def test_noise_free_rendering_is_deterministic() -> None:
    a, b = render(bird_dog(), seed=0), render(bird_dog(), seed=7)
    assert all(x.same_as(y) for x, y in zip(a, b, strict=True))


def test_noise_has_the_requested_sigma() -> None:
    camera = Camera(azimuth_deg=30)
    clean = render(bird_dog(), camera)
    noisy = render(bird_dog(), camera, noise=0.01, seed=3)
    height_px = H * camera.focal_px / _hip_depth(clean, camera)
    d_px = (stack(noisy)[..., :2] - stack(clean)[..., :2]) / height_px[:, None, None]
    assert d_px.std() == pytest.approx(0.01, rel=0.05)
    assert abs(d_px.mean()) < 0.001
    d_world = stack(noisy, "world") - stack(clean, "world")
    assert d_world.std() == pytest.approx(0.01 * H, rel=0.05)
    np.testing.assert_array_equal(stack(noisy)[..., 2:], stack(clean)[..., 2:])
    again = render(bird_dog(), camera, noise=0.01, seed=3)
    assert all(x.same_as(y) for x, y in zip(noisy, again, strict=True))
    other = render(bird_dog(), camera, noise=0.01, seed=4)
    assert not np.array_equal(stack(other), stack(noisy))


def _hip_depth(frames: list[PoseFrame], camera: Camera) -> np.ndarray:
    """Depth of the mid-hip per frame: image z = world z * focal / hip_depth."""
    img, wld = stack(frames), stack(frames, "world")
    i = np.abs(wld[..., 2]).argmax(axis=1)[:, None]
    wz = np.take_along_axis(wld[..., 2], i, 1)[:, 0]
    return camera.focal_px * wz / np.take_along_axis(img[..., 2], i, 1)[:, 0]


def test_dropout_loses_the_requested_fraction_near_the_body() -> None:
    clean = stack(render(bird_dog()))
    frames = render(bird_dog(), dropout=0.1, seed=5)
    img = stack(frames)
    lost = img[..., 3] < 0.1
    assert lost.mean() == pytest.approx(0.1, abs=0.015)
    np.testing.assert_array_equal(img[lost][:, 3:], 0.05)
    assert np.all(img[~lost][:, 3] > 0.5)
    lo, hi = clean[..., :2].min(axis=1), clean[..., :2].max(axis=1)
    frame_of = np.nonzero(lost)[0]
    assert np.all(img[lost][:, :2] >= lo[frame_of] - 1e-9)
    assert np.all(img[lost][:, :2] <= hi[frame_of] + 1e-9)
    moved = np.linalg.norm(img[lost][:, :2] - clean[lost][:, :2], axis=-1)
    assert np.median(moved) > 20  # really a wrong place, not the right one


def test_absent_intervals_give_empty_frames_exactly_there() -> None:
    frames = render(bird_dog(), fps=30, absent=[(1.0, 2.0), (2.5, 2.6)])
    empty = [f.index for f in frames if not f.has_person]
    assert empty == list(range(30, 60)) + [75, 76, 77]
    assert all(f.image is None and f.world is None for f in frames if f.index in empty)


def test_visibility_far_side_and_overrides() -> None:
    side = render(bird_dog(), Camera(azimuth_deg=90), low_visibility={"left_ankle": 0.2})[0]
    vis = dict(zip(LANDMARK_NAMES, side.image[:, 3], strict=True))  # type: ignore[index]
    assert vis["left_shoulder"] == vis["nose"] == vis["mouth_left"] == 0.98
    assert vis["right_shoulder"] == vis["right_ear"] == vis["mouth_right"] == 0.9
    assert vis["left_ankle"] == 0.2
    front = render(bird_dog(), Camera(azimuth_deg=0))[0]
    assert np.all(front.image[:, 3:] == 0.98)  # type: ignore[index]
    # the near side (left, camera at the person's left) has the smaller image z
    z = side.image[:, 2]  # type: ignore[index]
    assert z[LANDMARK_INDEX["left_hip"]] < 0 < z[LANDMARK_INDEX["right_hip"]]


@pytest.mark.parametrize("azimuth_deg, elevation_deg", [(0, 0), (90, 0), (-45, 20), (180, -10)])
def test_auto_framing_keeps_the_whole_script_inside_the_frame(
    azimuth_deg: float, elevation_deg: float
) -> None:
    camera = Camera(azimuth_deg=azimuth_deg, elevation_deg=elevation_deg, resolution_wh=(480, 640))
    xy = stack(render(bird_dog(), camera))[..., :2]
    w, h = camera.resolution_wh
    assert xy[..., 0].min() >= 0.05 * w - 1 and xy[..., 0].max() <= 0.95 * w + 1
    assert xy[..., 1].min() >= 0.05 * h - 1 and xy[..., 1].max() <= 0.95 * h + 1
    # tight: some landmark reaches the margin
    reach = np.abs(xy - np.array([w, h]) / 2) / (np.array([w, h]) / 2)
    assert reach.max() == pytest.approx(0.9, abs=0.005)


def test_camera_from_a_plain_table() -> None:
    camera = Camera.from_dict({"azimuth_deg": 0, "resolution_wh": [320, 240], "hfov_deg": 90})
    assert camera.resolution_wh == (320, 240)
    assert camera.focal_px == pytest.approx(160)
    frame = render(bird_dog(), camera)[0]
    assert frame.resolution_wh == (320, 240)
    with pytest.raises(ValueError, match="hfov_deg"):
        Camera(hfov_deg=180)


@pytest.mark.parametrize("height_m", [H, 1.6])
def test_a_body_of_default_proportions_renders_as_before(height_m: float) -> None:
    options = {"camera": Camera(azimuth_deg=60), "noise": 0.01, "dropout": 0.05, "seed": 3,
               "with_mask": True}  # fmt: skip
    old = render(bird_dog(), height_m=height_m, **options)
    new = render(bird_dog(), height_m=2.0, body=Body(height_m=height_m), **options)  # Body wins
    assert all(a.same_as(b) for a, b in zip(old, new, strict=True))
    assert all(np.array_equal(a.mask, b.mask) for a, b in zip(old, new, strict=True))


def test_fixed_camera_distance_and_height() -> None:
    near = stack(render(bird_dog(), Camera(azimuth_deg=90, distance_m=2.0)))
    far = stack(render(bird_dog(), Camera(azimuth_deg=90, distance_m=8.0)))
    assert np.ptp(near[..., 0]) > 3 * np.ptp(far[..., 0])
    low = stack(render(bird_dog(), Camera(azimuth_deg=0, height_m=0.2, distance_m=4.0)), "world")
    level = stack(render(bird_dog(), Camera(azimuth_deg=0, distance_m=4.0)), "world")
    assert not np.allclose(low, level)  # looking up from the floor tilts the camera frame


def winding(xy: np.ndarray) -> float:
    """Turns of a closed 2D path around its centroid (positive = counter-clockwise on screen)."""
    centred = xy - xy.mean(axis=0)
    angle = np.unwrap(np.arctan2(-centred[:, 1], centred[:, 0]))  # y down -> flip
    return float((angle[-1] - angle[0]) / (2 * np.pi))


@pytest.mark.parametrize("direction", [1, -1])
def test_arm_circles_wind_once_per_period(direction: int) -> None:
    step = Step({"shoulder_abd": 90, "shoulder_flex": 30}, move_s=1.0,
                wave={"shoulder_flex": [40, 0], "shoulder_abd": [40, 90]},
                periods=3, period_s=2.0, direction=direction, tag="rep")  # fmt: skip
    script = Script({}, [step], start="standing")
    frames = render(script, Camera(azimuth_deg=0), fps=60)
    times = np.array([f.t_s for f in frames])
    spans = script.truth
    assert len(spans) == 3
    turns = {}
    for side in ("left", "right"):
        wrist = stack(frames)[:, LANDMARK_INDEX[f"{side}_wrist"], :2]
        per_period = []
        for span in spans:
            inside = (times >= span.start_s - 1e-9) & (times <= span.end_s + 1e-9)
            per_period.append(winding(wrist[inside]))
        np.testing.assert_allclose(np.abs(per_period), 1.0, atol=0.02)
        assert len(set(np.sign(per_period))) == 1
        turns[side] = per_period[0]
    # mirror images: the two arms turn opposite ways on screen; direction +1 (forward circles:
    # top, front, bottom, back) turns the left arm (the image's right) counter-clockwise
    assert np.sign(turns["left"]) == -np.sign(turns["right"])
    assert np.sign(turns["left"]) == direction


def _hidden(frame: PoseFrame) -> set[str]:
    return {name for name, v in zip(LANDMARK_NAMES, frame.visibility, strict=True) if v < 0.5}


def test_occlusion_hides_the_far_limbs_the_body_covers() -> None:
    """From the left, on all fours, the right (far) leg and hand stand behind the near ones and
    are hidden; reaching forward, the far hand is clear of the body and seen (its elbow is
    behind the head). The near side, the far shoulder and hip, and a front view (no far side)
    are never hidden."""
    camera = Camera(azimuth_deg=90)
    frames = render(bird_dog(), camera, occlusion=True)
    on_all_fours, reaching = frames[0], frames[45]  # the hold: 1.0..2.0 s at 30 fps
    assert {"right_knee", "right_ankle", "right_index"} <= _hidden(on_all_fours)
    assert _hidden(reaching) == {"right_elbow"}
    for frame in frames:
        assert not {n for n in _hidden(frame) if not n.startswith("right_")}
        assert not {"right_shoulder", "right_hip"} & _hidden(frame)
    assert not any(_hidden(f) for f in render(bird_dog(), camera))  # off by default
    assert not any(_hidden(f) for f in render(bird_dog(), Camera(azimuth_deg=0), occlusion=True))
