"""Export and import of the history, and atomic writing of output files.

JSON export (schema ``formcheck.history`` version 1) is complete and importable::

    {"schema": "formcheck.history", "version": 1,
     "sessions": [{"uid": "…", "started_at": "2024-05-01T10:00:00Z",
                   "recorded_from": "container", "profile": "anna", "source": "set.mp4",
                   "source_kind": "video", "routine": null,
                   "report_path": "/home/anna/reports/set/report.html", "notes": "sore knee",
                   "partial": [], "content_hash": "9f86d0…(64 hex digits)",
                   "synthetic": false, "unsure": false,
                   "result": {…the formcheck.result dict as saved…}}, …]}

``started_at`` is when the set was recorded and ``recorded_from`` where that time came from
(``given``, ``container``, ``file``, ``analysed``). ``source`` is the input's name (the same as
the result's ``source``). ``partial`` lists why a session covers only part of its set
(``"interrupted"``, ``"truncated"``; ``[]`` when complete). ``content_hash`` is the SHA-256 of
the input file (null for live sessions and older ones); ``synthetic`` marks recordings of the
synthetic mannequin, ``unsure`` an ``--exercise auto`` guess that was unsure.

Older exports lack some keys, and import fills them in: without ``partial`` the sessions whose
result says ``"interrupted": true`` are marked interrupted; without ``recorded_from`` it is
``"analysed"``; without ``content_hash``, ``synthetic``, ``unsure`` they are null, false,
false; without ``source``, the result's. The version stays 1: the keys were added, none changed
meaning, and an older formcheck still imports such an export (ignoring the new keys).
Import adds sessions as they are: it never replaces a session by content hash.

Sessions are oldest first; the local ids are left out (they differ between databases) and
``uid`` stands for them, so an export imported into an empty database exports again
byte-identically, and importing the same file twice adds nothing the second time. Reps and
faults are rebuilt from each result on import.

CSV export is one row per session, for spreadsheets; it is not importable. Its ``partial``
column is empty for a complete session, else the reasons (``interrupted``); ``synthetic`` and
``unsure`` are 1 or 0; ``content_hash`` is empty when unknown. Text cells that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) get a leading
``'`` (see :mod:`formcheck.csvsafe`, whose ``restore_cell`` takes it off again); numbers are
written as numbers.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from formcheck.csvsafe import SafeWriter
from formcheck.errors import HistoryError
from formcheck.store.rows import insert_session, session_filter, session_row, utc_text

if TYPE_CHECKING:
    from formcheck.store.history import History

__all__ = ["EXPORT_SCHEMA", "EXPORT_VERSION", "export_text", "import_text"]

EXPORT_SCHEMA = "formcheck.history"
EXPORT_VERSION = 1
CSV_COLUMNS = (
    "id", "uid", "started_at", "profile", "exercise", "routine", "source", "source_kind",
    "duration_s", "reps", "mean_hold_s", "faults", "report_path", "notes", "partial",
    "recorded_from", "content_hash", "synthetic", "unsure",
)  # fmt: skip


def export_text(
    history: History,
    fmt: str = "json",
    *,
    profile: str | None = None,
    exercise: str | None = None,
    since: date | datetime | None = None,
) -> str:
    """The (filtered) sessions as JSON or CSV text; see the module docstring."""
    if fmt == "csv":
        return _csv(history, profile, exercise, since)
    if fmt != "json":
        raise HistoryError(f"export format must be 'json' or 'csv', got {fmt!r}")
    where, params = session_filter(profile, exercise, since)
    rows = history.query(
        "SELECT uid, started_at, recorded_from, profile, source, source_kind, routine,"
        " report_path, notes, partial, content_hash, synthetic, unsure, result"
        f" FROM sessions s {where} ORDER BY started_at, id",
        params,
    )
    keys = ("uid", "started_at", "recorded_from", "profile", "source", "source_kind", "routine",
            "report_path", "notes")  # fmt: skip
    sessions = [
        {**dict(zip(keys, r[:9], strict=True)), "partial": r[9].split(",") if r[9] else [],
         "content_hash": r[10], "synthetic": bool(r[11]), "unsure": bool(r[12]),
         "result": json.loads(r[13])}
        for r in rows
    ]  # fmt: skip
    doc = {"schema": EXPORT_SCHEMA, "version": EXPORT_VERSION, "sessions": sessions}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _csv(
    history: History, profile: str | None, exercise: str | None, since: date | datetime | None
) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(CSV_COLUMNS)
    for s in history.list_sessions(profile, exercise, since):
        faults = "; ".join(f"{k}={v}" for k, v in (s.faults or {}).items())
        hold = "" if s.mean_hold_s is None else round(s.mean_hold_s, 3)
        writer.writerow(
            [s.id, s.uid, utc_text(s.started_at), s.profile, s.exercise, s.routine or "",
             s.source, s.source_kind, s.duration_s, s.reps, hold, faults, s.report_path or "",
             s.notes or "", ",".join(s.partial), s.recorded_from, s.content_hash or "",
             int(s.synthetic), int(s.unsure)]
        )  # fmt: skip
    return out.getvalue()


def import_text(history: History, text: str, *, name: str = "import") -> tuple[int, int]:
    """Add the sessions of a JSON export in one transaction (all or nothing); returns
    ``(added, skipped)``, skipping sessions whose uid is already stored."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        hint = " (CSV exports cannot be imported; use a JSON export)" if "," in text[:200] else ""
        raise HistoryError(f"{name}: not JSON: {err.msg} at line {err.lineno}{hint}") from None
    if not isinstance(doc, dict) or doc.get("schema") != EXPORT_SCHEMA:
        raise HistoryError(
            f"{name}: not a formcheck history export (no 'schema': {EXPORT_SCHEMA!r})"
        )
    if doc.get("version") != EXPORT_VERSION:
        raise HistoryError(
            f"{name}: export version {doc.get('version')!r} is not one this formcheck reads "
            f"({EXPORT_VERSION}); upgrade formcheck"
        )
    sessions = doc.get("sessions")
    if not isinstance(sessions, list):
        raise HistoryError(f"{name}: 'sessions' must be a list")
    rows = [_import_row(s, f"{name}: session {i}") for i, s in enumerate(sessions, 1)]

    def add(conn: Any) -> tuple[int, int]:
        added = skipped = 0
        for row, result in rows:
            if conn.execute("SELECT 1 FROM sessions WHERE uid = ?", (row["uid"],)).fetchone():
                skipped += 1
                continue
            insert_session(conn, row, result)
            added += 1
        return added, skipped

    return history._write(add)


