"""Since last time in the words of the rest of the report: units as the words module writes
them ("55.1°", "2.4 s", "0.21 torso lengths") and a real minus sign for a fall."""

from __future__ import annotations

import pytest

from formcheck.engine.catalogue import load_exercise
from formcheck.report.compare import since_last_time


def _result(ranges: list[float], holds: list[float] | None = None) -> dict:
    reps = [
        {"side": "both", "range": r, "hold_s": h, "form_hold_s": h, "faults": []}
        for r, h in zip(ranges, holds or [None] * len(ranges), strict=True)
    ]
    return {"reps": reps, "summary": {"reps_by_side": {"both": len(reps)}}}


@pytest.mark.parametrize(
    ("now", "then", "line"),
    [
        ([55.1, 55.1], [50.0], "range of motion 55.1° (last time 50.0°, +5.1°, better)"),
        ([40.0], [52.5, 52.5], "range of motion 40.0° (last time 52.5°, −12.5°, worse)"),
    ],
)
def test_range_of_motion_in_degrees_with_a_minus_sign(now, then, line):
    block = since_last_time(_result(now), _result(then), load_exercise("cat-cow"), "2026-11-20")
    assert line in block["lines"]


def test_hold_in_seconds():
    ex = load_exercise("superman")
    block = since_last_time(_result([1.0], [2.4]), _result([1.0], [3.0]), ex, "2026-11-20")
    assert "hold in position 2.4 s (last time 3.0 s, −0.6 s, worse)" in block["lines"]
