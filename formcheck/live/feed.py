"""What the live loop consumes: the picture and the pose of each frame, in real time.

::

    with open_live_input(0, model="full") as feed:       # a camera, a video, a recording
        for lf in feed.frames:                             # LiveFrame(pose, image_bgr, late)
            ...

- A camera, or a video played as a camera: :class:`~formcheck.sources.CameraSource` (capture
  thread, newest frame only, frames the loop had no time for are dropped and counted) and the
  pose model, frame by frame. Webcam and video share this one path.
- A landmark recording (``.jsonl[.gz]``): replayed paced to the wall clock by :func:`paced` on a
  plain background (``image_bgr`` is None). No frame is ever skipped for the engine, so a
  replay counts exactly what ``formcheck analyze`` counts; a frame that is overdue when its
  successor is already due is marked ``late`` and not drawn.

``formcheck.pipeline.open_pose_input`` yields PoseFrames only and the window needs the picture
behind each one, so the camera path is wired here from the same parts (sources, PoseStream).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.pose.core import PoseFrame
from formcheck.pose.thread import PoseThread
from formcheck.recording import RecordingSource, is_recording_path
from formcheck.sources.core import FrameSource

__all__ = ["LiveFrame", "LiveInput", "open_live_input", "paced"]


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """One frame of a live session: its pose, its picture (None for a recording) and whether
    it is ``late`` (a newer frame is already due: analyse it, do not draw it)."""

    pose: PoseFrame
    image_bgr: np.ndarray | None = None
    late: bool = False


@dataclass
class LiveInput:
    """A stream of LiveFrames and what is known about where they come from."""

    frames: Iterator[LiveFrame]
    name: str
    fps: float
    resolution_wh: tuple[int, int]
    is_camera: bool = False  # a real camera (mirrored by default), not a file
    source: FrameSource | None = None  # the camera (or video played as one); None: a recording
    model: str | None = None  # the pose model's name (the one --model auto chose); None: none

    @property
    def dropped_frames(self) -> int:
        """Frames the capture thread replaced before the loop took them."""
        return 0 if self.source is None else self.source.dropped_frames


def paced(
    frames: Iterable[PoseFrame],
    speed: float = 1.0,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[LiveFrame]:
    """Hand out ``frames`` at their ``t_s``, ``speed`` times faster than real time (0: as
    fast as they come). A frame is ``late`` when the next one is already due."""
    if not speed >= 0:
        raise ValueError(f"speed must be 0 (unpaced) or more, got {speed!r}")
    it = iter(frames)
    nxt = next(it, None)
    wall0: float | None = None  # wall-clock time of t_s = 0
    while nxt is not None:
        cur, nxt = nxt, next(it, None)
        if speed == 0:
            yield LiveFrame(cur)
            continue
        if wall0 is None:
            wall0 = clock() - cur.t_s / speed
        delay_s = wall0 + cur.t_s / speed - clock()
        if delay_s > 0:
            sleep(delay_s)
        late = nxt is not None and wall0 + nxt.t_s / speed <= clock()
        yield LiveFrame(cur, late=late)


@contextmanager
def open_live_input(
    spec: str | int | Path,
    *,
    model: str | Path | None = "full",
    speed: float = 1.0,
    with_mask: bool = False,
    notify: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    camera_size_wh: tuple[int, int] | None = None,
) -> Iterator[LiveInput]:
    """Open a camera index, a video (played as a camera) or a landmark recording as LiveFrames.

    ``speed`` plays files faster than real time (tests); it is ignored for a camera.
    ``camera_size_wh`` asks a camera for that picture size (smaller is faster). Raises
    :class:`~formcheck.errors.SourceError` for a camera or file that cannot be opened.
    """
    if isinstance(spec, str | Path) and is_recording_path(spec):
        with RecordingSource(spec) as rec:
            h = rec.header
            yield LiveInput(paced(rec, speed), rec.name, h.fps, h.resolution_wh)
        return
    from formcheck.pose.landmarker import PoseStream
    from formcheck.pose.provision import resolve_model
    from formcheck.sources import CameraSource, open_source

    is_camera = isinstance(spec, int) or str(spec).strip().isdigit()
    if is_camera and camera_size_wh is not None:
        source = CameraSource(int(str(spec).strip()), size_wh=camera_size_wh)
    elif is_camera or speed == 1.0:
        source = open_source(spec, as_camera=True)
    else:
        source = CameraSource.from_video(spec, speed=speed)
    with source:
        fps = float(source.fps or 0.0)
        auto = str(model) == "auto"
        name = "full" if auto else model
        model_path = resolve_model(name, notify=notify, progress=progress)
        pose = PoseStream(model_path, with_mask=with_mask)
        try:
            frames: Iterable[Any] = source
            if auto:  # time the full model on the first frame; lite if it cannot keep up
                it = iter(source)
                first = next(it, None)
                frames = it if first is None else itertools.chain([first], it)
                if first is not None:
                    keeps_up, rate = keeps_up_with(first, fps or 30.0, pose)
                    # lite only if it is here: no download mid-start, and none without a word
                    name, words = auto_choice(keeps_up, rate, fps or 30.0, provisioned("lite"))
                    if notify is not None:
                        notify(words)
                    if name == "lite":
                        pose.close()
                        lite = resolve_model("lite", notify=notify, progress=progress)
                        pose = PoseStream(lite, with_mask=with_mask)
            worker = PoseThread(frames, pose, closes=source)
            live = (LiveFrame(pf, frame.image_bgr) for frame, pf in worker.pairs())
            try:
                yield LiveInput(
                    live, source.name, fps, tuple(source.resolution_wh), is_camera,
                    source, model=str(name) if not _is_path(name) else Path(name).name,
                )  # fmt: skip
            finally:
                worker.stop()  # before the model closes: it may be inside an inference
        finally:
            pose.close()


AUTO_PROBE_FRAMES = 12  # inferences timed to choose a model for --model auto
AUTO_KEEP_UP = 0.9  # the model must manage this share of the camera's frame rate


def keeps_up_with(
    frame: Any, fps: float, pose: Any, *, clock: Callable[[], float] = time.perf_counter,
    frames: int = AUTO_PROBE_FRAMES,
) -> tuple[bool, float]:  # fmt: skip
    """Whether ``pose`` analyses ``fps`` frames a second on this machine (``AUTO_KEEP_UP`` of
    them): ``frame`` is analysed once to warm the model up, then ``frames`` times on the clock.
    Returns the answer and the model's rate (frames a second)."""
    pose.process(frame)
    t0 = clock()
    for _ in range(frames):
        pose.process(frame)
    per_frame = (clock() - t0) / frames
    rate = 1.0 / per_frame if per_frame > 0 else float("inf")
    return rate >= AUTO_KEEP_UP * fps, rate


