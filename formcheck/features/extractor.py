"""The features stage: a pose in, the smoothed pose and every feature of a definition out.

``FeatureExtractor(feature_set).update(pose_frame) -> Features`` once per frame, ``reset()``
between sets. It owns what carries from frame to frame before the engine: the One Euro
smoothing of the landmarks (image and world, each landmark only where it is seen well enough)
and the short median over time of the outline measures (``spine_curvature``). Features of kind
``from_start`` are NaN here: they need the set's start, which the engine knows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.features.curvature import CurvatureSmoother
from formcheck.features.measure import FeatureSet
from formcheck.features.smoothing import OneEuroFilter, OneEuroParams
from formcheck.pose.core import PoseFrame

__all__ = ["FeatureExtractor", "Features"]


@dataclass(frozen=True, slots=True)
class Features:
    """One frame's features: the smoothed ``pose`` (the frame itself when nobody is in view),
    the ``values`` by feature name (NaN: not measured; the dict is new every frame) and the
    ``raw`` pose they were measured from, as the pose model gave it."""

    pose: PoseFrame
    values: dict[str, float]
    raw: PoseFrame

    @property
    def t_s(self) -> float:
        """The frame's time (s)."""
        return self.raw.t_s


class FeatureExtractor:
    """Smooths the landmarks and measures the features of ``features``, frame by frame.

    ``min_visibility``: landmarks seen less clearly are neither smoothed into the filter nor
    measured."""

    def __init__(
        self, features: FeatureSet, *, min_visibility: float = 0.3,
        smoothing: OneEuroParams | None = None,
    ) -> None:  # fmt: skip
        self.features = features
        self.min_visibility = min_visibility
        self.smoothing = smoothing or OneEuroParams()
        self.reset()

    def reset(self) -> None:
        """Forget the past frames: a new set starts."""
        self._curvature = {n: CurvatureSmoother() for n in self.features.curvature_names}
        self._filter_xy = OneEuroFilter(self.smoothing)
        self._filter_world = OneEuroFilter(self.smoothing)

    def update(self, frame: PoseFrame) -> Features:
        """Feed one frame; returns its smoothed pose and feature values."""
        smoothed = self._smooth(frame)
        values = self.features.evaluate(smoothed, self.min_visibility)
        for name, smoother in self._curvature.items():
            values[name] = smoother.update(frame.t_s, values[name])
        return Features(smoothed, values, frame)

    def _smooth(self, frame: PoseFrame) -> PoseFrame:
        if not frame.has_person:
            self._filter_xy.update(frame.t_s, np.full((33, 3), np.nan), np.zeros(33, bool))
            self._filter_world.update(frame.t_s, np.full((33, 3), np.nan), np.zeros(33, bool))
            return frame
        assert frame.image is not None and frame.world is not None
        valid = frame.visibility >= self.min_visibility
        image = frame.image.copy()
        image[:, :3] = self._filter_xy.update(frame.t_s, frame.image[:, :3], valid)
        world = self._filter_world.update(frame.t_s, frame.world, valid)
        return PoseFrame(frame.t_s, frame.resolution_wh, image, world, frame.mask, frame.index)
