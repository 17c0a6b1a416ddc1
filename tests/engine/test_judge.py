"""What a fault rule may be judged on: clearly seen landmarks, inside the picture, and segments
that lie across the picture (not pointing at the camera)."""

import math

import numpy as np
import pytest

from formcheck.engine.judge import DEPTH_LIMIT_DEG, Judge
from formcheck.features.measure import FeatureSet
from formcheck.features.spec import FeatureDef
from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

FEATURES = FeatureSet(
    {
        "elbow": FeatureDef(
            kind="angle", points=["{side}_shoulder", "{side}_elbow", "{side}_wrist"]
        ),
        "arm_level": FeatureDef(kind="elevation", points=["{side}_shoulder", "{side}_wrist"]),
        "arm_level_3d": FeatureDef(
            kind="elevation", points=["{side}_shoulder", "{side}_wrist"], space="world"
        ),
        "trunk": FeatureDef(kind="inclination", points=["hip_mid", "shoulder_mid"]),
        "hands_up": FeatureDef(kind="height", points=["{side}_wrist", "{side}_shoulder"]),
        "body_line": FeatureDef(
            kind="bend", points=["{side}_shoulder", "{side}_hip", "{side}_ankle"]
        ),
        "back_bend": FeatureDef(
            kind="bend", points=["hip_mid", "shoulder_mid", "ear_mid"], space="world"
        ),
        "elbows": FeatureDef(kind="combine", op="min", of=["elbow_left", "elbow_right"]),
    }
)


def test_segments_are_those_a_feature_reads_across_the_picture():
    assert FEATURES.segments_of("elbow_left") == [("left_shoulder", "left_wrist")]
    assert FEATURES.segments_of("arm_level_right") == [("right_shoulder", "right_wrist")]
    assert FEATURES.segments_of("trunk") == [("hip_mid", "shoulder_mid")]
    assert len(FEATURES.segments_of("elbows")) == len(FEATURES.segments_of("elbow_min")) == 2
    # a bend on the picture, end to end: a push-up's body line seen from the front shows none
    assert FEATURES.segments_of("body_line_left") == [("left_shoulder", "left_ankle")]
    # measured in depth on purpose, or not a direction at all: no segment to check
    assert FEATURES.segments_of("back_bend") == []
    assert FEATURES.segments_of("arm_level_3d_left") == []
    assert FEATURES.segments_of("hands_up_left") == []


def _frame(arm_out_of_plane_deg: float, elbow_bent_forward_deg: float = 0.0) -> PoseFrame:
    """A person with the left arm turned this far towards the camera, the forearm bent on
    from it towards the camera; everything clearly seen in the middle of the picture."""
    image = np.zeros((33, 5))
    image[:, :2] = (320.0, 240.0)
    image[:, 3:] = 1.0
    world = np.zeros((33, 3))
    a = math.radians(arm_out_of_plane_deg)
    b = a + math.radians(elbow_bent_forward_deg)
    shoulder = np.array([0.2, -0.5, 0.0])
    elbow = shoulder + 0.3 * np.array([math.cos(a), 0.0, -math.sin(a)])  # -z: to the camera
    world[LANDMARK_INDEX["left_shoulder"]] = shoulder
    world[LANDMARK_INDEX["left_elbow"]] = elbow
    world[LANDMARK_INDEX["left_wrist"]] = elbow + 0.25 * np.array([math.cos(b), 0.0, -math.sin(b)])
    return PoseFrame(0.0, (640, 480), image, world)


@pytest.mark.parametrize(
    ("out_of_plane_deg", "judged"),
    [(0, True), (30, True), (DEPTH_LIMIT_DEG - 1, True), (DEPTH_LIMIT_DEG + 1, False), (80, False)],
)
def test_a_limb_pointing_at_the_camera_is_not_judged(out_of_plane_deg, judged):
    names = ["elbow_left", "hands_up_left"]
    judge = Judge(
        {n: ["left_shoulder", "left_elbow", "left_wrist"] for n in names},
        {n: FEATURES.segments_of(n) for n in names},
    )
    out = judge.update(_frame(out_of_plane_deg), {"elbow_left": 170.0, "hands_up_left": 0.5})
    assert math.isnan(out["elbow_left"]) != judged
    assert out["hands_up_left"] == 0.5  # a height does not depend on the arm's direction


def test_a_joint_bending_towards_the_camera_is_judged():
    """Seen from the front, an arm out to the side bends its forearm forward: the fault that
    must be seen. The upper arm across the picture anchors the angle."""
    judge = Judge(
        {"elbow_left": ["left_shoulder", "left_elbow", "left_wrist"]},
        {"elbow_left": FEATURES.segments_of("elbow_left")},
    )
    assert judge.update(_frame(0, elbow_bent_forward_deg=90), {"elbow_left": 90.0}) == {
        "elbow_left": 90.0
    }


def test_a_mean_of_both_sides_is_judged_on_the_sides_seen():
    """Both hands on one bar: the mean of the two is judged on the hand seen when the other is
    hidden, and on both when both are seen; a mean of two different features is not."""
    features = FeatureSet(
        {
            "hand": FeatureDef(kind="height", points=["{side}_wrist", "ear_mid"]),
            "hands": FeatureDef(kind="combine", op="mean", of=["hand_left", "hand_right"]),
            "mixed": FeatureDef(kind="combine", op="mean", of=["hand_left", "elbows"]),
            "elbows": FeatureDef(kind="combine", op="min", of=["hand_left", "hand_right"]),
        }
    )
    assert features.sides_of("hands") == ("hand_left", "hand_right", "mean")
    assert features.sides_of("mixed") is None
    names = {n: ["left_wrist", "right_wrist"] for n in ("hands",)}
    sides = {n: [f"{n}_wrist"] for n in ("left", "right")}
    judge = Judge(
        {**names, "hand_left": sides["left"], "hand_right": sides["right"]},
        either={"hands": ("hand_left", "hand_right", "mean")},
    )
    frame = _frame(0)
    values = {"hands": 0.3, "hand_left": 0.2, "hand_right": 0.4}
    assert judge.update(frame, values)["hands"] == pytest.approx(0.3)
    frame.image[LANDMARK_INDEX["right_wrist"], 3:] = 0.1  # the far hand hidden
    judge.reset()
    assert judge.update(frame, values)["hands"] == pytest.approx(0.2)
