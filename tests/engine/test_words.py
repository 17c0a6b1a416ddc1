"""Plain words: labels generated from a feature's kind and points, a TOML label or unit wins,
and evidence reads "left knee bent to 134° (aim: at least 150°), rep 3, 12.1–15.7 s"."""

import pytest

from formcheck.engine import load_exercise, parse_definition
from formcheck.engine.events import FaultEvidence
from formcheck.engine.words import Words, format_number, parse_threshold, time_span


def _exercise(features, faults=(), drive="knee_{side}"):
    return parse_definition(
        {
            "id": "test-ex",
            "name": "Test",
            "posture": "standing",
            "features": features,
            "reps": {"sides": "each", "drive": drive, "min_range": 30},
            "faults": list(faults),
        },
        "test.toml",
    )


SIDED = {"kind": "angle", "points": ["{side}_hip", "{side}_knee", "{side}_ankle"]}


@pytest.mark.parametrize(
    ("feature", "name", "label", "unit"),
    [
        (SIDED, "f_left", "left knee angle", "°"),
        (SIDED, "f_right", "right knee angle", "°"),
        (SIDED, "f_min", "lower knee angle", "°"),
        (SIDED, "f_max", "higher knee angle", "°"),
        ({"kind": "elevation", "points": ["{side}_hip", "{side}_knee"]}, "f_left",
         "left thigh above the floor line", "°"),
        ({"kind": "elevation", "points": ["{side}_shoulder", "{side}_elbow"]}, "f_max",
         "upper arm above the floor line (higher side)", "°"),
        ({"kind": "inclination", "points": ["hip_mid", "shoulder_mid"]}, "f",
         "trunk lean from vertical", "°"),
        ({"kind": "inclination", "points": ["hip_mid", "shoulder_mid"],
          "reference": "horizontal"}, "f", "trunk tilt from horizontal", "°"),
        ({"kind": "height", "points": ["right_hip", "left_hip"]}, "f",
         "height of the left hip above the right hip", "torso lengths"),
        ({"kind": "distance", "points": ["{side}_wrist", "{side}_hip"]}, "f_left",
         "distance from the left wrist to the left hip", "torso lengths"),
        ({"kind": "bend", "points": ["shoulder_mid", "hip_mid", "ankle_mid"]}, "f",
         "bend at the hips", "°"),
        ({"kind": "angle_to_trunk", "points": ["{side}_shoulder", "{side}_elbow"]}, "f_right",
         "right upper arm angle to the trunk", "°"),
        ({"kind": "twist", "space": "world",
          "points": ["right_shoulder", "left_shoulder", "right_hip", "left_hip"]}, "f",
         "twist of the shoulder line against the hip line", "°"),
        ({"kind": "spine_curvature"}, "f", "back rounding", "torso lengths"),
        ({"kind": "lean", "space": "world", "points": ["hip_mid", "shoulder_mid"]}, "f",
         "trunk lean forward", "°"),
        ({"kind": "elevation", "points": ["{side}_hip", "{side}_knee"],
          "label": "raised thigh", "unit": "degrees"}, "f_left", "left raised thigh", "degrees"),
        ({"kind": "elevation", "points": ["{side}_hip", "{side}_knee"],
          "label": "thigh of the {side} leg"}, "f_right", "thigh of the right leg", "°"),
        ({"kind": "elevation", "points": ["{side}_hip", "{side}_knee"],
          "label": "thigh of the {side} leg"}, "f_min", "thigh of the leg (lower side)", "°"),
    ],
)  # fmt: skip
def test_a_feature_reads_as_words_with_a_unit(feature, name, label, unit):
    words = Words(_exercise({"knee": SIDED, "f": feature}))
    assert words.feature(name) == label
    assert words.unit(name) == unit


def test_combined_features_name_what_they_combine():
    ex = _exercise({
        "knee": SIDED,
        "leg": {"kind": "elevation", "points": ["{side}_hip", "{side}_knee"]},
        "arm": {"kind": "elevation", "points": ["{side}_shoulder", "{side}_elbow"]},
        "knees": {"kind": "combine", "op": "mean", "of": ["knee_left", "knee_right"]},
        "reach": {"kind": "combine", "op": "mean", "of": ["leg_{side}", "arm_{other}"]},
        "tilt": {"kind": "elevation", "points": ["right_shoulder", "left_shoulder"],
                 "mirror": True},
    })  # fmt: skip
    words = Words(ex)
    assert words.feature("knees") == "mean knee angle"
    assert words.unit("knees") == "°"
    assert words.feature("reach_left") == (
        "mean of left thigh above the floor line and right upper arm above the floor line"
    )
    assert words.feature("reach_{side}") == (
        "mean of thigh above the floor line and upper arm above the floor line"
    )
    assert words.feature("reach_{side}", "right") == (
        "mean of right thigh above the floor line and left upper arm above the floor line"
    )
    assert words.feature("tilt_left") == "shoulder line above the floor line, towards the left"
    assert words.titled("knee_{side}") == "knee angle (°)"


