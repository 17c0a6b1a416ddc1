"""--exercise auto: the right exercise for each sample, "unsure" for motion that fits none."""

from __future__ import annotations

import math

import pytest

from formcheck.engine import load_exercise
from formcheck.features.measure import PointTable
from formcheck.pipeline import open_pose_input
from formcheck.report.auto import (
    MEASURES,
    CandidateScore,
    ExerciseGuesser,
    body_measures,
    involved,
    reference,
)
from formcheck.synth import Camera, Script, Step, render


def _guess(path):
    guesser = ExerciseGuesser()
    with open_pose_input(path) as pose:
        for frame in pose.frames:
            guesser.update(frame)
    return guesser.finish()


def _guess_script(script, azimuth_deg=90.0):
    guesser = ExerciseGuesser()
    for frame in render(script, Camera(azimuth_deg=azimuth_deg), fps=10, noise=0.003, seed=1):
        guesser.update(frame)
    return guesser.finish()


@pytest.mark.parametrize("name", ["bird-dog", "cat-cow"])
def test_auto_picks_the_sampled_exercise(samples, name):
    guess = _guess(samples / f"{name}.jsonl.gz")
    assert guess.chosen.id == name
    assert not guess.unsure
    assert guess.candidates[0].exercise == name and guess.candidates[0].reps >= 3
    best, runner_up = guess.candidates[0].score, guess.candidates[1].score
    assert guess.confidence == pytest.approx(1 - runner_up / best)  # in proportion to the best
    assert name in guess.message and "unsure" not in guess.message


def test_standing_still_fits_nothing_and_says_unsure(standing_still):
    guess = _guess(standing_still)
    assert guess.unsure
    assert all(c.reps == 0 for c in guess.candidates)
    assert guess.message.startswith("unsure which exercise this is")
    assert "--exercise NAME" in guess.message


def _measures(pose: dict) -> dict[str, float]:
    script = Script(poses={}, start=pose, steps=[Step(pose, move_s=0.1)])
    frame = render(script, Camera(azimuth_deg=60), fps=10)[0]
    return dict(zip(MEASURES, body_measures(PointTable.from_frame(frame)), strict=True))


def test_body_measures_of_known_poses():
    stand = _measures({})
    assert stand["trunk"] == pytest.approx(0, abs=1) and stand["chest"] == pytest.approx(0, abs=1)
    assert stand["thigh_hi"] == pytest.approx(0, abs=1) and stand["hip_lo"] > 165
    prone, supine = _measures({"base": "prone"}), _measures({"base": "supine"})
    assert prone["trunk"] == pytest.approx(90, abs=2) and prone["chest"] == pytest.approx(
        -90, abs=2
    )
    assert supine["trunk"] == pytest.approx(90, abs=2) and supine["chest"] == pytest.approx(
        90, abs=2
    )
    hang = _measures({"base": "hanging"})
    assert hang["arm_lo"] == pytest.approx(180, abs=2)  # both arms straight up
    seated = _measures({"base": "seated"})
    assert seated["thigh_lo"] == pytest.approx(90, abs=2) and seated["hip_hi"] < 100
    # one arm bent to 90 degrees: the lower elbow angle reads it, the higher the straight arm
    row = _measures({"elbow_flex_right": 90})
    assert row["elbow_lo"] == pytest.approx(90, abs=2) and row["elbow_hi"] > 175


def test_each_exercise_has_a_reference_from_its_own_self_test():
    ref = reference(load_exercise("push-up"))
    assert ref is not None and len(ref.reps) == 8  # its clean case: 8 scripted push-ups
    assert ref.counted_range == pytest.approx(95, abs=10)  # elbows bend by about 95 deg
    assert reference(load_exercise("push-up")) is ref  # rendered once per process


# Motion that is no exercise of the catalogue: the guess must be unsure, with the nearest.
PLANK = {"trunk_pitch": 75, "shoulder_flex": 75, "wrist_flex": 90}
ROW_HANG = {"trunk_pitch": -70, "shoulder_flex": 90}  # face up under a bar, heels down
ROW_TOP = {"trunk_pitch": -80, "shoulder_flex": 40, "elbow_flex": 100}
GAIT = {
    "hip_flex_left": [25, 0], "hip_flex_right": [25, 180], "knee_flex_left": [20, 90],
    "knee_flex_right": [20, 270], "shoulder_flex_left": [20, 180], "shoulder_flex_right": [20, 0],
}  # fmt: skip


