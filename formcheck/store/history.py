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

:func:`save_session` takes the same arguments and returns a :class:`SaveOutcome` (the new id
and the ids of the sessions it replaced), or None with ``no_history``. What a session carries
besides its result (issue 15)::

    outcome = save_session(
        result, source_kind="video", profile="anna",
        started_at=when, recorded_from="container",  # formcheck.recorded.recording_time(path)
        notes="left knee sore",                       # --note
        content_hash=file_hash(path),                 # formcheck.recorded.file_hash
        replace=True,                                 # False with --keep-both
        synthetic=False,                              # True for the mannequin's recordings
        unsure=False,                                 # True when --exercise auto was unsure
        report_path=out / "report.html",              # stored absolute
    )
    outcome.id, outcome.replaced                      # 7, (3,)

With a ``content_hash`` and ``replace=True``, the sessions of the same content hash, exercise and
profile are deleted and the new one inserted in one transaction: analysing a file again leaves
one session, not two. A partial result (interrupted, cut short) replaces only partial sessions,
never a complete one (both are then kept).

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
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any, TypeVar

from formcheck.errors import HistoryError
from formcheck.store.db import connect, history_path, retry, sqlite_errors, transaction
from formcheck.store.rows import (
    SESSION_COLUMNS,
    SessionInfo,
    check_profile,
    insert_session,
    parse_utc,
    session_filter,
    session_info,
    session_row,
    utc_text,
)
from formcheck.store.schema import check_content_hash

