"""Video files as a frame source: container timestamps, upright frames, clear errors.

::

    with VideoFileSource("set.mp4") as frames:
        print(frames.fps, frames.frame_count, frames.resolution_wh)
        for frame in frames:          # Frame(t_s, image_bgr, index)
            ...
    if frames.truncated:
        print(frames.warnings)

Reading goes through OpenCV's FFmpeg backend. ``t_s`` is the container's presentation time of each
frame (``CAP_PROP_POS_MSEC`` after the read), so variable-frame-rate phone videos keep their real
timing; see :class:`ContainerClock` for how odd timestamps are repaired. Phone videos that carry
rotation metadata come out upright: OpenCV applies the rotation itself
(``CAP_PROP_ORIENTATION_AUTO``); with a build that cannot, the frames are rotated here from
``CAP_PROP_ORIENTATION_META``.

The helpers :func:`require_file`, :func:`open_video_capture`, :func:`rotate_upright` and
:class:`ContainerClock` are shared with the folder and camera sources.
"""

from __future__ import annotations

import math
import struct
import weakref
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from formcheck.errors import SourceError
from formcheck.sources.core import Frame

__all__ = [
    "VIDEO_EXTENSIONS",
    "ContainerClock",
    "VideoFileSource",
    "open_video_capture",
    "require_file",
    "rotate_upright",
]

VIDEO_EXTENSIONS: tuple[str, ...] = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")

_DEFAULT_FPS = 30.0  # assumed only when the container states no usable frame rate (and we say so)
_NUDGE_S = 1e-6
_ROTATIONS = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def require_file(path: Path, kind: str = "video") -> Path:
    """Check that ``path`` is an existing, non-empty regular file; raise :class:`SourceError`."""
    if not path.exists():
        raise SourceError(f"{kind} file not found: {path} (check the path and the spelling)")
    if path.is_dir():
        raise SourceError(
            f"{path} is a folder, not a {kind} file: give a file inside it"
            + (" or pass the folder as a source to play all its videos" if kind == "video" else "")
        )
    if not path.is_file():
        raise SourceError(f"{path} is not a regular file: give a {kind} file")
    if path.stat().st_size == 0:
        raise SourceError(
            f"{path} is empty (0 bytes): it was not written completely; use another copy"
        )
    return path


def _looks_like_mp4_without_index(path: Path) -> bool:
    """True for an ISO-BMFF file (``ftyp`` box first) with no complete ``moov`` box.

    Walks the top-level boxes; a recording that was interrupted before the index was written
    has an ``mdat`` box and nothing (or a cut-off ``moov``) after it.
    """
    try:
        total = path.stat().st_size
        with path.open("rb") as fh:
            offset = 0
            while offset + 8 <= total:
                fh.seek(offset)
                header = fh.read(16)
                size, kind = struct.unpack(">I4s", header[:8])
                if offset == 0 and kind != b"ftyp":
                    return False
                if size == 1 and len(header) == 16:
                    size = struct.unpack(">Q", header[8:16])[0]
                elif size == 0:
                    size = total - offset
                if size < 8:
                    return True
                if kind == b"moov":
                    return offset + size > total
                offset += size
    except OSError:
        return False
    return offset > 0


def open_video_capture(path: Path) -> tuple[cv2.VideoCapture, int]:
    """Open ``path`` with the FFmpeg backend, asking it to deliver upright frames.

    Returns the capture and the clockwise rotation in degrees (0, 90, 180, 270) that the
    caller still has to apply with :func:`rotate_upright` (0 when OpenCV rotates by itself).
    Raises :class:`SourceError` if the file cannot be opened as a video.
    """
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        if _looks_like_mp4_without_index(path):
            raise SourceError(
                f"{path} is an incomplete MP4 (it has no 'moov' index; the recording or download"
                " was probably interrupted): re-export or re-download it"
            )
        raise SourceError(
            f"{path} is not a video OpenCV/FFmpeg can read (another kind of file, or an"
            " unsupported codec): check that it plays in a video player, or convert it to H.264 MP4"
        )
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    if cap.get(cv2.CAP_PROP_ORIENTATION_AUTO) == 1:
        return cap, 0
    meta = cap.get(cv2.CAP_PROP_ORIENTATION_META)
    rotation = int(round(meta)) % 360 if math.isfinite(meta) else 0
    return cap, rotation if rotation in _ROTATIONS else 0


def rotate_upright(image: np.ndarray, rotation_deg_cw: int) -> np.ndarray:
    """Rotate a decoded picture clockwise by ``rotation_deg_cw`` (0, 90, 180 or 270 degrees).

    The angle is the one OpenCV reports as ``CAP_PROP_ORIENTATION_META``: the clockwise turn a
    player applies to show the video upright.
    """
    code = _ROTATIONS.get(rotation_deg_cw % 360)
    return image if code is None else cv2.rotate(image, code)