def test_the_catalogue_labels_every_feature_and_fault_without_ids():
    ex = load_exercise("bird-dog")
    words = Words(ex)
    assert words.feature("reach_left") == "left leg and right arm above the floor line"
    assert words.fault("bent_knee") == "bent knee"
    assert words.fault("hold_short") == "hold too short"
    assert words.fault("too_fast") == "too fast"
    for name in ("knee_left", "leg_level_right", "hip_tilt", "back_curve", "reach_max"):
        assert "_" not in words.feature(name), name


def test_a_fault_label_in_the_toml_wins_over_its_id():
    ex = _exercise(
        {"knee": SIDED},
        [{"id": "bent_knee", "when": {"feature": "knee_{side}", "below": 150},
          "cue": "Straighten your {side} knee", "label": "knee not straight"},
         {"id": "knee_wobble", "when": {"feature": "knee_{side}", "above": 175},
          "cue": "Soften"}],
    )  # fmt: skip
    words = Words(ex)
    assert words.fault("bent_knee") == "knee not straight"
    assert words.fault("knee_wobble") == "knee wobble"
    assert words.faults({"bent_knee": 2, "hold_short": 1}) == (
        "knee not straight ×2, hold too short ×1"
    )


@pytest.mark.parametrize(
    ("feature", "value", "threshold", "text"),
    [
        ("knee_left", 134.45, "< 150",
         "left knee bent to 134° (aim: at least 150°), rep 3, 12.1–15.7 s"),
        # rounded to a whole degree 149.6 would read 150°, which is no fault: one more decimal
        ("knee_left", 149.6, "< 150",
         "left knee bent to 149.6° (aim: at least 150°), rep 3, 12.1–15.7 s"),
        ("leg_level_right", -32.2, "outside -20..20",
         "right thigh above the floor line: −32° (aim: between −20° and 20°), rep 3, "
         "12.1–15.7 s"),
        ("knee_max", 176.0, "> 172",
         "higher knee angle: 176° (aim: at most 172°), rep 3, 12.1–15.7 s"),
        ("hip_tilt", 0.213, "outside -0.15..0.15 from rest",
         "height of the left hip above the right hip, moved +0.21 torso lengths from the start "
         "position (aim: within 0.15 torso lengths of the start position), rep 3, 12.1–15.7 s"),
        ("back_curve", 0.0149, "> 0.012",
         "back rounding: 0.015 torso lengths (aim: at most 0.012 torso lengths), rep 3, "
         "12.1–15.7 s"),
        ("form_hold_s", 0.0, "< 2",
         "held with good form for 0.0 s (aim: at least 2 s), rep 3, 12.1–15.7 s"),
        ("rep_duration_s", 0.9, "< 1.5",
         "rep took 0.9 s (aim: at least 1.5 s), rep 3, 12.1–15.7 s"),
    ],
)  # fmt: skip
def test_evidence_says_what_was_measured_against_the_aim_and_when(feature, value, threshold, text):
    ex = _exercise({
        "knee": SIDED,
        "leg_level": {"kind": "elevation", "points": ["{side}_hip", "{side}_knee"]},
        "hip_tilt": {"kind": "height", "points": ["right_hip", "left_hip"]},
        "back_curve": {"kind": "spine_curvature"},
    })  # fmt: skip
    ev = {"fault": "x", "feature": feature, "value": value, "threshold": threshold,
          "side": "left", "start_s": 12.1, "end_s": 15.733}  # fmt: skip
    assert Words(ex).evidence(ev, rep=3) == text
    assert Words(ex).against_aim(ev) == text.split(", rep 3")[0]
    as_record = FaultEvidence(feature, value, threshold, "left", 12.1, 15.733)
    assert Words(ex).evidence(as_record, rep=3) == text


def test_without_a_definition_ids_still_read_as_words():
    words = Words(None)
    assert words.fault("bent_knee") == "bent knee"
    assert words.feature("knee_left") == "knee left"
    assert words.evidence(
        {"feature": "knee_left", "value": 134.4, "threshold": "< 150", "start_s": 1.0,
         "end_s": 1.0}
    ) == "knee left: 134.40 (aim: at least 150), at 1.0 s"  # fmt: skip


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(134.45, "°", "134°"), (-32.2, "°", "−32°"), (-0.2, "°", "0°"), (0.213, "torso lengths",
     "0.21 torso lengths"), (2.75, "s", "2.8 s"), (float("nan"), "°", "not seen")],
)  # fmt: skip
def test_numbers_read_with_their_units(value, unit, text):
    assert format_number(value, unit) == text


def test_thresholds_and_time_spans():
    assert parse_threshold("outside -20..20").test == "outside"
    assert parse_threshold("> 0.12 from rest").from_rest
    assert parse_threshold("whatever") is None
    assert time_span(12.3, 13.14) == "12.3–13.1 s"
    assert time_span(4.0, 4.02) == "at 4.0 s"
