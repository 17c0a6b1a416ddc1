"""Routines: exercises combined into a session of sets, targets and rests.

A routine is one TOML file in ``routines/`` (format in ``routines/README.md``, section
"Routines"), parsed into frozen objects; every exercise is found and validated when the file
loads, and a mistake is one line naming the file and the key. :class:`RoutineRunner` plays a
routine over pose frames, one :class:`~formcheck.engine.engine.Engine` per set::

    runner = RoutineRunner(load_routine("back-basics"))
    for pose in frames:
        for event in runner.update(pose):      # engine events and routine events, in order
            ...                                # SetStarted, RestTick, RepCompleted, ...
        show(runner.progress.text())
    runner.finish()
    report = runner.summary()
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import Field as PydanticField
from pydantic import ValidationError, ValidationInfo, field_validator, model_validator

from formcheck.engine.catalogue import (
    bundled_routines_dir,
    find_exercise,
    list_exercises,
    load_exercise,
)
from formcheck.engine.definition import ExerciseDef, one_line_error
from formcheck.engine.engine import Engine
from formcheck.engine.events import Event, RepCompleted, RepRecord
from formcheck.engine.result import ending_keys, rep_to_dict, session_result
from formcheck.errors import DefinitionError, FormcheckError
from formcheck.features.extractor import FeatureExtractor
from formcheck.features.spec import SIDES, StrictModel
from formcheck.pose.core import PoseFrame
from formcheck.searchpath import load_each, search_dirs, toml_files
from formcheck.tomlfile import read_toml

__all__ = [
    "ROUTINE_SCHEMA",
    "Count",
    "ExerciseStarted",
    "RestStarted",
    "RestTick",
    "Routine",
    "RoutineCompleted",
    "RoutineEvent",
    "RoutineProgress",
    "RoutineRunner",
    "Seconds",
    "SetCompleted",
    "SetStarted",
    "Step",
    "find_routine",
    "list_routines",
    "load_exercise_or_routine",
    "load_routine",
    "parse_routine",
    "routine_dirs",
    "scan_routines",
]

ROUTINE_SCHEMA = "formcheck.routine_result"


# -- the format ----------------------------------------------------------------------------
class Count(NamedTuple):
    """``reps = 8`` or ``reps = [8, 10]``: aim for ``target``, at most ``upto``."""

    target: int
    upto: int

    def __str__(self) -> str:
        return f"{self.target}" if self.upto == self.target else f"{self.target}-{self.upto}"


class Seconds(NamedTuple):
    """``hold_s = 20`` or ``hold_s = [20, 30]``: aim for ``target``, at most ``upto``."""

    target: float
    upto: float

    def __str__(self) -> str:
        t, u = self.target, self.upto
        return f"{t:g} s" if u == t else f"{t:g}-{u:g} s"


def _as_range(value: Any) -> Any:
    """A number n means [n, n]; [low, high] stays (its numbers are checked by pydantic)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (value, value)
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a number or a range [low, high], got {value!r}")
    if len(value) != 2:
        raise ValueError(f"a range is [low, high], got {len(value)} numbers")
    return value


def _check_range(value: Count | Seconds | None) -> Count | Seconds | None:
    if value is None:
        return None
    if isinstance(value, Count) and value.target < 1:
        raise ValueError(f"must be at least 1, got {value.target}")
    if not value.target > 0:
        raise ValueError(f"must be more than 0, got {value.target:g}")
    if value.target > value.upto:
        raise ValueError(
            f"range [{value.target:g}, {value.upto:g}] must be [low, high] with low <= high"
        )
    return value


