"""Plain words for what a person reads: feature and fault labels, values with units, evidence.

Ids (``knee_left``, ``bent_knee``) are for programs: JSON and CSV keep them. Everything a
person reads (the terminal summary, ``live --headless`` lines, the window, the HTML report,
``progress``) goes through :class:`Words`, made once per exercise definition::

    words = Words(exercise)
    words.feature("knee_left")              # "left knee angle"
    words.value("knee_left", 134.45)        # "134°"
    words.fault("bent_knee")                # "bent knee"
    words.evidence(ev, rep=3)               # "left knee bent to 134° (aim: at least 150°),
                                            #  rep 3, 12.1–15.7 s"

A feature's ``label`` and ``unit`` come from its TOML (``label`` may use ``{side}`` and
``{other}``); without them they are generated from the kind and the points: an ``angle`` at
``{side}_knee`` is "{side} knee angle" in "°", an ``elevation`` from hip to knee "{side} thigh
above the floor line", a ``height`` or ``distance`` is in "torso lengths". A sided feature's
``NAME_min``/``NAME_max`` read "knee angle (lower of both sides)"; a mirrored one's
``NAME_left`` "... towards the left". A fault's label is its ``label`` or its id in words.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.errors import FormcheckError
from formcheck.features.spec import MID_POINTS, FeatureDef, substitute_side

__all__ = [
    "BUILTIN_FAULTS",
    "DEGREES",
    "SECONDS",
    "TORSO_LENGTHS",
    "Aim",
    "Words",
    "format_number",
    "parse_threshold",
    "setup_issue",
    "time_span",
    "words_for",
]

DEGREES = "°"
TORSO_LENGTHS = "torso lengths"
SECONDS = "s"

_DEGREE_KINDS = {"angle", "bend", "inclination", "elevation", "angle_to_trunk", "twist", "lean"}

# Faults the engine adds to any exercise with a hold, a tempo or a range (no definition entry).
BUILTIN_FAULTS = {
    "hold_short": "hold too short",
    "too_fast": "too fast",
    "partial_range": "not through the full range",
}
# Measurements the engine makes itself (not features of the definition): label, unit, and how
# the evidence says the value.
_BUILTIN_FEATURES = {
    "form_hold_s": ("hold with good form", SECONDS, "held with good form for {}"),
    "hold_s": ("hold", SECONDS, "held for {}"),
    "rep_duration_s": ("rep duration", SECONDS, "rep took {}"),
}

# Two points' parts (side and "_mid" left out) and the body segment between them.
_SEGMENTS = {
    frozenset({"hip", "knee"}): "thigh",
    frozenset({"knee", "ankle"}): "shin",
    frozenset({"hip", "ankle"}): "leg",
    frozenset({"hip", "heel"}): "leg",
    frozenset({"shoulder", "elbow"}): "upper arm",
    frozenset({"elbow", "wrist"}): "forearm",
    frozenset({"shoulder", "wrist"}): "arm",
    frozenset({"hip", "shoulder"}): "trunk",
    frozenset({"shoulder", "ear"}): "neck",
    frozenset({"hip", "ear"}): "head and trunk",
    frozenset({"ankle", "foot_index"}): "foot",
    frozenset({"heel", "foot_index"}): "foot",
}
# Landmark parts in words; a "_mid" point is the pair's words in the plural.
_PARTS = {
    "foot_index": ("toes", "toes"),
    "index": ("index finger", "index fingers"),
    "pinky": ("little finger", "little fingers"),
    "eye_inner": ("inner eye corner", "inner eye corners"),
    "eye_outer": ("outer eye corner", "outer eye corners"),
    "wrist": ("wrist", "hands"),
    "ear": ("ear", "head"),
}
_SUFFIXES = ("_left", "_right", "_min", "_max")

# Setup problems (``SetupIssue.issue``) in words: what was wrong with the set-up.
_SETUP_ISSUES = {
    "wrong_view": "camera view",
    "wrong_posture": "starting position",
    "out_of_frame": "body in view",
    "too_far": "distance from the camera",
}


def setup_issue(issue: str) -> str:
    """What a setup problem was about, in words: "wrong_view" -> "camera view"."""
    return _SETUP_ISSUES.get(issue, issue.replace("_", " "))


def format_number(value: float, unit: str, digits: int | None = None) -> str:
    """``value`` with its unit for reading: "134°", "0.21 torso lengths", "2.8 s", "−32°".

    Degrees are whole, seconds have one decimal, anything else two (unless ``digits``); a
    negative number gets a real minus sign."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not seen"
    if digits is None:
        digits = 0 if unit == DEGREES else 1 if unit == SECONDS else 2
    text = f"{abs(value):.{digits}f}"
    if value < 0 and float(text) != 0:
        text = "−" + text
    if not unit:
        return text
    return f"{text}{unit}" if unit == DEGREES else f"{text} {unit}"


