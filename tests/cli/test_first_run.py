"""The first command a newcomer runs, on the bundled sample (issue 17): what could not be judged
is a plain note, not a warning, and the mannequin's set stays out of the training history
unless asked (``--history``), with one line that says so."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.recording import RecordingHeader, RecordingWriter, read_recording
from formcheck.store import open_history

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "bird-dog.jsonl.gz"
runner = CliRunner()
NOT_SAVED = (
    "formcheck: bird-dog.jsonl.gz is the synthetic mannequin, not a person: not saved to your "
    "training history (--history saves it)"
)


def _sessions() -> list[tuple[str, int, bool]]:
    with open_history() as history:
        return [(s.exercise, s.reps, s.synthetic) for s in history.list_sessions()]


def test_the_quick_start_command_is_clean_and_keeps_the_history_empty(home, wide_console):
    result = runner.invoke(app, ["analyze", str(SAMPLE), "-e", "bird-dog"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Bird-dog - bird-dog.jsonl.gz (22.8 s): 4 reps")
    # the faults in plain words, with what was measured, the aim, the rep and when
    assert "faults: bent knee ×1, hold too short ×1\n" in result.stdout
    assert (
        "  bent knee: left knee bent to 134° (aim: at least 150°), rep 3, 12.1–15.7 s\n"
        "  hold too short: held with good form for 0.0 s (aim: at least 2 s), rep 3, "
        "11.6–16.1 s\n"
    ) in result.stdout
    assert "knee_left" not in result.stdout and "bent_knee" not in result.stdout
    # why the rounded back was not judged: no outline in a recording, not "not clearly seen"
    assert (
        "rounded back not judged on reps 1, 2, 3, 4: a landmark recording keeps no body outline"
        in result.stdout
    )
    assert "not clearly seen" not in result.stdout
    assert result.stderr.splitlines() == [
        "formcheck: note: bird-dog.jsonl.gz: landmark recordings keep no body outline, so "
        "rounded back cannot be judged; analyse the video for it",
        NOT_SAVED,
    ]
    assert "warning" not in result.output
    assert _sessions() == []


def test_a_copy_of_the_sample_elsewhere_is_still_the_mannequin(home, tmp_path):
    copy = tmp_path / "mine" / "bird-dog.jsonl.gz"
    copy.parent.mkdir()
    shutil.copy(SAMPLE, copy)
    result = runner.invoke(app, ["analyze", str(copy), "-e", "bird-dog"])
    assert result.exit_code == 0, result.output
    assert NOT_SAVED in result.stderr.splitlines()
    assert _sessions() == []


def test_asked_with_history_the_sample_is_saved_and_marked_synthetic(home):
    result = runner.invoke(app, ["analyze", str(SAMPLE), "-e", "bird-dog", "--history"])
    assert result.exit_code == 0, result.output
    assert "not saved" not in result.stderr
    assert _sessions() == [("bird-dog", 4, True)]


def test_a_persons_recording_is_saved_as_before(home, tmp_path):
    """The same landmarks under a pose model's header: a person's set, saved by default."""
    header, frames = read_recording(SAMPLE)
    person = tmp_path / "anna.jsonl.gz"
    with RecordingWriter(person, RecordingHeader("anna.mp4", header.fps, header.resolution_wh,
                                                 model="full")) as writer:  # fmt: skip
        for frame in frames:
            writer.write(frame)
    result = runner.invoke(app, ["analyze", str(person), "-e", "bird-dog"])
    assert result.exit_code == 0, result.output
    assert "not saved" not in result.stderr
    assert _sessions() == [("bird-dog", 4, False)]


def test_several_samples_get_one_line(home, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "again.jsonl.gz")
    inputs = [str(SAMPLE), str(tmp_path / "again.jsonl.gz")]
    result = runner.invoke(app, ["analyze", *inputs, "-e", "bird-dog"])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stderr.splitlines() if "not saved" in ln]
    assert lines == [
        "formcheck: 2 sets of the synthetic mannequin, not of a person, were not saved to your "
        "training history (--history saves them)"
    ]
    assert _sessions() == []


def test_live_on_the_sample_is_not_saved_either(home):
    result = runner.invoke(app, ["live", "bird-dog", "--video", str(SAMPLE), "--headless",
                                 "--no-audio", "--speed", "0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert NOT_SAVED in result.stderr.splitlines()
    assert _sessions() == []
