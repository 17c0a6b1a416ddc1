"""Annotators draw where the landmarks are, in the right colours, and never fail on no person."""

import numpy as np

from formcheck.pose.core import LANDMARK_INDEX, PoseFrame
from formcheck.render.annotate import OK_BGR, WARN_BGR, Hud, annotate, draw_skeleton


def _pose(w=640, h=480):
    image = np.zeros((33, 5))
    image[:, 3:] = 0.99
    image[:, 0], image[:, 1] = w / 2, h / 2
    pts = {"left_hip": (300, 250), "left_knee": (300, 350), "left_ankle": (300, 450),
           "left_shoulder": (300, 100)}  # fmt: skip
    for name, (x, y) in pts.items():
        image[LANDMARK_INDEX[name], :2] = (x, y)
    return PoseFrame(0.0, (w, h), image, np.zeros((33, 3)))


def _colour_at(img, x, y):
    return tuple(int(c) for c in img[y, x])


def test_bones_are_drawn_and_fault_limbs_in_warning_colour():
    img = draw_skeleton(np.zeros((480, 640, 3), np.uint8), _pose())
    assert _colour_at(img, 300, 300) == OK_BGR  # thigh, between hip and knee
    warn = frozenset({"left_hip", "left_knee", "left_ankle"})
    img = draw_skeleton(np.zeros((480, 640, 3), np.uint8), _pose(), warn)
    assert _colour_at(img, 300, 300) == WARN_BGR and _colour_at(img, 300, 400) == WARN_BGR
    assert _colour_at(img, 300, 175) == OK_BGR  # shoulder-hip: only one end is in the fault


def test_hud_counter_and_cue_banner_appear():
    blank = np.full((480, 640, 3), 200, np.uint8)
    img = annotate(
        blank.copy(), None, Hud(reps_by_side={"left": 3, "right": 2}, cue="Straighten your knee")
    )
    assert not np.array_equal(img[:90, :230], blank[:90, :230])  # counter panel
    assert not np.array_equal(img[-40:], blank[-40:])  # cue banner
    assert np.array_equal(img[200:300, 200:400], blank[200:300, 200:400])  # middle untouched
    assert np.array_equal(annotate(blank.copy(), PoseFrame.empty(0, (640, 480)), Hud()), blank)


def test_text_drawn_from_its_cached_sprite_is_the_text_drawn_in_place():
    """The overlay blends each text from a sprite drawn once; the picture is the one that
    drawing the 8 outline copies and the letters straight onto it gives, to a unit or two of
    rounding, also where the text runs off the picture's edge."""
    import importlib

    import cv2

    a = importlib.import_module("formcheck.render.annotate")  # the module, not its function

    rng = np.random.default_rng(7)
    scene = rng.integers(0, 256, (200, 400, 3), dtype=np.uint8)
    for text, org, size, colour in [
        ("3 / 8", (20, 120), 3.0, (255, 255, 255)),
        ("Straighten your left knee", (250, 60), 1.2, (0, 200, 255)),  # runs off the right
        ("hold 1.2 / 2 s", (-30, 10), 0.9, (40, 40, 40)),  # off the top left
    ]:
        expected = scene.copy()
        weight = max(1, int(round(size * 2)))
        d = max(1, weight // 2 + 1)
        for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-d, -d), (d, d), (-d, d), (d, -d)):
            xy = (org[0] + dx, org[1] + dy)
            cv2.putText(expected, text, xy, a._FONT, size, (0, 0, 0), weight, cv2.LINE_AA)
        cv2.putText(expected, text, org, a._FONT, size, colour, weight, cv2.LINE_AA)
        got = scene.copy()
        a._text(got, text, org, size, colour)
        diff = np.abs(got.astype(int) - expected.astype(int))
        assert diff.max() <= 3, (text, diff.max())
        assert (got != scene).any()
