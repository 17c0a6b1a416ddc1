"""`formcheck exercises`: show, list (piped too), check's messages and render; a broken file in
a user folder is skipped with a warning."""

import json

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import list_exercises, load_exercise
from formcheck.engine.catalogue import bundled_routines_dir

runner = CliRunner()


def test_show_states_the_counting_gate_and_the_prose_is_rewrapped(wide_console):
    result = runner.invoke(app, ["exercises", "show", "pull-up"])
    assert result.exit_code == 0, result.output
    assert "counted only while hand_over_elbow_min > 0.1" in result.output
    # the description's line breaks in the TOML do not cut sentences on screen
    assert "hands about shoulder-width apart or a little wider" in result.output
    assert "segmentation mask" not in result.output


def test_show_says_how_to_get_into_the_start_position(wide_console):
    result = runner.invoke(app, ["exercises", "show", "push-up"])
    assert result.exit_code == 0, result.output
    assert "start: Get into a plank: hands under the shoulders, body straight" in result.output
    plain = runner.invoke(app, ["exercises", "show", "squat"])  # no words of its own
    assert plain.exit_code == 0 and "start:" not in plain.output


def test_show_says_when_the_outline_is_used(wide_console):
    result = runner.invoke(app, ["exercises", "show", "bird-dog"])
    assert result.exit_code == 0, result.output
    assert "the pose model runs with its segmentation mask" in result.output
    assert "rounded_back" in result.output and "counted only while" not in result.output


