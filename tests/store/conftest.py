"""Fixtures for the history store: a private FORMCHECK_HOME and hand-built session results."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from formcheck.store.schema import MIGRATIONS


def build_result(
    reps: list[dict[str, Any]], *, exercise: str = "bird-dog", source: str = "set.mp4"
) -> dict[str, Any]:
    """A ``formcheck.result`` v1 dict from short rep specs: ``side``, ``hold_s``, ``range``,
    ``faults`` (ids; each gets one piece of evidence). Reps are 4 s apart."""
    out = []
    per_side: dict[str, int] = {}
    for i, spec in enumerate(reps, 1):
        side = spec.get("side", "left" if i % 2 else "right")
        per_side[side] = per_side.get(side, 0) + 1
        start = 4.0 * (i - 1) + 0.5
        faults = list(spec.get("faults", []))
        hold = spec.get("hold_s", 2.5)
        out.append(
            {
                "index": i,
                "side": side,
                "side_index": per_side[side],
                "start_s": start,
                "end_s": start + 3.5,
                "duration_s": 3.5,
                "peak": 1.0,
                "range": spec.get("range", 90.0),
                "hold_s": hold,
                "hold_met": None if hold is None else hold >= 2.0,
                "faults": faults,
                "evidence": [
                    {
                        "fault": f,
                        "feature": f"knee_{side}",
                        "value": 134.5,
                        "threshold": "< 150",
                        "side": side,
                        "start_s": start + 0.25,
                        "end_s": start + 3.0,
                    }
                    for f in faults
                ],  # fmt: skip
                "uncertain": bool(spec.get("uncertain", False)),
                **({"form_hold_s": spec["form_hold_s"]} if "form_hold_s" in spec else {}),
            }
        )
    holds = [r["hold_s"] for r in out if r["hold_s"] is not None]
    fault_counts: dict[str, int] = {}
    for r in out:
        for f in r["faults"]:
            fault_counts[f] = fault_counts.get(f, 0) + 1
    return {
        "schema": "formcheck.result",
        "version": 1,
        "exercise": exercise,
        "source": source,
        "duration_s": 4.0 * len(reps) + 1.0,
        "reps": out,
        "summary": {
            "reps": len(out),
            "reps_by_side": per_side,
            "faults": dict(sorted(fault_counts.items())),
            "mean_hold_s": round(sum(holds) / len(holds), 3) if holds else None,
            "holds_met": sum(bool(r["hold_met"]) for r in out),
            "uncertain_reps": sum(r["uncertain"] for r in out),
        },
        "events": [],
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FORMCHECK_HOME pointed at an empty temporary folder."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FORMCHECK_HOME", str(folder))
    return folder


@pytest.fixture
def make_result():
    return build_result


def write_old_database(path: Path, version: int, rows: list[tuple[str, tuple]]) -> None:
    """A history as an older formcheck wrote it: the schema at ``version`` (its migrations
    only), then each ``(INSERT statement, parameters)`` of ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for statements in MIGRATIONS[:version]:
        for sql in statements:
            conn.execute(sql)
    for sql, params in rows:
        conn.execute(sql, params)
    conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.commit()
    conn.close()


@pytest.fixture
def old_database():
    """:func:`write_old_database`, for the migration tests."""
    return write_old_database
