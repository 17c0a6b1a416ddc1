"""The frame record every source yields, and the interface sources share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Frame", "FrameSource"]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture.

    ``t_s`` is the presentation time in seconds from the start of the source (from the
    container for files, from the monotonic clock for cameras); ``image_bgr`` is an
    ``(H, W, 3)`` uint8 array, already upright.
    """

    t_s: float
    image_bgr: np.ndarray
    index: int = 0

    def __post_init__(self) -> None:
        img = self.image_bgr
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype != np.uint8:
            raise ValueError(f"expected (H, W, 3) uint8 BGR image, got {img.shape} {img.dtype}")

    @property
    def resolution_wh(self) -> tuple[int, int]:
        return (int(self.image_bgr.shape[1]), int(self.image_bgr.shape[0]))


@runtime_checkable
class FrameSource(Protocol):
    """Anything that yields :class:`Frame` in time order and releases itself on close.

    Use as a context manager: ``with open_source(spec) as frames: for f in frames: ...``.
    """

    name: str
    live: bool  # True for cameras and videos played as a camera (frames may be dropped)

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...

    def __enter__(self) -> FrameSource: ...

    def __exit__(self, *exc: object) -> None: ...
