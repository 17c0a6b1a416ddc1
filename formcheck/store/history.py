"""The training history: every analysed set in one SQLite database per user.

The file is ``history.sqlite3`` in ``$FORMCHECK_HOME`` when that is set, else in
``platformdirs.user_data_dir("formcheck")``. The one call that ``formcheck analyze`` and the
live window make, *after* they have shown the result (so a history problem never costs the
user their analysis)::

    from formcheck.store import save_result

    session_id = save_result(
        result,                     # the formcheck.result dict from formcheck.pipeline.analyze
        source_kind="video",        # "live" (camera), "video" (a file), "recording" (landmarks)
        profile=profile,            # --profile, default "default"
        no_history=no_history,      # --no-history: nothing is opened or written, returns None
        routine=None, report_path=None,
    )

A result marked ``"interrupted": true`` (Ctrl+C during the analysis or the live session) is
stored as a *partial* session (``SessionInfo.partial == ("interrupted",)``); a caller that
knows more (the video file ended early) passes ``partial="truncated"``. Lists, exports and
progress show partial sessions as such.

It raises :class:`formcheck.errors.HistoryError` (one line, says what to do) and prints nothing;
``--no-history`` maps to ``no_history=True`` and ``--profile NAME`` to ``profile``.

Safety (see :mod:`formcheck.store.db`): a file that is not a formcheck history, is corrupt, or
was written by a newer formcheck (``PRAGMA user_version`` above the schema version this code
knows) is refused before anything is written to it; it is never overwritten, repaired or
migrated. Older databases are migrated forward on open (:mod:`formcheck.store.schema`), in one
transaction. The database runs in WAL mode; every write is one ``BEGIN IMMEDIATE`` transaction
that waits for another writer and is retried with backoff while the database stays locked, so
several formcheck processes can save at once. A process killed mid-write leaves no partial
session.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from formcheck.errors import HistoryError
from formcheck.store.db import connect, history_path, retry, sqlite_errors, transaction
from formcheck.store.schema import (
    SOURCE_KINDS,
    check_result,
    fault_rows,
    partial_reasons,
    partial_text,
    rep_rows,
    result_json,
)

__all__ = [
    "History",
    "SessionInfo",
    "StoredSession",
    "history_path",
    "open_history",
    "save_result",
]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SESSION_COLUMNS = (
    "id, uid, started_at, source, source_kind, exercise, routine, profile, duration_s, reps, "
    "report_path, notes, partial"
)
T = TypeVar("T")


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
    ``("truncated",)``), empty when it is complete."""

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


@dataclass(frozen=True, slots=True)
class StoredSession:
    """One stored session and its ``formcheck.result`` dict, as saved."""

    info: SessionInfo
    result: dict[str, Any]


