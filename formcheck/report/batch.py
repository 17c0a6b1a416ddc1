"""Many inputs: expand folders, give each input its own output folder, run the jobs in order or
in worker processes, and keep going past bad files.

``run_batch(jobs, workers=N)`` returns one :class:`AnalysisOutcome` per job, in job order,
whatever order they finished in. With ``workers > 1`` the jobs run in spawned processes (safe
on every OS, nothing inherited by fork); each worker loads its own pose model once and keeps it
for its next inputs (:mod:`formcheck.pose.kept`). Every job is independent and
deterministic, so the outcomes are the same as with one worker.

``pair_one_sided(outcomes)`` then pairs the videos that hold one side of a one-side-at-a-time
exercise with the batch's video of the other side (same exercise and recording day; see
:mod:`formcheck.report.pairs`) and writes their reports again, each saying where the other is.

Ctrl+C: with one worker the current analysis stops where it is and is reported as partial;
with several, the parent asks every worker to stop (their SIGINT is ignored so that a worker
never dies between frames), the running analyses are reported as partial and the jobs not yet
started are returned as "not analysed". Either way ``run_batch`` returns normally.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import re
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

from formcheck import interrupts
from formcheck.errors import OutputError
from formcheck.recording import is_recording_path
from formcheck.report.job import (
    AnalysisJob,
    AnalysisOutcome,
    JobProgress,
    rewrite_report,
    run_job,
)
from formcheck.report.pairs import Partner, batch_pairs, local_day, pair_block
from formcheck.sources import VIDEO_EXTENSIONS

__all__ = ["expand_inputs", "out_dirs", "output_stem", "pair_one_sided", "run_batch"]


def _name_key(path: Path) -> list[tuple[int, int | str]]:
    parts = re.split(r"(\d+)", path.name.casefold())
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts if p]


def _analysable(path: Path) -> bool:
    if path.name.startswith(".") or not path.is_file():
        return False
    return path.suffix.lower() in VIDEO_EXTENSIONS or is_recording_path(path)


def expand_inputs(paths: Iterable[str | Path]) -> list[str]:
    """Files in the order given; each folder as its videos and landmark recordings in natural
    name order (``set2`` before ``set10``); repeats dropped. A path that does not exist, or a
    folder with nothing to analyse, is kept as it is: its job fails with a clear message."""
    out: list[str] = []
    seen: set[str] = set()
    for item in paths:
        path = Path(item).expanduser()
        found = (
            sorted((p for p in path.iterdir() if _analysable(p)), key=_name_key)
            if path.is_dir()
            else []
        )
        for p in found or [path]:
            key = str(p.resolve()) if p.exists() else str(p)
            if key not in seen:
                seen.add(key)
                out.append(str(p) if found else str(item))
    return out


def output_stem(path: str | Path) -> str:
    """The name of an input's output folder: its file name without ``.mp4``/``.jsonl.gz``."""
    name = Path(path).name
    for suffix in (".jsonl.gz", ".jsonl"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "input"
    return Path(name).stem or "input"


def out_dirs(
    inputs: Sequence[str | Path], root: str | Path, kept: Mapping[str, str] | None = None
) -> list[Path]:
    """``root/<stem>`` for each input; a stem used twice gets ``-2``, ``-3``... An input in
    ``kept`` (input -> folder name, from an earlier run of the batch) keeps its folder."""
    kept = kept or {}
    used: set[str] = {kept[str(i)].casefold() for i in inputs if str(i) in kept}
    dirs = []
    for item in inputs:
        if str(item) in kept:
            dirs.append(Path(root) / kept[str(item)])
            continue
        stem = base = output_stem(item)
        k = 1
        while stem.casefold() in used:
            k += 1
            stem = f"{base}-{k}"
        used.add(stem.casefold())
        dirs.append(Path(root) / stem)
    return dirs


def _not_analysed(job: AnalysisJob) -> AnalysisOutcome:
    return AnalysisOutcome(
        job, Path(job.input).name, "not analysed",
        error="interrupted before this input was analysed", exit_code=130, interrupted=True,
    )  # fmt: skip


# -- worker processes -------------------------------------------------------------------------
_STOP: Any = None
_QUEUE: Any = None


def _init_worker(stop: Any, progress: Any) -> None:
    global _STOP, _QUEUE
    from formcheck.pose.kept import keep_models
    from formcheck.pose.thread import share_cores

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    keep_models()  # one pose model per worker, from one input to the next
    share_cores()  # one worker per core: the model on the worker's own thread
    _STOP, _QUEUE = stop, progress


def _work(job: AnalysisJob) -> AnalysisOutcome:
    if _STOP is not None and _STOP.is_set():
        return _not_analysed(job)
    report = None if _QUEUE is None else _QUEUE.put
    return run_job(job, on_progress=report, should_stop=_STOP.is_set if _STOP else None)


def run_batch(
    jobs: Sequence[AnalysisJob],
    *,
    workers: int = 1,
    on_progress: Callable[[JobProgress], None] | None = None,
    on_outcome: Callable[[AnalysisOutcome], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> list[AnalysisOutcome]:
    """Run ``jobs`` (their ``index`` must be their position) and return their outcomes."""
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if workers == 1 or len(jobs) <= 1:
        return _in_process(jobs, on_progress, on_outcome, notify)
    return _in_workers(jobs, min(workers, len(jobs)), on_progress, on_outcome)


def _in_process(
    jobs: Sequence[AnalysisJob],
    on_progress: Callable[[JobProgress], None] | None,
    on_outcome: Callable[[AnalysisOutcome], None] | None,
    notify: Callable[[str], None] | None,
) -> list[AnalysisOutcome]:
    outcomes: list[AnalysisOutcome] = []
    for job in jobs:
        if (outcomes and outcomes[-1].interrupted) or interrupts.requested():
            outcomes.append(_not_analysed(job))
            continue
        try:
            outcome = run_job(job, on_progress=on_progress, notify=notify)
        except KeyboardInterrupt:  # outside the frame loop: while opening or writing
            outcome = _not_analysed(job)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _in_workers(
    jobs: Sequence[AnalysisJob],
    workers: int,
    on_progress: Callable[[JobProgress], None] | None,
    on_outcome: Callable[[AnalysisOutcome], None] | None,
) -> list[AnalysisOutcome]:
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    progress = ctx.Queue() if on_progress is not None else None
    done = threading.Event()

    def pump() -> None:  # forwards the workers' progress to the caller, in this process
        while not done.is_set() or (progress is not None and not progress.empty()):
            try:
                msg = progress.get(timeout=0.1)  # type: ignore[union-attr]
            except (queue.Empty, OSError, EOFError):
                continue
            on_progress(msg)  # type: ignore[misc]

    pumper = threading.Thread(target=pump, daemon=True) if progress is not None else None
    if pumper is not None:
        pumper.start()
    outcomes: dict[int, AnalysisOutcome] = {}
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(stop, progress)
    )
    futures: dict[Future, AnalysisJob] = {}
    try:
        futures = {pool.submit(_work, job): job for job in jobs}
        try:
            for fut in as_completed(futures):
                _collect(fut, futures[fut], outcomes, on_outcome)
        except KeyboardInterrupt:
            stop.set()
            for fut in futures:
                fut.cancel()
            for fut, job in futures.items():
                if job.index not in outcomes:
                    _collect(fut, job, outcomes, on_outcome)
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        done.set()
        if pumper is not None:
            pumper.join(timeout=2.0)
        if progress is not None:
            progress.close()
    return [outcomes.get(job.index) or _not_analysed(job) for job in jobs]


def _collect(
    fut: Future, job: AnalysisJob, outcomes: dict[int, AnalysisOutcome],
    on_outcome: Callable[[AnalysisOutcome], None] | None,
) -> None:  # fmt: skip
    if fut.cancelled():
        outcome = _not_analysed(job)
    else:
        try:
            outcome = fut.result()
        except (BrokenProcessPool, OSError) as err:  # a worker that died (killed, no memory)
            outcome = AnalysisOutcome(
                job, Path(job.input).name, "failed", exit_code=1,
                error=f"the worker analysing {Path(job.input).name} failed: {err}",
            )  # fmt: skip
    outcomes[job.index] = outcome
    if on_outcome is not None:
        on_outcome(outcome)


def pair_one_sided(
    outcomes: Sequence[AnalysisOutcome],
) -> tuple[list[AnalysisOutcome], list[tuple[str, str]]]:
    """Pair the batch's one-sided videos (see :mod:`formcheck.report.pairs`) and write each
    paired report again, saying where the other side is. Returns the outcomes (a paired one
    with its new report) and the pairs' input names (the left side's first). A report that
    cannot be written again keeps its first version, with a warning, and its outcome's
    ``output_error`` set."""
    sided = [
        o for o in outcomes
        if o.report is not None and o.report.get("pair") and o.report.get("session")
        and o.job.out_dir is not None
    ]  # fmt: skip
    items = [
        (o.report["pair"]["side"], o.report["session"]["recorded_at"],  # type: ignore[index]
         f"{o.exercise}|{local_day(o.report['session']['recorded_at'])}")  # type: ignore[index]
        for o in sided
    ]  # fmt: skip
    pairs = batch_pairs(items)
    rewritten: dict[int, AnalysisOutcome] = {}
    for i, j in pairs.items():
        me, other = sided[i], sided[j]
        assert me.report is not None and other.report is not None
        partner = Partner(
            other.result or {}, other.name, other.report["session"]["recorded_at"],
            other.report_path,
        )  # fmt: skip
        block = pair_block(
            me.result or {}, me.report["pair"]["side"], partner,
            holds=bool(me.report["exercise"].get("holds")), here=me.job.out_dir,
        )  # fmt: skip
        try:
            rewritten[id(me)] = rewrite_report(me, block)
        except OutputError as err:
            said = f"{me.name}: its report does not say where the other side is: {err}"
            rewritten[id(me)] = replace(me, output_error=said, warnings=[*me.warnings, said])
    names = [
        (sided[i].name, sided[j].name)
        for i, j in pairs.items()
        if sided[i].report["pair"]["side"] == "left"  # type: ignore[index]
    ]
    return [rewritten.get(id(o), o) for o in outcomes], names
