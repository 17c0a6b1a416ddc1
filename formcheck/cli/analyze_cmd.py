"""``formcheck analyze``: reps, holds and faults in videos and landmark recordings, with reports.

One input prints its summary (or, with ``--json``, one JSON object: the ``formcheck.result``
contract); several print one summary each (``--json``: a list). With ``-o OUTDIR`` every input
gets ``OUTDIR/<name>/report.json``, ``report.html`` and ``reps.csv`` (``--annotate``: also
``annotated.mp4``), and a batch gets ``OUTDIR/index.html``. A bad input does not stop a batch:
it is listed at the end and the exit code is not 0. An input's folder is replaced as a set
(:class:`formcheck.atomic.StagedFolder`); the index is written last, after the summaries are
printed and the sessions saved, so a full disk there loses nothing else.

Exit codes: 0 fine; the error's own code (2 a bad input, 3 the model, 4 an output) when an
input failed, 1 when inputs failed for different reasons; 4 also when every input was analysed
but a file asked for (the annotated video, the index) was not written; 6 when
``--exercise auto`` was unsure about an input; 130 after Ctrl+C (the reports finished so far,
and a partial report of the input being analysed, are written; a second Ctrl+C does not cut
that write short).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from typer.core import TyperCommand

from formcheck.cli.common import (
    HistoryOption,
    ModelOption,
    ProfileOption,
    console,
    download_progress,
    err_console,
    is_mannequin,
    mannequin_not_saved,
    notice,
    save_to_history,
)
from formcheck.cli.resume import BatchBook
from formcheck.cli.summary import print_summary
from formcheck.engine import ExerciseDef, load_exercise
from formcheck.errors import FormcheckError, OutputError
from formcheck.interrupts import graceful_sigint
from formcheck.recorded import (
    RecordedValueError,
    file_hash,
    parse_recorded,
    recorded_words,
    recording_time,
)
from formcheck.recording import is_recording_path
from formcheck.report import AnalysisJob, AnalysisOutcome, JobProgress, expand_inputs, out_dirs
from formcheck.report.batch import pair_one_sided, run_batch

EXIT_UNSURE = 6


def analyze_cmd(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Video files, folders of videos, landmark recordings (.jsonl[.gz]) or images.",
            metavar="PATH...",
        ),
    ],
    exercise: Annotated[
        str,
        typer.Option(
            "--exercise",
            "-e",
            help="Exercise id, alias or .toml definition; 'auto' chooses from the catalogue.",
        ),
    ],  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="OUTDIR",
            help="Write OUTDIR/<name>/report.json, report.html and reps.csv for each input "
            "(and OUTDIR/index.html for several).",
        ),
    ] = None,  # fmt: skip
    annotate: Annotated[
        bool,
        typer.Option("--annotate", help="Also write annotated.mp4 (skeleton, counter, cues)."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=1, help="Analyse this many inputs at once."),
    ] = 1,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the result contract as JSON (a list for several inputs)."
        ),
    ] = False,
    model: ModelOption = "full",
    profile: ProfileOption = "default",
    recorded: Annotated[
        str,
        typer.Option(
            "--recorded",
            metavar="DATE|auto",
            help="When the set was filmed: a date (2026-11-28, 2026-11-28T10:15) or auto "
            "(the video's creation time, else the file's modification time).",
        ),
    ] = "auto",
    note: Annotated[
        str | None,
        typer.Option("--note", help="A note for the report and the history (what was seen, pain)."),
    ] = None,
    keep_both: Annotated[
        bool,
        typer.Option(
            "--keep-both",
            help="Keep the history session of an earlier analysis of the same file (by default "
            "re-analysing a file replaces it).",
        ),
    ] = False,
    history: HistoryOption = None,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="Run one Ray task per input: on a new Ray instance on this machine, or on the "
            "cluster at the ADDRESS given after it (--ray auto, --ray=ray://host:port, "
            "--ray host:port). Needs the extra formcheck\\[ray].",
        ),
    ] = False,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", hidden=True, help="What --ray=ADDRESS is read as."),
    ] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed", help="With -o: analyse again the inputs that failed last time."
        ),
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="With -o: analyse every input again, also those an earlier run finished.",
        ),
    ] = False,
) -> None:
    """Analyse recorded sets: reps (per side), holds, faults with evidence; reports with -o.

    Each analysed set is saved to the training history (see `formcheck history`) unless
    --no-history is given, dated by when it was recorded; the report compares it with the
    same profile's previous set of the exercise. The mannequin's sets (the bundled samples)
    are saved only with --history.

    With -o, OUTDIR/manifest.jsonl notes every input analysed: running the same command
    again skips the inputs already analysed (same file, formcheck, model and settings) and
    finishes the rest."""
    address = None
    if ray or ray_address is not None:
        if workers != 1:
            raise typer.BadParameter("give --workers or --ray, not both", param_hint="--ray")
        inputs, address = _ray_address(inputs, ray_address)
        ray = True
        from formcheck.report.on_ray import require_ray

        require_ray(address)
    if annotate and out is None:
        typer.echo("formcheck: error: --annotate writes a video: give -o OUTDIR too", err=True)
        raise typer.Exit(2)
    try:
        given = parse_recorded(recorded)
    except RecordedValueError as err:
        raise typer.BadParameter(str(err), param_hint="--recorded") from None
    who = _Who(profile, given, note, keep_both, history is False, save_mannequin=bool(history))
    how = _How(workers, "local" if ray and address is None else address, retry_failed, again)
    how.settings = {
        "exercise": exercise, "annotate": annotate, "profile": profile,
        "recorded": recorded if given is None else _utc_iso(given), "note": note,
        "history": history is not False,
    }  # fmt: skip
    with graceful_sigint():  # Ctrl+C stops the analysis, never the saving of what was done
        code = _analyze(inputs, exercise, out, annotate, how, as_json, model, who)
    raise typer.Exit(code)


_ADDRESS = re.compile(r"^(auto|local|ray://[\w.-]+:\d+|[\w.-]+:\d+)$")
_ADDRESS_WORDS = "auto, ray://HOST:PORT or HOST:PORT (--ray alone: a Ray instance on this machine)"


class AnalyzeCommand(TyperCommand):
    """``analyze``, where ``--ray=ADDRESS`` means ``--ray ADDRESS``: click has flags and options
    with a value, not a flag whose value may follow; so the command line's ``--ray=ADDRESS`` is
    read as ``--ray --ray-address ADDRESS`` (hidden), and ``--ray ADDRESS`` by
    :func:`_ray_address`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _ray_equals(args))


