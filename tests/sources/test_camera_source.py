"""CameraSource: a paced video played as a camera, a scripted fake camera, and a missing one.

Timing checks are deliberately coarse (the test machine is shared and noisy).
"""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.sources import CameraSource, FrameSource

FPS = 30
DURATION_S = 3.0
N_FRAMES = int(FPS * DURATION_S)


@pytest.fixture
def three_seconds(videos):
    return videos.cfr("three_seconds.mp4", N_FRAMES, FPS)


def play(source: CameraSource, *, work_s: float = 0.0) -> tuple[list, float]:
    """Consume the whole source, spending ``work_s`` on each frame; return frames, wall time."""
    start = time.monotonic()
    frames = []
    with source:
        for frame in source:
            frames.append(frame)
            if work_s:
                time.sleep(work_s)
    return frames, time.monotonic() - start


# -- a video played as a camera ------------------------------------------------------------


def test_slow_consumer_keeps_real_time_by_dropping_frames(three_seconds, videos):
    source = CameraSource.from_video(three_seconds)
    assert isinstance(source, FrameSource) and source.live
    frames, wall_s = play(source, work_s=0.2)
    t_s = [f.t_s for f in frames]
    assert 0.5 * DURATION_S < wall_s < 3 * DURATION_S
    assert source.dropped_frames > 0
    assert len(frames) < N_FRAMES / 2
    assert np.all(np.diff(t_s) > 0)
    assert t_s[-1] > DURATION_S - 0.5  # the last frame is near the end of the video
    # each frame is the one its index and time say (container time, so counts match the video)
    assert [videos.index_of(f.image_bgr) for f in frames] == [f.index for f in frames]
    assert t_s == pytest.approx([f.index / FPS for f in frames], abs=1e-3)
    assert source.frames_captured == N_FRAMES
    assert source.frames_delivered + source.dropped_frames == N_FRAMES


def test_fast_consumer_sees_about_every_frame_in_real_time(three_seconds, videos):
    frames, wall_s = play(CameraSource.from_video(three_seconds))
    assert 0.5 * DURATION_S < wall_s < 3 * DURATION_S
    assert len(frames) > 0.5 * N_FRAMES
    assert frames[-1].index == N_FRAMES - 1
    assert [videos.index_of(f.image_bgr) for f in frames] == [f.index for f in frames]
    assert np.all(np.diff([f.t_s for f in frames]) > 0)


def test_speed_plays_faster_but_keeps_video_time(three_seconds):
    frames, wall_s = play(CameraSource.from_video(three_seconds, speed=4.0))
    assert wall_s < 0.6 * DURATION_S
    assert frames[-1].t_s == pytest.approx(DURATION_S - 1 / FPS, abs=1e-3)


def test_rotated_video_played_as_camera_is_upright(videos):
    frames, _ = play(CameraSource.from_video(videos.rotated("phone.mp4", 90), speed=4.0))
    assert frames and all(f.image_bgr.shape == (128, 96, 3) for f in frames)
    assert all(f.image_bgr[:32, :32].mean() > 200 for f in frames)


def test_early_break_stops_the_thread_and_releases_the_file(three_seconds, capture_spy):
    source = CameraSource.from_video(three_seconds)
    start = time.monotonic()
    for frame in source:
        if frame.index >= 3:
            break
    assert source.thread is not None and not source.thread.is_alive()
    assert time.monotonic() - start < 0.5 * DURATION_S
    assert capture_spy and all(cap.released for cap in capture_spy)
    with pytest.raises(RuntimeError, match="only once"):
        iter(source)


def test_exception_in_the_loop_stops_the_thread(three_seconds, capture_spy):
    source = CameraSource.from_video(three_seconds)
    with pytest.raises(ZeroDivisionError), source:
        for frame in source:
            frame.index / 0
    assert not source.thread.is_alive()
    assert all(cap.released for cap in capture_spy)


def test_close_from_another_thread_ends_the_loop(three_seconds):
    source = CameraSource.from_video(three_seconds)
    seen: list[int] = []
    consumer = threading.Thread(target=lambda: seen.extend(f.index for f in source))
    consumer.start()
    time.sleep(0.3)
    source.close()
    consumer.join(timeout=2.0)
    assert not consumer.is_alive() and not source.thread.is_alive()
    assert 0 < len(seen) < N_FRAMES / 2


