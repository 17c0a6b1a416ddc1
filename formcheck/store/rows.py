"""Sessions as rows: the time text they store, the :class:`SessionInfo` a row becomes, the
``WHERE`` clause of the usual filters, and inserting one session with its reps and faults.

Shared by :mod:`formcheck.store.history`, :mod:`formcheck.store.transfer` and
:mod:`formcheck.store.progress`; nothing here opens a database or starts a transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from formcheck.errors import HistoryError
from formcheck.store.schema import (
    SOURCE_KINDS,
    check_content_hash,
    check_recorded_from,
    check_result,
    fault_rows,
    partial_reasons,
    partial_text,
    rep_rows,
    result_json,
)

__all__ = [
    "SESSION_COLUMNS",
    "SessionInfo",
    "check_profile",
    "clean_notes",
    "insert_session",
    "parse_utc",
    "session_filter",
    "session_info",
    "session_row",
    "utc_text",
]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SESSION_COLUMNS = (
    "id, uid, started_at, source, source_kind, exercise, routine, profile, duration_s, reps, "
    "report_path, notes, partial, recorded_from, content_hash, synthetic, unsure"
)


def utc_text(when: datetime | str | None = None) -> str:
    """``when`` (now if None; naive means local time) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    if when is None:
        when = datetime.now(timezone.utc)
    elif isinstance(when, str):
        when = parse_utc(when)
    return when.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def parse_utc(text: str) -> datetime:
    """An ISO 8601 timestamp (``Z`` or an offset; naive means local time) as aware UTC."""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HistoryError(f"not an ISO 8601 time: {text!r}") from None
    return when.astimezone(timezone.utc)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One stored session without its full result. ``started_at`` is aware UTC;
    ``mean_hold_s`` is over the reps that have a hold; ``faults`` counts reps per fault id;
    ``partial`` says why the session covers only part of its set (``("interrupted",)``,
    ``("truncated",)``), empty when it is complete. ``started_at`` is when the set was
    recorded; ``recorded_from`` says where that time came from (``given``, ``container``,
    ``file``, ``analysed``: see :mod:`formcheck.recorded`). ``content_hash`` is the input
    file's SHA-256 (None for live sessions and older ones); ``synthetic`` marks the synthetic
    mannequin's recordings and ``unsure`` an ``--exercise auto`` guess that was unsure."""

    id: int
    uid: str
    started_at: datetime
    source: str
    source_kind: str
    exercise: str
    routine: str | None
    profile: str
    duration_s: float
    reps: int
    report_path: str | None
    notes: str | None
    mean_hold_s: float | None = None
    faults: dict[str, int] | None = None
    partial: tuple[str, ...] = ()
    recorded_from: str = "analysed"
    content_hash: str | None = None
    synthetic: bool = False
    unsure: bool = False


def check_profile(name: str) -> str:
    """A profile name: stripped, non-empty, at most 64 characters, no control characters."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > 64 or any(ord(c) < 32 for c in cleaned):
        raise HistoryError(f"a profile name is 1-64 printable characters, got {name!r}")
    return cleaned


def clean_notes(notes: str | None) -> str | None:
    """A session's note as stored: as given, None when blank (empty or only whitespace)."""
    if notes is None:
        return None
    if not isinstance(notes, str):
        raise HistoryError(f"a note is text, got {type(notes).__name__}")
    return notes if notes.strip() else None


def session_filter(
    profile: str | None,
    exercise: str | None,
    since: date | datetime | None,
    include_synthetic: bool = True,
    include_unsure: bool = True,
) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause (on ``sessions s``) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if not include_synthetic:
        clauses.append("s.synthetic = 0")
    if not include_unsure:
        clauses.append("s.unsure = 0")
    if profile is not None:
        clauses.append("s.profile = ?")
        params.append(profile)
    if exercise is not None:
        clauses.append("s.exercise = ?")
        params.append(exercise)
    if since is not None:
        if not isinstance(since, datetime):
            since = datetime(since.year, since.month, since.day)
        clauses.append("s.started_at >= ?")
        params.append(utc_text(since))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def session_row(
    result: dict[str, Any],
    *,
    uid: str,
    started_at: datetime | str | None,
    source_kind: str,
    profile: str,
    source: str | None = None,
    routine: str | None = None,
    report_path: str | None = None,
    notes: str | None = None,
    partial: str | tuple[str, ...] | list[str] = (),
    recorded_from: str = "analysed",
    content_hash: str | None = None,
    synthetic: bool = False,
    unsure: bool = False,
) -> dict[str, Any]:
    """The ``sessions`` row of one result, every column checked (:class:`HistoryError`, one
    line, for a bad value); ``source`` defaults to the result's. Saving and importing a session
    both build their row here, so the two always fill the same columns the same way."""
    check_result(result)
    if source_kind not in SOURCE_KINDS:
        raise HistoryError(
            f"source_kind must be one of {', '.join(SOURCE_KINDS)}, got {source_kind!r}"
        )
    return {
        "uid": uid,
        "started_at": utc_text(started_at),
        "source": source or str(result["source"]),
        "source_kind": source_kind,
        "exercise": str(result["exercise"]),
        "routine": routine,
        "profile": check_profile(profile),
        "duration_s": float(result["duration_s"]),
        "reps": len(result["reps"]),
        "report_path": report_path,
        "notes": clean_notes(notes),
        "partial": partial_text(partial_reasons(result, partial)),
        "result": result_json(result),
        "recorded_from": check_recorded_from(recorded_from),
        "content_hash": check_content_hash(content_hash),
        "synthetic": int(bool(synthetic)),
        "unsure": int(bool(unsure)),
    }


def insert_session(conn: sqlite3.Connection, row: dict[str, Any], result: dict[str, Any]) -> int:
    """Insert one session, its profile, reps and faults (inside the caller's transaction)."""
    conn.execute(
        "INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)",
        (row["profile"], utc_text()),
    )
    cols = ", ".join(row)
    cur = conn.execute(
        f"INSERT INTO sessions ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )
    session_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO reps (session_id, rep_index, side, side_index, start_s, end_s, duration_s,"
        " peak, range, hold_s, hold_met, uncertain, form_hold_s)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rep_rows(session_id, result),
    )
    conn.executemany(
        "INSERT INTO faults (session_id, rep_index, fault, side, feature, value, threshold,"
        " start_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fault_rows(session_id, result),
    )
    return session_id


def session_info(row: tuple[Any, ...], faults: dict[str, int]) -> SessionInfo:
    """A SessionInfo from a :data:`SESSION_COLUMNS` row followed by the mean hold."""
    (sid, uid, started_at, source, source_kind, exercise, routine, profile, duration_s, reps,
     report_path, notes, partial, recorded_from, content_hash, synthetic, unsure,
     mean_hold) = row  # fmt: skip
    return SessionInfo(
        sid, uid, parse_utc(started_at), source, source_kind, exercise, routine, profile,
        duration_s, reps, report_path, notes, mean_hold_s=mean_hold, faults=faults,
        partial=tuple(partial.split(",")) if partial else (), recorded_from=recorded_from,
        content_hash=content_hash, synthetic=bool(synthetic), unsure=bool(unsure),
    )  # fmt: skip
