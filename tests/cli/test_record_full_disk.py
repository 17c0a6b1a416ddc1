"""``formcheck record`` on a full disk (issue 17): one line, exit code 4, and no file left, neither
under the recording's name nor as a hidden temporary file.

The pose stream is generated (no model, no video). The disk is a byte budget on the recording's
raw file: once it is spent, a write raises ``ENOSPC`` as the kernel does. A budget of 100 bytes
fails while frames are written; a disk that fills up after the last frame was handed to the
writer fails only when the file is finished (the buffered rest and the gzip trailer are written
at close).
"""

from __future__ import annotations

import errno
import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli import pose_cmd
from formcheck.cli.app import app
from formcheck.pipeline import PoseInput
from formcheck.recording import format as recording_format
from formcheck.recording import read_recording
from formcheck.synth import Camera, Script, Step, render

runner = CliRunner()
FRAMES = render(
    Script(poses={}, start="standing", steps=[Step("standing", move_s=0.5, hold_s=1.5)]),
    Camera(azimuth_deg=0), fps=30.0, noise=0.004, seed=3,
)  # fmt: skip


class _FullDisk(io.FileIO):
    """A file on a disk with ``budget`` bytes free."""

    budget = 0
    fills_after_frames = False

    def write(self, data) -> int:  # noqa: ANN001
        if len(data) > _FullDisk.budget:
            raise OSError(errno.ENOSPC, "No space left on device")
        _FullDisk.budget -= len(data)
        return super().write(data)


def _disk_with(monkeypatch: pytest.MonkeyPatch, budget: int, fills_after_frames=False) -> None:
    _FullDisk.budget = budget
    _FullDisk.fills_after_frames = fills_after_frames

    def open_on_full_disk(path, mode="r", *args, **kwargs):  # noqa: ANN001, ANN202
        assert mode == "wb"
        return io.BufferedWriter(_FullDisk(path, "wb"))

    # the recording writer opens its raw file through the module's ``open``
    monkeypatch.setattr(recording_format, "open", open_on_full_disk, raising=False)


@pytest.fixture
def generated_input(monkeypatch):
    def frames():  # noqa: ANN202
        yield from FRAMES
        if _FullDisk.fills_after_frames:
            _FullDisk.budget = 0

    @contextmanager
    def fake_open(spec, **kwargs):  # noqa: ANN001, ANN202
        yield PoseInput(frames(), "set.mp4", 30.0, FRAMES[0].resolution_wh, "synthetic")

    monkeypatch.setattr(pose_cmd, "open_pose_input", fake_open)


def _record(out: Path):  # noqa: ANN202
    return runner.invoke(app, ["record", "set.mp4", "-o", str(out)])


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
@pytest.mark.parametrize("when", ["while writing frames", "when the file is finished"])
def test_a_full_disk_is_one_line_exit_4_and_leaves_no_file(
    tmp_path, monkeypatch, generated_input, one_line_error, suffix, when
):
    out = tmp_path / "full" / f"set{suffix}"
    out.parent.mkdir()
    if when == "while writing frames":
        _disk_with(monkeypatch, 100)
    else:
        _disk_with(monkeypatch, 10**9, fills_after_frames=True)
    result = _record(out)

    assert result.exit_code == 4, result.output
    one_line_error(result, f"cannot write {out}: no space left on the disk; free some space")
    assert list(out.parent.iterdir()) == []  # no recording, no hidden temporary file


def test_the_disk_budget_is_the_one_the_writer_uses(tmp_path, monkeypatch, generated_input):
    """The injection reaches the writer: with room to spare the recording is whole."""
    _disk_with(monkeypatch, 10**9)
    out = tmp_path / "set.jsonl.gz"
    assert _record(out).exit_code == 0
    assert _FullDisk.budget < 10**9
    assert len(read_recording(out)[1]) == len(FRAMES)
