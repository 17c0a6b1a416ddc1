"""A batch run again into the same OUTDIR (``--workers``, no Ray): what is done is skipped and
said, a failed input waits for ``--retry-failed``, a changed file or setting is analysed again."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from formcheck.cli.app import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def _manifest(out: Path) -> dict[str, dict]:
    lines = (out / "manifest.jsonl").read_text().splitlines()
    return {Path(r["input"]).name: r for r in map(json.loads, lines)}


def test_a_rerun_skips_what_is_done_and_retries_failed_inputs_only_when_asked(tmp_path):
    good = tmp_path / "visit1.jsonl.gz"
    good.write_bytes((SAMPLES / "bird-dog.jsonl.gz").read_bytes())
    bad = tmp_path / "visit2.jsonl.gz"
    bad.write_bytes(b"not a recording")
    out = tmp_path / "out"
    args = ["analyze", str(good), str(bad), "-e", "bird-dog", "-o", str(out), "--workers", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 2, first.output
    book = _manifest(out)
    assert (book["visit1.jsonl.gz"]["status"], book["visit2.jsonl.gz"]["status"]) == (
        "ok", "failed",
    )  # fmt: skip
    assert book["visit1.jsonl.gz"]["report"] == "visit1/report.html"
    assert book["visit2.jsonl.gz"]["exit_code"] == 2 and book["visit2.jsonl.gz"]["error"]
    report = (out / "visit1" / "report.json").read_bytes()

    again = runner.invoke(app, args)  # nothing to do: both skipped, the failure still counts
    assert again.exit_code == 2, again.output
    assert "skipped 1 input(s) analysed by an earlier run" in again.stderr
    assert "skipped 1 input(s) that failed in an earlier run (--retry-failed" in again.stderr
    assert "1 rep" not in again.stdout and "reps" not in again.stdout  # no summary printed
    rows = list(csv.DictReader((out / "batch.csv").open()))
    assert [(r["name"], r["status"], r["skipped"]) for r in rows] == [
        ("visit1.jsonl.gz", "ok", "yes"), ("visit2.jsonl.gz", "failed", "yes"),
    ]  # fmt: skip

    bad.write_bytes(gzip.compress(b"still not a recording"))  # another file: analysed again
    retried = runner.invoke(app, [*args, "--retry-failed"])
    assert retried.exit_code == 2
    assert "visit2.jsonl.gz" in retried.stderr and "1 of 1 inputs were not analysed" in (
        retried.stderr
    )
    assert (out / "visit1" / "report.json").read_bytes() == report  # untouched

    # another setting (a note) changes the report: visit1 is analysed again
    noted = runner.invoke(app, [*args, "--note", "left knee sore"])
    assert "analysed by an earlier run" not in noted.stderr
    assert json.loads((out / "visit1" / "report.json").read_text())["session"]["note"] == (
        "left knee sore"
    )
    assert _manifest(out)["visit1.jsonl.gz"]["settings"]["note"] == "left knee sore"
    assert sorted(p.name for p in out.iterdir()) == [
        "batch.csv", "index.html", "manifest.jsonl", "visit1",
    ]  # fmt: skip
