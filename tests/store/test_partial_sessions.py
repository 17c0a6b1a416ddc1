"""Partial sessions (issue 20, item 13c): an interrupted set is stored, listed, exported and
shown in progress as partial, and its rep count does not read as a drop in reps."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timezone

import pytest

from formcheck.errors import HistoryError
from formcheck.store import load_progress, open_history, save_result
from formcheck.store.schema import SCHEMA_VERSION


def _day(d: int) -> datetime:
    return datetime(2024, 5, d, 7, 30, tzinfo=timezone.utc)


def _interrupted(make_result, reps: int) -> dict:
    result = make_result([{}] * reps)
    result["interrupted"] = True
    return result


def test_an_interrupted_result_is_saved_as_partial_and_a_complete_one_is_not(home, make_result):
    done = save_result(make_result([{}] * 6), source_kind="video", started_at=_day(1))
    cut = save_result(_interrupted(make_result, 2), source_kind="live", started_at=_day(2))
    short = save_result(make_result([{}] * 3), source_kind="video", partial="truncated",
                        started_at=_day(3))  # fmt: skip
    with open_history() as history:
        infos = {s.id: s for s in history.list_sessions()}
        assert history.get(cut).info.partial == ("interrupted",)
        rows = dict(history.query("SELECT id, partial FROM sessions"))
    assert infos[done].partial == ()
    assert infos[cut].partial == ("interrupted",)
    assert infos[short].partial == ("truncated",)
    assert rows == {done: None, cut: "interrupted", short: "truncated"}


def test_an_unknown_partial_reason_is_refused(home, make_result):
    with open_history() as history:
        with pytest.raises(HistoryError, match="interrupted or truncated, got 'bored'"):
            history.save(make_result([{}]), source_kind="video", partial=["bored"])
        assert history.list_sessions() == []


def test_a_version_2_database_gets_the_partial_column_and_its_interrupted_sessions_marked(
    home, make_result, old_database
):
    """A history as formcheck wrote it at schema version 2, holding one complete session and
    one interrupted session (saved looking complete)."""
    path = home / "history.sqlite3"
    result = make_result([{}, {}])
    interrupted = {**result, "interrupted": True}
    old_database(path, 2, [
        ("INSERT INTO profiles VALUES ('default', '2024-01-01T00:00:00Z')", ()),
        *[("INSERT INTO sessions VALUES (?, ?, ?, 'old.mp4', 'video', 'bird-dog', NULL,"
           " 'default', 9.0, ?, NULL, ?, NULL)",
           (sid, f"u{sid}", f"2024-01-0{sid}T09:00:00Z", len(res["reps"]),
            json.dumps(res, separators=(",", ":"))))
          for sid, res in ((1, result), (2, interrupted))],
    ])  # fmt: skip
    with open_history() as history:
        old = {s.uid: s.partial for s in history.list_sessions()}
        new = history.save(_interrupted(make_result, 1), source_kind="live")
        assert history.get(new).info.partial == ("interrupted",)
    assert old == {"u1": (), "u2": ("interrupted",)}
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        columns = {r[1]: r for r in conn.execute("PRAGMA table_info(sessions)")}
        assert columns["partial"][2] == "TEXT"
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_export_carries_partial_and_the_round_trip_keeps_it(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        a.save(make_result([{}] * 4), source_kind="video", started_at=_day(1))
        a.save(_interrupted(make_result, 1), source_kind="live", started_at=_day(2))
        a.save(make_result([{}] * 3), source_kind="video", partial="truncated",
               started_at=_day(3))  # fmt: skip
        exported = a.export("json")
        rows = list(csv.DictReader(io.StringIO(a.export("csv"))))
    assert [s["partial"] for s in json.loads(exported)["sessions"]] == [
        [], ["interrupted"], ["truncated"]
    ]  # fmt: skip
    assert [r["partial"] for r in rows] == ["", "interrupted", "truncated"]
    with open_history(tmp_path / "b.sqlite3") as b:
        assert b.import_json(exported) == (3, 0)
        assert [s.partial for s in b.list_sessions()] == [(), ("interrupted",), ("truncated",)]
        assert b.export("json") == exported


def test_an_export_from_before_partial_existed_marks_interrupted_sessions(tmp_path, make_result):
    with open_history(tmp_path / "a.sqlite3") as a:
        a.save(make_result([{}] * 4), source_kind="video", started_at=_day(1))
        a.save(_interrupted(make_result, 1), source_kind="live", started_at=_day(2))
        doc = json.loads(a.export("json"))
    for s in doc["sessions"]:
        del s["partial"]
    with open_history(tmp_path / "b.sqlite3") as b:
        assert b.import_json(json.dumps(doc)) == (2, 0)
        assert [s.partial for s in b.list_sessions()] == [(), ("interrupted",)]
    doc["sessions"][0]["partial"] = "interrupted"
    with open_history(tmp_path / "c.sqlite3") as c:
        with pytest.raises(HistoryError, match="session 1: 'partial' must be a list"):
            c.import_json(json.dumps(doc), name="old.json")


def test_progress_marks_partial_sessions_and_they_are_not_a_drop_in_reps(tmp_path, make_result):
    with open_history(tmp_path / "h.sqlite3") as history:
        history.save(make_result([{}] * 6), source_kind="video", started_at=_day(1))
        history.save(make_result([{}] * 6), source_kind="video", started_at=_day(2))
        history.save(make_result([{"hold_s": 3.0}] * 6), source_kind="video", started_at=_day(3))
        history.save(_interrupted(make_result, 1), source_kind="live", started_at=_day(4))
        (prog,) = load_progress(history)
    assert [p.partial for p in prog.points] == [(), (), (), ("interrupted",)]
    t = prog.trend()
    # last third = 4 May only, which was interrupted after 1 rep: no complete session to count
    assert (t.window, t.partial, t.reps_per_session) == (1, 1, (6.0, None))
    assert t.hold_s == (2.5, 2.5)  # the rep it recorded still counts for the hold
    line = prog.summary()
    assert "4 sessions, 1 partial" in line
    assert "reps 6.0 → – per complete session" in line


def test_a_complete_history_says_nothing_about_partial_sessions(tmp_path, make_result):
    with open_history(tmp_path / "h.sqlite3") as history:
        for d in (1, 2):
            history.save(make_result([{}] * (3 + d)), source_kind="video", started_at=_day(d))
        (prog,) = load_progress(history)
    assert [p.partial for p in prog.points] == [(), ()]
    assert prog.trend().partial == 0
    assert "partial" not in prog.summary()
    assert "reps 4.0 → 5.0 per session" in prog.summary()


def test_the_reps_plot_draws_partial_sessions_hollow_with_a_legend_entry(tmp_path, make_result):
    from formcheck.store.plots import progress_figure

    with open_history(tmp_path / "h.sqlite3") as history:
        history.save(make_result([{}] * 6), source_kind="video", started_at=_day(1))
        history.save(_interrupted(make_result, 2), source_kind="live", started_at=_day(2))
        history.save(make_result([{}] * 7), source_kind="video", started_at=_day(3))
        progress = load_progress(history)
    reps_ax = progress_figure(progress).axes[0]
    lines = {line.get_label(): line for line in reps_ax.get_lines()}
    whole = lines["complete set"]
    assert list(whole.get_xdata()) == [1, 3] and list(whole.get_ydata()) == [6, 7]
    hollow = lines["partial set (interrupted or cut short)"]
    assert list(hollow.get_xdata()) == [2] and list(hollow.get_ydata()) == [2]
    assert hollow.get_markerfacecolor() == "white" and hollow.get_linestyle() == "None"
    legend = [t.get_text() for t in reps_ax.get_legend().get_texts()]
    assert legend == ["complete set", "partial set (interrupted or cut short)"]
