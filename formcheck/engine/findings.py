"""What went wrong in a self-test case, in numbers: measured against expected.

``compare`` checks the reps an engine reported against the scripted ones and says, for each
difference, what was measured (from a ``Trace`` of the run) against what the definition or the
script expected: the counts per side and how far the drive moved in each scripted rep against
``min_range``; a fault's value against its threshold; a rep's duration against ``min_rep_s``;
a hold against the script. ``failure_lines`` puts the findings of many variants into one line
per kind of failure::

    bent knee on rep 3: rep 3: bent_knee expected, not raised: knee_left lowest 152..155,
    beyond it for 0.00 s [all 9 variants] (fires when knee_left < 90 for 0.3 s in top)
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from formcheck.engine.definition import ExerciseDef, FaultDef
from formcheck.engine.engine import REST_BASELINE_S
from formcheck.engine.events import RepRecord
from formcheck.features.measure import FeatureSet
from formcheck.features.spec import landmarks_behind, substitute_side

__all__ = ["ExpectedRep", "Finding", "Trace", "compare", "failure_lines"]

# A hold is timed from when the person settles near the top (formcheck.engine.holds.HoldClock);
# the mannequin's eased movement settles there a little before its scripted hold begins.
HOLD_TOLERANCE_S = 0.5


@dataclass(frozen=True, slots=True)
class Finding:
    """One way a case went wrong under one variant. ``what`` went wrong and what was
    ``expected`` read the same under every variant; ``measured`` is a template whose ``{}``
    are this variant's ``numbers``, so the variants' findings group into one line."""

    what: str
    measured: str = ""
    expected: str = ""
    numbers: tuple[float, ...] = ()

    def __str__(self) -> str:
        measured = self.measured.format(*map(_num, self.numbers))
        text = f"{self.what}: {measured}" if measured else self.what
        return f"{text} ({self.expected})" if self.expected else text


@dataclass(frozen=True, slots=True)
class ExpectedRep:
    """A rep the script does: its side, its scripted span (start, target reached, back at
    rest), its scripted hold and the faults it must get."""

    side: str
    start_s: float
    reach_s: float
    end_s: float
    hold_s: float
    faults: frozenset[str]


class Trace:
    """Every frame's feature values (``Engine.values``) and the values fault rules are judged
    on (``Engine.judged``): ``add`` them after each ``Engine.update``."""

    def __init__(self) -> None:
        self.t_s: list[float] = []
        self.values: list[Mapping[str, float]] = []
        self.judged: list[Mapping[str, float]] = []

    def add(self, t_s: float, values: Mapping[str, float], judged: Mapping[str, float]) -> None:
        self.t_s.append(t_s)
        self.values.append(values)
        self.judged.append(judged)

    def series(self, name: str, t0: float, t1: float, judged: bool = False) -> list[float]:
        """The feature's values from ``t0`` to ``t1`` (s), frames where it was not seen left
        out; ``judged``: the values a fault rule sees."""
        rows = self.judged if judged else self.values
        out = []
        for t, row in zip(self.t_s, rows, strict=True):
            if t0 - 1e-9 <= t <= t1 + 1e-9:
                v = row.get(name, math.nan)
                if not math.isnan(v):
                    out.append(v)
        return out

    def longest(self, test: Callable[[Mapping[str, float]], bool], t0: float, t1: float) -> float:
        """The longest time (s) ``test`` held on the judged values of consecutive frames."""
        best, since = 0.0, None
        for t, row in zip(self.t_s, self.judged, strict=True):
            if not t0 - 1e-9 <= t <= t1 + 1e-9:
                continue
            if test(row):
                since = t if since is None else since
                best = max(best, t - since)
            else:
                since = None
        return best


def _num(value: float) -> str:
    """A measured number in a few digits: 152, 15.3, 4.47, 0.0091."""
    if math.isnan(value):
        return "(not seen)"
    size = abs(value)
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if size >= 1 else f"{value:.2g}"


def _counts(counts: Mapping[str, int]) -> str:
    shown = {k: v for k, v in counts.items() if v}
    return ", ".join(str(v) if k == "both" else f"{k} {v}" for k, v in shown.items()) or "0"


def compare(
    defn: ExerciseDef,
    expect: Mapping,
    expected: Sequence[ExpectedRep],
    got: Sequence[RepRecord],
    trace: Trace,
    hidden: Collection[str] = (),
    unseen: list[str] | None = None,
) -> list[Finding]:
    """Every difference between the reps the engine counted (``got``) and the script's
    (``expected``, and the case's ``expect`` table), with what was measured.

    ``hidden``: the joints (without their side: "knee") the far side may have hidden where the
    body covers it. A fault on one far limb cannot then be seen, and the engine's "not judged"
    is the right answer (see :func:`_unseen_fault`); each such fault is added to ``unseen``
    ("rep 2: leg_not_level"), when given."""
    sides = sorted({e.side for e in expected} | {r.side for r in got})
    got_counts = {s: sum(r.side == s for r in got) for s in sides}
    want = expect.get("reps")
    findings: list[Finding] = []
    if want is not None:
        want = {"both": want} if isinstance(want, int) else dict(want)
        if {k: v for k, v in want.items() if v} != {k: v for k, v in got_counts.items() if v}:
            findings.append(Finding("reps", _counts(got_counts), f"expected {_counts(want)}"))
    elif len(got) != len(expected):
        findings.append(Finding("reps", "{}", f"the script has {len(expected)}", (len(got),)))
    if findings:
        if got:
            spans = ", ".join(("" if r.side == "both" else f"{r.side} ") + "{}..{} s" for r in got)
            times = tuple(t for r in got for t in (r.start_s, r.end_s))
            findings.append(Finding("counted reps", spans, "", times))
        return findings + _drive_ranges(defn, expected, trace)
    for i, (e, r) in enumerate(zip(expected, got, strict=True), start=1):
        if e.side != r.side:
            findings.append(Finding(f"rep {i}: side", r.side, f"expected {e.side}"))
        if not (r.start_s < e.end_s and e.start_s < r.end_s):
            findings.append(
                Finding(f"rep {i}: time", "{}..{} s",
                        f"scripted {e.start_s:.2f}..{e.end_s:.2f} s", (r.start_s, r.end_s))
            )  # fmt: skip
        for fault in sorted(e.faults - set(r.faults)):
            if hidden and _unseen_fault(defn, fault, e, r, hidden):
                if unseen is not None:
                    unseen.append(f"rep {i}: {fault}")
            else:
                findings.append(_missing_fault(defn, fault, i, e, r, trace))
        for fault in sorted(set(r.faults) - e.faults):
            findings.append(_extra_fault(fault, i, r))
        if (
            defn.hold is not None
            and r.hold_s is not None
            and e.faults <= {"hold_short"}
            and abs(r.hold_s - e.hold_s) > HOLD_TOLERANCE_S
        ):
            findings.append(
                Finding(f"rep {i}: hold", "{} s",
                        f"scripted {e.hold_s:.2f} s, +-{HOLD_TOLERANCE_S:g} s", (r.hold_s,))
            )  # fmt: skip
    return _merge_reps(findings)


def _merge_reps(findings: list[Finding]) -> list[Finding]:
    """One finding for the reps that went wrong the same way: "reps 1, 3: too_fast raised, not
    expected: rep took 1.20, 1.31 s" (in the order the reps went wrong)."""
    same: dict[tuple[str, str, str], list[tuple[str, Finding]]] = {}
    for f in findings:
        rep, sep, rest = f.what.partition(": ")
        if not (sep and rep.startswith("rep ")):
            rep, rest = "", f.what
        same.setdefault((rest, f.measured, f.expected), []).append((rep.removeprefix("rep "), f))
    out = []
    for (rest, measured, expected), found in same.items():
        if len(found) == 1 or not found[0][0]:
            out += [f for _, f in found]
            continue
        what = f"reps {', '.join(n for n, _ in found)}: {rest}"
        many = ", ".join(["{}"] * len(found))
        joined = measured.replace("{}", many) if measured.count("{}") == 1 else None
        joined = joined or "; ".join([measured] * len(found))
        numbers = tuple(x for _, f in found for x in f.numbers)
        if measured.count("{}") == 1:
            numbers = tuple(f.numbers[0] for _, f in found)
        out.append(Finding(what, joined, expected, numbers))
    return out


def _drive_ranges(
    defn: ExerciseDef, expected: Sequence[ExpectedRep], trace: Trace
) -> list[Finding]:
    """How far the drive moved in each scripted rep, side by side, against ``min_range``."""
    assert defn.reps is not None
    out = []
    for side in dict.fromkeys(e.side for e in expected):
        drive = substitute_side(defn.reps.drive, side)
        numbers = [i for i, e in enumerate(expected, start=1) if e.side == side]
        moved = []
        for i in numbers:
            vs = trace.series(drive, expected[i - 1].start_s, expected[i - 1].end_s)
            moved.append(max(vs) - min(vs) if vs else math.nan)
        reps = "rep" if len(numbers) == 1 else "reps"
        out.append(
            Finding(
                f"{drive} moved in scripted {reps} {', '.join(map(str, numbers))}",
                ", ".join(["{}"] * len(moved)),
                f"a rep needs min_range {defn.reps.min_range:g}",
                tuple(moved),
            )
        )
    return out


def _unseen_fault(
    defn: ExerciseDef, fault: str, e: ExpectedRep, r: RepRecord, hidden: Collection[str]
) -> bool:
    """Whether an expected fault that did not fire went unseen, as it must with its limb
    hidden: the rep reports it not judged, and its rule reads the limbs of one side only (the
    far one, hidden). A rule reading both sides' limbs (a midpoint of the ankles, both knees)
    stays a finding: that is what hiding the far limbs is there to find. ``hold_short`` went
    unseen too when the scripted hold was long enough and only such an unseen fault during
    the hold could cut the good-form hold."""
    if fault == "hold_short":
        if defn.hold is None or defn.hold.target_s is None or e.hold_s < defn.hold.target_s:
            return False
        others = e.faults - {fault}
        return bool(others) and all(_unseen_fault(defn, f, e, r, hidden) for f in others)
    rule = next((f for f in defn.faults if f.id == fault), None)
    if rule is None or fault not in r.not_judged:
        return False
    features = FeatureSet(defn.features)
    points = [p for c in rule.when for p in features.points_of(substitute_side(c.feature, e.side))]
    sides = {side for side, _, joint in (n.partition("_") for n in landmarks_behind(points))
             if joint in hidden}  # fmt: skip
    return len(sides) == 1


def _missing_fault(
    defn: ExerciseDef, fault: str, i: int, e: ExpectedRep, r: RepRecord, trace: Trace
) -> Finding:
    """Why an expected fault did not fire on rep ``i``: its value against its threshold."""
    what = f"rep {i}: {fault} expected, not raised"
    if fault == "too_fast" and defn.tempo is not None:
        limit = f"too_fast below min_rep_s {defn.tempo.min_rep_s:g} s"
        return Finding(what, "rep took {} s", limit, (r.duration_s,))
    if fault == "hold_short" and defn.hold is not None and defn.hold.target_s is not None:
        expected = f"hold_short below target_s {defn.hold.target_s:g} s"
        if r.form_hold_s is None:
            return Finding(what, "no hold", expected)
        return Finding(what, "good-form hold {} s", expected, (r.form_hold_s,))
    rule = next((f for f in defn.faults if f.id == fault), None)
    if rule is None:
        return Finding(what, "", "the definition has no such fault")
    measured, numbers = _rule_values(rule, e, trace)
    if fault in r.not_judged:
        measured += "; not judged: its points or the outline not clearly seen"
    wanted = " and ".join(
        f"{substitute_side(c.feature, e.side)} {c.threshold_text()}" for c in rule.when
    )
    wanted += " from rest" if rule.from_rest else ""
    if set(rule.phases) <= {"peak", "trough"}:
        expected = f"fires when {wanted}, judged once at the {'/'.join(rule.phases)}"
    else:
        expected = f"fires when {wanted} for {rule.min_duration_s:g} s in {'/'.join(rule.phases)}"
    return Finding(what, measured, expected, numbers)


def _rule_values(rule: FaultDef, e: ExpectedRep, trace: Trace) -> tuple[str, tuple[float, ...]]:
    """What a rule's features measured in a scripted rep, as the rule judges them: at the top
    (``peak``), at the rest before (``trough``), or their extreme over the scripted top (a
    rule judged in the ``top`` phase) or the whole rep, and how long the rule held there."""
    names = [substitute_side(c.feature, e.side) for c in rule.when]
    rest = {}
    for n in names:
        before = trace.series(n, e.start_s - REST_BASELINE_S, e.start_s, judged=True)
        rest[n] = statistics.median(before) if before and rule.from_rest else 0.0
        if rule.from_rest and not before:
            rest[n] = math.nan
    parts: list[str] = []
    numbers: list[float] = []
    once = set(rule.phases) <= {"peak", "trough"}
    # a rule judged only in the top phase: the scripted top; else the whole rep
    t0, t1 = _top_span(e) if set(rule.phases) <= {"top", "peak"} else (e.start_s, e.end_s)
    for c, n in zip(rule.when, names, strict=True):
        if once and "peak" in rule.phases:
            top = trace.series(n, *_top_span(e), judged=True)
            parts.append(f"{n} {{}} at the top")
            numbers.append(statistics.median(top) - rest[n] if top else math.nan)
        elif once:
            at = trace.series(n, e.start_s - 0.1, e.start_s, judged=True)
            parts.append(f"{n} {{}} at the rest before")
            numbers.append(at[-1] - rest[n] if at else math.nan)
        else:
            vs = [v - rest[n] for v in trace.series(n, t0, t1, judged=True)]
            if c.below is not None:
                parts.append(f"{n} lowest {{}}")
                numbers.append(min(vs) if vs else math.nan)
            elif c.above is not None:
                parts.append(f"{n} highest {{}}")
                numbers.append(max(vs) if vs else math.nan)
            else:
                parts.append(f"{n} {{}}..{{}}")
                numbers += [min(vs), max(vs)] if vs else [math.nan, math.nan]
    if not once:

        def holds(row: Mapping[str, float]) -> bool:
            return all(
                c.holds(row.get(n, math.nan) - rest[n])
                for c, n in zip(rule.when, names, strict=True)
            )

        parts.append("beyond it for {} s")
        numbers.append(trace.longest(holds, t0, t1))
    return ", ".join(parts), tuple(numbers)


def _top_span(e: ExpectedRep) -> tuple[float, float]:
    """The scripted top of a rep: its hold, or a moment either side of reaching the target."""
    if e.hold_s > 0:
        return e.reach_s, e.reach_s + e.hold_s
    return e.reach_s - 0.1, e.reach_s + 0.1


def _extra_fault(fault: str, i: int, r: RepRecord) -> Finding:
    """A fault that fired where none was expected, with its evidence."""
    what = f"rep {i}: {fault} raised, not expected"
    if len(r.evidence) != len(r.faults):
        return Finding(what)
    ev = r.evidence[r.faults.index(fault)]
    limit = ev.threshold.removeprefix("< ").removeprefix("> ")
    if fault == "too_fast":
        return Finding(what, "rep took {} s", f"too_fast below min_rep_s {limit} s", (ev.value,))
    if fault == "hold_short":
        return Finding(what, "good-form hold {} s", f"target_s {limit} s", (ev.value,))
    return Finding(
        what,
        f"{ev.feature} {{}} from {{}} to {{}} s",
        f"fires when {ev.feature} {ev.threshold}",
        (ev.value, ev.start_s, ev.end_s),
    )


def failure_lines(outcomes: Sequence) -> list[str]:
    """The failures of one definition's outcomes (``formcheck.engine.selftest.CaseOutcome``),
    one line per case and kind of failure: the variants it happened under, and what they
    measured (one number, or the lowest..highest of the variants)."""
    ran: dict[str, list[str]] = {}
    groups: dict[tuple[str, str, str, str, int], list[tuple[str, tuple[float, ...]]]] = {}
    for o in outcomes:
        ran.setdefault(o.case, []).append(o.variant)
        for f in o.findings:
            key = (o.case, f.what, f.measured, f.expected, len(f.numbers))
            groups.setdefault(key, []).append((o.variant, f.numbers))
    lines = []
    for (case, what, measured, expected, n), found in groups.items():
        variants = [v for v, _ in found]
        if len(variants) == len(ran[case]) > 1:
            names = f"all {len(variants)} variants"
        else:
            names = " | ".join(variants)
        spans = [_span([numbers[k] for _, numbers in found]) for k in range(n)]
        text = measured.format(*spans)
        line = f"{case}: {what}: {text} [{names}]" if text else f"{case}: {what} [{names}]"
        lines.append(f"{line} ({expected})" if expected else line)
    return lines


def _span(values: list[float]) -> str:
    """One number, or the lowest and the highest of several: "4.33..4.50"."""
    seen = [v for v in values if not math.isnan(v)]
    if not seen:
        return _num(math.nan)
    lo, hi = _num(min(seen)), _num(max(seen))
    return lo if lo == hi else f"{lo}..{hi}"
