"""``formcheck history`` and ``formcheck progress`` in-process, on a private FORMCHECK_HOME."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.store import open_history
from formcheck.store.schema import APPLICATION_ID, SCHEMA_VERSION

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample_result() -> dict:
    """What `formcheck analyze --json` says about the bird-dog sample (bent knee on rep 3)."""
    out = runner.invoke(app, ["analyze", str(SAMPLES / "bird-dog.jsonl.gz"), "-e", "bird-dog",
                              "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.fixture
def filled(home, sample_result) -> list[int]:
    """Three sessions: anna on 1 and 3 May (holds improving), ben on 2 May."""
    better = copy.deepcopy(sample_result)
    for rep in better["reps"]:
        rep["hold_s"] = 3.0
    with open_history() as history:
        return [
            history.save(sample_result, source_kind="recording", profile="anna",
                         started_at="2024-05-01T12:00:00Z"),
            history.save(sample_result, source_kind="video", profile="ben",
                         started_at="2024-05-02T12:00:00Z"),
            history.save(better, source_kind="live", profile="anna",
                         started_at="2024-05-03T12:00:00Z"),
        ]  # fmt: skip


def _ids(output: str) -> list[str]:
    """The id column of a `history list` table."""
    return re.findall(r"(?m)^\s*(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d ", output)


def test_history_without_a_command_lists_every_session(filled):
    out = runner.invoke(app, ["history"])
    assert out.exit_code == 0, out.output
    assert "3 session(s)" in out.stdout
    assert _ids(out.stdout) == ["1", "2", "3"]
    assert "bent knee, hold too short" in out.stdout  # in words, not ids


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["history", "list", "--profile", "anna"], ["1", "3"]),
        (["history", "--profile", "anna"], ["1", "3"]),
        (["history", "--profile", "anna", "list", "--since", "2024-05-02"], ["3"]),
        (["history", "list", "--exercise", "bird dog"], ["1", "2", "3"]),  # an alias
        (["history", "list", "--exercise", "cat-cow"], []),
    ],
)
def test_history_list_filters(filled, args, ids):
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert _ids(out.stdout) == ids
    if not ids:
        assert "no sessions in" in out.stdout


def test_history_show_prints_reps_and_evidence(filled, sample_result):
    out = runner.invoke(app, ["history", "show", "1"])
    assert out.exit_code == 0, out.output
    assert "session 1: bird-dog, " in out.stdout and "profile anna" in out.stdout
    assert "bird-dog.jsonl.gz (recording), 22.8 s, 4 reps" in out.stdout
    assert "bent knee: left knee bent to 134° (aim: at least 150°), rep 3, 12.1–15.7 s" in (
        out.stdout
    )
    as_json = runner.invoke(app, ["history", "show", "1", "--json"])
    assert json.loads(as_json.stdout) == sample_result


def test_export_then_import_into_another_home(filled, tmp_path, monkeypatch):
    file = tmp_path / "out" / "history.json"
    out = runner.invoke(app, ["history", "export", "--json", "-o", str(file)])
    assert out.exit_code == 0, out.output
    assert len(json.loads(file.read_text())["sessions"]) == 3
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "elsewhere"))
    out = runner.invoke(app, ["history", "import", str(file)])
    assert out.exit_code == 0, out.output
    assert f"imported 3 session(s) from {file}" in out.stdout
    again = runner.invoke(app, ["history", "import", str(file)])
    assert f"imported 0 session(s) from {file}, 3 already present" in again.stdout
    exported = runner.invoke(app, ["history", "export"])
    assert exported.stdout == file.read_text()


def test_export_csv_to_stdout_with_a_filter(filled):
    out = runner.invoke(app, ["history", "export", "--csv", "--profile", "ben"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].startswith("id,uid,started_at,profile,exercise")
    assert len(lines) == 2 and ",ben,bird-dog," in lines[1]
    both = runner.invoke(app, ["history", "export", "--csv", "--json"])
    assert both.exit_code != 0


def test_delete_then_show_is_a_one_line_error(filled):
    out = runner.invoke(app, ["history", "delete", "2"])
    assert out.exit_code == 0, out.output
    assert "deleted session 2 (bird-dog, " in out.stdout
    gone = runner.invoke(app, ["history", "show", "2"])
    assert gone.exit_code == 5
    assert gone.stderr.count("\n") == 1
    assert gone.stderr.startswith("formcheck: error: no session 2 in ")


def test_a_newer_database_is_refused_in_one_line_and_left_as_it_was(home):
    home.mkdir()
    path = home / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    for args in (["history"], ["progress"], ["history", "import", str(path)]):
        out = runner.invoke(app, args)
        assert out.exit_code == 5, out.output
        assert out.stderr == (
            f"formcheck: error: {path} was written by a newer formcheck (schema 7, this one "
            f"knows {SCHEMA_VERSION}): upgrade formcheck, or point FORMCHECK_HOME elsewhere\n"
        )
    assert path.read_bytes() == before


def test_a_corrupt_database_is_refused_in_one_line_and_left_as_it_was(home):
    home.mkdir()
    path = home / "history.sqlite3"
    path.write_bytes(b"\x00garbage" * 512)
    out = runner.invoke(app, ["history", "list"])
    assert out.exit_code == 5
    assert out.stderr.count("\n") == 1
    assert "is not a readable formcheck history" in out.stderr
    assert path.read_bytes() == b"\x00garbage" * 512


def test_progress_prints_one_line_per_profile_and_exercise(filled):
    out = runner.invoke(app, ["progress"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "bird-dog (anna): 2 sessions, 2024-05-01 → 2024-05-03 (first 1 vs last 1): "
        "reps 4.0 → 4.0 per session; hold 2.1 s → 2.1 s (target 2 s)"  # with good form
    )
    assert lines[1].startswith("bird-dog (ben): 1 session, 2024-05-02")
    only = runner.invoke(app, ["progress", "--profile", "ben"])
    assert only.stdout.startswith("bird-dog: 1 session, 2024-05-02: reps 4.0 per session")


@pytest.mark.parametrize("name", ["progress.png", "progress.html"])
def test_progress_writes_a_plot_file(filled, tmp_path, name):
    file = tmp_path / name
    out = runner.invoke(app, ["progress", "--profile", "anna", "-o", str(file)])
    assert out.exit_code == 0, out.output
    assert f"wrote {file}" in out.stdout
    data = file.read_bytes()
    if name.endswith(".png"):
        assert data.startswith(b"\x89PNG")
    else:
        assert b"data:image/png;base64," in data and b"<script" not in data


def test_progress_refuses_other_plot_formats_and_empty_histories(home, tmp_path):
    bad = runner.invoke(app, ["progress", "-o", str(tmp_path / "p.pdf")])
    assert bad.exit_code == 4
    assert "must end in .html or .png" in bad.stderr
    empty = runner.invoke(app, ["progress"])
    assert empty.exit_code == 0 and "no sessions in" in empty.stdout
    nothing = runner.invoke(app, ["progress", "-o", str(tmp_path / "p.png")])
    assert nothing.exit_code == 5 and "nothing written" in nothing.stderr
    assert not (tmp_path / "p.png").exists()
