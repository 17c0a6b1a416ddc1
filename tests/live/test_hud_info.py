"""Top right of the window: what drives the count, in words, with its value and unit."""

import re

from formcheck.engine import Engine, load_exercise
from formcheck.engine.selftest import build_case
from formcheck.engine.words import Words
from formcheck.live.hud import info_lines
from formcheck.synth.camera import Camera
from formcheck.synth.render import render


def _lines(exercise_id: str, frames: int) -> tuple[str, ...]:
    exercise = load_exercise(exercise_id)
    script = build_case(exercise, exercise.selftest.cases[0])
    engine = Engine(exercise)
    extractor = engine.new_extractor()
    camera = Camera(**exercise.selftest.camera)
    for pose in render(script, camera)[:frames]:
        frame = engine.update(extractor.update(pose))
    return info_lines(frame, exercise, Words(exercise), 25.0)


def test_a_value_in_torso_lengths_keeps_its_decimals():
    """A squat's hips stand 0.8 torso lengths above the knees: shown as such, not as "1"."""
    title, value, fps = _lines("squat", 20)
    assert title == "hips above the knees"
    assert re.fullmatch(r"0\.\d\d torso lengths", value), value
    assert fps == "25 frames/s"


def test_an_angle_is_shown_in_whole_degrees_per_side():
    _, value, _ = _lines("bird-dog", 20)
    assert re.fullmatch(r"left −?\d+°   right −?\d+°", value), value
