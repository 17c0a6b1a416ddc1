"""Annotated videos: the skeleton, the rep counter and the cues drawn over every frame.

::

    with AnnotatedVideoWriter("out/annotated.mp4", fps=30, resolution_wh=(1280, 720)) as video:
        for fr in run(pose_input, exercise):          # formcheck.pipeline
            hud = hud_for(fr.engine, exercise, cue="Straighten your left knee")
            video.write_annotated(fr.frame, fr.engine.pose, hud)
                                         # frame None: a plain background (recordings)

Which cue to show, and for how long, is decided by :class:`formcheck.live.cues.CueBoard`, the
same as in the live window.

The file is H.264 video (yuv420p, the profile every browser and phone plays) in an MP4
container with its index at the front ("faststart"), so ``report.html`` can play it and seek in
it before it has loaded. OpenCV's own writer has no H.264 encoder here; PyAV (FFmpeg's
libraries, with libx264, in its wheels) writes it. The video is written to a temporary file,
read back (it must hold every frame written, as H.264: else :class:`OutputError`), and only then
renamed into place.

A write that fails (a full disk) does not stop the analysis that draws the frames: the writer
stops writing, and :meth:`AnnotatedVideoWriter.close` raises :class:`OutputError` saying why, so
the report can still be written without the video.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from formcheck.atomic import os_error_text, temp_file
from formcheck.errors import OutputError
from formcheck.pose.core import PoseFrame
from formcheck.render.annotate import Hud, annotate, letterbox, placed
from formcheck.sources.core import Frame

__all__ = ["CODEC", "AnnotatedVideoWriter", "plain_background", "read_back", "video_size"]

CODEC = "h264"  # what the file holds; written by the libx264 encoder
BACKGROUND_BGR = (48, 44, 40)
# x264's constant-quality mode: 23 is its default (visually clean for an annotated set);
# "veryfast" keeps encoding a small share of the pose model's time per frame.
_X264 = {"crf": "23", "preset": "veryfast"}


PORTRAIT_MAX_H = 1080  # a portrait picture's video is 16:9 and at most this high


def video_size(picture_wh: tuple[int, int]) -> tuple[int, int]:
    """The annotated video's size for a picture of ``picture_wh``: the picture's own, or for a
    portrait picture a 16:9 frame (at most ``PORTRAIT_MAX_H`` high) with the picture in the
    middle. The overlay is drawn at the frame's size, as the live window draws it over a
    portrait picture in full screen (:mod:`formcheck.render.annotate`: sizes follow the frame's
    height): the counter, the hold bar and the values sit beside the person instead of over a
    third of them, at the size they have over a landscape video."""
    w, h = picture_wh
    if h <= w:
        return w // 2 * 2, h // 2 * 2
    height = min(h, PORTRAIT_MAX_H) // 2 * 2
    return round(height * 16 / 9) // 2 * 2, height


def plain_background(resolution_wh: tuple[int, int]) -> np.ndarray:
    """A dark, plain picture to draw a landmark recording's skeleton on."""
    w, h = resolution_wh
    scene = np.empty((h, w, 3), np.uint8)
    scene[:] = BACKGROUND_BGR  # (np.full with a colour tuple is ten times slower)
    return scene


