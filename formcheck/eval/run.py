"""``formcheck eval``: run the analysis on every labelled clip and score it against the labels.

Clips whose exercise formcheck does not know are counted as "not supported" (so the table
shows coverage), never dropped. With a cache folder, each clip's landmarks are recorded once
(keyed by the clip's bytes and the model) and later runs replay them, so re-scoring after a
change to the engine or a definition takes seconds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.engine import ExerciseDef, list_exercises
from formcheck.errors import FormcheckError
from formcheck.eval.labels import ClipLabel, read_labels
from formcheck.eval.metrics import LABELLED_FAULTS, ClipScore, Totals, totals
from formcheck.pipeline import analyze, open_pose_input
from formcheck.recording import RecordingHeader, RecordingWriter

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

    def by_exercise(self) -> dict[str, Totals]:
        groups: dict[str, list[ClipScore]] = {}
        for s in self.scores:
            groups.setdefault(s.exercise, []).append(s)
        return {k: totals(v) for k, v in sorted(groups.items())}

    def to_json(self) -> dict[str, Any]:
        def clip(s: ClipScore) -> dict[str, Any]:
            d = asdict(s)
            d.update(
                abs_error=s.abs_error, rel_error=_r(s.rel_error), hold_error_s=_r(s.hold_error_s)
            )
            d["seconds"] = round(s.seconds, 2)
            return d

        return {
            "schema": EVAL_SCHEMA,
            "version": EVAL_VERSION,
            "formcheck": self.version,
            "created": self.created,
            "model": self.model,
            "labels": self.labels,
            "totals": {k: _r(v) for k, v in asdict(self.totals).items()},
            "by_exercise": {
                k: {kk: _r(vv) for kk, vv in asdict(v).items()}
                for k, v in self.by_exercise().items()
            },
            "clips": [clip(s) for s in self.scores],
        }


def _r(v: Any) -> Any:
    return round(v, 4) if isinstance(v, float) else v


def _cached_recording(clip: Path, cache: Path, model: str) -> Path:
    digest = hashlib.sha1(clip.read_bytes()).hexdigest()[:12]  # noqa: S324 - a cache key
    return cache / f"{clip.stem}.{model}.{digest}.jsonl.gz"


def _record(clip: Path, out: Path, model: str) -> None:
    with open_pose_input(clip, model=model) as pose:
        header = RecordingHeader(pose.name, pose.fps, pose.resolution_wh, pose.model)
        with RecordingWriter(out, header) as writer:
            for frame in pose.frames:
                writer.write(frame)


def score_clip(label: ClipLabel, result: dict[str, Any], seconds: float) -> ClipScore:
    """Compare one analysis result with its label."""
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
    )


def evaluate(
    labels_path: str | Path | Sequence[str | Path],
    clips_dir: str | Path | None = None,
    *,
    model: str = "full",
    cache_dir: str | Path | None = None,
    on_clip: Callable[[ClipLabel, ClipScore], None] | None = None,
) -> EvalResult:
    """Analyse and score every clip of one or more labels files, in order (the clips are next
    to the first file unless ``clips_dir``)."""
    paths = (
        [Path(labels_path)]
        if isinstance(labels_path, str | Path)
        else [Path(p) for p in labels_path]
    )
    labels = [label for path in paths for label in read_labels(path)]
    folder = Path(clips_dir) if clips_dir is not None else paths[0].parent
    catalogue: dict[str, ExerciseDef] = {d.id: d for d in list_exercises()}
    scores = []
    for label in labels:
        defn = catalogue.get(label.exercise)
        t0 = time.perf_counter()
        if defn is None:
            score = ClipScore(label.file, label.exercise, False, label.reps, None, label.hold_s,
                              None, confidence=label.confidence)  # fmt: skip
        else:
            try:
                source = folder / label.file
                if cache_dir is not None and not defn.needs_mask:
                    cached = _cached_recording(source, Path(cache_dir), model)
                    if not cached.exists():
                        _record(source, cached, model)
                    source = cached
                with open_pose_input(source, model=model, with_mask=defn.needs_mask) as pose:
                    result = analyze(pose, defn)
                score = score_clip(label, result, time.perf_counter() - t0)
            except (FormcheckError, OSError) as err:
                score = ClipScore(label.file, label.exercise, True, label.reps, None,
                                  label.hold_s, None, error=str(err),
                                  confidence=label.confidence)  # fmt: skip
        scores.append(score)
        if on_clip is not None:
            on_clip(label, score)
    return EvalResult(
        scores=scores,
        totals=totals(scores),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=__version__,
        model=model,
        labels=" + ".join(str(p) for p in paths),
    )
