"""Fixtures for the report tests: the bundled samples, analysed once per session, and a
mannequin that stands still (it fits no exercise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.recording import RecordingHeader, RecordingWriter
from formcheck.report import AnalysisJob, run_job
from formcheck.synth import Camera, Script, Step, render

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def bird_dog_report(tmp_path_factory) -> Path:
    """The bird-dog sample (4 reps, a bent knee and a short hold on rep 3) reported once."""
    out = tmp_path_factory.mktemp("reports") / "bird-dog"
    outcome = run_job(AnalysisJob(str(SAMPLES / "bird-dog.jsonl.gz"), "bird-dog", str(out)))
    assert outcome.status == "ok", outcome.error
    return out


@pytest.fixture(scope="session")
def standing_still(tmp_path_factory) -> Path:
    """A recording of the mannequin standing still for 6 s, seen from the front."""
    script = Script(poses={}, start="standing", steps=[Step("standing", move_s=0.5, hold_s=5.5)])
    frames = render(script, Camera(azimuth_deg=0), fps=30.0, noise=0.004, seed=3)
    path = tmp_path_factory.mktemp("recordings") / "standing.jsonl.gz"
    res = frames[0].resolution_wh
    header = RecordingHeader("synthetic mannequin standing still", 30.0, res, "synthetic")
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    return path
