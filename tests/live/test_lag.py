"""Falling behind real time: said once, with the fix; never for a replay that drops nothing.

The slow pose stage is scripted, not timed: :func:`slow_camera` plays the bundled recording as
a 30 fps camera whose pose model takes ``cost_s(t)`` seconds of *input time* per frame. The
camera hands the model its newest frame and counts the ones in between as dropped, as
``CameraSource`` does, so the same input gives the same frames and drops on any machine.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import load_exercise
from formcheck.live import LiveFrame, LiveInput, LiveSession
from formcheck.live.lag import LagWatch
from formcheck.recording import RecordingSource

FPS = 30.0


class _Capture:
    dropped_frames = 0


def slow_camera(path, cost_s) -> LiveInput:
    capture = _Capture()

    def frames():
        with RecordingSource(path) as rec:
            poses = list(rec)
        now, last = 0.0, -1
        while (k := max(int(now * FPS + 1e-6), last + 1)) < len(poses):
            capture.dropped_frames += k - last - 1
            last = k
            yield LiveFrame(poses[k])
            now = max(now, poses[k].t_s) + cost_s(poses[k].t_s)

    return LiveInput(frames(), "slow camera", FPS, (960, 540), is_camera=True, source=capture)


def run(feed):
    lines: list[str] = []
    outcome = LiveSession(load_exercise("bird-dog"), on_line=lines.append, summary_s=0).run(feed)
    return outcome, [ln for ln in lines if "Falling behind" in ln]


@pytest.mark.parametrize(
    ("name", "cost_s", "said"),
    [
        ("keeps up", lambda t: 0.02, 0),
        ("slow throughout: said once, not again", lambda t: 0.1, 1),
        ("slow for 2 s only: not long enough", lambda t: 0.1 if 5 <= t < 7 else 0.02, 0),
        ("slow twice for 5 s: still said once", lambda t: 0.1 if t < 5 or t > 12 else 0.02, 1),
    ],
)
def test_falling_behind_is_said_once_with_the_fix(bird_dog, name, cost_s, said):
    outcome, notices = run(slow_camera(bird_dog, cost_s))
    assert len(notices) == said, name
    if said:
        assert "--model lite" in notices[0] and "--camera-size 640x480" in notices[0]
        assert "only 10 of 30 frames a second" in notices[0]  # 0.1 s a frame: a third
        assert outcome.behind is not None and outcome.dropped > 0
    else:
        assert outcome.behind is None


def test_the_notice_comes_after_three_seconds_behind():
    """A second to measure, then behind for three seconds on end."""
    watch = LagWatch(measure_s=1.0, persist_s=3.0)
    said = []
    for k in range(200):  # every third frame of a 30 fps camera analysed
        t = k * 0.1
        if watch.update(t, dropped_total=2 * k) is not None:
            said.append(t)
    assert said == [pytest.approx(4.0)]


def test_a_recording_replay_reports_no_dropped_frames(bird_dog, monkeypatch):
    """Replayed with half its frames late (not drawn, as on a busy machine): every frame is
    analysed, so nothing is said about dropped frames or falling behind."""
    from contextlib import contextmanager

    @contextmanager
    def late_replay(spec, **kwargs):
        def frames():
            with RecordingSource(bird_dog) as rec:
                for k, pose in enumerate(rec):
                    yield LiveFrame(pose, late=k % 2 == 1)

        yield LiveInput(frames(), "bird-dog.jsonl.gz", 30.0, (960, 540))

    monkeypatch.setattr("formcheck.cli.live_cmd.open_live_input", late_replay)
    res = CliRunner().invoke(app, ["live", "bird-dog", "--video", str(bird_dog), "--headless",
                                   "--no-audio", "--no-history"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "4 reps (left 2, right 2)" in res.output
    assert "dropped" not in res.output and "Falling behind" not in res.output


def test_the_camera_size_the_notice_names_is_asked_of_the_camera(monkeypatch):
    import cv2

    from formcheck.sources.camera import CameraSource

    asked = {}

    class FakeCapture:
        def __init__(self, index):
            self.props = {cv2.CAP_PROP_FPS: 30.0}

        def isOpened(self):  # noqa: N802 - OpenCV's name
            return True

        def set(self, prop, value):
            asked[prop] = value
            self.props[prop] = value
            return True

        def get(self, prop):
            return self.props.get(prop, 0.0)

        def release(self):
            pass

    monkeypatch.setattr("formcheck.sources.camera.cv2.VideoCapture", FakeCapture)
    source = CameraSource(0, size_wh=(640, 480))
    assert (asked[cv2.CAP_PROP_FRAME_WIDTH], asked[cv2.CAP_PROP_FRAME_HEIGHT]) == (640, 480)
    assert source.resolution_wh == (640, 480)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--camera-size", "640-480"], "expected WIDTHxHEIGHT"),
        (["--camera-size", "640x480", "--video", "x.mp4"], "for a camera, not --video"),
    ],
)
def test_a_bad_camera_size_is_one_line(args, words, one_line_error):
    res = CliRunner().invoke(app, ["live", "bird-dog", "--headless", *args])
    assert res.exit_code == 2
    one_line_error(res, words)
