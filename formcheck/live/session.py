"""The live coaching loop: frames in, engine, cues, sound, keys, the window; a result out.

::

    session = LiveSession(exercise, view=Window("formcheck"), audio=Audio())
    with open_live_input(0) as feed:
        outcome = session.run(feed)            # until q, the window closes, the input ends
    print(outcome.result["summary"])           # or Ctrl+C

One loop serves the window and ``--headless`` (``view=None``: nothing is drawn, events are
reported as lines through ``on_line``), so both count the same. Each frame is analysed, then
drawn only if it is the newest one (see :mod:`formcheck.live.feed`): the window never shows a
stale frame and nothing is queued.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import cv2
import numpy as np

from formcheck.engine import Engine, ExerciseDef, session_result
from formcheck.engine.definition import substitute_side
from formcheck.engine.events import (
    BackInView,
    Event,
    FaultCleared,
    FaultRaised,
    HoldProgress,
    NotInView,
    RepCompleted,
    SetupIssue,
    SetupOk,
)
from formcheck.live.audio import Audio
from formcheck.live.cues import CueBoard
from formcheck.live.feed import LiveFrame, LiveInput
from formcheck.live.keys import HELP_LINES, Action, KeySource, action_for
from formcheck.live.summary import ScreenshotSaver, summary_lines
from formcheck.pose.core import PoseFrame
from formcheck.render.annotate import Hud, annotate, hud_from_engine

__all__ = ["LiveOutcome", "LiveSession", "View", "describe_event", "mirrored"]

BACKGROUND_BGR = (58, 52, 46)  # the plain backdrop a landmark recording is replayed on
NOTICE_S = 1.5  # how long a key's notice stays on screen (wall clock)


class View(Protocol):
    """Where frames are shown: :class:`formcheck.render.window.Window`, or a test double."""

    @property
    def closed(self) -> bool: ...

    def show(self, image_bgr: np.ndarray) -> None: ...

    def poll_key(self, wait_ms: int = 1) -> int: ...

    def toggle_fullscreen(self) -> bool: ...


@dataclass
class LiveOutcome:
    """How a session ended and what it counted.

    ``ended_by``: "input" (the video or recording ended), "quit" (q / Esc), "window" (closed
    with the mouse) or "interrupt" (Ctrl+C). ``frames``: frames read; ``drawn``: frames shown;
    ``dropped``: frames the capture dropped plus frames analysed but not drawn (late).
    ``engine_ms`` / ``overlay_ms``: mean cost per frame of the engine (+ cues) and of drawing.
    """

    result: dict[str, Any]
    ended_by: str
    frames: int
    drawn: int
    dropped: int
    engine_ms: float
    overlay_ms: float


def mirrored(pose: PoseFrame) -> PoseFrame:
    """The pose as seen in a mirror image of its frame (x flipped; names, sides unchanged)."""
    if pose.image is None:
        return pose
    image = pose.image.copy()
    image[:, 0] = pose.resolution_wh[0] - image[:, 0]
    return PoseFrame(pose.t_s, pose.resolution_wh, image, pose.world, pose.mask, pose.index)


def describe_event(event: Event) -> str | None:
    """One line for the events a person wants to read (reps, faults, setup); None otherwise."""
    t = f"{event.t_s:6.1f} s  "
    if isinstance(event, RepCompleted):
        r = event.rep
        side = "" if r.side == "both" else f" ({r.side} {r.side_index})"
        hold = "" if r.hold_s is None else f", hold {r.hold_s:.1f} s"
        faults = ", ".join(r.faults) if r.faults else "ok"
        return f"{t}rep {r.index}{side}{hold}: {faults}"
    if isinstance(event, FaultRaised):
        side = "" if event.side == "both" else f" ({event.side})"
        return f"{t}fault {event.fault}{side}: {event.cue}"
    if isinstance(event, FaultCleared):
        side = "" if event.side == "both" else f" ({event.side})"
        return f"{t}fault {event.fault}{side} cleared"
    if isinstance(event, SetupIssue):
        return f"{t}setup: {event.message}"
    if isinstance(event, SetupOk):
        return f"{t}setup ok ({event.issue.replace('_', ' ')} fixed)"
    if isinstance(event, NotInView):
        return f"{t}not in view: {event.message}"
    if isinstance(event, BackInView):
        return f"{t}back in view"
    return None


class LiveSession:
    """One live set of one exercise; :meth:`run` drives it over a :class:`LiveInput`.

    - ``view``: the window (None: headless, nothing drawn unless ``screenshots`` wants it).
    - ``keys``: a key source (``() -> int``); default: the view's keys.
    - ``audio``: beeps and spoken cues, or None for silence.
    - ``on_line``: receives one line per event worth reading (headless output).
    - ``mirror``: show the picture mirrored (counting always uses the unflipped landmarks, so
      "left" stays the person's own left).
    - ``cue_min_s``: the least time a cue stays on the banner.
    - ``summary_s`` / ``quit_summary_s``: how long the summary screen stays at most after
      the input ended / after q (any key closes it sooner).
    """

    def __init__(
        self,
        exercise: ExerciseDef,
        *,
        view: View | None = None,
        keys: KeySource | None = None,
        audio: Audio | None = None,
        on_line: Callable[[str], None] | None = None,
        mirror: bool = False,
        cue_min_s: float = 2.0,
        summary_s: float = 5.0,
        quit_summary_s: float = 30.0,
        screenshots: ScreenshotSaver | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.exercise = exercise
        self.engine = Engine(exercise)
        self.cues = CueBoard(min_show_s=cue_min_s)
        self.view = view
        self.keys = keys
        self.audio = audio
        self.on_line = on_line
        self.mirror = mirror
        self.summary_s = summary_s
        self.quit_summary_s = quit_summary_s
        self.screenshots = screenshots
        self.clock = clock
        self.paused = False
        self.show_help = False
        self._notice: tuple[str, float] | None = None
        self._hold_met: set[str] = set()
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._fps = 0.0
        self._last_draw: float | None = None
        self._background: np.ndarray | None = None
        self._last_scene: np.ndarray | None = None
        self._dropped = 0

    @property
    def draws(self) -> bool:
        return self.view is not None or self.screenshots is not None

    # -- the loop ------------------------------------------------------------------------
    def run(self, feed: LiveInput) -> LiveOutcome:
        """Run until the input ends, q/Esc, the window is closed or Ctrl+C."""
        ended_by = "input"
        frames = drawn = late = 0
        engine_s = overlay_s = 0.0
        try:
            for lf in feed.frames:
                frames += 1
                t0 = self.clock()
                self._analyse(lf.pose)
                t1 = self.clock()
                engine_s += t1 - t0
                if lf.late:
                    late += 1
                    continue
                drawn += 1
                if self.draws:
                    scene = self._scene(lf, feed)
                    overlay_s += self.clock() - t1
                    if self.view is not None:
                        self.view.show(scene)
                    if self.screenshots is not None:
                        self.screenshots.offer(lf.pose.t_s, scene)
                    self._last_scene = scene
                if self.audio is not None:
                    self.audio.poll()
                action = action_for(self._poll_key())
                if action is not None and self._act(action):
                    ended_by = "quit"
                    break
                if self.view is not None and self.view.closed:
                    ended_by = "window"
                    break
        except KeyboardInterrupt:
            ended_by = "interrupt"
        for ev in self.engine.finish():
            self._report(ev)
        self._dropped = feed.dropped_frames + late
        result = self._result(feed, ended_by)
        if self.draws and ended_by not in ("interrupt", "window"):
            self._summary_screen(result, ended_by)
        return LiveOutcome(
            result, ended_by, frames, drawn, self._dropped,
            1000 * engine_s / max(frames, 1), 1000 * overlay_s / max(drawn, 1),
        )  # fmt: skip

    # -- per frame -----------------------------------------------------------------------
    def _analyse(self, pose: PoseFrame) -> None:
        if self.paused:
            return
        if self._first_t is None:
            self._first_t = pose.t_s
        self._last_t = pose.t_s
        events = self.engine.update(pose)
        before = self.cues.current
        self.cues.update(pose.t_s, events)
        for ev in events:
            self._report(ev)
        cue = self.cues.current
        if cue is not None and cue != before and self.audio is not None:
            self.audio.say(cue.text)

    def _report(self, ev: Event) -> None:
        """Lines and sounds for one event."""
        if self.on_line is not None and (line := describe_event(ev)) is not None:
            self.on_line(line)
        if isinstance(ev, RepCompleted):
            self._hold_met.discard(ev.rep.side)
            if self.audio is not None:
                self.audio.beep("rep")
        elif isinstance(ev, HoldProgress) and ev.met and ev.side not in self._hold_met:
            self._hold_met.add(ev.side)
            if self.on_line is not None:
                side = "" if ev.side == "both" else f" ({ev.side})"
                self.on_line(f"{ev.t_s:6.1f} s  hold target {ev.target_s:g} s reached{side}")
            if self.audio is not None:
                self.audio.beep("hold")

    def _poll_key(self) -> int:
        key = self.view.poll_key(1) if self.view is not None else -1
        if self.keys is not None:
            scripted = self.keys()
            key = scripted if scripted >= 0 else key
        return key

    def _act(self, action: Action) -> bool:
        """Carry out a key's action; True to end the session."""
        if action is Action.QUIT:
            return True
        if action is Action.PAUSE:
            self.paused = not self.paused  # the picture says PAUSED itself
            self._say("Paused: counting stopped" if self.paused else "Resumed", self.paused)
        elif action is Action.RESET:
            self.engine.reset()
            self.cues.reset()
            self._hold_met.clear()
            self._first_t = self._last_t = None
            self._say("Reset: a new set, counting from 0")
        elif action is Action.NEXT:
            self._say("No routine loaded: no next exercise (n works with routines)")
        elif action is Action.FULLSCREEN:
            if self.view is not None:
                self.view.toggle_fullscreen()
        elif action is Action.MIRROR:
            self.mirror = not self.mirror
            self._say("Mirror on" if self.mirror else "Mirror off")
        elif action is Action.HELP:
            self.show_help = not self.show_help
        return False

    def _say(self, text: str, quiet: bool = False) -> None:
        """A short notice on screen (unless ``quiet``) and as a line when headless."""
        self._notice = None if quiet else (text, self.clock() + NOTICE_S)
        if self.on_line is not None:
            self.on_line(f"{'':6}    {text}")

    def _scene(self, lf: LiveFrame, feed: LiveInput) -> np.ndarray:
        pose = lf.pose
        if lf.image_bgr is not None:
            scene = lf.image_bgr  # ours alone from here on: drawn on in place
        else:
            scene = self._backdrop(pose.resolution_wh or feed.resolution_wh)
        if not self.paused and self.engine.last_frame is not None:
            pose = self.engine.last_frame  # smoothed, as the engine sees it
        if self.mirror:
            scene = cv2.flip(scene, 1)
            pose = mirrored(pose)
        now = self.clock()
        if self._last_draw is not None and now > self._last_draw:
            rate = 1.0 / (now - self._last_draw)
            self._fps = rate if self._fps == 0 else 0.9 * self._fps + 0.1 * rate
        self._last_draw = now
        hud = hud_from_engine(self.engine, info=self._info())
        cue = None if self.paused else self.cues.current
        notice = self._notice[0] if self._notice and now < self._notice[1] else None
        hud = replace(
            hud,
            cue=cue.text if cue and not cue.is_guidance else None,
            cue_severity=cue.severity if cue else "warning",
            setup=cue.text if cue and cue.is_guidance else None,
            notice=notice,
            paused=self.paused,
            panel=HELP_LINES if self.show_help else (),
            warn_landmarks=frozenset() if self.paused else hud.warn_landmarks,
        )
        return annotate(scene, pose, hud)

    def _backdrop(self, size_wh: tuple[int, int]) -> np.ndarray:
        w, h = size_wh if size_wh[0] > 0 and size_wh[1] > 0 else (960, 540)
        if self._background is None or self._background.shape[:2] != (h, w):
            self._background = np.full((h, w, 3), BACKGROUND_BGR, np.uint8)
        return self._background.copy()

    def _info(self) -> tuple[str, ...]:
        reps = self.exercise.reps
        lines = []
        if reps is not None:
            for side in self.engine.sides:
                value = self.engine.drive_value(side)
                shown = "--" if math.isnan(value) else f"{round(value):+d}"  # no "-0"
                lines.append(f"{substitute_side(reps.drive, side)} {shown}")
        lines.append(f"{self._fps:.0f} fps" if self._fps else "-- fps")
        return tuple(lines)

    # -- the end -------------------------------------------------------------------------
    def _result(self, feed: LiveInput, ended_by: str) -> dict[str, Any]:
        first = self._first_t if self._first_t is not None else 0.0
        last = self._last_t if self._last_t is not None else first
        result = session_result(
            self.exercise, self.engine.reps, self.engine.events,
            source=feed.name, duration_s=last - first,
        )  # fmt: skip
        if ended_by == "interrupt":
            result["interrupted"] = True
        result["live"] = {"ended_by": ended_by, "dropped_frames": feed.dropped_frames}
        return result

    def _summary_screen(self, result: dict[str, Any], ended_by: str) -> None:
        """The summary over the last picture, until a key, the window closes or time runs out."""
        base = self._last_scene if self._last_scene is not None else self._backdrop((960, 540))
        scene = (base * 0.35).astype(np.uint8)
        lines = summary_lines(result, self.exercise.name)
        wait_s = self.summary_s if ended_by == "input" else self.quit_summary_s
        image = annotate(scene, None, Hud(panel=(*lines, "", "any key closes")))
        if self.screenshots is not None:
            self.screenshots.save(image, "summary.png")
        if self.view is None:
            return
        self.view.show(image)
        deadline = self.clock() + wait_s
        try:
            while self.clock() < deadline and not self.view.closed:
                if self._poll_key() >= 0:
                    break
                time.sleep(0.02)
        except KeyboardInterrupt:
            pass
