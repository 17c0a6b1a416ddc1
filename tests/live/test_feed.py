"""Replaying a recording in real time: paced to the wall clock, late frames marked, not lost."""

from __future__ import annotations

import pytest

from formcheck.live import open_live_input, paced
from formcheck.pose.core import PoseFrame


class FakeClock:
    """A wall clock that moves only when slept on, or when the 'loop' takes time."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def frames(times):
    return [PoseFrame.empty(t, (64, 48), i) for i, t in enumerate(times)]


def test_frames_are_handed_out_at_their_time():
    clock = FakeClock()
    out = [
        (lf.pose.t_s, clock.now - 100.0)
        for lf in paced(frames([0.0, 0.1, 0.25]), 1.0, clock=clock, sleep=clock.sleep)
    ]
    assert out == [(0.0, 0.0), (0.1, pytest.approx(0.1)), (0.25, pytest.approx(0.25))]


def test_speed_plays_faster_and_zero_does_not_wait():
    clock = FakeClock()
    list(paced(frames([0.0, 0.1, 0.2]), 2.0, clock=clock, sleep=clock.sleep))
    assert clock.slept == [0.05, 0.05]
    clock = FakeClock()
    assert len(list(paced(frames([0.0, 5.0]), 0, clock=clock, sleep=clock.sleep))) == 2
    assert clock.slept == []


def test_a_slow_consumer_gets_every_frame_but_the_overdue_ones_are_marked_late():
    clock = FakeClock()
    seen = []
    for lf in paced(frames([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]), 1.0, clock=clock, sleep=clock.sleep):
        seen.append((lf.pose.index, lf.late))
        if lf.pose.index == 1:
            clock.now += 0.25  # drawing frame 1 took 250 ms: frames 2 and 3 fall behind
    assert [i for i, _ in seen] == [0, 1, 2, 3, 4, 5]  # nothing skipped for the engine
    assert [late for _, late in seen] == [False, False, True, False, False, False]


def test_bad_speed_is_refused():
    with pytest.raises(ValueError, match="speed"):
        list(paced(frames([0.0]), -1))


def test_a_recording_opens_as_a_live_input(bird_dog):
    with open_live_input(bird_dog, speed=0) as feed:
        assert (feed.name, feed.fps, feed.resolution_wh) == ("bird-dog.jsonl.gz", 30.0, (960, 540))
        assert not feed.is_camera and feed.dropped_frames == 0
        first = next(feed.frames)
        assert first.image_bgr is None and first.pose.has_person and not first.late
