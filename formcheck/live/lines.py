"""What a person reads and hears about the events of a live session: one line per event
worth reading (the headless output, ``--headless``) and the words said aloud for a routine's
events, in the words of the exercise."""

from __future__ import annotations

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.events import (
    BackInView,
    Event,
    FaultCleared,
    FaultRaised,
    NotInView,
    RepCompleted,
    SetupIssue,
    SetupOk,
)
from formcheck.engine.routine import (
    ExerciseStarted,
    RestStarted,
    RestTick,
    RoutineCompleted,
    RoutineEvent,
    SetCompleted,
    SetStarted,
)
from formcheck.engine.words import Words, setup_issue

__all__ = ["describe_event", "spoken"]


def describe_event(event: Event, exercise: ExerciseDef | None = None) -> str | None:
    """One line for the events a person wants to read (reps, faults, setup), in the words of
    ``exercise``; a rep with faults has its evidence on the lines below. None otherwise."""
    words = Words(exercise)
    t = f"{event.t_s:6.1f} s  "
    if isinstance(event, RepCompleted):
        r = event.rep
        side = "" if r.side == "both" else f" ({r.side} {r.side_index})"
        hold = "" if r.hold_s is None else f", hold {r.hold_s:.1f} s"
        if r.form_hold_s is not None and r.hold_s is not None and r.form_hold_s < r.hold_s - 0.05:
            hold += f" ({r.form_hold_s:.1f} s good form)"
        faults = ", ".join(words.fault(f) for f in r.faults) if r.faults else "ok"
        evidence = "".join(
            f"\n{'':6}    {words.fault(f)}: {words.evidence(e)}"
            for f, e in zip(r.faults, r.evidence, strict=True)
        )
        return f"{t}rep {r.index}{side}{hold}: {faults}{evidence}"
    if isinstance(event, FaultRaised):
        side = "" if event.side == "both" else f" ({event.side})"
        return f"{t}fault {words.fault(event.fault)}{side}: {event.cue}"
    if isinstance(event, FaultCleared):
        side = "" if event.side == "both" else f" ({event.side})"
        return f"{t}fault {words.fault(event.fault)}{side} cleared"
    if isinstance(event, SetupIssue):
        return f"{t}setup: {event.message}"
    if isinstance(event, SetupOk):
        return f"{t}setup ok ({setup_issue(event.issue)} fixed)"
    if isinstance(event, NotInView):
        return f"{t}not in view: {event.message}"
    if isinstance(event, BackInView):
        return f"{t}back in view"
    if isinstance(event, RoutineEvent):
        return t + _describe_routine_event(event, words)
    return None


def _describe_routine_event(event: RoutineEvent, words: Words) -> str:
    if isinstance(event, ExerciseStarted):
        return f"exercise {event.index} of {event.count}: {event.name}"
    if isinstance(event, SetStarted):
        return f"set {event.set_index} of {event.sets}: {_target_text(event)}"
    if isinstance(event, SetCompleted):
        counts = ", ".join(
            f"{n}" if side == "both" else f"{side} {n}" for side, n in event.reps_by_side.items()
        )
        how = "done" if event.complete else "ended short"
        faults = words.faults(event.faults) or "no faults"
        return f"set {event.set_index} of {event.sets} {how}: reps {counts}; {faults}"
    if isinstance(event, RestStarted):
        return f"rest {event.seconds:g} s, next: {event.next_exercise} set {event.next_set}"
    if isinstance(event, RestTick):
        return f"rest: {event.left_s} s left"
    assert isinstance(event, RoutineCompleted)
    return "routine complete"


def _target_text(event: SetStarted) -> str:
    if event.unit == "s":
        what = f"hold {event.target:g} s"
    else:
        what = f"{event.target:g} rep" + ("" if event.target == 1 else "s")
    if event.per == ("both",):
        return what
    return what + (" per side" if set(event.per) == {"left", "right"} else " per direction")


def spoken(event: RoutineEvent) -> str | None:
    """What is said aloud for a routine event (None: nothing)."""
    if isinstance(event, ExerciseStarted):
        return event.name
    if isinstance(event, SetStarted):
        return f"Set {event.set_index} of {event.sets}: {_target_text(event)}"
    if isinstance(event, SetCompleted):
        return "Set done" if event.complete else None
    if isinstance(event, RestStarted):
        return f"Rest {event.seconds:g} seconds"
    if isinstance(event, RoutineCompleted):
        return "Routine complete"
    return None
