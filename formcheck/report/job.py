"""One input, analysed and reported: the unit of work of ``formcheck analyze`` (and of a worker).

::

    outcome = run_job(AnalysisJob("set.mp4", "bird-dog", out_dir="reports/set", annotate=True))
    outcome.status      # "ok" | "partial" | "unsure" | "failed"
    outcome.result      # the formcheck.result v1 dict (what --json prints)
    outcome.report      # the formcheck.report v1 dict (report.json), None without out_dir

With ``exercise="auto"`` the input is read twice: the first pass runs the pose model once, feeds
every candidate's engine (:mod:`formcheck.report.auto`) and keeps the landmarks in a temporary
recording; the second pass replays that recording through the chosen exercise, with the
video's pictures decoded again for thumbnails and the annotated video (decoding costs a few
percent of what pose estimation costs). An exercise measured on the segmentation mask
(``needs_mask``) is the exception: recordings keep no masks, so its second pass runs the
model again.

Library errors become a ``failed`` outcome with the one-line message and the error's exit
code, so a batch can go on. ``should_stop`` (checked every frame) and Ctrl+C both end the
analysis early: what was seen so far is reported, marked partial.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from formcheck import __version__, interrupts
from formcheck.atomic import StagedFolder, write_atomic, write_json
from formcheck.engine import ExerciseDef, load_exercise
from formcheck.engine.words import Words
from formcheck.errors import FormcheckError, OutputError, SourceError
from formcheck.pipeline import InputKind, PoseInput, open_pose_input, run
from formcheck.recording import RecordingHeader, RecordingSource, RecordingWriter
from formcheck.report.auto import ExerciseGuess, ExerciseGuesser
from formcheck.report.collect import Collector, Thumbnail
from formcheck.report.compare import previous_set, since_last_time
from formcheck.report.html import report_html
from formcheck.report.pairs import held_side, history_partner, pair_block
from formcheck.report.plot import drive_plot_png
from formcheck.report.schema import build_report
from formcheck.report.tables import reps_csv
from formcheck.sources import Frame, open_source

__all__ = ["AnalysisJob", "AnalysisOutcome", "JobProgress", "Status", "rewrite_report", "run_job"]

PROGRESS_EVERY_S = 0.1
REPORT_FILES = {"report.json", "report.html", "reps.csv", "annotated.mp4"}  # replaced as a set


@dataclass(frozen=True, slots=True)
class AnalysisJob:
    """What to analyse and where the outputs go (``out_dir`` None: no files, result only)."""

    input: str
    exercise: str
    out_dir: str | None = None
    annotate: bool = False
    model: str = "full"
    index: int = 0  # position in a batch, for progress reports
    # who and when, for the report (see formcheck.report.schema.build_report's ``session``)
    session: dict[str, Any] | None = None
    # the same person's stored sets to compare and pair with, by exercise id, latest first:
    # [{"result", "recorded_at", "source", "report_path", "session_id"}, ...] (see
    # formcheck.store.History.comparable_sessions); every exercise's with exercise "auto"
    history: dict[str, list[dict[str, Any]]] | None = None


@dataclass(frozen=True, slots=True)
class JobProgress:
    """``done`` of ``total`` frames (total None if unknown) of job ``index``."""

    index: int
    name: str
    done: int
    total: int | None
    phase: str = "analysing"  # "analysing" | "reporting"
    finished: bool = False


Status = Literal["ok", "partial", "unsure", "failed"]
"""How one job ended: a full report, one of part of the input, one whose exercise was guessed
without confidence, or none."""


@dataclass(frozen=True, slots=True)
class AnalysisOutcome:
    """What became of one job (picklable: it travels back from worker processes). Complete
    when made: a later step (the batch pairing one-sided videos) makes a new one."""

    job: AnalysisJob
    name: str
    status: Status
    result: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    exercise: str | None = None  # the id
    exercise_name: str = ""  # what people read (the definition may be a file, not in the catalogue)
    kind: InputKind = "video"  # for the training history
    error: str | None = None
    exit_code: int = 0
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False
    unsure: bool = False
    auto: dict[str, Any] | None = None
    report_path: str | None = None
    partial: tuple[str, ...] = ()  # why the result covers only part of the input
    output_error: str | None = None  # an output asked for (the annotated video) not written
    # what report.html is drawn from besides the report, kept for a video that holds one side
    # only: its report is written again when the batch holds the other side
    plot_png: bytes | None = None
    thumbnails: dict[tuple[int, str], Thumbnail] | None = None

    def headline(self) -> dict[str, Any]:
        """The numbers the batch index shows."""
        s = self.result["summary"] if self.result else None
        return {
            "name": self.name,
            "status": self.status,
            "exercise": self.exercise,
            "reps": None if s is None else _reps_text(s),
            "faults": None if s is None else sum(s["faults"].values()),
            "mean_hold_s": None if s is None else s["mean_hold_s"],
            "duration_s": None if self.result is None else self.result["duration_s"],
            "message": self.error or (self.auto["message"] if self.unsure and self.auto else ""),
        }


def _reps_text(summary: dict[str, Any]) -> str:
    sides = summary["reps_by_side"]
    if list(sides) == ["both"]:
        return str(summary["reps"])
    return f"{summary['reps']} (" + ", ".join(f"{k} {v}" for k, v in sides.items()) + ")"


class _Ticker:
    """Counts frames, reports progress at most every 0.1 s, and stops when asked."""

    def __init__(
        self, job: AnalysisJob, name: str,
        on_progress: Callable[[JobProgress], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:  # fmt: skip
        self.job, self.name = job, name
        self.on_progress, self.should_stop = on_progress, should_stop
        self.done, self.total, self.phase = 0, None, "analysing"
        self._last = 0.0

    def start(self, total: int | None, phase: str = "analysing") -> None:
        self.done, self.total, self.phase = 0, total, phase
        self._emit()

    def tick(self) -> None:
        self.done += 1
        if self.should_stop is not None and self.should_stop():
            raise KeyboardInterrupt
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S:
            self._emit(now)

    def _emit(self, now: float | None = None, finished: bool = False) -> None:
        self._last = time.monotonic() if now is None else now
        if self.on_progress is not None:
            self.on_progress(
                JobProgress(self.job.index, self.name, self.done, self.total, self.phase, finished)
            )

    def finish(self) -> None:
        self._emit(finished=True)


def run_job(
    job: AnalysisJob,
    *,
    on_progress: Callable[[JobProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    notify: Callable[[str], None] | None = None,
) -> AnalysisOutcome:
    """Analyse one input and write its outputs; never raises a library error (see above)."""
    name = Path(job.input).name
    ticker = _Ticker(job, name, on_progress, should_stop)
    try:
        outcome = _run(job, name, ticker, notify)
    except FormcheckError as err:
        return AnalysisOutcome(job, name, "failed", error=str(err), exit_code=err.exit_code)
    finally:
        ticker.finish()
    if interrupts.requested():  # Ctrl+C while the finished analysis was being written
        return replace(outcome, interrupted=True)
    return outcome


def _input_info(job: AnalysisJob, pose: PoseInput) -> dict[str, Any]:
    return {
        "name": pose.name or Path(job.input).name,
        "path": str(job.input),
        "kind": pose.kind,
        "fps": float(pose.fps),
        "resolution_wh": list(pose.resolution_wh),
        "frames": 0,
        "frames_with_person": 0,
        "frame_count": pose.frame_count,
        "duration_s": 0.0,
        "model": pose.model,
        "formcheck_version": __version__,
        "truncated": pose.truncated,
    }


def _run(
    job: AnalysisJob, name: str, ticker: _Ticker, notify: Callable[[str], None] | None
) -> AnalysisOutcome:
    outputs = _Outputs(None if job.out_dir is None else Path(job.out_dir))
    try:
        with tempfile.TemporaryDirectory(prefix="formcheck-") as tmp:
            out, info, warnings, guess = _passes(job, outputs, ticker, notify, Path(tmp))
        with interrupts.protected():  # a second Ctrl+C must not cut the report in half
            return _finish(job, name, out, info, warnings, guess, outputs)
    finally:
        outputs.discard()  # whatever was not put in place: no empty or half folder is left


class _Outputs:
    """Where an input's report files go: a staged folder (see :class:`StagedFolder`), made
    once the input opens (no folder for a bad file) and put in place when all are written."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self.staged: StagedFolder | None = None

    def open(self) -> Path | None:
        """The folder to write into (None: no reports)."""
        if self.target is not None and self.staged is None:
            self.staged = StagedFolder(self.target, REPORT_FILES)
        return None if self.staged is None else self.staged.path

    def commit(self) -> None:
        if self.staged is not None:
            self.staged.commit()
            self.staged = None

    def discard(self) -> None:
        if self.staged is not None:
            self.staged.discard()
            self.staged = None


