"""FolderSource and expand_video_inputs: play order, one continuous clock, bad folders."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.sources import FolderSource, expand_video_inputs

# name, frames, fps, first index drawn in the pictures (tells the files apart)
CLIPS = [
    ("set10.mp4", 4, 10, 100),
    ("Set2.MOV", 3, 5, 20),
    ("set1.mp4", 5, 25, 10),
]
PLAY_ORDER = ["set1.mp4", "Set2.MOV", "set10.mp4"]  # by name as people read it, case ignored


@pytest.fixture
def folder(videos):
    for name, n_frames, fps, first in CLIPS:
        videos.cfr(f"sets/{name}", n_frames, fps, first_index=first)
    (videos.folder / "sets" / "notes.txt").write_text("not a video")
    (videos.folder / "sets" / "._set1.mp4").write_bytes(b"\0" * 100)  # macOS metadata file
    return videos.folder / "sets"


def test_plays_files_in_name_order_with_one_continuous_clock(folder, videos):
    source = FolderSource(folder)
    assert [p.name for p in source.files] == PLAY_ORDER
    assert source.frame_count == 12
    assert source.duration_s == pytest.approx(5 / 25 + 3 / 5 + 4 / 10)
    assert source.current_file is None
    seen = []
    with source:
        for frame in source:
            seen.append((source.current_file.name, frame.t_s, frame.index, frame.image_bgr))
    assert source.current_file is None

    expected_files, expected_t_s, expected_pixels = [], [], []
    offset_s = 0.0
    for name in PLAY_ORDER:
        _, n_frames, fps, first = next(c for c in CLIPS if c[0] == name)
        expected_files += [name] * n_frames
        expected_t_s += [offset_s + i / fps for i in range(n_frames)]
        expected_pixels += [first + i for i in range(n_frames)]
        offset_s += (n_frames - 1) / fps + 1 / fps  # last frame + one frame interval
    assert [s[0] for s in seen] == expected_files
    assert [s[1] for s in seen] == pytest.approx(expected_t_s, abs=1e-3)
    assert [s[2] for s in seen] == list(range(12))
    assert [videos.index_of(s[3]) for s in seen] == expected_pixels
    assert np.all(np.diff([s[1] for s in seen]) > 0)
    assert not source.truncated


def test_break_releases_the_file_being_played(folder, capture_spy):
    source = FolderSource(folder)
    for i, _ in enumerate(source):
        if i == 6:  # inside the second file
            break
    assert len(capture_spy) == 3 + 2  # three probes, two files opened for playing
    assert all(cap.released for cap in capture_spy)


def test_folder_without_videos_is_an_error(videos):
    empty = videos.folder / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("nothing here")
    with pytest.raises(SourceError, match="no videos in folder"):
        FolderSource(empty)


def test_a_broken_file_is_reported_before_anything_plays(folder):
    (folder / "set3.mp4").write_text("not a video")
    with pytest.raises(SourceError, match="set3.mp4"):
        FolderSource(folder)


def test_expand_video_inputs_keeps_files_in_order_and_expands_folders(folder, videos):
    extra = videos.cfr("extra.mkv", 2, 10)
    got = expand_video_inputs([extra, str(folder), folder / "set1.mp4"])
    assert [p.name for p in got] == ["extra.mkv", *PLAY_ORDER]  # repeat of set1.mp4 dropped


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        (["missing.mp4"], "input not found"),
        (["empty_dir"], "no videos in folder"),
        ([], "no input given"),
    ],
)
def test_expand_video_inputs_errors(videos, monkeypatch, inputs, says):
    (videos.folder / "empty_dir").mkdir()
    monkeypatch.chdir(videos.folder)
    with pytest.raises(SourceError, match=says):
        expand_video_inputs(inputs)
