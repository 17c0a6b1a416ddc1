"""Progress over time: per-session numbers from the history, and a one-line trend per exercise.

:func:`load_progress` groups sessions by (profile, exercise), oldest first. For each session it
takes the reps, the hold of every rep that has one, the range of motion of every rep, and how
many reps each fault was flagged on. :meth:`ExerciseProgress.trend` compares the **first third
of the sessions with the last third** (at least one session each, so with two sessions it is
first vs last, with eight it is the first 2 vs the last 2). A third is steadier than a single
session, and for a beginner it is still the same as "then vs now". Within each third, reps are
pooled: the hold is the mean over all reps of those sessions, not the mean of per-session means.
A fault's rate is the share of reps flagged with it.

A *partial* session (interrupted, or its video ended early: ``SessionPoint.partial``) covers
only part of its set, so its rep count says nothing about how many reps the set had: reps per
session are averaged over the **complete** sessions of each third only (``–`` when a third has
none), and the summary then says "per complete session" and how many sessions were partial.
The reps a partial session did record are real, so they still count towards the hold, the range
and the fault rates. The plots draw partial sessions as hollow markers, off the reps line.

**One side per video.** An exercise done one side at a time (``reps.sides = "each"``: the
one-arm row) is often filmed one side per video (see :mod:`formcheck.report.pairs`). Each video
is its own session in the history, but progress counts the videos of one day that each hold one
side only as **one** session: its reps are the left's and the right's together, so "reps per
session" compares whole sets, not half sets with whole ones. Its ``videos`` says how many
sessions it joins; the summary says how many such sessions there are.

Sessions are in recording order (``started_at``, the date the set was filmed, then id), so a
batch of old videos analysed today lands on the days they were filmed. Sessions of the synthetic
mannequin (``synthetic``) and ``--exercise auto`` guesses that were unsure (``unsure``) are left
out unless asked (``include_synthetic=True``, ``include_unsure=True``): the mannequin's numbers
are not anybody's progress, and an unsure guess may be another exercise altogether.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from formcheck.engine.words import DEGREES, Words, words_for
from formcheck.errors import FormcheckError
from formcheck.store.rows import session_filter

if TYPE_CHECKING:
    from formcheck.store.history import History

__all__ = ["ExerciseProgress", "SessionPoint", "Trend", "load_progress"]


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One session's numbers. ``holds_s``/``ranges`` have one entry per rep that has one;
    ``fault_reps`` counts the reps flagged with each fault id; ``partial`` says why the session
    covers only part of its set (empty when complete)."""

    session_id: int
    started_at: datetime
    reps: int
    holds_s: tuple[float, ...] = ()
    ranges: tuple[float, ...] = ()
    fault_reps: dict[str, int] = field(default_factory=dict)
    partial: tuple[str, ...] = ()
    videos: int = 1  # sessions joined into this one (one side per video: see above)

    @property
    def mean_hold_s(self) -> float | None:
        return _mean(self.holds_s)

    @property
    def mean_range(self) -> float | None:
        return _mean(self.ranges)

    @property
    def faults_per_10_reps(self) -> float | None:
        """Faults (one per fault id per rep) per 10 reps; None without reps."""
        return 10 * sum(self.fault_reps.values()) / self.reps if self.reps else None


@dataclass(frozen=True, slots=True)
class Trend:
    """First third vs last third of the sessions (see the module docstring); each pair is
    ``(first, last)``, a value None when there is nothing to average (reps per session are
    over the complete sessions only)."""

    sessions: int
    window: int  # sessions in each third
    reps_per_session: tuple[float | None, float | None]
    hold_s: tuple[float | None, float | None]
    range: tuple[float | None, float | None]
    fault_pct: dict[str, tuple[float, float]]  # % of reps flagged, by fault id
    partial: int = 0  # partial sessions (interrupted or cut short) among all of them
    joined: int = 0  # sessions made of one-sided videos (one side per video) joined


