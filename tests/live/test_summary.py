"""The end of a session: the report is written atomically, the summary lines are right."""

from __future__ import annotations

import json

import pytest

from formcheck.engine import load_exercise
from formcheck.errors import OutputError
from formcheck.live import LiveSession, open_live_input, save_report, summary_lines


@pytest.fixture(scope="module")
def result(bird_dog):
    with open_live_input(bird_dog, speed=0) as feed:
        return LiveSession(load_exercise("bird-dog")).run(feed).result


def test_report_is_the_result_written_atomically(tmp_path, result):
    path = save_report(result, tmp_path / "new" / "folder")
    assert path == tmp_path / "new" / "folder" / "report.json"
    assert json.loads(path.read_text()) == result
    assert [p.name for p in path.parent.iterdir()] == ["report.json"]  # no temp file left
    save_report({**result, "duration_s": 1.0}, path.parent)  # replaced, not appended
    assert json.loads(path.read_text())["duration_s"] == 1.0


def test_report_into_a_file_is_one_clear_error(tmp_path, result):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write a report into"):
        save_report(result, blocker)


def test_summary_lines(result):
    lines = summary_lines(result, "Bird-dog")
    assert lines[:4] == (
        "Bird-dog: session summary",
        "4 reps  (left 2, right 2)",
        "holds: mean 2.8 s, 3/4 on target with good form",
        "faults: bent knee ×1, hold too short ×1",
    )
    assert lines[6] == "  rep 3  left  hold 2.8 s (0.0 s good form)  bent knee, hold too short"
