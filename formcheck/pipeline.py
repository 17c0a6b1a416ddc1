"""Wiring: input -> frames -> pose -> features -> engine -> result, once.

``open_pose_input`` turns anything the user can point at (a video, a folder, an image, a camera
index, a landmark recording) into one stream of PoseFrames, each with the picture it was
computed from; ``run`` runs an exercise over it and yields one :class:`FrameResult` per frame,
then holds the typed :class:`SessionResult`. The CLI, the reports, the annotated video,
eval and the live window (one exercise, its frames fed one by one: ``SessionRun.step``) all
go through here::

    with open_pose_input("set.mp4") as pose:
        session = run(pose, load_exercise("bird-dog"))
        for fr in session:   # fr.frame: the picture (None for recordings), fr.pose,
            draw(fr.frame, fr.engine)   # fr.features (smoothed pose, values), fr.engine
    print(session.result.to_dict())   # the --json contract

``analyze`` is the same run with only the result kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from formcheck.engine import Engine, ExerciseDef, session_result
from formcheck.engine.events import Event, RepRecord
from formcheck.engine.frame import EngineFrame
from formcheck.engine.framerate import require_frame_rate
from formcheck.errors import SourceError
from formcheck.features.extractor import Features
from formcheck.pose.core import PoseFrame
from formcheck.pose.thread import PoseThread, own_thread
from formcheck.recording import RecordingSource, is_recording_path
from formcheck.sources.changed import CameraChange, ChangedSource
from formcheck.sources.core import Frame, FrameSource

__all__ = [
    "FrameResult", "InputKind", "PoseInput", "SessionResult", "SessionRun", "analyze",
    "open_pose_input", "run",
]  # fmt: skip

InputKind = Literal["video", "recording"]
"""What a PoseInput comes from: the pose model over pictures, or a landmark recording."""


@dataclass
class PoseInput:
    """A stream of PoseFrames and what is known about where they come from.

    ``kind`` is "recording" for a landmark recording, else "video" (a file, folder, image or
    camera); ``frame_count`` is the source's estimate (None if unknown). The pictures behind
    the PoseFrames come either with them (``pictured``: (Frame, PoseFrame) pairs, from the
    pose model) or beside them (``pictures``: the video decoded again beside its recording,
    matched by frame index); without either, there are none (a recording alone)."""

    frames: Iterator[PoseFrame] | None
    name: str
    fps: float
    resolution_wh: tuple[int, int]
    model: str
    live: bool = False
    source: FrameSource | None = None  # None for recordings
    kind: InputKind = "video"
    frame_count: int | None = None
    pictures: Iterator[Frame] | None = None
    pictured: Iterator[tuple[Frame, PoseFrame]] | None = None

    def __post_init__(self) -> None:
        if self.frames is None:
            if self.pictured is None:
                raise ValueError(f"{self.name}: PoseInput needs frames or pictured, got neither")
            self.frames = (pf for _, pf in self.pictured)

    @property
    def warnings(self) -> list[str]:
        """The source's sentences for the user (none for a recording)."""
        return [] if self.source is None else list(self.source.warnings)

    @property
    def truncated(self) -> bool:
        """The source ended clearly before its stated frame count (known once read)."""
        return self.source is not None and self.source.truncated

    def pairs(self) -> Iterator[tuple[Frame | None, PoseFrame]]:
        """Each PoseFrame with the picture it was computed from (None where there is none)."""
        if self.pictured is not None:
            return iter(self.pictured)
        assert self.frames is not None
        if self.pictures is None:
            return ((None, pf) for pf in self.frames)
        return _by_index(self.frames, self.pictures)


def _by_index(
    poses: Iterable[PoseFrame], pictures: Iterator[Frame]
) -> Iterator[tuple[Frame | None, PoseFrame]]:
    """The pose frames, each with the picture of the same index (None if there is none)."""
    current: Frame | None = None
    more = True
    for pf in poses:
        while more and (current is None or current.index < pf.index):
            current = next(pictures, None)
            more = current is not None
        yield (current if current is not None and current.index == pf.index else None), pf


