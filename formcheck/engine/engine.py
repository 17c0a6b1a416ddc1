"""The exercise engine: landmarks in, what happened out.

``Engine(exercise).update(features) -> EngineFrame`` once per frame, ``finish()`` at the end;
``features`` come from the stage before it, the engine's
:class:`~formcheck.features.extractor.FeatureExtractor` (``engine.new_extractor()``)::

    extractor = engine.new_extractor()
    for pose in poses:
        frame = engine.update(extractor.update(pose))
        for event in frame.events: ...

Each update returns the frozen :class:`~formcheck.engine.frame.EngineFrame` of that frame
(values, each side's phase, drive and hold, active faults, counts, events): what drawing,
reports and the live window read. ``engine.frame`` is the record of the last step (an update,
``finish()`` or ``drop_reps_in_progress()``), for whoever reads it between updates: a paused
live window, the end of a run. Streaming and deterministic: the same frames always give the
same events. The engine never draws and never prints.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.events import (
    BackInView,
    Event,
    FaultCleared,
    FaultEvidence,
    FaultRaised,
    HoldProgress,
    NotInView,
    Phase,
    RepCompleted,
    RepRecord,
    RepStarted,
    SetupIssue,
    SetupOk,
)
from formcheck.engine.faults import FaultState
from formcheck.engine.frame import ActiveFault, EngineFrame, SideFrame
from formcheck.engine.holds import HoldClock
from formcheck.engine.judge import PEAK_BAND, Judge, top_values
from formcheck.engine.reps import RepMachine
from formcheck.engine.setup import (
    VIEW_MESSAGES,
    Debounced,
    checked_trunk,
    framing_problem,
    observed_trunk,
    observed_view,
    start_words,
)
from formcheck.features.extractor import FeatureExtractor, Features
from formcheck.features.measure import FeatureSet, PointTable
from formcheck.features.smoothing import OneEuroParams
from formcheck.features.spec import landmarks_behind, substitute_side
from formcheck.pose.core import LANDMARK_INDEX, PoseFrame

__all__ = ["Engine", "EngineSettings"]


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Tunables that are not part of an exercise definition."""

    min_visibility: float = 0.3  # MediaPipe extrapolates partly hidden limbs well enough
    smoothing: OneEuroParams = field(default_factory=OneEuroParams)
    not_in_view_after_s: float = 0.5  # report "not in view" after this long
    abandon_after_s: float = 1.0  # a rep in progress is dropped after this long away
    setup_persist_s: float = 1.0
    uncertain_below: float = 0.6  # mean key-landmark visibility under which a rep is uncertain
    hold_progress_every_s: float = 0.1


@dataclass(slots=True)
class _RepContext:
    """What is gathered while one side's rep is in progress."""

    faults: dict[str, FaultEvidence] = field(default_factory=dict)
    peak_t: float = 0.0
    at_trough: tuple[dict[str, float], float] | None = None  # values at the rest before it
    rest_values: dict[str, float] = field(default_factory=dict)  # median over that rest
    by: list[tuple[float, float]] = field(default_factory=list)  # (t, direction_by value)
    frames: int = 0
    unseen: int = 0
    visibility: list[float] = field(default_factory=list)
    # (t, signed robust drive, signed drive, clearly seen values of the peak rules' features)
    # while in the top
    top: list[tuple[float, float, float, dict[str, float]]] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)  # frames a time rule applied
    judged: dict[str, int] = field(default_factory=dict)  # ... and could be judged