def _ray_equals(args: list[str]) -> list[str]:
    out: list[str] = []
    for k, arg in enumerate(args):
        if arg == "--":  # what follows is inputs only
            return out + args[k:]
        if not arg.startswith("--ray="):
            out.append(arg)
            continue
        address = arg.removeprefix("--ray=")
        if not _ADDRESS.match(address):
            raise typer.BadParameter(
                f"{address!r} is not a Ray address: give {_ADDRESS_WORDS}", param_hint="--ray"
            )
        out += ["--ray-address", address]
    return out


def _ray_address(inputs: list[str], given: str | None = None) -> tuple[list[str], str | None]:
    """``--ray [ADDRESS]``: the address is ``given`` (``--ray=ADDRESS``) or the word after
    ``--ray`` (``auto``, ``ray://host:port``, ``host:port``), which the command line hands over
    as an input; a file or folder of that name stays an input."""
    found = [i for i in inputs if _ADDRESS.match(i) and not Path(i).exists()]
    if given is not None:
        found.insert(0, given)
    if len(found) > 1:
        raise typer.BadParameter(
            f"give one Ray address, not {len(found)} ({', '.join(found)})", param_hint="--ray"
        )
    rest = [i for i in inputs if i not in found]
    if not rest:
        raise typer.BadParameter("give the inputs to analyse too", param_hint="--ray")
    address = found[0] if found else None
    return rest, None if address == "local" else address