class AnnotatedVideoWriter:
    """Writes BGR frames of one size to an H.264 MP4 file, atomically (see the module
    docstring)."""

    def __init__(self, path: str | Path, fps: float, resolution_wh: tuple[int, int]) -> None:
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        # the encoder wants even sizes: an odd last column or row is scaled away
        self.resolution_wh = (int(resolution_wh[0]) // 2 * 2, int(resolution_wh[1]) // 2 * 2)
        self.frames_written = 0
        self._error: str | None = None  # why writing stopped (a full disk), if it did
        self._background: np.ndarray | None = None
        self._tmp = temp_file(self.path, suffix=self.path.suffix)
        try:
            self._container = av.open(
                str(self._tmp), "w", format="mp4", options={"movflags": "+faststart"}
            )
            rate = Fraction(self.fps).limit_denominator(1001)
            self._stream = self._container.add_stream("libx264", rate=rate, options=_X264)
            self._stream.width, self._stream.height = self.resolution_wh
            self._stream.pix_fmt = "yuv420p"
        except (OSError, av.FFmpegError, ValueError) as err:
            self._container = None
            self._tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {self.path}: {_why(err)}") from None

    def write(self, image_bgr: np.ndarray) -> None:
        """Append one frame (resized if its size differs from ``resolution_wh``)."""
        if self._container is None:
            raise ValueError(f"{self.path}: the writer is closed")
        if self._error is not None:
            return  # a write failed: the video is lost, the analysis goes on
        h, w = image_bgr.shape[:2]
        if (w, h) != self.resolution_wh:
            image_bgr = cv2.resize(image_bgr, self.resolution_wh, interpolation=cv2.INTER_AREA)
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_bgr), format="bgr24")
        frame.pts = self.frames_written
        try:
            self._mux(self._stream.encode(frame))
        except (OSError, av.FFmpegError) as err:
            self._error = _why(err)
            return
        self.frames_written += 1

    def _mux(self, packets: list) -> None:  # noqa: ANN001 - PyAV packets
        self._container.mux(packets)  # type: ignore[union-attr]

    def write_annotated(self, frame: Frame | None, pose: PoseFrame | None, hud: Hud) -> None:
        """Draw ``pose`` (the skeleton) and ``hud`` (counter, hold bar, cue) on a copy of the
        ``frame``'s picture (a plain background when None) and append it. A picture of another
        shape than the video (a portrait one, see :func:`video_size`) is fitted into the
        middle, and the overlay drawn at the video's size."""
        image_bgr = None if frame is None else frame.image_bgr
        if image_bgr is not None:
            picture_wh = (image_bgr.shape[1], image_bgr.shape[0])
        else:
            picture_wh = pose.resolution_wh if pose is not None else self.resolution_wh
        if (picture_wh[0] // 2 * 2, picture_wh[1] // 2 * 2) != self.resolution_wh:  # fitted in
            background = BACKGROUND_BGR if image_bgr is None else (0, 0, 0)
            scene, scale, offset = letterbox(image_bgr, picture_wh, self.resolution_wh, background)
            if pose is not None:
                pose = placed(pose, scale, offset, self.resolution_wh)
        elif image_bgr is None:
            if self._background is None:
                self._background = plain_background(self.resolution_wh)
            scene = self._background.copy()
        else:
            scene = image_bgr.copy()
        self.write(annotate(scene, pose, hud))

    def close(self, commit: bool = True) -> None:
        """Finish the file; with ``commit`` check it reads back and move it into place."""
        container = self._container
        if container is None:
            return
        try:
            if self._error is None:
                self._mux(self._stream.encode(None))  # what the encoder still holds
        except (OSError, av.FFmpegError) as err:
            self._error = _why(err)
        finally:
            self._container = None
            try:
                container.close()  # with faststart, this moves the index to the front
            except (OSError, av.FFmpegError) as err:
                self._error = self._error or _why(err)
        if not commit or self.frames_written == 0:
            self._tmp.unlink(missing_ok=True)
            return
        if self._error is None:
            codec, frames = read_back(self._tmp)
            if (codec, frames) != (CODEC, self.frames_written):
                self._error = (
                    f"it reads back as {frames} {codec} frames, not {self.frames_written} "
                    f"{CODEC} frames"
                )
        if self._error is not None:
            self._tmp.unlink(missing_ok=True)
            raise OutputError(f"{self.path.name} not written: {self._error}")
        try:
            os.replace(self._tmp, self.path)
        except OSError as err:
            self._tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {self.path}: {os_error_text(err)}") from None

    def __enter__(self) -> AnnotatedVideoWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        # Ctrl+C keeps the frames written so far; any other failure drops the file.
        self.close(commit=exc_type is None or exc_type is KeyboardInterrupt)


def _why(err: Exception) -> str:
    """A failed write in words (``no space left on the disk``, ...)."""
    if isinstance(err, OSError) and err.errno is not None:
        return os_error_text(err)
    return str(err)


def read_back(path: str | Path) -> tuple[str, int]:
    """The codec of a video file's first video stream and how many frames it decodes to
    (``("", 0)`` if it does not open)."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            return stream.codec_context.name, frames
    except (OSError, av.FFmpegError, IndexError):
        return "", 0
