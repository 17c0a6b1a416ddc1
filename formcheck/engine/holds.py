"""Hold timing at the top of a rep, relative to the person: how long a rep stayed in its held
position, and how much of that with good form (see :class:`HoldClock`)."""

from __future__ import annotations

import math
from collections import deque

from formcheck.engine.definition import HoldDef
from formcheck.engine.reps import RETURN_SHARE, WindowMin

__all__ = ["LIFT_SHARE", "SAG_WINDOW_S", "STILL_SHARE", "STILL_WINDOW_S", "HoldClock"]

# A hold is still: moving slower than this share of the rep's range per second, measured as
# the slope over the last STILL_WINDOW_S ...
STILL_SHARE = 0.5
STILL_WINDOW_S = 0.3
# ... or than this share of the fastest the rep moved on its way to its peak, if that is more.
LIFT_SHARE = 1 / 3
# Once held, the band hangs from the highest value of the last SAG_WINDOW_S, not from the
# rep's peak: a lift sinking slower than the band per this long (6 % of the range a second,
# a person tiring in a long hold) is still held; a lowering, even one the guide calls slow
# (the whole range in 1-2 s), leaves the band as it did. No lower than half way back to the
# rest, where the rep itself is on its way back (RETURN_SHARE).
SAG_WINDOW_S = 4.0


class HoldClock:
    """How long one rep stayed in its held position, and how long with good form.

    The held position is the top of the rep, still: within ``hold.band`` of the rep's range
    below its peak (``peak - band * (peak - rest)``), and moving slower than ``STILL_SHARE`` of
    that range per second (the slope over the last ``STILL_WINDOW_S``), so the slow end of the
    lift and the start of the lowering are not the hold. Both follow the person's own top, not
    a fixed angle. Still is also anything slower than ``LIFT_SHARE`` of the fastest the rep
    moved on its way to the peak: "stopped", against how this person moved into the hold. A
    jittery reading (a limb the pose model places a few degrees differently frame to frame)
    reads a fast lift and jittery slopes at the top alike, and its hold is not broken by the
    jitter: on the rendered bird-dog and prone Y raise, read by the pose model, the holds
    measured 0.29 s for 0.9 and 1.5 s before, 0.62 s after. A smooth drive (the mannequin's,
    eased from 0 to 0) is still where its speed falls under a third of the lift's peak, the
    last tenth of its move.

    A hold once begun goes on while the value stays within the band below the highest value
    of the last ``SAG_WINDOW_S`` (and above half way back to the rest): a long hold sinks as
    the person tires (a superman held 17 s), and sinking slower than the band per
    ``SAG_WINDOW_S`` is holding, not lowering. It begins only within the band below the peak,
    so a pause on the way up is not a hold.

    Held frames accumulate into a segment; a break up to ``hold.max_gap_s`` (a dropout, a
    noisy frame) is bridged, a longer one starts a new segment. ``held_s`` is the rep's
    longest segment; ``good_s`` the longest one in which the form was also right (no
    fault active, every ``hold.when`` condition met). The peak grows while the rep rises, so
    the segments are measured against the peak as it is when asked.

    Frames where the drive is not seen (the person lost by the pose model for a moment) are
    neither held nor broken off: a stretch of them up to ``unseen_gap_s`` between held frames
    is bridged, as the engine keeps the rep itself for that long (``abandon_after_s``). Only
    frames seen outside the held position break a hold after ``hold.max_gap_s``.
    """

    def __init__(self, hold: HoldDef, unseen_gap_s: float = 1.0) -> None:
        self.hold = hold
        self.unseen_gap_s = max(unseen_gap_s, hold.max_gap_s)
        # (t, signed value, speed in units per second, form ok)
        self._samples: list[tuple[float, float, float, bool]] = []
        self._recent: deque[tuple[float, float]] = deque()
        self.reset()

    def reset(self) -> None:
        self._samples.clear()
        self._recent.clear()
        self._highest = -math.inf  # the highest value so far
        self._fastest = 0.0  # the fastest speed so far
        self._lift = 0.0  # the fastest speed up to the highest value
        self._key: tuple[float, ...] = (math.nan,) * 4
        self._runs = [_Run(), _Run()]  # time held; held with good form
        self._level = WindowMin(SAG_WINDOW_S)  # the last SAG_WINDOW_S's highest, negated

    def update(self, t_s: float, value: float, ok: bool) -> None:
        """Feed one frame of the rep in progress (``value`` signed, NaN when not seen)."""
        if math.isnan(value):
            return
        recent = self._recent
        recent.append((t_s, value))
        while recent[0][0] < t_s - STILL_WINDOW_S - 1e-9:
            recent.popleft()
        speed = _slope(recent)
        if math.isfinite(speed):  # not NaN (too few frames), nor inf (no time between them)
            self._fastest = max(self._fastest, speed)
        if value > self._highest:
            self._highest, self._lift = value, self._fastest
        self._samples.append((t_s, value, speed, ok))
        if not math.isnan(self._key[0]):
            self._count(t_s, value, speed, ok)

    def measure(self, peak: float, base: float) -> tuple[float, float, float, float]:
        """``(held_s, good_s, held_now_s, good_now_s)`` against the rep's ``peak`` and the rest
        level ``base`` it rose from (signed): the longest segments of the rep, and the ones
        still going on at the last frame (0 when broken off)."""
        still = max(STILL_SHARE * (peak - base), LIFT_SHARE * self._lift)
        band = self.hold.band * (peak - base)
        key = (peak - band, still, band, peak - RETURN_SHARE * (peak - base))
        if key != self._key:  # the peak (or the lift) moved: measure again from the start
            self._key = key
            self._runs = [_Run(), _Run()]
            self._level = WindowMin(SAG_WINDOW_S)
            for sample in self._samples:
                self._count(*sample)
        end = self._samples[-1][0] if self._samples else math.nan
        gap = self.hold.max_gap_s
        held, good = self._runs
        return held.best, good.best, held.now(end, gap), good.now(end, gap)

    def _count(self, t: float, value: float, speed: float, ok: bool) -> None:
        """One sample into the two runs, against the current level and stillness."""
        if math.isnan(speed):
            return  # too few frames seen lately to tell: neither held nor left
        level, still, band, floor = self._key
        self._level.push(t, -value)
        going = self._runs[0].going(t, self.hold.max_gap_s, self.unseen_gap_s)
        sagged = going and value >= max(floor, -self._level.value - band) - 1e-9
        inside = (value >= level - 1e-9 or sagged) and speed <= still
        gaps = (self.hold.max_gap_s, self.unseen_gap_s)
        self._runs[0].add(t, inside, *gaps)
        self._runs[1].add(t, inside and ok, *gaps)