def test_closing_before_iterating_releases_the_capture(three_seconds, capture_spy):
    with CameraSource.from_video(three_seconds) as source:
        pass
    assert source.thread is None
    assert capture_spy and all(cap.released for cap in capture_spy)


def test_bad_video_fails_when_opened_not_later(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    with pytest.raises(SourceError, match="not a video"):
        CameraSource.from_video(path)


# -- a camera ------------------------------------------------------------------------------


def test_missing_camera_fails_quickly_with_advice():
    start = time.monotonic()
    with pytest.raises(SourceError) as err:
        CameraSource(99)
    assert time.monotonic() - start < 5.0
    assert "camera 99 could not be opened" in str(err.value)
    assert "--camera 0" in str(err.value)


class FakeCamera:
    """Stands in for ``cv2.VideoCapture(7)``: ``mode`` is how the device behaves."""

    mode = "ok"  # "ok": a frame every 20 ms; "silent": reads hang; "failing": reads fail
    made: list[FakeCamera] = []

    def __init__(self, index: int) -> None:
        self.index, self.count, self.released = index, 0, False
        self.made.append(self)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.index == 7

    def set(self, prop: int, value: float) -> bool:
        return True

    def get(self, prop: int) -> float:
        return {cv2.CAP_PROP_FPS: 50.0, cv2.CAP_PROP_FRAME_WIDTH: 128.0}.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.mode == "silent":
            time.sleep(1.0)
            return False, None
        time.sleep(0.02)
        if self.mode == "failing":
            return False, None
        image = np.zeros((32, 128, 3), np.uint8)
        for bit in range(8):
            if self.count >> bit & 1:
                image[:, bit * 16 : (bit + 1) * 16] = 255
        self.count += 1
        return True, image

    def release(self) -> None:
        self.released = True


@pytest.fixture
def fake_camera(monkeypatch):
    monkeypatch.setattr(FakeCamera, "made", [])
    monkeypatch.setattr(cv2, "VideoCapture", FakeCamera)
    return FakeCamera


def test_camera_time_is_the_monotonic_clock_from_the_first_frame(fake_camera, videos):
    source = CameraSource(7)
    assert (source.name, source.fps, source.resolution_wh) == ("camera 7", 50.0, (128, 0))
    start = time.monotonic()
    frames = []
    with source:
        for frame in source:
            frames.append(frame)
            if len(frames) == 10:
                break
    wall_s = time.monotonic() - start
    t_s = [f.t_s for f in frames]
    assert t_s[0] == 0.0
    assert np.all(np.diff(t_s) > 0)
    assert 0.1 < t_s[-1] <= wall_s  # 9+ intervals of 20 ms, never ahead of the wall clock
    assert [videos.index_of(f.image_bgr) for f in frames] == [f.index for f in frames]
    assert source.resolution_wh == (128, 32)  # learned from the first frame
    assert not source.thread.is_alive() and fake_camera.made[0].released


def test_slow_consumer_of_a_camera_gets_the_newest_frame(fake_camera, videos):
    frames = []
    with CameraSource(7) as source:
        for frame in source:
            frames.append(frame)
            time.sleep(0.15)
            if len(frames) == 5:
                break
    indices = [f.index for f in frames]
    assert [videos.index_of(f.image_bgr) for f in frames] == indices
    assert min(np.diff(indices)) >= 2  # stale frames were skipped, not queued
    assert source.dropped_frames >= sum(np.diff(indices) - 1) - 1
    assert source.dropped_frames > 0


@pytest.mark.parametrize("mode", ["silent", "failing"])
def test_camera_that_gives_no_picture_raises_after_the_timeout(fake_camera, monkeypatch, mode):
    monkeypatch.setattr(FakeCamera, "mode", mode)
    source = CameraSource(7, timeout_s=0.3)
    start = time.monotonic()
    with pytest.raises(SourceError, match="camera 7 gave no picture within 0.3 s"), source:
        for _ in source:
            pass
    assert time.monotonic() - start < 3.0
    assert not source.thread.is_alive() and fake_camera.made[0].released