class Engine:
    """Counts reps and holds and raises faults for one exercise, frame by frame."""

    def __init__(self, exercise: ExerciseDef, settings: EngineSettings | None = None) -> None:
        assert exercise.reps is not None
        self.exercise = exercise
        self.settings = settings or EngineSettings()
        self.features = FeatureSet(exercise.features)
        self.sides = ["both"] if exercise.reps.sides in ("both", "direction") else ["left", "right"]
        self._drive = {s: substitute_side(exercise.reps.drive, s) for s in self.sides}
        key = [substitute_side(p, s) for p in exercise.key_points for s in ("left", "right")]
        if not key:
            key = [p for s in self.sides for p in self.features.points_of(self._drive[s])]
        self._key_idx = sorted({LANDMARK_INDEX[n] for n in landmarks_behind(key)})
        # every landmark some feature uses: the picture must hold them all
        self._needed = landmarks_behind(
            p for name in self.features.names for p in self.features.points_of(name)
        )
        fault_conds = [c for rule in exercise.faults for c in rule.when]
        hold_conds = exercise.hold.when if exercise.hold else []
        conds = fault_conds + hold_conds
        judged = {substitute_side(c.feature, s) for c in conds for s in ("left", "right")}
        judged |= {of for name, of in self.features.from_start if name in judged}
        either = {
            n: e for n in judged
            if (e := self.features.sides_of(n)) is not None
            and _on_either_side(n, e[2], fault_conds, hold_conds)
        }  # fmt: skip
        judged |= {n for left, right, _ in either.values() for n in (left, right)}
        self._judge = Judge(
            {n: _limbs(self.features.points_of(n)) for n in sorted(judged)},
            {n: self.features.segments_of(n) for n in judged},
            either,
        )
        self._peak_features = {
            side: sorted({substitute_side(c.feature, side) for r in exercise.faults
                          if "peak" in r.phases for c in r.when})
            for side in self.sides
        }  # fmt: skip
        self._fault_points = {
            (rule.id, side): frozenset(landmarks_behind(
                p for c in rule.when
                for p in self.features.points_of(substitute_side(c.feature, side))
            ))
            for rule in exercise.faults for side in self.sides
        }  # fmt: skip
        self.reset()

    def new_extractor(self) -> FeatureExtractor:
        """The features stage this engine takes its input from: its features, measured with
        its visibility floor and smoothing. Reset it with the engine (a new set)."""
        return FeatureExtractor(
            self.features, min_visibility=self.settings.min_visibility,
            smoothing=self.settings.smoothing,
        )  # fmt: skip

    # -- state ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: a new set starts (the features stage is reset by its owner)."""
        ex = self.exercise
        self._start = {name: _StartBaseline() for name, _ in self.features.from_start}
        hold = ex.hold is not None
        self._machines = {s: RepMachine(ex.reps, hold) for s in self.sides}  # type: ignore[arg-type]
        unseen = self.settings.abandon_after_s  # a rep survives being unseen this long
        self._holds = {s: HoldClock(ex.hold, unseen) for s in self.sides} if ex.hold else {}
        self._hold_best: dict[str, float] = {}  # the longest good-form hold of the rep so far
        self._faults = {s: [FaultState(rule, s) for rule in ex.faults] for s in self.sides}
        self._context: dict[str, _RepContext | None] = dict.fromkeys(self.sides)
        # [reps] require: since when a condition has been failing; sides not counting for it
        self._require_failing: dict[str, float] = {}
        self._disarmed: set[str] = set()
        self._hold_reported: dict[str, tuple[float, bool]] = {}
        self._recent: dict[str, deque[float]] = {s: deque(maxlen=5) for s in self.sides}
        # feature values at the rest extreme before the next rep, for "trough" rules
        self._at_trough: dict[str, tuple[dict[str, float], float]] = {}
        # clearly seen values of the judged features over the last REST_BASELINE_S at rest
        self._resting: dict[str, deque[tuple[float, dict[str, float]]]] = {
            s: deque() for s in self.sides
        }
        self._away_since: float | None = None
        self._away_reported = False
        self._view = Debounced(self.settings.setup_persist_s)
        self._posture = Debounced(self.settings.setup_persist_s)
        self._framing = Debounced(self.settings.setup_persist_s)
        self._framing_issue: tuple[str, str] | None = None
        self._judge.reset()
        self.judged: dict[str, float] = {}
        self.reps: list[RepRecord] = []
        # sides = "each": (side, start_s, end_s) of the moves not counted because the other
        # side made a larger rep meanwhile (see _overshadowed); --exercise auto reads them
        self.overshadowed: list[tuple[str, float, float]] = []
        self.events: list[Event] = []
        self.t_s = 0.0
        self.values: dict[str, float] = {}
        self.last_frame: PoseFrame | None = None
        self._counts = dict.fromkeys(ex.reps.labels, 0)  # type: ignore[union-attr]
        self._last: EngineFrame = self._frame(())

    @property
    def frame(self) -> EngineFrame:
        """The record of the last step: :meth:`update`'s (which also returns it), or that of
        :meth:`finish` or :meth:`drop_reps_in_progress`; before any, the state at rest."""
        return self._last

    def phase(self, side: str) -> Phase:
        return self._machines[side].phase

    def hold_s(self, side: str) -> float:
        """The longest hold with good form of the side's rep in progress (s)."""
        return self._hold_best.get(side, 0.0)

    def machine(self, side: str) -> RepMachine:
        return self._machines[side]

    def active_faults(self) -> list[FaultState]:
        return [f for states in self._faults.values() for f in states if f.active]

    def fault_landmarks(self) -> set[str]:
        """Landmark names involved in the active faults (to draw those limbs in warning)."""
        return landmarks_behind(
            p
            for f in self.active_faults()
            for n in f.feature_names()
            for p in self.features.points_of(n)
        )

    def reps_by_side(self) -> dict[str, int]:
        """Counts by side ("both", "left"/"right") or by direction ("forward"/"backward")."""
        return {s: sum(r.side == s for r in self.reps) for s in self.exercise.reps.labels}  # type: ignore[union-attr]

    def drive_value(self, side: str) -> float:
        return self.values.get(self._drive[side], math.nan)

    # -- the step ------------------------------------------------------------------------
    def update(self, features: Features) -> EngineFrame:
        """Feed one frame's features (from :meth:`new_extractor`'s stage); returns the frozen
        record of that frame, whose ``events`` are those the frame caused (also appended to
        ``self.events``)."""
        if not isinstance(features, Features):
            raise TypeError(
                f"expected the Features of a frame (engine.new_extractor().update(pose)), "
                f"got {type(features).__name__}"
            )
        frame = features.raw
        self.t_s = t = frame.t_s
        self.last_frame = smoothed = features.pose
        self.values = values = dict(features.values)  # the features stay as measured
        for name, of in self.features.from_start:
            values[name] = values[of] - self._start[name].value
        self.judged = self._judge.update(smoothed, values)
        for name, of in self.features.from_start:  # learnt from what is clearly seen
            self._start[name].update(t, self.judged.get(of, values[of]))
        out: list[Event] = []
        in_view = any(not math.isnan(values[self._drive[s]]) for s in self.sides)
        if not in_view:
            self._while_away(t, frame, out)
            self.events.extend(out)
            self._last = self._frame(out)
            return self._last
        if self._away_reported:
            out.append(BackInView(t))
        self._away_since, self._away_reported = None, False
        # A setup problem is raised at rest only, never mid-rep; it clears as soon as it is
        # put right, mid-rep too: getting down from kneeling onto all fours moves the drive
        # like a rep, and "Get on your hands and knees" stayed up while the person was on them.
        moving = any(m.moving for m in self._machines.values())
        self._check_setup(t, smoothed, out, clear_only=moving)
        for side in self.sides:
            self._step_side(t, side, values, smoothed, out)
        self.events.extend(out)
        self._last = self._frame(out)
        return self._last

    def finish(self) -> list[Event]:
        """End of the session. A rep still in progress counts only when it is all but done
        (``RepMachine.finish``): a hold still being held (a dead hang or a stretch held until
        the recording stops) counts up to the last frame; a rep whose return is cut off by the
        end of the recording counts when it had come at least half way back from its top; a
        lift that has only just started does not count. Active faults clear."""
        out: list[Event] = []
        hold = self.exercise.hold is not None
        for side in self.sides:
            tr = self._machines[side].finish(self.t_s, hold=hold)
            if tr is not None:
                self._complete(self.t_s, side, tr, out)
        for side in self.sides:
            for state in self._faults[side]:
                if state.active:
                    out.append(FaultCleared(self.t_s, state.rule.id, side, state.evidence()))
                state.clear()
        self.events.extend(out)
        self._last = self._frame(out)
        return out

    def drop_reps_in_progress(self) -> list[Event]:
        """Drop every side's rep in progress, as when the person is away for
        ``abandon_after_s``: not counted, not judged, its active faults cleared; the next rep
        counts once the rest is known again (held still, or seen coming down into a low and
        rising from it: :meth:`RepMachine.reset`). A live session calls it when the person left
        the held position during a pause, so the pause is not a short hold."""
        out: list[Event] = []
        self._drop_in_progress(self.t_s, out)
        self.events.extend(out)
        self._last = self._frame(out)
        return out

    def _frame(self, events: list[Event]) -> EngineFrame:
        """The frozen record of the state after this step (see :mod:`.frame`)."""
        drive, values = self._drive, self.values
        sides = tuple(
            SideFrame(
                side, m.phase, values.get(drive[side], math.nan), m.rest, m.at_top, m.moving,
                self._hold_best.get(side, 0.0),
            )
            for side, m in self._machines.items()
        )  # fmt: skip
        faults: list[ActiveFault] = []
        pending: list[ActiveFault] = []
        for side, states in self._faults.items():
            for f in states:
                if f.since_s is None and not f.active:
                    continue
                cond = f.rule.when[0]
                value = values.get(substitute_side(cond.feature, side), math.nan)
                if f.rule.from_rest:
                    ctx = self._context[side]
                    rest = ctx.rest_values if ctx is not None else {}
                    value -= rest.get(substitute_side(cond.feature, side), math.nan)
                (faults if f.active else pending).append(ActiveFault(
                    f.rule.id, side, f.span_start, cond.margin(value),
                    self._fault_points[f.rule.id, side],
                ))  # fmt: skip
        return EngineFrame(
            self.t_s, self.last_frame, values, sides, tuple(faults), tuple(events),
            dict(self._counts), tuple(pending),
        )  # fmt: skip

    # -- pieces of the step ----------------------------------------------------------------
    def _while_away(self, t: float, frame: PoseFrame, out: list[Event]) -> None:
        if self._away_since is None:
            self._away_since = t
        away = t - self._away_since
        if away >= self.settings.not_in_view_after_s and not self._away_reported:
            self._away_reported = True
            framing = framing_problem(frame, self._needed)
            if not frame.has_person:
                msg = "No person in view: step into the picture"
            elif framing is not None:
                msg = framing[1]
            else:
                vis = frame.visibility
                missing = [
                    name for name, i in LANDMARK_INDEX.items()
                    if i in self._key_idx and vis[i] < self.settings.min_visibility
                ]  # fmt: skip
                msg = "Cannot see " + ", ".join(n.replace("_", " ") for n in missing[:4])
            out.append(NotInView(t, msg))
        if away >= self.settings.abandon_after_s:  # a rep in progress is not finished from guesses
            self._drop_in_progress(t, out)

    def _drop_in_progress(self, t: float, out: list[Event]) -> None:
        """Every side's rep in progress dropped: its machine back to waiting for a rest, its
        hold and context forgotten, its active faults cleared (``FaultCleared`` into ``out``)."""
        for side in self.sides:
            self._machines[side].reset()
            self._recent[side].clear()  # the running median starts afresh, not from before
            if side in self._holds:
                self._reset_hold(side)
            self._context[side] = None
            self._hold_reported.pop(side, None)
            for state in self._faults[side]:
                if state.active:
                    out.append(FaultCleared(t, state.rule.id, side, state.evidence()))
                state.clear()

    def _check_setup(
        self, t: float, frame: PoseFrame, out: list[Event], *, clear_only: bool = False
    ) -> None:
        """Framing, view and posture against the definition, each debounced. With
        ``clear_only`` (mid-rep) only a problem already raised is looked at, so that it clears
        once put right; nothing new is raised, and a problem waiting to be raised waits on."""

        def judge(check: Debounced, wrong: bool | None) -> bool | None:
            return None if clear_only and not check.state else check.update(t, wrong)

        if clear_only and not (self._framing.state or self._view.state or self._posture.state):
            return  # mid-rep with nothing raised: nothing to look at
        ex = self.exercise
        problem = framing_problem(frame, self._needed)
        flip = judge(self._framing, problem is not None)
        if flip is True and problem is not None:
            self._framing_issue = problem
            out.append(SetupIssue(t, problem[0], problem[1]))
        elif flip is False and self._framing_issue is not None:
            out.append(SetupOk(t, self._framing_issue[0]))
            self._framing_issue = None
        pts = PointTable.from_frame(frame, self.settings.min_visibility)
        if ex.view != "any":
            seen = observed_view(pts)
            flip = judge(self._view, None if seen is None else seen != ex.view)
            if flip is True:
                out.append(SetupIssue(t, "wrong_view", VIEW_MESSAGES[ex.view]))
            elif flip is False:
                out.append(SetupOk(t, "wrong_view"))
        want = checked_trunk(ex)
        if want != "any":
            seen = observed_trunk(pts)
            flip = judge(self._posture, None if seen is None else seen != want)
            if flip is True:
                words = start_words(ex)
                assert words is not None  # the trunk is checked: its words are known
                out.append(SetupIssue(t, "wrong_posture", words))
            elif flip is False:
                out.append(SetupOk(t, "wrong_posture"))

    def _applies(self, phases: list[str], machine: RepMachine) -> bool:
        return (
            "any" in phases
            or ("top" in phases and machine.at_top)
            or ("rep" in phases and machine.moving)
            or ("rest" in phases and not machine.moving)
        )

    def _step_side(
        self, t: float, side: str, values: dict[str, float], frame: PoseFrame, out: list[Event]
    ) -> None:
        ex = self.exercise
        if ex.reps.require and not self._armed(t, side, values, out):  # type: ignore[union-attr]
            return
        machine = self._machines[side]
        value = values[self._drive[side]]
        limits = ex.reps.limits  # type: ignore[union-attr]
        outside = limits is not None and not limits[0] <= value <= limits[1]
        if outside:
            value = math.nan  # not this movement: a glitch, or the other side's movement
        ctx = self._context[side]
        if ctx is None and machine.moving:
            ctx = self._context[side] = _RepContext()
        # faults, judged in the phase the side was in up to this frame, on clearly seen values
        judged = self.judged
        if not machine.moving:
            resting = self._resting[side]
            resting.append((t, judged))
            while resting[0][0] < t - REST_BASELINE_S - 1e-9:
                resting.popleft()
        for state in self._faults[side]:
            applies = self._applies(state.rule.phases, machine)
            seen = judged
            if state.rule.from_rest:
                seen = _from_rest(judged, ctx.rest_values if ctx is not None else {})
            change = state.update(t, seen, applies)
            if ctx is not None and applies:
                rid = state.rule.id
                ctx.applied[rid] = ctx.applied.get(rid, 0) + 1
                clear = all(not math.isnan(seen.get(n, math.nan)) for n in state.feature_names())
                ctx.judged[rid] = ctx.judged.get(rid, 0) + clear
            if change == "raised":
                ev = state.evidence()
                out.append(
                    FaultRaised(t, state.rule.id, side, state.cue(), state.rule.severity, ev)
                )
                if ctx is not None:
                    ctx.faults.setdefault(state.rule.id, ev)
            elif change == "cleared":
                ev = state.evidence()
                out.append(FaultCleared(t, state.rule.id, side, ev))
                if ctx is not None and state.rule.id in ctx.faults:
                    ctx.faults[state.rule.id] = ev  # the full span, worst value
        if ctx is not None:
            for state in self._faults[side]:  # a fault still active belongs to this rep too
                if state.active:
                    ctx.faults.setdefault(state.rule.id, state.evidence())
            ctx.frames += 1
            ctx.unseen += math.isnan(value)
            by = ex.reps.direction_by  # type: ignore[union-attr]
            if by is not None and not math.isnan(values[by]):
                ctx.by.append((t, values[by]))
            if frame.image is not None:
                ctx.visibility.append(float(np.mean(frame.visibility[self._key_idx])))
        # rep machine
        recent = self._recent[side]
        if not math.isnan(value) or outside:
            recent.append(value)  # values outside the limits count against the median
        seen = [v for v in recent if not math.isnan(v)]
        robust = statistics.median(seen) if 2 * len(seen) > len(recent) else math.nan
        tr = machine.update(t, value, robust)
        # hold: the time the rep spends near its own top, and how much of it with good form
        if ex.hold is not None and machine.phase is Phase.TOP:
            if tr is not None and tr.kind == "started":
                self._reset_hold(side)
            faulted = any(s.active for s in self._faults[side])
            conds = all(
                not math.isnan(v := judged.get(substitute_side(c.feature, side), math.nan))
                and c.holds(v)
                for c in ex.hold.when
            )
            clock = self._holds[side]
            # a frame whose drive is not seen is not timed: the running median keeps the last
            # values seen, and would hold the top through a limb the pose model lost
            unseen = math.isnan(value) and not outside
            signed = math.nan if math.isnan(robust) or unseen else machine.sign * robust
            clock.update(t, signed, conds and not faulted)
            _, good, _, _ = clock.measure(machine.peak_level(), machine.base_level())
            self._hold_best[side] = good
            self._report_hold(t, side, good, out)
        ctx = self._context[side]
        if machine.new_trough:
            self._at_trough[side] = (dict(self._judge.seen), t)
        if machine.new_peak:
            if ctx is None:
                ctx = self._context[side] = _RepContext()
            ctx.peak_t = t
        if ctx is not None and machine.phase is Phase.TOP and not math.isnan(robust):
            seen = self._judge.seen
            peak_vals = {n: seen.get(n, math.nan) for n in self._peak_features[side]}
            raw = machine.sign * value if not math.isnan(value) else math.nan
            ctx.top.append((t, machine.sign * robust, raw, peak_vals))
        if tr is None:
            if ctx is not None and not machine.moving and machine.phase is Phase.REST:
                self._context[side] = None  # went back to rest without a rep
            return
        if tr.kind == "started":
            out.append(RepStarted(t, side, tr.start_s))
            if self._context[side] is None:
                self._context[side] = _RepContext()
            ctx = self._context[side]
            assert ctx is not None
            ctx.at_trough = self._at_trough.get(side)
            ctx.rest_values = self._rest_baseline(side)
            return
        self._complete(t, side, tr, out)

    def _reset_hold(self, side: str) -> None:
        self._holds[side].reset()
        self._hold_best.pop(side, None)

    def _rest_baseline(self, side: str) -> dict[str, float]:
        """The median of each judged feature over the last ``REST_BASELINE_S`` at rest."""
        frames = [vals for _, vals in self._resting[side]]
        out: dict[str, float] = {}
        for name in self._judge.names:
            vs = [v for vals in frames if not math.isnan(v := vals.get(name, math.nan))]
            out[name] = statistics.median(vs) if vs else math.nan
        return out

    def _armed(self, t: float, side: str, values: dict[str, float], out: list[Event]) -> bool:
        """Whether the side counts on this frame, by ``[reps] require``.

        A condition failing for ``min_phase_s`` (as long as a phase change needs) drops the
        rep in progress and disarms the side: its frames are then neither counted nor judged,
        as when the person is out of view. The side is armed again on a frame where every
        condition holds; its rep machine then needs to see the drive at rest before a rep can
        start. A condition on a feature not seen (NaN) changes nothing.
        """
        rep = self.exercise.reps
        assert rep is not None
        seen = [
            (c, v)
            for c in rep.require
            if not math.isnan(v := values.get(substitute_side(c.feature, side), math.nan))
        ]
        if any(not c.holds(v) for c, v in seen):
            since = self._require_failing.setdefault(side, t)
            if side not in self._disarmed and t - since >= rep.min_phase_s - 1e-9:
                self._disarmed.add(side)
                self._machines[side].reset()
                if side in self._holds:
                    self._reset_hold(side)
                self._context[side] = None
                self._hold_reported.pop(side, None)
                self._recent[side].clear()
                for state in self._faults[side]:
                    if state.active:
                        out.append(FaultCleared(t, state.rule.id, side, state.evidence()))
                    state.clear()
        elif len(seen) == len(rep.require):
            self._require_failing.pop(side, None)
            self._disarmed.discard(side)
        return side not in self._disarmed

    def _report_hold(self, t: float, side: str, hold_s: float, out: list[Event]) -> None:
        hold = self.exercise.hold
        assert hold is not None
        met = hold.target_s is not None and hold_s >= hold.target_s
        last_t, last_met = self._hold_reported.get(side, (-math.inf, False))
        if met != last_met or t - last_t >= self.settings.hold_progress_every_s:
            self._hold_reported[side] = (t, met)
            out.append(HoldProgress(t, side, round(hold_s, 3), hold.target_s, met))

    def _complete(self, t: float, side: str, tr, out: list[Event]) -> None:  # noqa: ANN001
        ex = self.exercise
        ctx = self._context[side] or _RepContext()
        self._context[side] = None
        self._hold_reported.pop(side, None)
        assert tr.end_s is not None
        duration = tr.end_s - tr.start_s
        shadowed = tr.kind != "discarded" and ex.reps.sides == "each"  # type: ignore[union-attr]
        shadowed = shadowed and self._overshadowed(side, tr)
        if shadowed:
            self.overshadowed.append((side, tr.start_s, tr.end_s))
        if tr.kind == "discarded" or shadowed:
            if side in self._holds:
                self._reset_hold(side)
            return
        label = side  # what the rep is counted under: its side, or its direction
        if ex.reps.sides == "direction":  # type: ignore[union-attr]
            names = ex.reps.direction_names  # type: ignore[union-attr]
            # the direction feature on the way up (before the peak) against on the way back:
            # for arm circles, arms behind the shoulders on the way up = forward circles
            up = [v for t_, v in ctx.by if t_ <= ctx.peak_t]
            back = [v for t_, v in ctx.by if t_ > ctx.peak_t]
            rise = float(np.mean(up)) if up else 0.0
            lean = rise - float(np.mean(back)) if back else rise
            if abs(lean) < ex.reps.direction_min:  # type: ignore[union-attr]
                return  # no circling motion on the way up: not a rep of this kind
            label = names[0] if lean > 0 else names[1]
        faults = dict(ctx.faults)
        not_judged = [
            rid for rid, n in ctx.applied.items()
            if rid not in faults and ctx.judged.get(rid, 0) < n / 2
        ]  # fmt: skip
        base = self._machines[side].sign * tr.rest
        top, top_from, top_to = top_values(ctx.top, base, PEAK_BAND, self._peak_features[side])
        for rule in ex.faults:  # rules judged once per rep: at the held top, or at the rest
            for phase in ("peak", "trough"):
                if phase not in rule.phases or rule.id in faults:
                    continue
                if phase == "peak":
                    snap: tuple[dict[str, float], float, float] | None = (top, top_from, top_to)
                else:
                    snap = None if ctx.at_trough is None else (*ctx.at_trough, ctx.at_trough[1])
                if snap is not None and rule.from_rest:
                    snap = (_from_rest(snap[0], ctx.rest_values), snap[1], snap[2])
                verdict = None if snap is None else _judge_once(rule, side, *snap)
                if verdict is None:
                    not_judged.append(rule.id)
                elif verdict is not False:
                    faults[rule.id] = verdict
                    cue = substitute_side(rule.cue, side)
                    out.append(FaultRaised(t, rule.id, side, cue, rule.severity, verdict))
        hold_s = form_hold_s = hold_met = None
        if ex.hold is not None:
            sign = self._machines[side].sign
            held, good, _, _ = self._holds[side].measure(sign * tr.peak, sign * tr.rest)
            self._reset_hold(side)
            hold_s, form_hold_s = round(held, 3), round(good, 3)
            target = ex.hold.target_s
            hold_met = None if target is None else form_hold_s >= target - 1e-9
            if hold_met is False:
                faults["hold_short"] = FaultEvidence(
                    "form_hold_s", form_hold_s, f"< {target:g}", side, tr.start_s,
                    tr.end_s,
                )  # fmt: skip
        if ex.tempo is not None and duration < ex.tempo.min_rep_s:
            faults["too_fast"] = FaultEvidence(
                "rep_duration_s", round(duration, 3), f"< {ex.tempo.min_rep_s:g}", side,
                tr.start_s, tr.end_s,
            )  # fmt: skip
        for rule_id in ("hold_short", "too_fast"):
            if rule_id in faults and rule_id not in ctx.faults:
                out.append(
                    FaultRaised(
                        t, rule_id, side, self._rep_cue(rule_id), "warning", faults[rule_id]
                    )
                )
        vis = float(np.mean(ctx.visibility)) if ctx.visibility else 0.0
        uncertain = vis < self.settings.uncertain_below or (
            ctx.frames > 0 and ctx.unseen / ctx.frames > 0.25
        )
        order = [f.id for f in ex.faults] + ["hold_short", "too_fast"]
        ids = tuple(sorted(faults, key=order.index))
        rep = RepRecord(
            index=len(self.reps) + 1,
            side=label,
            side_index=sum(r.side == label for r in self.reps) + 1,
            start_s=round(tr.start_s, 3),
            end_s=round(tr.end_s, 3),
            peak=round(tr.peak, 3),
            range=round(tr.range, 3),
            hold_s=hold_s,
            form_hold_s=form_hold_s,
            hold_met=hold_met,
            faults=ids,
            evidence=tuple(faults[i] for i in ids),
            not_judged=tuple(sorted(set(not_judged), key=order.index)),
            uncertain=uncertain,
        )
        self.reps.append(rep)
        if label in self._counts:
            self._counts[label] += 1
        out.append(RepCompleted(t, rep))

    def _overshadowed(self, side: str, tr) -> bool:  # noqa: ANN001 - a reps.Transition
        """``sides = "each"``: the reps are all on one side, then the other. A rep made for
        more than half its time while the other side made larger ones (counted, or the one in
        progress) is that movement seen on the idle side: the arm on the bench swaying with
        the row, or the pose model's guess at an arm it cannot see. It is not a rep."""
        other = "right" if side == "left" else "left"
        span = tr.end_s - tr.start_s
        shared = 0.0
        for rep in reversed(self.reps):
            if rep.end_s < tr.start_s - self.exercise.reps.max_rep_s:  # type: ignore[union-attr]
                break  # completed in time order: the earlier ones end before this rep
            if rep.side == other and rep.range > tr.range:
                shared += max(0.0, min(rep.end_s, tr.end_s) - max(rep.start_s, tr.start_s))
        machine = self._machines[other]
        if machine.phase is Phase.TOP and machine.peak_level() - machine.base_level() > tr.range:
            shared += max(0.0, tr.end_s - max(machine.start_s, tr.start_s))
        return shared > span / 2

    def _rep_cue(self, rule_id: str) -> str:
        ex = self.exercise
        if rule_id == "hold_short" and ex.hold is not None:
            return ex.hold.cue
        if rule_id == "too_fast" and ex.tempo is not None:
            return ex.tempo.cue
        return ex.reps.range_cue  # type: ignore[union-attr]


