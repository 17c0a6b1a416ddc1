"""The bookkeeping of one ``formcheck analyze -o OUTDIR`` batch, in the driver: which inputs an
earlier run already analysed (the manifest, :mod:`formcheck.report.manifest`), what to record
as each result arrives, and the batch's overview (``index.html`` and ``batch.csv``).

Whatever runs the analyses (this process, ``--workers`` processes, Ray tasks), the results come
back here one at a time, and this one process writes the history and the manifest: a session
is saved, then its manifest line appended, so a line in the manifest means both the report and
the session are there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.recording import is_recording_path
from formcheck.report.index import write_batch_overview
from formcheck.report.job import AnalysisOutcome
from formcheck.report.manifest import Manifest, Record

__all__ = ["BatchBook"]


class BatchBook:
    """The manifest of ``out`` (None: no reports or one input, nothing to resume) and the
    batch's entries."""

    def __init__(
        self, out: Path | None, paths: list[str], *, settings: dict[str, Any],
        facts: dict[str, dict[str, Any]], model: str, again: bool, retry_failed: bool,
    ) -> None:  # fmt: skip
        self.out, self.paths, self.facts = out, paths, facts
        # a batch's (several inputs'): one input is done or not, there is nothing to resume
        self.manifest = Manifest(out) if out is not None and len(paths) > 1 else None
        self._model, self._model_version = model, ""
        self.settings = settings
        self.entries: dict[str, dict[str, Any]] = {}
        self.skipped: list[Record] = []  # analysed by an earlier run
        self.skipped_failed: list[Record] = []  # failed in an earlier run, not tried again
        if self.manifest is None or again:
            return
        for p in paths:
            rec = self.manifest.done(self.wanted(p), retry_failed=retry_failed)
            if rec is None:
                continue
            (self.skipped_failed if rec.status == "failed" else self.skipped).append(rec)
            self.entries[p] = {**rec.headline, "skipped": True}

    def folders(self) -> dict[str, str]:
        """The report folders earlier runs gave the inputs (kept, so a rerun replaces them)."""
        return {} if self.manifest is None else self.manifest.folders()

    def to_run(self) -> list[str]:
        return [p for p in self.paths if p not in self.entries]

    def model_version(self, path: str) -> str:
        """What turned the input into landmarks: the pose model's name and file digest, or,
        for a landmark recording, the recording itself (its content hash covers it)."""
        if is_recording_path(path):
            return "landmark recording"
        if not self._model_version:
            from formcheck.errors import FormcheckError
            from formcheck.pose.provision import resolve_model

            try:
                digest = hashlib.sha256(resolve_model(self._model).read_bytes()).hexdigest()
            except (FormcheckError, OSError):
                digest = "unknown"
            self._model_version = f"{self._model} sha256:{digest[:16]}"
        return self._model_version

    def wanted(self, path: str, status: str = "") -> Record:
        return Record(
            input=path, content_hash=self.facts.get(path, {}).get("content_hash"),
            formcheck_version=__version__, model=self.model_version(path),
            settings=self.settings, status=status,
        )  # fmt: skip

    def start(self) -> None:
        """Rewrite the manifest whole before appending to it (drops a line a kill cut short)."""
        if self.manifest is not None:
            self.manifest.compact()

    def entry(self, o: AnalysisOutcome) -> dict[str, Any]:
        """The input's row of the index and of batch.csv."""
        session = self.facts.get(o.job.input, {}).get("session") or {}
        has_report = o.report_path is not None and o.job.out_dir is not None
        return {
            **o.headline(), "input": o.job.input, "profile": session.get("profile"),
            "recorded_at": session.get("recorded_at"),
            "link": f"{Path(o.job.out_dir).name}/report.html" if has_report else None,  # type: ignore[arg-type]
            "skipped": False,
        }  # fmt: skip

    def record(self, o: AnalysisOutcome, save: Callable[[AnalysisOutcome], None]) -> None:
        """One result arrived: save its session (``save``), then note it in the manifest. An
        input that was not analysed to the end (Ctrl+C) is not noted: a rerun does it."""
        entry = self.entries[o.job.input] = self.entry(o)
        save(o)
        if self.manifest is None or o.interrupted or o.status == "not analysed":
            return
        rec = self.wanted(o.job.input, o.status)
        rec.report, rec.error, rec.partial = entry["link"], o.error, list(o.partial)
        rec.exit_code, rec.headline = o.exit_code, {**entry, "skipped": False}
        self.manifest.add(rec)

    def finish(self) -> None:
        """Rewrite the manifest in the batch's order. Raises :class:`OutputError`."""
        if self.manifest is not None:
            self.manifest.compact(self.paths)

    def overview(self) -> Path:
        """Write ``index.html`` (and its pages) and ``batch.csv``; returns ``index.html``."""
        assert self.out is not None
        rows = [self.entries[p] for p in self.paths if p in self.entries]
        return write_batch_overview(self.out, rows)
