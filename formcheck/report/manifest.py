"""A batch's manifest, ``OUTDIR/manifest.jsonl``: what became of every input, so that a batch
that was stopped (Ctrl+C, a killed driver, a lost machine) can be run again and only finish.

One JSON object per line, one line per input analysed::

    {"input": "week1/set.mp4", "content_hash": "9f86…", "formcheck_version": "0.1.0",
     "model": "full sha256:4eaa…", "settings": {...}, "status": "ok",
     "report": "set/report.html", "error": null, "headline": {...}}

``settings`` are the choices that change a report (exercise, annotate, profile, recording
date, note); ``report`` is relative to OUTDIR; ``headline`` is what the index and
``batch.csv`` show. An input's line is appended, in one write flushed to the disk, only once
its report folder is in place, so a line never points at a report that is not there. A later
line for the same input wins. A line cut short by a killed process is ignored: that input is
analysed again and its folder replaced as a set, so nothing is lost and nothing doubled. At
the start and at the end of a batch the file is rewritten atomically, one line per input,
at the end in the batch's order (so the file does not depend on which input finished first).

A rerun skips an input whose line has the same content hash, formcheck version, model and
settings, a finished status and a report folder that is still there (:meth:`Manifest.done`);
a ``failed`` input is skipped too unless ``retry_failed`` is given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from formcheck.atomic import make_dir, os_error_text, write_atomic
from formcheck.errors import OutputError

__all__ = ["MANIFEST_NAME", "FINISHED", "Manifest", "Record"]

MANIFEST_NAME = "manifest.jsonl"
# statuses that a rerun keeps: analysed to the end (a "partial" only when the file itself is
# short, never when it was interrupted)
FINISHED = ("ok", "unsure", "partial")


@dataclass(slots=True)
class Record:
    """One input's line of the manifest."""

    input: str  # the path as given (the report's input.path)
    content_hash: str | None  # SHA-256 of the file's bytes; None when it could not be read
    formcheck_version: str
    model: str  # the pose model's name and file digest; for a landmark recording, its own
    settings: dict[str, Any]
    status: str  # "ok" | "partial" | "unsure" | "failed"
    report: str | None = None  # report.html, relative to OUTDIR
    error: str | None = None
    exit_code: int = 0  # the failure's exit code (see formcheck analyze)
    partial: list[str] = field(default_factory=list)
    headline: dict[str, Any] = field(default_factory=dict)

    def matches(self, other: Record) -> bool:
        """Same bytes analysed the same way."""
        return self.content_hash is not None and (
            self.content_hash,
            self.formcheck_version,
            self.model,
            self.settings,
        ) == (other.content_hash, other.formcheck_version, other.model, other.settings)


class Manifest:
    """The records of ``OUTDIR/manifest.jsonl``, by input; :meth:`add` appends one."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.path = self.out / MANIFEST_NAME
        self.records: dict[str, Record] = {}
        self.torn = 0  # lines that could not be read (cut short by a killed process)
        self._append_ok = False  # appending is safe once the file ends with a whole line
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            lines = []
        except (OSError, UnicodeDecodeError) as err:
            raise OutputError(f"cannot read the batch manifest {self.path}: {err}") from None
        for line in lines:
            try:
                rec = Record(**json.loads(line))
            except (ValueError, TypeError):
                self.torn += 1
                continue
            self.records[rec.input] = rec

    def done(self, want: Record, *, retry_failed: bool = False) -> Record | None:
        """The record that makes analysing ``want`` again unnecessary, or None."""
        rec = self.records.get(want.input)
        if rec is None or not rec.matches(want):
            return None
        if rec.status == "failed":
            return None if retry_failed else rec
        if rec.status not in FINISHED or "interrupted" in rec.partial:
            return None
        if rec.report is not None and not (self.out / rec.report).is_file():
            return None  # the report was deleted since: analyse it again
        return rec

    def folders(self) -> dict[str, str]:
        """Each input's report folder (relative to OUTDIR), as earlier runs named it."""
        return {i: str(Path(r.report).parent) for i, r in self.records.items() if r.report}

    def compact(self, order: Sequence[str] = ()) -> None:
        """Rewrite the file atomically, one line per input (drops torn and superseded lines):
        the inputs of ``order`` first, in that order, then the others as they were."""
        if not self.records and not self.path.exists():
            return
        first = {i: self.records[i] for i in order if i in self.records}
        self.records = {**first, **self.records}
        write_atomic(self.path, "".join(_line(r) for r in self.records.values()))
        self._append_ok = True

    def add(self, rec: Record) -> None:
        """Append ``rec`` (one write, flushed to the disk). Raises :class:`OutputError`."""
        self.records[rec.input] = rec
        if not self._append_ok:  # the file may end in a torn line: rewrite it whole instead
            self.compact()
            return
        data = _line(rec).encode("utf-8")
        try:
            make_dir(self.out)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            self._append_ok = False
            raise OutputError(f"cannot write {self.path}: {os_error_text(err)}") from None


def _line(rec: Record) -> str:
    return json.dumps(asdict(rec), ensure_ascii=False, separators=(",", ":")) + "\n"
