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


def _module():
    import importlib

    return importlib.import_module("formcheck.render.annotate")  # the module, not its function


def test_panels_blend_in_place_as_scaling_then_adding_the_shade():
    """Each panel's blend (one pass for a grey panel where rounding allows, a plain picture
    added for a colour) gives every value 0..255 what scaling and then adding the shade as a
    number gives, inside the box only."""
    import cv2

    a = _module()
    rng = np.random.default_rng(3)
    scene = rng.integers(0, 256, (40, 300, 3), dtype=np.uint8)
    scene[10:13, 20:276] = np.arange(256, dtype=np.uint8)[None, :, None]  # every value
    uses = [(a.PANEL_BGR, 0.6), (a.PANEL_BGR, 0.7), (a.PANEL_BGR, 0.8)]
    uses += [(c, 0.8) for c in a.SEVERITY_BGR.values()]
    for colour, alpha in uses:
        got = scene.copy()
        a._panel(got, 20, 5, 276, 30, colour, alpha)
        expected = scene.copy()
        shade = tuple(float(c) * alpha for c in colour) + (0.0,)
        scaled = cv2.convertScaleAbs(scene[5:30, 20:276], alpha=1 - alpha)
        expected[5:30, 20:276] = cv2.add(scaled, shade)
        assert np.array_equal(got, expected), (colour, alpha)


def test_skeleton_bones_in_runs_of_one_colour_are_the_bones_drawn_one_by_one():
    """Bones go to OpenCV a run of one colour at a time; the picture is that of drawing each
    bone with cv2.line in order, then the joints, bit for bit (hidden landmarks skipped)."""
    import cv2

    from formcheck.pose.core import SKELETON_EDGES

    a = _module()
    rng = np.random.default_rng(5)
    image = np.zeros((33, 5))
    image[:, 0], image[:, 1] = rng.uniform(100, 860, 33), rng.uniform(60, 660, 33)
    image[:, 3:] = 0.99
    image[LANDMARK_INDEX["right_knee"], 3:] = 0.2  # hidden: its bones are not drawn
    pose = PoseFrame(0.0, (960, 720), image, np.zeros((33, 3)))  # 720 high: widths 4 and 8
    warn = {"left_shoulder", "left_elbow", "left_wrist", "left_hip", "left_knee", "right_hip"}
    xy = np.round(image[:, :2]).astype(int)
    seen = image[:, 3] >= 0.5
    expected = np.full((720, 960, 3), 90, np.uint8)
    for name_a, name_b in SKELETON_EDGES:
        i, j = LANDMARK_INDEX[name_a], LANDMARK_INDEX[name_b]
        if seen[i] and seen[j]:
            bad = name_a in warn and name_b in warn
            colour, width = (WARN_BGR, 8) if bad else (OK_BGR, 4)
            cv2.line(expected, tuple(xy[i]), tuple(xy[j]), colour, width, cv2.LINE_AA)
    for i in range(11, 33):
        if seen[i]:
            cv2.circle(expected, tuple(xy[i]), 6, a.JOINT_BGR, -1, cv2.LINE_AA)
    got = draw_skeleton(np.full((720, 960, 3), 90, np.uint8), pose, frozenset(warn))
    assert np.array_equal(got, expected)


def test_a_text_sprite_cut_to_the_pixels_it_changes_blends_as_the_whole_one():
    """The sprite keeps only the pixels under the outline and the letters: blending it gives
    the picture that blending the whole padded drawing gives, bit for bit."""
    import cv2

    a = _module()
    rng = np.random.default_rng(9)
    scene = rng.integers(0, 256, (200, 400, 3), dtype=np.uint8)
    for text, org, size, colour in [
        ("3 / 8", (20, 120), 3.0, (255, 255, 255)),
        ("left -67   right 12", (40, 60), 0.9, (0, 200, 255)),
    ]:
        weight = max(1, int(round(size * 2)))
        d = max(1, weight // 2 + 1)
        (w, h), base = cv2.getTextSize(text, a._FONT, size, weight)
        pad = d + weight + 2
        shape = (h + base + 2 * pad, w + 2 * pad)
        outline, fill = np.zeros(shape, np.uint8), np.zeros(shape, np.uint8)
        aa = cv2.LINE_AA
        for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-d, -d), (d, d), (-d, d), (d, -d)):
            cv2.putText(outline, text, (pad + dx, pad + h + dy), a._FONT, size, 255, weight, aa)
        cv2.putText(fill, text, (pad, pad + h), a._FONT, size, 255, weight, cv2.LINE_AA)
        keep = cv2.multiply(255 - outline, 255 - fill, scale=1 / 255)
        keep = cv2.cvtColor(keep, cv2.COLOR_GRAY2BGR)
        paint = np.zeros((*shape, 3), np.uint8)
        paint[:] = colour
        paint = cv2.multiply(paint, cv2.cvtColor(fill, cv2.COLOR_GRAY2BGR), scale=1 / 255)
        expected = scene.copy()
        y0, x0 = org[1] - pad - h, org[0] - pad
        roi = expected[y0 : y0 + shape[0], x0 : x0 + shape[1]]
        roi[:] = cv2.add(cv2.multiply(roi, keep, scale=1 / 255), paint)
        got = scene.copy()
        a._text(got, text, org, size, colour)
        assert np.array_equal(got, expected), text
        assert a._glyphs(text, size, colour)[0].size < keep.size  # the margin is cut off


def test_a_line_with_gaps_drawn_in_parts_is_the_whole_line_drawn_at_once():
    """The values line ("left -67°   right 12°") is blended a part at a time, each part's
    sprite kept for the fraction of a pixel the text before it shifts it by: the picture is
    the whole line's sprite, bit for bit, at any size and place, also running off the edge."""
    a = _module()
    rng = np.random.default_rng(11)
    scene = rng.integers(0, 256, (120, 700, 3), dtype=np.uint8)
    lines = [f"left {x}°   right {y}°" for x, y in ((-67, 12), (-180, -95), (5, 143), (0, -7))]
    lines += ["knee 171°   hip 88°   0.21 torso lengths"]
    for px in (14, 20, 24, 31):
        size = a._font(px)
        for line in lines:
            assert a._parts(line, size, (255, 255, 255)) is not None, line  # in parts
            for x in (40, 41, 43, 500):  # 500: runs off the right edge
                got = scene.copy()
                a._text(got, line, (x, 80), size)
                expected = scene.copy()
                keep, paint, (ox, oy) = a._glyphs(line, size, (255, 255, 255))
                a._blend(expected, keep, paint, x - ox, 80 - oy)
                assert np.array_equal(got, expected), (px, line, x)
