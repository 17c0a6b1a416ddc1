"""``formcheck live`` in-process: headless output, the report, Ctrl+C, bad input in one line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.live import LiveFrame, LiveInput
from formcheck.recording import RecordingSource

runner = CliRunner()


def live(*args):
    return runner.invoke(app, ["live", *args])


def test_headless_prints_events_and_summary_and_writes_the_report(bird_dog, tmp_path):
    res = live("bird-dog", "--video", str(bird_dog), "--headless", "--no-audio",
               "--speed", "0", "--save-report", str(tmp_path / "out"))  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "fault bent knee (left): Straighten your left knee" in res.output
    assert "bent knee: left knee bent to 134° (aim: at least 150°), 12.1–15.7 s" in res.output
    assert "4 reps (left 2, right 2)" in res.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())["result"]  # as analyze -o
    assert report["schema"] == "formcheck.result"
    assert report["summary"]["reps_by_side"] == {"left": 2, "right": 2}
    assert report["summary"]["faults"] == {"bent_knee": 1, "hold_short": 1}
    assert report["live"]["ended_by"] == "input"
    analysed = runner.invoke(app, ["analyze", str(bird_dog), "-e", "bird-dog", "--json"])
    assert report["reps"] == json.loads(analysed.stdout)["reps"]  # live counts as analyze does


def test_ctrl_c_ends_cleanly_and_still_writes_the_report(bird_dog, tmp_path, monkeypatch):
    @contextmanager
    def interrupted_input(spec, **kwargs):
        def frames():
            with RecordingSource(bird_dog) as rec:
                for k, pose in enumerate(rec):
                    if k == 150:  # 5.0 s: rep 1 done
                        raise KeyboardInterrupt
                    yield LiveFrame(pose)

        yield LiveInput(frames(), "sample", 30.0, (960, 540))

    monkeypatch.setattr("formcheck.cli.live_cmd.open_live_input", interrupted_input)
    res = live("bird-dog", "--video", "x.mp4", "--headless", "--no-audio",
               "--save-report", str(tmp_path))  # fmt: skip
    assert res.exit_code == 130, res.output
    assert "1 rep (left 1, right 0)" in res.output
    report = json.loads((tmp_path / "report.json").read_text())["result"]
    assert report["interrupted"] is True and report["live"]["ended_by"] == "interrupt"
    assert report["summary"]["reps"] == 1


def test_no_display_says_use_headless(bird_dog, monkeypatch, one_line_error):
    monkeypatch.delenv("DISPLAY", raising=False)
    one_line_error(live("bird-dog", "--video", str(bird_dog), "--no-audio"), "--headless")


def test_a_display_that_is_not_there_is_one_line_not_a_crash(bird_dog, monkeypatch, one_line_error):
    monkeypatch.setenv("DISPLAY", ":4242")
    one_line_error(
        live("bird-dog", "--video", str(bird_dog), "--no-audio"), "display :4242", "--headless"
    )


def test_camera_that_does_not_exist(one_line_error):
    one_line_error(live("bird-dog", "--camera", "57", "--headless"), "camera 57")


def test_unknown_exercise(one_line_error):
    one_line_error(live("no-such-exercise", "--headless"), "no-such-exercise")


def test_unwritable_report_folder_fails_before_the_session(bird_dog, tmp_path, one_line_error):
    (tmp_path / "a-file").write_text("x")
    res = live("bird-dog", "--video", str(bird_dog), "--headless", "--speed", "0",
               "--save-report", str(tmp_path / "a-file"))  # fmt: skip
    one_line_error(res, "cannot write a report")


@pytest.mark.parametrize("args", [["--camera", "0", "--video", "x.mp4"]])
def test_camera_and_video_together_are_refused(args):
    res = live("bird-dog", "--headless", *args)
    assert res.exit_code == 2 and "not both" in res.output


def test_a_real_ctrl_c_ends_the_session_and_writes_the_report(bird_dog, tmp_path):
    cmd = [sys.executable, "-m", "formcheck", "live", "bird-dog", "--video", str(bird_dog),
           "--headless", "--no-audio", "--speed", "4", "--save-report", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even if we ignore it
    )  # fmt: skip
    try:
        for line in proc.stdout:  # wait for the first rep (4.6 s into the set, 1.2 s here)
            if "rep 1 " in line:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    report = json.loads((tmp_path / "report.json").read_text())["result"]
    assert report["interrupted"] is True and report["summary"]["reps"] >= 1
    assert report["summary"]["reps"] < 4  # stopped before the end of the set


@pytest.mark.parametrize(("flag", "said"), [([], False), (["--audio"], True)])
def test_missing_sound_tools_are_said_only_when_sound_is_asked_for(
    bird_dog, monkeypatch, flag, said
):
    """Without espeak-ng or a player, a plain run stays quiet about it (it used to print the
    same notice on every run); --audio says what is missing."""
    from formcheck.live import Audio

    monkeypatch.setattr(
        "formcheck.cli.live_cmd.Audio",
        lambda notify=None: Audio(notify=notify, which=lambda _: None),
    )
    res = live("bird-dog", "--video", str(bird_dog), "--headless", "--speed", "0",
               "--no-history", *flag)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert ("espeak-ng not found" in res.output) is said
