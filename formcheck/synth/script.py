"""Scripted motion for the mannequin: named poses, timed steps and the ground truth they imply.

A ``Script`` starts in one pose and runs through ``Step`` s. Each step moves from the current
pose to its target over ``move_s`` (cosine ease: zero speed at both ends), optionally sweeps some
parameters periodically (``wave``: ``value = target + A sin(direction * 2 pi tau / period_s +
phase)``, e.g. arm circles), then holds for ``hold_s``. A step's ``tag`` (one string or a
list) marks ground truth: ``Script.truth`` lists a ``TruthSpan`` per tag.

Poses are mappings of parameter name to degrees (see ``formcheck.synth.body``), or the name of a
pose in ``Script.poses`` or of a preset (``PRESETS``: standing, all_fours, prone, supine, seated,
kneeling, hanging). A pose mapping may start from another with ``base = "<name>"``.

The dict form (a TOML table maps onto it 1:1)::

    support = "floor"               # or "hang", "bars"
    start = "all_fours"             # pose name or inline table; default: the first step's pose

    [poses.reach_left]
    base = "all_fours"
    shoulder_flex_right = 162.4     # sided keys override the plain key
    wrist_flex_right = 0
    hip_flex_left = -17.6
    knee_flex_left = 0

    [[steps]]
    pose = "reach_left"
    move_s = 1.0
    hold_s = 2.5
    tag = "rep:left"

    [[steps]]
    pose = "all_fours"

    [[steps]]                        # a rep with a fault
    pose = "reach_left"
    hold_s = 2.5
    tag = ["rep:left", "fault:bent_knee"]
    overrides = {knee_flex_left = 45}

    [[steps]]                        # forward arm circles: 4 periods of 2 s, one rep each
    pose = {shoulder_abd = 90, shoulder_flex = 30}
    wave = {shoulder_flex = [40, 0], shoulder_abd = [40, 90]}   # [amplitude_deg, phase_deg]
    periods = 4
    period_s = 2.0
    direction = 1                    # -1 runs the circle the other way
    tag = "rep"
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from formcheck.errors import DefinitionError
from formcheck.synth.body import PARAM_INDEX, PARAM_NAMES, PRESETS, SIDED_PARAMS, SUPPORTS
from formcheck.synth.body import pose_vector as _pose_vector

__all__ = ["PoseSpec", "Script", "Step", "TruthSpan"]

PoseSpec = str | Mapping[str, Any]
_STEP_KEYS = ("pose", "move_s", "hold_s", "tag", "overrides", "wave", "periods", "period_s",
              "direction")  # fmt: skip
_SCRIPT_KEYS = ("poses", "steps", "start", "support")


@dataclass(frozen=True, slots=True)
class TruthSpan:
    """Ground truth of one tagged step (seconds from the script's start).

    ``start_s``: the move towards the target begins; ``reach_s``: the target is reached;
    ``leave_s``: the hold ends; ``end_s``: the next step's move has arrived (back at rest),
    ``leave_s`` for the last step. The tagged state holds fully in ``[reach_s, leave_s]`` and
    partly in ``[start_s, end_s]``. For a wave step each full period is one span with
    ``start_s = reach_s`` and ``leave_s = end_s``.
    """

    tag: str
    start_s: float
    reach_s: float
    leave_s: float
    end_s: float

    @property
    def hold_s(self) -> float:
        return self.leave_s - self.reach_s


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DefinitionError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _check_param(name: str, where: str) -> None:
    if name not in PARAM_INDEX and name not in SIDED_PARAMS:
        raise DefinitionError(f"{where}: unknown pose parameter {name!r}")


@dataclass(frozen=True, slots=True)
class Step:
    """Move to ``pose`` (+ ``overrides``) over ``move_s``, run the ``wave``, hold ``hold_s``.

    ``wave`` maps parameter names to ``(amplitude_deg, phase_deg)`` (or a bare amplitude); it
    runs for ``periods`` periods of ``period_s`` seconds; the move goes to the wave's starting
    value so the motion stays continuous, and the hold keeps the wave's final value.
    """

    pose: PoseSpec
    move_s: float = 1.0
    hold_s: float = 0.0
    tag: str | Sequence[str] | None = None
    overrides: Mapping[str, float] = field(default_factory=dict)
    wave: Mapping[str, Any] = field(default_factory=dict)
    periods: float = 0.0
    period_s: float = 1.0
    direction: int = 1

    def __post_init__(self) -> None:
        for name in ("move_s", "hold_s", "periods"):
            if _number(getattr(self, name), name) < 0:
                raise DefinitionError(f"{name}: expected >= 0, got {getattr(self, name)!r}")
        if not _number(self.period_s, "period_s") > 0:
            raise DefinitionError(f"period_s: expected > 0, got {self.period_s!r}")
        if self.direction not in (1, -1):
            raise DefinitionError(f"direction: expected 1 or -1, got {self.direction!r}")
        if self.wave and not self.periods > 0:
            raise DefinitionError("periods: a wave needs periods > 0")
        wave: dict[str, tuple[float, float]] = {}
        for name, spec in self.wave.items():
            _check_param(name, f"wave.{name}")
            amp_phase = list(spec) if isinstance(spec, list | tuple) else [spec]
            if len(amp_phase) not in (1, 2):
                raise DefinitionError(f"wave.{name}: expected [amplitude, phase], got {spec!r}")
            amp, phase = (*amp_phase, 0.0)[:2]
            wave[name] = (_number(amp, f"wave.{name}"), _number(phase, f"wave.{name}"))
        object.__setattr__(self, "wave", wave)
        for name, value in self.overrides.items():
            _check_param(name, f"overrides.{name}")
            _number(value, f"overrides.{name}")
        for tag in self.tags:
            if not isinstance(tag, str) or not tag:
                raise DefinitionError(f"tag: expected a non-empty string, got {tag!r}")

    @property
    def tags(self) -> tuple[str, ...]:
        if self.tag is None:
            return ()
        return (self.tag,) if isinstance(self.tag, str) else tuple(self.tag)

    @property
    def wave_s(self) -> float:
        return self.periods * self.period_s if self.wave else 0.0

    @property
    def duration_s(self) -> float:
        return self.move_s + self.wave_s + self.hold_s

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "step") -> Step:
        """A step from its dict/TOML form (keys as the constructor's arguments)."""
        if not isinstance(data, Mapping):
            raise DefinitionError(f"{where}: expected a table, got {data!r}")
        for key in data:
            if key not in _STEP_KEYS:
                raise DefinitionError(f"{where}: unknown key {key!r}; expected {_STEP_KEYS}")
        if "pose" not in data:
            raise DefinitionError(f"{where}: missing key 'pose'")
        try:
            return cls(**data)
        except DefinitionError as err:
            raise DefinitionError(f"{where}.{err}") from None


@dataclass(frozen=True, slots=True, eq=False)
class _Segment:
    t0: float
    t1: float
    kind: str  # "move" | "wave" | "hold"
    a: np.ndarray  # move: from; wave: centre; hold: value
    b: np.ndarray  # move: to
    step: Step


@dataclass(frozen=True, slots=True)
class Script:
    """A start pose and a list of steps; ``support`` is ``"floor"``, ``"hang"`` or ``"bars"``."""

    poses: Mapping[str, Mapping[str, Any]]
    steps: Sequence[Step]
    start: PoseSpec | None = None
    support: str = "floor"
    _plan: tuple[np.ndarray, tuple[_Segment, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise DefinitionError("steps: a script needs at least one step")
        if self.support not in SUPPORTS:
            raise DefinitionError(f"support: expected one of {SUPPORTS}, got {self.support!r}")
        object.__setattr__(self, "_plan", self._build())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "script") -> Script:
        """A script from its dict/TOML form (see the module docstring)."""
        for key in data:
            if key not in _SCRIPT_KEYS:
                raise DefinitionError(f"{where}: unknown key {key!r}; expected {_SCRIPT_KEYS}")
        steps = data.get("steps")
        if not isinstance(steps, list):
            raise DefinitionError(f"{where}.steps: expected a list of tables, got {steps!r}")
        try:
            return cls(
                poses=dict(data.get("poses", {})),
                steps=[Step.from_dict(s, f"steps[{i}]") for i, s in enumerate(steps)],
                start=data.get("start"),
                support=data.get("support", "floor"),
            )
        except DefinitionError as err:
            raise DefinitionError(f"{where}.{err}") from None

    def pose_vector(self, pose: PoseSpec, where: str = "pose") -> np.ndarray:
        """``(P,)`` parameters of a pose name or mapping (columns as ``PARAM_NAMES``)."""
        return _pose_vector(self._layers(pose, where, frozenset()), where)

    def _layers(self, pose: PoseSpec, where: str, seen: frozenset[str]) -> list[Mapping]:
        if isinstance(pose, str):
            if pose in self.poses and pose not in seen:
                return self._layers(self.poses[pose], f"poses.{pose}", seen | {pose})
            if pose in PRESETS:
                return [PRESETS[pose]]
            known = sorted({*self.poses, *PRESETS})
            raise DefinitionError(f"{where}: unknown pose {pose!r}; known: {', '.join(known)}")
        if not isinstance(pose, Mapping):
            raise DefinitionError(f"{where}: expected a pose name or table, got {pose!r}")
        own = {k: v for k, v in pose.items() if k != "base"}
        base = pose.get("base")
        return [*self._layers(base, f"{where}.base", seen), own] if base is not None else [own]

    def _build(self) -> tuple[np.ndarray, tuple[_Segment, ...]]:
        first, where = (
            (self.start, "start")
            if self.start is not None
            else (self.steps[0].pose, "steps[0].pose")
        )
        current = self.pose_vector(first, where)
        t, segments = 0.0, []
        for i, step in enumerate(self.steps):
            where = f"steps[{i}]"
            target = _pose_vector(
                [*self._layers(step.pose, f"{where}.pose", frozenset()), step.overrides], where
            )
            wave_start = target + self._wave_offset(step, 0.0)
            segments.append(_Segment(t, t + step.move_s, "move", current, wave_start, step))
            t += step.move_s
            if step.wave:
                segments.append(_Segment(t, t + step.wave_s, "wave", target, target, step))
                t += step.wave_s
            current = target + self._wave_offset(step, step.wave_s)
            segments.append(_Segment(t, t + step.hold_s, "hold", current, current, step))
            t += step.hold_s
        return self.pose_vector(first, where), tuple(segments)

    @staticmethod
    def _wave_offset(step: Step, tau: np.ndarray | float) -> np.ndarray:
        """``(..., P)`` offsets of the step's wave at ``tau`` seconds into the wave."""
        tau = np.asarray(tau, float)
        out = np.zeros((*tau.shape, len(PARAM_NAMES)))
        for name, (amp, phase) in step.wave.items():
            value = amp * np.sin(
                step.direction * 2 * np.pi * tau / step.period_s + np.radians(phase)
            )
            sided = [f"{name}_left", f"{name}_right"] if name in SIDED_PARAMS else [name]
            for full in sided:
                out[..., PARAM_INDEX[full]] = value
        return out

    @property
    def duration_s(self) -> float:
        return sum(step.duration_s for step in self.steps)

    def sample(self, times_s: np.ndarray) -> np.ndarray:
        """``(n, P)`` pose parameters at ``times_s`` (before 0: the start; after the end: the
        last pose)."""
        times = np.asarray(times_s, float).reshape(-1)
        start, segments = self._plan
        out = np.tile(start, (len(times), 1))
        for seg in segments:
            inside = (times >= seg.t0) & (times < seg.t1)
            if seg.t1 <= seg.t0 or not inside.any():
                continue
            tau = times[inside] - seg.t0
            if seg.kind == "move":
                ease = (1 - np.cos(np.pi * tau / (seg.t1 - seg.t0))) / 2
                out[inside] = seg.a + ease[:, None] * (seg.b - seg.a)
            elif seg.kind == "wave":
                out[inside] = seg.a + self._wave_offset(seg.step, tau)
            else:
                out[inside] = seg.a
        out[times >= segments[-1].t1] = segments[-1].b
        return out

    @property
    def truth(self) -> list[TruthSpan]:
        """Ground-truth spans of every tagged step, in time order (see ``TruthSpan``)."""
        spans: list[TruthSpan] = []
        t = 0.0
        for i, step in enumerate(self.steps):
            reach = t + step.move_s
            leave = t + step.duration_s
            if step.wave:
                periods = int(step.periods + 1e-9)
                for k in range(periods):
                    p0, p1 = reach + k * step.period_s, reach + (k + 1) * step.period_s
                    spans += [TruthSpan(tag, p0, p0, p1, p1) for tag in step.tags]
            else:
                nxt = self.steps[i + 1] if i + 1 < len(self.steps) else None
                end = leave + nxt.move_s if nxt is not None else leave
                spans += [TruthSpan(tag, t, reach, leave, end) for tag in step.tags]
            t = leave
        return spans
