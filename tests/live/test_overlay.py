"""The overlay's words and sizes: the counter against its target, the hold bar, what is legible
from 2 m."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from formcheck.engine import load_exercise
from formcheck.live import LiveFrame, LiveInput, LiveSession, open_live_input
from formcheck.live.keys import HELP_LINES
from formcheck.recording import RecordingSource
from formcheck.render.annotate import (
    HOLD_BGR,
    MIN_PX_AT_720,
    Hud,
    draw_hud_boxes,
    hold_label,
)
from formcheck.render.window import initial_size


@pytest.mark.parametrize(
    ("held", "target", "words"),
    [
        (0.0, 2.0, "hold 0.0 / 2 s"),
        (1.26, 2.0, "hold 1.3 / 2 s"),  # counting up to the target
        (2.0, 2.0, "held 2.0 s: now come back"),  # met: the rep counts on the way back
        (2.74, 2.0, "held 2.7 s: now come back"),
        (12.3, None, "hold 12.3 s"),  # a hold with no target (a dead hang): the time alone
    ],
)
def test_the_hold_bar_counts_up_and_then_says_how_the_rep_counts(held, target, words):
    assert hold_label(held, target) == words


def test_the_counter_shows_the_target_and_agrees_with_the_hold_bar(bird_dog, huds):
    """Rep 1 (left) is held from 1.9 s and met at 3.9 s; it counts on the way back (4.6 s).
    While the bar is green it says to come back, and the counter still shows 0 / 2."""
    session = LiveSession(load_exercise("bird-dog"), target_reps=2, summary_s=0)
    session.screenshots = _Shots()  # draws without a window
    with open_live_input(bird_dog, speed=0) as feed:
        session.run(feed)
    met = huds[4.2]
    assert met.rep_target == 2 and met.reps_by_side == {"left": 0, "right": 0}
    assert hold_label(met.hold_s, met.hold_target_s).endswith("now come back")
    after = huds[5.0]
    assert after.reps_by_side == {"left": 1, "right": 0} and after.hold_s == 0.0


class _Shots:
    """A screenshot saver that keeps nothing (it makes the session draw every frame)."""

    def offer(self, t_s, image):
        pass

    def save(self, image, name):
        pass


# -- sizes: legible from 2 m -----------------------------------------------------------------
def _tallest(image: np.ndarray, box, colour=None) -> int:
    """The height (px) of the tallest glyph in ``box``: white text, or pixels of ``colour``."""
    x0, y0, x1, y1 = box
    roi = image[y0:y1, x0:x1]
    if colour is None:
        mask = np.all(roi > 235, axis=2)
    else:
        mask = np.all(np.abs(roi.astype(int) - colour) <= 2, axis=2)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return max((int(stats[k, cv2.CC_STAT_HEIGHT]) for k in range(1, n)), default=0)


HUD = Hud(
    reps_by_side={"left": 3, "right": 2}, rep_target=8, hold_s=1.3, hold_target_s=2.0,
    cue="Straighten your left knee", title="Bird-dog", info=("left knee angle: 134°", "30 fps"),
)  # fmt: skip


def _measure(image: np.ndarray, boxes) -> dict[str, int]:
    x0, y0, x1, y1 = boxes["hold"]
    inner = (x0 + 2, y0 + 2, x1 - 2, y1 - 2)  # inside the bar's white frame
    return {
        "counter": _tallest(image, boxes["counter"]),
        "cue": _tallest(image, boxes["cue"]),
        "hold bar": _tallest(image, boxes["hold"], colour=HOLD_BGR),
        "hold text": _tallest(image, inner),
        "info": _tallest(image, boxes["info"]),
    }


def test_each_element_is_at_least_its_minimum_height_on_a_1280x720_window():
    image = np.full((720, 1280, 3), 60, np.uint8)
    boxes = draw_hud_boxes(image, HUD)
    measured = _measure(image, boxes)
    # "counter": the digits; "cue": its capitals and ascenders; "info": the top right lines
    for element, least in MIN_PX_AT_720.items():
        assert measured[element] >= least, (element, measured)


@pytest.mark.parametrize("source_wh", [(1280, 720), (768, 432)])
def test_the_overlay_follows_the_window_not_the_video(bird_dog, make_view, source_wh, monkeypatch):
    """A 768x432 video in a 1280x720 window: the picture is scaled up to the window and the
    overlay drawn at the window's pixels, the same size as over a 1280x720 video."""
    import formcheck.live.session as live_session

    w, h = source_wh
    view = make_view(close_after=140, keep=(139,))
    view.canvas_wh = (1280, 720)
    seen = []
    real = live_session.annotate

    def spy(scene, pose, hud):
        seen.append(hud)
        return real(scene, pose, hud)

    monkeypatch.setattr(live_session, "annotate", spy)

    def frames():
        with RecordingSource(bird_dog) as rec:
            for pose in rec:
                yield LiveFrame(pose, np.full((h, w, 3), 60, np.uint8))

    session = LiveSession(load_exercise("bird-dog"), view=view, summary_s=0, target_reps=8)
    session.run(LiveInput(frames(), "video", 30.0, (w, h)))
    shown = view.kept[139]  # 4.6 s: rep 1 counted, the cue banner shown
    assert shown.shape == (720, 1280, 3)
    hud = replace(seen[139], cue="Straighten your left knee", hold_s=1.3)
    boxes = draw_hud_boxes(np.full((720, 1280, 3), 60, np.uint8), hud)
    measured = _measure(real(np.full((720, 1280, 3), 60, np.uint8), None, hud), boxes)
    assert all(measured[k] >= least for k, least in MIN_PX_AT_720.items()), measured
    x0, y0, x1, y1 = boxes["counter"]
    assert _tallest(shown, boxes["counter"]) == measured["counter"]  # what the window showed


