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

One exercise is counted by the pipeline's :class:`~formcheck.pipeline.SessionRun`, the one
``analyze`` runs, fed frame by frame (``step``): the frames of the guided start and of a pause
are not fed, and the pause is cut out of the engine's time line. A routine is counted by its
:class:`~formcheck.engine.routine.RoutineRunner`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import cv2
import numpy as np

from formcheck.engine import Engine, ExerciseDef
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
    RoutineRunner,
    SetCompleted,
    SetStarted,
)
from formcheck.engine.words import Words
from formcheck.live.audio import Audio
from formcheck.live.cues import CueBoard
from formcheck.live.ending import EndedBy, LiveOutcome, live_result, per_exercise, summary_image
from formcheck.live.feed import LiveFrame, LiveInput
from formcheck.live.hud import info_lines, live_hud
from formcheck.live.keys import HELP_LINES, Action, KeySource, action_for
from formcheck.live.lag import LagWatch
from formcheck.live.lines import describe_event, spoken
from formcheck.live.pause import PauseClock, left_the_hold
from formcheck.live.start import GuidedStart, StartPhase
from formcheck.live.summary import ScreenshotSaver
from formcheck.pipeline import SessionRun
from formcheck.pose.core import PoseFrame
from formcheck.render.annotate import annotate, hud_for, letterbox, placed

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
        # the engine the window shows: one exercise's is that of the pipeline's run, made by
        # run() and fed the frames counted; a routine's runner supplies one per set
        self._run: SessionRun | None = None
        self.engine = Engine(self.exercise)
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
        self._pause = PauseClock()  # the pauses cut out of the engine's time line
        self.show_help = False
        self._notice: tuple[str, float] | None = None
        self._hold_met: set[str] = set()
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
        if self.runner is None:
            self._run = SessionRun(self.exercise, feed.name)
            self.engine = self._run.engine
        ended_by: EndedBy = "input"
        frames = drawn = late = 0
        engine_s = overlay_s = 0.0
        cpu = [0.0, 0.0]  # the loop thread's own CPU time in the engine and in the drawing
        try:
            for lf in feed.frames:
                frames += 1
                t0, c0 = self.clock(), time.thread_time()
                self._analyse(lf.pose)
                if (behind := self._lag.update(lf.pose.t_s, feed.dropped_frames)) is not None:
                    self.behind = behind
                    self._say(behind, seconds=LAG_NOTICE_S)
                t1, c1 = self.clock(), time.thread_time()
                engine_s += t1 - t0
                cpu[0] += c1 - c0
                if lf.late:
                    late += 1
                    continue
                drawn += 1
                if self.draws:
                    scene = self._scene(lf, feed)
                    overlay_s += self.clock() - t1
                    cpu[1] += time.thread_time() - c1
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
        if self._run is not None:  # a rep all but done counts, active faults clear
            ended = self._run.end(interrupted=ended_by == "interrupt")
            finished = list(ended.end.events)
        else:
            assert self.runner is not None
            ended, finished = None, self.runner.finish()
        for ev in finished:
            self._report(ev)
        result = live_result(feed, ended_by, runner=self.runner, ended=ended)
        if self.draws and ended_by not in ("interrupt", "window"):
            self._summary_screen(result, ended_by)
        return LiveOutcome(
            result, ended_by, frames, drawn, feed.dropped_frames,
            1000 * engine_s / max(frames, 1), 1000 * overlay_s / max(drawn, 1),
            late, self.behind, per_exercise(result, self.routine, self.runner, self._set_reps),
            1000 * cpu[0] / max(frames, 1), 1000 * cpu[1] / max(drawn, 1),
        )  # fmt: skip

    # -- per frame -----------------------------------------------------------------------
    def _analyse(self, pose: PoseFrame) -> None:
        if self.paused:
            self._pause.pause(self._last_t, self.exercise, self.engine)
            return
        dropped: list[Event] = []
        # the pause is cut out of the engine's time: a hold or a rep in progress goes on where
        # it stopped, and the pause is neither a fault nor the end of a hold
        held = self._pause.resume(pose.t_s)
        if held and left_the_hold(self.exercise, self.engine, pose, held):
            # held short of the target, then left during the pause: the rep is not judged on
            # a hold the pause cut short; it is dropped, as if the person had stepped away,
            # and done again
            dropped = self.engine.drop_reps_in_progress()
            self._say("The hold was left during the pause: that rep is not counted")
        self._pause.step(pose.t_s, self._last_t)
        if self._start is not None:  # the guided start: nothing is counted yet
            self._last_t = pose.t_s
            self._starting(self._pause.on_time(pose))
            return
        self._last_t = pose.t_s
        before = self.cues.current
        if self._run is not None:
            judged = self._run.step(None, pose, cut_s=self._pause.shift).engine
            events = [*dropped, *judged.events]
            self.cues.update(judged.t_s, events)
        else:
            assert self.runner is not None
            pose = self._pause.on_time(pose)
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
            if self._run is not None:
                self._run.reset()
            elif self.runner is not None:
                self.runner.reset_engine()
            self.cues.reset()
            self._hold_met.clear()
            self._last_t = None
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
        scene, scale, offset = letterbox(image, picture_wh, canvas_wh, background, fast=True)
        pose = placed(pose, scale, offset, canvas_wh)
        now = self.clock()
        if self._last_draw is not None and now > self._last_draw:
            rate = 1.0 / (now - self._last_draw)
            self._fps = rate if self._fps == 0 else 0.9 * self._fps + 0.1 * rate
        self._last_draw = now
        hud = live_hud(
            hud_for(engine, self.engine.exercise, info=self._info(engine)),
            cue=None if self.paused else self.cues.current,
            notice=self._notice[0] if self._notice and now < self._notice[1] else None,
            panel=HELP_LINES if self.show_help else (),
            paused=self.paused,
            progress=self.runner.progress if self.runner is not None else None,
            resting=resting,
            start=self._start,
            target_reps=self.target_reps,
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
        if self._words is None or self._words.exercise is not self.exercise:
            self._words = Words(self.exercise)
        return info_lines(frame, self.exercise, self._words, self._fps)

    # -- the end -------------------------------------------------------------------------
    def _summary_screen(self, result: dict[str, Any], ended_by: EndedBy) -> None:
        """The summary over the last picture, until a key, the window closes or time runs out."""
        base = self._last_scene if self._last_scene is not None else self._backdrop((960, 540))
        image = summary_image(base, result, None if self.routine is not None else self.exercise)
        wait_s = self.summary_s if ended_by in ("input", "complete") else self.quit_summary_s
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
