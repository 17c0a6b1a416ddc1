"""Schema 4 (issue 15): sessions dated by their recording, notes, re-analysing replaces, absolute
report paths, synthetic and unsure sessions; a version 3 database migrates forward."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from formcheck.errors import HistoryError
from formcheck.store import SaveOutcome, load_progress, open_history, save_session
from formcheck.store.schema import SCHEMA_VERSION

UTC = timezone.utc
H1, H2 = "a" * 64, "b" * 64


def _day(d: int) -> datetime:
    return datetime(2026, 11, d, 10, 0, tzinfo=UTC)


def _sql(path: Path, query: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def test_a_version_3_database_migrates_and_its_sessions_get_the_defaults(
    home, make_result, old_database
):
    """A history as formcheck wrote it before issue 15: schema 3, one session with a note."""
    path = home / "history.sqlite3"
    result = make_result([{"hold_s": 2.2, "form_hold_s": 1.4}, {}])
    old_database(path, 3, [
        ("INSERT INTO profiles VALUES ('anna', '2024-01-01T00:00:00Z')", ()),
        ("INSERT INTO sessions VALUES (1, 'u1', '2024-01-02T09:00:00Z', 'old.mp4', 'video',"
         " 'bird-dog', NULL, 'anna', 9.0, 2, 'reports/old.html', ?, 'felt ok', NULL)",
         (json.dumps(result),)),
        ("INSERT INTO reps VALUES (1, 1, 'left', 1, 0.5, 4.0, 3.5, 1.0, 88.0, 2.2, 1, 0)", ()),
    ])  # fmt: skip
    with open_history() as history:
        (old,) = history.list_sessions()
        assert (old.uid, old.notes, old.report_path) == ("u1", "felt ok", "reports/old.html")
        assert (old.recorded_from, old.content_hash, old.synthetic, old.unsure) == (
            "analysed", None, False, False,
        )  # fmt: skip
        assert old.started_at == datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
        outcome = history.save_session(
            make_result([{}]), source_kind="video", profile="anna", content_hash=H1,
            started_at=_day(28), recorded_from="container", synthetic=True, unsure=True,
        )  # fmt: skip
        new = history.get(outcome.id).info
        assert (new.recorded_from, new.content_hash, new.synthetic, new.unsure) == (
            "container", H1, True, True,
        )  # fmt: skip
    assert _sql(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    # v5: the hold with good form, read back from the stored result of the old session
    assert _sql(path, "SELECT hold_s, form_hold_s FROM reps WHERE session_id = 1") == [(2.2, 1.4)]
    columns = {r[1]: (r[2], r[3], r[4]) for r in _sql(path, "PRAGMA table_info(sessions)")}
    assert columns["recorded_from"] == ("TEXT", 1, "'analysed'")
    assert columns["content_hash"] == ("TEXT", 0, None)
    assert columns["synthetic"] == columns["unsure"] == ("INTEGER", 1, "0")
    assert _sql(path, "PRAGMA integrity_check") == [("ok",)]
    plan = _sql(
        path,
        "EXPLAIN QUERY PLAN SELECT id, partial FROM sessions"
        " WHERE content_hash = ? AND exercise = ? AND profile = ?",
        (H1, "bird-dog", "anna"),
    )
    assert "sessions_by_content" in " ".join(str(r[-1]) for r in plan)


def test_the_database_refuses_values_outside_the_schema(home, make_result):
    with open_history() as history:
        history.save(make_result([{}]), source_kind="video")
        path = history.path
    for sql in (
        "UPDATE sessions SET recorded_from = 'guessed'",
        "UPDATE sessions SET synthetic = 2",
        "UPDATE sessions SET unsure = NULL",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            _sql(path, sql)


@pytest.mark.parametrize(
    ("started_at", "recorded_from", "stored"),
    [
        (None, None, "analysed"),
        (_day(28), None, "given"),
        (_day(28), "container", "container"),
        (_day(28), "file", "file"),
        (None, "analysed", "analysed"),
    ],
)
def test_where_the_date_came_from_is_stored(home, make_result, started_at, recorded_from, stored):
    with open_history() as history:
        sid = history.save(
            make_result([{}]), source_kind="video", started_at=started_at,
            recorded_from=recorded_from,
        )  # fmt: skip
        info = history.get(sid).info
    assert info.recorded_from == stored
    if started_at is not None:
        assert info.started_at == started_at


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"recorded_from": "exif"},
            "recorded_from must be one of given, container, file, analysed",
        ),
        ({"content_hash": "abc"}, "a content hash is a SHA-256 as 64 hex digits"),
        ({"content_hash": "g" * 64}, "a content hash is a SHA-256 as 64 hex digits"),
        ({"notes": 42}, "a note is text, got int"),
    ],
)
def test_save_refuses_bad_values_in_one_line(home, make_result, kwargs, message):
    with open_history() as history:
        with pytest.raises(HistoryError, match=message) as info:
            history.save(make_result([{}]), source_kind="video", **kwargs)
        assert "\n" not in str(info.value)
        assert history.list_sessions() == []


def test_notes_are_stored_as_given_and_a_blank_note_is_none(home, make_result):
    with open_history() as history:
        kept = history.save(make_result([{}]), source_kind="video", notes="  sore knee\nleft ")
        blank = history.save(make_result([{}]), source_kind="video", notes="   ")
        assert history.get(kept).info.notes == "  sore knee\nleft "
        assert history.get(blank).info.notes is None


def test_the_report_path_is_stored_absolute(home, make_result, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_history() as history:
        sid = history.save(make_result([{}]), source_kind="video", report_path="out/report.html")
        assert history.get(sid).info.report_path == str(tmp_path.resolve() / "out/report.html")


def test_an_uppercase_hash_is_stored_lowercase(home, make_result):
    with open_history() as history:
        sid = history.save(make_result([{}]), source_kind="video", content_hash="AB" * 32)
        assert history.get(sid).info.content_hash == "ab" * 32


def _save(history, make_result, *, reps: int = 2, **kw) -> SaveOutcome:
    kw = {"source_kind": "video", "profile": "anna", "content_hash": H1, **kw}
    return history.save_session(make_result([{"faults": ["bent_knee"]}] * reps), **kw)


def test_analysing_the_same_file_again_replaces_its_session(home, make_result):
    with open_history() as history:
        first = _save(history, make_result, started_at=_day(1))
        other = _save(history, make_result, content_hash=H2, started_at=_day(2))
        again = _save(history, make_result, reps=3, started_at=_day(1))
        assert first == SaveOutcome(1, ())
        assert other == SaveOutcome(2, ())
        assert again == SaveOutcome(3, (1,))
        assert [(s.id, s.reps) for s in history.list_sessions()] == [(3, 3), (2, 2)]
        path = history.path
    assert _sql(path, "SELECT DISTINCT session_id FROM reps ORDER BY 1") == [(2,), (3,)]
    assert _sql(path, "SELECT DISTINCT session_id FROM faults ORDER BY 1") == [(2,), (3,)]


def test_analysing_again_without_a_report_keeps_the_earlier_report_while_its_file_is_there(
    home, make_result, tmp_path
):
    """A re-analysis without -o writes no report: the earlier one (same file, exercise and
    profile) stays the session's report while it is on disk; a new report takes its place."""
    first, second = tmp_path / "visit1" / "report.html", tmp_path / "again" / "report.html"
    for report in (first, second):
        report.parent.mkdir()
        report.write_text("<html></html>")
    with open_history() as history:

        def report_of(outcome: SaveOutcome) -> str | None:
            return history.get(outcome.id).info.report_path

        _save(history, make_result, report_path=first)
        kept = _save(history, make_result)  # no report this time
        assert kept == SaveOutcome(2, (1,), str(first.resolve()))
        assert report_of(kept) == str(first.resolve())
        newer = _save(history, make_result, report_path=second)
        assert newer == SaveOutcome(3, (2,)) and report_of(newer) == str(second.resolve())
        second.unlink()  # the report was deleted: nothing to keep
        gone = _save(history, make_result)
        assert gone == SaveOutcome(4, (3,)) and report_of(gone) is None
        other = _save(history, make_result, content_hash=H2)  # another file: not its report
        assert other == SaveOutcome(5, ()) and report_of(other) is None


