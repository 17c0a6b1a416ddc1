"""Rep and hold state machines for one side, on one driving feature.

``RepMachine.update(t_s, value)`` moves between :class:`Phase.REST` and :class:`Phase.TOP` with
hysteresis (enter / leave thresholds) and debouncing (a change counts only after it has held
``min_phase_s``). NaN values (feature not seen) change nothing.

A rep also ends without reaching the rest zone when the value comes most of the way back
(``SHORT_RETURN`` of the way from the rep's peak to the leave threshold) and then goes into
the top again: two lifts with a short return between them are two reps, not one.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from formcheck.engine.definition import HoldDef, RepDef
from formcheck.engine.events import Phase

__all__ = ["CUT_OFF_RETURN", "SHORT_RETURN", "HoldTracker", "RepMachine", "Transition"]

# A rep cut off by the end of the input counts when its return had covered at least this share
# of the way from its peak back to the rest level it started from (see ``RepMachine.finish``).
CUT_OFF_RETURN = 0.5

# A dip out of the top that covers at least this share of the way from the rep's peak to the
# leave threshold (for ``min_phase_s``), followed by a new lift into the top, ends the rep at
# the dip's lowest point and starts the next one there (an arm not let down fully between
# rows). A wobble at the top, or a lift that sags and rises again, stays one rep. Measured
# against leave, not the rest level before the rep: that one is the lowest value seen, and
# landmark noise makes it lower still.
SHORT_RETURN = 0.85


@dataclass(frozen=True, slots=True)
class Transition:
    """``kind`` is "started" (top confirmed; the rep began at ``start_s``), "completed", or
    "discarded" (back at rest, but the top was shorter than ``min_top_s`` or the rep longer
    than ``max_rep_s``: not a rep)."""

    kind: str
    t_s: float
    start_s: float
    end_s: float | None = None
    peak: float = math.nan
    range: float = math.nan


class RepMachine:
    """One side's rep counter. Values are compared in the definition's direction."""

    def __init__(self, rep: RepDef) -> None:
        self.rep = rep
        self._sign = 1.0 if rep.direction == "up" else -1.0
        self.reset()

    def reset(self, need_rest: bool = True) -> None:
        """Back to rest. With ``need_rest`` the next rep counts only after the value has been
        seen in the rest zone (a rep whose start was not seen is not counted)."""
        self.need_rest = need_rest
        self.phase = Phase.REST
        self._pending_since: float | None = None  # candidate phase change began here
        self._pending_value_t: float | None = None
        self._last_rest_t: float | None = None  # last time the value was inside the rest zone
        self._trough = math.inf  # lowest (signed) value since the last rep
        self._peak = -math.inf
        self.start_s: float | None = None
        self.top_since: float | None = None
        self._last_r = math.nan  # the last robust (signed) value seen
        self._beyond_leave = self._beyond_enter = False
        self._clear_dip()

    def _clear_dip(self) -> None:
        """Forget the dip out of the top zone (see ``SHORT_RETURN``): the rep's peak before it,
        the first and latest time it was back far enough, its lowest value and when, and when
        the value came back into the top after it."""
        self._dip_peak: float | None = None
        self._deep_first_t = self._deep_last_t = self._dip_low_t = math.nan
        self._dip_low = math.inf
        self._relift_since: float | None = None

    def _v(self, value: float) -> float:
        return self._sign * value

    @property
    def at_top(self) -> bool:
        """In the top phase and beyond the enter threshold (not on the way out)."""
        return self.phase is Phase.TOP and self._beyond_enter

    @property
    def moving(self) -> bool:
        """Out of the rest zone (between leave and enter, or in the top)."""
        return self.phase is Phase.TOP or self._beyond_leave

    def update(self, t_s: float, value: float, robust: float | None = None) -> Transition | None:
        """Feed one value. ``robust`` (e.g. a short running median of the value) is used for
        the peak and the range, so one noisy frame does not make the extreme."""
        self.new_peak = self.new_trough = False
        if math.isnan(value):
            return None
        v, enter, leave = self._v(value), self._v(self.rep.enter), self._v(self.rep.leave)
        r = v if robust is None or math.isnan(robust) else self._v(robust)
        self._last_r = r
        self._beyond_leave = v >= leave
        self._beyond_enter = v >= enter
        self.new_peak = v >= leave and r > self._peak
        self.new_trough = self.phase is Phase.REST and r < self._trough
        if self.phase is Phase.REST:
            self._trough = min(self._trough, r)
            if v < leave:
                self._last_rest_t = t_s
                self._peak = -math.inf
                self.need_rest = False
            else:
                self._peak = max(self._peak, r)
            if v >= enter and not self.need_rest:
                if self._pending_since is None:
                    self._pending_since = t_s
                if t_s - self._pending_since >= self.rep.min_phase_s - 1e-9:
                    self.phase = Phase.TOP
                    self.top_since = self._pending_since
                    start = self._last_rest_t if self._last_rest_t is not None else t_s
                    self.start_s = start
                    self._pending_since = None
                    return Transition("started", t_s, start)
            else:
                self._pending_since = None
            return None
        # TOP
        if v < enter:
            self._relift_since = None
            if self._dip_peak is None:
                self._dip_peak = self._peak
            if r <= self._dip_peak - SHORT_RETURN * (self._dip_peak - leave) + 1e-9:
                if math.isnan(self._deep_first_t):
                    self._deep_first_t = t_s
                self._deep_last_t = t_s
            if r < self._dip_low:
                self._dip_low, self._dip_low_t = r, t_s
                self.new_trough = True  # the next rep's trough, if this dip ends this one
        elif self._dip_peak is not None:
            self._pending_since = None
            ended = self._short_return(t_s)
            if ended is not None or self._relift_since is not None:
                self.new_peak = False  # the next rep's peak, not this one's
                return ended
        self._peak = max(self._peak, r)
        if v < leave:
            if self._pending_since is None:
                self._pending_since = t_s
            if t_s - self._pending_since >= self.rep.min_phase_s - 1e-9:
                end = self._pending_since
                start = self.start_s if self.start_s is not None else end
                top_since = self.top_since if self.top_since is not None else end
                peak, trough = self._peak, self._trough
                self.reset(need_rest=False)
                self._trough = r
                self.new_trough = True
                self._last_rest_t = t_s
                return self._ended(t_s, start, top_since, end, peak, trough)
        else:
            self._pending_since = None
        return None

    def _ended(
        self, t_s: float, start: float, top_since: float, end: float, peak: float, trough: float
    ) -> Transition:
        """A rep that ended at ``end`` (peak and trough signed): "discarded" when its top was
        shorter than ``min_top_s`` or the rep longer than ``max_rep_s``."""
        ok = end - top_since >= self.rep.min_top_s - 1e-9 and end - start <= self.rep.max_rep_s
        kind = "completed" if ok else "discarded"
        return Transition(kind, t_s, start, end, self._sign * peak, peak - trough)

    def _short_return(self, t_s: float) -> Transition | None:
        """Back in the top after a dip: the rep ends at the dip's lowest point when the dip was
        deep enough and the new lift has held ``min_phase_s``; the next rep starts there."""
        assert self._dip_peak is not None
        peak, low, low_t = self._dip_peak, self._dip_low, self._dip_low_t
        if not self._deep_last_t - self._deep_first_t >= self.rep.min_phase_s - 1e-9:
            self._clear_dip()  # not back far enough, or only for a moment: still the same rep
            return None
        if self._relift_since is None:
            self._relift_since = t_s
        if t_s - self._relift_since < self.rep.min_phase_s - 1e-9:
            return None
        start = self.start_s if self.start_s is not None else low_t
        top_since = self.top_since if self.top_since is not None else low_t
        relift, trough = self._relift_since, self._trough
        self.reset(need_rest=False)
        self._trough, self._last_rest_t = low, low_t
        self._pending_since = relift  # the next update confirms the new rep's start
        return self._ended(t_s, start, top_since, low_t, peak, trough)

    def finish(self, t_s: float, hold: bool = False) -> Transition | None:
        """End of input: the rep in the top phase as far as it went, or None. The machine is
        back at rest afterwards.

        With ``hold`` (an exercise timing a hold at the top) the rep counts wherever it is in
        the top and ends at ``t_s``: a hold held until the recording stops is a hold, and its
        time says how long it lasted.

        Otherwise the rep was cut off before its return could be confirmed (below ``leave`` for
        ``min_phase_s``), and it counts only when it was clearly on its way back: the last
        robust value has left the top zone (back past ``enter``) and covered at least
        ``CUT_OFF_RETURN`` of the way from the rep's peak to the rest level before it. A lift
        that has only just started (still rising, or still at the top) is not counted. The
        rep ends where the value went below ``leave`` if it did, else at ``t_s``.

        A rep whose short return (``SHORT_RETURN``) was followed by a new lift not yet
        confirmed when the input ends counts, ending at the dip.

        Either way ``min_top_s`` and ``max_rep_s`` apply to that end as to any rep (a
        "discarded" transition when they fail): touching the bar for a moment just before
        the recording stops is not a hang.
        """
        if self.phase is not Phase.TOP or self.start_s is None:
            self.reset()
            return None
        start, peak, trough = self.start_s, self._peak, self._trough
        top_since = self.top_since if self.top_since is not None else start
        end = t_s
        if not hold and self._relift_since is not None and self._dip_peak is not None:
            # back most of the way, and the next lift had begun: the rep ended at the dip
            peak, end = self._dip_peak, self._dip_low_t
        elif not hold:
            r, enter, span = self._last_r, self._v(self.rep.enter), peak - trough
            on_way_back = math.isfinite(span) and span > 0 and r < enter
            if not (on_way_back and (peak - r) / span >= CUT_OFF_RETURN - 1e-9):
                self.reset()
                return None
            if self._pending_since is not None:  # already below leave, not yet for long enough
                end = self._pending_since
        self.reset(need_rest=False)
        return self._ended(t_s, start, top_since, end, peak, trough)

    _beyond_leave = False
    _beyond_enter = False
    new_peak = False  # this frame's value is the rep's most extreme so far
    new_trough = False  # this frame's value is the lowest in the rest before the next rep


class HoldTracker:
    """Time held still at the top while the form is right.

    A frame is "holding" when ``ok`` (in the top, conditions met, no fault) and the driving
    feature's speed (least-squares slope over ``window_s``) is below ``hold.still_speed``.
    Holding frames accumulate into a segment; a break longer than ``hold.max_gap_s`` ends
    the segment, shorter ones (dropouts, one noisy frame) are bridged. ``best_s`` is the
    longest segment of the current rep; a gap up to ``max_gap_s`` (a dropout, a noisy frame)
    is bridged, a longer one (moving, a fault that lasts) starts a new segment.
    """

    def __init__(self, hold: HoldDef, window_s: float = 0.3) -> None:
        self.hold = hold
        self.window_s = window_s
        self._samples: deque[tuple[float, float]] = deque()
        self.reset()

    def reset(self) -> None:
        self._samples.clear()
        self._last_hold_t: float | None = None
        self.segment_s = 0.0
        self.best_s = 0.0

    def speed(self) -> float:
        if len(self._samples) < 3:
            return math.inf
        t, v = np.array(self._samples).T
        t = t - t.mean()
        denom = float(np.dot(t, t))
        return abs(float(np.dot(t, v - v.mean())) / denom) if denom > 0 else math.inf

    def update(self, t_s: float, value: float, ok: bool) -> bool:
        """Feed one frame; returns whether this frame counts as holding."""
        if math.isnan(value):
            return False
        self._samples.append((t_s, value))
        while self._samples and self._samples[0][0] < t_s - self.window_s - 1e-6:
            self._samples.popleft()
        holding = ok and self.speed() <= self.hold.still_speed
        if not holding:
            return False
        last = self._last_hold_t
        if last is not None and t_s - last <= self.hold.max_gap_s + 1e-9:
            self.segment_s += t_s - last
        else:
            self.segment_s = 0.0
        self._last_hold_t = t_s
        self.best_s = max(self.best_s, self.segment_s)
        return True
