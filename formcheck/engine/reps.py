"""Rep and hold state machines for one side, on one driving feature, relative to the person.

A rep is a movement away from the person's own rest level and back. Nothing here is an
absolute threshold: ``RepMachine`` learns where this person rests and how far their reps go
while the set runs, and compares each new movement with that.

- **Rest.** Between reps the machine tracks the *rest level*: the lowest (signed) value of the
  last ``REST_MEMORY_S`` seconds at rest (of a short running median, so one noisy frame is not
  the rest). It follows a person who settles into a new position. A rest is a position held:
  when that lowest value lies further below the lowest level held for ``min_phase_s`` than
  the rest band is wide, it was a dip of the pose model's for a few frames (a lifted body
  read flat), not a rest, and the held level is the rest; were the dip the rest, the person
  lying still after it would read as the top of a rep. A rep's range is measured from the
  lowest value. ``rest`` in the definition stands in until the person's own rest is seen, so
  a set that starts in the held position (already hanging) counts.
- **Top.** A rep starts when the value has risen above the rest level by the *rise needed*
  and stayed there ``min_phase_s``: the definition's ``min_range`` (the smallest movement that
  is a rep at all, so a fidget is never one) or, once reps of this side have been seen,
  ``share`` of their typical range (the median of the last ``TYPICAL_OF`` ranges, once
  ``TYPICAL_MIN`` reps were seen, so one odd rep does not set the bar), whichever is larger.
  The rep began when the value last left the rest band (``START_BAND`` of the rise needed
  above the rest level).
- **Back.** A rep is on its way back when the value has come back ``RETURN_SHARE`` of the
  way from its peak to the rest level it rose from (or as far as the rise a rep needs, if
  that is nearer), for ``min_phase_s``; it ends back in the rest band, or at the lowest point
  of its return when the value rises again or stops coming down. A wobble at the top stays
  one rep; an arm let down most of the way and pulled again is two reps, since the next rep
  rises from the dip. The peak is the highest robust value (a short running median, so a
  one-frame spike is not the peak).
- ``limits``: values outside them are not this movement (a glitch of the pose model, or, for
  a drive read per side, the other side's movement) and are treated as not seen, like NaN.

Everything is causal (no look-ahead), so the live window counts exactly what ``analyze``
counts on the same frames.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass

from formcheck.engine.definition import RepDef
from formcheck.engine.events import Phase

__all__ = [
    "REST_CONFIRM_S",
    "REST_MEMORY_S",
    "SETTLE_S",
    "RETURN_SHARE",
    "START_BAND",
    "TYPICAL_MIN",
    "TYPICAL_OF",
    "RepMachine",
    "Transition",
    "WindowMin",
]

# A rep ends (or, cut off by the end of the input, counts) when the value has come back this
# share of the way from the rep's peak to the rest level it rose from.
RETURN_SHARE = 0.5
# The rep began when the value last left the rest band: this share of the rise needed.
START_BAND = 0.25
# The rest level is the lowest value of the last this many seconds at rest.
REST_MEMORY_S = 8.0
# After the person was out of view, the rest is known once the value held still this long.
REST_CONFIRM_S = 0.3
# The person's typical range is the median range of this many of their last reps (per side).
TYPICAL_OF = 5
TYPICAL_MIN = 3
# On the way back, a rep ends at its lowest point once the value has not come down further
# (by more than SETTLE_TOLERANCE of the rise needed) for this long.
SETTLE_S = 0.4
SETTLE_TOLERANCE = 0.05


@dataclass(frozen=True, slots=True)
class Transition:
    """``kind`` is "started" (top confirmed; the rep began at ``start_s``), "completed", or
    "discarded" (back, but the top was shorter than ``min_top_s`` or the rep longer than
    ``max_rep_s``: not a rep). ``peak`` is the rep's extreme and ``range`` how far it went from
    the rest level, both in the feature's units; ``rest`` is that rest level."""

    kind: str
    t_s: float
    start_s: float
    end_s: float | None = None
    peak: float = math.nan
    range: float = math.nan
    rest: float = math.nan


class WindowMin:
    """Running minimum of (t, value) pairs over the last ``span_s`` seconds (a maximum: push
    the values negated)."""

    def __init__(self, span_s: float) -> None:
        self.span_s = span_s
        self._q: deque[tuple[float, float]] = deque()

    def push(self, t_s: float, value: float) -> None:
        q = self._q
        while q and q[-1][1] >= value:
            q.pop()
        q.append((t_s, value))
        while q[0][0] < t_s - self.span_s - 1e-9:
            q.popleft()

    @property
    def value(self) -> float:
        return self._q[0][1] if self._q else math.inf


