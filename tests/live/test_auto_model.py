"""``--model auto``: the full model if it keeps up with the camera on this machine, else lite.

The timing is scripted: a stand-in pose model advances a fake clock by its cost per frame, so
the choice does not depend on the machine running the test.
"""

from __future__ import annotations

import functools
import hashlib
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


def _stand_in_models(tmp_path: Path, monkeypatch, present: tuple[str, ...]) -> None:
    """A registry of tiny stand-in bundles (full, lite) and a models folder holding
    ``present``: the real lookup and verification, and no download (one fails the test)."""
    folder = tmp_path / "models"
    folder.mkdir()
    lines = []
    for name in ("full", "lite"):
        data = f"stand-in {name} bundle".encode()
        if name in present:
            (folder / f"pose_landmarker_{name}.task").write_bytes(data)
        lines += [
            f"[{name}]",
            f'description = "{name}"',
            f'file = "pose_landmarker_{name}.task"',
            f'url = "https://models.invalid/{name}.task"',
            f"size_bytes = {len(data)}",
            f'sha256 = "{hashlib.sha256(data).hexdigest()}"',
        ]
    registry = tmp_path / "registry.toml"
    registry.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("FORMCHECK_MODEL_REGISTRY", str(registry))
    monkeypatch.setenv("FORMCHECK_MODELS_DIR", str(folder))

    def no_download(name, **kw):
        raise AssertionError(f"--model auto fetched {name} at run time")

    monkeypatch.setattr("formcheck.pose.provision.fetch", no_download)


@pytest.mark.parametrize(
    ("full_cost_s", "lite_here", "opened", "words"),
    [
        (0.020, True, ["full"], "analyses 50 frames a second here and the camera gives 30: "
                                "using full"),
        (0.050, True, ["full", "lite"], "analyses 20 frames a second here and the camera "
                                        "gives 30: using lite"),
        # lite is not here: full all the same, and what to run
        (0.050, False, ["full"], "analyses 20 frames a second here and the camera gives 30; "
                                 "the lite model is faster but not downloaded: run "
                                 "`formcheck models fetch lite` (using full for now)"),
    ],
)  # fmt: skip
def test_auto_times_the_full_model_and_opens_the_one_it_chose(
    small_video, tmp_path, monkeypatch, full_cost_s, lite_here, opened, words
):
    """The real choice over a slow stand-in pose stage: it costs ``full_cost_s`` of a
    scripted clock per frame (the measured timing is injected, not the machine's)."""
    from formcheck.live import feed as live_feed

    _stand_in_models(tmp_path, monkeypatch, ("full", "lite") if lite_here else ("full",))
    clock, names = _Clock(), []

    class SlowStream:
        def __init__(self, model_path, with_mask=False):
            self.name = Path(model_path).stem.removeprefix("pose_landmarker_")
            names.append(self.name)

        def process(self, frame):
            clock.now += full_cost_s if self.name == "full" else 0.010
            return PoseFrame.empty(frame.t_s, frame.resolution_wh, frame.index)

        def close(self):
            pass

    monkeypatch.setattr("formcheck.pose.landmarker.PoseStream", SlowStream)
    timed = functools.partial(live_feed.keeps_up_with, clock=clock)
    monkeypatch.setattr(live_feed, "keeps_up_with", timed)
    said: list[str] = []
    with open_live_input(small_video, model="auto", speed=4.0, notify=said.append) as feed:
        times = [lf.pose.t_s for lf in feed.frames]
    assert names == opened and feed.model == opened[-1]
    assert said == [f"--model auto: the full pose model {words}"]
    assert times[0] == 0.0  # the timed first frame is analysed again, not lost