@dataclass
class _How:
    """How the batch runs: workers or Ray (``ray`` None: not on Ray; "local" or an address),
    and what a rerun does with what an earlier run finished."""

    workers: int
    ray: str | None
    retry_failed: bool
    again: bool
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Who:
    """Who the sets are of and what the user said about them; and, per input, when it was
    recorded, its content hash and the stored sets to compare and pair it with."""

    profile: str
    given: datetime | None
    note: str | None
    keep_both: bool
    no_history: bool
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    save_mannequin: bool = False  # --history: the mannequin's sets (the samples) are saved too

    def learn(self, path: str, exercise: str | None) -> None:
        """Date, hash and stored sets of one input, of ``exercise`` (None: ``auto``, every
        exercise's); nothing for a path that does not exist: its analysis fails with the
        message."""
        p = Path(path)
        if not p.is_file():
            return
        when, source = (self.given, "given") if self.given is not None else recording_time(p)
        kind = "recording" if is_recording_path(p) else "video"
        facts: dict[str, Any] = {
            "started_at": when, "recorded_from": source, "content_hash": file_hash(p),
            "synthetic": kind == "recording" and _synthetic(p),
        }  # fmt: skip
        facts["session"] = {
            "profile": self.profile,
            "recorded_at": _utc_iso(when),
            "recorded_from": source,
            "recorded": recorded_words(source, kind),
            "note": self.note,
        }
        facts["history"] = self._stored(exercise, facts)
        self.facts[path] = facts

    def _stored(self, exercise: str | None, facts: dict[str, Any]) -> dict[str, list] | None:
        """The profile's stored sets recorded before this one or on its day, by exercise
        (see :meth:`formcheck.store.History.comparable_sessions`)."""
        if self.no_history:
            return None
        from formcheck.store import open_history

        try:
            with open_history() as history:
                stored = history.comparable_sessions(
                    profile=self.profile, recorded_at=facts["started_at"], exercise=exercise,
                    content_hash=facts["content_hash"],
                )  # fmt: skip
        except FormcheckError:
            return None  # no history to compare with: the report just has no such block
        out: dict[str, list] = {}
        for s in stored:
            out.setdefault(s.info.exercise, []).append({
                "result": s.result, "recorded_at": _utc_iso(s.info.started_at),
                "source": s.info.source, "report_path": s.info.report_path,
                "session_id": s.info.id,
            })  # fmt: skip
        return out

    def save(self, o: AnalysisOutcome) -> None:
        facts = self.facts.get(o.job.input, {})
        save_to_history(
            o.result, source_kind=o.kind, profile=self.profile, report_path=o.report_path,
            partial=o.partial, notes=self.note, unsure=o.unsure,
            replace=not self.keep_both,
            **{k: facts[k] for k in ("started_at", "recorded_from", "content_hash", "synthetic")
               if k in facts},
        )  # fmt: skip


def _utc_iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _synthetic(path: Path) -> bool:
    """A landmark recording of the synthetic mannequin (the bundled samples, renders)."""
    from formcheck.recording import RecordingSource

    try:
        with RecordingSource(path) as rec:
            return rec.header.model == "synthetic"
    except FormcheckError:
        return False