@dataclass(frozen=True, slots=True)
class ExerciseProgress:
    """The sessions of one exercise for one profile, oldest first."""

    profile: str
    exercise: str
    points: tuple[SessionPoint, ...]
    hold_target_s: float | None = None  # from the exercise definition, if it has a hold
    drive: str | None = None  # the feature whose range of motion is measured, in words

    def trend(self) -> Trend:
        n = len(self.points)
        k = max(1, n // 3)
        first, last = self.points[:k], self.points[-k:]
        faults = sorted({f for p in self.points for f in p.fault_reps})
        return Trend(
            sessions=n,
            window=k,
            reps_per_session=(_mean_reps(first), _mean_reps(last)),
            hold_s=(_pooled(first, "holds_s"), _pooled(last, "holds_s")),
            range=(_pooled(first, "ranges"), _pooled(last, "ranges")),
            fault_pct={f: (_fault_pct(first, f), _fault_pct(last, f)) for f in faults},
            partial=sum(bool(p.partial) for p in self.points),
            joined=sum(p.videos > 1 for p in self.points),
        )

    def fault_label(self, fault: str) -> str:
        """A fault of this exercise in words ("bent knee"; the id in words if the exercise
        cannot be loaded now)."""
        return words_for(self.exercise).fault(fault)

    def range_unit(self) -> str:
        """The unit of the range of motion, the driving feature's ("°", "torso lengths"); ""
        when the exercise cannot be loaded now."""
        words = words_for(self.exercise)
        reps = words.exercise.reps if words.exercise is not None else None
        return words.unit(reps.drive) if reps is not None else ""

    def summary(self, *, with_profile: bool = False, max_faults: int = 3) -> str:
        """One line, e.g. ``bird-dog: 6 sessions, 2024-05-01 → 2024-05-20 (first 2 vs last 2):
        reps 4.0 → 6.0 per session; hold 2.1 s → 2.8 s (target 2 s); range 85.0° → 90.0°;
        bent knee in 40 % → 10 % of reps``. With partial sessions the head says how many
        (``6 sessions, 1 partial``) and reps are ``per complete session``."""
        t = self.trend()
        name = f"{self.exercise} ({self.profile})" if with_profile else self.exercise
        day0 = self.points[0].started_at.astimezone().date()
        day1 = self.points[-1].started_at.astimezone().date()
        joined = f", {t.joined} of them one side per video" if t.joined else ""
        if t.sessions == 1:
            one = " (partial)" if t.partial else " (one side per video)" if t.joined else ""
            head = f"{name}: 1 session{one}, {day0}"
        else:
            partial = f", {t.partial} partial" if t.partial else ""
            partial += joined
            head = (
                f"{name}: {t.sessions} sessions{partial}, {day0} → {day1} "
                f"(first {t.window} vs last {t.window})"
            )
        per = "per complete session" if t.partial else "per session"
        parts = [f"reps {_pair(t.reps_per_session, '{:.1f}', t.sessions)} {per}"]
        if any(v is not None for v in t.hold_s):
            target = f" (target {self.hold_target_s:g} s)" if self.hold_target_s else ""
            parts.append(f"hold {_pair(t.hold_s, '{:.1f} s', t.sessions)}{target}")
        if any(v is not None for v in t.range):
            unit = self.range_unit()
            fmt = "{:.1f}" + (unit if unit in (DEGREES, "") else f" {unit}")
            parts.append(f"range {_pair(t.range, fmt, t.sessions)}")
        worst = sorted(t.fault_pct.items(), key=lambda kv: (-max(kv[1]), kv[0]))
        for fault, pct in worst[:max_faults]:
            rate = _pair(pct, "{:.0f} %", t.sessions)
            parts.append(f"{self.fault_label(fault)} in {rate} of reps")
        if len(worst) > max_faults:
            parts.append(f"{len(worst) - max_faults} more fault(s)")
        return f"{head}: " + "; ".join(parts)


def load_progress(
    history: History,
    *,
    profile: str | None = None,
    exercise: str | None = None,
    since: date | datetime | None = None,
    include_synthetic: bool = False,
    include_unsure: bool = False,
) -> list[ExerciseProgress]:
    """Per (profile, exercise), the sessions' numbers in recording order (oldest first);
    ordered by profile, then exercise. Synthetic and unsure sessions are left out unless
    ``include_synthetic`` / ``include_unsure``. The hold target and driving feature come from
    the exercise definition when it can still be loaded."""
    flags = (include_synthetic, include_unsure)
    sessions = history.list_sessions(
        profile, exercise, since, include_synthetic=include_synthetic, include_unsure=include_unsure
    )
    if not sessions:
        return []
    where, params = session_filter(profile, exercise, since, *flags)
    holds: dict[int, list[float]] = {}
    ranges: dict[int, list[float]] = {}
    # the hold target counts the part of a hold with good form (older results: the whole hold)
    for sid, hold_s, rng in history.query(
        "SELECT session_id, COALESCE(form_hold_s, hold_s), range FROM reps"
        f" WHERE session_id IN (SELECT id FROM sessions s {where})"
        " ORDER BY session_id, rep_index",
        params,
    ):
        if hold_s is not None:
            holds.setdefault(sid, []).append(hold_s)
        if rng is not None:
            ranges.setdefault(sid, []).append(rng)
    sides: dict[int, set[str]] = {}
    for sid, side in history.query(
        "SELECT DISTINCT session_id, side FROM reps"
        f" WHERE session_id IN (SELECT id FROM sessions s {where})",
        params,
    ):
        sides.setdefault(sid, set()).add(side)
    groups: dict[tuple[str, str], list[SessionPoint]] = {}
    one_sided: dict[tuple[str, str], set[int]] = {}
    for s in sessions:
        point = SessionPoint(
            s.id, s.started_at, s.reps, tuple(holds.get(s.id, ())), tuple(ranges.get(s.id, ())),
            dict(s.faults or {}), s.partial,
        )  # fmt: skip
        groups.setdefault((s.profile, s.exercise), []).append(point)
        if sides.get(s.id) in ({"left"}, {"right"}):
            one_sided.setdefault((s.profile, s.exercise), set()).add(s.id)
    out = []
    for (prof, ex), points in sorted(groups.items()):
        target, drive, each = _definition_facts(ex)
        if each:
            points = _join_one_sided(points, one_sided.get((prof, ex), set()))
        out.append(ExerciseProgress(prof, ex, tuple(points), target, drive))
    return out


def _join_one_sided(points: list[SessionPoint], one_sided: set[int]) -> list[SessionPoint]:
    """The sessions with those of ``one_sided`` (each holds one side only) joined per local
    day into one session (see the module docstring), in recording order."""
    by_day: dict[date, list[SessionPoint]] = {}
    for p in points:
        if p.session_id in one_sided:
            by_day.setdefault(p.started_at.astimezone().date(), []).append(p)
    joined = []
    for p in points:
        day = by_day.get(p.started_at.astimezone().date(), [])
        if p.session_id not in one_sided or len(day) < 2:
            joined.append(p)
        elif p is day[0]:
            faults: dict[str, int] = {}
            for q in day:
                for f, n in q.fault_reps.items():
                    faults[f] = faults.get(f, 0) + n
            joined.append(SessionPoint(
                p.session_id, p.started_at, sum(q.reps for q in day),
                tuple(v for q in day for v in q.holds_s), tuple(v for q in day for v in q.ranges),
                faults, tuple(sorted({r for q in day for r in q.partial})), videos=len(day),
            ))  # fmt: skip
    return joined


def _definition_facts(exercise: str) -> tuple[float | None, str | None, bool]:
    """(hold target, driving feature, done one side at a time) of a known exercise; (None,
    None, False) if it is unknown now."""
    from formcheck.engine import load_exercise

    try:
        d = load_exercise(exercise)
    except FormcheckError:
        return None, None, False
    drive = Words(d).feature(d.reps.drive) if d.reps else None
    each = d.reps is not None and d.reps.sides == "each"
    return (d.hold.target_s if d.hold else None), drive, each


def _mean(values: tuple[float, ...] | list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _mean_reps(points: tuple[SessionPoint, ...]) -> float | None:
    """Mean reps over the complete sessions (a partial session's count is not the set's)."""
    return _mean([float(p.reps) for p in points if not p.partial])


def _pooled(points: tuple[SessionPoint, ...], attr: str) -> float | None:
    return _mean([v for p in points for v in getattr(p, attr)])


def _fault_pct(points: tuple[SessionPoint, ...], fault: str) -> float:
    reps = sum(p.reps for p in points)
    flagged = sum(p.fault_reps.get(fault, 0) for p in points)
    return 100 * flagged / reps if reps else 0.0


def _pair(values: tuple[float | None, float | None], fmt: str, sessions: int) -> str:
    def one(v: float | None) -> str:
        return "–" if v is None else fmt.format(v)

    return one(values[1]) if sessions == 1 else f"{one(values[0])} → {one(values[1])}"