class History:
    """An open history database. Use :func:`open_history`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    # --- writing -------------------------------------------------------------------------

    def save(
        self,
        result: dict[str, Any],
        *,
        source_kind: str,
        profile: str = "default",
        routine: str | None = None,
        report_path: str | os.PathLike[str] | None = None,
        started_at: datetime | str | None = None,
        notes: str | None = None,
        uid: str | None = None,
        partial: str | tuple[str, ...] | list[str] = (),
    ) -> int:
        """Store one session result (``formcheck.result`` v1) with its reps and faults in one
        transaction; returns the new session id. ``started_at`` defaults to now (naive means
        local time); ``uid`` (a fresh UUID by default) identifies the session across exports.
        The session is partial when the result says ``"interrupted": true`` or ``partial``
        names a reason (``"interrupted"``, ``"truncated"``)."""
        check_result(result)
        reasons = partial_reasons(result, partial)
        if source_kind not in SOURCE_KINDS:
            raise HistoryError(
                f"source_kind must be one of {', '.join(SOURCE_KINDS)}, got {source_kind!r}"
            )
        profile = check_profile(profile)
        row = {
            "uid": uid or uuid.uuid4().hex,
            "started_at": utc_text(started_at),
            "source": str(result["source"]),
            "source_kind": source_kind,
            "exercise": str(result["exercise"]),
            "routine": routine,
            "profile": profile,
            "duration_s": float(result["duration_s"]),
            "reps": len(result["reps"]),
            "report_path": None if report_path is None else os.fspath(report_path),
            "notes": notes,
            "partial": partial_text(reasons),
            "result": result_json(result),
        }
        return self._write(lambda conn: insert_session(conn, row, result))

    def delete(self, session_id: int) -> SessionInfo:
        """Remove one session with its reps and faults; returns what was removed."""
        info = self.get(session_id).info

        def remove(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

        self._write(remove)
        return info

    # --- reading -------------------------------------------------------------------------

    def list_sessions(
        self,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
    ) -> list[SessionInfo]:
        """Sessions oldest first, filtered by profile, exercise id and start time.
        A ``date`` for ``since`` means that day's local midnight; a naive datetime, local time."""
        return self._infos(*session_filter(profile, exercise, since))

    def get(self, session_id: int) -> StoredSession:
        """One session and its result; :class:`HistoryError` if there is no such id."""
        infos = self._infos("WHERE s.id = ?", [session_id])
        if not infos:
            raise HistoryError(
                f"no session {session_id} in {self.path}; `formcheck history list` shows the ids"
            )
        (text,) = self.query("SELECT result FROM sessions WHERE id = ?", (session_id,))[0]
        return StoredSession(infos[0], json.loads(text))

    def profiles(self) -> list[str]:
        """Profile names, in the order they were first used."""
        return [r[0] for r in self.query("SELECT name FROM profiles ORDER BY created_at, name")]

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query (for the store's own modules: progress, export)."""
        with sqlite_errors(self.path):
            return retry(lambda: self._conn.execute(sql, params).fetchall())

    def _infos(self, where: str, params: list[Any]) -> list[SessionInfo]:
        rows = self.query(
            f"SELECT {_SESSION_COLUMNS},"
            " (SELECT AVG(hold_s) FROM reps r WHERE r.session_id = s.id) AS mean_hold"
            f" FROM sessions s {where} ORDER BY started_at, id",
            params,
        )
        faults: dict[int, dict[str, int]] = {}
        for sid, fault, n in self.query(
            "SELECT session_id, fault, COUNT(DISTINCT rep_index) FROM faults"
            f" WHERE session_id IN (SELECT id FROM sessions s {where})"
            " GROUP BY session_id, fault ORDER BY session_id, fault",
            params,
        ):
            faults.setdefault(sid, {})[fault] = n
        return [
            _info(r[:12], partial=tuple(r[12].split(",")) if r[12] else (), mean_hold_s=r[13],
                  faults=faults.get(r[0], {}))
            for r in rows
        ]  # fmt: skip

    # --- export / import (see formcheck.store.transfer) ----------------------------------

    def export(
        self,
        fmt: str = "json",
        *,
        profile: str | None = None,
        exercise: str | None = None,
        since: date | datetime | None = None,
    ) -> str:
        """The sessions as text: ``"json"`` (complete, importable) or ``"csv"`` (one row per
        session, for spreadsheets)."""
        from formcheck.store.transfer import export_text

        return export_text(self, fmt, profile=profile, exercise=exercise, since=since)

    def import_json(self, text: str, *, name: str = "import") -> tuple[int, int]:
        """Add the sessions of a JSON export in one transaction; returns (added, skipped) —
        sessions whose uid is already present are skipped. ``name`` labels errors."""
        from formcheck.store.transfer import import_text

        return import_text(self, text, name=name)

    # --- plumbing ------------------------------------------------------------------------

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one BEGIN IMMEDIATE transaction, retried while the DB is locked."""

        def attempt() -> T:
            with transaction(self._conn):
                return work(self._conn)

        with sqlite_errors(self.path):
            return retry(attempt)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_history(path: str | os.PathLike[str] | None = None) -> History:
    """Open (creating or migrating as needed) the history at ``path`` (default
    :func:`history_path`). Refuses, without writing to it, a corrupt file, a file that is not a
    formcheck history, and one written by a newer formcheck."""
    path = Path(path) if path is not None else history_path()
    return History(path, connect(path))


def save_result(
    result: dict[str, Any],
    *,
    source_kind: str,
    profile: str = "default",
    no_history: bool = False,
    routine: str | None = None,
    report_path: str | os.PathLike[str] | None = None,
    started_at: datetime | str | None = None,
    path: str | os.PathLike[str] | None = None,
    partial: str | tuple[str, ...] | list[str] = (),
) -> int | None:
    """Open the history, save one result, close it; returns the session id, or None (and
    touches nothing) when ``no_history``. The session is partial when the result says
    ``"interrupted": true`` or ``partial`` names a reason. See the module docstring."""
    if no_history:
        return None
    with open_history(path) as history:
        return history.save(
            result, source_kind=source_kind, profile=profile, routine=routine,
            report_path=report_path, started_at=started_at, partial=partial,
        )  # fmt: skip


# --- shared with the store's other modules --------------------------------------------------


def check_profile(name: str) -> str:
    """A profile name: stripped, non-empty, at most 64 characters, no control characters."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > 64 or any(ord(c) < 32 for c in cleaned):
        raise HistoryError(f"a profile name is 1-64 printable characters, got {name!r}")
    return cleaned


def session_filter(
    profile: str | None, exercise: str | None, since: date | datetime | None
) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause (on ``sessions s``) and its parameters."""
    clauses, params = [], []
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
        " peak, range, hold_s, hold_met, uncertain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rep_rows(session_id, result),
    )
    conn.executemany(
        "INSERT INTO faults (session_id, rep_index, fault, side, feature, value, threshold,"
        " start_s, end_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fault_rows(session_id, result),
    )
    return session_id


# --- internals ------------------------------------------------------------------------------


def _info(row: tuple[Any, ...], **extra: Any) -> SessionInfo:
    fields = list(row)
    fields[2] = parse_utc(fields[2])
    return SessionInfo(*fields, **extra)
