"""The same footage as another camera would have filmed it: mirrored, at half the frame rate, at
half the resolution, from farther away, or tilted. ``formcheck eval --camera NAME`` scores the
labelled clips through one of these changes, so a count that holds only for the camera a clip
was filmed with shows up on the clips at hand.

Each change is made to the decoded pictures before the pose model sees them; nothing is
written. Times stay those of the original frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.sources.core import Frame, FrameSource

__all__ = ["CAMERA_CHANGES", "CameraChange", "ChangedSource", "camera_change"]

FARTHER_SCALE = 0.6  # the person 60 % as tall: the camera 1.7 times as far
FARTHER_BORDER = 110  # the grey around the shrunk picture
TILT_DEG = 7.0  # a phone leaning on something, by eye still upright


def _mirrored(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(img[:, ::-1])


def _half_size(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


def _farther(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    small = cv2.resize(
        img, (max(1, round(w * FARTHER_SCALE)), max(1, round(h * FARTHER_SCALE))),
        interpolation=cv2.INTER_AREA,
    )  # fmt: skip
    out = np.full_like(img, FARTHER_BORDER)
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return out


def _tilted(img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), TILT_DEG, 1.0)
    return cv2.warpAffine(img, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)


@dataclass(frozen=True, slots=True)
class CameraChange:
    """``picture`` changes each kept frame's image; ``keep_every`` keeps one frame in so many."""

    name: str
    words: str
    picture: Callable[[np.ndarray], np.ndarray] | None = None
    keep_every: int = 1


CAMERA_CHANGES: dict[str, CameraChange] = {
    c.name: c
    for c in (
        CameraChange("mirrored", "seen in a mirror (left and right swap sides)", _mirrored),
        CameraChange("half-rate", "at half the frame rate (every other frame)", keep_every=2),
        CameraChange("half-size", "at half the width and height in pixels", _half_size),
        CameraChange(
            "farther",
            f"filmed from farther away (the picture shrunk to {FARTHER_SCALE:.0%} in a grey frame)",
            _farther,
        ),
        CameraChange("tilted", f"filmed with the camera tilted by {TILT_DEG:g}°", _tilted),
    )
}


def camera_change(name: str) -> CameraChange:
    """The change called ``name``; a ValueError naming the known ones otherwise."""
    try:
        return CAMERA_CHANGES[name]
    except KeyError:
        known = ", ".join(CAMERA_CHANGES)
        raise ValueError(f"unknown camera change {name!r}; expected one of {known}") from None


class ChangedSource:
    """A :class:`FrameSource` whose frames are ``source``'s through ``change``."""

    def __init__(self, source: FrameSource, change: CameraChange) -> None:
        self._source, self.change = source, change
        self.name = source.name
        self.live = source.live
        self._size: tuple[int, int] | None = None

    def __iter__(self) -> Iterator[Frame]:
        every, picture = self.change.keep_every, self.change.picture
        kept = 0
        for n, frame in enumerate(self._source):
            if n % every:
                continue
            image = frame.image_bgr if picture is None else picture(frame.image_bgr)
            self._size = (int(image.shape[1]), int(image.shape[0]))
            yield Frame(frame.t_s, image, kept)
            kept += 1

    @property
    def fps(self) -> float | None:
        fps = self._source.fps
        return None if fps is None else fps / self.change.keep_every

    @property
    def resolution_wh(self) -> tuple[int, int]:
        if self._size is None and self.change.picture is not None:
            w, h = self._source.resolution_wh
            if w and h:  # the size the change gives a picture of the source's size
                blank = np.zeros((h, w, 3), np.uint8)
                shape = self.change.picture(blank).shape
                self._size = (int(shape[1]), int(shape[0]))
        return self._size or self._source.resolution_wh

    @property
    def frame_count(self) -> int | None:
        count = self._source.frame_count
        return None if count is None else -(-count // self.change.keep_every)

    @property
    def dropped_frames(self) -> int:
        return self._source.dropped_frames

    @property
    def warnings(self) -> list[str]:
        return self._source.warnings

    @property
    def truncated(self) -> bool:
        return self._source.truncated

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> ChangedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