def _through(
    pose: Any,  # noqa: ANN401 - a PoseStream
    frames: FrameSource,
) -> Iterator[tuple[Frame, PoseFrame]]:
    """Each source frame with its pose: the one place a picture meets the pose model. The
    model runs on its own thread (:class:`PoseThread`), started at the first frame asked for:
    the frame's consumer (the engine, a report's drawing) overlaps the next inference. Closing
    this generator stops the thread, once the model is out of its inference. In a worker
    process of a batch (:func:`~formcheck.pose.thread.own_thread` False) the model runs on
    the caller's thread, one frame after the other."""
    if not own_thread():
        for frame in frames:
            yield frame, pose.process(frame)
        return
    worker = PoseThread(frames, pose, closes=frames if frames.live else None)
    try:
        yield from worker.pairs()
    finally:
        worker.stop()


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One frame through the whole pipeline: the source ``frame`` (the upright picture; None
    for a recording), the ``pose`` the model gave, the ``features`` measured on it (the
    smoothed pose and the feature values: :class:`Features`) and the engine's state after it
    (values, sides, faults, this frame's events: :class:`EngineFrame`)."""

    frame: Frame | None
    pose: PoseFrame
    features: Features
    engine: EngineFrame


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What a run over a whole input found; ``to_dict()`` is the ``--json`` contract
    (``formcheck.result`` v1, :func:`formcheck.engine.session_result`).

    ``end`` is the engine's state after the end of the input (``Engine.finish``: a rep all
    but done counted, active faults cleared); its events are also the last of ``events``."""

    exercise: ExerciseDef
    source: str
    duration_s: float
    reps: tuple[RepRecord, ...]
    events: tuple[Event, ...]
    end: EngineFrame
    frames: int
    frames_with_person: int
    interrupted: bool = False

    def to_dict(
        self, *, auto: Mapping[str, Any] | None = None, live: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``--json`` result; ``auto``: how the exercise was chosen (``--exercise auto``),
        ``live``: how a live session ended."""
        return session_result(
            self.exercise, list(self.reps), list(self.events),
            source=self.source, duration_s=self.duration_s, interrupted=self.interrupted,
            auto=auto, live=live,
        )  # fmt: skip


@contextmanager
def open_pose_input(
    spec: str | int | Path,
    *,
    model: str | Path | None = "full",
    as_camera: bool = False,
    with_mask: bool = False,
    notify: Callable[[str], None] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    camera: CameraChange | None = None,
) -> Iterator[PoseInput]:
    """Open ``spec`` as PoseFrames; recordings are replayed, anything else goes through the
    pose model (provisioned on first use, with a one-line ``notify``). ``camera``: the
    pictures as another camera would have taken them (``formcheck eval --camera``)."""
    if isinstance(spec, str | Path) and is_recording_path(spec):
        if camera is not None:
            raise SourceError(f"{spec}: a landmark recording has no pictures to change")
        with RecordingSource(spec) as rec:
            h = rec.header
            yield PoseInput(iter(rec), rec.name, h.fps, h.resolution_wh, h.model, kind="recording")
        return
    from formcheck.pose.kept import pose_stream
    from formcheck.pose.provision import resolve_model
    from formcheck.sources import open_source

    with open_source(spec, as_camera=as_camera) as opened:
        frames = opened if camera is None else ChangedSource(opened, camera)
        model_path = resolve_model(model, notify=notify, progress=progress)
        model_name = model if isinstance(model, str) and "/" not in model else Path(model_path).name
        with pose_stream(model_path, with_mask=with_mask) as pose:  # a worker's: kept
            pictured = _through(pose, frames)
            try:
                yield PoseInput(
                    None, frames.name, float(frames.fps or 0.0), tuple(frames.resolution_wh),
                    str(model_name), live=frames.live, source=frames,
                    frame_count=frames.frame_count, pictured=pictured,
                )  # fmt: skip
            finally:
                pictured.close()  # the pose thread ends before the model is closed or lent


