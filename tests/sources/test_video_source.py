"""VideoFileSource: known frame counts and times, variable frame rate, rotation, bad files."""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.sources import FrameSource, VideoFileSource
from formcheck.sources.video import ContainerClock, open_video_capture, rotate_upright


def assert_upright(image: np.ndarray, marker: np.ndarray) -> None:
    """The picture is the upright marker picture (white square top-left), up to coding noise."""
    assert image.shape == marker.shape
    assert np.abs(image.astype(int) - marker).mean() < 10
    assert image[:32, :32].mean() > 200  # marker top-left ...
    assert image[-32:, -32:].mean() < 50 and image[:32, -32:].mean() < 50  # ... and nowhere else
    assert image[-32:, :32].mean() < 50


# -- known answers -------------------------------------------------------------------------


def test_constant_rate_video_gives_every_frame_in_order_with_container_times(videos):
    path = videos.cfr("count.mp4", n_frames=25, fps=10)
    with VideoFileSource(path) as source:
        assert isinstance(source, FrameSource)
        assert (source.name, source.live) == ("count.mp4", False)
        assert source.fps == pytest.approx(10)
        assert source.frame_count == 25
        assert source.duration_s == pytest.approx(2.5)
        assert source.resolution_wh == (128, 32)
        frames = list(source)
    assert [f.index for f in frames] == list(range(25))
    assert [videos.index_of(f.image_bgr) for f in frames] == list(range(25))
    assert [f.t_s for f in frames] == pytest.approx([i / 10 for i in range(25)], abs=1e-3)
    assert source.frames_read == 25
    assert (source.truncated, source.warnings, source.timestamps_from) == (False, [], "container")


def test_iterating_again_replays_from_the_start(videos):
    source = VideoFileSource(videos.cfr("again.mp4", n_frames=6, fps=25))
    first = [(f.t_s, videos.index_of(f.image_bgr)) for f in source]
    second = [(f.t_s, videos.index_of(f.image_bgr)) for f in source]
    assert first == second
    assert [i for _, i in first] == list(range(6))


def test_variable_frame_rate_keeps_the_recorded_times(videos):
    gaps = [0.05, 0.2] * 8
    times = [0.0]
    for gap in gaps[:-1]:
        times.append(round(times[-1] + gap, 3))
    path = videos.with_pyav("vfr.mp4", times)
    frames = list(VideoFileSource(path))
    assert [videos.index_of(f.image_bgr) for f in frames] == list(range(len(times)))
    assert [f.t_s for f in frames] == pytest.approx(times, abs=1e-3)
    assert np.diff([f.t_s for f in frames]) == pytest.approx(gaps[:-1], abs=1e-3)


# -- rotation ------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation_cw", [90, 180, 270])
def test_rotation_metadata_gives_upright_frames(videos, rotation_cw):
    path = videos.rotated(f"phone{rotation_cw}.mp4", rotation_cw)
    marker = videos.marker_picture()
    raw = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    raw.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    ok, stored = raw.read()
    meta = raw.get(cv2.CAP_PROP_ORIENTATION_META)
    raw.release()
    assert ok and meta == rotation_cw  # the file carries the rotation ...
    assert stored.shape != marker.shape or stored[:32, :32].mean() < 50  # ... and is stored turned

    source = VideoFileSource(path)
    assert source.resolution_wh == (96, 128)
    frames = list(source)
    assert len(frames) == 3
    for frame in frames:
        assert_upright(frame.image_bgr, marker)


class _NoAutoRotation:
    """A capture from an OpenCV build that cannot rotate by itself (old, or another backend)."""

    real = cv2.VideoCapture

    def __init__(self, *args: object) -> None:
        self._cap = self.real(*args)
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)

    def set(self, prop: int, value: float) -> bool:
        return False if prop == cv2.CAP_PROP_ORIENTATION_AUTO else self._cap.set(prop, value)

    def get(self, prop: int) -> float:
        return 0.0 if prop == cv2.CAP_PROP_ORIENTATION_AUTO else self._cap.get(prop)

    def __getattr__(self, name: str) -> object:
        return getattr(self._cap, name)


@pytest.mark.parametrize("rotation_cw", [90, 180, 270])
def test_rotation_is_applied_here_when_opencv_cannot(videos, monkeypatch, rotation_cw):
    path = videos.rotated(f"old{rotation_cw}.mp4", rotation_cw)
    monkeypatch.setattr(cv2, "VideoCapture", _NoAutoRotation)
    cap, rotation = open_video_capture(path)
    cap.release()
    assert rotation == rotation_cw
    source = VideoFileSource(path)
    assert source.resolution_wh == (96, 128)
    for frame in source:
        assert_upright(frame.image_bgr, videos.marker_picture())


@pytest.mark.parametrize("rotation_ccw", [90, 270])
def test_rotation_written_by_ffmpeg_itself_is_applied(videos, rotation_ccw):
    marker = videos.marker_picture()
    turn = cv2.ROTATE_90_CLOCKWISE if rotation_ccw == 90 else cv2.ROTATE_90_COUNTERCLOCKWISE
    path = videos.with_pyav(
        "pyav_rot.mp4",
        [0.0, 0.1, 0.2],
        rotation_ccw=rotation_ccw,
        pictures=[cv2.rotate(marker, turn)] * 3,
    )
    frames = list(VideoFileSource(path))
    assert len(frames) == 3
    for frame in frames:
        assert_upright(frame.image_bgr, marker)