def auto_model_words(rate: float, fps: float, chosen: str) -> str:
    """What ``--model auto`` says it chose, and why."""
    return (
        f"--model auto: the full pose model analyses {rate:.0f} frames a second here and the "
        f"camera gives {fps:.0f}: using {chosen}"
    )


def auto_choice(keeps_up: bool, rate: float, fps: float, lite_here: bool) -> tuple[str, str]:
    """``--model auto``'s model and the one line it says: full when it keeps up (``rate``
    frames a second against the camera's ``fps``), else lite when its file is here, else full
    all the same, with the command that fetches lite."""
    if keeps_up or lite_here:
        name = "full" if keeps_up else "lite"
        return name, auto_model_words(rate, fps, name)
    return "full", (
        f"--model auto: the full pose model analyses {rate:.0f} frames a second here and the "
        f"camera gives {fps:.0f}; the lite model is faster but not downloaded: run "
        "`formcheck models fetch lite` (using full for now)"
    )


def provisioned(name: str) -> bool:
    """Whether the registry model ``name`` is in the models folder and verified (no fetch)."""
    from formcheck.errors import ModelError
    from formcheck.pose.provision import ModelState, model_status

    try:
        return model_status([name])[0].state is ModelState.VERIFIED
    except ModelError:  # not in the registry, or the registry unreadable
        return False


def _is_path(model: Any) -> bool:
    text = str(model)
    return text.endswith(".task") or "/" in text or "\\" in text