def _analyze(
    inputs: list[str], exercise: str, out: Path | None, annotate: bool, how: _How,
    as_json: bool, model: str, who: _Who,
) -> int:  # fmt: skip
    auto = exercise.strip().lower() == "auto"
    exercise_id = None if auto else load_exercise(exercise).id  # a bad name fails here, once
    paths = expand_inputs(inputs)
    _provision_model(paths, model)
    for p in paths:
        who.learn(p, exercise_id)
    out_existed = out is not None and out.exists()
    book = BatchBook(
        out, paths, settings=how.settings, facts=who.facts, model=model, again=how.again,
        retry_failed=how.retry_failed,
    )  # fmt: skip
    dirs = out_dirs(paths, out, book.folders()) if out is not None else [None] * len(paths)
    folder = dict(zip(paths, dirs, strict=True))
    jobs = [
        AnalysisJob(
            p,
            exercise,
            None if folder[p] is None else str(folder[p]),
            annotate,
            model,
            i,
            session=who.facts.get(p, {}).get("session"),
            history=who.facts.get(p, {}).get("history"),
        )  # fmt: skip
        for i, p in enumerate(book.to_run())
    ]
    _said_skipped(book)
    book.start()
    left_out: list[str] = []

    def save(o: AnalysisOutcome) -> None:  # the driver saves every session: one writer
        if who.no_history or o.result is None or o.status not in ("ok", "partial", "unsure"):
            return
        if not who.save_mannequin and is_mannequin(o.job.input):
            left_out.append(o.name)  # a first try on a bundled sample is not a session
            return
        who.save(o)  # an unsure guess is kept too, marked, and left out of progress

    code = 0
    skipped = len(paths) - len(jobs)
    with _BatchProgress(len(jobs), skipped=skipped, per_input=how.ray is None) as bar:

        def arrived(o: AnalysisOutcome) -> None:
            nonlocal code
            bar.done(o)
            try:
                book.record(o, save)
            except OutputError as err:  # the report is there; a rerun analyses it again
                typer.echo(f"formcheck: error: the batch manifest was not written: {err}", err=True)
                code = code or err.exit_code

        if how.ray is not None:
            from formcheck.report.on_ray import run_on_ray

            outcomes = run_on_ray(
                jobs, address=None if how.ray == "local" else how.ray, on_outcome=arrived,
            )  # fmt: skip
        else:
            outcomes = run_batch(
                jobs, workers=how.workers, on_progress=bar.update, on_outcome=arrived,
                notify=notice,
            )  # fmt: skip
    outcomes, paired = pair_one_sided(outcomes)
    for left, right in paired:
        notice(f"{left} and {right} hold one side each: their reports judge left against right")
    single = len(paths) == 1 and len(jobs) == 1
    code = _report(outcomes, as_json, single=single) or code
    code = code or _skipped_failed_code(book)
    mannequin_not_saved(left_out)
    if out is not None and len(paths) > 1:  # last: a full disk here loses nothing printed or saved
        try:
            book.finish()
            notice(f"index of the reports: {book.overview()}")
        except OutputError as err:
            typer.echo(f"formcheck: error: the batch index was not written: {err}", err=True)
            code = code or err.exit_code
    if out is not None and not out_existed:
        with contextlib.suppress(OSError):
            out.rmdir()  # only if empty: no folder left behind by a batch that wrote nothing
    return code


def _said_skipped(book: BatchBook) -> None:
    """One line each for the inputs an earlier run finished and those it could not analyse."""

    def names(recs: list) -> str:
        shown = ", ".join(Path(r.input).name for r in recs[:5])
        return shown + (f" and {len(recs) - 5} more" if len(recs) > 5 else "")

    if book.skipped:
        notice(
            f"skipped {len(book.skipped)} input(s) analysed by an earlier run into this folder "
            f"(same file, formcheck, model and settings; --again analyses them again): "
            f"{names(book.skipped)}"
        )
    if book.skipped_failed:
        notice(
            f"skipped {len(book.skipped_failed)} input(s) that failed in an earlier run "
            f"(--retry-failed tries them again): {names(book.skipped_failed)}"
        )


def _skipped_failed_code(book: BatchBook) -> int:
    codes = {r.exit_code or 1 for r in book.skipped_failed}
    return 0 if not codes else codes.pop() if len(codes) == 1 else 1


def _provision_model(paths: list[str], model: str) -> None:
    """Fetch the pose model once, up front, if any existing input needs it."""
    if any(Path(p).exists() and not is_recording_path(p) for p in paths):
        from formcheck.pose.provision import resolve_model

        with download_progress() as dl:
            resolve_model(model, notify=notice, progress=dl)


def _definition(o: AnalysisOutcome) -> ExerciseDef | None:
    """The definition an outcome was analysed with (for its words), None if it is gone."""
    given = o.job.exercise
    name = o.exercise if given.strip().lower() == "auto" else given
    try:
        return None if name is None else load_exercise(name)
    except FormcheckError:
        return None


