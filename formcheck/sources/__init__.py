"""Frame sources: where pictures come from, as a generator of :class:`Frame` records.

::

    from formcheck.sources import open_source

    with open_source("set.mp4") as frames:     # or 0, "0", "sets/", "pose.jpg"
        for frame in frames:                   # Frame(t_s, image_bgr, index), upright BGR
            ...

- :class:`VideoFileSource`: every frame of a video file, timed by the container.
- :class:`FolderSource`: the videos of a folder back to back, one continuous clock.
- :class:`ImageSource`: one still image as one frame at ``t_s = 0``.
- :class:`CameraSource`: a camera, or a video played as one (``live``: frames may be dropped).

Every source is a context manager that releases its file or device on exit; library errors are
:class:`~formcheck.errors.SourceError` with a one-line message.
"""

from __future__ import annotations

from pathlib import Path

from formcheck.errors import SourceError
from formcheck.sources.camera import CameraSource
from formcheck.sources.core import Frame, FrameSource
from formcheck.sources.folder import FolderSource, expand_video_inputs
from formcheck.sources.image import IMAGE_EXTENSIONS, ImageSource
from formcheck.sources.video import VIDEO_EXTENSIONS, VideoFileSource

__all__ = [
    "IMAGE_EXTENSIONS",
    "VIDEO_EXTENSIONS",
    "CameraSource",
    "FolderSource",
    "Frame",
    "FrameSource",
    "ImageSource",
    "VideoFileSource",
    "expand_video_inputs",
    "open_source",
]


def open_source(spec: str | int | Path, *, as_camera: bool = False) -> FrameSource:
    """Open the source that ``spec`` names.

    - an ``int`` or a string of digits (``0``, ``"1"``): that camera;
    - a folder: :class:`FolderSource`;
    - a file ending in one of :data:`IMAGE_EXTENSIONS`: :class:`ImageSource`;
    - any other file: :class:`VideoFileSource`, or with ``as_camera`` a
      :meth:`CameraSource.from_video` played in real time.

    Raises :class:`SourceError` if the source cannot be opened, or if ``as_camera`` is asked
    for a folder or an image.
    """
    if isinstance(spec, bool):
        raise TypeError(f"spec must be a path or a camera index, got {spec!r}")
    if isinstance(spec, int):
        return CameraSource(spec)
    if isinstance(spec, str) and spec.strip().isascii() and spec.strip().isdigit():
        return CameraSource(int(spec.strip()))
    path = Path(spec).expanduser()
    if path.is_dir():
        if as_camera:
            raise SourceError(
                f"{path} is a folder; only one video file can be played as a camera: name a file"
            )
        return FolderSource(path)
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        if as_camera:
            raise SourceError(f"{path} is a still image; only a video can be played as a camera")
        return ImageSource(path)
    if as_camera:
        return CameraSource.from_video(path)
    return VideoFileSource(path)