class SessionRun:
    """The frames of one run, then its result: iterate for a :class:`FrameResult` per frame;
    once the input is done (or Ctrl+C stopped it), ``result`` is the :class:`SessionResult`.
    A consumer that is interrupted while handling a frame (Ctrl+C in its drawing, a stop
    asked for) calls :meth:`interrupt`: the run ends after that frame, as on Ctrl+C.

    Iterating raises :class:`SourceError` when the input had no frames, or no person in any of
    them (unless interrupted).

    Without ``pose_input`` the caller feeds the frames itself, one :meth:`step` each, and ends
    the run with :meth:`end`: the live window does, as it decides which frames are counted
    (none during a pause or the guided start)."""

    def __init__(
        self, exercise: ExerciseDef, name: str, pose_input: PoseInput | None = None
    ) -> None:
        self.exercise, self.name, self.input = exercise, name, pose_input
        self.engine = Engine(exercise)
        self.extractor = self.engine.new_extractor()
        self.result: SessionResult | None = None
        self._stop = False
        self.reset()

    def interrupt(self) -> None:
        """End the run after the frame being handled; the result is marked interrupted."""
        self._stop = True

    def reset(self) -> None:
        """Forget every frame so far: a new set, counted from 0 (the live window's reset)."""
        self.engine.reset()
        self.extractor.reset()
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._frames = self._people = 0

    def step(self, picture: Frame | None, pose: PoseFrame, *, cut_s: float = 0.0) -> FrameResult:
        """One frame through the features stage and the engine. ``cut_s``: time cut out of
        the engine's time line before this frame (a live pause): the engine sees the frame
        that much earlier, while the run's duration goes by the frame's own time."""
        self._first_t = pose.t_s if self._first_t is None else self._first_t
        self._last_t = pose.t_s
        self._frames += 1
        self._people += pose.has_person
        judged = replace(pose, t_s=pose.t_s - cut_s) if cut_s else pose
        features = self.extractor.update(judged)
        return FrameResult(picture, pose, features, self.engine.update(features))

    def end(self, *, interrupted: bool = False) -> SessionResult:
        """The end of the frames (``Engine.finish``: a rep all but done counts, active faults
        clear): the result, also kept as ``result``."""
        self.engine.finish()
        first = self._first_t if self._first_t is not None else 0.0
        last = self._last_t if self._last_t is not None else first
        engine = self.engine
        self.result = SessionResult(
            self.exercise, self.name, last - first, tuple(engine.reps), tuple(engine.events),
            engine.frame, self._frames, self._people, interrupted,
        )  # fmt: skip
        return self.result

    def __iter__(self) -> Iterator[FrameResult]:
        if self.input is None:
            raise TypeError(f"{self.name}: a run without an input is fed with step(), not iterated")
        interrupted = False
        try:
            for picture, pose in self.input.pairs():
                yield self.step(picture, pose)
                if self._stop:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            interrupted = True
        if self._first_t is None:
            raise SourceError(f"{self.name}: no frames could be read")
        if self._people == 0 and not interrupted:
            raise SourceError(
                f"{self.name}: no person found in any frame; make sure the whole body "
                "is in view and well lit"
            )
        self.end(interrupted=interrupted)


def run(pose_input: PoseInput, exercise: ExerciseDef) -> SessionRun:
    """Run ``exercise``'s engine over every frame of ``pose_input`` (see :class:`SessionRun`).

    Raises :class:`SourceError` at once when the input's frame rate is below what the exercise
    needs to be counted (``formcheck.engine.framerate``). Ctrl+C ends the frames early: the
    result of what was seen so far is kept, marked ``interrupted``."""
    require_frame_rate(pose_input.fps, pose_input.name, exercise)
    return SessionRun(exercise, pose_input.name, pose_input)


def analyze(
    pose_input: PoseInput,
    exercise: ExerciseDef,
    *,
    on_event: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Run the engine over every frame; returns the session result (``--json`` contract).

    ``on_event`` sees every event, the end's too. Errors as :func:`run`."""
    session = run(pose_input, exercise)
    for fr in session:
        if on_event is not None:
            for ev in fr.engine.events:
                on_event(ev)
    assert session.result is not None
    if on_event is not None:
        for ev in session.result.end.events:
            on_event(ev)
    return session.result.to_dict()