@pytest.mark.parametrize(
    "change",
    [{"profile": "ben"}, {"exercise": "cat-cow"}, {"replace": False}, {"content_hash": None}],
    ids=["other-profile", "other-exercise", "keep-both", "no-hash"],
)
def test_only_the_same_hash_exercise_and_profile_is_replaced_and_keep_both_keeps(
    home, make_result, change
):
    with open_history() as history:
        _save(history, make_result)
        if "exercise" in change:
            result = make_result([{}], exercise=change["exercise"])
            outcome = history.save_session(
                result, source_kind="video", profile="anna", content_hash=H1
            )
        else:
            outcome = _save(history, make_result, **change)
        assert outcome == SaveOutcome(2, ())
        assert [s.id for s in history.list_sessions()] == [1, 2]


def test_replacing_removes_every_earlier_copy(home, make_result):
    with open_history() as history:
        _save(history, make_result)
        _save(history, make_result, replace=False)
        assert _save(history, make_result) == SaveOutcome(3, (1, 2))
        assert [s.id for s in history.list_sessions()] == [3]


def test_a_partial_analysis_never_replaces_a_complete_session(home, make_result):
    with open_history() as history:
        _save(history, make_result)
        cut = _save(history, make_result, partial="interrupted")
        assert cut == SaveOutcome(2, ())  # the complete session 1 stays
        assert _save(history, make_result, partial="truncated") == SaveOutcome(3, (2,))
        assert _save(history, make_result) == SaveOutcome(4, (1, 3))
        assert [s.id for s in history.list_sessions()] == [4]