# Rules judged from the rest (``from_rest``) compare with the median over this long at rest.
REST_BASELINE_S = 1.0


# A feature of kind ``from_start`` compares with the median of its first clearly seen values
# over this long: the person's own start (the back they have, the camera they set up).
START_BASELINE_S = 1.0


class _StartBaseline:
    """The median of a value over the first ``START_BASELINE_S`` after it was first seen (NaN
    until that time has passed)."""

    __slots__ = ("first_t", "samples", "value")

    def __init__(self) -> None:
        self.first_t: float | None = None
        self.samples: list[float] = []
        self.value = math.nan

    def update(self, t: float, v: float) -> None:
        if not math.isnan(self.value):
            return
        if self.first_t is None:
            if math.isnan(v):
                return
            self.first_t = t
        if t - self.first_t <= START_BASELINE_S + 1e-9:
            if not math.isnan(v):
                self.samples.append(v)
        else:
            self.value = statistics.median(self.samples)


def _from_rest(values: dict[str, float], rest: dict[str, float]) -> dict[str, float]:
    """Each value minus its value at rest (NaN where either is unknown)."""
    return {k: v - rest.get(k, math.nan) for k, v in values.items()}


# A joint is placed from the whole limb: the pose model guesses an elbow or a knee when the
# hand or the foot beyond it is out of the picture.
_LIMB_ENDS = {"elbow": "wrist", "knee": "ankle"}


