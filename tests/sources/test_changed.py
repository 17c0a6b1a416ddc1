"""``formcheck eval --camera``: each change does to the pictures what its name says."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.sources.changed import (
    CAMERA_CHANGES,
    FARTHER_BORDER,
    ChangedSource,
    camera_change,
)
from formcheck.sources.core import Frame


class _Frames:
    """Five 40x30 frames at 10 fps, each a left-to-right ramp with a white dot at (30, 5)."""

    name, live = "ramp", False
    fps, resolution_wh, frame_count = 10.0, (40, 30), 5
    dropped_frames, warnings, truncated = 0, [], False
    closed = False

    def __iter__(self):
        for i in range(5):
            image = np.zeros((30, 40, 3), np.uint8)
            image[:] = np.arange(40, dtype=np.uint8)[None, :, None] * 5
            image[5, 30] = 255
            yield Frame(i / 10.0, image, i)

    def close(self) -> None:
        self.closed = True


def _changed(name: str) -> tuple[ChangedSource, list[Frame], _Frames]:
    source = _Frames()
    changed = ChangedSource(source, camera_change(name))
    return changed, list(changed), source


def test_mirrored_swaps_left_and_right():
    changed, frames, _ = _changed("mirrored")
    assert [f.t_s for f in frames] == [0.0, 0.1, 0.2, 0.3, 0.4]
    original = next(iter(_Frames())).image_bgr
    assert np.array_equal(frames[0].image_bgr, original[:, ::-1])
    assert frames[0].image_bgr[5, 40 - 1 - 30].tolist() == [255, 255, 255]
    assert changed.resolution_wh == (40, 30) and changed.fps == 10.0


def test_half_rate_keeps_every_other_frame_at_its_own_time():
    changed, frames, _ = _changed("half-rate")
    assert changed.fps == 5.0 and changed.frame_count == 3  # 0, 2, 4
    assert [f.t_s for f in frames] == [0.0, 0.2, 0.4]
    assert [f.index for f in frames] == [0, 1, 2]


def test_half_size_halves_the_picture_and_says_so_before_the_first_frame():
    source = _Frames()
    changed = ChangedSource(source, camera_change("half-size"))
    assert changed.resolution_wh == (20, 15)  # known before reading, as a video's size is
    frame = next(iter(changed))
    assert frame.resolution_wh == (20, 15)
    assert abs(int(frame.image_bgr[10, 10, 0]) - 100) <= 5  # the ramp, averaged


def test_farther_shrinks_the_picture_inside_a_grey_frame():
    changed, frames, _ = _changed("farther")
    image = frames[0].image_bgr
    assert changed.resolution_wh == (40, 30) == frames[0].resolution_wh
    assert image[0, 0].tolist() == [FARTHER_BORDER] * 3 and image[-1, -1].tolist() == [110] * 3
    middle = image[15, 8:32, 0].astype(int)
    assert (np.diff(middle) >= 0).all() and middle[-1] - middle[0] > 150  # the whole ramp


def test_tilted_turns_the_picture_about_its_middle():
    changed, frames, _ = _changed("tilted")
    image = frames[0].image_bgr
    assert image.shape == (30, 40, 3)
    original = next(iter(_Frames())).image_bgr
    assert abs(int(image[15, 20, 0]) - int(original[15, 20, 0])) <= 5  # the middle stays
    assert not np.array_equal(image, original)
    column = image[:, 30, 0].astype(int)
    assert column.max() - column.min() > 10  # a vertical line of one shade now crosses shades


def test_closing_closes_the_source_and_unknown_names_are_named():
    changed, _, source = _changed("mirrored")
    with changed:
        pass
    assert source.closed
    with pytest.raises(ValueError, match="expected one of mirrored, half-rate"):
        camera_change("upside-down")
    assert all(c.words and c.name == n for n, c in CAMERA_CHANGES.items())