def time_span(start_s: float, end_s: float) -> str:
    """ "12.1–15.7 s", or "at 12.1 s" for one moment."""
    if round(start_s, 1) == round(end_s, 1):
        return f"at {start_s:.1f} s"
    return f"{start_s:.1f}–{end_s:.1f} s"


@dataclass(frozen=True, slots=True)
class Aim:
    """A fault's threshold read back: the fault fires when the value is ``below``/``above``
    ``low``, or ``outside``/``inside`` [``low``, ``high``]; ``from_rest``: the value is the
    change from the person's rest before the rep."""

    test: str  # "below" | "above" | "outside" | "inside"
    low: float
    high: float | None = None
    from_rest: bool = False

    def fires(self, value: float) -> bool:
        if self.test == "below":
            return value < self.low
        if self.test == "above":
            return value > self.low
        assert self.high is not None
        outside = value < self.low or value > self.high
        return outside if self.test == "outside" else not outside


_THRESHOLD = re.compile(
    r"^\s*(?:(?P<op>[<>])\s*(?P<x>\S+)|(?P<test>outside|within)\s+(?P<lo>\S+?)\.\.(?P<hi>\S+))"
    r"(?P<rest>\s+from rest)?\s*$"
)


def parse_threshold(text: str) -> Aim | None:
    """The :class:`Aim` of an evidence's threshold text ("< 150", "outside -20..20",
    "> 0.12 from rest"); None when it is not one of those forms."""
    m = _THRESHOLD.match(text or "")
    if m is None:
        return None
    try:
        if m["op"]:
            return Aim("below" if m["op"] == "<" else "above", float(m["x"]), None, bool(m["rest"]))
        test = "outside" if m["test"] == "outside" else "inside"
        return Aim(test, float(m["lo"]), float(m["hi"]), bool(m["rest"]))
    except ValueError:
        return None


def _point_words(point: str) -> str:
    """ "left_knee" -> "left knee", "{side}_foot_index" -> "{side} toes", "hip_mid" -> "hips"."""
    if point in MID_POINTS:
        base = point.removesuffix("_mid")
        return _PARTS.get(base, (base, base + "s"))[1].replace("_", " ")
    for side in ("{side}", "{other}", "left", "right"):
        if point.startswith(side + "_"):
            base = point[len(side) + 1 :]
            return f"{side} {_PARTS.get(base, (base,))[0].replace('_', ' ')}"
        if point.endswith("_" + side):  # mouth_left
            return f"{side} {point[: -len(side) - 1].replace('_', ' ')}"
    return point.replace("_", " ")


def _the(point: str) -> str:
    """The point's words with "the" (not before a bare side placeholder's words)."""
    return "the " + _point_words(point)


def _part(point: str) -> str:
    """The body part of a point name without its side: "{side}_knee" -> "knee"."""
    for side in ("{side}_", "{other}_", "left_", "right_"):
        point = point.removeprefix(side)
    return point.removesuffix("_mid")


def _side_of(points: list[str]) -> str:
    """The side word two points share ("{side}", "left", ...), "" for midpoints or mixed."""
    sides = set()
    for p in points:
        if p in MID_POINTS:
            sides.add("")
        else:
            sides.add(next((s for s in ("{side}", "{other}", "left", "right")
                            if p.startswith(s + "_")), ""))  # fmt: skip
    return sides.pop() if len(sides) == 1 else ""


