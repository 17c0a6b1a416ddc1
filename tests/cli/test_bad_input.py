"""Bad input gets one line, a non-zero exit and no traceback (in-process CLI)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app

runner = CliRunner()


@pytest.fixture
def video(blank_video: Path) -> Path:
    return blank_video


def test_missing_video(tmp_path, one_line_error):
    args = ["record", str(tmp_path / "nope.mp4"), "-o", str(tmp_path / "o.jsonl")]
    one_line_error(runner.invoke(app, args), "not found")


def test_zero_byte_video(tmp_path, one_line_error):
    (tmp_path / "zero.mp4").write_bytes(b"")
    args = ["record", str(tmp_path / "zero.mp4"), "-o", str(tmp_path / "o.jsonl")]
    one_line_error(runner.invoke(app, args), "empty")


def test_text_file_named_mp4(tmp_path, one_line_error):
    (tmp_path / "notes.mp4").write_text("this is not a video\n" * 50)
    args = ["record", str(tmp_path / "notes.mp4"), "-o", str(tmp_path / "o.jsonl")]
    one_line_error(runner.invoke(app, args), "not a video")


def test_camera_that_does_not_exist(tmp_path, one_line_error):
    one_line_error(
        runner.invoke(app, ["record", "57", "-o", str(tmp_path / "o.jsonl")]), "camera 57"
    )


def test_corrupted_model(tmp_path, video, one_line_error):
    bad = tmp_path / "pose_landmarker_full.task"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a zip header and nothing else
    one_line_error(
        runner.invoke(
            app, ["record", str(video), "--model", str(bad), "-o", str(tmp_path / "o.jsonl")]
        ),
        "model",
    )


def test_unwritable_output_path(tmp_path, video, pose_model, one_line_error):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    one_line_error(runner.invoke(app, ["record", str(video), "-o", str(blocker / "out.jsonl")]),
                    "cannot write")  # fmt: skip


def test_no_person_in_view(video, pose_model, one_line_error):
    one_line_error(runner.invoke(app, ["analyze", str(video), "-e", "bird-dog"]), "no person")


def test_truncated_video_warns_and_keeps_what_was_read(tmp_path, clips_dir, pose_model):
    data = (clips_dir / "squat_side_a.mp4").read_bytes()  # its index is at the front
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    out = tmp_path / "cut.jsonl"
    result = runner.invoke(app, ["record", str(cut), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "looks truncated" in result.output
    from formcheck.recording import read_recording

    n = len(read_recording(out)[1])
    assert 100 < n < 338  # part of the 338 frames, kept