def _on_either_side(name: str, op: str, fault_conds: list, hold_conds: list) -> bool:
    """Whether every condition on the ``_min`` or ``_max`` feature ``name`` asks about either
    side (a fault when one side is below, ``_min`` below, or above, ``_max`` above): one side
    clearly seen can then be judged alone. A condition about both sides (``_min`` above: both
    above) or a hold's position is not judged on one side (a seated fold's one leg bent on
    purpose is not both knees bent). The mean of the two sides (``op`` "mean": a definition
    that measures one movement of both limbs, the hands on one bar) is judged on the sides
    seen, whatever its conditions."""
    if op == "mean":
        return True
    on = [c for c in fault_conds if c.feature == name]
    return (
        bool(on)
        and not any(c.feature == name for c in hold_conds)
        and all((c.below if op == "min" else c.above) is not None for c in on)
    )


def _limbs(points) -> set[str]:  # noqa: ANN001 - any iterable of point names
    """Landmarks a feature on ``points`` can be judged from: its own, and the end of each limb
    it measures a joint of (the wrist of an elbow, the ankle of a knee)."""
    names = landmarks_behind(points)
    for name in list(names):
        side, _, joint = name.partition("_")
        if joint in _LIMB_ENDS:
            names.add(f"{side}_{_LIMB_ENDS[joint]}")
    return names


def _judge_once(
    rule,
    side: str,
    values: dict[str, float],
    from_s: float,
    to_s: float,  # noqa: ANN001
) -> FaultEvidence | bool | None:
    """Evidence if ``rule`` holds on one summary of feature values, False if it does not,
    None when one of its features was not clearly seen (not judged)."""
    names = [substitute_side(c.feature, side) for c in rule.when]
    vals = [values.get(n, math.nan) for n in names]
    if any(math.isnan(v) for v in vals):
        return None
    if not all(c.holds(v) for c, v in zip(rule.when, vals, strict=True)):
        return False
    threshold = rule.when[0].threshold_text() + (" from rest" if rule.from_rest else "")
    return FaultEvidence(names[0], round(vals[0], 3), threshold, side, round(from_s, 3),
                         round(to_s, 3))  # fmt: skip
