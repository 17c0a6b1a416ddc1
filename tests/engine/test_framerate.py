"""The lowest frame rate an exercise is counted at (formcheck.engine.framerate).

The rule comes from the definition's own tempo limit (6 frames per shortest well-paced rep, 12
for circles), the hold clock (6.7 fps) and the landmark filter (2 fps). These tests pin the
rule, check that it does not refuse anything the project ships or is tested on (self-tests,
samples, the real clips) and that, at its minimum, each exercise still counts reps twice as long
as its tempo limit (the rule is not too lax).
"""

import csv
import dataclasses
import statistics
from pathlib import Path

import pytest

from formcheck.engine import Engine, list_exercises, load_exercise, parse_definition
from formcheck.engine.framerate import min_fps, require_frame_rate, shortest_rep_s
from formcheck.engine.selftest import build_case
from formcheck.errors import SourceError
from formcheck.recording import RecordingSource
from formcheck.synth import Camera, Script, render

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EXERCISES = list_exercises()


def _definition(**tables) -> object:
    data = {
        "id": "lift", "name": "Lift", "posture": "standing",
        "features": {"knee": {"kind": "angle", "points": ["left_hip", "left_knee", "left_ankle"]}},
        "reps": {"drive": "knee", "min_range": 30, **tables.pop("reps", {})},
        **tables,
    }  # fmt: skip
    return parse_definition(data, "lift.toml")


def test_the_rule_follows_the_definitions_own_limits():
    assert min_fps(load_exercise("squat")) == pytest.approx(6.0)  # tempo 1.0 s: 6 frames
    assert min_fps(load_exercise("shrugs")) == pytest.approx(10.0)  # tempo 0.6 s
    assert min_fps(load_exercise("push-up")) == pytest.approx(7.5)  # tempo 0.8 s
    assert min_fps(load_exercise("deadlift")) == pytest.approx(5.0)  # tempo 1.2 s
    assert min_fps(load_exercise("arm-circles")) == pytest.approx(12.0)  # a circle: 12 frames
    assert min_fps(load_exercise("bird-dog")) == pytest.approx(20 / 3)  # the hold clock
    assert min_fps(_definition()) == pytest.approx(6.0)  # no tempo limit: 1 s reps
    assert min_fps(_definition(tempo={"min_rep_s": 0.5})) == pytest.approx(12.0)
    # a slow tempo is bounded below by the landmark filter; a long top makes a long rep
    assert min_fps(_definition(tempo={"min_rep_s": 10.0})) == pytest.approx(2.0)
    assert shortest_rep_s(_definition(reps={"min_top_s": 2.0})) == pytest.approx(2.0)
    assert min_fps(_definition(hold={"max_gap_s": 0.1})) == pytest.approx(10.0)


def test_refusal_is_one_line_that_says_what_to_do():
    squat = load_exercise("squat")
    with pytest.raises(SourceError) as err:
        require_frame_rate(1.0, "timelapse.mp4", squat)
    assert str(err.value) == (
        "timelapse.mp4 has 1 frame per second; Squat needs at least 6 to count its reps "
        "(film at normal speed, 24 fps or more, not as a timelapse)"
    )
    assert err.value.exit_code == 2
    with pytest.raises(SourceError, match="has 6.5 frames per second; Bird-dog needs at least "
                       "6.7 to time its holds"):  # fmt: skip
        require_frame_rate(6.5, "set.mp4", load_exercise("bird-dog"))
    for fine in (6.0, 30.0, 0.0, float("nan")):  # at the minimum, above it, or not known
        require_frame_rate(fine, "set.mp4", squat)


@pytest.mark.parametrize("defn", EXERCISES, ids=lambda d: d.id)
def test_no_self_test_is_below_its_own_minimum(defn):
    assert defn.selftest is not None
    assert defn.selftest.fps >= 2 * min_fps(defn), (defn.id, defn.selftest.fps, min_fps(defn))


def test_the_bundled_samples_are_above_their_minimum():
    for sample in sorted(SAMPLES.glob("*.jsonl.gz")):
        defn = load_exercise(sample.name.removesuffix(".jsonl.gz"))
        with RecordingSource(sample) as rec:
            assert rec.fps >= min_fps(defn), sample.name


def test_the_real_clips_are_above_their_minimum(clips_dir):
    from formcheck.sources import open_source

    rows = [r for name in ("labels.csv", "labels-new.csv") if (clips_dir / name).is_file()
            for r in csv.DictReader((clips_dir / name).open(encoding="utf-8"))]  # fmt: skip
    assert len(rows) >= 22
    for row in rows:
        defn = load_exercise(row["exercise"])
        with open_source(str(clips_dir / row["file"])) as video:
            assert video.fps >= min_fps(defn), (row["file"], video.fps, min_fps(defn))


def _scaled(script: Script, k: float) -> Script:
    steps = [
        dataclasses.replace(s, move_s=s.move_s * k, hold_s=s.hold_s * k, period_s=s.period_s * k)
        for s in script.steps
    ]
    return Script(script.poses, steps, script.start, script.support)


@pytest.mark.parametrize("defn", EXERCISES, ids=lambda d: d.id)
def test_at_its_minimum_an_exercise_counts_reps_twice_its_tempo_limit(defn):
    """The clean case, its reps sped up or slowed to twice the shortest well-paced rep (holds
    as scripted), rendered at the minimum frame rate with landmark noise: every rep counted on
    the right side, every hold timed."""
    case = defn.selftest.cases[0]
    script = build_case(defn, case)
    spans = [s for s in script.truth if s.tag.startswith("rep")]
    if defn.hold is None:
        span = statistics.median(s.end_s - s.start_s for s in spans)
        script = _scaled(script, 2 * shortest_rep_s(defn) / span)
    want: dict[str, int] = {}
    for s in script.truth:
        if s.tag.startswith("rep"):
            side = s.tag.split(":", 1)[1] if ":" in s.tag else "both"
            want[side] = want.get(side, 0) + 1
    camera = Camera.from_dict(dict(defn.selftest.camera))
    for noise, seed in ((0.0, 0), (0.01, 1)):
        engine = Engine(defn)
        extractor = engine.new_extractor()
        for frame in render(script, camera, fps=min_fps(defn), noise=noise, seed=seed):
            engine.update(extractor.update(frame))
        engine.finish()
        got: dict[str, int] = {}
        for rep in engine.reps:
            got[rep.side] = got.get(rep.side, 0) + 1
        assert got == want, (noise, [(r.side, r.start_s, r.end_s) for r in engine.reps])
        if defn.hold is not None:
            assert all(r.hold_s and r.hold_s > 1.0 for r in engine.reps), engine.reps