def _import_row(s: Any, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(s, dict):
        raise HistoryError(f"{where}: expected an object")
    for key in ("uid", "started_at", "profile", "source_kind", "result"):
        if key not in s:
            raise HistoryError(f"{where}: missing {key!r}")
    given = s.get("partial")
    if given is not None and not (
        isinstance(given, list) and all(isinstance(r, str) for r in given)
    ):
        raise HistoryError(f"{where}: 'partial' must be a list of reasons, got {given!r}")
    for key in ("synthetic", "unsure"):
        if not isinstance(s.get(key, False), bool):
            raise HistoryError(f"{where}: {key!r} must be true or false, got {s[key]!r}")
    for key in ("source", "routine", "report_path", "notes"):
        if s.get(key) is not None and not isinstance(s[key], str):
            raise HistoryError(f"{where}: {key!r} must be text or null, got {s[key]!r}")
    result = s["result"]
    try:
        row = session_row(
            result, uid=str(s["uid"]), started_at=s["started_at"], source_kind=s["source_kind"],
            profile=s["profile"], source=s.get("source"), routine=s.get("routine"),
            report_path=s.get("report_path"), notes=s.get("notes"), partial=given or (),
            recorded_from=s.get("recorded_from", "analysed"),
            content_hash=s.get("content_hash"), synthetic=s.get("synthetic", False),
            unsure=s.get("unsure", False),
        )  # fmt: skip
    except HistoryError as err:
        raise HistoryError(f"{where}: {err}") from None
    return row, result