def test_a_failed_replacement_leaves_the_old_session(home, make_result):
    with open_history() as history:
        _save(history, make_result)
        taken = _save(history, make_result, content_hash=H2).id
        uid = history.get(taken).info.uid
        with pytest.raises(HistoryError):
            _save(history, make_result, uid=uid)  # a uid already taken: it fails
        assert [s.id for s in history.list_sessions()] == [1, 2]


def test_save_session_with_no_history_touches_nothing(home, make_result):
    assert save_session(make_result([{}]), source_kind="video", no_history=True) is None
    assert not home.exists()
    outcome = save_session(make_result([{}]), source_kind="video", content_hash=H1)
    assert outcome == SaveOutcome(1, ())
    assert save_session(make_result([{}]), source_kind="video", content_hash=H1) == SaveOutcome(
        2, (1,)
    )


def test_previous_session_is_the_latest_earlier_one_of_the_same_profile_and_exercise(
    home, make_result
):
    with open_history() as history:
        day = {}
        for d, kw in [
            (1, {}),
            (3, {"content_hash": H2}),
            (4, {"synthetic": True, "content_hash": None}),
            (5, {"unsure": True, "content_hash": None}),
            (6, {"profile": "ben", "content_hash": None}),
            (7, {"content_hash": "c" * 64}),
        ]:
            kw = {"content_hash": H1, **kw}  # day 1 only keeps H1
            day[d] = _save(history, make_result, started_at=_day(d), **kw).id

        def previous(before: int, **kw) -> int | None:
            found = history.previous_session(
                profile="anna", exercise="bird-dog", before=_day(before), **kw
            )
            return None if found is None else found.info.started_at.day

        assert previous(7) == 3
        assert previous(7, include_synthetic=True) == 4
        assert previous(7, include_synthetic=True, include_unsure=True) == 5
        assert previous(7, content_hash=H2) == 1  # the same file analysed again is not "last time"
        assert previous(3) == 1
        assert previous(1) is None
        assert history.previous_session(profile="ben", exercise="bird-dog", before=_day(6)) is None
        stored = history.previous_session(profile="anna", exercise="bird-dog", before=_day(2))
        assert stored is not None and stored.info.id == day[1] and stored.result["reps"]


def test_progress_leaves_synthetic_and_unsure_sessions_out_unless_asked(home, make_result):
    with open_history() as history:
        for d, kw in [
            (1, {}),
            (2, {"synthetic": True}),
            (3, {"unsure": True}),
            (4, {"synthetic": True, "unsure": True}),
            (5, {}),
        ]:
            _save(history, make_result, started_at=_day(d), content_hash=None, **kw)

        def days(**kw) -> list[int]:
            (prog,) = load_progress(history, **kw)
            return [p.started_at.day for p in prog.points]

        assert days() == [1, 5]
        assert days(include_synthetic=True) == [1, 2, 5]
        assert days(include_unsure=True) == [1, 3, 5]
        assert days(include_synthetic=True, include_unsure=True) == [1, 2, 3, 4, 5]
        assert [s.started_at.day for s in history.list_sessions()] == [1, 2, 3, 4, 5]


def test_progress_is_in_recording_order_whatever_the_saving_order(home, make_result):
    with open_history() as history:
        for d in (9, 2, 5):  # a batch of old videos analysed today, newest first
            _save(history, make_result, started_at=_day(d), recorded_from="container",
                  content_hash=None)  # fmt: skip
        (prog,) = load_progress(history)
    assert [p.started_at.day for p in prog.points] == [2, 5, 9]
    assert prog.summary().startswith("bird-dog: 3 sessions, 2026-11-02 → 2026-11-09")