@pytest.mark.parametrize(
    ("picture", "screen", "window"),
    [
        ((960, 540), (1366, 768), (1161, 653)),  # a laptop: 85 % of its height
        ((768, 432), (1920, 1080), (1632, 918)),  # a small video is shown larger
        ((640, 480), (1366, 768), (870, 653)),  # a 4:3 webcam keeps its aspect
        ((360, 640), (1366, 768), (367, 653)),  # a portrait clip
        ((1920, 1080), None, (1161, 653)),  # the screen unknown: as on a 1366x768 laptop
    ],
)
def test_the_window_opens_at_a_size_for_the_screen_with_the_picture_aspect(picture, screen, window):
    assert initial_size(picture, screen) == window


@pytest.mark.parametrize("canvas", [(360, 640), (367, 653)])
def test_on_a_portrait_window_the_title_is_not_drawn_over_the_counter(canvas):
    w, h = canvas
    boxes = draw_hud_boxes(np.zeros((h, w, 3), np.uint8), HUD)
    for other in ("counter", "hold", "cue"):
        assert not _overlap(boxes["info"], boxes[other]), (other, boxes)
    assert all(0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h for x0, y0, x1, y1 in boxes.values())


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- the middle of the window: PAUSED, a panel, the countdown, a notice ----------------------
MIDDLE = ("paused", "panel", "countdown", "notice")
SIZES = [(1280, 720), (640, 360), (360, 640)]
"""A laptop's window; the smallest the overlay supports (its sizes stop shrinking at 360 px
high); a portrait phone clip's own size."""


def draw_apart(hud: Hud, size_wh: tuple[int, int]) -> tuple[np.ndarray, dict]:
    """``hud`` drawn at ``size_wh``; asserts that each block in the middle drew only inside
    its box and that no box there overlaps another box. Returns the picture and the boxes."""
    w, h = size_wh
    image = np.full((h, w, 3), 60, np.uint8)
    boxes = draw_hud_boxes(image, hud)
    bare = np.full((h, w, 3), 60, np.uint8)  # the same without the middle
    draw_hud_boxes(bare, replace(hud, paused=False, panel=(), countdown=None, notice=None))
    inside = np.zeros((h, w), bool)
    for name in MIDDLE:
        if name in boxes:
            x0, y0, x1, y1 = boxes[name]
            inside[y0:y1, x0:x1] = True
    drawn = np.any(image != bare, axis=2)
    assert not (drawn & ~inside).any(), ("drawn outside its box", boxes)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a in MIDDLE or b in MIDDLE:
                assert not _overlap(boxes[a], boxes[b]), (a, b, boxes)
    assert all(0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h for x0, y0, x1, y1 in boxes.values())
    return image, boxes


def lower(box, share: float = 0.25):
    """The box without its top ``share`` (a panel's lines under its larger title)."""
    x0, y0, x1, y1 = box
    return (x0, y0 + int((y1 - y0) * share), x1, y1)


@pytest.mark.parametrize(
    ("size_wh", "paused_least", "keys_least"),
    [
        ((1280, 720), MIN_PX_AT_720["cue"], MIN_PX_AT_720["info"]),
        ((640, 360), MIN_PX_AT_720["cue"] / 2, MIN_PX_AT_720["info"] / 2),
        # a portrait window has no room for both at full size under the counter, the hold
        # bar and the values: both give way, PAUSED no smaller than the values
        ((360, 640), MIN_PX_AT_720["info"] * 640 / 720, None),
    ],
)
def test_paused_with_the_help_open_both_are_readable(size_wh, paused_least, keys_least):
    """PAUSED above the help, not under it: the word as large as a cue, the keys as large as
    the values top right (on a 720-pixel-high window; in proportion on a smaller one)."""
    hud = replace(HUD, cue=None, paused=True, panel=HELP_LINES)
    image, boxes = draw_apart(hud, size_wh)
    assert boxes["paused"][3] <= boxes["panel"][1]  # above it
    assert _tallest(image, boxes["paused"]) >= paused_least, boxes
    if keys_least is not None:
        assert _tallest(image, lower(boxes["panel"])) >= keys_least, boxes


@pytest.mark.parametrize("size_wh", SIZES)
def test_the_countdown_under_the_help_and_a_notice_under_both(size_wh):
    card = ("Get ready: Bird-dog", "Side-on to the camera, whole body in view")
    for hud in (
        Hud(title="Bird-dog", countdown=3, panel=HELP_LINES, notice="Mirror on"),
        Hud(title="Bird-dog", countdown=1, cue="Turn sideways to the camera", panel=card),
    ):
        _, boxes = draw_apart(hud, size_wh)
        assert boxes["panel"][3] <= boxes["countdown"][1]
