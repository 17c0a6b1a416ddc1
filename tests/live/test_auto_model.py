"""``--model auto``: the full model if it keeps up with the camera on this machine, else lite.

The timing is scripted: a stand-in pose model advances a fake clock by its cost per frame, so
the choice does not depend on the machine running the test.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.live import open_live_input
from formcheck.live.feed import keeps_up_with
from formcheck.pose.core import PoseFrame
from formcheck.sources.core import Frame


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Model:
    """A pose model that costs ``cost_s`` of the fake clock per frame."""

    def __init__(self, clock: _Clock, cost_s: float) -> None:
        self.clock, self.cost_s, self.calls = clock, cost_s, 0

    def process(self, frame):
        self.calls += 1
        self.clock.now += self.cost_s
        return PoseFrame.empty(frame.t_s, frame.resolution_wh, frame.index)


FRAME = Frame(0.0, np.zeros((48, 64, 3), np.uint8))


@pytest.mark.parametrize(
    ("cost_s", "fps", "keeps_up", "rate"),
    [
        (0.020, 30.0, True, 50.0),  # 50 frames a second for a 30 fps camera
        (0.035, 30.0, True, 28.6),  # within 90 % of the camera's rate
        (0.050, 30.0, False, 20.0),  # two thirds of it: lite
        (0.050, 15.0, True, 20.0),  # a slower camera: full keeps up
    ],
)
def test_the_full_model_is_timed_against_the_camera(cost_s, fps, keeps_up, rate):
    clock = _Clock()
    model = _Model(clock, cost_s)
    answer, measured = keeps_up_with(FRAME, fps, model, clock=clock, frames=12)
    assert answer is keeps_up and measured == pytest.approx(rate, abs=0.05)
    assert model.calls == 13  # one to warm up, twelve timed


@pytest.fixture
def small_video(tmp_path) -> Path:
    path = tmp_path / "small.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 48))
    for k in range(20):
        writer.write(np.full((48, 64, 3), k * 10, np.uint8))
    writer.release()
    return path


@pytest.mark.parametrize(("keeps_up", "chosen"), [(True, "full"), (False, "lite")])
def test_auto_opens_the_model_it_chose_and_says_so(small_video, monkeypatch, keeps_up, chosen):
    opened = []

    class FakeStream:
        def __init__(self, model_path, with_mask=False):
            opened.append(Path(model_path).stem)

        def process(self, frame):
            return PoseFrame.empty(frame.t_s, frame.resolution_wh, frame.index)

        def close(self):
            pass

    monkeypatch.setattr("formcheck.pose.landmarker.PoseStream", FakeStream)
    monkeypatch.setattr(
        "formcheck.pose.provision.resolve_model", lambda name, **kw: Path(f"/m/{name}.task")
    )
    monkeypatch.setattr(
        "formcheck.live.feed.keeps_up_with", lambda frame, fps, pose: (keeps_up, 20.0)
    )
    said: list[str] = []
    with open_live_input(small_video, model="auto", speed=4.0, notify=said.append) as feed:
        times = [lf.pose.t_s for lf in feed.frames]
    assert feed.model == chosen and opened == ["full"] + ([] if keeps_up else ["lite"])
    assert said == [
        "--model auto: the full pose model analyses 20 frames a second here and the camera "
        f"gives 30: using {chosen}"
    ]
    assert times[0] == 0.0  # the timed first frame is analysed again, not lost
