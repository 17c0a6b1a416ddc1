"""Interrupted sets (issue 20, item 13c) are saved by the CLI as partial sessions and shown as
partial by `history list`, `history show`, `history export` and `progress`."""

from __future__ import annotations

import csv
import io
import re

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.cli.common import save_to_history

runner = CliRunner()
LEGEND = "* partial session: interrupted (stopped before the set ended)"


def _save(result: dict) -> None:
    """What `analyze` and the live window do after showing a result (the call as it is)."""
    save_to_history(result, source_kind="video", profile="anna")


def _row(output: str, session_id: int) -> str:
    (line,) = re.findall(rf"(?m)^\s*{session_id}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d .*$", output)
    return line


@pytest.fixture
def saved(home, make_result) -> None:
    """Session 1 complete (6 reps), session 2 interrupted after 2 reps."""
    _save(make_result(6))
    _save(make_result(2, interrupted=True))


def test_history_list_marks_the_interrupted_session_partial_with_a_legend(saved):
    out = runner.invoke(app, ["history", "list"])
    assert out.exit_code == 0, out.output
    assert re.search(r"\s6\s+2\.5 s", _row(out.stdout, 1))  # reps without a mark
    assert re.search(r"\s2\*\s+2\.5 s", _row(out.stdout, 2))  # reps marked *
    assert LEGEND in out.stdout
    assert "its reps are not the whole set" in out.stdout


def test_history_list_of_complete_sessions_says_nothing_about_partial(home, make_result):
    _save(make_result(6))
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