def _slope(samples: deque[tuple[float, float]]) -> float:
    """Absolute least-squares slope of (t, value) samples (NaN, not known, for fewer than
    three: at the start of a rep, or just after frames not seen)."""
    n = len(samples)
    if n < 3:
        return math.nan
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    num = sum((t - mt) * (v - mv) for t, v in samples)
    return abs(num / den) if den > 0 else math.inf


class _Run:
    """Segments of frames in a condition (``add`` is given only the frames seen): a gap with
    frames seen outside it is bridged up to ``gap`` s, a gap of unseen frames alone up to
    ``unseen_gap`` s."""

    __slots__ = ("best", "first", "last", "left")

    def __init__(self) -> None:
        self.best = 0.0
        self.first = self.last = math.nan
        self.left = False  # a frame was seen outside since the last one inside

    def add(self, t: float, inside: bool, gap: float, unseen_gap: float) -> None:
        if not inside:
            self.left = True
            return
        limit = gap if self.left else unseen_gap
        if not t - self.last <= limit + 1e-9:  # also true while nothing was inside yet (NaN)
            self.first = t
        self.last, self.left = t, False
        self.best = max(self.best, t - self.first)

    def going(self, t: float, gap: float, unseen_gap: float) -> bool:
        """Whether a frame inside at ``t`` would continue the current segment."""
        return t - self.last <= (gap if self.left else unseen_gap) + 1e-9

    def now(self, end: float, gap: float) -> float:
        """The segment still going on at ``end`` (0 when the last frame inside is too old)."""
        return self.last - self.first if end - self.last <= gap + 1e-9 else 0.0
