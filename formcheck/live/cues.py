"""Which one message the cue banner shows, long enough to read and without flicker.

::

    board = CueBoard(min_show_s=2.0)
    for frame in frames:
        events = engine.update(extractor.update(frame)).events
        text = board.update(frame.t_s, events)  # None: no banner

The engine raises and clears faults frame by frame; shown raw, a banner would blink whenever a
knee hovers around its threshold. :class:`CueBoard` is a small state machine over the engine's
events:

- A message, once shown, stays for at least ``min_show_s`` even if its cause has gone.
- A newer message replaces the shown one only after that minimum time.
- A message whose cause persists (a fault not cleared yet, a setup issue) stays until the cause
  clears and the minimum time has passed, then ``linger_s`` more if nothing else is waiting,
  so a fault that clears and comes straight back does not make the banner blink.
- Faults judged on a finished rep (raised together with its ``RepCompleted``, e.g. a hold that
  was too short) are never cleared by the engine: they are shown once, for the minimum time.
  Of several judged on the same rep only the most severe (then the first) is shown: queued,
  they would arrive one after another over the next reps, where they no longer belong (the
  summary lists them all). One not shown yet when that side's next rep starts is dropped.
- Which message wins: "not in view" over setup guidance over form cues, then the newest.

Times are the frames' ``t_s`` (media seconds), so a replay behaves the same at any speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from formcheck.engine.events import (
    BackInView,
    Event,
    FaultCleared,
    FaultRaised,
    NotInView,
    RepCompleted,
    RepStarted,
    SetupIssue,
    SetupOk,
)

__all__ = ["Cue", "CueBoard"]

_RANK = {"fault": 0, "setup": 1, "view": 2}  # higher wins
_SEVERITY = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Cue:
    """One banner message. ``kind`` is "fault", "setup" or "view" (not in view)."""

    text: str
    kind: str
    severity: str = "warning"

    @property
    def is_guidance(self) -> bool:
        """Setup or visibility guidance, rather than a form cue."""
        return self.kind != "fault"


@dataclass(slots=True)
class _Message:
    cue: Cue
    raised_s: float
    one_shot: bool


class CueBoard:
    """Turns engine events into the one cue to show now (see the module docstring)."""

    def __init__(
        self, min_show_s: float = 2.0, linger_s: float = 0.3, stale_s: float = 4.0
    ) -> None:
        if not min_show_s >= 0 or not linger_s >= 0 or not stale_s >= 0:
            raise ValueError(
                f"expected times >= 0, got min_show_s={min_show_s!r}, linger_s={linger_s!r}, "
                f"stale_s={stale_s!r}"
            )
        self.min_show_s = min_show_s
        self.linger_s = linger_s
        self.stale_s = stale_s  # a one-shot cue not shown within this long is dropped
        self.reset()

    def reset(self) -> None:
        """Forget every message (a new set)."""
        self._active: dict[tuple[str, ...], _Message] = {}
        self._shown: tuple[str, ...] | None = None
        self._shown_cue: Cue | None = None
        self._shown_since = 0.0
        self._gone_since: float | None = None  # when the shown message's cause went away

    @property
    def current(self) -> Cue | None:
        """The cue on the banner now (after the last :meth:`update`)."""
        return self._shown_cue

    def update(self, t_s: float, events: Iterable[Event]) -> str | None:
        """Take one frame's events at time ``t_s``; returns the banner text (None: no banner)."""
        events = list(events)
        self._take(t_s, events)
        self._expire(t_s)
        shown = self._shown
        if shown is not None:
            if shown in self._active:
                self._gone_since = None
            elif self._gone_since is None:
                self._gone_since = t_s
        best = max(
            self._active,
            key=lambda k: (_RANK[self._active[k].cue.kind], self._active[k].raised_s),
            default=None,
        )
        if shown is not None and best != shown:
            held = t_s - self._shown_since < self.min_show_s - 1e-9
            lingering = (
                best is None
                and self._gone_since is not None
                and t_s - self._gone_since < self.linger_s - 1e-9
            )
            if held or lingering:
                return self._text()
        if best != shown:
            self._shown = best
            self._shown_cue = None if best is None else self._active[best].cue
            self._shown_since = t_s
            self._gone_since = None
        return self._text()

    # -- pieces --------------------------------------------------------------------------
    def _text(self) -> str | None:
        return None if self._shown_cue is None else self._shown_cue.text

    def _take(self, t_s: float, events: list[Event]) -> None:
        finished = {ev.rep.side for ev in events if isinstance(ev, RepCompleted)}
        # of the faults judged on a finished rep, per side, the one worth saying
        judged = [ev for ev in events if isinstance(ev, FaultRaised) and ev.side in finished]
        worst = {}
        for ev in judged:
            best = worst.get(ev.side)
            if best is None or _SEVERITY.get(ev.severity, 1) > _SEVERITY.get(best.severity, 1):
                worst[ev.side] = ev
        for ev in events:
            if isinstance(ev, RepStarted):
                self._drop_waiting(ev.side)  # the last rep's cue would now be late
            elif isinstance(ev, FaultRaised):
                one_shot = ev.side in finished
                if one_shot and worst[ev.side] is not ev:
                    continue
                cue = Cue(ev.cue, "fault", ev.severity)
                key = ("fault", ev.fault, ev.side)
                self._active[key] = _Message(cue, t_s, one_shot=one_shot)
            elif isinstance(ev, FaultCleared):
                self._active.pop(("fault", ev.fault, ev.side), None)
            elif isinstance(ev, SetupIssue):
                self._active[("setup", ev.issue)] = _Message(
                    Cue(ev.message, "setup", "info"), t_s, one_shot=False
                )
            elif isinstance(ev, SetupOk):
                self._active.pop(("setup", ev.issue), None)
            elif isinstance(ev, NotInView):
                self._active[("view",)] = _Message(
                    Cue(ev.message, "view", "info"), t_s, one_shot=False
                )
            elif isinstance(ev, BackInView):
                self._active.pop(("view",), None)

    def _drop_waiting(self, side: str) -> None:
        """Forget the side's one-shot cues not shown yet."""
        for key, msg in list(self._active.items()):
            if msg.one_shot and key != self._shown and key[-1] == side:
                del self._active[key]

    def _expire(self, t_s: float) -> None:
        """One-shot cues go once shown for the minimum time, or when too old to matter."""
        for key, msg in list(self._active.items()):
            if not msg.one_shot:
                continue
            if key == self._shown:
                if t_s - self._shown_since >= self.min_show_s - 1e-9:
                    del self._active[key]
            elif t_s - msg.raised_s >= self.stale_s - 1e-9:
                del self._active[key]
