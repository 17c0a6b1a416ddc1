"""What a report needs from the frame loop, gathered while the frames go by.

``Collector`` is fed the engine's record of each frame (``on_frame(fr.engine, picture)``, from
:func:`formcheck.pipeline.run`) and its events (``on_event``), and keeps:

- the driving feature of each side over time (a few floats per frame), for the plot and for
  each rep's tempo;
- for every fault of every rep, its **worst frame**: the picture and the smoothed pose at the
  moment the fault's feature was furthest beyond its threshold. Only the current candidate of
  each fault is held while the video plays (a reference to one decoded picture); once the rep
  is complete the candidate becomes a small PNG thumbnail with the skeleton drawn and the
  picture is let go. Memory therefore does not grow with the length of the video.

How the worst frame is chosen:

- a fault judged over a span (phases ``top``, ``rep``, ``rest``, ``any``): the frame of the
  span (from when the engine's fault state began, to when it cleared) where the first
  condition's value lies furthest beyond its threshold (the ``margin`` of the fault in the
  :class:`~formcheck.engine.frame.EngineFrame`, whose pending faults make the frames before
  the fault was raised count too), preferring frames "in position": the side's rep in its
  top phase (risen as far as a rep needs above the person's rest). A knee that bends further
  while the leg comes down does not make the picture: the fault is shown in the exercise's
  position;
- a fault judged once on a snapshot (``peak``, ``trough``): the frame where the side's driving
  feature was at its extreme (highest, or lowest before the rep) nearest that snapshot's time;
- a rep-level fault (``hold_short``, ``too_fast``): the rep's peak frame.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.events import Event, RepCompleted, RepRecord
from formcheck.engine.frame import EngineFrame
from formcheck.features.measure import FeatureSet
from formcheck.features.spec import MID_POINTS, substitute_side
from formcheck.pose.core import LANDMARK_INDEX, SKELETON_EDGES, PoseFrame
from formcheck.render.annotate import WARN_BGR, draw_skeleton
from formcheck.render.video import plain_background

__all__ = ["Collector", "Thumbnail", "machine_side", "render_thumbnail"]

THUMB_HEIGHT_PX = 260
_KEEP_DONE = 8  # finished fault spans kept per fault and side until a rep claims them
_TOP_BONUS = 1e6  # added to the score of frames in the exercise's position (see above)


def machine_side(label: str, sides: list[str]) -> str:
    """The engine side (rep machine) behind a rep's side label: the label itself, or "both"
    for labels such as a direction ("forward") counted by one machine."""
    return label if label in sides else sides[0]


@dataclass(slots=True)
class _Snap:
    """A kept frame: time, index, smoothed pose, picture (None for recordings), score."""

    t_s: float
    index: int
    pose: PoseFrame | None
    image: np.ndarray | None
    score: float = -math.inf


@dataclass(slots=True)
class _Span:
    """A fault span being watched: its start, its worst frame so far, whether it was raised
    (a span that never was is let go)."""

    start_s: float
    best: _Snap | None = None
    raised: bool = False


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """The worst frame of one fault of one rep, drawn and encoded: PNG on a plain background,
    JPEG (smaller) over a video's picture; ``mime`` says which."""

    t_s: float
    frame: int
    data: bytes
    mime: str = "image/png"


@dataclass(slots=True)
class _Series:
    t_s: array = field(default_factory=lambda: array("d"))
    drive: dict[str, array] = field(default_factory=dict)
    rest: dict[str, array] = field(default_factory=dict)  # the person's rest level per side


