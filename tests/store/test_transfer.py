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
            recorded_from=("given", "container", "file", "analysed")[day % 4],
            content_hash=f"{day:x}" * 64 if day % 3 != 1 else None,
            synthetic=day == 7,
            unsure=day in (2, 8),
        )
        if day == 3:
            history.delete(sid)


def _tables(history) -> list:
    return [
        history.query(
            "SELECT uid, started_at, source, source_kind, exercise, routine, profile, duration_s,"
            " reps, report_path, notes, result, partial, recorded_from, content_hash, synthetic,"
            " unsure FROM sessions ORDER BY uid"
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


def test_json_export_carries_date_source_note_hash_and_marks(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        a.save(
            make_result([{}], source="VID_1.mp4"), source_kind="video", profile="anna",
            started_at="2026-11-28T10:15:00Z", recorded_from="container", notes="sore knee",
            content_hash="ab" * 32, synthetic=True, unsure=True, report_path="/r/report.html",
            uid="u1",
        )  # fmt: skip
        (session,) = json.loads(a.export())["sessions"]
    result = session.pop("result")
    assert session == {
        "uid": "u1", "started_at": "2026-11-28T10:15:00Z", "recorded_from": "container",
        "profile": "anna", "source": "VID_1.mp4", "source_kind": "video", "routine": None,
        "report_path": "/r/report.html", "notes": "sore knee", "partial": [],
        "content_hash": "ab" * 32, "synthetic": True, "unsure": True,
    }  # fmt: skip
    assert result["source"] == "VID_1.mp4"


def test_an_export_from_before_schema_4_imports_with_the_defaults(tmp_path, make_result):
    # Exactly the keys formcheck exported before issue 15.
    old = {
        "uid": "old", "started_at": "2024-05-01T07:30:00Z", "profile": "anna",
        "source_kind": "video", "routine": None, "report_path": "reports/r.html",
        "notes": "from the old days", "partial": [], "result": make_result([{}], source="o.mp4"),
    }  # fmt: skip
    doc = {"schema": "formcheck.history", "version": 1, "sessions": [old]}
    with open_history(tmp_path / "b.sqlite3") as b:
        assert b.import_json(json.dumps(doc)) == (1, 0)
        (info,) = b.list_sessions()
        (again,) = json.loads(b.export())["sessions"]
    assert (info.source, info.notes, info.report_path) == (
        "o.mp4", "from the old days", "reports/r.html",
    )  # fmt: skip
    assert (info.recorded_from, info.content_hash, info.synthetic, info.unsure) == (
        "analysed", None, False, False,
    )  # fmt: skip
    assert (again["recorded_from"], again["content_hash"], again["synthetic"]) == (
        "analysed", None, False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recorded_from": "exif"}, "recorded_from must be one of given, container, file,"),
        ({"content_hash": "xyz"}, "a content hash is a SHA-256 as 64 hex digits"),
        ({"synthetic": "yes"}, "'synthetic' must be true or false, got 'yes'"),
        ({"unsure": 1}, "'unsure' must be true or false, got 1"),
        ({"notes": 3}, "'notes' must be text or null, got 3"),
    ],
)
def test_bad_new_fields_are_refused_in_one_line(tmp_path, make_result, change, message):
    session = {"uid": "x", "started_at": "2024-05-01T07:30:00Z", "profile": "anna",
               "source_kind": "video", "result": make_result([{}]), **change}  # fmt: skip
    doc = {"schema": "formcheck.history", "version": 1, "sessions": [session]}
    with open_history(tmp_path / "b.sqlite3") as b:
        with pytest.raises(HistoryError, match=f"^in.json: session 1: {message}") as info:
            b.import_json(json.dumps(doc), name="in.json")
        assert "\n" not in str(info.value)
        assert b.list_sessions() == []


def test_csv_export_carries_date_origin_hash_and_marks(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        _fill(a, make_result)
        rows = list(csv.DictReader(io.StringIO(a.export("csv"))))
    assert list(rows[0])[-5:] == ["partial", "recorded_from", "content_hash", "synthetic", "unsure"]
    by_day = {int(r["started_at"][8:10]): r for r in rows}
    assert (by_day[2]["recorded_from"], by_day[2]["content_hash"]) == ("file", "2" * 64)
    assert (by_day[1]["recorded_from"], by_day[1]["content_hash"]) == ("container", "")
    assert [d for d, r in by_day.items() if r["synthetic"] == "1"] == [7]
    assert [d for d, r in by_day.items() if r["unsure"] == "1"] == [2, 8]
    assert by_day[6]["notes"] == "ünïcode note"
