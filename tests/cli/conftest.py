"""Fixtures for the CLI tests: a private training history and hand-built session results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FORMCHECK_HOME pointed at an empty temporary folder (made on first save)."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FORMCHECK_HOME", str(folder))
    return folder


def bird_dog_result(
    reps: int = 2, *, source: str = "set.mp4", interrupted: bool = False
) -> dict[str, Any]:
    """A bird-dog ``formcheck.result`` with ``reps`` alternating reps (left first), each held
    2.5 s over a 90° range, 4 s apart; ``interrupted`` as analyze and live mark a set stopped
    early."""
    out: dict[str, Any] = {
        "schema": "formcheck.result", "version": 1, "exercise": "bird-dog", "source": source,
        "duration_s": 4.0 * reps + 1.0,
        "reps": [
            {"index": i, "side": "left" if i % 2 else "right", "side_index": (i + 1) // 2,
             "start_s": 4.0 * i, "end_s": 4.0 * i + 3.5, "range": 90.0, "hold_s": 2.5,
             "hold_met": True, "faults": [], "evidence": [], "uncertain": False}
            for i in range(1, reps + 1)
        ],
        "summary": {}, "events": [],
    }  # fmt: skip
    if interrupted:
        out["interrupted"] = True
    return out


@pytest.fixture
def make_result():
    """:func:`bird_dog_result`, for tests that build sessions by hand."""
    return bird_dog_result
