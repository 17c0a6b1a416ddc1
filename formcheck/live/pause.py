"""Pausing a live session without changing what it counts: the paused time is cut out of the
engine's time line, so a hold or a rep in progress goes on where it stopped and the pause is
neither a fault nor the end of a hold; a hold held short of its target and left during the
pause is found, so that its rep can be dropped and done again."""

from __future__ import annotations

import math
from dataclasses import replace

from formcheck.engine import Engine, ExerciseDef
from formcheck.features.spec import substitute_side
from formcheck.pose.core import PoseFrame

__all__ = ["PauseClock", "holds_not_met", "left_the_hold"]


def holds_not_met(exercise: ExerciseDef, engine: Engine) -> set[str]:
    """Sides held at the top whose hold has not reached its target yet."""
    hold = exercise.hold
    frame = engine.frame
    if hold is None or hold.target_s is None or frame.pose is None:
        return set()
    return {s.side for s in frame.sides if s.at_top and s.hold_s < hold.target_s}


def left_the_hold(exercise: ExerciseDef, engine: Engine, pose: PoseFrame, sides: set[str]) -> bool:
    """Whether, on the first frame after a pause, one of ``sides`` is no longer at the top
    (its drive back below where the rep's top begins)."""
    reps = exercise.reps
    assert reps is not None
    values = engine.features.evaluate(pose, engine.settings.min_visibility)
    for side in sides:
        value = values.get(substitute_side(reps.drive, side), math.nan)
        machine = engine.machine(side)
        if not math.isnan(value) and machine.sign * value < machine.sign * machine.enter:
            return True
    return False


class PauseClock:
    """The engine's time line with the pauses cut out: :meth:`pause` on each frame while
    paused, :meth:`resume` and :meth:`step` on each frame analysed, :meth:`on_time` for the
    time the engine sees."""

    def __init__(self) -> None:
        self.shift = 0.0  # paused time cut out of the engine's time line
        self._from: float | None = None  # last frame analysed before a pause
        self._step_s = 0.0  # the last interval between analysed frames
        self._holding: set[str] = set()  # sides mid-hold (target not met) when paused

    def pause(self, last_t: float | None, exercise: ExerciseDef, engine: Engine) -> None:
        """A frame while paused: the pause runs from ``last_t``, the last frame analysed
        (none yet: nothing to cut)."""
        if self._from is None and last_t is not None:
            self._from = last_t
            self._holding = holds_not_met(exercise, engine)

    def resume(self, t_s: float) -> set[str]:
        """A frame analysed at ``t_s``: if a pause just ended, cut it out of the time line
        (less one frame's step) and give the sides that were mid-hold; otherwise none."""
        if self._from is None:
            return set()
        step = self._step_s if self._step_s > 0 else 1 / 30
        self.shift += max(0.0, t_s - self._from - step)
        self._from = None
        held, self._holding = self._holding, set()
        return held

    def step(self, t_s: float, last_t: float | None) -> None:
        """Note the interval between the last frame analysed and this one."""
        if last_t is not None and t_s > last_t:
            self._step_s = t_s - last_t

    def on_time(self, pose: PoseFrame) -> PoseFrame:
        """The pose at the engine's time (the pauses cut out)."""
        return replace(pose, t_s=pose.t_s - self.shift) if self.shift else pose