def _passes(
    job: AnalysisJob, outputs: _Outputs, ticker: _Ticker,
    notify: Callable[[str], None] | None, tmp: Path,
) -> tuple[_Analysed, dict[str, Any], list[str], ExerciseGuess | None]:  # fmt: skip
    """The analysis: one pass, or the two of ``auto`` (see the module docstring)."""
    auto = job.exercise.strip().lower() == "auto"
    definition = None if auto else load_exercise(job.exercise)
    guess: ExerciseGuess | None = None
    with_mask = definition is not None and definition.needs_mask
    with open_pose_input(job.input, model=job.model, notify=notify, with_mask=with_mask) as pose:
        out_dir = outputs.open()
        ticker.start(pose.frame_count)
        if auto:
            guess, replay, interrupted = _guess(pose, ticker, tmp, job.input)
            definition = guess.chosen
        else:
            assert definition is not None
            out = _analyse(job, pose, definition, out_dir, ticker)
        warnings = pose.warnings
        info = _input_info(job, pose)  # once read: whether the file ended early is known
    if guess is not None:
        assert definition is not None
        ticker.start(ticker.done or None, "reporting")
        chosen = _Chosen(guess, interrupted)
        if definition.needs_mask and pose.kind == "video":
            # recordings keep no segmentation masks: the model runs again, with them
            with open_pose_input(job.input, model=job.model, with_mask=True) as again:
                out = _analyse(job, again, definition, out_dir, ticker, chosen)
        else:
            out = _replay(job, pose, replay, definition, out_dir, ticker, chosen)
    if out.output_error is not None:
        warnings.append(out.output_error)
    return out, info, warnings, guess


