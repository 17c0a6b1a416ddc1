"""Annotators: draw a pose and the engine's state onto a BGR frame, in place.

``annotate(scene, pose_frame, hud) -> scene`` is the one call the live window and annotated
videos make. Sizes scale with the frame height so the counter and the cue stay readable from a
couple of metres on a laptop screen. Nothing here opens a window or reads the camera.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.pose.core import LANDMARK_INDEX, SKELETON_EDGES, PoseFrame

__all__ = ["Hud", "annotate", "draw_hud", "draw_skeleton", "hold_label", "hud_from_engine"]

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
    notice: str | None = None  # a short notice at the top ("Mirror on", "Reset: a new set")
    paused: bool = False  # a large "PAUSED" in the middle
    panel: tuple[str, ...] = ()  # a centred panel (title, then lines): help, the summary


def _scale(scene: np.ndarray) -> float:
    return max(scene.shape[0], 240) / 480.0


def draw_skeleton(
    scene: np.ndarray, pose: PoseFrame, warn: frozenset[str] | set[str] = frozenset(),
    min_visibility: float = 0.5,
) -> np.ndarray:  # fmt: skip
    """Bones and joints of the person; bones between two ``warn`` landmarks in warning colour."""
    if pose.image is None:
        return scene
    s = _scale(scene)
    xy = np.round(pose.image[:, :2]).astype(int)
    vis = pose.visibility
    thick = max(2, int(round(3 * s)))
    for i, j, a, b in _EDGES:
        if vis[i] < min_visibility or vis[j] < min_visibility:
            continue
        colour = WARN_BGR if (a in warn and b in warn) else OK_BGR
        width = thick * 2 if colour == WARN_BGR else thick
        cv2.line(scene, tuple(xy[i]), tuple(xy[j]), colour, width, cv2.LINE_AA)
    for i in range(len(xy)):
        if vis[i] >= min_visibility and i > 10:  # body joints, not the face points
            cv2.circle(scene, tuple(xy[i]), max(2, int(round(4 * s))), JOINT_BGR, -1, cv2.LINE_AA)
    return scene


def _text(scene: np.ndarray, text: str, org: tuple[int, int], size: float, colour=TEXT_BGR) -> None:
    weight = max(1, int(round(size * 2)))
    # a dark outline: the same glyphs shifted around, not a thicker stroke (with OpenCV's
    # built-in font a thicker stroke runs past the glyph's end and leaves a ghost)
    d = max(1, weight // 2 + 1)
    x, y = org
    for dx, dy in ((-d, 0), (d, 0), (0, -d), (0, d), (-d, -d), (d, d), (-d, d), (d, -d)):
        cv2.putText(scene, text, (x + dx, y + dy), _FONT, size, (0, 0, 0), weight, cv2.LINE_AA)
    cv2.putText(scene, text, org, _FONT, size, colour, weight, cv2.LINE_AA)


def _panel(
    scene: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour, alpha: float = 0.6
) -> None:
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(scene.shape[1], x1), min(scene.shape[0], y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = scene[y0:y1, x0:x1]
    # scale and add in uint8 with OpenCV (same result +-1): a float64 numpy blend of the
    # full-width cue banner alone cost ~1 ms per 720p frame, half the live loop's budget
    shade = tuple(float(c) * alpha for c in colour) + (0.0,)
    roi[:] = cv2.add(cv2.convertScaleAbs(roi, alpha=1 - alpha), shade)


def draw_hud(scene: np.ndarray, hud: Hud) -> np.ndarray:
    """Rep counter (top left), hold bar, title and info (top right), cue banner (bottom)."""
    h, w = scene.shape[:2]
    s = _scale(scene)
    pad = int(10 * s)
    # rep counter: one big number per side, against the set's target ("3 / 8")
    bottom = 0
    if hud.reps_by_side:
        bottom = _draw_counter(scene, hud, s, pad)
    # hold bar under the counter, counting up to the target and green when it is met; the
    # rep itself counts on the way back, which the bar then says, so that the bar and the
    # counter never disagree. The time alone when holds have no target (a dead hang).
    if hud.hold_s is not None or hud.hold_target_s:
        _draw_hold(scene, hud, pad, bottom + pad, s)
    # title and small info lines, top right
    lines = ([hud.title] if hud.title else []) + list(hud.info)
    for k, line in enumerate(lines):
        size = (0.7 if k == 0 and hud.title else 0.5) * s
        (tw, _), _ = cv2.getTextSize(line, _FONT, size, 1)
        _text(scene, line, (w - tw - pad * 2, int((28 + 24 * k) * s)), size)
    # setup guidance or a cue: one large banner at the bottom
    message, colour = (hud.setup, SEVERITY_BGR["info"]) if hud.setup else (
        hud.cue, SEVERITY_BGR.get(hud.cue_severity, SEVERITY_BGR["warning"])
    )  # fmt: skip
    if message:
        size = 1.1 * s
        (tw, th), _ = cv2.getTextSize(message, _FONT, size, 2)
        while tw > w - 4 * pad and size > 0.4:
            size *= 0.9
            (tw, th), _ = cv2.getTextSize(message, _FONT, size, 2)
        band = th + 3 * pad
        _panel(scene, 0, h - band, w, h, colour, 0.8)
        _text(scene, message, ((w - tw) // 2, h - (band - th) // 2), size)
    if hud.notice:
        _centred_lines(scene, (hud.notice,), int(150 * s), 0.75 * s, 0.75 * s)
    if hud.paused:
        _centred_lines(scene, ("PAUSED", "space to resume"), int(h * 0.42), 1.6 * s, 0.6 * s)
    if hud.panel:
        _centred_lines(scene, hud.panel, int(h * 0.15), 0.95 * s, 0.6 * s, left=True)
    return scene


def _draw_counter(scene: np.ndarray, hud: Hud, s: float, pad: int) -> int:
    """The counter panel at the top left; returns its bottom edge (px)."""
    big, small, label_size = 2.0 * s, 0.9 * s, 0.6 * s
    target = hud.rep_target
    of = f" / {target:g}" if target else ""
    boxes = []
    for side, n in hud.reps_by_side.items():
        label = "REPS" if side == "both" else side.upper()
        (nw, _), _ = cv2.getTextSize(str(n), _FONT, big, 1)
        (ow, _), _ = cv2.getTextSize(of, _FONT, small, 1)
        (lw, _), _ = cv2.getTextSize(label, _FONT, label_size, 1)
        boxes.append((label, n, nw, max(nw + ow, lw) + 2 * pad))
    height = int(95 * s)
    set_y = height
    if hud.set_line:
        height += int(30 * s)
    _panel(scene, 0, 0, pad + sum(b[3] for b in boxes), height, PANEL_BGR)
    x = pad
    for label, n, nw, box_w in boxes:
        done = bool(target) and n >= target
        _text(scene, label, (x, int(24 * s)), label_size)
        _text(scene, str(n), (x, int(82 * s)), big, MET_BGR if done else TEXT_BGR)
        if of:
            _text(scene, of, (x + nw, int(82 * s)), small)
        x += box_w
    if hud.set_line:
        _text(scene, hud.set_line, (pad, set_y + int(20 * s)), label_size)
    return height


def _draw_hold(scene: np.ndarray, hud: Hud, x0: int, y0: int, s: float) -> None:
    """The hold bar: "hold 1.2 / 2 s" filling up, "held 2.3 s: now come back" when met."""
    held = hud.hold_s or 0.0
    bw, bh = int(250 * s), int(28 * s)
    pad = int(10 * s)
    _panel(scene, x0, y0, x0 + bw, y0 + bh, PANEL_BGR, 0.7)
    if hud.hold_target_s:
        met = held >= hud.hold_target_s
        fill = int(bw * min(1.0, held / hud.hold_target_s))
        cv2.rectangle(scene, (x0, y0), (x0 + fill, y0 + bh), MET_BGR if met else HOLD_BGR, -1)
        cv2.rectangle(scene, (x0, y0), (x0 + bw, y0 + bh), TEXT_BGR, max(1, int(s)))
    _text(scene, hold_label(held, hud.hold_target_s), (x0 + pad, y0 + bh - int(7 * s)), 0.55 * s)


def hold_label(held_s: float, target_s: float | None) -> str:
    """The hold bar's words: counting up to the target, then what to do to count the rep."""
    if not target_s:
        return f"hold {held_s:.1f} s"
    if held_s >= target_s:
        return f"held {held_s:.1f} s: now come back"
    return f"hold {held_s:.1f} / {target_s:g} s"


