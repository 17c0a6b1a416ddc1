"""The history database: where it lives, rows built from a result, filters, migrations, and the
files it must refuse without touching them."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from formcheck.engine import load_exercise
from formcheck.errors import HistoryError
from formcheck.pipeline import analyze, open_pose_input
from formcheck.store import SCHEMA_VERSION, history_path, open_history, save_result
from formcheck.store.schema import APPLICATION_ID, MIGRATIONS

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# Migration 1 exactly as formcheck first shipped it. A migration that has shipped must never
# change (databases in the wild were built by it): the test below holds the code to this text.
V1_SCHEMA = (
    """CREATE TABLE profiles (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        )""",
    """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            started_at TEXT NOT NULL,
            source TEXT NOT NULL,
            source_kind TEXT NOT NULL CHECK (source_kind IN ('live', 'video', 'recording')),
            exercise TEXT NOT NULL,
            routine TEXT,
            profile TEXT NOT NULL REFERENCES profiles (name),
            duration_s REAL NOT NULL,
            reps INTEGER NOT NULL,
            report_path TEXT,
            result TEXT NOT NULL
        )""",
    """CREATE TABLE reps (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            rep_index INTEGER NOT NULL,
            side TEXT NOT NULL,
            side_index INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            duration_s REAL NOT NULL,
            peak REAL,
            range REAL,
            hold_s REAL,
            hold_met INTEGER,
            uncertain INTEGER NOT NULL,
            PRIMARY KEY (session_id, rep_index)
        )""",
    """CREATE TABLE faults (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            rep_index INTEGER,
            fault TEXT NOT NULL,
            side TEXT,
            feature TEXT,
            value REAL,
            threshold TEXT,
            start_s REAL,
            end_s REAL
        )""",
    "PRAGMA application_id = 1178815304",
)


@pytest.fixture(scope="module")
def sample_result() -> dict:
    """The engine's real result on the bundled bird-dog sample (bent knee on rep 3)."""
    with open_pose_input(SAMPLES / "bird-dog.jsonl.gz") as pose:
        return analyze(pose, load_exercise("bird-dog"))


