"""Wiring: input -> frames -> pose -> engine -> result.

``open_pose_input`` turns anything the user can point at (a video, a folder, an image, a camera
index, a landmark recording) into one stream of PoseFrames; ``analyze`` runs an exercise over it.
The CLI, the live window and the reports all go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.engine import Engine, ExerciseDef, session_result
from formcheck.errors import SourceError
from formcheck.pose.core import PoseFrame
from formcheck.recording import RecordingSource, is_recording_path

__all__ = ["PoseInput", "analyze", "open_pose_input"]


@dataclass
class PoseInput:
    """A stream of PoseFrames and what is known about where they come from."""

    frames: Iterator[PoseFrame]
    name: str
    fps: float
    resolution_wh: tuple[int, int]
    model: str
    live: bool = False
    source: Any = None  # the FrameSource (for dropped-frame counts), None for recordings


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
            yield PoseInput(iter(rec), rec.name, h.fps, h.resolution_wh, h.model)
        return
    from formcheck.pose.landmarker import PoseStream
    from formcheck.pose.provision import resolve_model
    from formcheck.sources import open_source

    with open_source(spec, as_camera=as_camera) as frames:
        model_path = resolve_model(model, notify=notify, progress=progress)
        model_name = model if isinstance(model, str) and "/" not in model else Path(model_path).name
        fps = float(getattr(frames, "fps", 0.0) or 0.0)
        res = tuple(getattr(frames, "resolution_wh", (0, 0)))
        with PoseStream(model_path, with_mask=with_mask) as pose:
            yield PoseInput(
                pose.run(frames), frames.name, fps, res, str(model_name),  # type: ignore[arg-type]
                live=bool(getattr(frames, "live", False)), source=frames,
            )  # fmt: skip


def analyze(
    pose_input: PoseInput,
    exercise: ExerciseDef,
    *,
    on_event: Callable[[Any], None] | None = None,
    on_frame: Callable[[PoseFrame, Engine], None] | None = None,
) -> dict[str, Any]:
    """Run the engine over every frame; returns the session result (``--json`` contract).

    Raises :class:`SourceError` when no person was seen at all. Ctrl+C stops early and the
    result of what was seen so far is returned, marked ``"interrupted": true``.
    """
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
