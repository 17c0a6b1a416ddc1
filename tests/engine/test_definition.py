"""Definitions: a bad file gets one line naming the file and the key; a coach can add an
exercise by dropping a TOML file, and it counts."""

import textwrap

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import Engine, list_exercises, load_definition, load_exercise
from formcheck.errors import DefinitionError

ARM_RAISE = textwrap.dedent(
    """
    id = "arm-raise"
    name = "Standing arm raise"
    posture = "standing"
    view = "side"

    [features.arm]
    kind = "angle_to_trunk"          # 0 arm down along the body, 180 overhead
    points = ["left_shoulder", "left_wrist"]

    [reps]
    drive = "arm"
    min_range = 90                   # from the arm down (0) past level (90): a wave stays below

    [selftest]
    camera = { azimuth_deg = 90 }
    [selftest.poses]
    up = { shoulder_flex = 175 }
    [selftest.sequences]
    rep = [{ pose = "up", move_s = 1.0, hold_s = 0.5, tag = "rep" },
           { pose = "standing", move_s = 1.0, hold_s = 0.5 }]
    [[selftest.cases]]
    name = "four raises"
    start = "standing"
    script = ["rep", "rep", "rep", "rep"]
    expect = { reps = 4 }
    [[selftest.cases]]
    name = "a wave of the hand counts nothing"
    start = "standing"
    script = [{ pose = { shoulder_flex = 70 }, move_s = 0.5, hold_s = 0.5 },
              { pose = "standing", move_s = 0.5, hold_s = 0.5 }]
    expect = { reps = 0 }
    """
)


