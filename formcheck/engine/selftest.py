"""Self-tests of exercise definitions: generated motion with known results.

A definition's ``[selftest]`` table scripts the synthetic mannequin (``formcheck.synth``) through
named cases — a clean set, each fault, a negative that must count nothing — and says what the
engine must report. ``run_selftest`` renders every case under several variants (noise, dropouts,
a turned camera, other bodies and camera placements: ``VARIANTS``) and compares: rep count and
sides (exact), each rep's time span against the scripted one, hold time (±0.5 s) and the exact
set of faults on every rep. A difference is a ``formcheck.engine.findings.Finding``: what was
measured against what was expected. ``run_selftests`` runs many definitions on several
processes; ``case_frames`` and ``case_pictures`` give one case's pose frames and pictures (for
``formcheck exercises render``)::

    outcomes = run_selftests(defs, VARIANTS, workers=2)       # {id: [CaseOutcome, ...]}
    for line in failure_lines(outcomes["bird-dog"]): print(line)

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
from formcheck.engine.findings import ExpectedRep, Finding, Trace, compare
from formcheck.errors import DefinitionError

__all__ = [
    "FAR_HIDDEN",
    "QUICK_VARIANTS",
    "VARIANTS",
    "CaseOutcome",
    "build_case",
    "case_frames",
    "case_pictures",
    "run_case",
    "run_selftest",
    "run_selftests",
    "select_case",
    "select_variant",
]

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
# Options that hide the far side's limbs wherever the near side's limbs, the trunk or the head
# cover them in the picture (``formcheck.synth.render``'s ``occlusion``), as a pose model
# reports them from the side; ``formcheck exercises check --far-hidden`` adds them to every
# variant. Not yet part of the variants: some exercises count or judge their far side on
# limbs this hides (README "Accuracy").
FAR_HIDDEN: dict[str, Any] = {"occlusion": True}


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case under one variant. ``problems`` are the ``findings`` as text; ``unseen`` the
    expected faults the engine rightly did not judge, on a limb the variant hid ("rep 2:
    leg_not_level")."""

    case: str
    variant: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    reps: list[RepRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)


def _expand_script(defn: ExerciseDef, case: Mapping[str, Any], where: str) -> list[dict]:
    st = defn.selftest
    assert st is not None
    steps: list[dict] = []
    for i, item in enumerate(case.get("script", [])):
        if isinstance(item, str) or (isinstance(item, Mapping) and "seq" in item):
            spec = {"seq": item} if isinstance(item, str) else dict(item)
            name = spec.pop("seq")
            if name not in st.sequences:
                known = ", ".join(st.sequences) or "none"
                raise DefinitionError(
                    f"{where}.script[{i}]: unknown sequence {name!r}; sequences: {known}"
                )
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


def build_case(defn: ExerciseDef, case: Mapping[str, Any], where: str | None = None):
    """The synthetic ``Script`` of one case; a mistake in it is one line naming the file and
    the case (``where``, by default ``selftest.cases[N]``)."""
    from formcheck.synth.script import Script

    st = defn.selftest
    assert st is not None
    if where is None:
        number = next((i for i, c in enumerate(st.cases) if c is case), None)
        where = "selftest.cases" if number is None else f"selftest.cases[{number}]"
    try:
        data = {
            "poses": st.poses,
            "steps": _expand_script(defn, case, where),
            "support": case.get("support", st.support),
        }
        if "start" in case:
            data["start"] = case["start"]
        return Script.from_dict(data, where)
    except DefinitionError as err:
        raise DefinitionError(f"{defn.source}: {err}") from None


def _expected_reps(defn: ExerciseDef, script, case: Mapping[str, Any]) -> list[ExpectedRep]:
    absent = [tuple(a) for a in case.get("absent", [])]
    faults_by_rep: dict[int, set[str]] = {}
    for fault, reps in case.get("expect", {}).get("faults", {}).items():
        for r in reps:
            faults_by_rep.setdefault(int(r), set()).add(fault)
    out: list[ExpectedRep] = []
    for span in script.truth:
        if not span.tag.startswith("rep"):
            continue
        if any(a0 < span.end_s and span.start_s < a1 for a0, a1 in absent):
            continue  # done out of view: must not be counted
        side = span.tag.split(":", 1)[1] if ":" in span.tag else "both"
        out.append(
            ExpectedRep(side, span.start_s, span.reach_s, span.end_s, span.hold_s,
                      frozenset(faults_by_rep.get(len(out) + 1, set())))
        )  # fmt: skip
    return out


