"""The features stage on its own: smoothing and the outline measure, frame by frame."""

import math

import numpy as np

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
    extractor, engine = FeatureExtractor(FeatureSet(defn.features)), Engine(defn)
    assert extractor.features.curvature_names
    for frame in frames:
        features = extractor.update(frame)
        engine.update(frame)
        own = {k: v for k, v in engine.values.items() if k not in dict(engine.features.from_start)}
        assert _same({k: features.values[k] for k in own}, own)
        assert np.array_equal(features.pose.image, engine.frame.pose.image, equal_nan=True)


def test_nobody_in_view_gives_the_frame_itself_and_no_values():
    extractor = FeatureExtractor(FeatureSet(load_exercise("bird-dog").features))
    empty = PoseFrame(0.0, (640, 480), None, None)
    features = extractor.update(empty)
    assert features.pose is empty
    assert all(math.isnan(v) for v in features.values.values())
