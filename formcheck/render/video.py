"""Annotated videos: the skeleton, the rep counter and the cues drawn over every frame.

::

    with AnnotatedVideoWriter("out/annotated.mp4", fps=30, resolution_wh=(1280, 720)) as video:
        ...                              # per frame, after engine.update(pose_frame):
        video.write_engine_frame(image_bgr, engine, cue="Straighten your left knee")
                                         # image None: a plain background (recordings)

Which cue to show, and for how long, is decided by :class:`formcheck.live.cues.CueBoard`, the
same as in the live window.

The file is MPEG-4 Part 2 video (fourcc ``mp4v``) in an MP4 container: the OpenCV build that
comes with mediapipe has no H.264 ('avc1') encoder, and this plays in VLC, mpv and most
desktop players (not in web browsers, which want H.264). It is written to a temporary file,
checked (OpenCV must decode it and count the frames written: else :class:`OutputError`),
and only then renamed into place.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import cv2
import numpy as np

from formcheck.atomic import os_error_text, temp_file
from formcheck.errors import OutputError
from formcheck.render.annotate import annotate, hud_from_engine

__all__ = ["FOURCC", "AnnotatedVideoWriter", "plain_background"]

FOURCC = "mp4v"
BACKGROUND_BGR = (48, 44, 40)
DISK_FULL_BYTES = 4 * 1024 * 1024


def plain_background(resolution_wh: tuple[int, int]) -> np.ndarray:
    """A dark, plain picture to draw a landmark recording's skeleton on."""
    w, h = resolution_wh
    scene = np.empty((h, w, 3), np.uint8)
    scene[:] = BACKGROUND_BGR  # (np.full with a colour tuple is ten times slower)
    return scene


class AnnotatedVideoWriter:
    """Writes BGR frames of one size to an MP4 file, atomically (see the module docstring)."""

    def __init__(self, path: str | Path, fps: float, resolution_wh: tuple[int, int]) -> None:
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        # the encoder wants even sizes: an odd last column or row is scaled away
        self.resolution_wh = (int(resolution_wh[0]) // 2 * 2, int(resolution_wh[1]) // 2 * 2)
        self.frames_written = 0
        self._tmp = temp_file(self.path, suffix=self.path.suffix)  # the suffix picks the container
        self._background: np.ndarray | None = None
        self._writer: cv2.VideoWriter | None = cv2.VideoWriter(
            str(self._tmp), cv2.VideoWriter_fourcc(*FOURCC), self.fps, self.resolution_wh
        )
        if not self._writer.isOpened():
            self._writer = None
            self._tmp.unlink(missing_ok=True)
            raise OutputError(
                f"cannot write {self.path}: this OpenCV build has no '{FOURCC}' video encoder"
            )

    def write(self, image_bgr: np.ndarray) -> None:
        """Append one frame (resized if its size differs from ``resolution_wh``)."""
        if self._writer is None:
            raise ValueError(f"{self.path}: the writer is closed")
        h, w = image_bgr.shape[:2]
        if (w, h) != self.resolution_wh:
            image_bgr = cv2.resize(image_bgr, self.resolution_wh, interpolation=cv2.INTER_AREA)
        self._writer.write(image_bgr)
        self.frames_written += 1

    def write_engine_frame(
        self, image_bgr: np.ndarray | None, engine, *, cue: str | None = None,  # noqa: ANN001
        severity: str = "warning", setup: str | None = None,
    ) -> None:  # fmt: skip
        """Draw the engine's current state (skeleton, counter, hold bar) and a ``cue`` (or
        ``setup`` guidance) on a copy of ``image_bgr`` (a plain background when None) and
        append it."""
        if image_bgr is None:
            if self._background is None:
                self._background = plain_background(self.resolution_wh)
            scene = self._background.copy()
        else:
            scene = image_bgr.copy()
        hud = hud_from_engine(engine, cue=cue, info=(f"{engine.t_s:6.1f} s",))
        hud = dataclasses.replace(hud, cue_severity=severity, setup=setup)
        self.write(annotate(scene, engine.last_frame, hud))

    def close(self, commit: bool = True) -> None:
        """Finish the file; with ``commit`` check it reads back and move it into place."""
        if self._writer is None:
            return
        self._writer.release()
        self._writer = None
        if not commit or self.frames_written == 0:
            self._tmp.unlink(missing_ok=True)
            return
        frames = _count_frames(self._tmp)
        if frames != self.frames_written:
            # OpenCV's writer reports no write errors: a full disk shows up only here
            full = _disk_full(self._tmp.parent)
            self._tmp.unlink(missing_ok=True)
            why = (
                "no space left on the disk"
                if full
                else f"the '{FOURCC}' encoder of this OpenCV build failed"
            )
            raise OutputError(
                f"{self.path.name} not written: it reads back with {frames} of "
                f"{self.frames_written} frames ({why})"
            )
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


def _disk_full(folder: Path) -> bool:
    """Whether the disk holding ``folder`` is (nearly) out of space: less than 4 MiB free, less
    than one second of an ordinary video."""
    try:
        return shutil.disk_usage(folder).free < DISK_FULL_BYTES
    except OSError:
        return False


def _count_frames(path: Path) -> int:
    """The frame count OpenCV reads from the file's index, 0 if the first frame does not decode
    (the MP4 index that OpenCV writes is exact, so the whole file need not be decoded)."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        if not cap.isOpened() or not cap.read()[0]:
            return 0
        return int(round(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
    finally:
        cap.release()
