"""The labels of the shared clips (``labels.csv``), read as they are.

Columns (see the clips' README): file, exercise, view, kind, reps (empty for a pure hold),
hold_s, active_from_s, active_to_s, rep_times_s, count_confidence, faults (``fault:rep;...``),
notes. A malformed row is a one-line error naming the file and the line.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError

__all__ = ["ClipLabel", "LabelsError", "default_clips_dir", "read_labels"]

_REQUIRED = ("file", "exercise", "reps", "hold_s", "faults")


def default_clips_dir() -> Path:
    """``$FORMCHECK_CLIPS``, else ``shared/clips`` beside a checkout of this repository."""
    env = os.environ.get("FORMCHECK_CLIPS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "clips"


class LabelsError(FormcheckError):
    """The labels file cannot be read."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class ClipLabel:
    file: str
    exercise: str
    view: str
    kind: str
    reps: int | None
    hold_s: float | None
    active_from_s: float | None
    active_to_s: float | None
    confidence: str
    faults: frozenset[tuple[str, int]]  # (fault id, rep number from 1)
    notes: str = ""


def _num(text: str, cast, where: str):  # noqa: ANN001, ANN202
    text = text.strip()
    if not text:
        return None
    try:
        return cast(text)
    except ValueError:
        raise LabelsError(f"{where}: expected a number, got {text!r}") from None


def _faults(text: str, where: str) -> frozenset[tuple[str, int]]:
    out = set()
    for item in filter(None, (p.strip() for p in text.split(";"))):
        fault, _, rep = item.partition(":")
        if not fault or not rep.strip().isdigit():
            raise LabelsError(f"{where}: faults: expected 'fault:rep', got {item!r}")
        out.add((fault.strip(), int(rep)))
    return frozenset(out)


def read_labels(path: str | Path) -> list[ClipLabel]:
    """Every row of a labels CSV."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelsError(f"{path}: no such labels file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LabelsError(f"{path}: cannot read ({err})") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise LabelsError(f"{path}:1: missing column(s) {', '.join(missing)}")
    labels = []
    for line_no, row in enumerate(reader, start=2):
        where = f"{path}:{line_no}"
        labels.append(
            ClipLabel(
                file=row["file"].strip(),
                exercise=row["exercise"].strip(),
                view=(row.get("view") or "").strip(),
                kind=(row.get("kind") or "").strip(),
                reps=_num(row["reps"], int, f"{where}: reps"),
                hold_s=_num(row["hold_s"], float, f"{where}: hold_s"),
                active_from_s=_num(
                    row.get("active_from_s") or "", float, f"{where}: active_from_s"
                ),
                active_to_s=_num(row.get("active_to_s") or "", float, f"{where}: active_to_s"),
                confidence=(row.get("count_confidence") or "").strip(),
                faults=_faults(row["faults"] or "", where),
                notes=(row.get("notes") or "").strip(),
            )
        )
    return labels