class ContainerClock:
    """Turns the backend's position after each read into a strictly increasing ``t_s``.

    ``CAP_PROP_POS_MSEC`` read right after ``read()`` is the presentation time of the frame just
    decoded, so variable frame rate is kept as recorded. Repairs:

    - a reading that does not increase (duplicate or disordered pts) becomes previous + 1 µs
      (counted in ``repaired``);
    - if the backend gives no timestamps at all (not a number, or 0 for both of the first two
      frames), the rest of the stream is timed as ``index / fps`` and ``source`` says
      ``"frame_index"``;
    - the first frame is never before 0.
    """

    def __init__(self, fps: float) -> None:
        self.fps = fps
        self.source: Literal["container", "frame_index"] = "container"
        self.repaired = 0
        self._first_raw_s: float | None = None
        self._prev_t_s: float | None = None

    def t_s(self, pos_msec: float, index: int) -> float:
        """The time in seconds of frame ``index`` (0-based) given ``CAP_PROP_POS_MSEC``."""
        raw_s = pos_msec / 1000.0
        if index == 0:
            self._first_raw_s = raw_s
        if self.source == "container":
            no_stamp = not math.isfinite(raw_s) or (
                index == 1 and raw_s == 0.0 and self._first_raw_s == 0.0
            )
            if no_stamp and index <= 1:
                self.source = "frame_index"
            elif no_stamp:
                raw_s = (self._prev_t_s or 0.0) + 1.0 / self.fps
        t_s = index / self.fps if self.source == "frame_index" else raw_s
        if self._prev_t_s is None:
            t_s = max(t_s, 0.0)
        elif t_s <= self._prev_t_s:
            t_s = self._prev_t_s + _NUDGE_S
            self.repaired += 1
        self._prev_t_s = t_s
        return t_s


def _stream_rate(cap: cv2.VideoCapture) -> tuple[float | None, int | None]:
    """The container's frame rate and frame count, or None where it states none."""
    fps = cap.get(cv2.CAP_PROP_FPS)
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    fps_ok = math.isfinite(fps) and 0.0 < fps < 1000.0
    count_ok = math.isfinite(count) and count >= 1
    return (fps if fps_ok else None), (int(round(count)) if count_ok else None)


class VideoFileSource:
    """Every frame of a video file, upright, with container timestamps.

    Opening checks the file and decodes its first frame, then lets it go; each iteration opens
    the file again and releases it when the loop ends, breaks or fails.

    Attributes: ``path``, ``name`` (file name), ``fps`` (the container's average rate),
    ``frame_count`` (the container's estimate, None if unknown), ``duration_s``
    (``frame_count / fps``, None if unknown), ``resolution_wh`` (after rotation), ``live``
    (False). After an iteration has run to the end: ``frames_read``, ``truncated`` (the file
    ended clearly before ``frame_count``), ``timestamps_from`` and ``warnings`` (sentences for
    the user).
    """

    live: bool = False
    dropped_frames: int = 0  # every frame of a file is read

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.name = self.path.name
        self.warnings: list[str] = []
        self.truncated = False
        self.frames_read = 0
        self.timestamps_from: Literal["container", "frame_index"] = "container"
        # running iterations, held weakly so that a loop that breaks closes its generator
        self._active: weakref.WeakSet[Generator[Frame, None, None]] = weakref.WeakSet()

        require_file(self.path, "video")
        cap, rotation = open_video_capture(self.path)
        try:
            fps, self.frame_count = _stream_rate(cap)
            ok, image = cap.read()
        finally:
            cap.release()
        if not ok or image is None:
            raise SourceError(
                f"{self.path}: the first frame cannot be decoded (the file is damaged or uses a"
                " codec this FFmpeg build lacks): re-export the video as H.264 MP4"
            )
        if fps is None:
            fps = _DEFAULT_FPS
            self.warnings.append(
                f"{self.name} states no frame rate; assuming {fps:g} fps where one is needed"
            )
        self.fps: float = fps
        self._open_warnings = list(self.warnings)
        self.duration_s: float | None = (
            None if self.frame_count is None else self.frame_count / self.fps
        )
        height, width = rotate_upright(image, rotation).shape[:2]
        self.resolution_wh: tuple[int, int] = (int(width), int(height))

    def __iter__(self) -> Iterator[Frame]:
        gen = self._frames()
        self._active.add(gen)
        return gen

    def _frames(self) -> Generator[Frame, None, None]:
        cap, rotation = open_video_capture(self.path)
        clock = ContainerClock(self.fps)
        index = 0
        try:
            while True:
                ok, image = cap.read()
                if not ok or image is None:
                    break
                t_s = clock.t_s(cap.get(cv2.CAP_PROP_POS_MSEC), index)
                yield Frame(t_s=t_s, image_bgr=rotate_upright(image, rotation), index=index)
                index += 1
            self._record_end(index, clock)
        finally:
            cap.release()

    def _record_end(self, frames_read: int, clock: ContainerClock) -> None:
        """Note how the file ended: short of its frame count, repaired or estimated timing."""
        self.frames_read = frames_read
        self.timestamps_from = clock.source
        self.warnings = list(self._open_warnings)
        expected = self.frame_count
        self.truncated = False
        if expected is not None and expected - frames_read > max(3, 0.02 * expected):
            self.truncated = True
            self.warnings.append(
                f"{self.name} ended after {frames_read} of about {expected} frames: the file looks"
                " truncated (an interrupted recording or copy); results cover only the part read"
            )
        if clock.source == "frame_index":
            self.warnings.append(
                f"{self.name} has no frame timestamps; timed as frame number / {self.fps:g} fps"
            )
        if clock.repaired:
            self.warnings.append(
                f"{self.name}: {clock.repaired} frame timestamps did not increase and were nudged"
            )

    def close(self) -> None:
        """Stop a running iteration and release the file (safe to call twice)."""
        for gen in list(self._active):
            gen.close()
        self._active.clear()

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"VideoFileSource({str(self.path)!r}, fps={self.fps:.3f}, "
            f"frame_count={self.frame_count}, resolution_wh={self.resolution_wh})"
        )