class Collector:
    """Gathers the drive series and the worst frame of each fault (see the module docstring).

    ``keep_images=False`` keeps no pictures (thumbnails are then drawn on a plain background,
    as for recordings)."""

    def __init__(
        self, exercise: ExerciseDef, sides: list[str], *, keep_images: bool = True,
        thumb_height_px: int = THUMB_HEIGHT_PX,
    ) -> None:  # fmt: skip
        assert exercise.reps is not None
        self.exercise = exercise
        self.sides = list(sides)
        self.keep_images = keep_images
        self.thumb_height_px = thumb_height_px
        self.series = _Series(
            drive={s: array("d") for s in self.sides}, rest={s: array("d") for s in self.sides}
        )
        self.frames = 0
        self.frames_with_person = 0
        self.first_index: int | None = None
        self.thumbnails: dict[tuple[int, str], Thumbnail] = {}
        self._sign = 1.0 if exercise.reps.direction == "up" else -1.0
        self._rules = {r.id: r for r in exercise.faults}
        self._names = {
            (r.id, s): [substitute_side(c.feature, s) for c in r.when]
            for r in exercise.faults
            for s in self.sides
        }
        self._open: dict[tuple[str, str], _Span] = {}
        self._done: dict[tuple[str, str], deque[tuple[float, _Snap]]] = {}
        self._peak: dict[str, _Snap | None] = dict.fromkeys(self.sides)
        self._trough: dict[str, _Snap | None] = dict.fromkeys(self.sides)
        self._features = FeatureSet(exercise.features)
        self.resolution_wh: tuple[int, int] = (0, 0)

    # -- the frame loop ------------------------------------------------------------------
    def on_frame(self, engine: EngineFrame, image: np.ndarray | None = None) -> None:
        """One frame: the engine's record of it (what ``engine.update`` returned) and the
        picture behind it (None: a plain background)."""
        frame = engine.pose
        assert frame is not None, "on_frame comes after an engine update"
        self.resolution_wh = frame.resolution_wh
        self.frames += 1
        self.frames_with_person += frame.has_person
        if self.first_index is None:
            self.first_index = frame.index
        t = engine.t_s
        self.series.t_s.append(t)
        sides = engine.sides
        for sf in sides:
            self.series.drive[sf.side].append(sf.drive)
            self.series.rest[sf.side].append(sf.rest)
        if not frame.has_person:
            return
        image = image if self.keep_images else None
        current: list[_Snap] = []  # one snapshot object for this frame, made only if needed

        def snap(score: float) -> _Snap:
            if not current:
                current.append(_Snap(t, frame.index, frame, image))
            s = current[0]
            return _Snap(s.t_s, s.index, s.pose, s.image, score)

        in_position = {sf.side: sf.at_top for sf in sides}
        faults = {(f.rule_id, f.side): f for f in (*engine.pending, *engine.faults)}
        raised = {(f.rule_id, f.side) for f in engine.faults}
        for key in [k for k in self._open if k not in faults]:
            self._finish_span(key)
        for key, f in faults.items():
            span = self._open.get(key)
            if span is not None and span.start_s != f.span_start_s:
                self._finish_span(key)
                span = None
            if span is None:
                span = self._open[key] = _Span(f.span_start_s)
            span.raised = span.raised or key in raised
            if f.margin > 0:  # this frame's value is beyond the threshold (NaN: not seen)
                score = f.margin + (_TOP_BONUS if in_position[f.side] else 0.0)
                if span.best is None or score > span.best.score:
                    span.best = snap(score)
        for sf in sides:
            side, v = sf.side, sf.drive
            if math.isnan(v):
                continue
            sv = self._sign * v
            peak, trough = self._peak[side], self._trough[side]
            if peak is None or sv > peak.score:
                self._peak[side] = snap(sv)
            if trough is None or -sv > trough.score:
                self._trough[side] = snap(-sv)

    def on_event(self, event: Event) -> None:
        if isinstance(event, RepCompleted):
            self._claim(event.rep)

    # -- worst frames --------------------------------------------------------------------
    def _finish_span(self, key: tuple[str, str]) -> None:
        """A span is over: kept for the rep that claims it if it was raised, else let go."""
        span = self._open.pop(key)
        if span.raised and span.best is not None:
            self._done.setdefault(key, deque(maxlen=_KEEP_DONE)).append((span.start_s, span.best))

    def _claim(self, rep: RepRecord) -> None:
        """Give each fault of a completed rep its worst frame, drawn as a thumbnail."""
        side = machine_side(rep.side, self.sides)
        for fault, ev in zip(rep.faults, rep.evidence, strict=True):
            key = (fault, side)
            best: _Snap | None = None
            instant = ev.start_s == ev.end_s
            if fault in self._rules and not instant:
                spans = list(self._done.get(key, ()))
                if (span := self._open.get(key)) is not None and span.best is not None:
                    spans.append((span.start_s, span.best))
                if spans:
                    best = min(spans, key=lambda sp: abs(sp[0] - ev.start_s))[1]
            if best is None and fault in self._rules:  # judged on a snapshot, or no span seen
                cands = [c for c in (self._peak[side], self._trough[side]) if c is not None]
                if cands:
                    best = min(cands, key=lambda c: abs(c.t_s - ev.start_s))
            elif fault not in self._rules:
                best = self._peak[side]
            if best is not None and best.pose is not None:
                warn = self._warn_edges(fault, side)
                data, mime = render_thumbnail(
                    best.pose, best.image, warn, self.resolution_wh, self.thumb_height_px
                )
                self.thumbnails[(rep.index, fault)] = Thumbnail(
                    round(best.t_s, 3), best.index, data, mime
                )
        # what belonged to this rep (or to nothing) is let go
        for key in [k for k in self._done if k[1] == side]:
            self._done[key] = deque(
                ((s, b) for s, b in self._done[key] if s > rep.end_s), maxlen=_KEEP_DONE
            )
        self._peak[side] = self._trough[side] = None

    def _warn_edges(self, fault: str, side: str) -> frozenset[tuple[str, str]]:
        """Bones along the features a fault is judged on (the drive for rep-level faults)."""
        assert self.exercise.reps is not None
        names = self._names.get((fault, side), [substitute_side(self.exercise.reps.drive, side)])
        edges: set[tuple[str, str]] = set()
        for n in names:
            try:
                points = self._features.points_of(n)
            except KeyError:
                continue
            for a, b in zip(points, points[1:], strict=False):
                edges |= _bones_between(a, b)
        return frozenset(edges)

    # -- series access -------------------------------------------------------------------
    def drive_arrays(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Times and the drive values of each side, as numpy arrays (NaN = not seen)."""
        t = np.frombuffer(self.series.t_s, dtype=np.float64) if self.frames else np.zeros(0)
        return t, _arrays(self.series.drive)

    def rest_arrays(self) -> dict[str, np.ndarray]:
        """The person's rest level of each side over time (NaN before it is known)."""
        return _arrays(self.series.rest)


def _arrays(series: dict[str, array]) -> dict[str, np.ndarray]:
    return {
        s: np.frombuffer(a, dtype=np.float64) if len(a) else np.zeros(0) for s, a in series.items()
    }


_NEIGHBOURS: dict[str, set[str]] = {}
for _a, _b in SKELETON_EDGES:
    _NEIGHBOURS.setdefault(_a, set()).add(_b)
    _NEIGHBOURS.setdefault(_b, set()).add(_a)


def _path(a: str, b: str, max_bones: int = 2) -> list[tuple[str, str]]:
    """The bones of the shortest skeleton path from ``a`` to ``b`` (empty if longer)."""
    paths = {a: [a]}
    frontier = [a]
    for _ in range(max_bones):
        nxt = []
        for p in frontier:
            for q in _NEIGHBOURS.get(p, ()):
                if q not in paths:
                    paths[q] = paths[p] + [q]
                    nxt.append(q)
        frontier = nxt
    walk = paths.get(b)
    return [] if walk is None else list(zip(walk, walk[1:], strict=False))


def _bones_between(a: str, b: str) -> set[tuple[str, str]]:
    """Bones joining two feature points (a ``*_mid`` point joins on each side)."""
    ends_a, ends_b = MID_POINTS.get(a, (a,)), MID_POINTS.get(b, (b,))
    if len(ends_a) == 2 and len(ends_b) == 2:
        pairs = list(zip(ends_a, ends_b, strict=True))  # left with left, right with right
    else:
        pairs = [(x, y) for x in ends_a for y in ends_b]
    return {bone for x, y in pairs for bone in _path(x, y)}


def render_thumbnail(
    pose: PoseFrame, image: np.ndarray | None, warn: frozenset[tuple[str, str]],
    resolution_wh: tuple[int, int], height_px: int = THUMB_HEIGHT_PX,
) -> tuple[bytes, str]:  # fmt: skip
    """The person: the picture (or a plain background) with the skeleton drawn, the fault's
    bones (``warn``, pairs of landmark names) in warning colour, cropped around the body and
    scaled to ``height_px``. Returns (encoded bytes, mime type): JPEG over a picture, PNG on
    the plain background."""
    scene = plain_background(resolution_wh) if image is None else image.copy()
    h, w = scene.shape[:2]
    draw_skeleton(scene, pose)
    if pose.image is not None and warn:
        xy = np.round(pose.image[:, :2]).astype(int)
        width = max(4, int(round(6 * h / 480)))
        for a, b in sorted(warn):  # a fixed order: anti-aliased overlaps depend on it
            i, j = LANDMARK_INDEX[a], LANDMARK_INDEX[b]
            if min(pose.visibility[i], pose.visibility[j]) >= 0.5:
                cv2.line(scene, tuple(xy[i]), tuple(xy[j]), WARN_BGR, width, cv2.LINE_AA)
    if pose.image is not None:
        seen = pose.visibility >= 0.5
        xy = pose.image[seen, :2] if seen.any() else pose.image[:, :2]
        x0, y0 = np.nanmin(xy, axis=0)
        x1, y1 = np.nanmax(xy, axis=0)
        size = max(x1 - x0, y1 - y0, 0.2 * min(w, h))
        margin = 0.18 * size
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w = max(x1 - x0, (y1 - y0) * 0.75) / 2 + margin
        half_h = max(y1 - y0, (x1 - x0) * 0.5) / 2 + margin
        xa, xb = int(max(0, cx - half_w)), int(min(w, cx + half_w))
        ya, yb = int(max(0, cy - half_h)), int(min(h, cy + half_h))
        if xb - xa >= 16 and yb - ya >= 16:
            scene = scene[ya:yb, xa:xb]
    sh, sw = scene.shape[:2]
    scale = height_px / sh
    width = max(1, min(int(round(sw * scale)), 2 * height_px))
    thumb = cv2.resize(scene, (width, height_px), interpolation=cv2.INTER_AREA)
    if image is None:
        ok, buf = cv2.imencode(".png", thumb)
        mime = "image/png"
    else:
        ok, buf = cv2.imencode(".jpg", thumb, [cv2.IMWRITE_JPEG_QUALITY, 88])
        mime = "image/jpeg"
    assert ok
    return buf.tobytes(), mime
