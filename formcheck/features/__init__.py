"""Signals from landmarks: smoothing and geometry (numpy only, no model needed)."""

from formcheck.features.geometry import (
    angle_between_deg,
    distance,
    elevation_deg,
    inclination_to_horizontal_deg,
    inclination_to_vertical_deg,
    joint_angle_deg,
    midpoint,
)
from formcheck.features.smoothing import OneEuroFilter, OneEuroParams

__all__ = [
    "OneEuroFilter",
    "OneEuroParams",
    "angle_between_deg",
    "distance",
    "elevation_deg",
    "inclination_to_horizontal_deg",
    "inclination_to_vertical_deg",
    "joint_angle_deg",
    "midpoint",
]
