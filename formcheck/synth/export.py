"""The mannequin written out: a video of the figure, or a landmark recording.

What a self-test case looks like, for a person to watch and for ``formcheck analyze`` or
``live`` to run on::

    write_video(render_figures(script, camera, fps), "case.mp4", fps, camera.resolution_wh)
    write_recording(render(script, camera, fps), "case.jsonl.gz", fps, source="...")

The video shows the figure of ``formcheck.synth.figure`` (the self-test's silhouette, filled
in so that a pose model finds the person in it); the recording holds the rendered landmarks
themselves, so analysing it gives exactly what the self-test saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from formcheck.errors import OutputError
from formcheck.pose.core import PoseFrame

__all__ = ["write_recording", "write_video"]


def write_video(
    images_bgr: Iterable[np.ndarray], path: str | Path, fps: float, resolution_wh: tuple[int, int]
) -> int:
    """Write BGR pictures to an H.264 MP4 file, atomically; returns the frames written."""
    from formcheck.render.video import AnnotatedVideoWriter

    video = AnnotatedVideoWriter(path, fps, resolution_wh)
    try:
        for image in images_bgr:
            video.write(image)
    except BaseException:
        video.close(commit=False)
        raise
    video.close()
    if video.frames_written == 0:
        raise OutputError(f"{path}: no frames to write")
    return video.frames_written


def write_recording(frames: Sequence[PoseFrame], path: str | Path, fps: float, source: str) -> int:
    """Write pose frames to a landmark recording (``.jsonl`` / ``.jsonl.gz``), atomically;
    returns the frames written."""
    from formcheck.recording import RecordingHeader, RecordingWriter

    if not frames:
        raise OutputError(f"{path}: no frames to write")
    header = RecordingHeader(
        source=source, fps=float(fps), resolution_wh=frames[0].resolution_wh, model="synthetic"
    )
    with RecordingWriter(path, header) as writer:
        for f in frames:
            writer.write(f)
    return writer.frames_written
