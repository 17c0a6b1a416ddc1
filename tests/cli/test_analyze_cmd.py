"""``formcheck analyze`` and ``formcheck exercises`` in-process, on the bundled samples."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def test_analyze_json_contract_on_the_bundled_sample():
    result = runner.invoke(
        app, ["analyze", str(SAMPLES / "bird-dog.jsonl.gz"), "-e", "bird-dog", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["exercise"] == "bird-dog"
    assert out["summary"]["reps"] == 4
    assert out["summary"]["reps_by_side"] == {"left": 2, "right": 2}
    assert out["summary"]["faults"] == {"bent_knee": 1, "hold_short": 1}
    assert [r["side"] for r in out["reps"]] == ["left", "right", "left", "right"]
    assert [r["faults"] for r in out["reps"]] == [[], [], ["bent_knee", "hold_short"], []]
    for rep in out["reps"]:
        assert {"index", "side", "start_s", "end_s", "hold_s", "faults"} <= set(rep)
        assert rep["start_s"] < rep["end_s"]
    # scripted 2.5 s holds: all four held in position, rep 3 with a bent knee throughout
    assert [round(r["hold_s"]) for r in out["reps"]] == [3, 3, 3, 3]
    assert [round(r["form_hold_s"]) for r in out["reps"]] == [3, 3, 0, 3]


def test_golden_report_of_a_generated_recording():
    """Stable ordering and rounding: the whole JSON of the cat-cow sample is fixed."""
    result = runner.invoke(
        app, ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "cat-cow", "--json"]
    )
    assert result.exit_code == 0, result.output
    golden = json.loads((Path(__file__).parent / "golden_cat-cow.json").read_text())
    assert json.loads(result.stdout) == golden


def test_analyze_prints_a_readable_summary():
    result = runner.invoke(
        app, ["analyze", str(SAMPLES / "reverse-fly.jsonl.gz"), "-e", "reverse fly"]
    )
    assert result.exit_code == 0, result.output
    assert "3 reps" in result.output
    assert (
        "arms low: arm above the floor line (lower side): −31° (aim: at least −20°), rep 2, "
        "4.1–4.8 s"
    ) in result.output
    assert "arms_low" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "missing.jsonl", "-e", "bird-dog"], "no such recording"),
        (
            ["analyze", str(SAMPLES / "bird-dog.jsonl.gz"), "-e", "no-such-exercise"],
            "unknown exercise",
        ),
    ],
)
def test_analyze_bad_input_is_one_line(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_exercises_list_and_show():
    result = runner.invoke(app, ["exercises", "list"])
    assert result.exit_code == 0
    for token in ("bird-dog", "cat-cow", "reverse-fly", "all fours", "alternating"):
        assert token in result.output
    result = runner.invoke(app, ["exercises", "show", "bird-dog"])
    assert result.exit_code == 0
    assert "Straighten your" in result.output and "leg_level_{side}" in result.output


def test_every_command_has_help():
    for args in (
        ["--help"],
        ["analyze", "--help"],
        ["record", "--help"],
        ["exercises", "--help"],
        ["exercises", "check", "--help"],
        ["models", "--help"],
        ["models", "fetch", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output, args
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("formcheck ")


def test_analyze_saves_to_the_training_history_unless_told_not_to(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    from formcheck.store import open_history

    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    assert runner.invoke(app, ["analyze", sample, "-e", "bird-dog", "--no-history"]).exit_code == 0
    assert not (tmp_path / "history.sqlite3").exists()
    # the mannequin's set is saved only when asked (--history)
    result = runner.invoke(
        app, ["analyze", sample, "-e", "bird-dog", "--profile", "anna", "--history"]
    )
    assert result.exit_code == 0, result.output
    with open_history() as history:
        sessions = history.list_sessions(profile="anna")
    assert [(s.exercise, s.reps) for s in sessions] == [("bird-dog", 4)]


def _custom_bird_dog(folder: Path) -> Path:
    """A coach's own exercise: the bundled bird-dog under a new id, name and aliases."""
    text = (SAMPLES.parent / "routines" / "exercises" / "bird-dog.toml").read_text()
    for old, new in [
        ('id = "bird-dog"', 'id = "my-bird-dog"'),
        ('name = "Bird-dog"', 'name = "My bird-dog"'),
        ('aliases = ["bird dog", "birddog", ', 'aliases = ["coach dog", '),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    path = folder / "my-bird-dog.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("how", ["file", "user folder", "alias"])
def test_a_custom_exercise_is_summarised_and_saved(tmp_path, monkeypatch, how):
    """The coach's path: a definition file, the user's exercise folder, or an alias of one,
    all the way to the printed summary and the training history (not only the reports)."""
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    if how == "file":
        spec = str(_custom_bird_dog(tmp_path))
    else:
        user = tmp_path / "config" / "formcheck" / "exercises"
        user.mkdir(parents=True)
        _custom_bird_dog(user)
        spec = "my-bird-dog" if how == "user folder" else "Coach Dog"
    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", sample, "-e", spec, "-o", str(out), "--history"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("My bird-dog - bird-dog.jsonl.gz (22.8 s): 4 reps")
    report = json.loads((out / "bird-dog" / "report.json").read_text())
    assert report["exercise"]["id"] == "my-bird-dog"
    from formcheck.store import open_history

    with open_history() as history:
        sessions = history.list_sessions()
    assert [(s.exercise, s.reps) for s in sessions] == [("my-bird-dog", 4)]
