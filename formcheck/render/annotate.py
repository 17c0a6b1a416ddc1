"""Annotators: draw a pose and the engine's state onto a BGR frame, in place.

``annotate(scene, pose_frame, hud) -> scene`` is the one call the live window and annotated
videos make. Sizes are pixel heights on a 720-pixel-high picture and scale with its height;
the live window draws at the window's own size, so that the counter, the cue and the hold bar
stay legible from 2 m whatever the camera's resolution (``MIN_PX_AT_720``). Nothing here
opens a window or reads the camera.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.frame import EngineFrame
from formcheck.pose.core import LANDMARK_INDEX, SKELETON_EDGES, PoseFrame

__all__ = [
    "MIN_PX_AT_720",
    "Hud",
    "annotate",
    "draw_hud",
    "draw_hud_boxes",
    "draw_skeleton",
    "hold_label",
    "hud_for",
    "letterbox",
    "placed",
]

OK_BGR = (90, 220, 90)
WARN_BGR = (0, 90, 255)
JOINT_BGR = (255, 255, 255)
TEXT_BGR = (255, 255, 255)
PANEL_BGR = (30, 30, 30)
HOLD_BGR = (0, 200, 255)
MET_BGR = (60, 200, 60)
SEVERITY_BGR = {"info": (160, 110, 40), "warning": (0, 110, 230), "error": (30, 30, 200)}
_FONT = cv2.FONT_HERSHEY_DUPLEX
_EDGES = [(LANDMARK_INDEX[a], LANDMARK_INDEX[b], a, b) for a, b in SKELETON_EDGES]
_EDGE_ENDS = np.array([(i, j) for i, j, _, _ in _EDGES], np.intp)


@dataclass(frozen=True, slots=True)
class Hud:
    """What the heads-up display shows (all optional)."""

    reps_by_side: dict[str, int] = field(default_factory=dict)
    rep_target: float | None = None  # reps per side (or per direction) the set aims for
    set_line: str | None = None  # "set 1 of 2", under the counter (a routine)
    hold_s: float | None = None
    hold_target_s: float | None = None
    cue: str | None = None
    cue_severity: str = "warning"
    setup: str | None = None  # setup guidance ("Turn sideways to the camera")
    title: str | None = None  # exercise, set k of n, rest countdown
    info: tuple[str, ...] = ()  # small lines: driving angle, fps
    warn_landmarks: frozenset[str] = frozenset()
    notice: str | None = None  # a notice ("Mirror on", "Reset: a new set"); "\n" between lines
    paused: bool = False  # a large "PAUSED" in the middle
    countdown: int | None = None  # the guided start's 3, 2, 1, huge in the middle
    panel: tuple[str, ...] = ()  # a centred panel (title, then lines): help, the summary


# Sizes are heights in pixels on a 720-pixel-high picture, and scale with the picture's height.
# The live window draws at the window's own size (the camera's picture is resized into it),
# so these are pixels on the screen. A 15.6" 1280x720 window has 0.27 mm pixels: from 2 m, a
# 40 px capital is 10.8 mm, 19 arc minutes, about four times what 20/20 eyes need.
DESIGN_HEIGHT_PX = 720
COUNTER_PX = 100  # the rep count's digits
OF_PX = 44  # "/ 8" beside them
LABEL_PX = 26  # LEFT / RIGHT / REPS, "set 1 of 2"
HOLD_BAR_PX = 48  # the hold bar
HOLD_TEXT_PX = 26  # the words on it
CUE_PX = 44  # the cue banner's words
TITLE_PX = 30  # the exercise, top right
INFO_PX = 24  # the values under it
PAD_PX = 12
COUNTDOWN_PX = 200  # the guided start's 3, 2, 1
PAUSED_PX = 64  # "PAUSED"
PANEL_TITLE_PX = 34  # a panel's title (help, the placement card, the summary)
PANEL_PX = 24  # its lines
NOTICE_PX = 30  # a notice ("Mirror on")
GIVE_WAY_K = {"paused": CUE_PX / PAUSED_PX, "notice": PANEL_PX / NOTICE_PX}
"""How far PAUSED and a notice shrink first when the middle has no room for all at full size."""

MIN_PX_AT_720 = {"counter": 90, "cue": 40, "hold bar": 40, "hold text": 24, "info": 20}
"""The least height (px) of each element on a 720-pixel-high window: legible from 2 m on a
15.6" laptop screen (checked by a test, at 1280x720 and with a smaller video shown in it)."""


def _digit_height() -> float:
    """A digit's drawn height (px) at font scale 1, measured once (getTextSize's height
    includes the font's ascent above the digits, which differs between OpenCV versions)."""
    probe = np.zeros((400, 400), np.uint8)
    cv2.putText(probe, "0", (50, 300), _FONT, 8.0, 255, 1, cv2.LINE_AA)
    rows = np.nonzero(probe.max(axis=1) > 127)[0]
    return (rows[-1] - rows[0] + 1) / 8.0 if len(rows) else 22.0


