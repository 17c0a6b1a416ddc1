"""Exercise definitions: TOML files parsed into frozen, validated objects.

A definition says which features to measure (from a small vocabulary over landmarks), how to
count reps on a driving feature, what counts as a hold, which faults to look for and how to
test itself on generated motion. The format is documented in ``routines/README.md``.
Anything wrong is reported as one line naming the file, the key and what is wrong.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from formcheck.errors import DefinitionError
from formcheck.features.spec import (
    PLACEHOLDER,
    POINT_NAMES,
    SIDES,
    FeatureDef,
    StrictModel,
    substitute_side,
)
from formcheck.tomlfile import read_toml

__all__ = [
    "Condition",
    "ExerciseDef",
    "FaultDef",
    "HoldDef",
    "RepDef",
    "TempoDef",
    "expand_feature_names",
    "load_definition",
    "one_line_error",
    "parse_definition",
]


class Condition(StrictModel):
    """``feature`` compared with a threshold: exactly one of below / above / outside / inside."""

    feature: str
    below: float | None = None
    above: float | None = None
    outside: tuple[float, float] | None = None
    inside: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [k for k in ("below", "above", "outside", "inside") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a condition needs exactly one of below, above, outside, inside")
        rng = self.outside or self.inside
        if rng is not None and not rng[0] < rng[1]:
            raise ValueError(f"range {list(rng)} must be [low, high] with low < high")
        return self

    def holds(self, value: float) -> bool:
        if self.below is not None:
            return value < self.below
        if self.above is not None:
            return value > self.above
        if self.outside is not None:
            return value < self.outside[0] or value > self.outside[1]
        assert self.inside is not None
        return self.inside[0] <= value <= self.inside[1]

    def margin(self, value: float) -> float:
        """How far ``value`` lies beyond the threshold, in the feature's units (positive:
        the condition holds)."""
        if self.below is not None:
            return self.below - value
        if self.above is not None:
            return value - self.above
        if self.outside is not None:
            return max(self.outside[0] - value, value - self.outside[1])
        assert self.inside is not None
        return min(value - self.inside[0], self.inside[1] - value)

    def threshold_text(self) -> str:
        if self.below is not None:
            return f"< {self.below:g}"
        if self.above is not None:
            return f"> {self.above:g}"
        lo, hi = self.outside or self.inside  # type: ignore[misc]
        return f"outside {lo:g}..{hi:g}" if self.outside else f"within {lo:g}..{hi:g}"


# top: in the top phase, beyond the rise a rep needs; rep: out of the rest band; rest: in it;
# any: always; peak: judged once per rep on the median values over the rep's held top;
# trough: judged once per rep on the values at its lowest point in the rest before the rep.
Phase = Literal["top", "rest", "rep", "any", "peak", "trough"]


def _retired(data: Any, keys: tuple[str, ...], instead: str) -> Any:
    """Refuse keys of an older format with a pointer to what replaced them."""
    for key in keys:
        if isinstance(data, dict) and key in data:
            raise ValueError(f"'{key}' is no longer used: {instead}")
    return data


class RepDef(StrictModel):
    """Counting on a driving feature, relative to the person (see ``formcheck.engine.reps``).

    ``direction = "up"``: a rep moves the drive up from the person's rest level and back;
    ``"down"`` mirrors this. What only the definition can know is given in the drive's units:
    ``min_range``, the smallest movement from rest that is a rep at all (a fidget stays below
    it); ``share``, the share of the person's own typical range (learned from their reps) that
    a later rep must reach; ``limits``, values a real body cannot reach (pose-model glitches,
    ignored); ``rest``, the rest position assumed until the person's own is seen. A phase
    change counts only after it has held ``min_phase_s``. A rep counts only when its top
    lasted at least ``min_top_s`` and the whole rep at most ``max_rep_s`` (with a ``[hold]``,
    the time at the top left out: a hold held a minute is one rep).

    ``require``: conditions on other features that must hold for the drive to count (e.g. a
    pull-up: hands above the elbows, so letting go of the bar and gripping it again is not a
    rep). A condition failing for ``min_phase_s`` drops the rep in progress; counting starts
    again once the drive has been back at rest with every condition met.
    """

    sides: Literal["both", "each", "alternating", "direction"] = "both"
    drive: str
    # sides = "direction": one count, each rep labelled by the sign of this feature's mean on
    # the way up minus its mean on the way back (e.g. arm circles: forward / backward)
    direction_by: str | None = None
    direction_names: tuple[str, str] = ("forward", "backward")
    # a rep whose direction feature averages closer to 0 than this is not a circle (a plain
    # raise into position, say) and is not counted
    direction_min: Annotated[float, Field(ge=0)] = 0.05
    direction: Literal["up", "down"] = "up"
    min_range: Annotated[float, Field(gt=0)]
    share: Annotated[float, Field(gt=0, lt=1)] = 0.35
    limits: tuple[float, float] | None = None
    # where the rest position is (drive units), until the person's own is seen: a set that
    # starts in the held position (already hanging from the bar) then counts
    rest: float | None = None
    min_phase_s: Annotated[float, Field(ge=0)] = 0.15
    min_top_s: Annotated[float, Field(ge=0)] = 0.0
    max_rep_s: Annotated[float, Field(gt=0)] = 30.0
    range_cue: str = "Move through the full range"
    require: list[Condition] = []

    @model_validator(mode="before")
    @classmethod
    def _no_fixed_thresholds(cls, data: Any) -> Any:
        return _retired(
            data, ("enter", "leave"), "the top and the rest are learned from the person; give "
            "min_range (the smallest movement that is a rep) instead",
        )  # fmt: skip

    @field_validator("require", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @property
    def labels(self) -> list[str]:
        """What reps are counted by: "both", "left"/"right", or the two direction names."""
        if self.sides == "both":
            return ["both"]
        if self.sides == "direction":
            return list(self.direction_names)
        return ["left", "right"]

    @model_validator(mode="after")
    def _check(self) -> RepDef:
        if (self.sides == "direction") != (self.direction_by is not None):
            raise ValueError("sides = 'direction' and direction_by go together")
        if self.limits is not None and not self.limits[0] < self.limits[1]:
            raise ValueError(f"limits {list(self.limits)} must be [low, high] with low < high")
        return self


class HoldDef(StrictModel):
    """A hold at the top of a rep. The held position is within ``band`` of the rep's range
    below its peak (the person's own top); ``target_s`` is the time to hold it *with good
    form*: every ``when`` condition met and no fault active. Gaps up to ``max_gap_s`` (a
    dropout, a noisy frame) are bridged."""

    # None: the hold is timed, but no one hold has a target (the guide sets none per go)
    target_s: Annotated[float, Field(gt=0)] | None = None
    max_s: float | None = None
    band: Annotated[float, Field(gt=0, lt=1)] = 0.25
    max_gap_s: Annotated[float, Field(ge=0)] = 0.3
    when: list[Condition] = []
    cue: str = "Hold it longer"

    @model_validator(mode="before")
    @classmethod
    def _no_speed(cls, data: Any) -> Any:
        return _retired(
            data, ("still_speed", "still_window_s"),
            "a hold is the time near the top of the rep (hold.band, a share of the person's range)",
        )  # fmt: skip


class TempoDef(StrictModel):
    min_rep_s: Annotated[float, Field(gt=0)]
    cue: str = "Slow down: move with control"


class FaultDef(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    when: list[Condition]
    phases: list[Phase] = ["top"]
    min_duration_s: Annotated[float, Field(ge=0)] = 0.3
    clear_after_s: Annotated[float, Field(ge=0)] = 0.2
    # judged on how far the features moved from their values at the rest before the rep (the
    # person's own start: a tilted camera or a body that lies differently does not count)
    from_rest: bool = False
    cue: str
    severity: Literal["info", "warning", "error"] = "warning"
    description: str = ""
    # What a person reads instead of the id ("bent knee"); empty: the id in words
    label: str = ""

    @field_validator("when", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v


class SelfTestDef(StrictModel):
    """Generated motions with known results (see ``formcheck.engine.selftest``)."""

    fps: float = 30.0
    camera: dict[str, float] = {}
    support: Literal["floor", "hang", "bars"] = "floor"
    poses: dict[str, dict[str, Any]]
    sequences: dict[str, list[dict[str, Any]]] = {}
    cases: list[dict[str, Any]]


Posture = Literal["standing", "all_fours", "prone", "supine", "seated", "hanging", "kneeling"]


class ExerciseDef(StrictModel):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    name: str
    aliases: list[str] = []
    description: str = ""
    posture: Posture
    view: Literal["side", "front", "any"] = "any"
    # Which way the trunk points when set up (checked before counting); default from posture.
    trunk: Literal["upright", "horizontal", "any"] | None = None
    # How to get into the start position, in the person's words (the live window's card, and
    # the cue when the trunk is not as the exercise starts); default: from posture and trunk.
    start: str = ""
    features: dict[str, FeatureDef]
    reps: RepDef | None = None
    hold: HoldDef | None = None
    tempo: TempoDef | None = None
    faults: list[FaultDef] = []
    key_points: list[str] = []
    selftest: SelfTestDef | None = None
    source: str = ""

    @model_validator(mode="after")
    def _references(self) -> ExerciseDef:
        if self.reps is None:
            raise ValueError("reps: a definition needs a [reps] table (what is counted)")
        names = expand_feature_names(self.features)
        sided = self.reps.sides in ("each", "alternating")

        def check(ref: str, where: str, per_side: bool = False) -> None:
            """``per_side``: ``ref`` is in a feature of its own that may exist per side (a
            ``combine`` of one side's features), not in a rule about the rep's side."""
            has_placeholder = bool(PLACEHOLDER.search(ref))
            if has_placeholder and not sided and not per_side:
                raise ValueError(f"{where}: '{{side}}' needs reps.sides 'each' or 'alternating'")
            for side in SIDES:
                name = substitute_side(ref, side)
                if name not in names:
                    raise ValueError(
                        f"{where}: unknown feature {ref!r}; defined: {', '.join(sorted(names))}"
                    )

        check(self.reps.drive, "reps.drive")
        if self.reps.direction_by is not None:
            check(self.reps.direction_by, "reps.direction_by")
        for i, cond in enumerate(self.reps.require):
            check(cond.feature, f"reps.require[{i}].feature")
        if sided and not PLACEHOLDER.search(self.reps.drive):
            raise ValueError("reps.drive: a one-sided exercise drives on a feature with '{side}'")
        for fname, f in self.features.items():
            for ref in f.of:
                check(ref, f"features.{fname}.of", per_side=f.kind == "combine")
        for i, fault in enumerate(self.faults):
            for cond in fault.when:
                check(cond.feature, f"faults[{i}].when.feature")
        for cond in self.hold.when if self.hold else []:
            check(cond.feature, "hold.when.feature")
        for p in self.key_points:
            for side in SIDES:
                if substitute_side(p, side) not in POINT_NAMES:
                    raise ValueError(f"key_points: unknown landmark {p!r}")
        ids = [f.id for f in self.faults]
        if len(ids) != len(set(ids)):
            raise ValueError("faults: two faults share one id")
        return self

    @property
    def needs_mask(self) -> bool:
        """Whether a feature is measured on the person's segmentation mask."""
        return any(f.kind == "spine_curvature" for f in self.features.values())


def expand_feature_names(features: dict[str, FeatureDef]) -> set[str]:
    """All feature names a definition provides, with the side variants of sided features."""
    names: set[str] = set()
    for name, f in features.items():
        if f.sided:
            names |= {f"{name}_left", f"{name}_right", f"{name}_min", f"{name}_max"}
        if not f.sided or f.mirror:
            names.add(name)
    return names


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


# Patterns of ids, said in words.
_PATTERN_WORDS = {
    r"^[a-z][a-z0-9-]*$": "lowercase letters, digits and dashes, starting with a letter",
    r"^[a-z][a-z0-9_]*$": "lowercase letters, digits and underscores, starting with a letter",
}


def one_line_error(err: ValidationError, origin: str) -> DefinitionError:
    """The first problem pydantic found, as one line naming the file, the key and the value.
    An unknown key gets the nearest known one ("did you mean 'phases'?"); an id that does not
    match its pattern is told the rule in words."""
    errors = err.errors()
    first = _explaining(errors)
    key = _key_path(first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    got = first.get("input")
    got_text = ""
    if first["type"] not in ("missing", "value_error") and not isinstance(got, dict | list):
        got_text = f" (got {got!r})"
    where = "" if key == "(top level)" else f"{key}: "
    if first["type"] == "extra_forbidden":
        model = _model_named(err.title)
        known = [] if model is None else _known_keys(model, first["loc"][:-1])
        return DefinitionError(
            f"{origin}: {where}unknown key{_suggestion(first['loc'][-1], known)}"
        )
    pattern = (first.get("ctx") or {}).get("pattern")
    if first["type"] == "string_pattern_mismatch" and pattern in _PATTERN_WORDS:
        return DefinitionError(f"{origin}: {key} must be {_PATTERN_WORDS[pattern]}{got_text}")
    return DefinitionError(f"{origin}: {where}{msg}{got_text}")


def _explaining(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The error to report: the first, unless it is a missing key that a misspelt key beside
    it explains (``kinds = ...`` for ``kind``): then the misspelling."""
    first = errors[0]
    if first["type"] == "missing":
        name, parent = str(first["loc"][-1]), first["loc"][:-1]
        for e in errors:
            if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent:
                if difflib.get_close_matches(str(e["loc"][-1]), [name], n=1, cutoff=0.6):
                    return e
    return first


def _suggestion(unknown: object, known: list[str]) -> str:
    """ "; did you mean 'phases'?", or the keys allowed there when none is close."""
    if not known:
        return ""
    close = difflib.get_close_matches(str(unknown), known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys: {', '.join(known)}"


def _model_named(title: str) -> type[BaseModel] | None:
    """The strict model a validation error is about (``ValidationError.title``)."""
    todo: list[type[BaseModel]] = [StrictModel]
    while todo:
        cls = todo.pop()
        if cls.__name__ == title:
            return cls
        todo += cls.__subclasses__()
    return None


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the table at ``loc`` (inside ``model``) may have, or [] if it is not a model."""
    t: Any = model
    for part in loc:
        t = _unwrap(t)
        if isinstance(part, str) and part.startswith("function-"):
            continue  # a validator's step in the location, not a key
        if isinstance(t, type) and issubclass(t, BaseModel):
            info = t.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return []
            t = info.annotation
        elif get_origin(t) in (list, tuple, set, frozenset):
            t = get_args(t)[0]
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        else:
            return []
    t = _unwrap(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return [name for name in t.model_fields if name != "source"]
    return []


def _unwrap(t: Any) -> Any:
    """``X`` of ``Annotated[X, ...]`` and of ``X | None`` (the first model or container)."""
    while True:
        origin = get_origin(t)
        if origin is Annotated:
            t = get_args(t)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(t) if a is not type(None)]
            structured = [
                a for a in args
                if (isinstance(a, type) and issubclass(a, BaseModel)) or get_origin(a) is not None
            ]  # fmt: skip
            t = (structured or args)[0]
        else:
            return t


def parse_definition(data: dict[str, Any], origin: str) -> ExerciseDef:
    """Validate a parsed TOML table; ``origin`` names the file in error messages."""
    try:
        return ExerciseDef.model_validate({**data, "source": origin})
    except ValidationError as err:
        raise one_line_error(err, origin) from None


def load_definition(path: str | Path) -> ExerciseDef:
    """Read and validate one exercise definition file."""
    path = Path(path)
    return parse_definition(read_toml(path, DefinitionError, "exercise definition"), str(path))