def _setting(defn: ExerciseDef, case: Mapping[str, Any], options: Mapping[str, Any]):
    """The case's ``Script``, and the camera and body of one variant's ``options``."""
    from formcheck.synth.body import Body
    from formcheck.synth.camera import Camera

    st = defn.selftest
    assert st is not None
    script = build_case(defn, case)
    cam = {**st.camera, **case.get("camera", {}), **options.get("camera", {})}
    cam["azimuth_deg"] = cam.get("azimuth_deg", 90.0) + options.get("yaw", 0.0)
    body = Body.from_dict(options["body"]) if "body" in options else None
    return script, Camera.from_dict(cam), body


def case_frames(
    defn: ExerciseDef,
    case: Mapping[str, Any],
    options: Mapping[str, Any],
    mask_cache: dict[int, Any] | None = None,
    silhouettes: Any = None,
):
    """The ``Script`` of one case and its pose frames under one variant's ``options``, as the
    self-test sees them (with silhouettes when the definition measures the outline).
    ``mask_cache`` and ``silhouettes`` (a ``formcheck.synth.silhouette.SilhouetteCache``) are
    ``formcheck.synth.render.render``'s: masks shared with other renders."""
    from formcheck.synth.render import render

    st = defn.selftest
    assert st is not None
    script, camera, body = _setting(defn, case, options)
    frames = render(
        script,
        camera,
        body=body,
        fps=st.fps,
        noise=options.get("noise", 0.0),
        dropout=options.get("dropout", 0.0),
        occlusion=options.get("occlusion", False),
        absent=[tuple(a) for a in case.get("absent", [])],
        seed=int(case.get("seed", 0)),
        with_mask=defn.needs_mask,
        mask_cache=mask_cache,
        silhouettes=silhouettes,
    )
    return script, frames


def case_pictures(defn: ExerciseDef, case: Mapping[str, Any], options: Mapping[str, Any]):
    """The case as pictures a pose model can read (``formcheck.synth.figure``), frame by frame
    as ``case_frames`` renders it; also the camera's ``resolution_wh``. Landmark noise and
    dropouts do not show in a picture: the pose model makes its own."""
    from formcheck.synth.figure import render_figures

    st = defn.selftest
    assert st is not None
    script, camera, body = _setting(defn, case, options)
    absent = [tuple(a) for a in case.get("absent", [])]
    return render_figures(script, camera, st.fps, body=body, absent=absent), camera.resolution_wh


def select_case(defn: ExerciseDef, number: int) -> Mapping[str, Any]:
    """Self-test case ``number`` (from 1, as ``formcheck exercises show`` lists them)."""
    cases = defn.selftest.cases if defn.selftest is not None else []
    if not cases:
        raise DefinitionError(f"{defn.id} has no [selftest] cases")
    if not 1 <= number <= len(cases):
        valid = "; ".join(f"{i} {c.get('name', '?')}" for i, c in enumerate(cases, start=1))
        raise DefinitionError(f"{defn.id} has no case {number}; its cases: {valid}")
    return cases[number - 1]


def select_variant(name: str) -> Mapping[str, Any]:
    """The options of the variant called ``name`` (see ``VARIANTS``)."""
    if name not in VARIANTS:
        raise DefinitionError(f"no variant {name!r}; variants: {'; '.join(VARIANTS)}")
    return VARIANTS[name]


def run_case(
    defn: ExerciseDef,
    case: Mapping[str, Any],
    variant: str,
    options: Mapping[str, Any],
    mask_cache: dict[int, Any] | None = None,
    silhouettes: Any = None,
) -> CaseOutcome:
    """Render one case under one variant, run the engine, compare with the expectation.
    ``mask_cache``: silhouettes shared with other variants of the same case and camera;
    ``silhouettes``: with other cases too (see ``case_frames``)."""
    name = str(case.get("name", "?"))
    script, frames = case_frames(defn, case, options, mask_cache, silhouettes)
    engine = Engine(defn)
    extractor = engine.new_extractor()
    trace = Trace()
    for frame in frames:
        engine.update(extractor.update(frame))
        trace.add(frame.t_s, engine.values, engine.judged)
    engine.finish()
    expected = _expected_reps(defn, script, case)
    hidden: tuple[str, ...] = ()
    if options.get("occlusion", False):
        from formcheck.synth.render import HIDEABLE_JOINTS

        hidden = HIDEABLE_JOINTS
    unseen: list[str] = []
    findings = compare(defn, case.get("expect", {}), expected, engine.reps, trace, hidden, unseen)
    return CaseOutcome(
        name, variant, not findings, [str(f) for f in findings], list(engine.reps), findings,
        unseen,
    )  # fmt: skip


