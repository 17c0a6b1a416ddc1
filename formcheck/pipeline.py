"""Wiring: input -> frames -> pose -> engine -> result.

``open_pose_input`` turns anything the user can point at (a video, a folder, an image, a camera
index, a landmark recording) into one stream of PoseFrames; ``analyze`` runs an exercise over it.
The CLI, the live window and the reports all go through here::

    with open_pose_input("set.mp4") as pose:
        result = analyze(pose, load_exercise("bird-dog"),
                         on_frame=lambda pf, engine: use(pose.image, engine))

``pose.image`` is the picture (upright BGR) behind the PoseFrame just handed out, for drawing
or thumbnails; it is None for recordings, which carry landmarks only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.engine import Engine, ExerciseDef, session_result
from formcheck.engine.framerate import require_frame_rate
from formcheck.errors import SourceError
from formcheck.pose.core import PoseFrame
from formcheck.recording import RecordingSource, is_recording_path
from formcheck.sources.core import Frame

__all__ = ["FrameTap", "PoseInput", "analyze", "open_pose_input"]


class FrameTap:
    """Remembers the last source Frame that went past on its way to the pose model.

    The model consumes frames one at a time, so while a PoseFrame is being handled ``frame``
    is the picture it was computed from (nothing older is kept)."""

    def __init__(self) -> None:
        self.frame: Frame | None = None

    def watch(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        for frame in frames:
            self.frame = frame
            yield frame


@dataclass
class PoseInput:
    """A stream of PoseFrames and what is known about where they come from.

    ``kind`` is "recording" for a landmark recording, else "video" (a file, folder, image or
    camera); ``frame_count`` is the source's estimate (None if unknown)."""

    frames: Iterator[PoseFrame]
    name: str
    fps: float
    resolution_wh: tuple[int, int]
    model: str
    live: bool = False
    source: Any = None  # the FrameSource (for dropped-frame counts), None for recordings
    kind: str = "video"
    frame_count: int | None = None
    tap: FrameTap | None = None

    @property
    def image(self) -> np.ndarray | None:
        """The upright BGR picture behind the current PoseFrame (None for recordings)."""
        frame = self.tap.frame if self.tap is not None else None
        return None if frame is None else frame.image_bgr


@contextmanager
def open_pose_input(
    spec: str | int | Path,
    *,
    model: str | Path | None = "full",
    as_camera: bool = False,
    with_mask: bool = False,
    notify: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Iterator[PoseInput]:
    """Open ``spec`` as PoseFrames; recordings are replayed, anything else goes through the
    pose model (provisioned on first use, with a one-line ``notify``)."""
    if isinstance(spec, str | Path) and is_recording_path(spec):
        with RecordingSource(spec) as rec:
            h = rec.header
            yield PoseInput(iter(rec), rec.name, h.fps, h.resolution_wh, h.model, kind="recording")
        return
    from formcheck.pose.kept import pose_stream
    from formcheck.pose.provision import resolve_model
    from formcheck.sources import open_source

    with open_source(spec, as_camera=as_camera) as frames:
        model_path = resolve_model(model, notify=notify, progress=progress)
        model_name = model if isinstance(model, str) and "/" not in model else Path(model_path).name
        fps = float(getattr(frames, "fps", 0.0) or 0.0)
        res = tuple(getattr(frames, "resolution_wh", (0, 0)))
        count = getattr(frames, "frame_count", None)
        tap = FrameTap()
        with pose_stream(model_path, with_mask=with_mask) as pose:  # a worker's: kept
            yield PoseInput(
                pose.run(tap.watch(frames)), frames.name, fps, res, str(model_name),  # type: ignore[arg-type]
                live=bool(getattr(frames, "live", False)), source=frames,
                frame_count=count if isinstance(count, int) else None, tap=tap,
            )  # fmt: skip


def analyze(
    pose_input: PoseInput,
    exercise: ExerciseDef,
    *,
    on_event: Callable[[Any], None] | None = None,
    on_frame: Callable[[PoseFrame, Engine], None] | None = None,
) -> dict[str, Any]:
    """Run the engine over every frame; returns the session result (``--json`` contract).

    Raises :class:`SourceError` before the first frame when the input's frame rate is below
    what the exercise needs to be counted (``formcheck.engine.framerate``), and when no person
    was seen at all. Ctrl+C stops early and the result of what was seen so far is returned,
    marked ``"interrupted": true``.
    """
    require_frame_rate(pose_input.fps, pose_input.name, exercise)
    engine = Engine(exercise)
    first_t = last_t = None
    people = 0
    interrupted = False
    try:
        for frame in pose_input.frames:
            first_t = frame.t_s if first_t is None else first_t
            last_t = frame.t_s
            people += frame.has_person
            events = engine.update(frame)
            if on_frame is not None:
                on_frame(frame, engine)
            if on_event is not None:
                for ev in events:
                    on_event(ev)
    except KeyboardInterrupt:
        interrupted = True
    for ev in engine.finish():
        if on_event is not None:
            on_event(ev)
    if first_t is None:
        raise SourceError(f"{pose_input.name}: no frames could be read")
    if people == 0 and not interrupted:
        raise SourceError(
            f"{pose_input.name}: no person found in any frame; make sure the whole body is in "
            "view and well lit"
        )
    result = session_result(
        exercise, engine.reps, engine.events,
        source=pose_input.name, duration_s=(last_t or 0.0) - first_t,
    )  # fmt: skip
    if interrupted:
        result["interrupted"] = True
    return result
