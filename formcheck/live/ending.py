"""The end of a live session: how it ended (:class:`LiveOutcome`), its ``formcheck.result``
(a routine's: ``formcheck.routine_result``), a routine's reps as one ``formcheck.result`` per
exercise (for the training history) and the summary screen's picture."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from formcheck.engine import ExerciseDef, session_result
from formcheck.engine.events import RepRecord
from formcheck.engine.routine import Routine, RoutineRunner
from formcheck.live.feed import LiveInput
from formcheck.live.summary import routine_summary_lines, summary_lines
from formcheck.pipeline import SessionResult
from formcheck.render.annotate import Hud, annotate

__all__ = ["EndedBy", "LiveOutcome", "live_result", "per_exercise", "summary_image"]

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
    ``engine_ms`` / ``overlay_ms``: mean time per frame in the engine (+ cues) and in drawing,
    by the session's clock (wall time: it includes waiting for the CPU while the pose thread or
    another process has it); ``engine_cpu_ms`` / ``overlay_cpu_ms``: the loop thread's own CPU
    time in them, what they cost.
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
    engine_cpu_ms: float = 0.0
    overlay_cpu_ms: float = 0.0


def live_result(
    feed: LiveInput,
    ended_by: EndedBy,
    *,
    runner: RoutineRunner | None,
    ended: SessionResult | None,
) -> dict[str, Any]:
    """The session's result: the ``runner``'s summary, or one exercise's run as it ``ended``
    (its frames counted, from the first to the last); how it ended under "live"."""
    live = {"ended_by": ended_by, "dropped_frames": feed.dropped_frames}
    if runner is not None:
        return runner.summary(source=feed.name, interrupted=ended_by == "interrupt", live=live)
    assert ended is not None
    return ended.to_dict(live=live)


def per_exercise(
    result: dict[str, Any],
    routine: Routine | None,
    runner: RoutineRunner | None,
    set_reps: dict[str, list[RepRecord]],
) -> list[dict[str, Any]]:
    """A routine's counted reps (``set_reps``, by exercise) as one ``formcheck.result`` per
    exercise: its sets' reps numbered on from set to set, its duration the sum of its sets'.
    Empty for a single exercise."""
    if routine is None:
        return []
    defs = {step.exercise.id: step.exercise for step in routine.steps}
    stopped = runner is not None and result.get("interrupted") and not runner.completed
    # the exercise under way, or (while resting) the one whose next set was still to come
    cut = runner.progress.exercise if stopped else None  # type: ignore[union-attr]
    out = []
    for exercise_id, reps in set_reps.items():
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
            defs[exercise_id], numbered, [], source=result["source"], duration_s=duration,
            interrupted=exercise_id == cut,  # Ctrl+C before its sets were done: a partial session
        )  # fmt: skip
        out.append(one)
    return out


def summary_image(
    base: np.ndarray, result: dict[str, Any], exercise: ExerciseDef | None
) -> np.ndarray:
    """The summary screen: ``result``'s summary (a routine's when ``exercise`` is None) over
    ``base``, the last picture shown, dimmed."""
    scene = (base * 0.35).astype(np.uint8)
    if exercise is None:
        lines = routine_summary_lines(result)
    else:
        lines = summary_lines(result, exercise.name)
    return annotate(scene, None, Hud(panel=(*lines, "", "any key closes")))
