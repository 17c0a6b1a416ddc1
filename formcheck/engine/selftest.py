"""Self-tests of exercise definitions: generated motion with known results.

A definition's ``[selftest]`` table scripts the synthetic mannequin (``formcheck.synth``) through
named cases — a clean set, each fault, a negative that must count nothing — and says what the
engine must report. ``run_selftest`` renders every case under several variants (noise, dropouts,
a turned camera, other bodies and camera placements: ``VARIANTS``) and compares: rep count and
sides (exact), each rep's time span against the scripted
one, hold time (±0.5 s) and the exact set of faults on every rep.

Case form (TOML)::

    [selftest]
    fps = 30
    camera = { azimuth_deg = 90 }          # side view; see formcheck.synth.camera
    [selftest.poses]                        # as formcheck.synth.script poses
    reach_left = { base = "all_fours", hip_flex_left = -17.6, knee_flex_left = 0 }
    [selftest.sequences]                    # reusable lists of steps
    left = [ { pose = "reach_left", move_s = 1.0, hold_s = 2.5, tag = "rep:left" },
             { pose = "all_fours", move_s = 1.0, hold_s = 0.8 } ]
    [[selftest.cases]]
    name = "bent knee on rep 3"
    start = "all_fours"
    script = ["left", "right", { seq = "left", overrides = { knee_flex_left = 40 } }]
    expect = { reps = { left = 2, right = 1 }, faults = { bent_knee = [3], hold_short = [3] } }

In ``script`` a string names a sequence; ``{ seq = ..., overrides/hold_s = ... }`` applies to the
sequence's tagged steps (``move_s`` to all of its steps); any other table is one step. Steps
tagged ``rep`` / ``rep:left`` / ``rep:right`` are the expected reps, in order. ``absent =
[[t0, t1], ...]`` takes the person out of view. A case's own ``camera`` table overrides keys of
the ``[selftest] camera`` (e.g. a fault that is judged only from the side); the variants turn
it as they turn the default one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.engine import Engine
from formcheck.engine.events import RepRecord
from formcheck.errors import DefinitionError

__all__ = ["QUICK_VARIANTS", "VARIANTS", "CaseOutcome", "build_case", "run_case", "run_selftest"]

# A hold is timed from when the person settles near the top (formcheck.engine.holds.HoldClock);
# the mannequin's eased movement settles there a little before its scripted hold begins.
HOLD_TOLERANCE_S = 0.5

# Name -> how the rendering differs from the ideal one: landmark noise and dropouts, the camera
# turned (yaw), other bodies (formcheck.synth.body.Body: limbs and trunk about two standard
# deviations of adult proportions away from the average, a heavy and a slim outline) and other
# camera placements (keys of formcheck.synth.camera.Camera: higher or lower than the hips,
# nearer with a wide lens or further with a narrow one, tilted by 6 deg).
VARIANTS: dict[str, dict[str, Any]] = {
    "ideal": {},
    "noise 1%": {"noise": 0.01},
    "dropout 5%": {"dropout": 0.05},
    "yaw +20": {"yaw": 20.0},
    "all": {"noise": 0.01, "dropout": 0.05, "yaw": 20.0},  # next to yaw +20: same silhouettes
    "yaw -20": {"yaw": -20.0},
    "short, long limbs, heavy; camera high, near": {
        "body": {"height_m": 1.55, "arms": 1.08, "legs": 1.08, "girth": 1.3, "hips": 1.15},
        "camera": {"elevation_deg": 12.0, "hfov_deg": 85.0},
        "noise": 0.005,
    },
    "tall, short limbs, slim; camera low, far, tilted": {
        "body": {"height_m": 1.95, "arms": 0.92, "legs": 0.92, "girth": 0.8, "shoulders": 0.9},
        "camera": {"elevation_deg": -8.0, "hfov_deg": 40.0, "roll_deg": 6.0},
        "noise": 0.005,
    },
    "long trunk, broad shoulders; camera tilted the other way": {
        "body": {"trunk": 1.12, "shoulders": 1.15, "legs": 0.95},
        "camera": {"roll_deg": -6.0},
        "noise": 0.005,
    },
}
QUICK_VARIANTS = {"ideal": VARIANTS["ideal"]}


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    case: str
    variant: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    reps: list[RepRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Expected:
    side: str
    start_s: float
    end_s: float
    hold_s: float
    faults: frozenset[str]


def _expand_script(defn: ExerciseDef, case: Mapping[str, Any], where: str) -> list[dict]:
    st = defn.selftest
    assert st is not None
    steps: list[dict] = []
    for i, item in enumerate(case.get("script", [])):
        if isinstance(item, str) or (isinstance(item, Mapping) and "seq" in item):
            spec = {"seq": item} if isinstance(item, str) else dict(item)
            name = spec.pop("seq")
            if name not in st.sequences:
                raise DefinitionError(f"{where}.script[{i}]: unknown sequence {name!r}")
            unknown = set(spec) - {"overrides", "hold_s", "move_s"}
            if unknown:
                raise DefinitionError(f"{where}.script[{i}]: unknown key {sorted(unknown)[0]!r}")
            for step in st.sequences[name]:
                step = dict(step)
                if "move_s" in spec:
                    step["move_s"] = spec["move_s"]
                if step.get("tag"):
                    if "hold_s" in spec:
                        step["hold_s"] = spec["hold_s"]
                    step["overrides"] = {**step.get("overrides", {}), **spec.get("overrides", {})}
                steps.append(step)
        elif isinstance(item, Mapping):
            steps.append(dict(item))
        else:
            raise DefinitionError(f"{where}.script[{i}]: expected a sequence name or a table")
    return steps


def build_case(defn: ExerciseDef, case: Mapping[str, Any], where: str = "selftest.cases"):
    """The synthetic ``Script`` of one case."""
    from formcheck.synth.script import Script

    st = defn.selftest
    assert st is not None
    data = {
        "poses": st.poses,
        "steps": _expand_script(defn, case, where),
        "support": case.get("support", st.support),
    }
    if "start" in case:
        data["start"] = case["start"]
    try:
        return Script.from_dict(data, where)
    except DefinitionError as err:
        raise DefinitionError(f"{defn.source}: {err}") from None


def _expected_reps(defn: ExerciseDef, script, case: Mapping[str, Any]) -> list[_Expected]:
    absent = [tuple(a) for a in case.get("absent", [])]
    faults_by_rep: dict[int, set[str]] = {}
    for fault, reps in case.get("expect", {}).get("faults", {}).items():
        for r in reps:
            faults_by_rep.setdefault(int(r), set()).add(fault)
    out: list[_Expected] = []
    for span in script.truth:
        if not span.tag.startswith("rep"):
            continue
        if any(a0 < span.end_s and span.start_s < a1 for a0, a1 in absent):
            continue  # done out of view: must not be counted
        side = span.tag.split(":", 1)[1] if ":" in span.tag else "both"
        out.append(
            _Expected(side, span.start_s, span.end_s, span.hold_s,
                      frozenset(faults_by_rep.get(len(out) + 1, set())))
        )  # fmt: skip
    return out


def run_case(
    defn: ExerciseDef,
    case: Mapping[str, Any],
    variant: str,
    options: Mapping[str, Any],
    mask_cache: dict[int, Any] | None = None,
) -> CaseOutcome:
    """Render one case under one variant, run the engine, compare with the expectation.
    ``mask_cache``: silhouettes shared with other variants of the same case and camera."""
    from formcheck.synth.body import Body
    from formcheck.synth.camera import Camera
    from formcheck.synth.render import render

    st = defn.selftest
    assert st is not None
    name = str(case.get("name", "?"))
    script = build_case(defn, case)
    cam = {**st.camera, **case.get("camera", {}), **options.get("camera", {})}
    cam["azimuth_deg"] = cam.get("azimuth_deg", 90.0) + options.get("yaw", 0.0)
    body = Body.from_dict(options["body"]) if "body" in options else None
    frames = render(
        script,
        Camera.from_dict(cam),
        body=body,
        fps=st.fps,
        noise=options.get("noise", 0.0),
        dropout=options.get("dropout", 0.0),
        absent=[tuple(a) for a in case.get("absent", [])],
        seed=int(case.get("seed", 0)),
        with_mask=defn.needs_mask,
        mask_cache=mask_cache,
    )
    engine = Engine(defn)
    for frame in frames:
        engine.update(frame)
    engine.finish()
    expected = _expected_reps(defn, script, case)
    problems = _compare(defn, case, expected, engine.reps)
    return CaseOutcome(name, variant, not problems, problems, list(engine.reps))


def _compare(
    defn: ExerciseDef, case: Mapping[str, Any], expected: list[_Expected], got: list[RepRecord]
) -> list[str]:
    problems: list[str] = []
    want_counts = case.get("expect", {}).get("reps")
    sides = sorted({e.side for e in expected} | {r.side for r in got})
    got_counts = {s: sum(r.side == s for r in got) for s in sides}
    if want_counts is not None:
        want = {"both": want_counts} if isinstance(want_counts, int) else dict(want_counts)
        if {k: v for k, v in want.items() if v} != {k: v for k, v in got_counts.items() if v}:
            problems.append(f"reps {got_counts}, expected {want}")
            return problems
    if len(got) != len(expected):
        problems.append(f"{len(got)} reps, script has {len(expected)}")
        return problems
    for i, (e, r) in enumerate(zip(expected, got, strict=True), start=1):
        if e.side != r.side:
            problems.append(f"rep {i}: side {r.side}, expected {e.side}")
        if not (r.start_s < e.end_s and e.start_s < r.end_s):
            problems.append(
                f"rep {i}: {r.start_s:.2f}-{r.end_s:.2f} s outside the scripted "
                f"{e.start_s:.2f}-{e.end_s:.2f} s"
            )
        if set(r.faults) != set(e.faults):
            problems.append(f"rep {i}: faults {sorted(r.faults)}, expected {sorted(e.faults)}")
        if (
            defn.hold is not None
            and r.hold_s is not None
            and e.faults <= {"hold_short"}
            and abs(r.hold_s - e.hold_s) > HOLD_TOLERANCE_S
        ):
            problems.append(f"rep {i}: hold {r.hold_s:.2f} s, expected {e.hold_s:.2f} s")
    return problems


def run_selftest(
    defn: ExerciseDef,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    cases: Sequence[str] | None = None,
) -> list[CaseOutcome]:
    """Every case of the definition under every variant (default: all of ``VARIANTS``)."""
    if defn.selftest is None:
        return []
    variants = VARIANTS if variants is None else variants
    outcomes = []
    for case in defn.selftest.cases:
        if cases is not None and case.get("name") not in cases:
            continue
        only = case.get("variants")
        masks: dict[str, dict[int, Any]] = {}  # by body and camera: noise does not change them
        for vname, options in variants.items():
            if only is not None and vname not in only:
                continue
            key = repr((options.get("yaw", 0.0), options.get("body"), options.get("camera")))
            if key not in masks:
                masks.clear()  # one body and camera's silhouettes at a time
                masks[key] = {}
            outcomes.append(run_case(defn, case, vname, options, masks[key]))
    return outcomes