_CAP_PX = _digit_height()


def _scale(scene: np.ndarray) -> float:
    """The picture's height against the design's (never below half of it)."""
    return max(scene.shape[0], DESIGN_HEIGHT_PX // 2) / DESIGN_HEIGHT_PX


def _font(px: float) -> float:
    """The font scale whose digits are ``px`` high."""
    return px / _CAP_PX


def draw_skeleton(
    scene: np.ndarray, pose: PoseFrame, warn: frozenset[str] | set[str] = frozenset(),
    min_visibility: float = 0.5,
) -> np.ndarray:  # fmt: skip
    """Bones and joints of the person; bones between two ``warn`` landmarks in warning colour."""
    if pose.image is None:
        return scene
    s = _scale(scene)
    xy = np.round(pose.image[:, :2]).astype(np.int32)
    seen = pose.visibility >= min_visibility
    thick = max(2, int(round(4.5 * s)))
    # the bones in order, each run of one colour in one call: polylines draws each 2-point
    # line as cv2.line does (both ends capped), one after another, so the picture is the same
    bones = xy[_EDGE_ENDS]
    shown = (seen[_EDGE_ENDS[:, 0]] & seen[_EDGE_ENDS[:, 1]]).tolist()
    warned = [a in warn and b in warn for _, _, a, b in _EDGES] if warn else [False] * len(_EDGES)
    runs: list[tuple[bool, list[np.ndarray]]] = []
    for bone, show, bad in zip(bones, shown, warned, strict=True):
        if show:
            if not runs or runs[-1][0] != bad:
                runs.append((bad, []))
            runs[-1][1].append(bone)
    for bad, run in runs:
        colour, width = (WARN_BGR, thick * 2) if bad else (OK_BGR, thick)
        cv2.polylines(scene, run, False, colour, width, cv2.LINE_AA)
    radius = max(2, int(round(6 * s)))
    for i, (x, y) in enumerate(xy.tolist()):
        if i > 10 and seen[i]:  # body joints, not the face points
            cv2.circle(scene, (x, y), radius, JOINT_BGR, -1, cv2.LINE_AA)
    return scene


def _text(scene: np.ndarray, text: str, org: tuple[int, int], size: float, colour=TEXT_BGR) -> None:
    """``text`` with its baseline's left end at ``org``, in ``colour`` with a dark outline."""
    colour = tuple(int(c) for c in colour)
    sprites = _parts(text, size, colour) if _GAP in text else None
    for keep, paint, (ox, oy) in sprites or (_glyphs(text, size, colour),):
        _blend(scene, keep, paint, org[0] - ox, org[1] - oy)


def _blend(scene: np.ndarray, keep: np.ndarray, paint: np.ndarray, x0: int, y0: int) -> None:
    """A sprite (:func:`_glyphs`) with its top left corner at ``(x0, y0)``."""
    h, w = paint.shape[:2]
    # the part of the sprite that lands on the picture
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = min(w, scene.shape[1] - x0), min(h, scene.shape[0] - y0)
    if sx1 <= sx0 or sy1 <= sy0:
        return
    roi = scene[y0 + sy0 : y0 + sy1, x0 + sx0 : x0 + sx1]
    part = np.s_[sy0:sy1, sx0:sx1]
    # what the black outline and the letters leave of the picture, then the letters' colour;
    # in place (``dst`` is the picture's own pixels: no new array, no copy back)
    cv2.multiply(roi, keep[part], dst=roi, scale=1 / 255)
    cv2.add(roi, paint[part], dst=roi)


Sprite = tuple[np.ndarray, np.ndarray, tuple[int, int]]  # keep, paint, org (see _glyphs)
_GAP = "   "  # a text is cut here into parts, each a sprite of its own (see _parts)
_AFTER: OrderedDict[tuple[str, float, tuple[int, ...], bytes], Sprite | None] = OrderedDict()


@lru_cache(maxsize=512)
def _glyphs(text: str, size: float, colour: tuple[int, int, int]) -> Sprite:
    """``text`` as a sprite to blend: per pixel, the share of the picture its outline and its
    letters keep (0..255, as OpenCV's anti-aliased drawing leaves them: the two shares
    multiplied once here, not on every frame), the letters' colour times their coverage, and
    where the baseline's left end is on it. Drawing
    the letters 9 times (8 shifted copies make the outline) was most of the overlay's cost;
    the counter, the title and the cue change seldom, so each is drawn once and then blended
    (the same picture as drawing it in place, to a unit of rounding)."""
    sprite = _sprite(text, size, colour)
    assert sprite is not None
    return sprite


@lru_cache(maxsize=512)
def _parts(text: str, size: float, colour: tuple[int, int, int]) -> tuple[Sprite, ...] | None:
    """``text`` cut at its gaps (three spaces) into parts, each a sprite placed where drawing
    the whole text puts it, so that a line whose parts change one at a time (the values of
    the two sides) draws anew only what changed: the first part alone; a later one is drawn
    after its prefix once, without its outline, and its sprite taken from one made before
    when those letters came out the same, to the pixel (the prefix places them to a fraction
    of a pixel). The values line changed on two frames in three of a bird-dog clip, 0.5 ms
    each time. The picture is the whole text's as long as the parts' sprites do not meet;
    None when they would."""
    sprites: list[Sprite] = []
    right = None  # where the last part's sprite ends (px right of the text's start)
    start = 0
    for piece in text.split(_GAP):
        if piece.strip():
            prefix = text[:start]
            if prefix:  # drawn after the prefix, whose width (about) it is moved by
                lead = _width(prefix + piece, size) - _width(piece, size)
                sprite = _after(piece, size, colour, prefix, lead)
                if sprite is not None:
                    keep, paint, (ox, oy) = sprite
                    sprite = (keep, paint, (ox - lead, oy))
            else:
                sprite = _glyphs(piece, size, colour)
            if sprite is None:
                return None
            left = -sprite[2][0]
            if right is not None and left < right:
                return None  # the parts' outlines would meet: blend the whole text
            right = left + sprite[0].shape[1]
            sprites.append(sprite)
        start += len(piece) + len(_GAP)
    weight, _, pad = _stroke(size)
    if right is None or right > cv2.getTextSize(text, _FONT, size, weight)[0][0] + pad:
        return None  # the whole text's sprite ends before this: it cut the last part short
    return tuple(sprites) if len(sprites) > 1 else None


def _after(
    piece: str, size: float, colour: tuple[int, int, int], prefix: str, lead: int
) -> Sprite | None:
    """The sprite of ``piece`` drawn after ``prefix`` (:func:`_sprite`), from the one made
    before for the same letters, pixel for pixel (the letters drawn once, not nine times)."""
    letters = _canvas(piece, size, prefix, lead, outline=False)
    if letters is None:
        return None
    key = (piece, size, colour, hashlib.blake2b(letters.tobytes(), digest_size=16).digest())
    if key in _AFTER:
        _AFTER.move_to_end(key)
        return _AFTER[key]
    sprite = _AFTER[key] = _sprite(piece, size, colour, prefix, lead)
    if len(_AFTER) > 2048:
        _AFTER.popitem(last=False)
    return sprite


def _stroke(size: float) -> tuple[int, int, int]:
    """A text's stroke weight, how far its outline is shifted and its sprite's margin (px)."""
    weight = max(1, int(round(size * 2)))
    d = max(1, weight // 2 + 1)
    return weight, d, d + weight + 2


def _canvas(
    text: str, size: float, prefix: str = "", lead: int = 0, *, outline: bool = True
) -> np.ndarray | None:
    """The letters of ``text`` (0..255) on a canvas with room for the outline, and with
    ``outline``, the outline (8 copies shifted around) as a second layer under them. After
    a ``prefix`` about ``lead`` px wide, ``text`` stands where the prefix puts it, to the
    fraction of a pixel (the prefix is drawn too, ``lead`` px left of where ``text`` alone
    would start, so off the canvas); None if the prefix's drawing reaches into the canvas or
    ``text``'s runs out of it."""
    # a dark outline: the same glyphs shifted around, not a thicker stroke (with OpenCV's
    # built-in font a thicker stroke runs past the glyph's end and leaves a ghost)
    weight, d, pad = _stroke(size)
    (w, h), base = cv2.getTextSize(text, _FONT, size, weight)
    margin = 2 * pad if prefix else pad  # (lead is a pixel or two off what the prefix takes)
    org = (margin - lead, pad + h)
    shape = (2 if outline else 1, h + base + 2 * pad, w + 2 * margin)
    layers = np.zeros(shape, np.uint8)
    x, y = org
    drawn, aa = prefix + text, cv2.LINE_AA
    if outline:
        for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-d, -d), (d, d), (-d, d), (d, -d)):
            cv2.putText(layers[1], drawn, (x + dx, y + dy), _FONT, size, 255, weight, aa)
    cv2.putText(layers[0], drawn, org, _FONT, size, 255, weight, aa)
    # after a prefix: its outline crossing the left edge (text's own starts right of it), or
    # text's running past the right one (room to spare: all of its drawing is kept)
    if prefix and layers[:, :, [0, -1]].any():
        return None
    return layers