@dataclass(frozen=True, slots=True)
class _Chosen:
    """What ``auto``'s first pass found: the ``guess``, and whether Ctrl+C ``stopped`` it (the
    second pass then sees only the frames read, and the result is marked interrupted)."""

    guess: ExerciseGuess
    stopped: bool


def _replay(
    job: AnalysisJob, pose: PoseInput, replay: Path, definition: ExerciseDef,
    out_dir: Path | None, ticker: _Ticker, chosen: _Chosen,
) -> _Analysed:  # fmt: skip
    """Second pass of ``auto``: the landmarks again, the pictures decoded again (if needed)."""
    pictures = _pictures(job.input) if pose.kind == "video" and out_dir else None
    try:
        with RecordingSource(replay) as rec:
            again = PoseInput(
                iter(rec), pose.name, pose.fps, pose.resolution_wh, pose.model,
                kind=pose.kind, frame_count=pose.frame_count, pictures=pictures,
            )  # fmt: skip
            return _analyse(job, again, definition, out_dir, ticker, chosen)
    finally:
        if pictures is not None:
            pictures.close()  # releases the video file


@dataclass(slots=True)
class _Analysed:
    result: dict[str, Any]
    collector: Collector | None
    video: str | None
    output_error: str | None = None


def _analyse(
    job: AnalysisJob, pose: PoseInput, definition: ExerciseDef, out_dir: Path | None,
    ticker: _Ticker, chosen: _Chosen | None = None,
) -> _Analysed:  # fmt: skip
    """One pass of the engine (with the report's collector and the annotated video);
    ``chosen``: ``auto``'s first pass, for the second."""
    from formcheck.live.cues import CueBoard
    from formcheck.render.annotate import hud_for
    from formcheck.render.video import AnnotatedVideoWriter, video_size

    session = run(pose, definition)
    sides = session.engine.sides  # "both", or left and right
    collector = Collector(definition, sides) if out_dir is not None else None
    cues = CueBoard()
    writer = None
    if job.annotate and out_dir is not None:
        size = video_size(pose.resolution_wh)  # a portrait picture: 16:9, the overlay beside it
        writer = AnnotatedVideoWriter(out_dir / "annotated.mp4", pose.fps, size)
    try:
        for fr in session:
            ef = fr.engine
            try:
                if collector is not None:
                    collector.on_frame(ef, None if fr.frame is None else fr.frame.image_bgr)
                if writer is not None:
                    cues.update(ef.t_s, list(ef.events))
                    cue = cues.current
                    guidance = cue is not None and cue.is_guidance
                    hud = hud_for(
                        ef, definition, cue=None if cue is None or guidance else cue.text,
                        info=(f"{ef.t_s:6.1f} s",),
                    )  # fmt: skip
                    hud = replace(
                        hud, cue_severity="warning" if cue is None else cue.severity,
                        setup=cue.text if guidance else None,
                    )  # fmt: skip
                    writer.write_annotated(fr.frame, ef.pose, hud)
                ticker.tick()  # raises KeyboardInterrupt when asked to stop
            except KeyboardInterrupt:
                session.interrupt()  # what was seen so far is reported, marked partial
                continue
            if collector is not None:
                for event in ef.events:
                    collector.on_event(event)
    except BaseException:
        if writer is not None:
            writer.close(commit=False)
        raise
    assert session.result is not None
    if collector is not None:
        for event in session.result.end.events:
            collector.on_event(event)
    ended = session.result
    if chosen is not None and chosen.stopped:
        ended = replace(ended, interrupted=True)
    result = ended.to_dict(auto=None if chosen is None else chosen.guess.to_dict())
    video = error = None
    if writer is not None:
        try:
            with interrupts.protected():
                writer.close()
            video = "annotated.mp4" if writer.frames_written else None
        except OutputError as err:  # the video is lost, the analysis and its report are not
            error = str(err)
    return _Analysed(result, collector, video, error)


