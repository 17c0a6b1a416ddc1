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
    What is known about the frames is said by every source, None where it is not known.
    """

    name: str
    live: bool  # True for cameras and videos played as a camera (frames may be dropped)

    @property
    def fps(self) -> float | None:
        """Frames a second as the container or device states it (None: not known, e.g. a
        still image or a camera that does not say)."""
        ...

    @property
    def resolution_wh(self) -> tuple[int, int]:
        """(width, height) of the upright frames in pixels; (0, 0) while not known (a camera
        that does not say, before its first frame)."""
        ...

    @property
    def frame_count(self) -> int | None:
        """How many frames the source holds, as its container states it (None: not known,
        e.g. a webcam, or a file that does not say)."""
        ...

    @property
    def dropped_frames(self) -> int:
        """Frames captured but dropped to keep up with real time (0 for files)."""
        ...

    @property
    def warnings(self) -> list[str]:
        """Sentences for the user about this input (a file that states no frame rate, one
        that ended early); complete once the frames have been read."""
        ...

    @property
    def truncated(self) -> bool:
        """The input ended clearly before its stated frame count (known once read)."""
        ...

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...

    def __enter__(self) -> FrameSource: ...

    def __exit__(self, *exc: object) -> None: ...