def test_show_says_how_each_feature_and_fault_reads_in_words(wide_console):
    result = runner.invoke(app, ["exercises", "show", "bird-dog"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    # generated from the kind and the points, and a label from the TOML
    assert ["knee", "angle", "{side}_hip,", "{side}_knee,", "{side}_ankle", "{side}", "knee",
            "angle", "(°)"] in rows  # fmt: skip
    assert "{side} leg and {other} arm above the floor line (°)" in result.output
    assert ["bent", "knee"] in rows and ["hold", "too", "short"] in rows  # under their ids


# -- piped output, broken user files -----------------------------------------------------------
BROKEN = 'id = "oops"\nname = [unclosed\n'


@pytest.fixture
def broken_user_file(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "oops.toml").write_text(BROKEN)
    monkeypatch.setenv("FORMCHECK_EXERCISES", str(folder))
    monkeypatch.setenv("FORMCHECK_ROUTINES", str(folder))
    return folder / "oops.toml"


def test_list_through_a_pipe_prints_whole_ids_tab_separated():
    result = runner.invoke(app, ["exercises", "list"])  # CliRunner's stdout is not a terminal
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "id\tname\tposture\tview\tcounted\tfaults"
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert {d.id for d in list_exercises()} == set(rows)
    assert rows["lateral-raise"][:4] == [
        "lateral-raise",
        "Standing lateral arm raise",
        "standing",
        "front",
    ]
    assert rows["prone-double-leg-raise"][2] == "prone"
    assert all(len(r) == 6 for r in rows.values())
    assert "…" not in result.stdout


def test_routines_list_through_a_pipe_is_tab_separated_too():
    result = runner.invoke(app, ["routines", "list"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id\tname\texercises",
        "back-basics\tBack basics\tbird-dog, cat-cow, superman, reverse-fly",
    ]


def test_a_broken_user_file_is_one_warning_and_the_catalogue_still_lists(broken_user_file):
    result = runner.invoke(app, ["exercises", "list"])
    assert result.exit_code == 0, result.output
    assert "bird-dog\tBird-dog" in result.stdout and "oops" not in result.stdout
    assert result.stderr.splitlines() == [
        f"formcheck: warning: skipped {broken_user_file}: TOML syntax error: Invalid value "
        "(at line 2, column 9)"
    ]
    shown = runner.invoke(app, ["exercises", "show", "bird dog"])  # an alias look-up
    assert shown.exit_code == 0, shown.output
    routines = runner.invoke(app, ["routines", "list"])
    assert routines.exit_code == 0 and "back-basics\t" in routines.stdout
    assert "skipped" in routines.stderr and "oops.toml" in routines.stderr


def test_only_asking_for_the_broken_file_fails(broken_user_file, one_line_error):
    one_line_error(
        runner.invoke(app, ["exercises", "show", "oops"]), f"{broken_user_file}: TOML syntax error"
    )


def test_routines_check_fails_on_a_broken_file(broken_user_file):
    result = runner.invoke(app, ["routines", "check"])
    assert result.exit_code == 1
    assert "back-basics.toml: ok" in result.stdout
    assert f"x {broken_user_file}: TOML syntax error" in result.stdout


def test_check_of_a_file_without_selftest_says_so_in_full(tmp_path):
    text = (bundled_routines_dir() / "exercises" / "squat.toml").read_text()
    path = tmp_path / "squat-no-test.toml"
    path.write_text(text[: text.index("[selftest]")])
    result = runner.invoke(app, ["exercises", "check", str(path), "--quick"])
    assert result.exit_code == 0, result.output
    assert "squat: valid, but has no [selftest] to run" in result.stdout


def test_check_far_hidden_finds_a_rule_on_the_far_leg(tmp_path):
    """The push-up's body line read through the ankles' midpoint (needing both legs) passes
    the plain check; with the far leg hidden, as from the side, the sagging hips go unjudged."""
    text = (bundled_routines_dir() / "exercises" / "push-up.toml").read_text()
    start = text.index("[features.body_line_side]")
    end = text.index("[reps]")
    midpoint = 'kind = "bend"\npoints = ["shoulder_mid", "hip_mid", "ankle_mid"]\n\n'
    path = tmp_path / "push-up-midpoint.toml"
    path.write_text(text[:start] + "[features.body_line]\n" + midpoint + text[end:])
    plain = runner.invoke(app, ["exercises", "check", str(path), "--quick"])
    assert plain.exit_code == 0, plain.output
    hidden = runner.invoke(app, ["exercises", "check", str(path), "--quick", "--far-hidden"])
    assert hidden.exit_code == 1
    assert "far side's limbs hidden" in hidden.stdout
    assert "hips_sagging expected, not raised" in hidden.stdout
    ok = runner.invoke(app, ["exercises", "check", "push-up", "--quick", "--far-hidden"])
    assert ok.exit_code == 0, ok.output


def test_check_far_hidden_says_which_expected_faults_went_unjudged():
    """The bird-dog's far leg drooping on rep 2 is behind the near shank: "not judged" is the
    right answer, and the check passes, but says so rather than in silence."""
    result = runner.invoke(app, ["exercises", "check", "bird-dog", "--quick", "--far-hidden"])
    assert result.exit_code == 0, result.output
    assert "bird-dog: 10 checks, ok; 1 expected fault not judged, on a hidden limb" in (
        result.stdout
    )
    plain = runner.invoke(app, ["exercises", "check", "bird-dog", "--quick"])
    assert plain.exit_code == 0 and "not judged" not in plain.stdout


# -- render --------------------------------------------------------------------------------------
def test_render_refuses_a_case_or_variant_that_does_not_exist(tmp_path, one_line_error):
    out = str(tmp_path / "x.jsonl.gz")
    one_line_error(
        runner.invoke(app, ["exercises", "render", "squat", "--case", "9", "-o", out]),
        "squat has no case 9; its cases: 1 ",
    )
    one_line_error(
        runner.invoke(app, ["exercises", "render", "squat", "--variant", "sideways", "-o", out]),
        "no variant 'sideways'; variants: ideal; noise 1%; dropout 5%; yaw +20;",
    )
    one_line_error(
        runner.invoke(app, ["exercises", "render", "squat", "-o", str(tmp_path / "x.gif")]),
        "x.gif: expected a .mp4 video or a .jsonl.gz recording",
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("exercise", "case"), [("bird-dog", 2), ("squat", 1), ("arm-circles", 1), ("pull-up", 1)]
)
def test_a_rendered_recording_analyses_to_the_case_s_expected_counts(tmp_path, exercise, case):
    defn = load_exercise(exercise)
    expect = defn.selftest.cases[case - 1]["expect"]
    out = tmp_path / "case.jsonl.gz"
    made = runner.invoke(
        app, ["exercises", "render", exercise, "--case", str(case), "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["analyze", str(out), "-e", exercise, "--json", "--no-history"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    want = expect["reps"] if isinstance(expect["reps"], dict) else {"both": expect["reps"]}
    assert {k: v for k, v in summary["reps_by_side"].items() if v} == want
    if not defn.needs_mask:  # a recording keeps no outline: outline faults are not judged
        assert summary["faults"] == {f: len(reps) for f, reps in expect.get("faults", {}).items()}


def test_a_rendered_video_is_counted_by_the_pose_model_as_the_case_expects(tmp_path, pose_model):
    out = tmp_path / "x.mp4"
    made = runner.invoke(app, ["exercises", "render", "squat", "--case", "4", "-o", str(out)])
    assert made.exit_code == 0, made.output
    assert "114 frames at 30 fps" in made.stdout
    args = ["analyze", str(out), "-e", "squat", "--json", "--no-history", "--model",
            str(pose_model)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # "too fast on rep 1" (a short case, so the pose model's run stays short): what the
    # self-test expects, read from the picture by the pose model
    summary = json.loads(result.stdout)["summary"]
    assert summary["reps_by_side"] == {"both": 2}
    assert summary["faults"] == {"too_fast": 1}


def test_show_numbers_the_self_test_cases_as_render_takes_them(wide_console):
    result = runner.invoke(app, ["exercises", "show", "bird-dog"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert ["2", "bent", "knee", "on", "rep", "3", "reps", "left", "2,", "right", "2;", "faults",
            "bent_knee", "on", "rep", "3;", "hold_short", "on", "rep", "3"] in rows  # fmt: skip
    assert ["9", "fidget:", "small", "leg", "lifts", "count", "nothing", "reps", "0"] in rows


def test_a_misspelt_sequence_names_the_file_the_case_and_the_sequences(tmp_path, one_line_error):
    text = (bundled_routines_dir() / "exercises" / "bird-dog.toml").read_text()
    clean = 'script = ["left", "right", "left", "right", "left", "right"]'
    path = tmp_path / "bird-dog.toml"
    path.write_text(text.replace(clean, 'script = ["left", "rihgt"]'))
    one_line_error(
        runner.invoke(app, ["exercises", "check", str(path), "--quick"]),
        f"{path}: selftest.cases[0].script[1]: unknown sequence 'rihgt'; sequences: left, right",
    )
