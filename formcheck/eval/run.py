"""``formcheck eval``: run the analysis on every labelled clip and score it against the labels.

Clips whose exercise formcheck does not know are counted as "not supported" (so the table
shows coverage), never dropped. With a cache folder, each clip's landmarks are recorded once
(keyed by the clip's bytes and the model) and later runs replay them, so re-scoring after a
change to the engine or a definition takes seconds.

Each clip is also given to ``--exercise auto`` (:class:`~formcheck.report.auto.ExerciseGuesser`)
on the same pose frames as its analysis, as they go by: the pose model runs once per clip.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.atomic import temp_file
from formcheck.engine import ExerciseDef, list_exercises
from formcheck.errors import FormcheckError
from formcheck.eval.labels import ClipLabel, read_labels
from formcheck.eval.metrics import LABELLED_FAULTS, ClipScore, Totals, totals
from formcheck.pipeline import PoseInput, analyze, open_pose_input
from formcheck.pose.core import PoseFrame
from formcheck.pose.thread import share_cores
from formcheck.recording import RecordingHeader, RecordingWriter
from formcheck.report.auto import ExerciseGuess, ExerciseGuesser
from formcheck.sources.changed import CameraChange, camera_change

__all__ = ["EvalResult", "evaluate", "score_clip"]

EVAL_SCHEMA = "formcheck.eval"
EVAL_VERSION = 1


@dataclass(frozen=True, slots=True)
class EvalResult:
    scores: list[ClipScore]
    totals: Totals
    created: str
    version: str
    model: str
    labels: str
    camera: str | None = None  # the camera change the clips went through (None: as filmed)

    def by_exercise(self) -> dict[str, Totals]:
        groups: dict[str, list[ClipScore]] = {}
        for s in self.scores:
            groups.setdefault(s.exercise, []).append(s)
        return {k: totals(v) for k, v in sorted(groups.items())}

    def to_json(self) -> dict[str, Any]:
        def clip(s: ClipScore) -> dict[str, Any]:
            return {
                **asdict(s),
                "seconds": round(s.seconds, 2),  # in its place among the fields
                "abs_error": s.abs_error,
                "rel_error": _r(s.rel_error),
                "hold_error_s": _r(s.hold_error_s),
            }

        return {
            "schema": EVAL_SCHEMA,
            "version": EVAL_VERSION,
            "formcheck": self.version,
            "created": self.created,
            "model": self.model,
            "labels": self.labels,
            "camera": self.camera,
            "totals": {k: _r(v) for k, v in asdict(self.totals).items()},
            "by_exercise": {
                k: {kk: _r(vv) for kk, vv in asdict(v).items()}
                for k, v in self.by_exercise().items()
            },
            "clips": [clip(s) for s in self.scores],
        }


def _r(v: Any) -> Any:
    return round(v, 4) if isinstance(v, float) else v


def _cached_recording(clip: Path, cache: Path, model: str, camera: str | None = None) -> Path:
    digest = hashlib.sha1(clip.read_bytes()).hexdigest()[:12]  # noqa: S324 - a cache key
    changed = "" if camera is None else f".{camera}"
    return cache / f"{clip.stem}.{model}{changed}.{digest}.jsonl.gz"


def _record(clip: Path, out: Path, model: str, change: CameraChange | None = None) -> None:
    """Record ``clip``'s landmarks (through ``change``) into the cache file ``out``,
    atomically: an interrupted recording leaves no file that a later run would replay as if
    whole."""
    tmp: Path | None = temp_file(out, suffix=".jsonl.gz")
    try:
        with open_pose_input(clip, model=model, camera=change) as pose:
            header = RecordingHeader(pose.name, pose.fps, pose.resolution_wh, pose.model)
            with RecordingWriter(tmp, header) as writer:
                for frame in pose.frames:
                    writer.write(frame)
        os.replace(tmp, out)
        tmp = None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def score_clip(
    label: ClipLabel, result: dict[str, Any], seconds: float, guess: ExerciseGuess | None = None
) -> ClipScore:
    """Compare one analysis result (and ``--exercise auto``'s ``guess``) with its label."""
    reps = result["reps"]
    holds = [r["hold_s"] for r in reps if r["hold_s"] is not None]
    pred_hold = None  # scored only where the exercise times holds and found some
    if label.hold_s is not None and holds:
        pred_hold = max(holds) if label.reps is None else sum(holds) / len(holds)
    pred = {(f, r["index"]) for r in reps for f in r["faults"] if f in LABELLED_FAULTS}
    true = {(f, n) for f, n in label.faults if f in LABELLED_FAULTS}
    return ClipScore(
        file=label.file,
        exercise=label.exercise,
        supported=True,
        true_reps=label.reps,
        pred_reps=len(reps),
        true_hold_s=label.hold_s,
        pred_hold_s=None if pred_hold is None else round(pred_hold, 3),
        fault_tp=len(pred & true),
        fault_fp=len(pred - true),
        fault_fn=len(true - pred),
        seconds=seconds,
        confidence=label.confidence,
        auto=None if guess is None else _auto_verdict(label, guess),
        auto_chosen=None if guess is None else guess.chosen.id,
        auto_confidence=None if guess is None else round(guess.confidence, 3),
    )


def _auto_verdict(label: ClipLabel, guess: ExerciseGuess) -> str:
    if guess.unsure:
        return "unsure"
    return "right" if guess.chosen.id == label.exercise else "wrong"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@functools.cache
def _catalogue() -> dict[str, ExerciseDef]:
    """The exercises by id, read once in a worker process (not once per clip); a worker lives
    as long as its ``evaluate`` call."""
    return {d.id: d for d in list_exercises()}


def _feed(guesser: ExerciseGuesser, pose: PoseInput) -> None:
    """Make ``pose`` give each of its frames to ``guesser`` on the way to the analysis."""

    def frames(source: Iterator[PoseFrame]) -> Iterator[PoseFrame]:
        for frame in source:
            guesser.update(frame)
            yield frame

    def pairs(source: Iterator[tuple[Any, PoseFrame]]) -> Iterator[tuple[Any, PoseFrame]]:
        for picture, frame in source:
            guesser.update(frame)
            yield picture, frame

    if pose.pictured is not None:  # from the pose model, with its pictures
        pose.pictured = pairs(pose.pictured)
        pose.frames = (pf for _, pf in pose.pictured)
    else:
        assert pose.frames is not None
        pose.frames = frames(pose.frames)


def _score_one(
    label: ClipLabel,
    folder: Path,
    model: str,
    cache_dir: str | Path | None,
    camera: str | None = None,
    catalogue: dict[str, ExerciseDef] | None = None,
) -> ClipScore:
    """Analyse one labelled clip and score it (an error is a score that says so).
    ``camera``: the name of a camera change the clip goes through (see
    :data:`formcheck.sources.changed.CAMERA_CHANGES`);
    ``catalogue``: the exercises by id (default: read once in this process)."""
    catalogue = _catalogue() if catalogue is None else catalogue
    defn = catalogue.get(label.exercise)
    if defn is None:
        return ClipScore(label.file, label.exercise, False, label.reps, None, label.hold_s,
                         None, confidence=label.confidence)  # fmt: skip
    t0 = time.perf_counter()
    try:
        source = folder / label.file
        change = None if camera is None else camera_change(camera)
        if cache_dir is not None and not defn.needs_mask:
            cached = _cached_recording(source, Path(cache_dir), model, camera)
            if not cached.exists():
                _record(source, cached, model, change)
            source, change = cached, None  # the change is in the recording
        guesser = ExerciseGuesser(list(catalogue.values()))
        opened = open_pose_input(source, model=model, with_mask=defn.needs_mask, camera=change)
        with opened as pose:
            _feed(guesser, pose)  # the same frames, once
            result = analyze(pose, defn)
        return score_clip(label, result, time.perf_counter() - t0, guesser.finish())
    except (FormcheckError, OSError) as err:
        return ClipScore(label.file, label.exercise, True, label.reps, None, label.hold_s,
                         None, error=str(err), confidence=label.confidence)  # fmt: skip


def evaluate(
    labels_path: str | Path | Sequence[str | Path],
    clips_dir: str | Path | None = None,
    *,
    model: str = "full",
    cache_dir: str | Path | None = None,
    on_clip: Callable[[ClipLabel, ClipScore], None] | None = None,
    workers: int = 1,
    camera: str | None = None,
) -> EvalResult:
    """Analyse and score every clip of one or more labels files, in order (the clips are next
    to the first file unless ``clips_dir``), on ``workers`` processes: each clip is analysed
    as it is alone, so the scores do not depend on ``workers``. ``camera``: every clip as
    another camera would have filmed it (a name of
    :data:`formcheck.sources.changed.CAMERA_CHANGES`)."""
    if camera is not None:
        camera_change(camera)  # an unknown name fails here, not once per clip
    paths = (
        [Path(labels_path)]
        if isinstance(labels_path, str | Path)
        else [Path(p) for p in labels_path]
    )
    labels = [label for path in paths for label in read_labels(path)]
    folder = Path(clips_dir) if clips_dir is not None else paths[0].parent
    jobs = [(label, folder, model, cache_dir, camera) for label in labels]
    if workers > 1 and len(jobs) > 1:
        # the longest clips first, so no process is left with a long one at the end
        order = sorted(range(len(jobs)), key=lambda i: -_size(folder / labels[i].file))
        ctx = mp.get_context("spawn")  # a fresh interpreter: no threads forked mid-use
        with ProcessPoolExecutor(
            min(workers, len(jobs)), mp_context=ctx, initializer=share_cores
        ) as pool:  # one worker per core: the model on each worker's own thread
            futures = {i: pool.submit(_score_one, *jobs[i]) for i in order}
            scores = []
            for i, label in enumerate(labels):  # reported in the labels' order
                scores.append(futures[i].result())
                if on_clip is not None:
                    on_clip(label, scores[-1])
    else:
        catalogue = {d.id: d for d in list_exercises()}  # as the definitions are now
        scores = []
        for job in jobs:
            scores.append(_score_one(*job, catalogue))
            if on_clip is not None:
                on_clip(job[0], scores[-1])
    return EvalResult(
        scores=scores,
        totals=totals(scores),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=__version__,
        model=model,
        labels=" + ".join(str(p) for p in paths),
        camera=camera,
    )
