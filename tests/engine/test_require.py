"""[reps] require: a second condition the drive counts under, on generated motion.

A left-arm raise that counts only while the right arm hangs (``right_arm`` below 45 deg):
raising both arms is not a rep, and after the right arm comes down the left arm has to be
seen at rest before its next rise counts.
"""

from formcheck.engine import Engine
from formcheck.engine.definition import parse_definition
from formcheck.synth.camera import Camera
from formcheck.synth.render import render
from formcheck.synth.script import Script

DEFN = {
    "id": "left-raise",
    "name": "Left arm raise",
    "posture": "standing",
    "features": {
        "arm": {"kind": "angle_to_trunk", "points": ["left_shoulder", "left_wrist"]},
        "right_arm": {"kind": "angle_to_trunk", "points": ["right_shoulder", "right_wrist"]},
    },
    "reps": {
        "drive": "arm", "min_range": 90,
        "require": {"feature": "right_arm", "below": 45},  # one condition, or a list
    },
}  # fmt: skip
UP = {"shoulder_flex_left": 175}
BOTH = {"shoulder_flex": 175}
RIGHT = {"shoulder_flex_right": 175}
RIGHT_LEFT = {"shoulder_flex_right": 175, "shoulder_flex_left": 175}


def _count(poses, defn=DEFN, **render_options):
    """Reps of a script going through ``poses`` (1 s moves, 0.5 s holds), from standing."""
    steps = [{"pose": p, "move_s": 1.0, "hold_s": 0.5} for p in poses]
    script = Script.from_dict({"poses": {}, "start": "standing", "steps": steps})
    engine = Engine(parse_definition(defn, "left-raise.toml"))
    extractor = engine.new_extractor()
    for frame in render(script, Camera(azimuth_deg=90), **render_options):
        engine.update(extractor.update(frame))
    engine.finish()
    return [(r.start_s, r.end_s) for r in engine.reps]


SET = [
    UP, "standing",                          # 0-3 s: a rep
    BOTH, "standing",                        # 3-6 s: both arms: not a rep
    RIGHT, RIGHT_LEFT, UP, "standing",       # 6-12 s: the left arm rose while disarmed
    UP, "standing",                          # 12-15 s: a rep
]  # fmt: skip


def test_a_rep_counts_only_while_the_required_condition_holds():
    reps = _count(SET)
    assert len(reps) == 2
    assert 0 < reps[0][0] < reps[0][1] < 3 and 12 < reps[1][0] < reps[1][1] < 15


def test_without_require_every_rise_of_the_left_arm_counts():
    assert len(_count(SET, {**DEFN, "reps": {**DEFN["reps"], "require": []}})) == 4


def test_a_required_feature_not_seen_changes_nothing():
    hidden = {"right_wrist": 0.1}  # right_arm is NaN throughout: the drive counts as usual
    assert len(_count([UP, "standing", BOTH, "standing"], low_visibility=hidden)) == 2
