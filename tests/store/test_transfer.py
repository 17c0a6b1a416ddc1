"""Export and import: a JSON round trip is byte-identical, imports are idempotent and atomic."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from formcheck.errors import HistoryError
from formcheck.store import open_history


def _fill(history, make_result) -> None:
    """Eight sessions over two profiles and two exercises, with a gap in the ids."""
    for day in range(1, 10):
        sid = history.save(
            make_result(
                [{"hold_s": 2.0 + day / 10, "faults": ["bent_knee"] * (day % 2)}, {"range": 80.5}],
                exercise="bird-dog" if day % 3 else "cat-cow",
            ),
            source_kind=("video", "live", "recording")[day % 3],
            profile="anna" if day % 2 else "ben",
            routine="back-health" if day == 4 else None,
            report_path=f"/reports/{day}.html" if day == 5 else None,
            notes="ünïcode note" if day == 6 else None,
            started_at=datetime(2024, 5, day, 7, 30, tzinfo=timezone.utc),
        )
        if day == 3:
            history.delete(sid)


def _tables(history) -> list:
    return [
        history.query(
            "SELECT uid, started_at, source, source_kind, exercise, routine, profile, duration_s,"
            " reps, report_path, notes, result FROM sessions ORDER BY uid"
        ),
        history.query(
            "SELECT s.uid, r.rep_index, r.side, r.side_index, r.start_s, r.end_s, r.duration_s,"
            " r.peak, r.range, r.hold_s, r.hold_met, r.uncertain"
            " FROM reps r JOIN sessions s ON s.id = r.session_id ORDER BY s.uid, r.rep_index"
        ),
        history.query(
            "SELECT s.uid, f.rep_index, f.fault, f.side, f.feature, f.value, f.threshold,"
            " f.start_s, f.end_s FROM faults f JOIN sessions s ON s.id = f.session_id"
            " ORDER BY s.uid, f.rep_index, f.fault"
        ),
        history.query("SELECT name FROM profiles ORDER BY name"),
    ]


def test_export_import_export_is_byte_identical_and_rebuilds_every_row(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        first = a.export("json")
        tables = _tables(a)
    with open_history(tmp_path / "b.sqlite3") as b:
        assert b.import_json(first) == (8, 0)
        second = b.export("json")
        assert _tables(b) == tables
    assert second == first
    doc = json.loads(first)
    assert (doc["schema"], doc["version"], len(doc["sessions"])) == ("formcheck.history", 1, 8)
    assert "id" not in doc["sessions"][0]
    assert [s["started_at"][:10] for s in doc["sessions"]][:3] == [
        "2024-05-01", "2024-05-02", "2024-05-04",
    ]  # fmt: skip


def test_importing_the_same_export_twice_adds_nothing_the_second_time(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        text = a.export()
        assert a.import_json(text) == (0, 8)
        assert len(a.list_sessions()) == 8


def test_an_import_with_one_bad_session_adds_none(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        doc = json.loads(a.export())
    del doc["sessions"][2]["result"]["reps"][0]["side"]
    with open_history(tmp_path / "b.sqlite3") as b:
        with pytest.raises(HistoryError, match=r"^f\.json: session 3: .*rep 1 has no 'side'$"):
            b.import_json(json.dumps(doc), name="f.json")
        assert b.list_sessions() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,uid,started_at\n1,x,y\n", "not JSON.*CSV exports cannot be imported"),
        ('{"schema": "formcheck.result"}', "not a formcheck history export"),
        ('{"schema": "formcheck.history", "version": 9, "sessions": []}', "export version 9"),
        ('{"schema": "formcheck.history", "version": 1, "sessions": {}}', "must be a list"),
        (
            '{"schema": "formcheck.history", "version": 1, "sessions": [{"uid": "u"}]}',
            "session 1: missing 'started_at'",
        ),
    ],
)
def test_what_cannot_be_imported_is_refused_in_one_line(tmp_path, text, message):
    with open_history(tmp_path / "h.sqlite3") as history:
        with pytest.raises(HistoryError, match=message) as info:
            history.import_json(text, name="in.json")
        assert "\n" not in str(info.value)


def test_csv_export_has_one_row_per_session_and_honours_filters(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        rows = list(csv.DictReader(io.StringIO(a.export("csv", profile="anna"))))
        with pytest.raises(HistoryError, match="'json' or 'csv'"):
            a.export("xml")
    assert [r["started_at"] for r in rows] == [f"2024-05-0{d}T07:30:00Z" for d in (1, 5, 7, 9)]
    first = rows[0]
    assert (first["profile"], first["exercise"], first["source_kind"], first["reps"]) == (
        "anna", "bird-dog", "live", "2",
    )  # fmt: skip
    assert first["faults"] == "bent_knee=1"
    assert float(first["mean_hold_s"]) == pytest.approx((2.1 + 2.5) / 2)
    assert rows[1]["report_path"] == "/reports/5.html"


def test_json_export_honours_filters(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        doc = json.loads(a.export(exercise="cat-cow"))
    assert [s["started_at"][:10] for s in doc["sessions"]] == ["2024-05-06", "2024-05-09"]
