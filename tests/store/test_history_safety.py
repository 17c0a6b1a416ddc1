"""The history under stress: several processes saving at once, and a process killed mid-write."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

from formcheck.store import open_history
from formcheck.store.db import transaction
from formcheck.store.history import insert_session
from formcheck.store.schema import result_json

SESSIONS_PER_WRITER = 50


def _writer(path: str, name: str, result: dict, go) -> None:
    go.wait(10)
    for i in range(SESSIONS_PER_WRITER):
        with open_history(path) as history:  # open per save, as analyze does
            history.save(result, source_kind="video", profile=name, uid=f"{name}-{i}")


def test_two_processes_saving_at_once_lose_nothing(tmp_path, make_result):
    path = tmp_path / "history.sqlite3"  # does not exist yet: both create and migrate it at once
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    result = make_result([{"faults": ["bent_knee"]}, {}, {}])
    writers = [ctx.Process(target=_writer, args=(str(path), n, result, go)) for n in "ab"]
    for w in writers:
        w.start()
    go.set()
    for w in writers:
        w.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    with open_history(path) as history:
        uids = {s.uid for s in history.list_sessions()}
        assert uids == {f"{n}-{i}" for n in "ab" for i in range(SESSIONS_PER_WRITER)}
        assert history.query("SELECT count(*) FROM reps") == [(300,)]
        assert history.query("SELECT count(*) FROM faults") == [(100,)]
        assert history.query("PRAGMA integrity_check") == [("ok",)]


def _die_mid_write(path: str, result: dict) -> None:
    history = open_history(path)
    conn = history._conn
    conn.execute("PRAGMA cache_size = 5")  # a tiny page cache spills the open transaction to disk
    with transaction(conn):
        row = {
            "uid": "partial", "started_at": "2024-05-02T10:00:00Z", "source": "x.mp4",
            "source_kind": "video", "exercise": "bird-dog", "routine": None, "profile": "default",
            "duration_s": 1.0, "reps": len(result["reps"]), "report_path": None, "notes": None,
            "result": result_json(result),
        }  # fmt: skip
        insert_session(conn, row, result)
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_killed_mid_write_leaves_a_readable_history_without_the_partial_session(
    tmp_path, make_result
):
    path = tmp_path / "history.sqlite3"
    with open_history(path) as history:
        kept = history.save(make_result([{}, {}]), source_kind="video", uid="kept")
    big = make_result([{"faults": ["bent_knee"]}] * 400)
    child = multiprocessing.get_context("spawn").Process(
        target=_die_mid_write, args=(str(path), big)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0  # the uncommitted rows did reach the disk

    with open_history(path) as history:
        assert history.query("PRAGMA integrity_check") == [("ok",)]
        assert [s.uid for s in history.list_sessions()] == ["kept"]
        assert history.query("SELECT DISTINCT session_id FROM reps") == [(kept,)]
        assert history.query("SELECT count(*) FROM faults") == [(0,)]
        history.save(make_result([{}]), source_kind="video")  # and it takes new sessions
        assert len(history.list_sessions()) == 2
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