def _reps(rest, top, n=4, move_s=0.8):
    return [Step(rest, move_s=1.0, hold_s=0.5)] + [
        s for _ in range(n) for s in (Step(top, move_s=move_s, hold_s=0.3),
                                      Step(rest, move_s=move_s, hold_s=0.4))
    ]  # fmt: skip


NOT_IN_THE_CATALOGUE = {
    "a plank with shoulder-blade shrugs": (
        Script(poses={}, start=PLANK, steps=_reps(PLANK, {**PLANK, "shrug": 0.05}, move_s=0.6)),
        90.0,
    ),
    "an inverted row": (Script(poses={}, start=ROW_HANG, steps=_reps(ROW_HANG, ROW_TOP)), 90.0),
    "walking about": (
        Script(
            poses={},
            start="standing",
            steps=[
                Step(
                    {"trunk_yaw": yaw, "knee_flex": 20},
                    move_s=0.8,
                    wave=GAIT,
                    periods=2,
                    period_s=1.1,
                )
                for yaw in (0, 60, 120, 60, 0)
            ],
        ),
        30.0,
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", NOT_IN_THE_CATALOGUE)
def test_motion_that_is_no_exercise_is_unsure_with_the_nearest(name):
    script, azimuth = NOT_IN_THE_CATALOGUE[name]
    guess = _guess_script(script, azimuth)
    assert guess.unsure, guess.message
    assert "nearest: " in guess.message and guess.candidates[0].exercise in guess.message
    assert not math.isnan(guess.candidates[0].score)


def test_one_armed_row_is_not_a_bird_dog():
    """The clean one-arm row of its self-test (4 left, then 4 right) filmed from the right side
    (a rendered right-side row was once named bird-dog): the legs do not move, so the
    bird-dog does not explain it."""
    defn = load_exercise("one-arm-row")
    from formcheck.engine.selftest import build_case

    case = defn.selftest.cases[0]
    guesser = ExerciseGuesser()
    for frame in render(build_case(defn, case), Camera(azimuth_deg=-90), fps=10, seed=1):
        guesser.update(frame)
    guess = guesser.finish()
    scores = {c.exercise: c for c in guess.candidates}
    assert scores["bird-dog"].motion_fit < scores["one-arm-row"].motion_fit
    assert guess.chosen.id == "one-arm-row" and not guess.unsure, guess.message


def test_a_limb_the_exercise_leaves_alone_may_be_held_otherwise():
    """The squat's self-test holds the arms forward; a squat with the arms hanging (or hands on
    the hips) is the same squat: the squat measures no arm, so its arms are not held to the
    reference's. The legs and the trunk move as the reference's do."""
    squat = load_exercise("squat")
    assert "arm_lo" not in involved(squat) and {"knee_lo", "thigh_hi"} <= involved(squat)
    assert {"arm_lo", "elbow_hi"} <= involved(load_exercise("lateral-raise"))
    stand = {"shoulder_flex": 5}
    bottom = {"trunk_pitch": 30, "hip_flex": 115, "knee_flex": 100, "ankle_flex": -15,
              "shoulder_flex": 10}  # fmt: skip
    steps = [Step(stand, move_s=1.0, hold_s=0.5)] + [
        s for _ in range(5) for s in (Step(bottom, move_s=1.0, hold_s=0.3),
                                      Step(stand, move_s=1.0, hold_s=0.4))
    ]  # fmt: skip
    guess = _guess_script(Script(poses={}, start=stand, steps=steps))
    assert guess.chosen.id == "squat" and not guess.unsure, guess.message
    assert guess.candidates[0].posture_fit > 0.9


def test_one_arm_at_a_time_is_not_both_arms_together():
    """The seated side bend's clean case (one arm overhead and bent, then the other), under
    noise, dropouts and a turned camera: each elbow moves as far as in a lat pulldown, but
    one at a time, never both together. Auto was once sure it was a lat pulldown."""
    from formcheck.engine.selftest import VARIANTS, case_frames

    defn = load_exercise("seated-side-bend")
    _, frames = case_frames(defn, defn.selftest.cases[0], VARIANTS["all"], None, None)
    guesser = ExerciseGuesser([defn, load_exercise("lat-pulldown")])
    for frame in frames:
        guesser.update(frame)
    guess = guesser.finish()
    scores = {c.exercise: c for c in guess.candidates}
    assert scores["lat-pulldown"].motion_fit < 0.75  # both elbows together: not what is seen
    assert guess.unsure or guess.chosen.id == "seated-side-bend", guess.message


def test_sides_that_overlap_in_the_reference_too_tell_little():
    """A push-up with a leg raise pushes with both arms whichever leg rises, so its left and
    right reps overlap, on the mannequin's reference as on another body. That is no evidence
    against it (it was: a score of 0.23 and "unsure"); for an exercise whose reference never
    overlaps (the bird-dog), overlapping reps still count fully against it."""
    from formcheck.engine.selftest import VARIANTS, case_frames

    defn = load_exercise("push-up-leg-raise")
    assert reference(defn).side_fit < 0.5  # overlapping on its own reference
    assert reference(load_exercise("bird-dog")).side_fit == 1.0
    variant = VARIANTS["short, long limbs, heavy; camera high, near"]
    _, frames = case_frames(defn, defn.selftest.cases[0], variant, None, None)
    pool = ["push-up-leg-raise", "push-up", "prone-double-leg-raise", "prone-leg-raise"]
    guesser = ExerciseGuesser([load_exercise(n) for n in pool])
    for frame in frames:
        guesser.update(frame)
    guess = guesser.finish()
    assert guess.chosen.id == "push-up-leg-raise" and not guess.unsure, guess.message


def test_both_legs_lifting_together_is_no_one_legged_raise():
    """The prone leg raise counts one side at a time, so its engine does not count a leg that
    rises while the other rises higher (the idle side moving along). Auto still sees it: the
    superman's clean case lifts both legs together, and the leg raise's reps all overlap a
    move of the other leg. Without that, a real superman clip read as a prone leg raise."""
    from formcheck.engine.selftest import VARIANTS, case_frames
    from formcheck.report.auto import _side_fit

    superman, leg_raise = load_exercise("superman"), load_exercise("prone-leg-raise")
    _, frames = case_frames(superman, superman.selftest.cases[0], VARIANTS["noise 1%"], None, None)
    guesser = ExerciseGuesser([superman, leg_raise])
    for frame in frames:
        guesser.update(frame)
    engine = guesser.engines["prone-leg-raise"]
    guess = guesser.finish()
    assert engine.reps and engine.overshadowed  # one leg counted, the other's moves not
    assert _side_fit(engine.reps) == 1.0  # the counted reps alone look one-sided
    assert _side_fit(engine.reps, engine.overshadowed) == 0.0
    scores = {c.exercise: c for c in guess.candidates}
    assert scores["prone-leg-raise"].side_fit == 0.0
    assert guess.chosen.id == "superman", guess.message


@pytest.mark.parametrize(
    ("best", "runner_up", "unsure"),
    [
        (0.32, 0.20, False),  # a short clip: every score small, the runner-up 5/8 of the best
        (0.90, 0.72, True),  # both explain the motion well: the runner-up 4/5 of the best
        (0.60, 0.46, True),  # just over three quarters
        (0.60, 0.44, False),  # just under
        (0.25, 0.00, True),  # nothing explains it well enough
    ],
)
def test_the_margin_is_in_proportion_to_the_best(monkeypatch, best, runner_up, unsure):
    """The score is a product of fits, so a factor every candidate shares (the rep evidence of
    a short clip) scales the difference between two scores but not their ratio: unsure means
    the runner-up scores more than three quarters of the best (or the best is low)."""
    scores = {"bird-dog": best, "cat-cow": runner_up}
    guesser = ExerciseGuesser([load_exercise(n) for n in scores])
    monkeypatch.setattr(
        ExerciseGuesser, "score", lambda self, d: CandidateScore(d.id, scores[d.id], 3, 1.0, 1.0)
    )
    guess = guesser.finish()
    assert guess.chosen.id == "bird-dog"
    assert guess.confidence == pytest.approx(1 - runner_up / best)
    assert guess.unsure is unsure, guess.message
