"""Shared fixtures: where the real clips are, and the pose model (provisioned, never skipped)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _history_in_a_temp_folder(tmp_path_factory):
    """Commands save to the training history by default: never into the tester's own."""
    old = os.environ.get("FORMCHECK_HOME")
    os.environ["FORMCHECK_HOME"] = str(tmp_path_factory.mktemp("formcheck-home"))
    yield
    if old is None:
        os.environ.pop("FORMCHECK_HOME", None)
    else:
        os.environ["FORMCHECK_HOME"] = old


@pytest.fixture(autouse=True, scope="session")
def _ctrl_c_reaches_the_tests():
    """The tests press Ctrl+C (SIGINT) as at a terminal, where it reaches formcheck. Started in
    the background (an async shell job) SIGINT is ignored, and formcheck leaves it so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


CLIPS = Path(os.environ.get("FORMCHECK_CLIPS", REPO.parent / "shared" / "clips"))


@pytest.fixture(scope="session")
def clips_dir() -> Path:
    """The shared labelled clips (internal test material, read in place, never copied)."""
    if not (CLIPS / "labels.csv").is_file():
        pytest.skip(f"real clips not found at {CLIPS} (set FORMCHECK_CLIPS)")
    return CLIPS


@pytest.fixture(scope="session")
def pose_model() -> Path:
    """The full pose model, fetched and checksum-verified on first use (CI provisions it)."""
    from formcheck.pose.provision import resolve_model

    return resolve_model("full")


def _one_line_error(result, *needles) -> None:  # noqa: ANN001
    """A CLI result that failed with exactly one 'formcheck: error:' line holding ``needles``."""
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("formcheck: error:")
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def time_zone(monkeypatch):
    """``time_zone("Europe/Berlin")`` makes that the local time zone until the test ends."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def blank_video(tmp_path) -> Path:
    """Five blank frames (160x120 MJPG): with a working model, 'no person found' (exit 2)."""
    import cv2
    import numpy as np

    path = tmp_path / "ok.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    for i in range(5):
        writer.write(np.full((120, 160, 3), 30 * i, np.uint8))
    writer.release()
    return path


@pytest.fixture
def one_line_error():
    """Checks that a CLI invocation failed with one actionable line and no traceback."""
    return _one_line_error


@pytest.fixture
def wide_console(monkeypatch):
    """Rich tables and prose 200 columns wide, whatever width the consoles took at import.

    The CLI's consoles are created once, at import, and keep a width read from ``COLUMNS``
    then (pytest-xdist workers set it to 80), so setting the variable later does nothing.
    """
    from formcheck.cli import common

    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", 200)
