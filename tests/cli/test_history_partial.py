"""Interrupted sets (issue 20, item 13c) are saved by the CLI as partial sessions and shown as
partial by `history list`, `history show`, `history export` and `progress`."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.cli.common import save_to_history

runner = CliRunner()
LEGEND = "* partial session: interrupted (stopped before the set ended)"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _result(reps: int, *, interrupted: bool = False) -> dict:
    """A bird-dog ``formcheck.result`` with ``reps`` alternating reps, each held 2.5 s."""
    out = {
        "schema": "formcheck.result", "version": 1, "exercise": "bird-dog", "source": "set.mp4",
        "duration_s": 4.0 * reps + 1.0,
        "reps": [
            {"index": i, "side": "left" if i % 2 else "right", "side_index": (i + 1) // 2,
             "start_s": 4.0 * i, "end_s": 4.0 * i + 3.5, "range": 90.0, "hold_s": 2.5,
             "hold_met": True, "faults": [], "evidence": [], "uncertain": False}
            for i in range(1, reps + 1)
        ],
        "summary": {}, "events": [],
    }  # fmt: skip
    if interrupted:
        out["interrupted"] = True  # what analyze / live put in after Ctrl+C or an early stop
    return out


def _save(result: dict) -> None:
    """What `analyze` and the live window do after showing a result (the call as it is)."""
    save_to_history(result, source_kind="video", profile="anna")


def _row(output: str, session_id: int) -> str:
    (line,) = re.findall(rf"(?m)^\s*{session_id}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d .*$", output)
    return line


@pytest.fixture
def saved(home) -> None:
    """Session 1 complete (6 reps), session 2 interrupted after 2 reps."""
    _save(_result(6))
    _save(_result(2, interrupted=True))


def test_history_list_marks_the_interrupted_session_partial_with_a_legend(saved):
    out = runner.invoke(app, ["history", "list"])
    assert out.exit_code == 0, out.output
    assert re.search(r"\s6\s+2\.5 s", _row(out.stdout, 1))  # reps without a mark
    assert re.search(r"\s2\*\s+2\.5 s", _row(out.stdout, 2))  # reps marked *
    assert LEGEND in out.stdout
    assert "its reps are not the whole set" in out.stdout


def test_history_list_of_complete_sessions_says_nothing_about_partial(home):
    _save(_result(6))
    out = runner.invoke(app, ["history"])
    assert out.exit_code == 0, out.output
    assert "*" not in out.stdout and "partial" not in out.stdout


def test_history_show_and_csv_export_say_partial(saved):
    out = runner.invoke(app, ["history", "show", "2"])
    assert out.exit_code == 0, out.output
    assert "partial: interrupted (stopped before the set ended)" in out.stdout
    out = runner.invoke(app, ["history", "show", "1"])
    assert "partial" not in out.stdout
    out = runner.invoke(app, ["history", "export", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["partial"] for r in rows] == ["", "interrupted"]


def test_progress_says_how_many_sessions_were_partial(saved):
    out = runner.invoke(app, ["progress"])
    assert out.exit_code == 0, out.output
    assert "bird-dog: 2 sessions, 1 partial" in out.stdout
    assert "reps 6.0 → – per complete session" in out.stdout