def _sprite(
    text: str, size: float, colour: tuple[int, int, int], prefix: str = "", lead: int = 0
) -> Sprite | None:
    """:func:`_glyphs`' sprite of ``text``; after a ``prefix`` (:func:`_canvas`), with its
    origin that of ``text`` drawn alone (:func:`_parts` moves it by ``lead``)."""
    layers = _canvas(text, size, prefix, lead)
    if layers is None:
        return None
    fill, outline = layers
    weight, _, pad = _stroke(size)
    x, y = 2 * pad if prefix else pad, pad + cv2.getTextSize(text, _FONT, size, weight)[0][1]
    org = (x, y)
    keep = cv2.multiply(255 - outline, 255 - fill, scale=1 / 255)
    # cut to the pixels it changes (keep < 255: under the outline or the letters; paint is 0
    # wherever keep is 255): the margin leaves the picture as it is (times 255/255, plus 0),
    # so blending it was work for nothing
    x0, y0, cw, ch = cv2.boundingRect(255 - keep)
    if cw and ch:
        cut = np.s_[y0 : y0 + ch, x0 : x0 + cw]
        keep, fill, org = keep[cut], fill[cut], (x - x0, y - y0)
    keep = cv2.cvtColor(keep, cv2.COLOR_GRAY2BGR)
    # the colour as a picture (cv2.merge: a numpy assignment of the 3 values costs 20 times
    # as much), times the letters' coverage
    paint = cv2.merge([np.full(keep.shape[:2], c, np.uint8) for c in colour])
    paint = cv2.multiply(paint, cv2.cvtColor(fill, cv2.COLOR_GRAY2BGR), scale=1 / 255)
    for a in (keep, paint):
        a.flags.writeable = False
    return keep, paint, org