def _segment(p: str, q: str) -> str | None:
    """The body segment between two points in words ("{side} thigh", "trunk", "shoulder
    line"), or None when it has no common name."""
    a, b = _part(p), _part(q)
    if a == b and p not in MID_POINTS and q not in MID_POINTS:
        return f"{a.replace('_', ' ')} line"  # right_hip -> left_hip: the hip line
    name = _SEGMENTS.get(frozenset({a, b}))
    if name is None:
        return None
    side = _side_of([p, q])
    if (
        not side
        and p in MID_POINTS
        and q in MID_POINTS
        and name not in ("trunk", "neck", "head and trunk")
    ):
        name += "s"  # hip_mid -> ankle_mid: both legs
    return f"{side} {name}".strip()


def generated_label(f: FeatureDef, label_of: Any = None) -> str:
    """A label for a feature from its kind and points; may contain ``{side}``/``{other}``.
    ``label_of(name)`` gives the label template of another feature (for ``combine``)."""
    pts = f.points
    if f.kind == "angle":
        return f"{_point_words(pts[1])} angle"
    if f.kind == "bend":
        return f"bend at {_the(pts[1])}"
    if f.kind == "inclination":
        seg = _segment(pts[0], pts[1]) or f"{_point_words(pts[0])} to {_point_words(pts[1])}"
        return f"{seg} lean from vertical" if f.reference == "vertical" else (
            f"{seg} tilt from horizontal"
        )  # fmt: skip
    if f.kind == "elevation":
        seg = _segment(pts[0], pts[1])
        if seg is None:
            return f"{_point_words(pts[1])} above the floor line from {_the(pts[0])}"
        return f"{seg} above the floor line"
    if f.kind == "angle_to_trunk":
        seg = _segment(pts[0], pts[1]) or f"{_point_words(pts[0])} to {_point_words(pts[1])}"
        return f"{seg} angle to the trunk"
    if f.kind == "distance":
        return f"distance from {_the(pts[0])} to {_the(pts[1])}"
    if f.kind == "height":
        return f"height of {_the(pts[1])} above {_the(pts[0])}"
    if f.kind == "ahead":
        return f"{_point_words(pts[1])} ahead of {_the(pts[0])}"
    if f.kind == "lean":
        seg = _segment(pts[0], pts[1]) or f"{_point_words(pts[0])} to {_point_words(pts[1])}"
        return f"{seg} lean forward"
    if f.kind == "twist":
        one = _segment(pts[0], pts[1]) or "upper line"
        two = _segment(pts[2], pts[3]) or "lower line"
        return f"twist of the {one} against the {two}"
    if f.kind == "spine_curvature":
        return "back rounding"
    if f.kind == "from_start":
        of = label_of(f.of[0]) if label_of else f.of[0].replace("_", " ")
        return f"{of}, change since the start"
    assert f.kind == "combine" and f.op is not None
    parts = [label_of(n) if label_of else n.replace("_", " ") for n in f.of]
    same = _same_feature(f.of)
    if same is not None and f.op in ("min", "max", "mean"):
        return _both_sides(label_of(same) if label_of else same.replace("_", " "), f.op)
    if f.op == "diff":
        return f"{parts[0]} minus {parts[1]}"
    if f.op == "absdiff":
        return f"difference between {parts[0]} and {parts[1]}"
    word = {"min": "lower", "max": "higher", "mean": "mean"}[f.op]
    return f"{word} of {' and '.join(parts)}"


def _same_feature(names: list[str]) -> str | None:
    """``NAME`` when ``names`` are exactly ``NAME_left`` and ``NAME_right``."""
    bases = {n.removesuffix("_left").removesuffix("_right") for n in names}
    if len(names) == 2 and len(bases) == 1 and set(names) != bases:
        return bases.pop()
    return None


