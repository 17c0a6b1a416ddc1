"""The picture fitted into a window or a video of another size: aspect kept, bars around it."""

import cv2
import numpy as np
import pytest

from formcheck.render.annotate import letterbox

BAR = (30, 40, 50)


def _picture(w: int, h: int) -> np.ndarray:
    return np.random.default_rng(w * h).integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    ("picture_wh", "canvas_wh", "box"),  # box: the picture's place on the canvas, x, y, w, h
    [
        ((1280, 720), (1088, 612), (0, 0, 1088, 612)),  # the same shape, smaller
        ((1280, 720), (1280, 1024), (0, 152, 1280, 720)),  # bars above and below
        ((1080, 1920), (1280, 720), (437, 0, 405, 720)),  # portrait: bars left and right
        ((640, 360), (1632, 918), (0, 0, 1632, 918)),  # enlarged
    ],
)
def test_the_picture_fits_whole_with_bars_around_it(picture_wh, canvas_wh, box):
    image = _picture(*picture_wh)
    for fast in (False, True):
        canvas, scale, (ox, oy) = letterbox(image, picture_wh, canvas_wh, BAR, fast=fast)
        x, y, w, h = box
        assert canvas.shape == (canvas_wh[1], canvas_wh[0], 3) and (ox, oy) == (x, y)
        fit = min(canvas_wh[0] / picture_wh[0], canvas_wh[1] / picture_wh[1])
        assert scale == pytest.approx(fit)
        bars = np.ones(canvas.shape[:2], bool)
        bars[y : y + h, x : x + w] = False
        assert (canvas[bars] == BAR).all()
        inside = canvas[y : y + h, x : x + w]
        area = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        linear = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
        shrunk = w < picture_wh[0]
        # a picture shrunk is averaged over each pixel's area, except in the live window,
        # which interpolates while the picture keeps at least half its size (6 times faster)
        want = area if shrunk and not (fast and 2 * w >= picture_wh[0]) else linear
        assert np.array_equal(inside, want)


def test_a_picture_at_the_canvas_size_is_used_as_it_is():
    image = _picture(640, 360)
    canvas, scale, offset = letterbox(image, (640, 360), (640, 360), BAR, fast=True)
    assert canvas is image and scale == 1.0 and offset == (0, 0)


def test_a_shrink_to_under_half_is_averaged_even_in_the_window():
    image = _picture(1920, 1080)
    canvas, _, _ = letterbox(image, (1920, 1080), (640, 360), BAR, fast=True)
    assert np.array_equal(canvas, cv2.resize(image, (640, 360), interpolation=cv2.INTER_AREA))
