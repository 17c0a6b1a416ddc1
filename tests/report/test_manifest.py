"""The batch manifest: a rerun skips what is done, a torn last line is an input done again, and
the overview of 10,000 inputs is pages and groups, not one giant table."""

from __future__ import annotations

import csv
import io
import re

from formcheck.report.index import PAGE_ROWS, batch_csv, index_pages, write_batch_overview
from formcheck.report.manifest import MANIFEST_NAME, Manifest, Record


def _record(name: str, status: str = "ok", **kw) -> Record:
    base = dict(
        input=f"in/{name}.mp4", content_hash="ab" * 32, formcheck_version="0.1.0",
        model="full sha256:0123", settings={"exercise": "squat"}, status=status,
        report=f"{name}/report.html",
    )  # fmt: skip
    return Record(**{**base, **kw})


def _with_report(tmp_path, rec: Record) -> Record:
    (tmp_path / rec.report).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rec.report).write_text("<html>")
    return rec


def test_a_finished_input_is_skipped_only_with_the_same_bytes_versions_and_settings(tmp_path):
    book = Manifest(tmp_path)
    book.compact()
    book.add(_with_report(tmp_path, _record("a")))
    again = Manifest(tmp_path)
    assert again.done(_record("a", status="")) is not None
    for changed in (
        {"content_hash": "cd" * 32}, {"formcheck_version": "0.2.0"}, {"model": "lite sha256:9"},
        {"settings": {"exercise": "bird-dog"}}, {"input": "in/b.mp4"},
    ):  # fmt: skip
        assert again.done(_record("a", status="", **changed)) is None, changed
    (tmp_path / "a" / "report.html").unlink()  # a report deleted since: done again
    assert again.done(_record("a", status="")) is None


def test_failed_inputs_are_skipped_unless_retried_and_interrupted_ones_are_redone(tmp_path):
    book = Manifest(tmp_path)
    book.compact()
    book.add(_record("bad", "failed", report=None, error="bad.mp4: not a video", exit_code=2))
    book.add(_with_report(tmp_path, _record("cut", "partial", partial=["interrupted"])))
    book.add(_with_report(tmp_path, _record("short", "partial", partial=["truncated"])))
    again = Manifest(tmp_path)
    assert again.done(_record("bad", "")).error == "bad.mp4: not a video"
    assert again.done(_record("bad", ""), retry_failed=True) is None
    assert again.done(_record("cut", "")) is None
    assert again.done(_record("short", "")) is not None  # the file itself is short


def test_a_line_cut_short_by_a_kill_is_ignored_and_the_file_is_made_whole(tmp_path):
    book = Manifest(tmp_path)
    book.compact()
    book.add(_with_report(tmp_path, _record("a")))
    book.add(_with_report(tmp_path, _record("b")))
    path = tmp_path / MANIFEST_NAME
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 40])  # killed in the middle of b's line
    again = Manifest(tmp_path)
    assert (list(again.records), again.torn) == (["in/a.mp4"], 1)
    again.add(_with_report(tmp_path, _record("c")))  # rewrites the file, then appends
    assert [ln.count('"input"') for ln in path.read_text().splitlines()] == [1, 1]
    assert list(Manifest(tmp_path).records) == ["in/a.mp4", "in/c.mp4"]


def _entries(n: int) -> list[dict]:
    """n inputs of 7 profiles, 3 exercises, 12 months; every 50th failed."""
    out = []
    for i in range(n):
        failed = i % 50 == 0
        out.append({
            "name": f"set{i}.mp4", "input": f"/archive/set{i}.mp4",
            "status": "failed" if failed else "ok", "exercise": ("squat", "bird-dog", "row")[i % 3],
            "reps": None if failed else str(i % 9), "faults": None if failed else i % 4,
            "mean_hold_s": None, "duration_s": None if failed else 30.0 + i % 7,
            "message": "not a video" if failed else "", "profile": f"patient{i % 7}",
            "recorded_at": f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}T10:00:00Z",
            "link": None if failed else f"set{i}/report.html", "skipped": i % 3 == 0,
        })  # fmt: skip
    return out


def test_ten_thousand_inputs_give_pages_grouped_by_profile_exercise_and_month(tmp_path):
    entries = _entries(10_000)
    pages = index_pages(entries)
    assert list(pages)[:3] == ["index.html", "index-001.html", "index-002.html"]
    assert len(pages) == 1 + 10_000 // PAGE_ROWS
    rows = {name: page.count("<tr><td>") for name, page in pages.items()}
    assert all(n == PAGE_ROWS for name, n in rows.items() if name != "index.html")
    front = pages["index.html"]
    assert "<h1>formcheck: 10000 inputs</h1>" in front
    assert "9800 analysed cleanly, 200 with problems; 3334 skipped (analysed by an" in front
    groups = {(i % 7, i % 3, i % 12) for i in range(10_000)}  # profile, exercise, month
    assert front.count("<tr><td>patient") == len(groups) == 84  # one row per group
    assert "<h2>With problems (200)</h2>" in front
    assert len(front) < 250_000 and max(len(p) for p in pages.values()) < 400_000
    # a page holds one stretch of profiles and exercises, in order, linking each report
    assert "page 1 of 20: patient0, bird-dog to patient0, row" in pages["index-001.html"]
    assert sum('<a href="./set1/report.html">set1.mp4</a>' in p for p in pages.values()) == 1
    names = re.findall(r"<tr><td>(?:<a [^>]+>)?(set\d+\.mp4)", "".join(pages.values()))
    assert len(set(names)) == 10_000  # every input once on the pages (and 200 on the front)


def test_the_batch_csv_has_one_row_per_input_and_guards_formulas(tmp_path):
    entries = _entries(10_000)
    entries[1]["profile"] = "=HYPERLINK(1)"
    text = batch_csv(entries)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10_000
    assert rows[1]["profile"] == "'=HYPERLINK(1)"
    assert (rows[0]["status"], rows[0]["report"], rows[0]["skipped"]) == ("failed", "", "yes")
    assert (rows[1]["reps"], rows[1]["report"]) == ("1", "set1/report.html")


def test_a_smaller_batch_after_a_larger_one_leaves_no_old_pages(tmp_path):
    write_batch_overview(tmp_path, _entries(1200))
    assert sorted(p.name for p in tmp_path.glob("index*.html")) == [
        "index-001.html", "index-002.html", "index-003.html", "index.html",
    ]  # fmt: skip
    write_batch_overview(tmp_path, _entries(3))
    assert sorted(p.name for p in tmp_path.glob("index*.html")) == ["index.html"]
    assert (tmp_path / "batch.csv").read_text().count("\n") == 4
