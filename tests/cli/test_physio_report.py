"""A report a physiotherapist can file (issue 15): who and when, a note, "since last time",
the video in the page, and a history that re-analysing does not clutter."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from pytest import approx
from typer.testing import CliRunner

from formcheck.cli.app import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def _person(src: Path, dst: Path, drop_last: int = 0) -> Path:
    """A copy of a sample that passes for a person's recording (not the mannequin's), its
    last ``drop_last`` frames cut (another set, other bytes)."""
    lines = gzip.open(src, "rt").read().splitlines()
    header = json.loads(lines[0])
    header["model"] = "full"
    lines[0] = json.dumps(header)
    with gzip.open(dst, "wt") as fh:
        fh.write("\n".join(lines[: len(lines) - drop_last]) + "\n")
    return dst


def _analyze(path: Path, out: Path, *args: str):  # noqa: ANN202
    result = runner.invoke(
        app, ["analyze", str(path), "-e", "bird-dog", "--profile", "anna", "-o", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads((out / path.name.removesuffix(".jsonl.gz") / "report.json").read_text())


def test_two_visits_a_week_apart_give_since_last_time_and_a_tidy_history(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    week1 = _person(SAMPLES / "bird-dog.jsonl.gz", tmp_path / "week1.jsonl.gz")
    week2 = _person(SAMPLES / "bird-dog.jsonl.gz", tmp_path / "week2.jsonl.gz", drop_last=90)
    out = tmp_path / "reports"
    first = _analyze(week1, out, "--recorded", "2026-11-20", "--note", "left knee sore")
    assert first["since_last_time"] is None  # nothing earlier
    assert first["session"]["profile"] == "anna"
    assert first["session"]["recorded_at"].startswith("2026-11-2")  # local midnight, in UTC
    assert first["session"]["recorded_from"] == "given"
    assert first["session"]["note"] == "left knee sore"
    second = _analyze(week2, out, "--recorded", "2026-11-27")
    since = second["since_last_time"]
    assert since["previous"].startswith("2026-11-20")
    rows = {r["what"]: r for r in since["rows"]}
    reps1, reps2 = first["result"]["reps"], second["result"]["reps"]
    mean = lambda reps, k: sum(r[k] for r in reps) / len(reps)  # noqa: E731
    hold = rows["hold in position"]
    assert hold["now"] == approx(mean(reps2, "hold_s"), abs=1e-3)
    assert hold["then"] == approx(mean(reps1, "hold_s"), abs=1e-3)
    good = rows["hold with good form"]
    assert good["then"] == approx(mean(reps1, "form_hold_s"), abs=1e-3)
    assert rows["reps, left"]["then"] == first["result"]["summary"]["reps_by_side"]["left"]
    html = (out / "week2" / "report.html").read_text()
    assert "Since last time" in html and "anna" in html and "2026-11-20" in html
    # analysing the first visit again replaces its session: two sessions, not three
    again = runner.invoke(app, ["analyze", str(week1), "-e", "bird-dog", "--profile", "anna"])
    assert again.exit_code == 0 and "replaced history session 1" in again.output
    listed = runner.invoke(app, ["history", "export", "--json"])
    sessions = json.loads(listed.stdout)["sessions"]
    assert sorted(s["source"] for s in sessions) == ["week1.jsonl.gz", "week2.jsonl.gz"]
    by_source = {s["source"]: s for s in sessions}
    assert by_source["week2.jsonl.gz"]["profile"] == "anna"
    assert by_source["week2.jsonl.gz"]["recorded_from"] == "given"
    assert by_source["week2.jsonl.gz"]["started_at"].startswith("2026-11-2")
    # --keep-both keeps both
    kept = runner.invoke(
        app, ["analyze", str(week1), "-e", "bird-dog", "--profile", "anna", "--keep-both"]
    )
    assert kept.exit_code == 0 and "replaced" not in kept.output
    assert (
        len(json.loads(runner.invoke(app, ["history", "export", "--json"]).stdout)["sessions"]) == 3
    )


def test_a_note_is_stored_and_exported(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    week1 = _person(SAMPLES / "bird-dog.jsonl.gz", tmp_path / "week1.jsonl.gz")
    args = ["analyze", str(week1), "-e", "bird-dog", "--note", "=cmd|' /C calc'!A0"]
    assert runner.invoke(app, args).exit_code == 0
    (session,) = json.loads(runner.invoke(app, ["history", "export", "--json"]).stdout)["sessions"]
    assert session["notes"] == "=cmd|' /C calc'!A0"
    csv = runner.invoke(app, ["history", "export", "--csv"]).stdout
    assert "'=cmd" in csv  # neutralised for spreadsheets


def test_the_report_plays_the_annotated_video_and_seeks_it(tmp_path):
    out = tmp_path / "o"
    args = ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "cat-cow", "-o", str(out)]
    assert runner.invoke(app, [*args, "--annotate", "--no-history"]).exit_code == 0
    html = (out / "cat-cow" / "report.html").read_text()
    assert '<video id="video" controls preload="metadata" src="./annotated.mp4">' in html
    seeks = re.findall(r'<a class="seek" href="\./annotated\.mp4#t=([\d.]+)" data-t="\1">', html)
    report = json.loads((out / "cat-cow" / "report.json").read_text())
    starts = [f"{r['start_s']:.2f}" for r in report["reps"]]
    assert starts and set(starts) <= set(seeks)  # every rep's time seeks the video
    assert "<script>" in html and "fetch(" not in html and "http" not in html.split("<script>")[1]


def test_a_report_without_a_video_has_no_script(tmp_path):
    out = tmp_path / "o"
    args = ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "cat-cow", "-o", str(out)]
    assert runner.invoke(app, [*args, "--no-history"]).exit_code == 0
    html = (out / "cat-cow" / "report.html").read_text()
    assert "<video" not in html and "<script" not in html and 'class="seek"' not in html


def test_a_bad_recorded_date_is_one_line(tmp_path, one_line_error):
    args = ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "cat-cow", "--recorded", "soon"]
    one_line_error(runner.invoke(app, args), "--recorded")
