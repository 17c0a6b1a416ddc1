"""The history database's schema, its forward migrations, and the rows one result becomes.

``PRAGMA user_version`` is the schema version: ``0`` is an empty file, ``n`` means
``MIGRATIONS[:n]`` have been applied. Migrations are forward-only and append-only: a migration
that has shipped is never edited (a test holds migration 1 to its first text); a change is a
new migration at the end. ``PRAGMA application_id`` marks the file as a formcheck history, so
formcheck never migrates somebody else's SQLite file.

Tables (version 5)::

    profiles  name PK, created_at
    sessions  id PK, uid UNIQUE, started_at (ISO 8601 UTC, "2024-05-01T10:00:00Z": when the set
              was *recorded*, see recorded_from), source (the input's file name, or
              "camera 0"), source_kind ('live' | 'video' | 'recording'), exercise, routine NULL,
              profile -> profiles, duration_s, reps, report_path NULL (absolute since v4),
              result (the whole ``formcheck.result`` JSON), notes NULL (v2),
              partial NULL (v3: why the set is incomplete, e.g. 'interrupted'; NULL if complete),
              recorded_from (v4: where started_at came from, one of RECORDED_FROM),
              content_hash NULL (v4: sha256 of the input file's bytes, 64 lowercase hex digits),
              synthetic 0/1 (v4: a recording of the synthetic mannequin),
              unsure 0/1 (v4: ``--exercise auto`` guessed the exercise and was unsure)
    reps      session_id -> sessions (cascade), rep_index, side, side_index, start_s, end_s,
              duration_s, peak, range, hold_s NULL (time held in position), hold_met NULL,
              uncertain, form_hold_s NULL (v5: the part of the hold with good form, which the
              target counts); PK (session_id, rep_index)
    faults    id PK, session_id -> sessions (cascade), rep_index NULL, fault, side, feature,
              value, threshold, start_s, end_s

``rep_index`` is the result's rep ``index`` (1-based over the whole set); it is called
``rep_index`` so that queries need no quoting and ``faults.rep_index`` joins ``reps.rep_index``.
``uid`` identifies a session across databases: an import skips sessions it already holds.
``partial`` lists, comma-separated, the :data:`PARTIAL_REASONS` that make a session cover only
part of the set: ``interrupted`` (Ctrl+C during the analysis or the live session; the result
says ``"interrupted": true``) and ``truncated`` (the video file ended
early). Migration 3 fills it in for interrupted sessions saved before the column existed.

Version 4 (issue 15) dates a session by its recording and keeps the history tidy:

- ``recorded_from`` is ``given`` (typed with ``--recorded``), ``container`` (the video's
  creation_time metadata or a landmark recording's header), ``file`` (the file's modification
  time) or ``analysed`` (the analysis time: live sessions, and every session saved before
  version 4, which migration 4 marks so). :mod:`formcheck.recorded` finds and words it.
- ``content_hash`` identifies the input file: saving with ``replace=True`` deletes the sessions
  of the same content_hash, exercise and profile in the same transaction (index
  ``sessions_by_content``). NULL for live sessions and for sessions saved before version 4.
- ``synthetic`` and ``unsure`` mark sessions that progress leaves out unless asked. Migration 4
  sets both to 0 for older sessions: it does not guess which of them were the mannequin's.
- ``report_path`` is stored absolute from version 4 on; older rows keep what they had (a path
  relative to wherever formcheck ran).
"""

from __future__ import annotations

import json
from typing import Any

from formcheck.engine.result import RESULT_SCHEMA, RESULT_VERSION
from formcheck.errors import HistoryError
from formcheck.recorded import RECORDED_FROM

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "PARTIAL_REASONS",
    "RECORDED_FROM",
    "SCHEMA_VERSION",
    "SOURCE_KINDS",
    "fault_rows",
    "rep_rows",
    "result_json",
    "check_content_hash",
    "check_recorded_from",
    "check_result",
    "partial_reasons",
    "partial_text",
]

