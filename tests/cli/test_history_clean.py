"""`history list/show/export` and `progress` on a schema 4 history (issue 15): the source column,
the recording date and where it came from, notes, absolute report paths, and the synthetic and
unsure marks that progress leaves out unless asked."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from formcheck.cli import history_cmd
from formcheck.cli.app import app
from formcheck.store import open_history

runner = CliRunner()
LONG = "VID_20261128_101500_front_view_of_anna_doing_bird_dogs.mp4"
UNSURE_LEGEND = (
    "? exercise guessed, unsure (--exercise auto); progress leaves it out unless given --unsure"
)
SYNTHETIC_LEGEND = (
    "(synthetic): a recording of the synthetic mannequin, not a person; progress leaves it out "
    "unless given --synthetic"
)


@pytest.fixture(autouse=True)
def _utc(time_zone) -> None:
    """Times are shown in local time: here that is UTC, whatever the machine's zone."""
    time_zone("UTC")


@pytest.fixture
def saved(home, tmp_path, monkeypatch, make_result) -> None:
    """1: anna's phone video, 28 Nov (container date, a note, a report); 2: the bundled sample
    (synthetic), 29 Nov; 3: a live session whose exercise was guessed unsure, 30 Nov; 4: a date
    typed by hand, 1 Dec."""
    monkeypatch.chdir(tmp_path)
    with open_history() as history:
        history.save(
            make_result(source=LONG), source_kind="video", profile="anna",
            recorded_from="container", started_at="2026-11-28T10:15:00Z",
            notes="left knee sore", content_hash="a" * 64, report_path="reports/set/report.html",
        )  # fmt: skip
        history.save(
            make_result(4, source="bird-dog.jsonl.gz"), source_kind="recording", profile="anna",
            started_at="2026-11-29T09:00:00Z", recorded_from="container", synthetic=True,
        )  # fmt: skip
        history.save(
            make_result(3, source="camera 0"), source_kind="live", profile="anna", unsure=True,
            started_at="2026-11-30T18:00:00Z", recorded_from="analysed",
        )  # fmt: skip
        history.save(
            make_result(3), source_kind="video", profile="anna",
            started_at="2026-12-01T00:00:00Z", recorded_from="given",
        )  # fmt: skip


def _row(output: str, session_id: int) -> str:
    (line,) = re.findall(rf"(?m)^\s*{session_id}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d .*$", output)
    return line


def test_history_list_shows_the_whole_source_and_the_marks_when_piped(saved):
    out = runner.invoke(app, ["history", "list"])
    assert out.exit_code == 0, out.output
    header = next(line for line in out.stdout.splitlines() if "source" in line).split()
    assert header == ["id", "recorded", "profile", "exercise", "source", "reps", "hold", "faults"]
    assert re.search(rf"2026-11-28 10:15\s+anna\s+bird-dog\s+{LONG}\s+2\s", _row(out.stdout, 1))
    assert re.search(r"bird-dog\s+bird-dog\.jsonl\.gz \(synthetic\)\s+4\s", _row(out.stdout, 2))
    assert re.search(r"bird-dog\?\s+camera 0\s+3\s", _row(out.stdout, 3))
    assert UNSURE_LEGEND in out.stdout and SYNTHETIC_LEGEND in out.stdout


def test_history_list_without_marked_sessions_has_no_legend(home, make_result):
    with open_history() as history:
        history.save(make_result(), source_kind="video")
    out = runner.invoke(app, ["history"])
    assert out.exit_code == 0, out.output
    assert "?" not in out.stdout and "synthetic" not in out.stdout


def test_on_a_terminal_a_long_source_is_shortened_in_the_middle(saved, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(history_cmd, "console", Console(file=screen, force_terminal=True,
                                                        width=100, color_system=None))  # fmt: skip
    out = runner.invoke(app, ["history", "list"])
    assert out.exit_code == 0, out.output
    text = screen.getvalue()
    assert LONG not in text
    # 100 columns leave 28 for the source: 13 characters, an ellipsis, the last 14.
    assert "VID_20261128_…_bird_dogs.mp4 " in _row(text, 1)
    assert "bird-dog.jsonl.gz (synthetic)" in _row(text, 2)
    assert all(len(_row(text, i).rstrip()) <= 100 for i in (1, 2, 3, 4))  # nothing cropped


def test_history_show_says_when_where_the_date_came_from_the_report_and_the_note(saved, tmp_path):
    out = runner.invoke(app, ["history", "show", "1"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[:5] == [
        "session 1: bird-dog, profile anna",
        "recorded 2026-11-28 10:15 (from the video's metadata)",
        f"{LONG} (video), 9.0 s, 2 reps",
        f"report: {tmp_path.resolve() / 'reports' / 'set' / 'report.html'}",
        "notes: left knee sore",
    ]


@pytest.mark.parametrize(
    ("session_id", "expected"),
    [
        (2, ["recorded 2026-11-29 09:00 (from the recording's header)",
             "synthetic: a recording of the synthetic mannequin; progress leaves it out"]),
        (3, ["recorded 2026-11-30 18:00 (live)",
             "unsure: --exercise auto guessed the exercise and was unsure; progress leaves it"
             " out"]),
        (4, ["recorded 2026-12-01 (given by hand)"]),
    ],
)  # fmt: skip
def test_history_show_words_each_origin_and_mark(saved, session_id, expected):
    out = runner.invoke(app, ["history", "show", str(session_id)])
    assert out.exit_code == 0, out.output
    for line in expected:
        assert line in out.stdout.splitlines()
    assert "notes:" not in out.stdout


def test_progress_leaves_synthetic_and_unsure_sessions_out_and_says_so(saved):
    out = runner.invoke(app, ["progress"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == [
        "bird-dog: 2 sessions, 2026-11-28 → 2026-12-01 (first 1 vs last 1): reps 2.0 → 3.0 per "
        "session; hold 2.5 s → 2.5 s (target 2 s); range 90.0° → 90.0°",
        "1 synthetic session(s) left out (--synthetic takes them in); 1 unsure session(s) left "
        "out (--unsure takes them in)",
    ]
    both = runner.invoke(app, ["progress", "--synthetic", "--unsure"])
    assert both.stdout.startswith("bird-dog: 4 sessions, 2026-11-28 → 2026-12-01")
    assert "left out" not in both.stdout
    one = runner.invoke(app, ["progress", "--unsure"])
    assert one.stdout.startswith("bird-dog: 3 sessions, 2026-11-28 → 2026-12-01")
    assert one.stdout.splitlines()[-1] == (
        "1 synthetic session(s) left out (--synthetic takes them in)"
    )


def test_progress_with_only_synthetic_sessions_says_how_to_see_them(home, make_result):
    with open_history() as history:
        history.save(
            make_result(source="bird-dog.jsonl.gz"), source_kind="recording", synthetic=True
        )
    out = runner.invoke(app, ["progress"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("no sessions in ")
    assert out.stdout.rstrip().endswith(
        "(1 synthetic session(s) left out (--synthetic takes them in))"
    )


def test_export_json_carries_profile_recorded_date_note_and_source(saved):
    out = runner.invoke(app, ["history", "export", "--json"])
    assert out.exit_code == 0, out.output
    first = json.loads(out.stdout)["sessions"][0]
    assert (first["profile"], first["started_at"], first["recorded_from"]) == (
        "anna", "2026-11-28T10:15:00Z", "container",
    )  # fmt: skip
    assert (first["notes"], first["source"], first["content_hash"]) == (
        "left knee sore", LONG, "a" * 64,
    )  # fmt: skip