def _panel(
    scene: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour, alpha: float = 0.6
) -> None:
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(scene.shape[1], x1), min(scene.shape[0], y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = scene[y0:y1, x0:x1]
    # scale and add in uint8 with OpenCV (same result +-1): a float64 numpy blend of the
    # full-width cue banner alone cost ~1 ms per 720p frame, half the live loop's budget.
    # In place, and the cheapest way that gives the same pixels (_shading)
    shade = tuple(float(c) * alpha for c in colour) + (0.0,)
    beta, plain = _shading(alpha, shade)
    if beta is not None:
        cv2.convertScaleAbs(roi, dst=roi, alpha=1 - alpha, beta=beta)
        return
    cv2.convertScaleAbs(roi, dst=roi, alpha=1 - alpha)
    if plain is None:
        cv2.add(roi, shade, dst=roi)
    else:
        cv2.add(roi, _plain(roi.shape[0], roi.shape[1], plain), dst=roi)


@lru_cache(maxsize=64)
def _shading(
    alpha: float, shade: tuple[float, ...]
) -> tuple[float | None, tuple[int, int, int] | None]:
    """How :func:`_panel` blends: scaling by ``1 - alpha`` and adding ``shade``, as two
    passes, gives for each value 0..255 the same as (when it does) one
    ``convertScaleAbs(beta=)`` pass (a grey shade: rounding once or twice differs at 0.7),
    or adding a plain picture of the shade's colour (OpenCV adds a picture five times as
    fast as a number). Returns ``(beta, None)``, ``(None, bgr)``, or ``(None, None)``: add
    the number. Checked on all 256 values here, so it holds with this OpenCV's rounding."""
    values = np.arange(256, dtype=np.uint8).reshape(1, 256, 1).repeat(3, axis=2)
    scaled = cv2.convertScaleAbs(values, alpha=1 - alpha)
    two = cv2.add(scaled, shade)
    if len(set(shade[:3])) == 1:
        one = cv2.convertScaleAbs(values, alpha=1 - alpha, beta=shade[0])
        if np.array_equal(one, two):
            return shade[0], None
    bgr = tuple(int(c) for c in cv2.add(np.zeros((1, 1, 3), np.uint8), shade)[0, 0])
    if np.array_equal(cv2.add(scaled, _plain(1, 256, bgr)), two):
        return None, bgr  # type: ignore[return-value]
    return None, None


@lru_cache(maxsize=32)  # the few panels' sizes: counter, hold bar, cue banner, middle blocks
def _plain(h: int, w: int, bgr: tuple[int, ...]) -> np.ndarray:
    """A picture of one colour (read-only)."""
    plain = cv2.merge([np.full((h, w), c, np.uint8) for c in bgr])
    plain.flags.writeable = False
    return plain


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (px)


def draw_hud(scene: np.ndarray, hud: Hud) -> np.ndarray:
    """Rep counter (top left), hold bar, title and info (top right), cue banner (bottom)."""
    draw_hud_boxes(scene, hud)
    return scene


def draw_hud_boxes(scene: np.ndarray, hud: Hud) -> dict[str, Box]:
    """:func:`draw_hud`, returning where each element went: "counter", "hold", "info" and
    "cue" (those drawn)."""
    h, w = scene.shape[:2]
    s = _scale(scene)
    pad = int(PAD_PX * s)
    boxes: dict[str, Box] = {}
    # rep counter: one big number per side, against the set's target ("3 / 8")
    bottom = 0
    if hud.reps_by_side:
        boxes["counter"] = _draw_counter(scene, hud, s, pad)
        bottom = boxes["counter"][3]
    # hold bar under the counter, counting up to the target and green when it is met; the
    # rep itself counts on the way back, which the bar then says, so that the bar and the
    # counter never disagree. The time alone when holds have no target (a dead hang).
    if hud.hold_s is not None or hud.hold_target_s:
        boxes["hold"] = _draw_hold(scene, hud, pad, bottom + pad, s)
        bottom = boxes["hold"][3]
    # title and info lines, top right; below the counter when the window is too narrow for
    # both side by side (a portrait video)
    lines = [(hud.title, TITLE_PX * s)] if hud.title else []
    lines += [(line, INFO_PX * s) for line in hud.info]
    if lines:
        block_h = int(sum(px * 1.45 for _, px in lines)) + pad
        # beside what it would otherwise cover: the counter, and the hold bar if it reaches
        beside = [b for b in boxes.values() if b[1] < pad + block_h]
        left_edge = max((b[2] for b in beside), default=0) + pad
        widths = [_width(t, _font(px)) for t, px in lines]
        room = w - 2 * pad - left_edge
        if max(widths) > room >= max(widths) * MIN_PX_AT_720["info"] / INFO_PX:
            k = room / max(widths)  # a little smaller, down to the least legible size
            lines = [(t, px * k) for t, px in lines]
            widths = [_width(t, _font(px)) for t, px in lines]
        widest = min(max(widths), w - 2 * pad)
        y = pad if w - 2 * pad - widest >= left_edge else bottom + pad
        x_min = w
        # too wide for the window: the title alone, and the values all alike, made smaller
        first = 1 if hud.title else 0
        fit = [min(1.0, (w - 2 * pad) / max(tw, 1)) for tw in widths]
        values_fit = min(fit[first:], default=1.0)
        for k, ((line, px), tw) in enumerate(zip(lines, widths, strict=True)):
            shrink = fit[k] if k < first else values_fit
            size = _font(px) * shrink
            tw = int(tw * shrink)
            y += int(px * 1.45)
            _text(scene, line, (w - tw - pad, y), size)
            x_min = min(x_min, w - tw - pad)
        boxes["info"] = (x_min, y - int(sum(px * 1.45 for _, px in lines)), w - pad, y + pad // 2)
    # setup guidance or a cue: one large banner at the bottom, on two lines if need be
    message, colour = (hud.setup, SEVERITY_BGR["info"]) if hud.setup else (
        hud.cue, SEVERITY_BGR.get(hud.cue_severity, SEVERITY_BGR["warning"])
    )  # fmt: skip
    if message:
        boxes["cue"] = _draw_banner(scene, message, colour, s, pad)
    boxes.update(_draw_middle(scene, hud, boxes, s, pad))
    return boxes


def _draw_counter(scene: np.ndarray, hud: Hud, s: float, pad: int) -> Box:
    """The counter panel at the top left (smaller only if the window is too narrow)."""
    w = scene.shape[1]
    target = hud.rep_target
    of = f" / {target:g}" if target else ""
    items = [
        ("REPS" if side == "both" else side.upper(), n) for side, n in hud.reps_by_side.items()
    ]

    def widths(k: float) -> list[tuple[int, int]]:
        out = []
        for label, n in items:
            nw = _width(str(n), _font(COUNTER_PX * s * k))
            ow = _width(of, _font(OF_PX * s * k)) if of else 0
            lw = _width(label, _font(LABEL_PX * s * k))
            out.append((nw, max(nw + ow, lw) + 3 * pad))
        return out

    k = 1.0
    total = pad + sum(b for _, b in widths(1.0))
    if total > w - pad:
        k = max(0.5, (w - pad) / total)
    label_px, count_px = LABEL_PX * s * k, COUNTER_PX * s * k
    label_y = pad + int(label_px)
    count_y = label_y + int(0.25 * count_px) + int(count_px)
    height = count_y + pad
    if hud.set_line:
        height += int(label_px * 1.6)
    dims = widths(k)
    right = pad + sum(b for _, b in dims) - pad
    _panel(scene, 0, 0, right, height, PANEL_BGR)
    x = pad
    for (label, n), (nw, box_w) in zip(items, dims, strict=True):
        done = bool(target) and n >= target
        _text(scene, label, (x, label_y), _font(label_px))
        _text(scene, str(n), (x, count_y), _font(count_px), MET_BGR if done else TEXT_BGR)
        if of:
            _text(scene, of, (x + nw, count_y), _font(OF_PX * s * k))
        x += box_w
    if hud.set_line:
        _text(scene, hud.set_line, (pad, height - pad), _font(label_px))
    return (0, 0, right, height)


def _draw_hold(scene: np.ndarray, hud: Hud, x0: int, y0: int, s: float) -> Box:
    """The hold bar: "hold 1.2 / 2 s" filling up, "held 2.3 s: now come back" when met."""
    held = hud.hold_s or 0.0
    pad = int(PAD_PX * s)
    label = hold_label(held, hud.hold_target_s)
    text_px = HOLD_TEXT_PX * s
    tw = _width(label, _font(text_px))
    widest = _width(hold_label(88.8, 8.0), _font(text_px))
    bw = min(scene.shape[1] - 2 * x0, max(widest, tw) + 2 * pad)
    bh = int(HOLD_BAR_PX * s)
    _panel(scene, x0, y0, x0 + bw, y0 + bh, PANEL_BGR, 0.7)
    if hud.hold_target_s:
        met = held >= hud.hold_target_s
        fill = int(bw * min(1.0, held / hud.hold_target_s))
        cv2.rectangle(scene, (x0, y0), (x0 + fill, y0 + bh), MET_BGR if met else HOLD_BGR, -1)
        cv2.rectangle(scene, (x0, y0), (x0 + bw, y0 + bh), TEXT_BGR, max(1, int(s)))
    size = _font(text_px) * min(1.0, (bw - 2 * pad) / max(tw, 1))
    _text(scene, label, (x0 + pad, y0 + (bh + int(text_px)) // 2), size)
    return (x0, y0, x0 + bw, y0 + bh)


def _draw_banner(scene: np.ndarray, message: str, colour, s: float, pad: int) -> Box:  # noqa: ANN001
    """The cue across the bottom: one line, or two when it does not fit, smaller only if
    even two lines do not."""
    h, w = scene.shape[:2]
    px = CUE_PX * s
    room = w - 4 * pad

    def width(text: str, px_: float) -> int:
        return _width(text, _font(px_))

    lines = [message]
    if width(message, px) > room:
        words = message.split()
        best = min(
            range(1, len(words)),
            key=lambda k: max(width(" ".join(words[:k]), px), width(" ".join(words[k:]), px)),
            default=None,
        )
        if best is not None:
            lines = [" ".join(words[:best]), " ".join(words[best:])]
    widest = max(width(line, px) for line in lines)
    if widest > room:
        px *= room / widest
    step = int(px * 1.6)
    band = step * len(lines) + int(px * 0.9)
    _panel(scene, 0, h - band, w, h, colour, 0.8)
    y = h - band + int(px * 0.45)
    for line in lines:
        y += step
        _text(scene, line, ((w - width(line, px)) // 2, y - int(px * 0.3)), _font(px))
    return (0, h - band, w, h)


def hold_label(held_s: float, target_s: float | None) -> str:
    """The hold bar's words: counting up to the target, then what to do to count the rep."""
    if not target_s:
        return f"hold {held_s:.1f} s"
    if held_s >= target_s:
        return f"held {held_s:.1f} s: now come back"
    return f"hold {held_s:.1f} / {target_s:g} s"


def _draw_middle(
    scene: np.ndarray, hud: Hud, around: dict[str, Box], s: float, pad: int
) -> dict[str, Box]:
    """The blocks in the middle, one under another so that none covers another: "paused"
    (PAUSED, space to resume), "panel" (the help, the placement card, the summary), the
    guided start's "countdown" and a "notice". The stack starts where its first block would
    stand alone, no higher than under the counter, the hold bar and the values, and ends
    above the cue banner; all of it smaller when it does not fit."""
    h, w = scene.shape[:2]
    blocks: list[tuple[str, int]] = []  # (name, the top it takes alone)
    if hud.paused:
        blocks.append(("paused", int(h * 0.42)))
    if hud.panel:
        blocks.append(("panel", int(h * 0.12)))
    if hud.countdown is not None:
        blocks.append(("countdown", (h - int(COUNTDOWN_PX * s)) // 2))
    if hud.notice:
        blocks.append(("notice", int(h * 0.36)))
    if not blocks:
        return {}

    def block(name: str, top: int, k: float, draw: bool) -> Box:
        if name == "paused":
            lines, first_px, rest_px = ("PAUSED", "space to resume"), PAUSED_PX * s, 26 * s
        elif name == "panel":
            lines, first_px, rest_px = hud.panel, PANEL_TITLE_PX * s, PANEL_PX * s
        elif name == "notice":
            lines = tuple((hud.notice or "").split("\n"))
            first_px = rest_px = NOTICE_PX * s
        else:
            px = COUNTDOWN_PX * s * k
            text, size = str(hud.countdown), _font(px)
            x, edge = (w - _width(text, size)) // 2, _width("", size) // 2  # the outline
            base = top + edge + int(px)
            if draw:
                _text(scene, text, (x + edge, base), size)
            # the digits' curves dip a little under the baseline
            return (max(0, x), top, min(w, x + _width(text, size)), base + edge + pad // 2)
        return _centred_lines(
            scene, lines, top, first_px * k, rest_px * k, left=name == "panel", draw=draw
        )

    high = max((b[3] for name, b in around.items() if name != "cue"), default=0) + pad
    low = around["cue"][1] - pad if "cue" in around else h - pad

    def total(ks: dict[str, float]) -> int:
        return sum(block(n, 0, k, False)[3] for n, k in ks.items()) + pad * (len(ks) - 1)

    def largest(scaled: Callable[[float], dict[str, float]], least: float) -> dict[str, float]:
        """The blocks' scales at the largest factor in [least, 1] that fits (to 1 %)."""
        lo, hi = least, 1.0
        while hi - lo > 0.01:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if total(scaled(mid)) <= low - high else (lo, mid)
        return scaled(lo)

    # too tall for the room: PAUSED first becomes as large as a cue, a notice as large as a
    # panel's lines (no smaller), then all alike, down to 0.3
    ks = {name: 1.0 for name, _ in blocks}
    for name, least in GIVE_WAY_K.items():
        if name in ks and total(ks) > low - high:
            ks = largest(lambda f, ks=ks, name=name: {**ks, name: f}, least)
    if total(ks) > low - high:
        ks = largest(lambda f, ks=ks: {n: k * f for n, k in ks.items()}, 0.3)
    total_h = total(ks)
    y = max(high, min(blocks[0][1], low - total_h))
    boxes: dict[str, Box] = {}
    for name, _ in blocks:
        boxes[name] = block(name, y, ks[name], True)
        y = boxes[name][3] + pad
    return boxes


def _centred_lines(
    scene: np.ndarray, lines: tuple[str, ...], top: int, first_px: float, rest_px: float,
    left: bool = False, draw: bool = True,
) -> Box:  # fmt: skip
    """Lines on a dark panel centred horizontally from ``top`` down; the first line larger
    (sizes: digit heights in px). ``left`` aligns the lines to the panel's left edge, else each
    is centred. A tab splits a line into two columns, the second aligned across lines (the
    keys and what they do). A line too wide for the window is wrapped at its words. Returns
    the panel's box; with ``draw`` False, only that (nothing is drawn)."""
    h, w = scene.shape[:2]
    pad = int(PAD_PX * _scale(scene))
    room = w - 4 * pad
    rows: list[tuple[str, float, bool]] = []  # text, font scale, centred
    for k, line in enumerate(lines):
        size = _font(first_px if k == 0 else rest_px)
        rows += [(part, size, k == 0 or not left) for part in _wrap(line, size, room)]
    cells = [text.split("\t", 1) for text, _, _ in rows]
    col = max(
        (_width(c[0], size) for c, (_, size, _) in zip(cells, rows, strict=True) if len(c) == 2),
        default=0,
    )
    gap = 2 * pad if col else 0
    if col and room - col - gap >= room // 3:  # a long second column wraps under itself
        wrapped: list[tuple[str, float, bool]] = []
        for text, size, centred in rows:
            if "\t" not in text:
                wrapped.append((text, size, centred))
                continue
            key, what = text.split("\t", 1)
            for i, part in enumerate(_wrap(what, size, room - col - gap)):
                wrapped.append((f"{key if i == 0 else ''}\t{part}", size, centred))
        rows = wrapped
    sizes = [size for _, size, _ in rows]
    cells = [text.split("\t", 1) for text, _, _ in rows]

    def width(cell: list[str], size: float) -> int:
        return col + gap + _width(cell[1], size) if len(cell) == 2 else _width(cell[0], size)

    widest = max(width(c, size) for c, size in zip(cells, sizes, strict=True))
    shrink = min(1.0, (w - 4 * pad) / max(widest, 1))  # keep long lines inside the frame
    sizes = [size * shrink for size in sizes]
    col, gap, widest = int(col * shrink), int(gap * shrink), int(widest * shrink)
    heights = [int(size * _CAP_PX) for size in sizes]
    step = [th + max(pad, th // 2) for th in heights]
    x0 = (w - widest) // 2 - pad
    below = max(pad, heights[-1] // 2)  # room for the last line's descenders
    box = (max(0, x0), top, min(w, x0 + widest + 2 * pad), top + sum(step) + below)
    if not draw:
        return box
    _panel(scene, *box, PANEL_BGR, 0.8)
    y = top
    for (_, _, centred), cell, size, dy in zip(rows, cells, sizes, step, strict=True):
        y += dy
        x = (w - width(cell, size)) // 2 if centred else x0 + pad
        _text(scene, cell[0], (x, y), size)
        if len(cell) == 2:
            _text(scene, cell[1], (x + col + gap, y), size)
    return box


@lru_cache(maxsize=1024)
def _wrap(text: str, size: float, room: int) -> tuple[str, ...]:
    """``text`` in as few lines no wider than ``room`` (px) at font scale ``size`` as it
    takes, broken at its words and as even as they go (a line with a tab, or a single word,
    is left whole)."""
    if "\t" in text or _width(text, size) <= room:
        return (text,)

    def greedy(limit: int) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and _width(f"{lines[-1]} {word}", size) <= limit:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    best = greedy(room)
    low, high = 1, room  # the narrowest limit that needs no more lines than ``room`` does
    while low < high:
        mid = (low + high) // 2
        if len(greedy(mid)) <= len(best):
            high = mid
        else:
            low = mid + 1
    return tuple(greedy(high)) or (text,)


@lru_cache(maxsize=4096)  # the same words at the same sizes, frame after frame
def _width(text: str, size: float) -> int:
    """How wide ``text`` is drawn by :func:`_text` at font scale ``size``, outline included."""
    weight = max(1, int(round(size * 2)))
    return cv2.getTextSize(text, _FONT, size, weight)[0][0] + 2 * (weight // 2 + 1)


def letterbox(
    image_bgr: np.ndarray | None, picture_wh: tuple[int, int], canvas_wh: tuple[int, int],
    background_bgr: tuple[int, int, int] = (0, 0, 0), *, fast: bool = False,
) -> tuple[np.ndarray, float, tuple[int, int]]:  # fmt: skip
    """The picture scaled to fit ``canvas_wh`` whole (its aspect kept, bars around it), on a
    new canvas; with ``image_bgr`` None, a plain canvas for a picture of ``picture_wh``.
    Returns the canvas, the scale and the picture's top-left corner on it (px).

    A picture shrunk is averaged over each new pixel's area (``cv2.INTER_AREA``); ``fast``
    (the live window, every frame) interpolates instead while it keeps at least half its
    size, where that shows no aliasing: a 1280x720 frame into a 1088x612 window takes 1 ms
    instead of 6."""
    cw, ch = canvas_wh
    pw, ph = picture_wh if picture_wh[0] > 0 and picture_wh[1] > 0 else canvas_wh
    scale = min(cw / pw, ch / ph)
    w, h = max(1, round(pw * scale)), max(1, round(ph * scale))
    ox, oy = (cw - w) // 2, (ch - h) // 2
    if image_bgr is not None and (w, h) == (cw, ch) and image_bgr.shape[:2] == (ch, cw):
        return image_bgr, 1.0, (0, 0)
    canvas = np.empty((ch, cw, 3), np.uint8)
    if image_bgr is None:
        canvas[:] = background_bgr
        return canvas, scale, (ox, oy)
    # the bars around the picture; the picture covers the rest
    canvas[:oy] = background_bgr
    canvas[oy + h :] = background_bgr
    canvas[oy : oy + h, :ox] = background_bgr
    canvas[oy : oy + h, ox + w :] = background_bgr
    averaged = w < image_bgr.shape[1] and not (fast and 2 * w >= image_bgr.shape[1])
    interp = cv2.INTER_AREA if averaged else cv2.INTER_LINEAR
    canvas[oy : oy + h, ox : ox + w] = cv2.resize(image_bgr, (w, h), interpolation=interp)
    return canvas, scale, (ox, oy)


def placed(
    pose: PoseFrame, scale: float, offset: tuple[int, int], canvas_wh: tuple[int, int]
) -> PoseFrame:
    """The pose as drawn on a :func:`letterbox` canvas (pixel coordinates scaled and moved)."""
    if pose.image is None or (scale == 1.0 and offset == (0, 0)):
        return pose
    image = pose.image.copy()
    image[:, 0] = image[:, 0] * scale + offset[0]
    image[:, 1] = image[:, 1] * scale + offset[1]
    return PoseFrame(pose.t_s, canvas_wh, image, pose.world, pose.mask, pose.index)


def annotate(scene: np.ndarray, pose: PoseFrame | None, hud: Hud) -> np.ndarray:
    """Skeleton (limbs of active faults in warning colour) and the heads-up display."""
    if pose is not None:
        draw_skeleton(scene, pose, hud.warn_landmarks)
    return draw_hud(scene, hud)


def hud_for(
    frame: EngineFrame, exercise: ExerciseDef, *, cue: str | None = None,
    info: tuple[str, ...] = (),
) -> Hud:  # fmt: skip
    """The Hud of one engine frame (``engine.frame``, ``FrameResult.engine``) of ``exercise``."""
    hold = exercise.hold
    return Hud(
        reps_by_side=dict(frame.reps_by_side),
        hold_s=None if hold is None else frame.hold_s,
        hold_target_s=None if hold is None else hold.target_s,
        cue=cue,
        title=exercise.name,
        info=info,
        warn_landmarks=frame.warn_landmarks,
    )
