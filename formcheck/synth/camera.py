"""A pinhole camera looking at the mannequin: placement, auto framing and projection.

The camera sits on a sphere around an aim point: ``azimuth_deg`` turns about the world vertical
from the person's forward direction at ``trunk_yaw = 0`` (0 = in front, the person faces the
camera; 90 = at the person's left; -90 = right; 180 = behind), ``elevation_deg`` raises it
(positive = above, looking down). The aim point is the centre of the bounding box of every
landmark in every frame of the script, so the camera never moves during a script. With
``distance_m=None`` the camera backs off until every landmark of every frame lies inside the
image with ``margin`` (10 %) of the half-width/half-height to spare. ``height_m`` (if given)
replaces the camera's height; it still aims at the aim point. ``roll_deg`` turns the camera
about its optical axis (positive = clockwise as seen from behind the camera, so the scene appears
turned counter-clockwise).

Camera frame: x right, y down, z away from the camera (metres). Pixels: x right, y down, origin
top-left; the focal length is ``(W / 2) / tan(hfov / 2)`` for both axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Camera", "View"]


@dataclass(frozen=True, slots=True)
class Camera:
    """Where the camera is and what it sees (see the module docstring for conventions)."""

    azimuth_deg: float = 90.0
    elevation_deg: float = 0.0
    distance_m: float | None = None
    height_m: float | None = None
    resolution_wh: tuple[int, int] = (640, 480)
    hfov_deg: float = 60.0
    roll_deg: float = 0.0
    margin: float = 0.1

    def __post_init__(self) -> None:
        w, h = self.resolution_wh
        if not (int(w) == w > 0 and int(h) == h > 0):
            raise ValueError(
                f"resolution_wh: expected two positive integers, got {self.resolution_wh}"
            )
        object.__setattr__(self, "resolution_wh", (int(w), int(h)))
        if not 0 < self.hfov_deg < 180:
            raise ValueError(f"hfov_deg: expected 0 < hfov_deg < 180, got {self.hfov_deg!r}")
        if self.distance_m is not None and not self.distance_m > 0:
            raise ValueError(f"distance_m: expected a positive distance, got {self.distance_m!r}")
        if not -90 < self.elevation_deg < 90:
            raise ValueError(
                f"elevation_deg: expected -90 < elevation < 90, got {self.elevation_deg!r}"
            )
        if not 0 <= self.margin < 1:
            raise ValueError(f"margin: expected 0 <= margin < 1, got {self.margin!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Camera:
        """A camera from a plain table (e.g. a definition's ``selftest.camera``)."""
        data = dict(data)
        if "resolution_wh" in data:
            data["resolution_wh"] = tuple(data["resolution_wh"])
        return cls(**data)

    @property
    def focal_px(self) -> float:
        return self.resolution_wh[0] / 2 / np.tan(np.radians(self.hfov_deg) / 2)

    def view(self, points: np.ndarray) -> View:
        """Place the camera for model-frame points ``(..., 3)`` (metres, y up) it must frame."""
        pts = np.asarray(points, float).reshape(-1, 3)
        target = (pts.min(axis=0) + pts.max(axis=0)) / 2
        az, el = np.radians(self.azimuth_deg), np.radians(self.elevation_deg)
        outward = np.array([np.cos(el) * np.sin(az), np.sin(el), np.cos(el) * np.cos(az)])
        right = np.array([np.cos(az), 0.0, -np.sin(az)])
        distance = self.distance_m
        if distance is None:  # two passes: with height_m the orientation depends on distance
            distance = self._fit(pts, target, self._axes(target + outward, target, right))
            if self.height_m is not None:
                distance = self._fit(
                    pts,
                    target,
                    self._axes(self._position(target, outward, distance), target, right),
                )
        position = self._position(target, outward, distance)
        return View(position=position, axes=self._axes(position, target, right), camera=self)

    def _position(self, target: np.ndarray, outward: np.ndarray, distance: float) -> np.ndarray:
        position = target + distance * outward
        if self.height_m is not None:
            position[1] = self.height_m
        return position

    def _axes(self, position: np.ndarray, target: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Rows: the camera's x (right), y (down), z (forward) in model coordinates."""
        forward = target - position
        forward /= np.linalg.norm(forward)
        right = right - forward * (right @ forward)
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        roll = np.radians(self.roll_deg)
        right, down = (np.cos(roll) * right + np.sin(roll) * down,
                       -np.sin(roll) * right + np.cos(roll) * down)  # fmt: skip
        return np.stack([right, down, forward])

    def _fit(self, pts: np.ndarray, target: np.ndarray, axes: np.ndarray) -> float:
        """Distance from the aim point at which every point fits inside the margins."""
        rel = (pts - target) @ axes.T
        half = (1 - self.margin) * np.array(self.resolution_wh, float) / 2
        need = self.focal_px * np.abs(rel[:, :2]) / half - rel[:, 2:3]
        return float(max(need.max(), 0.3 - rel[:, 2].min(), 0.5))


@dataclass(frozen=True, slots=True, eq=False)
class View:
    """A placed camera: ``position`` (model frame, metres) and ``axes`` (rows x, y, z)."""

    position: np.ndarray
    axes: np.ndarray
    camera: Camera

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """Model-frame points ``(..., 3)`` in the camera frame (x right, y down, z forward)."""
        return (np.asarray(points, float) - self.position) @ self.axes.T

    def project(self, cam_points: np.ndarray) -> np.ndarray:
        """Pixel coordinates ``(..., 2)`` of camera-frame points (origin top-left)."""
        w, h = self.camera.resolution_wh
        f = self.camera.focal_px
        z = cam_points[..., 2]
        return np.stack(
            [w / 2 + f * cam_points[..., 0] / z, h / 2 + f * cam_points[..., 1] / z], -1
        )
