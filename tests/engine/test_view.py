"""Which way the camera looks at the person (the setup check's "Turn sideways to the camera" /
"Face the camera"): judged in 3D from the shoulder and hip lines, so it holds for every posture
and body, and a three-quarter view is neither."""

from __future__ import annotations

import pytest

from formcheck.engine import load_exercise
from formcheck.engine.selftest import VARIANTS, case_frames
from formcheck.engine.setup import observed_view
from formcheck.features.measure import PointTable

SLIM = VARIANTS["tall, short limbs, slim; camera low, far, tilted"]


@pytest.mark.parametrize(
    "exercise", ["squat", "bird-dog", "superman", "glute-bridge", "seated-forward-bend"]
)  # standing and crouching, on all fours, prone, supine, seated
@pytest.mark.parametrize(
    ("azimuth", "seen"), [(0, "front"), (180, "front"), (90, "side"), (-90, "side"), (45, None)]
)
def test_the_view_is_the_cameras_whatever_the_posture(exercise, azimuth, seen):
    defn = load_exercise(exercise)
    assert defn.selftest is not None
    case = {**defn.selftest.cases[0], "camera": {"azimuth_deg": azimuth}}
    _, frames = case_frames(defn, case, SLIM)  # a slim body, the camera low and tilted
    views = [observed_view(PointTable.from_frame(f, 0.5)) for f in frames if f.has_person]
    assert sum(v == seen for v in views) >= 0.95 * len(views), (exercise, azimuth, set(views))
