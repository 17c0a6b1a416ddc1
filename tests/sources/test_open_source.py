"""open_source: which source a spec opens."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.sources import (
    CameraSource,
    FolderSource,
    FrameSource,
    ImageSource,
    VideoFileSource,
    open_source,
)


@pytest.fixture
def files(videos):
    videos.cfr("clips/a.mp4", 3, 10)
    cv2.imwrite(str(videos.folder / "still.PNG"), np.zeros((4, 4, 3), np.uint8))
    return videos.folder


@pytest.mark.parametrize(
    ("spec", "as_camera", "kind"),
    [
        ("clips", False, FolderSource),
        ("still.PNG", False, ImageSource),
        ("clips/a.mp4", False, VideoFileSource),
        ("clips/a.mp4", True, CameraSource),
    ],
)
def test_spec_chooses_the_source(files, monkeypatch, spec, as_camera, kind):
    monkeypatch.chdir(files)
    with open_source(spec, as_camera=as_camera) as source:
        assert type(source) is kind
        assert isinstance(source, FrameSource)
        assert source.live is (kind is CameraSource)


@pytest.mark.parametrize("spec", [99, "99", " 99 "])
def test_numbers_mean_cameras(spec):
    with pytest.raises(SourceError, match="camera 99 could not be opened"):
        open_source(spec)


@pytest.mark.parametrize(("spec", "says"), [("clips", "is a folder"), ("still.PNG", "still image")])
def test_as_camera_needs_one_video_file(files, monkeypatch, spec, says):
    monkeypatch.chdir(files)
    with pytest.raises(SourceError, match=says):
        open_source(spec, as_camera=True)


def test_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        open_source(tmp_path / "missing.mov")