class Step(StrictModel):
    """One exercise of a routine: ``sets`` sets of ``reps`` (per side for an exercise counted
    per side or per direction) or of one ``hold_s`` hold, ``rest_s`` between its sets and
    ``rest_after_s`` (default: ``rest_s``) before the next exercise."""

    exercise: ExerciseDef
    sets: Count = Count(1, 1)
    reps: Count | None = None
    hold_s: Seconds | None = None
    rest_s: Annotated[float, PydanticField(ge=0)] = 30.0
    rest_after_s: Annotated[float, PydanticField(ge=0)] | None = None

    @field_validator("exercise", mode="before")
    @classmethod
    def _resolve(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            raise ValueError("expected an exercise id or alias (see `formcheck exercises list`)")
        folder = (info.context or {}).get("folder")
        if value.endswith(".toml") and folder is not None and not Path(value).is_absolute():
            value = str(Path(folder) / value)
        try:
            return load_exercise(value)
        except DefinitionError as err:
            raise ValueError(str(err)) from None

    @field_validator("sets", "reps", "hold_s", mode="before")
    @classmethod
    def _range_in(cls, value: Any) -> Any:
        return _as_range(value)

    @field_validator("sets", "reps", "hold_s", mode="after")
    @classmethod
    def _range_ok(cls, value: Count | Seconds | None) -> Count | Seconds | None:
        return _check_range(value)

    @model_validator(mode="after")
    def _one_target(self) -> Step:
        ex = self.exercise
        if self.reps is not None and self.hold_s is not None:
            raise ValueError("give reps or hold_s, not both")
        if self.reps is None and self.hold_s is None:
            raise ValueError(f"{ex.id} needs reps (per set) or hold_s (seconds per set)")
        if self.hold_s is not None and ex.hold is None:
            raise ValueError(f"hold_s: {ex.id} has no [hold] to time; count reps instead")
        return self

    @property
    def goal(self) -> Count | Seconds:
        """Each set's target: reps, or seconds of hold (see ``unit``)."""
        goal = self.hold_s or self.reps
        assert goal is not None
        return goal

    @property
    def unit(self) -> str:
        return "s" if self.hold_s is not None else "reps"

    @property
    def rest_after(self) -> float:
        return self.rest_s if self.rest_after_s is None else self.rest_after_s

    @property
    def per(self) -> tuple[str, ...]:
        """What each set's target applies to: ("both",), ("left", "right") or directions."""
        assert self.exercise.reps is not None
        if self.hold_s is not None:
            return ("both",) if self.exercise.reps.sides in ("both", "direction") else SIDES
        return tuple(self.exercise.reps.labels)

    def target_text(self) -> str:
        """The per-set target in words: "8-10 reps per side", "hold 20 s"."""
        per = {("both",): "", SIDES: " per side"}.get(self.per, " per direction")
        return f"hold {self.goal}{per}" if self.unit == "s" else f"{self.goal} reps{per}"


class Routine(StrictModel):
    id: Annotated[str, PydanticField(pattern=r"^[a-z][a-z0-9-]*$")]
    name: str
    description: str = ""
    steps: Annotated[list[Step], PydanticField(min_length=1)]
    source: str = ""


def parse_routine(data: dict[str, Any], origin: str, folder: str | Path | None = None) -> Routine:
    """Validate a parsed TOML table; ``origin`` names the file in error messages and
    ``folder`` is where a step's ``exercise = "file.toml"`` is looked for."""
    try:
        return Routine.model_validate(
            {**data, "source": origin}, context={"folder": None if folder is None else str(folder)}
        )
    except ValidationError as err:
        raise one_line_error(err, origin) from None


def _load_file(path: Path) -> Routine:
    data = read_toml(path, DefinitionError, "routine")
    return parse_routine(data, str(path), path.parent)


def routine_dirs() -> list[Path]:
    """Searched in order: ``$FORMCHECK_ROUTINES`` folders, ``<user config>/formcheck/routines``,
    the bundled ``routines/`` (only its top level: exercises live in ``routines/exercises``)."""
    return search_dirs("FORMCHECK_ROUTINES", "routines", bundled_routines_dir())


def scan_routines() -> tuple[list[Routine], list[FormcheckError]]:
    """Every routine that loads (the first folder wins for a repeated file name), sorted by id,
    and the one-line errors of the files that do not (a syntax error, an unknown exercise)."""
    loaded, skipped = load_each(toml_files(routine_dirs()), _load_file)
    return sorted(loaded, key=lambda r: r.id), skipped


def list_routines() -> list[Routine]:
    """Every routine that loads, sorted by id (``scan_routines`` also says which did not)."""
    return scan_routines()[0]


def find_routine(name: str) -> Path:
    """The routine file for an id, a name or a path to a ``.toml`` file. Looking for a name
    skips files that do not load; a name they might have held is reported with them."""
    if name.endswith(".toml"):
        if not Path(name).is_file():
            raise DefinitionError(f"{name}: no such routine file")
        return Path(name)
    files = toml_files(routine_dirs())
    want = name.strip().lower()
    for f in files:
        if f.stem == want:
            return f
    broken: list[str] = []
    for f in files:
        try:
            routine = _load_file(f)
        except FormcheckError:
            broken.append(str(f))
            continue
        if routine.name.lower() == want:
            return f
    known = ", ".join(f.stem for f in files if str(f) not in broken) or "none"
    unread = f"; not readable, so not searched: {', '.join(broken)}" if broken else ""
    raise DefinitionError(
        f"unknown routine {name!r}; known: {known} (or give a .toml file){unread}"
    )


def load_routine(name: str | Path) -> Routine:
    """Load and validate a routine by id, name or path."""
    return _load_file(find_routine(str(name)))


# -- what a runner reports -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RoutineEvent(Event):
    """Base of the routine's own events; they go out mixed with the engine's events."""

    @property
    def kind(self) -> str:
        return _ROUTINE_KIND[type(self)]


@dataclass(frozen=True, slots=True)
class ExerciseStarted(RoutineEvent):
    exercise: str
    name: str
    index: int  # 1-based
    count: int  # exercises in the routine


@dataclass(frozen=True, slots=True)
class SetStarted(RoutineEvent):
    """``target`` reps (or seconds of hold, ``unit = "s"``) for each of ``per``."""

    exercise: str
    set_index: int  # 1-based
    sets: int
    target: float
    unit: str  # "reps" | "s"
    per: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetCompleted(RoutineEvent):
    """A set ended: ``complete`` when its target was reached (else skipped or cut short)."""

    exercise: str
    set_index: int
    sets: int
    complete: bool
    reps_by_side: dict[str, int]
    faults: dict[str, int]  # fault id -> reps it was found on
    reps: tuple[RepRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class RestStarted(RoutineEvent):
    seconds: float
    next_exercise: str
    next_set: int


@dataclass(frozen=True, slots=True)
class RestTick(RoutineEvent):
    """Whole seconds of rest left, once each time the count goes down (…, 2, 1)."""

    left_s: int


@dataclass(frozen=True, slots=True)
class RoutineCompleted(RoutineEvent):
    routine: str


_ROUTINE_KIND = {
    ExerciseStarted: "exercise_started",
    SetStarted: "set_started",
    SetCompleted: "set_completed",
    RestStarted: "rest_started",
    RestTick: "rest_tick",
    RoutineCompleted: "routine_completed",
}


@dataclass(frozen=True, slots=True)
class RoutineProgress:
    """Where the session is. While resting, exercise and set are the ones coming next."""

    exercise: str
    name: str
    exercise_index: int  # 1-based
    exercises: int
    set_index: int  # 1-based
    sets: int
    so_far: dict[str, float]  # reps, or best hold in seconds, per side
    target: float
    unit: str  # "reps" | "s"
    resting: bool
    rest_left_s: float
    done: bool

    def text(self) -> str:
        if self.done:
            return "Routine complete"
        where = (
            f"{self.name}: exercise {self.exercise_index} of {self.exercises}, "
            f"set {self.set_index} of {self.sets}"
        )
        if self.resting:
            return f"Rest {math.ceil(self.rest_left_s - 1e-9)} s, next: {where}"
        unit = " s" if self.unit == "s" else ""
        counts = ", ".join(
            f"{'' if side == 'both' else side + ' '}{value:g}/{self.target:g}{unit}"
            for side, value in self.so_far.items()
        )
        return f"{where}, {counts}"


@dataclass(slots=True)
class _SetRecord:
    set_index: int
    start_s: float
    end_s: float
    complete: bool
    reps: list[RepRecord] = field(default_factory=list)


class _Stage(Enum):
    SET = "set"
    REST = "rest"
    DONE = "done"  # completed, or ended by finish()


class RoutineRunner:
    """Plays a routine over pose frames: ``update(pose) -> events`` once per frame.

    The events of a frame are the current engine's own events (passed through unchanged:
    :class:`RepCompleted`, ``FaultRaised``, ``HoldProgress``, ...) followed by the
    :class:`RoutineEvent` they caused (``SetCompleted``, ``RestStarted``, ...). Each set runs on
    a fresh engine, so a rep begun before the set started does not count; frames during a rest
    are not analysed at all. A rep set ends at the frame its target is reached on every side it
    applies to (a rep still in progress then on another side is not counted); a hold set ends
    as soon as a hold on every side has lasted ``hold_s``. Rests run on the frames' clock.
    """

    def __init__(self, routine: Routine) -> None:
        self.routine = routine
        self.engine: Engine | None = None  # the current exercise's engine (also while resting)
        self._extractor: FeatureExtractor | None = None  # the stage before it
        self.t_s = 0.0
        self._first_t: float | None = None
        self._stage = _Stage.SET
        self._started = False
        self._completed = False
        self._step_i = 0
        self._set_i = 1
        self._set_start = 0.0
        self._held: set[str] = set()
        self._rest_end = 0.0
        self._tick = 0
        self._next = (0, 1)  # the set that starts when the current rest ends
        self._records: list[list[_SetRecord]] = [[] for _ in routine.steps]

    # -- state -----------------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.routine.steps[self._step_i]

    @property
    def exercise(self) -> ExerciseDef:
        return self.step.exercise

    @property
    def resting(self) -> bool:
        return self._stage is _Stage.REST

    @property
    def done(self) -> bool:
        return self._stage is _Stage.DONE

    @property
    def completed(self) -> bool:
        """Every set of every exercise was reached (not just ended by :meth:`finish`)."""
        return self._completed

    @property
    def rest_left_s(self) -> float:
        return max(0.0, self._rest_end - self.t_s) if self.resting else 0.0

    @property
    def progress(self) -> RoutineProgress:
        step_i, set_i = self._next if self.resting else (self._step_i, self._set_i)
        step = self.routine.steps[step_i]
        so_far = dict.fromkeys(step.per, 0.0)
        if self._stage is _Stage.SET and self.engine is not None and self._started:
            so_far = self._so_far()
        return RoutineProgress(
            step.exercise.id, step.exercise.name, step_i + 1, len(self.routine.steps),
            set_i, step.sets.target, so_far, step.goal.target, step.unit,
            self.resting, self.rest_left_s, self.done,
        )  # fmt: skip

    def _so_far(self) -> dict[str, float]:
        assert self.engine is not None
        if self.step.hold_s is None:
            counts = self.engine.reps_by_side()
            return {s: float(counts.get(s, 0)) for s in self.step.per}
        best = {s: self.engine.hold_s(s) for s in self.step.per}
        for rep in self.engine.reps:
            side = rep.side if rep.side in best else "both"
            best[side] = max(best.get(side, 0.0), rep.hold_s or 0.0)
        return {s: round(v, 3) for s, v in best.items()}

    # -- the step --------------------------------------------------------------------------
    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one frame; returns the engine's events and the routine's, in order."""
        self.t_s = t = frame.t_s
        out: list[Event] = []
        if self._first_t is None:
            self._first_t = t
        if not self._started:
            self._started = True
            self._begin(t, out)
        if self._stage is _Stage.REST:
            left = self._rest_end - t
            if left > 1e-9:
                tick = math.ceil(left - 1e-9)
                if tick < self._tick:
                    self._tick = tick
                    out.append(RestTick(t, tick))
                return out
            self._begin(t, out)
        if self._stage is _Stage.DONE:
            return out
        assert self.engine is not None and self._extractor is not None
        events = self.engine.update(self._extractor.update(frame)).events
        out.extend(events)
        if self._set_reached(events):
            self._close_set(t, True, out)
            self._after_set(t, out)
        return out

    def reset_engine(self) -> None:
        """The current exercise's engine and its features stage forget everything: its set
        counts from 0 again (the live window's reset key)."""
        if self.engine is not None and self._extractor is not None:
            self.engine.reset()
            self._extractor.reset()

    def skip(self) -> list[Event]:
        """End the rest now, or end the current set as it is and go on (a key in the live
        window)."""
        out: list[Event] = []
        if self._stage is _Stage.REST:
            self._begin(self.t_s, out)
        elif self._stage is _Stage.SET and self._started:
            self._close_set(self.t_s, False, out)
            self._after_set(self.t_s, out)
        return out

    def next_exercise(self) -> list[Event]:
        """Leave the current exercise now (its open set is kept as it is) and start the next
        one without a rest; after the last exercise the routine completes."""
        out: list[Event] = []
        if self._stage is _Stage.DONE or not self._started:
            return out
        if self._stage is _Stage.SET:
            self._close_set(self.t_s, False, out)
        elif self._next[0] != self._step_i:  # resting before the next exercise already
            self._begin(self.t_s, out)
            return out
        if self._step_i + 1 < len(self.routine.steps):
            self._next = (self._step_i + 1, 1)
            self._begin(self.t_s, out)
        else:
            self._complete(self.t_s, out)
        return out

    def finish(self) -> list[Event]:
        """The input ended: an open set is closed with what it has; nothing more counts."""
        out: list[Event] = []
        if self._stage is _Stage.SET and self._started:
            self._close_set(self.t_s, False, out)
        self._stage = _Stage.DONE
        return out

    # -- transitions -----------------------------------------------------------------------
    def _begin(self, t: float, out: list[Event]) -> None:
        """Start the set in ``self._next`` (the first exercise's first set at the start)."""
        step_i, set_i = self._next
        new_exercise = self.engine is None or step_i != self._step_i
        self._step_i, self._set_i = step_i, set_i
        step = self.step
        if new_exercise:
            self.engine = Engine(step.exercise)
            self._extractor = self.engine.new_extractor()
            out.append(
                ExerciseStarted(
                    t, step.exercise.id, step.exercise.name, step_i + 1, len(self.routine.steps)
                )
            )
        else:
            assert self.engine is not None and self._extractor is not None
            self.engine.reset()
            self._extractor.reset()
        self._stage, self._set_start, self._held = _Stage.SET, t, set()
        out.append(
            SetStarted(
                t, step.exercise.id, set_i, step.sets.target, step.goal.target, step.unit, step.per
            )
        )

    def _set_reached(self, events: Sequence[Event]) -> bool:
        step = self.step
        assert self.engine is not None
        if step.hold_s is None:
            counts = self.engine.reps_by_side()
            return all(counts.get(s, 0) >= step.reps.target for s in step.per)  # type: ignore[union-attr]
        goal = step.hold_s.target - 1e-9
        for ev in events:
            if isinstance(ev, RepCompleted) and (ev.rep.hold_s or 0.0) >= goal:
                self._held.add(ev.rep.side if ev.rep.side in step.per else "both")
        self._held |= {s for s in step.per if self.engine.hold_s(s) >= goal}
        return self._held >= set(step.per)

    def _close_set(self, t: float, reached: bool, out: list[Event]) -> None:
        """Record the set and clear the engine's faults; see the class docstring for which
        reps count."""
        assert self.engine is not None
        reps = list(self.engine.reps)
        for ev in self.engine.finish():
            if isinstance(ev, RepCompleted):
                if reached and self.step.hold_s is None:
                    continue  # beyond the target: not counted
                reps.append(ev.rep)
            out.append(ev)
        rec = _SetRecord(self._set_i, self._set_start, t, reached, reps)
        self._records[self._step_i].append(rec)
        summary = _set_summary(self.exercise, reps)
        out.append(
            SetCompleted(
                t, self.exercise.id, self._set_i, self.step.sets.target, reached,
                summary["reps_by_side"], summary["faults"], tuple(reps),
            )
        )  # fmt: skip

    def _after_set(self, t: float, out: list[Event]) -> None:
        step = self.step
        if self._set_i < step.sets.target:
            self._next, rest = (self._step_i, self._set_i + 1), step.rest_s
        elif self._step_i + 1 < len(self.routine.steps):
            self._next, rest = (self._step_i + 1, 1), step.rest_after
        else:
            self._complete(t, out)
            return
        if rest <= 0:
            self._begin(t, out)
            return
        self._stage, self._rest_end, self._tick = _Stage.REST, t + rest, math.ceil(rest - 1e-9)
        nxt = self.routine.steps[self._next[0]].exercise.id
        out.append(RestStarted(t, rest, nxt, self._next[1]))

    def _complete(self, t: float, out: list[Event]) -> None:
        self._stage, self._completed = _Stage.DONE, True
        out.append(RoutineCompleted(t, self.routine.id))

    # -- the result ------------------------------------------------------------------------
    def summary(
        self, source: str = "", *, interrupted: bool = False,
        live: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """JSON-ready result of the session, in the style of ``session_result``: per exercise
        the sets done (target reached), reps per set, faults, and each set's reps; then
        ``interrupted`` and ``live`` as a set's result ends with them."""
        exercises = []
        for step, records in zip(self.routine.steps, self._records, strict=True):
            ex = step.exercise
            sets = []
            faults: Counter[str] = Counter()
            for rec in records:
                summary = _set_summary(ex, rec.reps)
                faults.update(summary["faults"])
                sets.append({
                    "set": rec.set_index, "complete": rec.complete,
                    "start_s": round(rec.start_s, 3), "end_s": round(rec.end_s, 3),
                    "summary": summary, "reps": [rep_to_dict(r) for r in rec.reps],
                })  # fmt: skip
            exercises.append({
                "exercise": ex.id, "name": ex.name,
                "target": {"unit": step.unit, "target": step.goal.target,
                           "max": step.goal.upto, "per": list(step.per)},
                "sets_planned": step.sets.target, "sets_max": step.sets.upto,
                "sets_done": sum(r.complete for r in records),
                "reps_per_set": [len(r.reps) for r in records],
                "faults": dict(sorted(faults.items())), "sets": sets,
            })  # fmt: skip
        first = self._first_t if self._first_t is not None else self.t_s
        return {
            "schema": ROUTINE_SCHEMA,
            "version": 1,
            "routine": self.routine.id,
            "name": self.routine.name,
            "source": source,
            "duration_s": round(self.t_s - first, 3),
            "completed": self._completed,
            "exercises": exercises,
            **ending_keys(interrupted, live=live),
        }


def _set_summary(exercise: ExerciseDef, reps: list[RepRecord]) -> dict[str, Any]:
    return session_result(exercise, reps, [])["summary"]


def load_exercise_or_routine(name: str) -> ExerciseDef | Routine:
    """An exercise (the catalogue is tried first) or else a routine, by id, name or .toml file;
    a name that is neither is one error naming both kinds."""
    if name.endswith(".toml"):
        return load_routine(name) if _is_routine_file(Path(name)) else load_exercise(name)
    try:
        find_exercise(name)
    except DefinitionError:
        try:
            find_routine(name)
        except DefinitionError:
            raise DefinitionError(
                f"{name!r} is neither an exercise nor a routine; exercises: "
                f"{_known(list_exercises)}; routines: {_known(list_routines)}"
            ) from None
        return load_routine(name)
    return load_exercise(name)


def _is_routine_file(path: Path) -> bool:
    """A .toml file with ``[[steps]]`` is a routine (anything else is read as an exercise)."""
    try:
        return "steps" in read_toml(path, DefinitionError, "routine")
    except DefinitionError:
        return False  # the exercise loader says what is wrong with it


def _known(lister) -> str:  # noqa: ANN001
    try:
        return ", ".join(sorted(item.id for item in lister())) or "none"
    except FormcheckError:
        return "(some cannot be read)"