def _report(outcomes: list[AnalysisOutcome], as_json: bool, *, single: bool) -> int:
    """Print what happened; returns the exit code."""
    failed = [o for o in outcomes if o.status in ("failed", "not analysed")]
    if single and failed:
        typer.echo(f"formcheck: error: {failed[0].error}", err=True)
        return failed[0].exit_code or 1
    for o in outcomes:
        for warning in o.warnings:
            # what a landmark recording cannot show is a fact about the input, not a problem
            kind = "note" if "cannot be judged" in warning else "warning"
            notice(f"{kind}: {warning}")
    if as_json:
        items = [
            o.result if o.result is not None
            else {"source": o.name, "status": o.status, "error": o.error}
            for o in outcomes
        ]  # fmt: skip
        typer.echo(json.dumps(items[0] if single else items, indent=2))
    else:
        for o in outcomes:
            if o.result is not None:
                print_summary(o.result, o.exercise_name, _definition(o))
                if o.auto is not None:
                    style = "bold yellow" if o.unsure else "cyan"
                    console.print(
                        f"[{style}]exercise (auto): {o.auto['message']}[/]", soft_wrap=True
                    )
                if o.report_path:
                    console.print(f"report: {o.report_path}", soft_wrap=True, highlight=False)
    if failed:
        err_console.print(
            f"[bold red]formcheck: {len(failed)} of {len(outcomes)} inputs were not analysed:[/]",
            highlight=False,
        )
        for o in failed:
            err_console.print(f"  {o.name}: {o.error}", highlight=False, soft_wrap=True)
    if any(o.interrupted for o in outcomes):
        return 130
    if failed:
        codes = {o.exit_code or 1 for o in failed}
        return codes.pop() if len(codes) == 1 else 1
    if any(o.output_error for o in outcomes):  # the analysis is there, a file asked for is not
        return OutputError.exit_code
    return EXIT_UNSURE if any(o.unsure for o in outcomes) else 0


class _FpsColumn(ProgressColumn):
    """Frames a second for an input; inputs a minute for the batch."""

    def render(self, task) -> Text:  # noqa: ANN001 - rich's Task
        speed = task.finished_speed or task.speed
        if task.fields.get("overall"):
            text = f"{speed * 60:5.1f}/min" if speed else "    -/min"  # inputs a minute
            return Text(text, style="progress.data.speed")
        return Text(f"{speed:5.1f} fps" if speed else "    - fps", style="progress.data.speed")


class _BatchProgress:
    """On stderr, and off when stderr is not a terminal: a bar per input being analysed here
    (frames, fps, time left; ``per_input``) and, for a batch, one bar for all of them, fed as
    results arrive: done / failed / skipped, inputs a minute and time left."""

    def __init__(self, total: int, *, skipped: int = 0, per_input: bool = True) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _FpsColumn(),
            TimeRemainingColumn(), console=err_console, transient=True,
            disable=not err_console.is_terminal,
        )  # fmt: skip
        self.overall: TaskID | None = None
        self.total, self.skipped, self.per_input = total, skipped, per_input
        self.ok = self.failed = 0
        self.tasks: dict[int, TaskID] = {}

    def __enter__(self) -> _BatchProgress:
        self.bar.__enter__()
        if self.total + self.skipped > 1:
            self.overall = self.bar.add_task(self._words(), total=self.total, overall=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def _words(self) -> str:
        return f"[bold]batch[/] {self.ok} done, {self.failed} failed, {self.skipped} skipped"

    def update(self, p: JobProgress) -> None:
        if not self.per_input:
            return
        label = (p.name if len(p.name) <= 28 else p.name[:27] + "…") + (
            " (report)" if p.phase == "reporting" else ""
        )
        task = self.tasks.get(p.index)
        if task is None:
            task = self.tasks[p.index] = self.bar.add_task(label, total=p.total)
        if p.finished:
            self.bar.remove_task(task)
            return
        if p.done == 0:
            self.bar.reset(task, total=p.total, description=label)
        self.bar.update(task, completed=p.done, total=p.total, description=label)

    def done(self, outcome: AnalysisOutcome) -> None:
        task = self.tasks.pop(outcome.job.index, None)
        if task is not None and task in self.bar.task_ids:
            self.bar.remove_task(task)
        if outcome.status in ("failed", "not analysed"):
            self.failed += 1
        else:
            self.ok += 1
        if self.overall is not None:
            self.bar.update(self.overall, advance=1, description=self._words())
