"""A single still image as a frame source: one upright frame at ``t_s = 0``.

::

    with ImageSource("pose.jpg") as frames:
        (frame,) = list(frames)

``cv2.imread`` applies the EXIF orientation of phone photos, converts grey or transparent images to
three-channel BGR and 16-bit images to 8-bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from formcheck.errors import SourceError
from formcheck.sources.core import Frame
from formcheck.sources.video import require_file

__all__ = ["IMAGE_EXTENSIONS", "ImageSource"]

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class ImageSource:
    """One image file, read when the source is made, yielded as ``Frame(t_s=0.0, index=0)``.

    Attributes: ``path``, ``name``, ``resolution_wh``, ``image_bgr``, ``frame_count`` (1),
    ``duration_s`` (0.0), ``fps`` (None: a still image has none), ``live`` (False).
    """

    live: bool = False
    fps: float | None = None
    frame_count: int = 1
    duration_s: float = 0.0
    dropped_frames: int = 0
    truncated: bool = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.name = self.path.name
        require_file(self.path, "image")
        image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if image is None:
            raise SourceError(
                f"{self.path} is not an image OpenCV can read (damaged, or not really"
                f" {self.path.suffix or 'an image'}): open it in an image viewer or save it as PNG"
            )
        self.image_bgr: np.ndarray = image
        self.warnings: list[str] = []
        self.resolution_wh: tuple[int, int] = (int(image.shape[1]), int(image.shape[0]))

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(t_s=0.0, image_bgr=self.image_bgr, index=0)

    def close(self) -> None:
        """Nothing to release; present for the :class:`FrameSource` interface."""

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ImageSource({str(self.path)!r}, resolution_wh={self.resolution_wh})"
