"""``formcheck record``: Ctrl+C keeps the frames recorded so far and exits 130 (issue 20,
item 12), like ``analyze`` and ``live``.

The pose stream is generated (no model, no video) and Ctrl+C is raised by the stream itself at
a chosen frame, as the signal handler raises it in the frame loop: deterministic, no timing.
"""

from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from formcheck.cli import pose_cmd
from formcheck.cli.app import app
from formcheck.pipeline import PoseInput
from formcheck.pose.core import PoseFrame
from formcheck.recording import read_recording
from formcheck.synth import Camera, Script, Step, render

runner = CliRunner()
FRAMES = render(
    Script(poses={}, start="standing", steps=[Step("standing", move_s=0.5, hold_s=1.5)]),
    Camera(azimuth_deg=0), fps=30.0, noise=0.004, seed=3,
)  # fmt: skip


def _fake_input(monkeypatch, stop_at: int, person: bool = True) -> None:
    """``open_pose_input`` that hands out generated frames and raises KeyboardInterrupt
    instead of frame ``stop_at``."""

    def frames():
        for i, frame in enumerate(FRAMES):
            if i == stop_at:
                raise KeyboardInterrupt
            yield frame if person else PoseFrame(frame.t_s, frame.resolution_wh, index=i)

    @contextmanager
    def fake_open(spec, **kwargs):
        yield PoseInput(frames(), "set.mp4", 30.0, FRAMES[0].resolution_wh, "synthetic")

    monkeypatch.setattr(pose_cmd, "open_pose_input", fake_open)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_ctrl_c_keeps_the_frames_so_far_and_exits_130(tmp_path, monkeypatch, suffix):
    _fake_input(monkeypatch, stop_at=12)
    out = tmp_path / f"set{suffix}"
    result = runner.invoke(app, ["record", "set.mp4", "-o", str(out)])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output
    assert "interrupted: keeping the 12 frames recorded so far" in result.output
    header, frames = read_recording(out)  # complete: the gzip stream is closed, it replays
    assert header.fps == 30.0 and header.source == "set.mp4"
    assert [f.t_s for f in frames] == [f.t_s for f in FRAMES[:12]]
    assert all(f.has_person for f in frames)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_ctrl_c_before_a_person_was_seen_is_still_130(tmp_path, monkeypatch):
    """Not 5 ("no person"): the recording was cut short, not found empty."""
    _fake_input(monkeypatch, stop_at=5, person=False)
    out = tmp_path / "set.jsonl.gz"
    result = runner.invoke(app, ["record", "set.mp4", "-o", str(out)])
    assert result.exit_code == 130, result.output
    assert len(read_recording(out)[1]) == 5


def test_a_recording_that_runs_to_the_end_exits_0(tmp_path, monkeypatch):
    _fake_input(monkeypatch, stop_at=-1)
    out = tmp_path / "set.jsonl.gz"
    result = runner.invoke(app, ["record", "set.mp4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_recording(out)[1]) == len(FRAMES)


def test_a_second_ctrl_c_while_the_file_is_closed_keeps_it_whole(tmp_path, monkeypatch):
    """A real SIGINT at frame 12 stops the loop; another while the gzip stream is being
    finished must not cut the file short."""
    import os
    import signal

    from formcheck.recording import RecordingWriter

    def frames():
        for i, frame in enumerate(FRAMES):
            if i == 12:
                os.kill(os.getpid(), signal.SIGINT)
            yield frame

    @contextmanager
    def fake_open(spec, **kwargs):
        yield PoseInput(frames(), "set.mp4", 30.0, FRAMES[0].resolution_wh, "synthetic")

    real_close = RecordingWriter.close

    def close(self, commit=True):
        os.kill(os.getpid(), signal.SIGINT)  # the second press
        real_close(self, commit)

    monkeypatch.setattr(pose_cmd, "open_pose_input", fake_open)
    monkeypatch.setattr(RecordingWriter, "close", close)
    out = tmp_path / "set.jsonl.gz"
    result = runner.invoke(app, ["record", "set.mp4", "-o", str(out)])
    assert result.exit_code == 130, result.output
    assert len(read_recording(out)[1]) in (12, 13)  # the signal lands at the next bytecode
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