@pytest.mark.parametrize(
    ("rotation_cw", "k"), [(0, 0), (90, -1), (180, 2), (270, 1), (450, -1), (45, 0)]
)
def test_rotate_upright_turns_clockwise(rotation_cw, k):
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    assert np.array_equal(rotate_upright(image, rotation_cw), np.rot90(image, k=k))


# -- timestamp repair ----------------------------------------------------------------------

NAN = math.nan


@pytest.mark.parametrize(
    ("fps", "pos_msec", "expected_t_s", "source", "repaired"),
    [
        (10, [0, 100, 200], [0, 0.1, 0.2], "container", 0),
        (10, [0, 100, 100, 300], [0, 0.1, 0.1 + 1e-6, 0.3], "container", 1),
        (10, [0, 200, 100, 300], [0, 0.2, 0.2 + 1e-6, 0.3], "container", 1),
        (10, [0, 100, NAN, 300], [0, 0.1, 0.2, 0.3], "container", 0),
        (10, [-50, 50, 150], [0, 0.05, 0.15], "container", 0),
        (25, [0, 0, 0, 0], [0, 0.04, 0.08, 0.12], "frame_index", 0),
        (10, [NAN, NAN, NAN], [0, 0.1, 0.2], "frame_index", 0),
    ],
)
def test_container_clock_repairs_timestamps(fps, pos_msec, expected_t_s, source, repaired):
    clock = ContainerClock(fps)
    t_s = [clock.t_s(ms, i) for i, ms in enumerate(pos_msec)]
    assert t_s == pytest.approx(expected_t_s, abs=1e-9)
    assert all(b > a for a, b in itertools.pairwise(t_s))
    assert (clock.source, clock.repaired) == (source, repaired)


# -- bad files -----------------------------------------------------------------------------


def _missing(videos) -> Path:
    return videos.folder / "nope.mp4"


def _folder(videos) -> Path:
    path = videos.folder / "looks_like_a_file.mp4"
    path.mkdir()
    return path


def _zero_bytes(videos) -> Path:
    path = videos.folder / "zero.mp4"
    path.write_bytes(b"")
    return path


def _text(videos) -> Path:
    path = videos.folder / "notes.mp4"
    path.write_text("these are my workout notes, not a video\n" * 20)
    return path


def _no_index(videos) -> Path:
    # cv2.VideoWriter puts the 'moov' index at the end: cutting the file loses it
    return videos.cut(videos.cfr("full.mp4", 30, 10), "interrupted.mp4", 0.6)


def _undecodable(videos) -> Path:
    path = videos.cfr("damaged.mp4", 10, 10)
    data = bytearray(path.read_bytes())
    start, end = data.find(b"mdat") + 4, data.find(b"moov") - 4
    assert 0 < start < end
    data[start:end] = bytes(end - start)  # index intact, picture data zeroed
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_missing, "not found"),
        (_folder, "is a folder"),
        (_zero_bytes, "empty (0 bytes)"),
        (_text, "not a video"),
        (_no_index, "incomplete MP4"),
        (_undecodable, "first frame cannot be decoded"),
    ],
)
def test_bad_files_raise_one_line_source_errors(videos, make, says):
    path = make(videos)
    with pytest.raises(SourceError) as err:
        VideoFileSource(path)
    message = str(err.value)
    assert says in message
    assert path.name in message
    assert "\n" not in message


# -- truncated files -----------------------------------------------------------------------


def _avi(videos) -> Path:
    return videos.cfr("full.avi", 50, 10, fourcc="MJPG")


def _faststart_mp4(videos) -> Path:
    times = [i / 10 for i in range(50)]
    return videos.with_pyav("full.mp4", times, options={"movflags": "faststart"})


@pytest.mark.parametrize("make", [_avi, _faststart_mp4])
def test_truncated_file_yields_what_it_can_and_says_so(videos, make):
    full = make(videos)
    path = videos.cut(full, f"cut{full.suffix}", 0.6)
    source = VideoFileSource(path)
    assert source.frame_count == 50  # the header still promises the whole video
    frames = list(source)
    assert 0 < len(frames) < 50
    assert [videos.index_of(f.image_bgr) for f in frames] == list(range(len(frames)))
    assert source.truncated
    assert any("truncated" in w for w in source.warnings)


# -- releasing the file ----------------------------------------------------------------------


def test_break_and_exceptions_release_the_capture(videos, capture_spy):
    path = videos.cfr("release.mp4", 20, 10)
    source = VideoFileSource(path)
    for _ in source:
        break
    with pytest.raises(RuntimeError), source:
        for _ in source:
            raise RuntimeError("consumer failed")
    with source:
        it = iter(source)
        next(it)
    assert len(capture_spy) == 4  # one probe, three iterations
    assert all(cap.released for cap in capture_spy)


# -- real clips (read in place when present; never copied) ------------------------------------

CLIPS = Path(os.environ.get("FORMCHECK_CLIPS", Path(__file__).parents[2].parent / "shared/clips"))


@pytest.mark.skipif(not (CLIPS / "pull-up_back_a.mp4").is_file(), reason="real clips not here")
def test_real_portrait_phone_clip_is_delivered_portrait():
    source = VideoFileSource(CLIPS / "pull-up_back_a.mp4")
    assert source.resolution_wh == (360, 640)
    assert (source.fps, source.frame_count) == (pytest.approx(30.0), 592)
    first = list(itertools.islice(source, 3))
    assert [f.t_s for f in first] == pytest.approx([0, 1 / 30, 2 / 30], abs=1e-3)
    assert first[0].image_bgr.shape == (640, 360, 3)