__all__ = [
    "History",
    "SaveOutcome",
    "SessionInfo",
    "StoredSession",
    "history_path",
    "open_history",
    "save_result",
    "save_session",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What :meth:`History.save_session` did: the new session's ``id`` and the ids of the
    sessions it ``replaced`` (same content hash, exercise and profile), oldest first;
    ``kept_report``: the report path it kept from them (it was given none)."""

    id: int
    replaced: tuple[int, ...] = ()
    kept_report: str | None = None


@dataclass(frozen=True, slots=True)
class StoredSession:
    """One stored session and its ``formcheck.result`` dict, as saved."""

    info: SessionInfo
    result: dict[str, Any]


def _kept_report(conn: sqlite3.Connection, ids: list[int]) -> str | None:
    """The latest report path of the sessions ``ids`` whose file is still there, or None."""
    if not ids:
        return None
    marks = ", ".join("?" * len(ids))
    for (path,) in conn.execute(
        f"SELECT report_path FROM sessions WHERE id IN ({marks}) AND report_path IS NOT NULL"
        " ORDER BY id DESC",
        ids,
    ):
        if Path(path).is_file():
            return str(path)
    return None


class History:
    """An open history database. Use :func:`open_history`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn

    # --- writing -------------------------------------------------------------------------

    def save(self, result: dict[str, Any], **options: Any) -> int:
        """:meth:`save_session` with the same arguments, returning only the new session id."""
        return self.save_session(result, **options).id

    def save_session(
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
        recorded_from: str | None = None,
        content_hash: str | None = None,
        replace: bool = True,
        synthetic: bool = False,
        unsure: bool = False,
    ) -> SaveOutcome:
        """Store one session result (``formcheck.result`` v1) with its reps and faults in one
        transaction; returns the new id and the ids it replaced.

        ``started_at`` is when the set was recorded (default now; naive means local time) and
        ``recorded_from`` where that time came from (``given``, ``container``, ``file``,
        ``analysed``; default ``analysed`` without ``started_at``, ``given`` with it).
        ``notes`` is free text, kept as given (blank: none). ``report_path`` is stored
        absolute. ``uid`` (a fresh UUID by default) identifies the session across exports.
        The session is partial when the result says ``"interrupted": true`` or ``partial``
        names a reason (``"interrupted"``, ``"truncated"``). ``synthetic`` marks a recording
        of the synthetic mannequin, ``unsure`` an ``--exercise auto`` guess that was unsure;
        progress leaves both out unless asked.

        ``content_hash`` is the input file's SHA-256 (:func:`formcheck.recorded.file_hash`).
        With ``replace`` (the default) the sessions of the same content hash, exercise and
        profile are deleted in the same transaction, except that a partial result never
        replaces a complete session; ``replace=False`` (``--keep-both``) keeps them. Given no
        ``report_path``, the new session keeps the latest report of those it replaces whose
        file is still there (re-analysing without writing a report does not lose the link)."""
        if recorded_from is None:
            recorded_from = "analysed" if started_at is None else "given"
        row = session_row(
            result, uid=uid or uuid.uuid4().hex, started_at=started_at, source_kind=source_kind,
            profile=profile, routine=routine, notes=notes, partial=partial,
            report_path=None if report_path is None else str(Path(report_path).resolve()),
            recorded_from=recorded_from, content_hash=content_hash, synthetic=synthetic,
            unsure=unsure,
        )  # fmt: skip
        complete = row["partial"] is None

        def write(conn: sqlite3.Connection) -> SaveOutcome:
            replaced: list[int] = []
            if replace and row["content_hash"] is not None:
                replaced = [
                    sid
                    for sid, was_partial in conn.execute(
                        "SELECT id, partial FROM sessions"
                        " WHERE content_hash = ? AND exercise = ? AND profile = ?"
                        " ORDER BY started_at, id",
                        (row["content_hash"], row["exercise"], row["profile"]),
                    )
                    if complete or was_partial  # partial replaces partial only
                ]
            kept = None if row["report_path"] is not None else _kept_report(conn, replaced)
            # Insert first, so the new session gets a fresh id (SQLite would hand a deleted
            # last id out again), then delete what it replaces: one transaction either way.
            new_id = insert_session(
                conn, {**row, "report_path": kept or row["report_path"]}, result
            )
            conn.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in replaced])
            return SaveOutcome(new_id, tuple(replaced), kept)

        return self._write(write)

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
        *,
        include_synthetic: bool = True,
        include_unsure: bool = True,
    ) -> list[SessionInfo]:
        """Sessions oldest first by recording time (``started_at``, then id), filtered by
        profile, exercise id and recording time; synthetic and unsure sessions are left out
        when ``include_synthetic`` / ``include_unsure`` is False. A ``date`` for ``since``
        means that day's local midnight; a naive datetime, local time."""
        return self._infos(
            *session_filter(profile, exercise, since, include_synthetic, include_unsure)
        )

    def previous_session(
        self,
        *,
        profile: str,
        exercise: str,
        before: datetime | str,
        content_hash: str | None = None,
        include_synthetic: bool = False,
        include_unsure: bool = False,
    ) -> StoredSession | None:
        """The latest session of ``profile`` and ``exercise`` recorded strictly before
        ``before`` (naive: local time), for "since last time"; sessions of the same
        ``content_hash`` (the same file analysed again) are skipped, and so are synthetic and
        unsure ones unless asked. None when there is none."""
        where, params = session_filter(
            check_profile(profile), exercise, None, include_synthetic, include_unsure
        )
        where += " AND s.started_at < ?"
        params.append(utc_text(before))
        if content_hash is not None:
            where += " AND (s.content_hash IS NULL OR s.content_hash != ?)"
            params.append(check_content_hash(content_hash))
        rows = self.query(
            f"SELECT id FROM sessions s {where} ORDER BY started_at DESC, id DESC LIMIT 1", params
        )
        return self.get(rows[0][0]) if rows else None

    def comparable_sessions(
        self,
        *,
        profile: str,
        recorded_at: datetime | str,
        exercise: str | None = None,
        content_hash: str | None = None,
        per_exercise: int = 10,
    ) -> list[StoredSession]:
        """What a new set of ``profile`` recorded at ``recorded_at`` (naive: local time) is
        compared and paired with: the sessions recorded before it or on its day (the local
        date; later that day too, for the other side of a one-sided exercise), latest first,
        at most ``per_exercise`` of each exercise (``exercise`` only, when given). Synthetic
        and unsure sessions are left out, and so are those of ``content_hash`` (the same file
        analysed before)."""
        when = parse_utc(recorded_at) if isinstance(recorded_at, str) else recorded_at
        day = (when if when.tzinfo is None else when.astimezone()).date()
        where, params = session_filter(check_profile(profile), exercise, None, False, False)
        where += " AND s.started_at < ?"
        params.append(utc_text(datetime.combine(day + timedelta(days=1), dt_time())))
        if content_hash is not None:
            where += " AND (s.content_hash IS NULL OR s.content_hash != ?)"
            params.append(check_content_hash(content_hash))
        kept: list[int] = []
        seen: dict[str, int] = {}
        for sid, ex in self.query(
            f"SELECT id, exercise FROM sessions s {where} ORDER BY started_at DESC, id DESC", params
        ):
            seen[ex] = seen.get(ex, 0) + 1
            if seen[ex] <= per_exercise:
                kept.append(sid)
        return [self.get(sid) for sid in kept]

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
            f"SELECT {SESSION_COLUMNS},"
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
        return [session_info(r, faults.get(r[0], {})) for r in rows]

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


def save_result(result: dict[str, Any], **options: Any) -> int | None:
    """:func:`save_session` with the same arguments, returning only the new session id (None
    with ``no_history``)."""
    outcome = save_session(result, **options)
    return None if outcome is None else outcome.id


def save_session(
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
    recorded_from: str | None = None,
    notes: str | None = None,
    content_hash: str | None = None,
    replace: bool = True,
    synthetic: bool = False,
    unsure: bool = False,
) -> SaveOutcome | None:
    """Open the history (``path``, default :func:`history_path`), save one result with
    :meth:`History.save_session`, close it; returns what was saved and replaced, or None (and
    touches nothing) when ``no_history``. See the module docstring."""
    if no_history:
        return None
    with open_history(path) as history:
        return history.save_session(
            result, source_kind=source_kind, profile=profile, routine=routine,
            report_path=report_path, started_at=started_at, notes=notes, partial=partial,
            recorded_from=recorded_from, content_hash=content_hash, replace=replace,
            synthetic=synthetic, unsure=unsure,
        )  # fmt: skip
