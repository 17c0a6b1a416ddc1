"""The live coaching loop: frames in, engine, cues, sound, keys, the window; a result out.

::

    session = LiveSession(exercise, view=Window("formcheck"), audio=Audio())
    with open_live_input(0) as feed:
        outcome = session.run(feed)            # until q, the window closes, the input ends
    print(outcome.result["summary"])           # or Ctrl+C

One loop serves the window and ``--headless`` (``view=None``: nothing is drawn, events are
reported as lines through ``on_line``, worded by :mod:`formcheck.live.lines`), so both count
the same. Each frame is analysed, then drawn only if it is the newest one (see
:mod:`formcheck.live.feed`): the window never shows a stale frame and nothing is queued.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import cv2
import numpy as np

from formcheck.engine import Engine, ExerciseDef, session_result
from formcheck.engine.events import (
    Event,
    HoldProgress,
    RepCompleted,
    RepRecord,
)
from formcheck.engine.frame import EngineFrame
from formcheck.engine.routine import (
    ExerciseStarted,
    RestTick,
    Routine,
    RoutineEvent,
    RoutineProgress,
    RoutineRunner,
    SetCompleted,
    SetStarted,
)
from formcheck.engine.words import Words
from formcheck.features.spec import substitute_side
from formcheck.live.audio import Audio
from formcheck.live.cues import CueBoard
from formcheck.live.feed import LiveFrame, LiveInput
from formcheck.live.keys import HELP_LINES, Action, KeySource, action_for
from formcheck.live.lag import LagWatch
from formcheck.live.lines import describe_event, spoken
from formcheck.live.start import GuidedStart, StartPhase
from formcheck.live.summary import ScreenshotSaver, routine_summary_lines, summary_lines
from formcheck.pose.core import PoseFrame
from formcheck.render.annotate import Hud, annotate, hud_for, letterbox, placed

__all__ = ["EndedBy", "LiveOutcome", "LiveSession", "View", "describe_event", "mirrored"]

BACKGROUND_BGR = (58, 52, 46)  # the plain backdrop a landmark recording is replayed on
NOTICE_S = 1.5  # how long a key's notice stays on screen (wall clock)
LAG_NOTICE_S = 8.0  # how long "falling behind" stays on screen
COUNTDOWN_S = 3  # the last seconds of a rest beep


class View(Protocol):
    """Where frames are shown: :class:`formcheck.render.window.Window`, or a test double."""

    @property
    def closed(self) -> bool: ...

    def show(self, image_bgr: np.ndarray) -> None: ...

    def poll_key(self, wait_ms: int = 1) -> int: ...

    def toggle_fullscreen(self) -> bool: ...

    @property
    def canvas_wh(self) -> tuple[int, int] | None:
        """The size the window shows a picture at, to draw at (None: the picture's own)."""
        ...


EndedBy = Literal["input", "quit", "window", "interrupt", "complete"]
"""How a live session ended (see :class:`LiveOutcome`)."""


@dataclass
class LiveOutcome:
    """How a session ended and what it counted.

    ``ended_by``: "input" (the video or recording ended), "quit" (q / Esc), "window" (closed
    with the mouse), "interrupt" (Ctrl+C) or "complete" (a routine's last set was done).
    ``frames``: frames read and analysed; ``drawn``: frames shown; ``dropped``: frames the
    capture dropped to keep up with real time (never analysed; 0 for a landmark recording,
    whose every frame is analysed); ``late``: frames analysed but not drawn (a newer one was
    due). ``behind``: the notice shown when the pose model fell behind real time, or None.
    ``engine_ms`` / ``overlay_ms``: mean cost per frame of the engine (+ cues) and of drawing.
    """

    result: dict[str, Any]
    ended_by: EndedBy
    frames: int
    drawn: int
    dropped: int
    engine_ms: float
    overlay_ms: float
    late: int = 0
    behind: str | None = None
    per_exercise: list[dict[str, Any]] = field(default_factory=list)
    """A routine's reps as one ``formcheck.result`` per exercise that counted any (for the
    training history); empty for a single exercise, whose ``result`` is one already."""


def mirrored(pose: PoseFrame) -> PoseFrame:
    """The pose as seen in a mirror image of its frame (x flipped; names, sides unchanged)."""
    if pose.image is None:
        return pose
    image = pose.image.copy()
    image[:, 0] = pose.resolution_wh[0] - image[:, 0]
    return PoseFrame(pose.t_s, pose.resolution_wh, image, pose.world, pose.mask, pose.index)


class LiveSession:
    """One live set of one exercise, or a routine of sets with rests between them;
    :meth:`run` drives it over a :class:`LiveInput`.

    - ``exercise``: an :class:`ExerciseDef`, or a :class:`Routine` (played by a
      :class:`RoutineRunner`: the window follows its current exercise and shows set k of n,
      reps against the target and the rest countdown; ``n`` goes to the next exercise, space
      during a rest ends the rest; the session ends when the routine is complete).

    - ``view``: the window (None: headless, nothing drawn unless ``screenshots`` wants it).
    - ``keys``: a key source (``() -> int``); default: the view's keys.
    - ``audio``: beeps and spoken cues, or None for silence.
    - ``on_line``: receives one line per event worth reading (headless output).
    - ``mirror``: show the picture mirrored (counting always uses the unflipped landmarks, so
      "left" stays the person's own left).
    - ``guided``: a guided start before counting (:mod:`formcheck.live.start`): a placement
      card, a check that the person is in position and in view, then 3-2-1.
    - ``target_reps``: reps per side (or per direction) a single exercise's set aims for:
      the counter shows "3 / 8" (a routine's sets bring their own target).
    - ``cue_min_s``: the least time a cue stays on the banner.
    - ``summary_s`` / ``quit_summary_s``: how long the summary screen stays at most after
      the input ended / after q (any key closes it sooner).
    """

    def __init__(
        self,
        exercise: ExerciseDef | Routine,
        *,
        view: View | None = None,
        keys: KeySource | None = None,
        audio: Audio | None = None,
        on_line: Callable[[str], None] | None = None,
        mirror: bool = False,
        guided: bool = False,
        target_reps: int | None = None,
        cue_min_s: float = 2.0,
        summary_s: float = 5.0,
        quit_summary_s: float = 30.0,
        screenshots: ScreenshotSaver | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.routine = exercise if isinstance(exercise, Routine) else None
        self.runner = RoutineRunner(self.routine) if self.routine is not None else None
        self.exercise = (
            exercise if isinstance(exercise, ExerciseDef) else exercise.steps[0].exercise
        )
        self.engine = Engine(self.exercise)  # a routine's runner supplies its own
        self._extractor = self.engine.new_extractor()  # the features stage before it
        self.cues = CueBoard(min_show_s=cue_min_s)
        self.view = view
        self.keys = keys
        self.audio = audio
        self.on_line = on_line
        self.mirror = mirror
        self.target_reps = target_reps
        self._start = GuidedStart(self.exercise) if guided else None
        self._start_said = False
        self.summary_s = summary_s
        self.quit_summary_s = quit_summary_s
        self.screenshots = screenshots
        self.clock = clock
        self.paused = False
        self._pause_from: float | None = None  # last frame analysed before a pause
        self._shift = 0.0  # paused time cut out of the engine's time line
        self._step_s = 0.0  # the last interval between analysed frames
        self._holding: set[str] = set()  # sides mid-hold (target not met) when paused
        self.show_help = False
        self._notice: tuple[str, float] | None = None
        self._hold_met: set[str] = set()
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._fps = 0.0
        self._last_draw: float | None = None
        self._last_scene: np.ndarray | None = None
        self._lag = LagWatch()
        self.behind: str | None = None  # the "falling behind" notice, once shown
        self._words: Words | None = None
        self._set_reps: dict[str, list[RepRecord]] = {}  # a routine's counted reps by exercise

    @property
    def draws(self) -> bool:
        return self.view is not None or self.screenshots is not None

    # -- the loop ------------------------------------------------------------------------
    def run(self, feed: LiveInput) -> LiveOutcome:
        """Run until the input ends, q/Esc, the window is closed or Ctrl+C."""
        ended_by: EndedBy = "input"
        frames = drawn = late = 0
        engine_s = overlay_s = 0.0
        try:
            for lf in feed.frames:
                frames += 1
                t0 = self.clock()
                self._analyse(lf.pose)
                if (behind := self._lag.update(lf.pose.t_s, feed.dropped_frames)) is not None:
                    self.behind = behind
                    self._say(behind, seconds=LAG_NOTICE_S)
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
                if self.runner is not None and self.runner.done:
                    ended_by = "complete"
                    break
        except KeyboardInterrupt:
            ended_by = "interrupt"
        for ev in self.engine.finish() if self.runner is None else self.runner.finish():
            self._report(ev)
        result = self._result(feed, ended_by)
        if self.draws and ended_by not in ("interrupt", "window"):
            self._summary_screen(result, ended_by)
        return LiveOutcome(
            result, ended_by, frames, drawn, feed.dropped_frames,
            1000 * engine_s / max(frames, 1), 1000 * overlay_s / max(drawn, 1),
            late, self.behind, self._per_exercise(result),
        )  # fmt: skip

    # -- per frame -----------------------------------------------------------------------
    def _analyse(self, pose: PoseFrame) -> None:
        if self.paused:
            if self._pause_from is None and self._last_t is not None:
                self._pause_from = self._last_t
                self._holding = self._holds_not_met()
            return
        dropped: list[Event] = []
        if self._pause_from is not None:
            # the pause is cut out of the engine's time: a hold or a rep in progress goes on
            # where it stopped, and the pause is neither a fault nor the end of a hold
            step = self._step_s if self._step_s > 0 else 1 / 30
            self._shift += max(0.0, pose.t_s - self._pause_from - step)
            self._pause_from = None
            if self._holding and self._left_the_hold(pose, self._holding):
                # held short of the target, then left during the pause: the rep is not
                # judged on a hold the pause cut short; it is dropped, as if the person had
                # stepped away, and done again
                dropped = self.engine.drop_reps_in_progress()
                self._say("The hold was left during the pause: that rep is not counted")
            self._holding = set()
        if self._last_t is not None and pose.t_s > self._last_t:
            self._step_s = pose.t_s - self._last_t
        if self._start is not None:  # the guided start: nothing is counted yet
            self._last_t = pose.t_s
            self._starting(replace(pose, t_s=pose.t_s - self._shift) if self._shift else pose)
            return
        if self._first_t is None:
            self._first_t = pose.t_s
        self._last_t = pose.t_s
        if self._shift:
            pose = replace(pose, t_s=pose.t_s - self._shift)
        before = self.cues.current
        if self.runner is None:
            events = dropped + self.engine.update(self._extractor.update(pose))
            self.cues.update(pose.t_s, events)
        else:
            events = dropped + self.runner.update(pose)
            self._follow_runner()
            self.cues.update(pose.t_s, [e for e in events if not isinstance(e, RoutineEvent)])
        for ev in events:
            self._report(ev)
        cue = self.cues.current
        if cue is not None and cue != before and self.audio is not None:
            self.audio.say(cue.text)

    def _starting(self, pose: PoseFrame) -> None:
        """One frame of the guided start: the card, the position check, 3-2-1, go."""
        start = self._start
        assert start is not None
        t = f"{pose.t_s:6.1f} s  "
        if not self._start_said:
            self._start_said = True
            if self.on_line is not None:
                self.on_line(f"{t}get ready: " + "; ".join(start.card[1:]))
            if self.audio is not None:
                self.audio.say(f"{start.card[1]}. {start.card[2]}")
        before, count = self.cues.current, start.count
        events = start.update(pose)
        self.cues.update(pose.t_s, events)
        for ev in events:
            self._report(ev)
        if start.restarted:
            self._say("Out of position: the countdown starts again once you are back")
        if start.count is not None and start.count != count:
            if self.on_line is not None:
                self.on_line(f"{t}{start.count}")
            if self.audio is not None:
                self.audio.say(str(start.count))
        if start.phase is StartPhase.GO:
            self._start = None
            self.cues.reset()
            self._say("Go!")
            if self.audio is not None:
                self.audio.say("Go")
            return
        cue = self.cues.current
        if cue is not None and cue != before and self.audio is not None:
            self.audio.say(cue.text)

    def _holds_not_met(self) -> set[str]:
        """Sides held at the top whose hold has not reached its target yet."""
        hold = self.exercise.hold
        frame = self.engine.frame
        if hold is None or hold.target_s is None or frame.pose is None:
            return set()
        return {s.side for s in frame.sides if s.at_top and s.hold_s < hold.target_s}

    def _left_the_hold(self, pose: PoseFrame, sides: set[str]) -> bool:
        """Whether, on the first frame after a pause, one of ``sides`` is no longer at the
        top (its drive back below where the rep's top begins)."""
        reps = self.exercise.reps
        assert reps is not None
        values = self.engine.features.evaluate(pose, self.engine.settings.min_visibility)
        for side in sides:
            value = values.get(substitute_side(reps.drive, side), math.nan)
            machine = self.engine.machine(side)
            if not math.isnan(value) and machine.sign * value < machine.sign * machine.enter:
                return True
        return False

    def _follow_runner(self) -> None:
        """The HUD, keys and the end follow the routine's current exercise."""
        assert self.runner is not None
        if self.runner.engine is not None:
            self.engine, self.exercise = self.runner.engine, self.runner.exercise

    def _report(self, ev: Event) -> None:
        """Lines and sounds for one event."""
        if isinstance(ev, RestTick) and ev.left_s > COUNTDOWN_S:
            return  # the window shows every second; lines and beeps only for the last few
        if self.on_line is not None and (line := describe_event(ev, self.exercise)) is not None:
            self.on_line(line)
        if isinstance(ev, RoutineEvent):
            if isinstance(ev, SetStarted | ExerciseStarted):
                self.cues.reset()  # a new set: the last one's cue is over
                self._hold_met.clear()
            if isinstance(ev, SetCompleted):
                self._set_reps.setdefault(ev.exercise, []).extend(ev.reps)
            if self.audio is not None:
                if isinstance(ev, RestTick):
                    self.audio.beep("rep")
                elif (text := spoken(ev)) is not None:
                    self.audio.say(text)
        elif isinstance(ev, RepCompleted):
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
        if action is Action.PAUSE and self.runner is not None and self.runner.resting:
            self._say("Rest skipped")
            self._run_routine_events(self.runner.skip())
        elif action is Action.PAUSE:
            self.paused = not self.paused  # the picture says PAUSED itself
            self._say("Paused: counting stopped" if self.paused else "Resumed", self.paused)
        elif action is Action.RESET:
            if self.runner is not None and self.runner.resting:
                return False  # nothing is counted during a rest
            if self.runner is None:
                self.engine.reset()
                self._extractor.reset()
            else:
                self.runner.reset_engine()
            self.cues.reset()
            self._hold_met.clear()
            self._first_t = self._last_t = None
            self._say("Reset: a new set, counting from 0")
        elif action is Action.NEXT:
            if self.runner is None:
                self._say("No routine loaded: no next exercise (n works with routines)")
            elif self.runner.done:
                self._say("The routine is complete")
            else:
                self._say("Next exercise")
                self._run_routine_events(self.runner.next_exercise())
        elif action is Action.FULLSCREEN:
            if self.view is not None:
                self.view.toggle_fullscreen()
        elif action is Action.MIRROR:
            self.mirror = not self.mirror
            self._say("Mirror on" if self.mirror else "Mirror off")
        elif action is Action.HELP:
            self.show_help = not self.show_help
        return False

    def _run_routine_events(self, events: list[Event]) -> None:
        """Events a key caused in the routine (the set it closed, the next one started)."""
        self._follow_runner()
        self.cues.update(self.runner.t_s if self.runner else 0.0, [
            e for e in events if not isinstance(e, RoutineEvent)
        ])  # fmt: skip
        for ev in events:
            self._report(ev)

    def _say(self, text: str, quiet: bool = False, seconds: float = NOTICE_S) -> None:
        """A notice on screen for ``seconds`` (unless ``quiet``) and as a line when headless."""
        self._notice = None if quiet else (text, self.clock() + seconds)
        if self.on_line is not None:
            self.on_line(f"{'':6}    {text}".replace("\n", " "))

    def _scene(self, lf: LiveFrame, feed: LiveInput) -> np.ndarray:
        """The picture at the window's size (aspect kept), the skeleton and the HUD over it:
        drawn at the size it is shown, so the HUD's sizes are the screen's pixels."""
        pose = lf.pose
        picture_wh = pose.resolution_wh or feed.resolution_wh
        if picture_wh[0] <= 0 or picture_wh[1] <= 0:
            picture_wh = (960, 540)
        image = lf.image_bgr  # ours alone from here on
        resting = self.runner is not None and (self.runner.resting or self.runner.done)
        engine = self.engine.frame
        if not self.paused and not resting and engine.pose is not None:
            pose = engine.pose  # smoothed, as the engine sees it (stale in a rest)
        if self.mirror:
            image = None if image is None else cv2.flip(image, 1)
            pose = mirrored(pose)
        canvas_wh = self._canvas_wh(picture_wh)
        background = BACKGROUND_BGR if image is None else (0, 0, 0)
        scene, scale, offset = letterbox(image, picture_wh, canvas_wh, background)
        pose = placed(pose, scale, offset, canvas_wh)
        now = self.clock()
        if self._last_draw is not None and now > self._last_draw:
            rate = 1.0 / (now - self._last_draw)
            self._fps = rate if self._fps == 0 else 0.9 * self._fps + 0.1 * rate
        self._last_draw = now
        hud = hud_for(engine, self.engine.exercise, info=self._info(engine))
        cue = None if self.paused else self.cues.current
        notice = self._notice[0] if self._notice and now < self._notice[1] else None
        panel = HELP_LINES if self.show_help else ()
        if self.runner is not None:
            progress = self.runner.progress
            if resting:
                cue = None
                hud = replace(
                    hud,
                    reps_by_side={},
                    hold_s=None,
                    hold_target_s=None,
                    warn_landmarks=frozenset(),
                )
                if not panel and not progress.done:
                    panel = _rest_panel(progress)
            hud = replace(
                hud,
                title=_routine_title(progress),
                set_line=None if progress.done else _set_line(progress),
                rep_target=progress.target if progress.unit == "reps" else None,
            )
            if progress.unit == "s" and hud.hold_s is not None:  # a set of one long hold
                hud = replace(hud, hold_target_s=progress.target)
        else:
            hud = replace(hud, rep_target=self.target_reps)
        if self._start is not None:  # the placement card, then the countdown
            start = self._start
            counting = start.phase is StartPhase.COUNTDOWN
            hud = replace(
                hud, reps_by_side={}, hold_s=None, hold_target_s=None, set_line=None,
                countdown=start.count if counting else None, info=(),
                warn_landmarks=frozenset(),
            )  # fmt: skip
            if not panel and not counting:
                panel = (*start.card, "", start.status)
        hud = replace(
            hud,
            cue=cue.text if cue and not cue.is_guidance else None,
            cue_severity=cue.severity if cue else "warning",
            setup=cue.text if cue and cue.is_guidance else None,
            notice=notice,
            paused=self.paused,
            panel=panel,
            warn_landmarks=frozenset() if self.paused else hud.warn_landmarks,
        )
        return annotate(scene, pose, hud)

    def _canvas_wh(self, picture_wh: tuple[int, int]) -> tuple[int, int]:
        """The window's picture area, or the picture's own size (no window, or not known)."""
        size = getattr(self.view, "canvas_wh", None) if self.view is not None else None
        if size is None or size[0] < 32 or size[1] < 32:
            return picture_wh
        return size

    def _backdrop(self, size_wh: tuple[int, int]) -> np.ndarray:
        w, h = size_wh if size_wh[0] > 0 and size_wh[1] > 0 else (960, 540)
        return np.full((h, w, 3), BACKGROUND_BGR, np.uint8)

    def _info(self, frame: EngineFrame) -> tuple[str, ...]:
        """Top right, under the title: the value that drives the count, in words, per side."""
        reps = self.exercise.reps
        if self._words is None or self._words.exercise is not self.exercise:
            self._words = Words(self.exercise)
        lines = []
        if reps is not None:
            values = []
            for sf in frame.sides:
                name = substitute_side(reps.drive, sf.side)
                value = sf.drive
                shown = "--" if math.isnan(value) else self._words.value(name, value, 0)
                values.append(shown if sf.side == "both" else f"{sf.side} {shown}")
            lines += [self._words.feature(reps.drive), "   ".join(values)]
        lines.append(f"{self._fps:.0f} frames/s" if self._fps else "-- frames/s")
        return tuple(lines)

    # -- the end -------------------------------------------------------------------------
    def _result(self, feed: LiveInput, ended_by: EndedBy) -> dict[str, Any]:
        first = self._first_t if self._first_t is not None else 0.0
        last = self._last_t if self._last_t is not None else first
        if self.runner is not None:
            result = self.runner.summary(source=feed.name)
        else:
            result = session_result(
                self.exercise, self.engine.reps, self.engine.events,
                source=feed.name, duration_s=last - first,
            )  # fmt: skip
        if ended_by == "interrupt":
            result["interrupted"] = True
        result["live"] = {"ended_by": ended_by, "dropped_frames": feed.dropped_frames}
        return result

    def _summary_screen(self, result: dict[str, Any], ended_by: EndedBy) -> None:
        """The summary over the last picture, until a key, the window closes or time runs out."""
        base = self._last_scene if self._last_scene is not None else self._backdrop((960, 540))
        scene = (base * 0.35).astype(np.uint8)
        if self.routine is not None:
            lines = routine_summary_lines(result)
        else:
            lines = summary_lines(result, self.exercise.name)
        wait_s = self.summary_s if ended_by in ("input", "complete") else self.quit_summary_s
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

    def _per_exercise(self, result: dict[str, Any]) -> list[dict[str, Any]]:
        """A routine's counted reps as one ``formcheck.result`` per exercise: its sets' reps
        numbered on from set to set, its duration the sum of its sets'."""
        if self.routine is None:
            return []
        defs = {step.exercise.id: step.exercise for step in self.routine.steps}
        runner = self.runner
        stopped = runner is not None and result.get("interrupted") and not runner.completed
        # the exercise under way, or (while resting) the one whose next set was still to come
        cut = runner.progress.exercise if stopped else None  # type: ignore[union-attr]
        out = []
        for exercise_id, reps in self._set_reps.items():
            if not reps:
                continue
            per_side: dict[str, int] = {}
            numbered = []
            for k, rep in enumerate(reps, 1):
                per_side[rep.side] = per_side.get(rep.side, 0) + 1
                numbered.append(replace(rep, index=k, side_index=per_side[rep.side]))
            duration = sum(
                s["end_s"] - s["start_s"]
                for ex in result["exercises"] if ex["exercise"] == exercise_id
                for s in ex["sets"]
            )  # fmt: skip
            one = session_result(
                defs[exercise_id], numbered, [], source=result["source"], duration_s=duration
            )
            if exercise_id == cut:  # Ctrl+C before its sets were done: a partial session
                one["interrupted"] = True
            out.append(one)
        return out


def _routine_title(progress: RoutineProgress) -> str:
    """The window's title line in a routine: the exercise (the next one while resting) and,
    when there are several, which one it is."""
    if progress.done:
        return "Routine complete"
    if progress.exercises == 1:
        return progress.name
    return f"{progress.name}  (exercise {progress.exercise_index} of {progress.exercises})"


def _set_line(progress: RoutineProgress) -> str:
    """Under the counter: "set 1 of 3", and the hold a set of holds aims for."""
    line = f"set {progress.set_index} of {progress.sets}"
    if progress.unit == "s":
        line += f": hold {progress.target:g} s"
    return line


def _rest_panel(progress: RoutineProgress) -> tuple[str, ...]:
    """The big rest countdown in the middle of the window."""
    left = math.ceil(progress.rest_left_s - 1e-9)
    return (
        f"Rest {left} s",
        f"next: {progress.name}, set {progress.set_index} of {progress.sets}",
        "space: skip the rest   n: next exercise",
    )