class RepMachine:
    """One side's rep counter. Values are compared in the definition's direction (signed so
    that a rep goes up); ``rest``, ``peak`` and ``range`` are reported in the feature's units."""

    def __init__(self, rep: RepDef, hold: bool = False) -> None:
        self.rep = rep
        # an exercise timing a hold at the top: the time there is the exercise, not a rep
        # abandoned, and does not count against ``max_rep_s``
        self._hold = hold
        self._sign = 1.0 if rep.direction == "up" else -1.0
        self._ranges: deque[float] = deque(maxlen=TYPICAL_OF)
        self.reset(forget=True)

    def reset(self, forget: bool = False) -> None:
        """Back to rest, with nothing seen yet (the person left the picture, say): the next
        rep counts only after the value has held still (within the rest band's width) for
        ``REST_CONFIRM_S``, or was seen coming down into a low and rising from it (see
        :meth:`_settle`), so a person who comes back in the middle of a rep does not score
        it. With ``forget`` a new set starts: the typical range is forgotten too, and the
        first rep may start at once (the first frame is the rest, or the definition's
        ``rest``)."""
        self._confirmed = forget
        self._settling: deque[tuple[float, float]] = deque()
        # back in view: the highest value seen, then the lowest one after it (value, t)
        self._back_high = -math.inf
        self._back_low: tuple[float, float] | None = None
        if forget:
            self._ranges.clear()
            self._fresh = True  # nothing seen of this set yet: the definition's rest applies
        self.phase = Phase.REST
        self._held_low = WindowMin(REST_MEMORY_S)  # the lowest level held for a phase (_level)
        self._floor = WindowMin(REST_MEMORY_S)  # the lowest value at rest, held or not
        self._near: deque[tuple[float, float]] = deque()  # at rest: the last values (_held)
        self._rest_since: float | None = None  # at rest since (after the last rep)
        self._pending_since: float | None = None
        self._low_t: float | None = None  # last time in the rest band
        self._rise = self.rise_needed()
        self.start_s: float | None = None
        self.top_since: float | None = None
        self._base = math.inf  # the rest level the rep in progress rose from (signed)
        self._peak = -math.inf  # the highest robust value of the rep
        self._last_r = math.nan
        self._low: tuple[float, float] | None = None  # (value, t): lowest point of the return
        self._band_t: float | None = None  # in the top phase: back in the rest band since
        self._low_last: float | None = None  # on the way back: last time at the dip
        self._beyond_rise = self._out_of_rest = False
        self.new_peak = self.new_trough = False

    # -- what the rest of the engine reads ------------------------------------------------
    @property
    def sign(self) -> float:
        """+1 for direction "up", -1 for "down": feature value times sign rises in a rep."""
        return self._sign

    @property
    def at_top(self) -> bool:
        """In the top phase and beyond the rise needed (not on the way out)."""
        return self.phase is Phase.TOP and self._beyond_rise

    @property
    def moving(self) -> bool:
        """Out of the rest band (on the way up, in the top or on the way back)."""
        return self.phase is Phase.TOP or self._out_of_rest

    @property
    def rest(self) -> float:
        """The rest level (feature units; NaN before anything was seen)."""
        level = self._base if self.phase is Phase.TOP else self._level()
        return self._sign * level if math.isfinite(level) else math.nan

    @property
    def enter(self) -> float:
        """The level at which the top starts now (feature units; NaN before rest was seen)."""
        level = self._base if self.phase is Phase.TOP else self._level()
        return self._sign * (level + self._rise) if math.isfinite(level) else math.nan

    @property
    def typical_range(self) -> float | None:
        """The median range of this side's last reps (feature units), None before
        ``TYPICAL_MIN`` of them."""
        return statistics.median(self._ranges) if len(self._ranges) >= TYPICAL_MIN else None

    def rise_needed(self) -> float:
        """How far above the rest level the next rep's top starts (feature units, > 0)."""
        typical = self.typical_range
        share = 0.0 if typical is None else self.rep.share * typical
        return max(self.rep.min_range, share)

    def peak_level(self) -> float:
        """The rep's peak so far, signed (its highest robust value)."""
        return self._peak

    def base_level(self) -> float:
        """The rest level the rep in progress rose from, signed."""
        return self._base

    # -- the step --------------------------------------------------------------------------
    def update(self, t_s: float, value: float, robust: float | None = None) -> Transition | None:
        """Feed one value. ``robust`` (a short running median of the value) is used for the
        rest level and the peak, so one noisy frame does not make either."""
        self.new_peak = self.new_trough = False
        lim = self.rep.limits
        if math.isnan(value) or (lim is not None and not lim[0] <= value <= lim[1]):
            return None
        v = self._sign * value
        r = v if robust is None or math.isnan(robust) else self._sign * robust
        self._last_r = r
        if self.phase is Phase.REST:
            return self._at_rest(t_s, v, r)
        return self._in_top(t_s, v, r)

    def _at_rest(self, t: float, v: float, r: float) -> Transition | None:
        if self.rep.rest is not None and self._fresh:
            # the set's first frame: the definition's rest position stands in for the
            # person's, so a set that starts in the held position (already hanging) counts
            self._push(t, self._sign * self.rep.rest)
            self._low_t = t
        self._fresh = False
        if not self._confirmed and not self._settle(t, r):
            return None  # back in view: the rest is not known until the person is still
        self._floor.push(t, r)
        held = self._held(t, r)
        if held is not None:
            self._held_low.push(t, held)
        self._rise = self.rise_needed()
        rest = self._level()
        self.new_trough = r <= rest
        self._out_of_rest = v > rest + START_BAND * self._rise
        self._beyond_rise = v >= rest + self._rise
        if not self._out_of_rest:
            self._low_t = t
        if not self._beyond_rise or self._low_t is None:
            self._pending_since = None  # the rest before it must have been seen
            return None
        if self._pending_since is None:
            self._pending_since = t
        if t - self._pending_since < self.rep.min_phase_s - 1e-9:
            return None
        self.phase = Phase.TOP
        self.top_since = self._pending_since
        self.start_s = self._low_t
        self._base = self._floor.value
        self._pending_since = None
        self._peak = r
        self.new_peak = True
        return Transition("started", t, self.start_s)

    def _level(self) -> float:
        """The rest level (signed): the lowest value at rest, unless that lies further below
        the lowest level held for a phase than the rest band is wide: then it was a dip of
        the pose model's, and the held level is the rest."""
        held, low = self._held_low.value, self._floor.value
        return held if held - low > START_BAND * self._rise else low

    def _push(self, t: float, r: float) -> None:
        """A value known to be the rest (the definition's, or where a rep came back to)."""
        self._held_low.push(t, r)
        self._floor.push(t, r)

    def _held(self, t: float, r: float) -> float | None:
        """The level the (robust) value has stayed at or under through the last
        ``min_phase_s`` at rest, the whole of it (the highest value since the last one at or
        before its start), once that much rest has been seen; None before; the value itself
        while no rest level is known yet. A dip of the pose model's shorter than a phase
        (frames that read the lifted body flat) is not held, so it is not below this level
        (see :meth:`_level`)."""
        q = self._near
        q.append((t, r))
        span = self.rep.min_phase_s
        while len(q) > 1 and q[1][0] <= t - span + 1e-9:
            q.popleft()  # keep one at or before the window's start: it was held from there
        if not math.isfinite(self._held_low.value):
            return r
        if self._rest_since is None:
            self._rest_since = t
        if t - self._rest_since < span - 1e-9:
            return None
        return max(x for _, x in q)

    def _settle(self, t: float, r: float) -> bool:
        """Not yet confirmed (back in view): True once the value has stayed within the rest
        band's width for ``REST_CONFIRM_S`` (those still values start the rest level), or once
        it was seen to come down into a low and rise from it, each by the rest band's width:
        a rep that starts there was seen from its start (arm circles, which never rest)."""
        band = START_BAND * self.rise_needed()
        low = self._back_low
        if low is not None and r > low[0] + band and self._back_high - low[0] >= band:
            self._confirmed = True
            self._settling.clear()
            self._push(low[1], low[0])
            self._low_t = low[1]  # the rep rising now started at the low
            return True
        if r > self._back_high or (low is not None and r > low[0] + band):
            self._back_high, self._back_low = r, (r, t)  # a new high: look for a low after it
        elif low is None or r < low[0]:
            self._back_low = (r, t)
        q = self._settling
        q.append((t, r))
        while q[0][0] < t - REST_CONFIRM_S - 1e-9:
            q.popleft()
        values = [x for _, x in q]
        still = max(values) - min(values) <= START_BAND * self.rise_needed() + 1e-12
        if q[-1][0] - q[0][0] < REST_CONFIRM_S - 1e-9 or not still:
            return False
        self._confirmed = True
        for tq, x in list(q)[:-1]:
            self._push(tq, x)
        q.clear()
        self._low_t = t  # at rest now
        return True

    def _in_top(self, t: float, v: float, r: float) -> Transition | None:
        if self._low is not None:
            return self._returning(t, v, r)
        if r > self._peak:
            self._peak = r
            self.new_peak = True
        peak = self.peak_level()
        self._beyond_rise = v >= self._base + self._rise
        self._out_of_rest = True
        self._track_band(t, v)
        if v > self._back_level(peak):
            self._pending_since = None
            return None
        if self._pending_since is None:
            self._pending_since = t
        if t - self._pending_since < self.rep.min_phase_s - 1e-9:
            return None
        self._low = (r, t)  # on the way back: the rep ends where the return ends
        self._beyond_rise = False
        return self._returning(t, v, r)

    def _track_band(self, t: float, v: float) -> bool:
        """Whether the value is back in the rest band; ``_band_t``: since when."""
        inside = v <= self._base + START_BAND * self._rise
        if not inside:
            self._band_t = None
        elif self._band_t is None:
            self._band_t = t
        return inside

    def _back_level(self, peak: float) -> float:
        """Where the rep counts as on its way back: ``RETURN_SHARE`` of the way from its peak
        to its rest level, or as far back as the rise a rep needs, whichever is nearer (a
        circle that started from the arms hanging comes back only to its own bottom)."""
        return peak - min(RETURN_SHARE * (peak - self._base), self._rise)

    def _returning(self, t: float, v: float, r: float) -> Transition | None:
        """The rep has come back ``RETURN_SHARE`` of the way: it ends back in the rest band,
        or at the lowest point of its return when the value rises again (the next rep starts
        there) or stops coming down for ``SETTLE_S``."""
        assert self._low is not None
        low, low_t = self._low
        band = START_BAND * self._rise
        if r < low - SETTLE_TOLERANCE * self._rise:
            self._low = low, low_t = r, t
        if r <= low + band:
            self._low_last = t  # still at the dip: the next rep starts from here
        if self._track_band(t, v):
            return self._end(t, self._band_t if self._band_t is not None else t)
        if r >= low + band or t - low_t >= SETTLE_S - 1e-9:
            return self._end(t, low_t)
        return None

    def _end(self, t: float, end: float) -> Transition:
        """The rep ended at ``end``; back to rest, the rest level starting from the return's
        lowest point."""
        start = self.start_s if self.start_s is not None else end
        top_since = self.top_since if self.top_since is not None else end
        peak, base = self.peak_level(), self._base
        took = end - start
        if self._hold:  # the time held at the top: until the way back began
            back = self._pending_since if self._low is not None else None
            took -= max(0.0, (back if back is not None else end) - top_since)
        ok = end - top_since >= self.rep.min_top_s - 1e-9 and took <= self.rep.max_rep_s
        if ok:
            self._ranges.append(peak - base)
        low, low_last, last_r = self._low, self._low_last, self._last_r
        self.reset()
        self._confirmed = True  # the rep came back to it: this is the rest
        if low is not None:
            self._push(low[1], low[0])
            self._low_t = low_last if low_last is not None else low[1]
        if not math.isnan(last_r):
            self._push(t, last_r)
        if self._low_t is None:
            self._low_t = t
        self.new_trough = True
        s = self._sign
        kind = "completed" if ok else "discarded"
        return Transition(kind, t, start, end, s * peak, peak - base, s * base)

    def finish(self, t_s: float, hold: bool = False) -> Transition | None:
        """End of input: the rep in the top phase as far as it went, or None. The machine is
        back at rest afterwards.

        With ``hold`` (an exercise timing a hold at the top) the rep counts wherever it is in
        the top and ends at ``t_s``: a hold held until the recording stops is a hold.

        Otherwise the rep counts only when its return had already come ``RETURN_SHARE`` of the
        way back (not yet for ``min_phase_s``): a rep whose return is cut off by the end of the
        video is a rep, a lift that has only just started is not. ``min_top_s`` and
        ``max_rep_s`` apply as to any rep.
        """
        if self.phase is not Phase.TOP:
            self.reset()
            return None
        if hold:
            return self._end(t_s, t_s)
        if self._low is not None:
            return self._end(t_s, self._low[1])
        peak = self.peak_level()
        back = self._back_level(peak)
        if not self._last_r <= back + 1e-9:
            self.reset()
            return None
        return self._end(t_s, self._pending_since if self._pending_since is not None else t_s)
