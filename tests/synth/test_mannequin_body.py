"""Known-answer tests of the mannequin's body: postures, joint conventions, supports."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from formcheck.errors import DefinitionError
from formcheck.features.geometry import (
    angle_between_deg,
    inclination_to_horizontal_deg,
    joint_angle_deg,
)
from formcheck.pose.core import LANDMARK_INDEX, LANDMARK_NAMES, PoseFrame
from formcheck.synth import PARAM_NAMES, Camera, Script, Step, pose_vector, render, skeleton
from formcheck.synth.body import BAR_HEIGHT_M, BARS_HEIGHT_M, PARAM_INDEX, PRESETS, Body

H = 1.75
ALL_FOURS_90 = {"trunk_pitch": 90, "hip_flex": 90, "knee_flex": 90, "shoulder_flex": 90,
                "wrist_flex": 90, "ankle_flex": 90}  # fmt: skip


def still(pose: Any, azimuth_deg: float = 90.0, support: str = "floor", **camera: Any) -> PoseFrame:
    script = Script({}, [Step(pose, move_s=0.0, hold_s=0.1)], start=pose, support=support)
    return render(script, Camera(azimuth_deg=azimuth_deg, **camera), fps=10)[0]


def body(pose: Mapping[str, float] | str, support: str = "floor") -> np.ndarray:
    """``(33, 3)`` model-frame landmarks (x = person's left, y up, z forward)."""
    vec = Script({}, [Step(pose, move_s=0.0)]).pose_vector(pose)
    return skeleton(vec[None], H, support).landmarks[0]


def px(frame: PoseFrame, name: str) -> np.ndarray:
    return frame.xy_px[LANDMARK_INDEX[name]]


def mid(frame: PoseFrame, part: str) -> np.ndarray:
    return (px(frame, f"left_{part}") + px(frame, f"right_{part}")) / 2


def world(frame: PoseFrame, name: str) -> np.ndarray:
    assert frame.world is not None
    return frame.world[LANDMARK_INDEX[name]]


def test_standing_front_view_is_upright_mirrored_and_symmetric() -> None:
    frame = still({}, azimuth_deg=0)
    for side in ("left", "right"):
        ys = [px(frame, f"{side}_{j}")[1] for j in ("shoulder", "hip", "knee", "ankle")]
        assert ys == sorted(ys) and len(set(ys)) == 4
    centre = px(frame, "nose")[0]
    for name in LANDMARK_NAMES:
        if "left" in name:
            left, right = px(frame, name), px(frame, name.replace("left", "right"))
            assert left[0] > centre > right[0], name  # the person faces the camera
            assert left[0] - centre == pytest.approx(centre - right[0], abs=1e-6)
            assert left[1] == pytest.approx(right[1], abs=1e-6)


def test_side_view_elbow_and_knee_angles_are_seen_true() -> None:
    frame = still({"elbow_flex": 90, "shoulder_flex": 0, "knee_flex_left": 60})
    for side in ("left", "right"):
        arm = [px(frame, f"{side}_{j}") for j in ("shoulder", "elbow", "wrist")]
        assert joint_angle_deg(*arm) == pytest.approx(90, abs=1)
    leg = [px(frame, f"left_{j}") for j in ("hip", "knee", "ankle")]
    assert joint_angle_deg(*leg) == pytest.approx(120, abs=1)
    other = [px(frame, f"right_{j}") for j in ("hip", "knee", "ankle")]
    assert joint_angle_deg(*other) == pytest.approx(180, abs=1)


@pytest.mark.parametrize("azimuth_deg", [0, 30, 90, -135, 180])
def test_world_angles_do_not_depend_on_the_view(azimuth_deg: float) -> None:
    frame = still({"elbow_flex": 90, "knee_flex_left": 60, "trunk_yaw": 20}, azimuth_deg)
    arm = [world(frame, f"left_{j}") for j in ("shoulder", "elbow", "wrist")]
    leg = [world(frame, f"left_{j}") for j in ("hip", "knee", "ankle")]
    assert joint_angle_deg(*arm) == pytest.approx(90, abs=1e-6)
    assert joint_angle_deg(*leg) == pytest.approx(120, abs=1e-6)
    hips = (world(frame, "left_hip") + world(frame, "right_hip")) / 2
    np.testing.assert_allclose(hips, 0, atol=1e-9)


def test_all_fours_with_a_level_trunk_stands_on_the_hands() -> None:
    frame = still(ALL_FOURS_90)  # side view, horizontal camera: world y is straight down
    floor = frame.world[:, 1].max()  # type: ignore[index]
    assert inclination_to_horizontal_deg(mid(frame, "hip"), mid(frame, "shoulder")) < 2
    for side in ("left", "right"):
        assert world(frame, f"{side}_wrist")[1] == pytest.approx(floor, abs=0.005)
        # arms (0.332 H) are longer than thighs (0.245 H): the knees float by the difference
        assert floor - world(frame, f"{side}_knee")[1] == pytest.approx(0.087 * H, abs=0.005)


def test_all_fours_preset_puts_hands_and_knees_on_the_floor() -> None:
    frame = still("all_fours")
    floor = frame.world[:, 1].max()  # type: ignore[index]
    for name in ("left_wrist", "right_wrist", "left_knee", "right_knee"):
        assert world(frame, name)[1] == pytest.approx(floor, abs=0.01), name
    hips, shoulders = mid(frame, "hip"), mid(frame, "shoulder")
    assert inclination_to_horizontal_deg(hips, shoulders) == pytest.approx(17.6, abs=0.2)
    assert shoulders[1] < hips[1]  # shoulders higher


@pytest.mark.parametrize(
    "start, reach",
    [
        (ALL_FOURS_90, {"shoulder_flex_right": 180, "hip_flex_left": 0, "knee_flex_left": 0}),
        ("all_fours", {"shoulder_flex_right": 162.4, "hip_flex_left": -17.6, "knee_flex_left": 0}),
    ],
)
def test_bird_dog_reach_makes_arm_and_leg_level(start: Any, reach: dict[str, float]) -> None:
    base = start if isinstance(start, dict) else {"base": start}
    frame = still({**base, **reach, "wrist_flex_right": 0, "ankle_flex_left": 90})
    arm = inclination_to_horizontal_deg(px(frame, "right_shoulder"), px(frame, "right_wrist"))
    leg = inclination_to_horizontal_deg(px(frame, "left_hip"), px(frame, "left_ankle"))
    assert arm < 2 and leg < 2
    # side view from the left: the person faces image-left; the hand is beyond the head
    assert px(frame, "right_wrist")[0] < px(frame, "nose")[0] - 20
    assert px(frame, "left_ankle")[0] > px(frame, "left_hip")[0] + 100


def test_spine_flex_bends_at_mid_spine_and_keeps_the_chord() -> None:
    vec = pose_vector([{"trunk_pitch": 90, "spine_flex": 30}])
    skel = skeleton(vec[None], H)
    hip, spine, neck = (skel.joints[k][0] for k in ("mid_hip", "mid_spine", "neck"))
    assert angle_between_deg(spine - hip, neck - spine) == pytest.approx(30, abs=1e-6)
    assert neck[2] > spine[2] > hip[2]  # chest forward = towards +z when face down
    assert neck[1] == pytest.approx(hip[1], abs=1e-9)  # hip-neck chord horizontal
    assert spine[1] > hip[1]  # rounded back: mid-spine above the chord
    frame = still({"trunk_pitch": 90, "spine_flex": 30, "hip_flex": 90})
    assert inclination_to_horizontal_deg(mid(frame, "hip"), mid(frame, "shoulder")) < 3


@pytest.mark.parametrize(
    "flex, abd", [(0, 0), (90, 0), (180, 0), (-40, 0), (0, 90), (30, 60), (120, 45), (-20, 150)]
)
@pytest.mark.parametrize("side, sign", [("left", 1), ("right", -1)])
def test_shoulder_composition(flex: float, abd: float, side: str, sign: int) -> None:
    """Standing, trunk axes = model axes: d = (±cos f sin a, -cos f cos a, sin f)."""
    lm = body({f"shoulder_flex_{side}": flex, f"shoulder_abd_{side}": abd})
    f, a = np.radians(flex), np.radians(abd)
    expected = np.array([sign * np.cos(f) * np.sin(a), -np.cos(f) * np.cos(a), np.sin(f)])
    d = lm[LANDMARK_INDEX[f"{side}_elbow"]] - lm[LANDMARK_INDEX[f"{side}_shoulder"]]
    np.testing.assert_allclose(d / np.linalg.norm(d), expected, atol=1e-9)


def test_hip_composition_matches_the_shoulder() -> None:
    lm = body({"hip_flex_left": 30, "hip_abd_left": 20, "hip_abd_right": 20})
    d = lm[LANDMARK_INDEX["left_knee"]] - lm[LANDMARK_INDEX["left_hip"]]
    f, a = np.radians(30), np.radians(20)
    expected = [np.cos(f) * np.sin(a), -np.cos(f) * np.cos(a), np.sin(f)]
    np.testing.assert_allclose(d / np.linalg.norm(d), expected, atol=1e-9)
    r = lm[LANDMARK_INDEX["right_knee"]] - lm[LANDMARK_INDEX["right_hip"]]
    assert r[0] < 0  # right thigh abducts to the person's right (-x)


def test_distal_joint_directions() -> None:
    i = LANDMARK_INDEX
    lm = body({"shoulder_flex": 0, "elbow_flex": 90, "knee_flex": 90, "ankle_flex": 0})
    assert lm[i["left_wrist"], 2] > lm[i["left_elbow"], 2] + 0.2  # forearm forward
    assert lm[i["left_ankle"], 2] < lm[i["left_knee"], 2] - 0.3  # heel to buttock
    overhead = body({"shoulder_flex": 180, "elbow_flex": 90})
    assert overhead[i["left_wrist"], 2] < overhead[i["left_elbow"], 2] - 0.2  # behind the head
    pointed = body({"ankle_flex": 90})
    assert pointed[i["left_foot_index"], 1] < pointed[i["left_ankle"], 1] - 0.15
    flexed = body({"knee_flex": 0})
    assert flexed[i["left_foot_index"], 2] > flexed[i["left_ankle"], 2] + 0.15


def test_trunk_and_pelvis_roll_signs() -> None:
    i = LANDMARK_INDEX
    rolled = body({"trunk_pitch": 90, "trunk_roll": 20})  # face down: left side lifts
    assert rolled[i["left_shoulder"], 1] > rolled[i["right_shoulder"], 1] + 0.05
    hips = body({"trunk_pitch": 90, "pelvis_roll": 15, "shoulder_flex": 90, "hip_flex": 90})
    assert hips[i["left_hip"], 1] > hips[i["right_hip"], 1] + 0.03
    assert hips[i["left_shoulder"], 1] == pytest.approx(hips[i["right_shoulder"], 1], abs=1e-9)
    turned = body({"trunk_yaw": 90})  # turns towards its left: faces +x
    assert turned[i["nose"], 0] > turned[i["left_ear"], 0]
    nod = body({"neck_flex": 30})
    assert nod[i["nose"], 1] < body({})[i["nose"], 1] - 0.02


def test_supports() -> None:
    i = LANDMARK_INDEX
    assert body({}).min(axis=0)[1] == pytest.approx(0, abs=1e-12)
    hang = body({"shoulder_flex": 180}, support="hang")
    assert max(hang[i["left_wrist"], 1], hang[i["right_wrist"], 1]) == pytest.approx(BAR_HEIGHT_M)
    assert hang[:, 1].min() > 0.1  # feet off the floor
    lifted = body({"pelvis_lift": 0.2})
    assert lifted[:, 1].min() == pytest.approx(0.2)


def test_bars_support_holds_the_wrists_at_the_bars() -> None:
    i = LANDMARK_INDEX
    top = body({}, support="bars")  # arms straight down along the body: hands at the bars
    bottom = body({"shoulder_flex": -90, "elbow_flex": 90, "knee_flex": 90}, support="bars")
    for lm in (top, bottom):
        assert min(lm[i["left_wrist"], 1], lm[i["right_wrist"], 1]) == pytest.approx(BARS_HEIGHT_M)
        assert lm[:, 1].min() > 0.05  # feet off the floor
    assert bottom[i["left_shoulder"], 1] < top[i["left_shoulder"], 1] - 0.2  # the body dips


def test_side_bend_tilts_the_upper_trunk_towards_the_left() -> None:
    i = LANDMARK_INDEX
    seated = body({"base": "seated", "shoulder_flex": 180})  # arms up: off the floor
    bent = body({"base": "seated", "shoulder_flex": 180, "side_bend": 30})
    assert bent[i["left_shoulder"], 1] < bent[i["right_shoulder"], 1] - 0.1  # left side drops
    shoulders = bent[i["left_shoulder"]] - bent[i["right_shoulder"]]
    assert angle_between_deg(shoulders, (1, 0, 0)) == pytest.approx(30)
    for lm in ("left_hip", "right_hip", "left_knee", "left_ankle"):  # the pelvis and legs stay
        assert bent[i[lm]] == pytest.approx(seated[i[lm]])


def test_side_keys_override_plain_keys_in_any_order() -> None:
    for layer in ({"knee_flex_left": 60, "knee_flex": 30}, {"knee_flex": 30, "knee_flex_left": 60}):
        vec = pose_vector([layer])
        assert vec[PARAM_INDEX["knee_flex_left"]] == 60
        assert vec[PARAM_INDEX["knee_flex_right"]] == 30
    assert len(PARAM_NAMES) == len(set(PARAM_NAMES))


@pytest.mark.parametrize("bad", [{"knee_bend": 10}, {"knee_flex_middle": 1}, {"knee_flex": "x"}])
def test_bad_parameters_are_named(bad: dict[str, Any]) -> None:
    with pytest.raises(DefinitionError, match=next(iter(bad))):
        pose_vector([bad], "poses.p")


STANDING = np.zeros(len(PARAM_NAMES))
# what a Body scale stretches, standing: (from, to) landmarks; "mid_*" is the middle of a pair
MEASURES = {
    "arm": ("left_shoulder", "left_wrist"),
    "hand": ("left_wrist", "left_index"),
    "leg": ("left_hip", "left_ankle"),
    "foot": ("left_heel", "left_foot_index"),
    "trunk": ("mid_hip", "mid_shoulder"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "face": ("left_ear", "nose"),
}


def measure(lm: np.ndarray, name: str) -> float:
    def at(point: str) -> np.ndarray:
        if point.startswith("mid_"):
            part = point.removeprefix("mid_")
            return (lm[LANDMARK_INDEX[f"left_{part}"]] + lm[LANDMARK_INDEX[f"right_{part}"]]) / 2
        return lm[LANDMARK_INDEX[point]]

    a, b = MEASURES[name]
    return float(np.linalg.norm(at(b) - at(a)))


@pytest.mark.parametrize("pose", [*PRESETS, "random"])
def test_default_body_is_the_default_mannequin_bit_for_bit(pose: str) -> None:
    if pose == "random":
        vec = np.random.default_rng(0).uniform(-90, 120, (8, len(PARAM_NAMES)))
        for metres in ("pelvis_lift", "shrug_left", "shrug_right"):
            vec[:, PARAM_INDEX[metres]] = 0.05
    else:
        vec = pose_vector([PRESETS[pose]])[None]
    support = "hang" if pose == "hanging" else "floor"
    for height_m in (H, 1.6):
        old = skeleton(vec, height_m, support)
        # the Body's height wins over the height_m argument
        new = skeleton(vec, 2.0, support, body=Body(height_m=height_m))
        np.testing.assert_array_equal(new.landmarks, old.landmarks)
        assert new.joints.keys() == old.joints.keys()
        for name, joint in old.joints.items():
            np.testing.assert_array_equal(new.joints[name], joint)


@pytest.mark.parametrize(
    "shape, stretched",
    [
        ({"arms": 1.2}, {"arm": 1.2, "hand": 1.2}),
        ({"legs": 0.8}, {"leg": 0.8, "foot": 0.8}),
        ({"trunk": 1.1}, {"trunk": 1.1}),
        ({"shoulders": 1.3}, {"shoulders": 1.3}),
        ({"hips": 0.7}, {"hips": 0.7}),
        ({"girth": 1.5}, {}),  # the silhouette only
        ({"height_m": 1.5}, {name: 1.5 / H for name in MEASURES}),
        ({"arms": 0.9, "legs": 1.1}, {"arm": 0.9, "hand": 0.9, "leg": 1.1, "foot": 1.1}),
    ],
)
def test_body_scales_stretch_their_segments_only(
    shape: dict[str, float], stretched: dict[str, float]
) -> None:
    default = skeleton(STANDING).landmarks[0]
    lm = skeleton(STANDING, body=Body(**shape)).landmarks[0]
    for name in MEASURES:
        ratio = measure(lm, name) / measure(default, name)
        assert ratio == pytest.approx(stretched.get(name, 1.0), abs=1e-12), name


def test_height_scales_the_whole_standing_body() -> None:
    default = skeleton(STANDING).landmarks[0]
    short = skeleton(STANDING, body=Body(height_m=1.5)).landmarks[0]
    np.testing.assert_allclose(short, default * 1.5 / H, atol=1e-12)  # about the floor origin


def test_body_from_a_plain_table() -> None:
    body = Body.from_dict({"height_m": 2, "arms": 1.2, "girth": 0.8})
    assert body == Body(height_m=2.0, arms=1.2, girth=0.8)
    assert isinstance(body.height_m, float)
    assert Body.from_dict({}) == Body()


@pytest.mark.parametrize(
    "table, message",
    [
        ({"arms": 3.0}, "arms: expected a scale in 0.6..1.6, got 3.0"),
        ({"legs": 0.5}, "legs: expected a scale in 0.6..1.6, got 0.5"),
        ({"girth": float("nan")}, "girth: expected a scale in 0.6..1.6, got nan"),
        ({"hips": True}, "hips: expected a scale in 0.6..1.6, got True"),
        ({"shoulders": "wide"}, "shoulders: expected a scale in 0.6..1.6, got 'wide'"),
        ({"height_m": 175}, "height_m: expected a height in 1.0..2.3 m, got 175"),
        ({"height_m": 0.9}, "height_m: expected a height in 1.0..2.3 m, got 0.9"),
        ({"neck": 1.1}, "unknown body key 'neck'; expected one of height_m, arms, legs"),
    ],
)
def test_bad_body_values_are_named(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Body.from_dict(table)
