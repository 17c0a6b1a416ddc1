"""Scripts: timing, ground truth, interpolation, waves and the dict/TOML form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from formcheck.errors import DefinitionError
from formcheck.synth import PRESETS, Script, Step, TruthSpan, pose_vector, render
from formcheck.synth.body import PARAM_INDEX

KNEE_L = PARAM_INDEX["knee_flex_left"]
FLEX_L, ABD_L = PARAM_INDEX["shoulder_flex_left"], PARAM_INDEX["shoulder_abd_left"]


def squat_script() -> Script:
    return Script(
        poses={"down": {"knee_flex": 90, "hip_flex": 90, "trunk_pitch": 30}},
        steps=[Step("down", move_s=1.0, hold_s=2.0, tag="hold"), Step("standing", move_s=1.0)],
        start="standing",
    )


def test_truth_spans_are_at_the_exact_times() -> None:
    script = squat_script()
    assert script.duration_s == pytest.approx(4.0)
    assert script.truth == [TruthSpan("hold", 0.0, 1.0, 3.0, 4.0)]
    assert script.truth[0].hold_s == pytest.approx(2.0)


def test_frame_count_and_timestamps() -> None:
    frames = render(squat_script(), fps=30.0)
    assert len(frames) == 120
    assert [f.index for f in frames] == list(range(120))
    assert frames[45].t_s == pytest.approx(1.5)
    assert len(render(squat_script(), fps=25.0)) == 100


def test_moves_ease_and_holds_stay() -> None:
    script = squat_script()
    knee = script.sample(np.array([-1.0, 0.0, 0.25, 0.5, 1.0, 2.9, 3.5, 4.0, 9.0]))[:, KNEE_L]
    ease_quarter = 90 * (1 - np.cos(np.pi * 0.25)) / 2
    np.testing.assert_allclose(knee, [0, 0, ease_quarter, 45, 90, 90, 45, 0, 0], atol=1e-9)


def test_sequence_of_reps_gives_one_span_per_tag() -> None:
    steps = []
    for rep in range(3):
        tags: list[str] = ["rep:left"] + (["fault:bent_knee"] if rep == 1 else [])
        knee = {"knee_flex_left": 45} if rep == 1 else {}
        steps += [
            Step("reach", move_s=1.0, hold_s=2.5, tag=tags, overrides=knee),
            Step("all_fours", move_s=0.5, hold_s=0.5),
        ]
    script = Script({"reach": {"base": "all_fours", "hip_flex_left": -17.6, "knee_flex_left": 0}},
                    steps, start="all_fours")  # fmt: skip
    reps = [s for s in script.truth if s.tag == "rep:left"]
    assert [(s.start_s, s.reach_s, s.leave_s, s.end_s) for s in reps] == [
        (0.0, 1.0, 3.5, 4.0), (4.5, 5.5, 8.0, 8.5), (9.0, 10.0, 12.5, 13.0)
    ]  # fmt: skip
    faults = [s for s in script.truth if s.tag.startswith("fault:")]
    assert faults == [TruthSpan("fault:bent_knee", 4.5, 5.5, 8.0, 8.5)]
    knee = script.sample(np.array([2.0, 7.0, 11.0]))[:, KNEE_L]
    np.testing.assert_allclose(knee, [0, 45, 0])


def circle_step(direction: int, periods: int = 2, period_s: float = 2.0) -> Step:
    return Step(
        {"shoulder_abd": 90, "shoulder_flex": 30},
        move_s=1.0,
        hold_s=0.5,
        wave={"shoulder_flex": [40, 0], "shoulder_abd": (40, 90)},
        periods=periods,
        period_s=period_s,
        direction=direction,
        tag="rep",
    )


def test_wave_runs_continuously_and_gives_a_span_per_period() -> None:
    script = Script({}, [circle_step(+1)], start="standing")
    assert script.duration_s == pytest.approx(1.0 + 4.0 + 0.5)
    assert script.truth == [
        TruthSpan("rep", 1.0, 1.0, 3.0, 3.0),
        TruthSpan("rep", 3.0, 3.0, 5.0, 5.0),
    ]
    t = np.arange(0, script.duration_s + 0.5, 0.001)
    values = script.sample(t)
    assert np.abs(np.diff(values, axis=0)).max() < 0.25  # no jumps: <= 204 deg/s, the ease's peak
    at = script.sample(np.array([1.0, 1.5, 2.0, 5.2]))
    np.testing.assert_allclose(at[:, FLEX_L], [30, 70, 30, 30], atol=1e-9)
    np.testing.assert_allclose(at[:, ABD_L], [130, 90, 50, 130], atol=1e-9)
    backwards = Script({}, [circle_step(-1)], start="standing").sample(np.array([1.5]))
    assert backwards[0, FLEX_L] == pytest.approx(-10)


def test_from_dict_matches_the_constructor() -> None:
    data = {
        "support": "floor",
        "start": "standing",
        "poses": {"down": {"knee_flex": 90, "hip_flex": 90, "trunk_pitch": 30}},
        "steps": [
            {"pose": "down", "move_s": 1.0, "hold_s": 2.0, "tag": "hold"},
            {"pose": "standing", "move_s": 1.0},
        ],
    }
    script = Script.from_dict(data)
    t = np.linspace(0, 4, 41)
    np.testing.assert_array_equal(script.sample(t), squat_script().sample(t))
    assert script.truth == squat_script().truth


def test_toml_form() -> None:
    tomllib = pytest.importorskip("tomllib")
    text = """
        support = "hang"
        start = "hanging"
        [poses.top]
        base = "hanging"
        shoulder_flex = 30
        elbow_flex = 150
        [[steps]]
        pose = "top"
        move_s = 1.5
        hold_s = 0.5
        tag = ["rep", "fault:kip"]
        overrides = {hip_flex = 40}
        [[steps]]
        pose = "hanging"
        [[steps]]
        pose = {shoulder_abd = 90}
        wave = {shoulder_flex = [20, 0], shoulder_abd = [20, 90]}
        periods = 1
        period_s = 1.0
        direction = -1
    """
    script = Script.from_dict(tomllib.loads(text))
    assert script.support == "hang"
    assert [s.tag for s in script.truth] == ["rep", "fault:kip"]
    top = script.sample(np.array([1.5]))[0]
    assert top[PARAM_INDEX["hip_flex_right"]] == 40
    assert top[PARAM_INDEX["elbow_flex_left"]] == 150
    assert script.duration_s == pytest.approx(1.5 + 0.5 + 1.0 + 1.0 + 1.0)


def test_bases_and_presets() -> None:
    script = Script({"a": {"base": "all_fours", "knee_flex_left": 10}, "b": {"base": "a"},
                     "all_fours": {"base": "all_fours", "knee_flex": 80}},
                    [Step("b")])  # fmt: skip
    vec = script.pose_vector("b")
    assert vec[KNEE_L] == 10 and vec[PARAM_INDEX["knee_flex_right"]] == 80
    expected = pose_vector([PRESETS["all_fours"]])[PARAM_INDEX["trunk_pitch"]]
    assert vec[PARAM_INDEX["trunk_pitch"]] == expected


@pytest.mark.parametrize(
    "data, message",
    [
        ({"steps": [{"pose": "nowhere"}]}, r"script\.steps\[0\]\.pose: unknown pose 'nowhere'"),
        ({"steps": [{"pose": {}, "hold": 1}]}, r"steps\[0\]: unknown key 'hold'"),
        ({"steps": [{"pose": {}, "move_s": -1}]}, r"steps\[0\]\.move_s"),
        ({"steps": [{"pose": {"elbow": 1}}]}, r"unknown pose parameter 'elbow'"),
        ({"steps": [{"pose": {}, "wave": {"elbow_flex": 10}}]}, r"periods"),
        ({"steps": [{"pose": {}}], "support": "wall"}, r"support"),
        ({"steps": []}, r"at least one step"),
        ({"steps": [{"pose": "p"}], "poses": {"p": {"base": "q"}}}, r"poses\.p\.base"),
        ({"steps": [{"pose": {}}], "camera": {}}, r"unknown key 'camera'"),
    ],
)
def test_bad_scripts_name_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        Script.from_dict(data)