def run_selftest(
    defn: ExerciseDef,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    cases: Sequence[str] | None = None,
) -> list[CaseOutcome]:
    """Every case of the definition (or the ``cases`` named) under every variant (default: all
    of ``VARIANTS``), in case order and, within a case, in variant order."""
    if defn.selftest is None:
        return []
    variants = VARIANTS if variants is None else variants
    chosen = [
        i for i, c in enumerate(defn.selftest.cases) if cases is None or c.get("name") in cases
    ]
    order = {name: k for k, name in enumerate(variants)}
    done = [o for group in _same_pictures(variants) for o in _run_group(defn, chosen, group)]
    return [o for _, o in sorted(done, key=lambda co: (co[0], order[co[1].variant]))]


def _run_group(
    defn: ExerciseDef, cases: Sequence[int], variants: Mapping[str, Mapping[str, Any]]
) -> list[tuple[int, CaseOutcome]]:
    """Cases (by index) under variants that render the same silhouettes, drawing each pose's
    silhouette once for them all."""
    from formcheck.synth.silhouette import SilhouetteCache

    assert defn.selftest is not None
    silhouettes = SilhouetteCache()
    outcomes = []
    for i in cases:
        case = defn.selftest.cases[i]
        only = case.get("variants")
        masks: dict[int, Any] = {}  # this case's, by frame
        for vname, options in variants.items():
            if only is None or vname in only:
                outcomes.append((i, run_case(defn, case, vname, options, masks, silhouettes)))
    return outcomes


def _same_pictures(
    variants: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Mapping[str, Any]]]:
    """The variants in groups that render the same silhouettes (the same yaw, body and camera:
    noise and dropouts change only the landmarks), in order of first appearance."""
    groups: dict[str, dict[str, Mapping[str, Any]]] = {}
    for name, options in variants.items():
        key = repr((options.get("yaw", 0.0), options.get("body"), options.get("camera")))
        groups.setdefault(key, {})[name] = options
    return list(groups.values())


def _cost(defn: ExerciseDef, variants: int) -> float:
    """A rough share of the work of running every case of a definition under ``variants``
    variants that render the same pictures: seconds of motion, times the engine's runs and one
    set of silhouettes (which costs about as much as two of the engine's runs)."""
    assert defn.selftest is not None
    seconds = 0.0
    for case in defn.selftest.cases:
        try:
            seconds += build_case(defn, case).duration_s
        except DefinitionError:
            pass  # the job reports it
    return seconds * (variants + (2.0 if defn.needs_mask else 0.0))


def run_selftests(
    defs: Sequence[ExerciseDef],
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    workers: int = 1,
) -> dict[str, list[CaseOutcome]]:
    """Every case of every definition under every variant, on ``workers`` processes; the
    outcomes by definition id, in the order ``run_selftest`` gives them.

    The work is split by definition and by the variants that share silhouettes (a job draws
    each pose once for all of its cases), and the largest jobs start first, so no core waits
    for one long job at the end."""
    variants = VARIANTS if variants is None else variants
    jobs = [
        (d, list(range(len(d.selftest.cases))), group, _cost(d, len(group)))
        for d in defs
        if d.selftest is not None
        for group in _same_pictures(variants)
    ]
    jobs.sort(key=lambda job: -job[3])
    args = [job[:3] for job in jobs]
    if workers > 1 and len(args) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(workers, len(args))) as pool:
            results = list(pool.map(_run_group, *zip(*args, strict=True)))
    else:
        results = [_run_group(*a) for a in args]
    order = {name: k for k, name in enumerate(variants)}
    done: dict[str, list[tuple[int, CaseOutcome]]] = {d.id: [] for d in defs}
    for (d, _, _), outcomes in zip(args, results, strict=True):
        done[d.id] += outcomes
    return {
        k: [o for _, o in sorted(v, key=lambda co: (co[0], order[co[1].variant]))]
        for k, v in done.items()
    }