def _unsided(template: str) -> str:
    """A label template without its side words: "{side} knee angle" -> "knee angle"."""
    text = re.sub(r",? towards the \{(side|other)\}", "", template)
    text = re.sub(r"\{(side|other)\}\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _both_sides(template: str, op: str) -> str:
    """The label of both sides' min, max or mean: "lower knee angle", "mean elbow angle",
    "height of the wrist above the elbow (higher side)"."""
    label = _unsided(template)
    word = {"min": "lower", "max": "higher", "mean": "mean"}[op]
    if label.endswith(" angle") and " " not in label.removesuffix(" angle").strip():
        return f"{word} {label}"
    return f"{label} ({'mean of both sides' if op == 'mean' else word + ' side'})"


class Words:
    """The plain words of one exercise's features and faults (see the module docstring).

    ``exercise`` may be None (a session whose definition is gone): ids are then put in words
    as they are ("knee left"), with no unit."""

    def __init__(self, exercise: ExerciseDef | None) -> None:
        self.exercise = exercise
        self._features: dict[str, FeatureDef] = dict(exercise.features) if exercise else {}

    # -- features ----------------------------------------------------------------------------
    def _split(self, name: str) -> tuple[str, str]:
        """(defined feature, variant) of a feature name: ("knee", "_left"), ("knee", "_min"),
        ("knee", "_{side}"), ("reach", "") ..."""
        if name in self._features:
            return name, ""
        for suffix in (*_SUFFIXES, "_{side}", "_{other}"):
            base = name.removesuffix(suffix)
            if base != name and base in self._features:
                return base, suffix
        return name, ""

    def _template(self, base: str) -> str:
        """The label template of a defined feature, with ``{side}`` where a side goes."""
        f = self._features[base]
        label = f.label or generated_label(f, self._reference_template)
        if f.sided and not f.mirror and not re.search(r"\{(side|other)\}", label):
            label = "{side} " + label
        return label

    def _reference_template(self, ref: str) -> str:
        """The label template of a feature as named inside a definition ("knee_{other}")."""
        base, variant = self._split(ref)
        if base not in self._features:
            return ref.replace("_", " ")
        template = self._template(base)
        return self._variant(template, variant, self._features[base])

    @staticmethod
    def _variant(template: str, variant: str, f: FeatureDef) -> str:
        if variant in ("_min", "_max"):
            return _both_sides(template, variant[1:])
        if f.mirror and variant in ("_left", "_right", "_{side}", "_{other}"):
            return f"{template}, towards the {variant[1:].strip('{}')}".replace(
                "the side", "the {side}").replace("the other", "the {other}")  # fmt: skip
        if variant == "_{other}":
            return template.replace("{side}", "\0").replace("{other}", "{side}").replace(
                "\0", "{other}"
            )  # fmt: skip
        if variant in ("_left", "_right"):
            return substitute_side(template, variant[1:])
        return template

    def feature(self, name: str, side: str | None = None) -> str:
        """What a feature is, in words: "left knee angle", "knee angle (lower of both sides)".
        ``name`` is a concrete name (``knee_left``), or a template (``knee_{side}``) that
        ``side`` fills in; a template without ``side`` reads without its side words."""
        if name in _BUILTIN_FEATURES:
            return _BUILTIN_FEATURES[name][0]
        text = self._reference_template(name)
        if side in ("left", "right"):
            return substitute_side(text, side)
        return _unsided(text) if "{" in text else text

    def template(self, name: str) -> str:
        """A defined feature's label as its definition would write it, with ``{side}`` and
        ``{other}`` where the side goes ("{side} knee angle")."""
        return self._reference_template(name)

    def unit(self, name: str) -> str:
        """The unit of a feature: "°", "torso lengths", "s", or a definition's own ``unit``."""
        if name in _BUILTIN_FEATURES:
            return _BUILTIN_FEATURES[name][1]
        base, _ = self._split(name)
        f = self._features.get(base)
        if f is None:
            return ""
        if f.unit:
            return f.unit
        if f.kind in ("combine", "from_start"):
            return self.unit(f.of[0]) if f.of else ""
        return DEGREES if f.kind in _DEGREE_KINDS else TORSO_LENGTHS

    def value(self, name: str, value: float, digits: int | None = None) -> str:
        """A value of a feature with its unit: "134°", "0.21 torso lengths"."""
        return format_number(value, self.unit(name), digits)

    def titled(self, name: str, side: str | None = None) -> str:
        """Label and unit for an axis or a column: "left knee angle (°)"."""
        unit = self.unit(name)
        return self.feature(name, side) + (f" ({unit})" if unit else "")

    # -- faults ------------------------------------------------------------------------------
    def fault(self, fault_id: str) -> str:
        """A fault in words: its ``label``, else its id in words ("bent knee")."""
        for rule in self.exercise.faults if self.exercise else []:
            if rule.id == fault_id:
                if rule.label:
                    return rule.label
        return BUILTIN_FAULTS.get(fault_id, fault_id.replace("_", " "))

    def faults(self, counts: Mapping[str, int]) -> str:
        """Fault counts in words: "bent knee ×1, hold too short ×2"."""
        return ", ".join(f"{self.fault(k)} ×{v}" for k, v in counts.items())

    # -- evidence ----------------------------------------------------------------------------
    def aim(self, threshold: str, name: str) -> str:
        """What the value should have been, in words ("at least 150°", "between −20° and 20°"),
        from an evidence's threshold text; the text itself if it cannot be read."""
        aim = parse_threshold(threshold)
        if aim is None:
            return threshold
        unit = self.unit(name)

        def num(x: float) -> str:
            return format_number(x, unit, _digits(x))

        if aim.from_rest and aim.test == "outside" and math.isclose(-aim.low, aim.high or 0):
            return f"within {num(aim.low * -1)} of the start position"
        if aim.test == "below":
            text = f"at least {num(aim.low)}"
        elif aim.test == "above":
            text = f"at most {num(aim.low)}"
        elif aim.test == "outside":
            text = f"between {num(aim.low)} and {num(aim.high)}"  # type: ignore[arg-type]
        else:
            text = f"below {num(aim.low)} or above {num(aim.high)}"  # type: ignore[arg-type]
        return f"a change of {text}" if aim.from_rest else text

    def measured(self, name: str, value: float, threshold: str = "") -> str:
        """What was measured, in words: "left knee bent to 134°", "held with good form for
        0.0 s", "left thigh above the floor line: −32°". The value gets enough decimals to
        show that it is beyond the threshold (149.6 below 150 is "149.6°", not "150°")."""
        aim = parse_threshold(threshold)
        unit = self.unit(name)
        digits = 0 if unit == DEGREES else 1 if unit == SECONDS else 2
        if aim is not None and aim.fires(value):
            while digits < 3 and not aim.fires(round(value, digits)):
                digits += 1
        shown = format_number(value, unit, digits)
        if aim is not None and aim.from_rest and value > 0:
            shown = "+" + shown
        if name in _BUILTIN_FEATURES:
            return _BUILTIN_FEATURES[name][2].format(shown)
        base, _ = self._split(name)
        f = self._features.get(base)
        label = self.feature(name)
        if aim is not None and aim.from_rest:
            return f"{label}, moved {shown} from the start position"
        plain_angle = f is not None and f.kind == "angle" and not f.label and name != base + "_min"
        if plain_angle and not name.endswith("_max") and aim and aim.test == "below":
            return f"{label.removesuffix(' angle')} bent to {shown}"
        return f"{label}: {shown}"

    def against_aim(self, ev: Any) -> str:
        """What was measured against the aim: "left knee bent to 134° (aim: at least 150°)".
        ``ev`` is a result's evidence (a mapping) or a
        :class:`~formcheck.engine.events.FaultEvidence`."""
        get = ev.get if isinstance(ev, Mapping) else lambda k: getattr(ev, k)
        name, threshold = get("feature"), get("threshold")
        return f"{self.measured(name, get('value'), threshold)} (aim: {self.aim(threshold, name)})"

    def evidence(self, ev: Any, rep: int | None = None) -> str:
        """One piece of evidence in words: "left knee bent to 134° (aim: at least 150°), rep 3,
        12.1–15.7 s" (see :meth:`against_aim`)."""
        get = ev.get if isinstance(ev, Mapping) else lambda k: getattr(ev, k)
        text = self.against_aim(ev)
        if rep is not None:
            text += f", rep {rep}"
        return f"{text}, {time_span(get('start_s'), get('end_s'))}"


def _digits(x: float) -> int:
    """Decimals to show a threshold as written in its definition (150, 0.012, 2.5)."""
    text = f"{x:g}"
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@functools.lru_cache(maxsize=64)
def words_for(exercise: str) -> Words:
    """The words of an exercise named by id, alias or file, as stored in a result or the
    history; the ids in words when it cannot be loaded now (its file is gone)."""
    from formcheck.engine.catalogue import load_exercise

    try:
        return Words(load_exercise(exercise))
    except FormcheckError:
        return Words(None)
