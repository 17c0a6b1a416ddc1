"""ImageSource: one upright frame at t = 0, clear errors for unreadable files."""

from __future__ import annotations

import struct

import cv2
import numpy as np
import pytest

from formcheck.errors import SourceError
from formcheck.sources import FrameSource, ImageSource


def test_image_is_one_frame_at_time_zero(tmp_path):
    picture = np.zeros((40, 60, 3), np.uint8)
    picture[:, :, 2] = 200  # red in BGR
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), picture)
    with ImageSource(path) as source:
        assert isinstance(source, FrameSource)
        assert (source.name, source.live, source.resolution_wh) == ("still.png", False, (60, 40))
        frames = list(source)
    assert len(frames) == 1
    assert (frames[0].t_s, frames[0].index) == (0.0, 0)
    assert np.array_equal(frames[0].image_bgr, picture)


def test_grey_image_becomes_three_channel_bgr(tmp_path):
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), np.full((8, 8), 77, np.uint8))
    (frame,) = ImageSource(path)
    assert frame.image_bgr.shape == (8, 8, 3) and int(frame.image_bgr[0, 0, 0]) == 77


def _jpeg_with_exif_orientation(picture: np.ndarray, orientation: int) -> bytes:
    ok, jpeg = cv2.imencode(".jpg", picture)
    assert ok
    entry = struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)  # Orientation, SHORT, 1 value
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + entry + b"\0\0\0\0"
    app1 = b"Exif\0\0" + tiff
    data = jpeg.tobytes()
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]


def test_phone_photo_with_exif_rotation_comes_out_upright(tmp_path, videos):
    upright = videos.marker_picture()
    path = tmp_path / "phone.jpg"
    # EXIF orientation 6: the stored picture must be turned 90 degrees clockwise to show
    path.write_bytes(
        _jpeg_with_exif_orientation(cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE), 6)
    )
    (frame,) = ImageSource(path)
    assert frame.image_bgr.shape == upright.shape
    assert frame.image_bgr[:32, :32].mean() > 200 and frame.image_bgr[-32:, -32:].mean() < 50


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "not found"), (b"", r"empty \(0 bytes\)"), (b"GIF-ish nonsense" * 10, "not an image")],
)
def test_unreadable_images_raise_source_errors(tmp_path, content, says):
    path = tmp_path / "bad.jpg"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=says):
        ImageSource(path)