APPLICATION_ID = 0x46434B48  # "FCKH": formcheck history
SOURCE_KINDS = ("live", "video", "recording")
PARTIAL_REASONS = ("interrupted", "truncated")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the initial schema.
    (
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
        f"PRAGMA application_id = {APPLICATION_ID}",
    ),
    # 2: a free-text note per session, and indexes for the list and progress queries (which
    # filter by profile and exercise and order by time) and for per-session fault lookups.
    (
        "ALTER TABLE sessions ADD COLUMN notes TEXT",
        "CREATE INDEX sessions_by_profile_exercise_time"
        " ON sessions (profile, exercise, started_at)",
        "CREATE INDEX sessions_by_time ON sessions (started_at)",
        "CREATE INDEX faults_by_session ON faults (session_id, rep_index)",
    ),
    # 3: why a session covers only part of its set (NULL: complete). Sessions saved before,
    # whose result says they were interrupted, are marked now.
    (
        "ALTER TABLE sessions ADD COLUMN partial TEXT",
        "UPDATE sessions SET partial = 'interrupted'"
        " WHERE json_valid(result) AND json_extract(result, '$.interrupted') = 1",
    ),
    # 4 (issue 15): where the session's date came from (older sessions were dated when they
    # were analysed), the input's content hash and its lookup index (re-analysing replaces),
    # and the synthetic / unsure marks that progress leaves out unless asked.
    (
        "ALTER TABLE sessions ADD COLUMN recorded_from TEXT NOT NULL DEFAULT 'analysed'"
        " CHECK (recorded_from IN ('given', 'container', 'file', 'analysed'))",
        "ALTER TABLE sessions ADD COLUMN content_hash TEXT",
        "ALTER TABLE sessions ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0"
        " CHECK (synthetic IN (0, 1))",
        "ALTER TABLE sessions ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0"
        " CHECK (unsure IN (0, 1))",
        "CREATE INDEX sessions_by_content ON sessions (content_hash, exercise, profile)",
    ),
    # 5 (issue 13): the part of each hold done with good form, which is what the hold target
    # counts (hold_s is the time held in position). Filled in from the stored results.
    (
        "ALTER TABLE reps ADD COLUMN form_hold_s REAL",
        "UPDATE reps SET form_hold_s = ("
        " SELECT json_extract(r.value, '$.form_hold_s')"
        " FROM sessions s, json_each(s.result, '$.reps') r"
        " WHERE s.id = reps.session_id AND json_valid(s.result)"
        " AND json_extract(r.value, '$.index') = reps.rep_index)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def check_result(result: Any) -> None:
    """Raise :class:`HistoryError` unless ``result`` is a ``formcheck.result`` v1 dict whose
    reps carry the keys the tables need."""
    if not isinstance(result, dict):
        raise HistoryError(f"cannot store a result of type {type(result).__name__}, expected dict")
    schema, version = result.get("schema"), result.get("version")
    if schema != RESULT_SCHEMA or version != RESULT_VERSION:
        raise HistoryError(
            f"cannot store a result of schema {schema!r} version {version!r}: this formcheck "
            f"stores {RESULT_SCHEMA!r} version {RESULT_VERSION}"
        )
    for key in ("exercise", "source", "duration_s", "reps"):
        if key not in result:
            raise HistoryError(f"cannot store this result: it has no {key!r}")
    for i, rep in enumerate(result["reps"], 1):
        missing = [k for k in ("index", "side", "side_index", "start_s", "end_s") if k not in rep]
        if missing:
            raise HistoryError(f"cannot store this result: rep {i} has no {missing[0]!r}")


def check_content_hash(value: Any) -> str | None:
    """A content hash as stored: None, or a SHA-256 as 64 hex digits (lowercased);
    :class:`HistoryError` for anything else."""
    if value is None:
        return None
    text = value.lower() if isinstance(value, str) else ""
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise HistoryError(
            f"a content hash is a SHA-256 as 64 hex digits (formcheck.recorded.file_hash), "
            f"got {value!r}"
        )
    return text


def check_recorded_from(value: Any) -> str:
    """One of :data:`RECORDED_FROM`; :class:`HistoryError` for anything else."""
    if value not in RECORDED_FROM:
        raise HistoryError(
            f"recorded_from must be one of {', '.join(RECORDED_FROM)}, got {value!r}"
        )
    return str(value)


def partial_reasons(result: dict[str, Any], extra: Any = ()) -> tuple[str, ...]:
    """Why the result covers only part of its set, in :data:`PARTIAL_REASONS` order: what the
    result itself says (``"interrupted": true``; ``"truncated": true`` should a result carry
    it) and the reasons in ``extra`` (a string or strings, e.g. from the caller that saw the
    video end early). ``()`` for a complete set; :class:`HistoryError` for an unknown reason."""
    given = {extra} if isinstance(extra, str) else set(extra or ())
    unknown = sorted(str(r) for r in given - set(PARTIAL_REASONS))
    if unknown:
        raise HistoryError(
            f"a session is partial because of {' or '.join(PARTIAL_REASONS)}, got {unknown[0]!r}"
        )
    said = {r for r in PARTIAL_REASONS if result.get(r) is True}
    return tuple(r for r in PARTIAL_REASONS if r in given | said)


def partial_text(reasons: tuple[str, ...]) -> str | None:
    """The ``partial`` column's value: the reasons comma-separated, NULL for a complete set."""
    return ",".join(reasons) or None


def result_json(result: dict[str, Any]) -> str:
    """The result as stored: compact JSON, key order kept."""
    return json.dumps(result, separators=(",", ":"), ensure_ascii=False)


def rep_rows(session_id: int, result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One ``reps`` row per rep of the result."""
    return [
        (
            session_id,
            r["index"],
            r["side"],
            r["side_index"],
            r["start_s"],
            r["end_s"],
            r.get("duration_s", r["end_s"] - r["start_s"]),
            r.get("peak"),
            r.get("range"),
            r.get("hold_s"),
            None if r.get("hold_met") is None else int(bool(r["hold_met"])),
            int(bool(r.get("uncertain", False))),
            r.get("form_hold_s"),
        )
        for r in result["reps"]
    ]


def fault_rows(session_id: int, result: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One ``faults`` row per piece of evidence; a fault named on a rep without evidence
    still gets a row (with the measurement columns empty)."""
    rows: list[tuple[Any, ...]] = []
    for r in result["reps"]:
        evidence = r.get("evidence", [])
        for e in evidence:
            rows.append(
                (session_id, r["index"], e["fault"], e.get("side"), e.get("feature"),
                 e.get("value"), e.get("threshold"), e.get("start_s"), e.get("end_s"))
            )  # fmt: skip
        explained = {e["fault"] for e in evidence}
        for fault in r.get("faults", []):
            if fault not in explained:
                rows.append((session_id, r["index"], fault, r["side"], *([None] * 5)))
    return rows
