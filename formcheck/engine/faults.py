"""Fault rules over time: a condition must hold ``min_duration_s`` before a fault fires and be
gone ``clear_after_s`` before it clears (no flicker either way), or not seen for ``UNSEEN_S``.
A condition must be seen to hold: where its features are not seen for longer than
``UNSEEN_GAP_S`` before it has lasted ``min_duration_s``, its time starts again (two bad frames
on either side of a second the rule could not judge are not a sustained fault). The evidence
is the median value over the faulty span (typical, not one noisy frame)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from formcheck.engine.definition import FaultDef
from formcheck.engine.events import FaultEvidence
from formcheck.features.spec import substitute_side

__all__ = ["UNSEEN_GAP_S", "UNSEEN_S", "FaultState"]

# An active fault whose features have not been seen (clearly) for this long is cleared.
UNSEEN_S = 1.0
# A gap in what a rule can see that still counts as seen: a few frames of landmark dropout.
UNSEEN_GAP_S = 0.15


@dataclass(slots=True)
class FaultState:
    """Tracks one fault rule on one side."""

    rule: FaultDef
    side: str
    since_s: float | None = None
    active: bool = False
    values: list[float] = field(default_factory=list)  # first condition's values in the span
    last_t: float = math.nan
    span_start: float = math.nan  # start of the current (or last) faulty span
    unseen_from: float | None = None  # the first frame of a stretch its features were not seen
    _names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._names = [substitute_side(c.feature, self.side) for c in self.rule.when]

    def feature_names(self) -> list[str]:
        return list(self._names)

    def cue(self) -> str:
        return substitute_side(self.rule.cue, self.side)

    def update(self, t_s: float, values: dict[str, float], applies: bool) -> str | None:
        """Feed one frame; returns "raised", "cleared" or None."""
        vals = [values.get(n, math.nan) for n in self._names]
        if any(math.isnan(v) for v in vals):
            if self.unseen_from is None:
                self.unseen_from = t_s
            # not seen: change nothing, but a fault not seen for long is over (not judged)
            if self.active and t_s - self.last_t >= max(self.rule.clear_after_s, UNSEEN_S):
                self.since_s, self.active = None, False
                return "cleared"
            return None
        # unseen from a frame on until this one: a gap (a slow frame rate alone is none)
        gap = self.unseen_from is not None and t_s - self.unseen_from > UNSEEN_GAP_S + 1e-9
        self.unseen_from = None
        bad = applies and all(c.holds(v) for c, v in zip(self.rule.when, vals, strict=True))
        if bad:
            if self.since_s is None or (gap and not self.active):
                self.since_s = self.span_start = t_s
                self.values = []
            self.values.append(vals[0])
            self.last_t = t_s
            if not self.active and t_s - self.since_s >= self.rule.min_duration_s - 1e-9:
                self.active = True
                return "raised"
            return None
        # good again: a blip shorter than clear_after_s (one noisy frame) changes nothing
        if self.since_s is not None and t_s - self.last_t < self.rule.clear_after_s - 1e-9:
            return None
        was_active = self.active
        self.since_s, self.active = None, False
        return "cleared" if was_active else None

    def evidence(self) -> FaultEvidence:
        cond = self.rule.when[0]
        value = statistics.median(self.values) if self.values else math.nan
        return FaultEvidence(
            feature=self.feature_names()[0],
            value=round(float(value), 3),
            threshold=cond.threshold_text() + (" from rest" if self.rule.from_rest else ""),
            side=self.side,
            start_s=float(self.span_start),
            end_s=float(self.last_t),
        )

    def clear(self) -> None:
        self.since_s, self.active = None, False