def _sql(path: Path, query: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_a_new_history_is_created_in_formcheck_home_in_wal_mode_at_the_latest_schema(home):
    with open_history() as history:
        assert history.path == home / "history.sqlite3"
    assert history_path() == home / "history.sqlite3"
    assert _sql(history.path, "PRAGMA journal_mode") == [("wal",)]
    assert _sql(history.path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(5,)]
    assert _sql(history.path, "PRAGMA application_id") == [(APPLICATION_ID,)]
    tables = {r[0] for r in _sql(history.path, "SELECT name FROM sqlite_master")}
    assert {"profiles", "sessions", "reps", "faults"} <= tables


def test_without_formcheck_home_the_history_is_in_the_user_data_folder(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("FORMCHECK_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app: str(tmp_path / app))
    assert history_path() == tmp_path / "formcheck" / "history.sqlite3"


def test_a_saved_result_becomes_session_rep_and_fault_rows(home, sample_result):
    with open_history() as history:
        sid = history.save(
            sample_result, source_kind="recording", profile="anna", routine="back-health",
            report_path=home / "r.html", started_at="2024-05-01T12:30:00+02:00",
        )  # fmt: skip
        stored = history.get(sid)
        path = history.path
    assert stored.result == sample_result
    info = stored.info
    assert (info.exercise, info.profile, info.routine, info.source_kind) == (
        "bird-dog", "anna", "back-health", "recording",
    )  # fmt: skip
    assert info.started_at == datetime(2024, 5, 1, 10, 30, tzinfo=timezone.utc)
    assert info.reps == 4 and info.duration_s == sample_result["duration_s"]
    assert info.report_path == str(home / "r.html")
    assert info.faults == {"bent_knee": 1, "hold_short": 1}
    holds = [r["hold_s"] for r in sample_result["reps"]]
    assert info.mean_hold_s == pytest.approx(sum(holds) / 4)
    assert _sql(path, "SELECT started_at FROM sessions") == [("2024-05-01T10:30:00Z",)]
    reps = _sql(path, "SELECT rep_index, side, side_index, start_s, end_s, duration_s, peak,"
                " range, hold_s, hold_met, uncertain FROM reps ORDER BY rep_index")  # fmt: skip
    assert reps == [
        (r["index"], r["side"], r["side_index"], r["start_s"], r["end_s"], r["duration_s"],
         r["peak"], r["range"], r["hold_s"], int(r["hold_met"]), 0)
        for r in sample_result["reps"]
    ]  # fmt: skip
    faults = _sql(path, "SELECT rep_index, fault, side, feature, value, threshold FROM faults"
                  " ORDER BY id")  # fmt: skip
    assert faults == [
        (3, "bent_knee", "left", "knee_left", 134.45, "< 150"),
        (3, "hold_short", "left", "form_hold_s", 0.0, "< 2"),
    ]
    assert _sql(path, "SELECT name FROM profiles") == [("anna",)]


def test_sessions_are_listed_oldest_first_and_filtered(home, make_result):
    with open_history() as history:
        for day, profile, exercise in [
            (3, "anna", "bird-dog"), (1, "anna", "bird-dog"), (2, "ben", "bird-dog"),
            (4, "anna", "cat-cow"),
        ]:  # fmt: skip
            history.save(
                make_result([{}], exercise=exercise), source_kind="video", profile=profile,
                started_at=datetime(2024, 5, day, 12, tzinfo=timezone.utc),
            )  # fmt: skip

        def days(**kw) -> list[int]:
            return [s.started_at.day for s in history.list_sessions(**kw)]

        assert days() == [1, 2, 3, 4]
        assert days(profile="anna") == [1, 3, 4]
        assert days(exercise="bird-dog") == [1, 2, 3]
        assert days(profile="anna", exercise="bird-dog") == [1, 3]
        assert days(since=date(2024, 5, 3)) == [3, 4]
        assert days(profile="nobody") == []
        assert history.profiles() == ["anna", "ben"]


def test_delete_removes_the_session_with_its_reps_and_faults(home, make_result):
    with open_history() as history:
        keep = history.save(make_result([{"faults": ["bent_knee"]}]), source_kind="video")
        gone = history.save(make_result([{"faults": ["bent_knee"]}, {}]), source_kind="video")
        assert history.delete(gone).id == gone
        assert [s.id for s in history.list_sessions()] == [keep]
        with pytest.raises(HistoryError, match=f"no session {gone} in .*history list"):
            history.get(gone)
        with pytest.raises(HistoryError):
            history.delete(gone)
        path = history.path
    assert _sql(path, "SELECT DISTINCT session_id FROM reps") == [(keep,)]
    assert _sql(path, "SELECT DISTINCT session_id FROM faults") == [(keep,)]


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ({"schema": "other"}, {}, "cannot store a result of schema 'other'"),
        ({"version": 2}, {}, "version 2"),
        ({"reps": [{"index": 1}]}, {}, "rep 1 has no 'side'"),
        ({}, {"source_kind": "webcam"}, "source_kind must be one of live, video, recording"),
        ({}, {"profile": "  "}, "a profile name is 1-64 printable characters"),
        ({}, {"profile": "x" * 65}, "a profile name is 1-64 printable characters"),
    ],
)
def test_save_refuses_what_it_cannot_store_and_writes_nothing(
    home, make_result, change, kwargs, message
):
    result = {**make_result([{}]), **change}
    with open_history() as history:
        with pytest.raises(HistoryError, match=message):
            history.save(result, **{"source_kind": "video", **kwargs})
        assert history.list_sessions() == []


def test_save_result_is_the_one_call_and_no_history_touches_nothing(home, make_result):
    assert save_result(make_result([{}]), source_kind="live", no_history=True) is None
    assert not home.exists()
    sid = save_result(make_result([{}]), source_kind="live", profile="anna")
    with open_history() as history:
        assert [(s.id, s.profile, s.source_kind) for s in history.list_sessions()] == [
            (sid, "anna", "live")
        ]


def test_shipped_migration_1_is_unchanged():
    assert MIGRATIONS[0] == V1_SCHEMA


def _version_1_database(path: Path) -> None:
    """A history as the first formcheck wrote it: schema 1, one session with reps and a fault."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for sql in V1_SCHEMA:
        conn.execute(sql)
    conn.execute("INSERT INTO profiles VALUES ('default', '2024-01-01T00:00:00Z')")
    conn.execute(
        "INSERT INTO sessions VALUES (1, 'u1', '2024-01-02T09:00:00Z', 'old.mp4', 'video',"
        " 'bird-dog', NULL, 'default', 9.0, 2, NULL, ?)",
        ('{"schema":"formcheck.result","version":1,"exercise":"bird-dog","reps":[]}',),
    )
    conn.execute("INSERT INTO reps VALUES (1, 1, 'left', 1, 0.5, 4.0, 3.5, 1.0, 88.0, 2.2, 1, 0)")
    conn.execute("INSERT INTO reps VALUES (1, 2, 'right', 1, 4.5, 8.0, 3.5, 1.0, 86.0, 1.2, 0, 0)")
    conn.execute(
        "INSERT INTO faults VALUES (1, 1, 2, 'hold_short', 'right', 'hold_s', 1.2, '< 2', 4.5, 8.0)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_a_version_1_database_is_migrated_forward_and_keeps_its_data(home, make_result):
    path = home / "history.sqlite3"
    _version_1_database(path)
    with open_history() as history:
        (old,) = history.list_sessions()
        assert (old.id, old.uid, old.source, old.reps, old.notes) == (1, "u1", "old.mp4", 2, None)
        assert old.mean_hold_s == pytest.approx(1.7)
        assert old.faults == {"hold_short": 1}
        new = history.save(make_result([{}]), source_kind="video", notes="felt good")
        assert history.get(new).info.notes == "felt good"
    assert _sql(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert ("notes",) in _sql(path, "SELECT name FROM pragma_table_info('sessions')")
    indexes = {r[0] for r in _sql(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"sessions_by_profile_exercise_time", "faults_by_session"} <= indexes
    assert _sql(path, "SELECT count(*) FROM reps WHERE session_id = 1") == [(2,)]
    assert _sql(path, "PRAGMA integrity_check") == [("ok",)]


def test_an_empty_file_is_initialised(home):
    home.mkdir()
    (home / "history.sqlite3").write_bytes(b"")
    with open_history() as history:
        assert history.list_sessions() == []
    assert _sql(home / "history.sqlite3", "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def _assert_refused_untouched(path: Path, *messages: str) -> None:
    before = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(HistoryError) as info:
        open_history()
    text = str(info.value)
    assert "\n" not in text and str(path) in text
    for message in messages:
        assert message in text
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings  # no -wal, no -journal


def test_a_database_from_a_newer_formcheck_is_refused_and_left_untouched(home):
    path = home / "history.sqlite3"
    home.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, future TEXT)")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    _assert_refused_untouched(
        path,
        "was written by a newer formcheck (schema 6, this one knows 5)",
        "upgrade formcheck, or point FORMCHECK_HOME elsewhere",
    )


def _malformed(path: Path) -> None:
    """A real history whose inner pages were overwritten with garbage."""
    with open_history(path) as history:
        for i in range(30):
            history.save(
                {"schema": "formcheck.result", "version": 1, "exercise": "bird-dog",
                 "source": f"s{i}.mp4" * 40, "duration_s": 1.0, "reps": []},
                source_kind="video",
            )  # fmt: skip
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 6 * page
    data[2 * page : 5 * page] = bytes(range(256)) * (3 * page // 256)
    path.write_bytes(bytes(data))


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"this is a text file, not a database\n" * 100), "not a database"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\xff" * 84), "not a readable"),
        (_malformed, "not a readable formcheck history"),
        (_foreign, "an SQLite database but not a formcheck history"),
    ],
    ids=["text", "bad-header", "malformed", "foreign"],
)
def test_a_corrupt_or_foreign_file_is_refused_and_left_untouched(home, make, message):
    home.mkdir()
    path = home / "history.sqlite3"
    make(path)
    _assert_refused_untouched(path, message, "left untouched")
