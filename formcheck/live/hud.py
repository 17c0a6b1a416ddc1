"""What the live window's heads-up display says, on top of what
:func:`formcheck.render.annotate.hud_for` reads off the engine: the value that drives the
count and the frame rate; in a routine, the exercise and which one it is, "set k of n" and
the rest countdown; during a guided start, the placement card or 3-2-1; the cue, a key's
notice, the help and PAUSED. Pure functions: :class:`formcheck.live.session.LiveSession`
draws what they return."""

from __future__ import annotations

import math
from dataclasses import replace

from formcheck.engine import ExerciseDef
from formcheck.engine.frame import EngineFrame
from formcheck.engine.routine import RoutineProgress
from formcheck.engine.words import Words
from formcheck.features.spec import substitute_side
from formcheck.live.cues import Cue
from formcheck.live.start import GuidedStart, StartPhase
from formcheck.render.annotate import Hud

__all__ = ["info_lines", "live_hud", "rest_panel", "routine_title", "set_line"]


def live_hud(
    hud: Hud,
    *,
    cue: Cue | None,
    notice: str | None,
    panel: tuple[str, ...],
    paused: bool,
    progress: RoutineProgress | None,
    resting: bool,
    start: GuidedStart | None,
    target_reps: int | None,
) -> Hud:
    """The engine's ``hud`` with the session's own over it: ``cue`` (None while paused), a
    key's ``notice``, a ``panel`` (the help, or nothing), PAUSED; a routine's ``progress``
    (None: a single exercise, whose set aims for ``target_reps``) and whether it is
    ``resting`` (or done); the guided ``start`` under way, or None."""
    if progress is not None:
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
                panel = rest_panel(progress)
        hud = replace(
            hud,
            title=routine_title(progress),
            set_line=None if progress.done else set_line(progress),
            rep_target=progress.target if progress.unit == "reps" else None,
        )
        if progress.unit == "s" and hud.hold_s is not None:  # a set of one long hold
            hud = replace(hud, hold_target_s=progress.target)
    else:
        hud = replace(hud, rep_target=target_reps)
    if start is not None:  # the placement card, then the countdown
        counting = start.phase is StartPhase.COUNTDOWN
        hud = replace(
            hud, reps_by_side={}, hold_s=None, hold_target_s=None, set_line=None,
            countdown=start.count if counting else None, info=(),
            warn_landmarks=frozenset(),
        )  # fmt: skip
        if not panel and not counting:
            panel = (*start.card, "", start.status)
    return replace(
        hud,
        cue=cue.text if cue and not cue.is_guidance else None,
        cue_severity=cue.severity if cue else "warning",
        setup=cue.text if cue and cue.is_guidance else None,
        notice=notice,
        paused=paused,
        panel=panel,
        warn_landmarks=frozenset() if paused else hud.warn_landmarks,
    )


def info_lines(
    frame: EngineFrame, exercise: ExerciseDef, words: Words, fps: float
) -> tuple[str, ...]:
    """Top right, under the title: the value that drives the count, in words, per side, and
    the frames drawn per second (0: not known yet)."""
    reps = exercise.reps
    lines = []
    if reps is not None:
        values = []
        for sf in frame.sides:
            name = substitute_side(reps.drive, sf.side)
            value = sf.drive
            shown = "--" if math.isnan(value) else words.value(name, value)
            values.append(shown if sf.side == "both" else f"{sf.side} {shown}")
        lines += [words.feature(reps.drive), "   ".join(values)]
    lines.append(f"{fps:.0f} frames/s" if fps else "-- frames/s")
    return tuple(lines)


def routine_title(progress: RoutineProgress) -> str:
    """The window's title line in a routine: the exercise (the next one while resting) and,
    when there are several, which one it is."""
    if progress.done:
        return "Routine complete"
    if progress.exercises == 1:
        return progress.name
    return f"{progress.name}  (exercise {progress.exercise_index} of {progress.exercises})"


def set_line(progress: RoutineProgress) -> str:
    """Under the counter: "set 1 of 3", and the hold a set of holds aims for."""
    line = f"set {progress.set_index} of {progress.sets}"
    if progress.unit == "s":
        line += f": hold {progress.target:g} s"
    return line


def rest_panel(progress: RoutineProgress) -> tuple[str, ...]:
    """The big rest countdown in the middle of the window."""
    left = math.ceil(progress.rest_left_s - 1e-9)
    return (
        f"Rest {left} s",
        f"next: {progress.name}, set {progress.set_index} of {progress.sets}",
        "space: skip the rest   n: next exercise",
    )