def _guess(
    pose: PoseInput, ticker: _Ticker, tmp: Path, spec: str
) -> tuple[ExerciseGuess, Path, bool]:
    """First pass of ``auto``: every candidate engine, landmarks kept in a temporary file."""
    guesser = ExerciseGuesser()
    interrupted = False
    seen = people = 0
    if pose.kind == "recording":
        replay, writer = Path(spec), None
    else:
        replay = tmp / "landmarks.jsonl"
        header = RecordingHeader(pose.name, pose.fps, pose.resolution_wh, pose.model)
        writer = RecordingWriter(replay, header)
    try:
        for frame in pose.frames:
            if writer is not None:
                writer.write(frame)
            guesser.update(frame)
            seen += 1
            people += frame.has_person
            ticker.tick()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if writer is not None:
            writer.close(commit=seen > 0)
    if seen == 0:
        raise SourceError(f"{pose.name}: no frames could be read")
    if people == 0 and not interrupted:
        raise SourceError(
            f"{pose.name}: no person found in any frame; make sure the whole body is in "
            "view and well lit"
        )
    return guesser.finish(), replay, interrupted


def _pictures(spec: str) -> Iterator[Frame]:
    with open_source(spec) as frames:
        yield from frames


def _outline_faults(exercise: ExerciseDef) -> list[str]:
    """Faults judged on the segmentation mask (a ``spine_curvature`` feature)."""
    outline = {n for n, f in exercise.features.items() if f.kind == "spine_curvature"}
    return [f.id for f in exercise.faults if any(c.feature in outline for c in f.when)]


