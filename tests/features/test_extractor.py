"""The features stage on its own: smoothing and the outline measure, frame by frame."""

import math

import pytest

from formcheck.engine import Engine, load_exercise
from formcheck.engine.selftest import VARIANTS, case_frames
from formcheck.features.extractor import FeatureExtractor
from formcheck.features.measure import FeatureSet
from formcheck.pose.core import PoseFrame


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in ((a[k], b[k]) for k in a)
    )


def test_the_engine_judges_exactly_what_the_extractor_gives():
    defn = load_exercise("bent-over-row")  # an outline measure (spine_curvature) among them
    _, frames = case_frames(defn, defn.selftest.cases[0], VARIANTS["ideal"])
    engine = Engine(defn)
    extractor = engine.new_extractor()
    assert extractor.features.curvature_names
    for frame in frames:
        features = extractor.update(frame)
        judged = engine.update(features)
        assert features.raw is frame and features.t_s == frame.t_s
        own = {k: v for k, v in engine.values.items() if k not in dict(engine.features.from_start)}
        assert _same({k: features.values[k] for k in own}, own)
        assert judged.pose is features.pose


def test_the_engine_takes_features_not_a_pose():
    defn = load_exercise("bird-dog")
    with pytest.raises(TypeError, match="expected the Features of a frame"):
        Engine(defn).update(PoseFrame(0.0, (640, 480), None, None))  # type: ignore[arg-type]


def test_features_stay_as_measured_after_the_engine_judged_them():
    """The engine writes its ``from_start`` values into its own copy, not the features'."""
    defn = load_exercise("bent-over-row")
    assert FeatureSet(defn.features).from_start
    _, frames = case_frames(defn, defn.selftest.cases[0], VARIANTS["ideal"])
    engine = Engine(defn)
    extractor = engine.new_extractor()
    starts = [name for name, _ in engine.features.from_start]
    for frame in frames:  # until the engine knows the start (about a second in)
        features = extractor.update(frame)
        engine.update(features)
        if any(not math.isnan(engine.values[n]) for n in starts):
            break
    assert any(not math.isnan(engine.values[n]) for n in starts)
    assert all(math.isnan(features.values[n]) for n in starts)


def test_nobody_in_view_gives_the_frame_itself_and_no_values():
    extractor = FeatureExtractor(FeatureSet(load_exercise("bird-dog").features))
    empty = PoseFrame(0.0, (640, 480), None, None)
    features = extractor.update(empty)
    assert features.pose is empty
    assert all(math.isnan(v) for v in features.values.values())
