"""``formcheck analyze`` refuses an input too sparse to count the exercise (issue 20, item 9).

Six generated squats (2.7 s each) as a landmark recording at 1 fps (a timelapse), at the
squat's minimum of 6 fps and at 30 fps; and a 1-fps video.
"""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import load_exercise
from formcheck.engine.selftest import build_case
from formcheck.recording import RecordingHeader, RecordingWriter
from formcheck.synth import Camera, render

runner = CliRunner()


def _squats(folder: Path, fps: float) -> Path:
    squat = load_exercise("squat")
    case = next(c for c in squat.selftest.cases if c["name"] == "clean set of 6")
    camera = Camera.from_dict(dict(squat.selftest.camera))
    frames = render(build_case(squat, case), camera, fps=fps, noise=0.004, seed=3)
    path = folder / f"squats-{fps:g}fps.jsonl.gz"
    header = RecordingHeader("synthetic mannequin: 6 squats", fps, camera.resolution_wh, "synth")
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def test_a_one_fps_timelapse_is_refused_in_one_line(tmp_path, one_line_error):
    result = runner.invoke(
        app, ["analyze", str(_squats(tmp_path, 1.0)), "-e", "squat", "--no-history"]
    )
    assert result.exit_code == 2, result.output
    one_line_error(result, "squats-1fps.jsonl.gz has 1 frame per second",
                   "Squat needs at least 6 to count its reps", "24 fps or more")  # fmt: skip
    # with --json nothing reaches stdout: the one line is on stderr
    result = runner.invoke(
        app, ["analyze", str(_squats(tmp_path, 1.0)), "-e", "squat", "--json", "--no-history"]
    )
    assert result.exit_code == 2 and result.stdout == ""


@pytest.mark.parametrize("fps", [6.0, 30.0])
def test_at_or_above_the_minimum_every_squat_is_counted(tmp_path, fps):
    result = runner.invoke(
        app, ["analyze", str(_squats(tmp_path, fps)), "-e", "squat", "--json", "--no-history"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["summary"]["reps"] == 6
    assert out["summary"]["faults"] == {}


def test_a_one_fps_video_is_refused_before_any_frame_is_analysed(tmp_path, pose_model,
                                                                 one_line_error):  # fmt: skip
    path = tmp_path / "timelapse.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 1, (160, 120))
    for i in range(5):
        writer.write(np.full((120, 160, 3), 30 * i, np.uint8))
    writer.release()
    # no person in these frames: the frame rate is what is reported, not "no person"
    result = runner.invoke(app, ["analyze", str(path), "-e", "squat", "--no-history"])
    assert result.exit_code == 2, result.output
    one_line_error(result, "timelapse.avi has 1 frame per second", "Squat needs at least 6")
