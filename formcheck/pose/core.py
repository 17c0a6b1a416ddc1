"""The pose record: 33 body landmarks of one person in one frame.

Landmark order and names follow MediaPipe's pose landmarker. Nothing here imports mediapipe;
``formcheck.pose.landmarker`` is the one adapter that does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "LANDMARK_NAMES",
    "LANDMARK_INDEX",
    "NUM_LANDMARKS",
    "SKELETON_EDGES",
    "PoseFrame",
    "landmark_index",
]

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
NUM_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

# Pairs of landmark names joined when a skeleton is drawn.
SKELETON_EDGES: tuple[tuple[str, str], ...] = tuple(
    (f"{side}_{a}", f"{side}_{b}")
    for side in ("left", "right")
    for a, b in (
        ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"), ("hip", "knee"),
        ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"),
        ("wrist", "index"), ("ear", "shoulder"),
    )
) + (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"))  # fmt: skip


def landmark_index(name: str) -> int:
    """Index of a landmark by name; raises ``KeyError`` naming the valid choices."""
    try:
        return LANDMARK_INDEX[name]
    except KeyError:
        raise KeyError(
            f"unknown landmark {name!r}; expected one of {', '.join(LANDMARK_NAMES)}"
        ) from None


@dataclass(frozen=True, slots=True, eq=False)
class PoseFrame:
    """Landmarks of the followed person in one frame, or an explicit "no person" frame.

    - ``image``: ``(33, 5)`` float64 — x_px, y_px (pixels, origin top-left), z (depth relative
      to the hips, same pixel scale as x, smaller = nearer the camera), visibility, presence
      (both 0..1). ``None`` when no person is in view.
    - ``world``: ``(33, 3)`` float64 metres, origin between the hips, y pointing down.
      ``None`` when no person is in view.
    - ``mask``: optional ``(H, W)`` float32 person segmentation in 0..1.
    """

    t_s: float
    resolution_wh: tuple[int, int]
    image: np.ndarray | None = None
    world: np.ndarray | None = None
    mask: np.ndarray | None = None
    index: int = 0

    def __post_init__(self) -> None:
        if (self.image is None) != (self.world is None):
            raise ValueError("expected image and world landmarks both present or both None")
        if self.image is not None and self.image.shape != (NUM_LANDMARKS, 5):
            raise ValueError(f"expected image landmarks of shape (33, 5), got {self.image.shape}")
        if self.world is not None and self.world.shape != (NUM_LANDMARKS, 3):
            raise ValueError(f"expected world landmarks of shape (33, 3), got {self.world.shape}")

    @property
    def has_person(self) -> bool:
        return self.image is not None

    @property
    def xy_px(self) -> np.ndarray:
        """``(33, 2)`` pixel coordinates (raises if no person)."""
        if self.image is None:
            raise ValueError("no person in this frame")
        return self.image[:, :2]

    @property
    def visibility(self) -> np.ndarray:
        """``(33,)`` min(visibility, presence); zeros when no person is in view."""
        if self.image is None:
            return np.zeros(NUM_LANDMARKS)
        return np.minimum(self.image[:, 3], self.image[:, 4])

    @classmethod
    def empty(cls, t_s: float, resolution_wh: tuple[int, int], index: int = 0) -> PoseFrame:
        """A "no person in view" frame."""
        return cls(t_s=t_s, resolution_wh=resolution_wh, index=index)

    def same_as(self, other: PoseFrame) -> bool:
        """Exact equality of time, resolution and landmarks (masks ignored)."""

        def eq(a: np.ndarray | None, b: np.ndarray | None) -> bool:
            return (a is None and b is None) or (
                a is not None and b is not None and np.array_equal(a, b)
            )

        return (
            self.t_s == other.t_s
            and tuple(self.resolution_wh) == tuple(other.resolution_wh)
            and eq(self.image, other.image)
            and eq(self.world, other.world)
        )
