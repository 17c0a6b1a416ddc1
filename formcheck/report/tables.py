"""``reps.csv``: one row per rep, for a spreadsheet. Text cells that a spreadsheet would run as a
formula get a leading ``'`` (:mod:`formcheck.csvsafe`); numbers stay numbers."""

from __future__ import annotations

import io
from typing import Any

from formcheck.csvsafe import SafeWriter

__all__ = ["CSV_COLUMNS", "reps_csv"]

CSV_COLUMNS = (
    "rep", "side", "side_rep", "start_s", "end_s", "duration_s", "range_of_motion", "peak",
    "lift_s", "top_s", "lower_s", "hold_s", "hold_met", "uncertain", "faults", "evidence",
)  # fmt: skip


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v


def reps_csv(report: dict[str, Any]) -> str:
    """The reps of a ``formcheck.report`` as CSV text (header + one row per rep).

    ``faults`` is a ``;``-separated list of fault ids; ``evidence`` says, per fault, the value
    against the threshold and when (``knee_left 135.2 < 150 @ 12.30-13.10 s``)."""
    buf = io.StringIO()
    out = SafeWriter(buf)
    out.writerow(CSV_COLUMNS)
    for r in report["reps"]:
        tempo = r["tempo"] or {}
        evidence = "; ".join(
            f"{f['feature']} {f['value']:g} {f['threshold']} @ "
            f"{f['start_s']:.2f}-{f['end_s']:.2f} s"
            for f in r["faults"]
        )
        out.writerow([
            _cell(v) for v in (
                r["index"], r["side"], r["side_index"], r["start_s"], r["end_s"],
                r["duration_s"], r["range_of_motion"], r["peak"], tempo.get("lift_s"),
                tempo.get("top_s"), tempo.get("lower_s"), r["hold_s"], r["hold_met"],
                r["uncertain"], ";".join(f["fault"] for f in r["faults"]), evidence,
            )
        ])  # fmt: skip
    return buf.getvalue()