def _write(tmp_path, text, name="ex.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace("min_range = 90", "min_range = = 90"), r"ex\.toml: TOML syntax error"),
        (
            lambda s: s.replace('"left_wrist"', '"left_wirst"'),
            r"ex\.toml: features\.arm: unknown landmark 'left_wirst'",
        ),
        (lambda s: s.replace("min_range = 90", ""), r"ex\.toml: reps\.min_range: Field required"),
        (
            lambda s: s.replace("min_range = 90", "min_range = -5"),
            r"ex\.toml: reps\.min_range: Input should be greater than 0",
        ),
        (  # the old fixed thresholds get a pointer to what replaced them
            lambda s: s.replace("min_range = 90", "min_range = 90\nenter = 150\nleave = 60"),
            r"ex\.toml: reps: 'enter' is no longer used: .* give min_range",
        ),
        (
            lambda s: s.replace("min_range = 90", "min_range = 90\nlimits = [10, -10]"),
            r"ex\.toml: reps: limits \[10\.0, -10\.0\] must be \[low, high\]",
        ),
        (
            lambda s: s.replace('drive = "arm"', 'drive = "elbow"'),
            r"ex\.toml: reps\.drive: unknown feature 'elbow'",
        ),
        (
            lambda s: s.replace(
                "min_range = 90", 'min_range = 90\nrequire = [{ feature = "elbow", above = 1 }]'
            ),
            r"ex\.toml: reps\.require\[0\]\.feature: unknown feature 'elbow'; defined: arm$",
        ),
        (
            lambda s: s.replace(
                "min_range = 90", 'min_range = 90\nrequire = [{ feature = "arm", abve = 1 }]'
            ),
            r"ex\.toml: reps\.require\[0\]\.abve: unknown key",
        ),
        (
            lambda s: s.replace("min_range = 90", 'min_range = 90\nrequire = { feature = "arm" }'),
            r"ex\.toml: reps\.require\[0\]: a condition needs exactly one of below, above",
        ),
        (
            lambda s: s.replace(
                "min_range = 90", 'min_range = 90\nrequire = { feature = "arm_{side}", below = 9 }'
            ),
            r"ex\.toml: reps\.require\[0\]\.feature: '\{side\}' needs reps\.sides 'each'",
        ),
        (
            lambda s: s.replace('posture = "standing"', 'posture = "upside down"'),
            r"ex\.toml: posture: Input should be",
        ),
        (
            lambda s: s.replace('view = "side"', 'view = "side"\ncolour = "red"'),
            r"ex\.toml: colour: unknown key",
        ),
    ],
)
def test_malformed_definition_is_one_line_with_file_and_key(tmp_path, change, message):
    path = _write(tmp_path, change(ARM_RAISE))
    with pytest.raises(DefinitionError, match=message) as err:
        load_definition(path)
    assert "\n" not in str(err.value)
    result = CliRunner().invoke(app, ["exercises", "check", str(path)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "ex.toml" in lines[0] and "Traceback" not in result.output


def test_fault_with_unknown_feature_is_caught_at_load_time(tmp_path):
    text = ARM_RAISE + textwrap.dedent(
        """
        [[faults]]
        id = "bent_elbow"
        when = { feature = "elbow", below = 150 }
        cue = "Straighten your elbow"
        """
    )
    with pytest.raises(
        DefinitionError, match=r"faults\[0\]\.when\.feature: unknown feature 'elbow'"
    ):
        load_definition(_write(tmp_path, text))


def test_dropped_in_exercise_is_found_and_counts(tmp_path, monkeypatch):
    folder = tmp_path / "exercises"
    folder.mkdir()
    _write(folder, ARM_RAISE, "arm-raise.toml")
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(folder))
    assert "arm-raise" in [d.id for d in list_exercises()]
    defn = load_exercise("Standing arm raise")  # by name, as a user would type it
    from formcheck.engine.selftest import VARIANTS, run_selftest

    outcomes = run_selftest(defn)
    assert outcomes and all(o.ok for o in outcomes), [o.problems for o in outcomes if not o.ok]
    assert [len(o.reps) for o in outcomes if o.case == "four raises"] == [4] * len(VARIANTS)
    result = CliRunner().invoke(app, ["exercises", "check", "arm-raise"])
    assert result.exit_code == 0, result.output


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(DefinitionError, match="unknown exercise 'bird dgo'.*bird-dog"):
        load_exercise("bird dgo")


def test_engine_accepts_every_bundled_definition():
    for d in list_exercises():
        Engine(d)  # compiles features; raises on anything inconsistent


def test_worked_example_in_routines_readme_passes_its_selftest(tmp_path):
    from pathlib import Path

    from formcheck.engine.selftest import VARIANTS, run_selftest

    text = (Path(__file__).resolve().parents[2] / "routines" / "README.md").read_text()
    start = text.index("```toml") + len("```toml")
    example = _write(tmp_path, text[start : text.index("```", start)], "arm-raise.toml")
    defn = load_definition(example)
    outcomes = run_selftest(defn)
    assert len(outcomes) == 3 * len(VARIANTS) and all(o.ok for o in outcomes)
    bent = [o for o in outcomes if o.case == "bent elbow on rep 2"]
    assert all([r.faults for r in o.reps] == [(), ("bent_elbow",), ()] for o in bent)


def test_trough_rule_judges_the_rest_before_each_rep(tmp_path):
    """'Arms not straight at the bottom'-style rules: judged at the rest extreme before a rep."""
    text = ARM_RAISE.replace(
        "[selftest]",
        textwrap.dedent(
            """
            [[faults]]
            id = "not_lowered"
            when = { feature = "arm", above = 40 }
            phases = ["trough"]
            cue = "Lower the arm all the way"

            [selftest]
            """
        ),
        1,
    )
    text += textwrap.dedent(
        """
        [[selftest.cases]]
        name = "rep 3 starts from a half-lowered arm"
        start = "standing"
        script = ["rep", { pose = "up", move_s = 1.0, hold_s = 0.5, tag = "rep" },
                  { pose = { shoulder_flex = 50 }, move_s = 1.0, hold_s = 0.5 },
                  { pose = "up", move_s = 1.0, hold_s = 0.5, tag = "rep" },
                  { pose = "standing", move_s = 1.0, hold_s = 0.5 }]
        expect = { reps = 3, faults = { not_lowered = [3] } }
        """
    )
    defn = load_definition(_write(tmp_path, text))
    from formcheck.engine.selftest import run_selftest

    outcomes = run_selftest(defn, cases=["rep 3 starts from a half-lowered arm", "four raises"])
    assert outcomes and all(o.ok for o in outcomes), [o.problems for o in outcomes if not o.ok]


def test_a_combine_can_use_the_min_and_max_of_a_sided_feature():
    from formcheck.features.measure import FeatureSet
    from formcheck.features.spec import FeatureDef
    from formcheck.synth.camera import Camera
    from formcheck.synth.render import render
    from formcheck.synth.script import Script

    features = FeatureSet({
        "knee": FeatureDef(kind="angle", points=["{side}_hip", "{side}_knee", "{side}_ankle"]),
        "spread": FeatureDef(kind="combine", op="diff", of=["knee_max", "knee_min"]),
    })  # fmt: skip
    pose = {"knee_flex_left": 60}
    script = Script.from_dict(
        {"poses": {}, "start": pose, "steps": [{"pose": pose, "move_s": 0.1}]}
    )
    values = features.evaluate(render(script, Camera(azimuth_deg=90))[-1])
    assert values["knee_max"] == pytest.approx(180, abs=1)
    assert values["spread"] == pytest.approx(60, abs=1)