def _finish(
    job: AnalysisJob, name: str, out: _Analysed, info: dict[str, Any], warnings: list[str],
    guess: ExerciseGuess | None, outputs: _Outputs,
) -> AnalysisOutcome:  # fmt: skip
    result = out.result
    interrupted = bool(result.get("interrupted"))
    reasons = [
        r for r, on in (("interrupted", interrupted), ("truncated", info["truncated"])) if on
    ]
    if interrupted:
        warnings.append(f"{name}: interrupted (Ctrl+C); the report covers only the part analysed")
    if guess is not None and guess.unsure:
        warnings.append(f"{name}: {guess.message}")
    exercise = guess.chosen if guess is not None else load_exercise(job.exercise)
    unjudged = _outline_faults(exercise) if info["kind"] == "recording" else []
    if unjudged:
        said = ", ".join(Words(exercise).fault(f) for f in unjudged)
        warnings.append(
            f"{name}: landmark recordings keep no body outline, so {said} "
            "cannot be judged; analyse the video for it"
        )
    status: Status = (
        "partial" if reasons else "unsure" if guess is not None and guess.unsure else "ok"
    )
    outcome = AnalysisOutcome(
        job, name, status, result=result, exercise=exercise.id, exercise_name=exercise.name,
        kind=info["kind"],
        warnings=warnings, interrupted=interrupted,
        unsure=bool(guess is not None and guess.unsure),
        auto=None if guess is None else guess.to_dict(), partial=tuple(reasons),
        output_error=out.output_error,
    )  # fmt: skip
    out_dir = outputs.open()
    if out_dir is None or out.collector is None:
        return outcome
    col = out.collector
    seen = {  # what was analysed, in the places _input_info keeps for it
        "frames": col.frames, "frames_with_person": col.frames_with_person,
        "duration_s": result["duration_s"],
    }  # fmt: skip
    t, drive = col.drive_arrays()
    files = {"html": "report.html", "csv": "reps.csv", "annotated_video": out.video}
    since, pair = _history_blocks(job, result, exercise, outputs.target)
    report = build_report(
        result, exercise, input_info={**info, **seen}, t_s=t, drive=drive,
        worst={k: (v.t_s, v.frame) for k, v in col.thumbnails.items()},
        warnings=warnings, partial_reasons=reasons, auto=outcome.auto, outputs=files,
        session=job.session, since=since, pair=pair,
    )  # fmt: skip
    plot = drive_plot_png(report, t, drive, rest=col.rest_arrays())
    write_atomic(out_dir / "reps.csv", reps_csv(report))
    _write_pages(out_dir, report, plot, col.thumbnails)
    outputs.commit()
    assert outputs.target is not None
    kept = {"plot_png": plot, "thumbnails": dict(col.thumbnails)} if pair is not None else {}
    return replace(outcome, report=report, report_path=str(outputs.target / "report.html"), **kept)


def _write_pages(
    folder: Path, report: dict[str, Any], plot: bytes | None,
    thumbnails: dict[tuple[int, str], Thumbnail],
) -> None:  # fmt: skip
    write_atomic(folder / "report.html", report_html(report, plot, thumbnails))
    write_json(folder / "report.json", report)


def rewrite_report(outcome: AnalysisOutcome, pair: dict[str, Any]) -> AnalysisOutcome:
    """Write an outcome's report.json and report.html again with another ``pair`` block (its
    other side turned up in the same batch); the folder is replaced as a set, its other files
    kept. Returns the outcome with that report. Raises :class:`OutputError` when it cannot be
    written."""
    assert outcome.report is not None and outcome.job.out_dir is not None
    report = {**outcome.report, "pair": pair}
    staged = StagedFolder(Path(outcome.job.out_dir), {"report.json", "report.html"})
    try:
        _write_pages(staged.path, report, outcome.plot_png, outcome.thumbnails or {})
        staged.commit()
    finally:
        staged.discard()
    return replace(outcome, report=report)


def _history_blocks(
    job: AnalysisJob, result: dict[str, Any], exercise: ExerciseDef, here: Path | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The "since last time" and pair blocks of a set, from the stored sets of its exercise
    (none without a recording date, i.e. without ``job.session``)."""
    side = held_side(result, exercise)
    recorded_at = (job.session or {}).get("recorded_at")
    stored = (job.history or {}).get(exercise.id, [])
    holds = exercise.hold is not None
    if recorded_at is None:
        pair = None if side is None else pair_block(result, side, None, holds=holds)
        return None, pair
    prev = previous_set(recorded_at, stored, side)
    since = None
    if prev is not None:
        when = datetime.fromisoformat(prev["recorded_at"].replace("Z", "+00:00"))
        words = when.astimezone().strftime("%Y-%m-%d %H:%M")
        since = since_last_time(result, prev["result"], exercise, words, side=side)
    pair = None
    if side is not None:
        partner = history_partner(side, recorded_at, stored)
        pair = pair_block(result, side, partner, holds=holds, here=here)
    return since, pair
