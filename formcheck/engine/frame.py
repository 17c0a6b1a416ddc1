"""What the engine makes of one frame: a frozen record every consumer reads.

Each :meth:`Engine.update <formcheck.engine.Engine.update>` returns an :class:`EngineFrame`
(``engine.frame`` keeps the last one, for whoever reads it between updates): the smoothed pose,
the feature values, each side's phase, drive, rest level and hold, the active faults (with
their margin and span) and those about to be raised, the counts and the events of that frame.
The HUD, the annotated video, the report's collector and the live window draw and gather from
it; none of them reads the engine's machines or fault states.

Building it costs a few small tuples per frame: the values and the pose are the engine's own
(made new each frame, never changed afterwards), not copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from formcheck.engine.events import Event, Phase
from formcheck.pose.core import PoseFrame

__all__ = ["ActiveFault", "EngineFrame", "SideFrame"]


@dataclass(frozen=True, slots=True)
class SideFrame:
    """One rep machine's state ("both", or "left" / "right") after a frame.

    ``drive`` is the driving feature's value (NaN: not seen); ``rest`` the person's rest level
    of it (NaN until known); ``hold_s`` the longest hold with good form of the rep in progress."""

    side: str
    phase: Phase
    drive: float
    rest: float
    at_top: bool
    moving: bool
    hold_s: float


@dataclass(frozen=True, slots=True)
class ActiveFault:
    """A fault raised and not yet cleared (or, in ``EngineFrame.pending``, one whose rule
    holds but not yet for as long as it must): since ``span_start_s``; ``margin`` is how far
    this frame's value of its first condition's feature (from the rest, for a rule judged
    from the rest) lies beyond the threshold, in the feature's units (positive: beyond; NaN:
    not seen); ``landmarks`` are those its features are measured on (drawn in warning
    colour)."""

    rule_id: str
    side: str
    span_start_s: float
    margin: float
    landmarks: frozenset[str]


@dataclass(frozen=True, slots=True)
class EngineFrame:
    """The engine's state after one frame (see the module docstring).

    ``pose`` is the smoothed pose the engine judged (None before the first frame);
    ``faults`` are the raised ones, ``pending`` those whose span has begun but that are not
    raised yet; ``reps_by_side`` counts by side or direction, as the result does."""

    t_s: float
    pose: PoseFrame | None
    values: Mapping[str, float]
    sides: tuple[SideFrame, ...]
    faults: tuple[ActiveFault, ...]
    events: tuple[Event, ...]
    reps_by_side: Mapping[str, int]
    pending: tuple[ActiveFault, ...] = ()

    def side(self, name: str) -> SideFrame:
        """The state of one side (``KeyError`` for a side the exercise does not have)."""
        for s in self.sides:
            if s.side == name:
                return s
        raise KeyError(f"no side {name!r}: the engine's sides are {[s.side for s in self.sides]}")

    @property
    def hold_s(self) -> float:
        """The longest good-form hold of any side's rep in progress (s)."""
        return max((s.hold_s for s in self.sides), default=0.0)

    @property
    def warn_landmarks(self) -> frozenset[str]:
        """Landmarks of every active fault (to draw those limbs in warning colour)."""
        if not self.faults:
            return frozenset()
        if len(self.faults) == 1:
            return self.faults[0].landmarks
        return frozenset().union(*(f.landmarks for f in self.faults))