def _centred_lines(
    scene: np.ndarray, lines: tuple[str, ...], top: int, first: float, rest: float,
    left: bool = False,
) -> None:  # fmt: skip
    """Lines on a dark panel centred horizontally from ``top`` down; the first line larger.
    ``left`` aligns the lines to the panel's left edge (tables), else each is centred."""
    h, w = scene.shape[:2]
    pad = int(12 * _scale(scene))
    sizes = [first] + [rest] * (len(lines) - 1)
    dims = [
        cv2.getTextSize(line, _FONT, size, 1)[0] for line, size in zip(lines, sizes, strict=True)
    ]
    widest = max(tw for tw, _ in dims)
    shrink = min(1.0, (w - 4 * pad) / max(widest, 1))  # keep long lines inside the frame
    sizes = [size * shrink for size in sizes]
    dims = [(int(tw * shrink), int(th * shrink)) for tw, th in dims]
    widest = max(tw for tw, _ in dims)
    step = [th + pad for _, th in dims]
    x0 = (w - widest) // 2 - pad
    _panel(scene, x0, top, x0 + widest + 2 * pad, top + sum(step) + pad, PANEL_BGR, 0.8)
    y = top
    for k, (line, size, (tw, _), dy) in enumerate(zip(lines, sizes, dims, step, strict=True)):
        y += dy
        x = x0 + pad if left and k > 0 else (w - tw) // 2
        _text(scene, line, (x, y), size)


def annotate(scene: np.ndarray, pose: PoseFrame | None, hud: Hud) -> np.ndarray:
    """Skeleton (limbs of active faults in warning colour) and the heads-up display."""
    if pose is not None:
        draw_skeleton(scene, pose, hud.warn_landmarks)
    return draw_hud(scene, hud)


def hud_from_engine(engine, *, cue: str | None = None, info: tuple[str, ...] = ()) -> Hud:  # noqa: ANN001
    """The Hud for an :class:`~formcheck.engine.Engine`'s current state."""
    ex = engine.exercise
    hold_s = None
    if ex.hold is not None:
        hold_s = max(engine.hold_s(s) for s in engine.sides)
    return Hud(
        reps_by_side=engine.reps_by_side(),
        hold_s=hold_s,
        hold_target_s=ex.hold.target_s if ex.hold else None,
        cue=cue,
        title=ex.name,
        info=info,
        warn_landmarks=frozenset(engine.fault_landmarks()),
    )
