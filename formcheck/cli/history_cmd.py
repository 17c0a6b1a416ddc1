"""``formcheck history`` and ``formcheck progress``: the training history and progress over time.

The work is done by :mod:`formcheck.store`; this module parses arguments and talks (rich
tables, one-line summaries). Library errors pass through to the app's one-line error handler.

Sessions are listed, dated and plotted by when they were recorded (``started_at``); `show`
says where that date came from. Sessions of the synthetic mannequin and unsure
``--exercise auto`` guesses are marked in `list` and left out of `progress` unless
``--synthetic`` / ``--unsure`` take them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from formcheck.atomic import write_atomic
from formcheck.cli.common import console
from formcheck.cli.tables import print_table
from formcheck.engine.words import words_for
from formcheck.errors import FormcheckError, HistoryError, OutputError
from formcheck.recorded import recorded_words
from formcheck.store import SessionInfo, load_progress, open_history

__all__ = ["history_app"]

# Why a session covers only part of its set, in words (see formcheck.store.schema).
_PARTIAL_WORDS = {
    "interrupted": "interrupted (stopped before the set ended)",
    "truncated": "the video file ended early",
}
_SYNTHETIC_MARK = " (synthetic)"
_UNSURE_MARK = "?"
_SYNTHETIC_LEGEND = (
    "(synthetic): a recording of the synthetic mannequin, not a person; progress leaves it out "
    "unless given --synthetic"
)
_UNSURE_LEGEND = (
    "? exercise guessed, unsure (--exercise auto); progress leaves it out unless given --unsure"
)
# On a terminal, a source longer than what is left of the width beside the other columns
# (about 68 characters of them), but at least 12 and at most 28, is shortened in the middle.
_SOURCE_WIDTH = (12, 28)
_OTHER_COLUMNS = 68

history_app = typer.Typer(
    help="Your training history: every saved set, per profile. Without a command: list.",
    invoke_without_command=True,
)

ProfileOpt = Annotated[
    str | None, typer.Option("--profile", "-p", help="Only this profile (default: all).")
]
ExerciseOpt = Annotated[
    str | None, typer.Option("--exercise", "-e", help="Only this exercise (id or alias).")
]
SinceOpt = Annotated[
    datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d"], help="Only sessions from this day on (local)."),
]


@dataclass(frozen=True)
class _Filters:
    profile: str | None = None
    exercise: str | None = None
    since: datetime | None = None

    def merged(self, profile: str | None, exercise: str | None, since: datetime | None) -> _Filters:
        """Options given after the subcommand win over those given before it."""
        return _Filters(
            profile if profile is not None else self.profile,
            _exercise_id(exercise) if exercise is not None else self.exercise,
            since if since is not None else self.since,
        )

    def kwargs(self) -> dict[str, Any]:
        return {"profile": self.profile, "exercise": self.exercise, "since": self.since}

    def describe(self) -> str:
        parts = [f"profile {self.profile}"] if self.profile else []
        parts += [f"exercise {self.exercise}"] if self.exercise else []
        parts += [f"since {self.since:%Y-%m-%d}"] if self.since else []
        return " (" + ", ".join(parts) + ")" if parts else ""


@history_app.callback()
def history_root(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    exercise: ExerciseOpt = None,
    since: SinceOpt = None,
) -> None:
    """Your training history: list, show, export, import and delete saved sessions."""
    ctx.obj = _Filters().merged(profile, exercise, since)
    if ctx.invoked_subcommand is None:
        _list(ctx.obj)


@history_app.command("list")
def list_cmd(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    exercise: ExerciseOpt = None,
    since: SinceOpt = None,
) -> None:
    """Saved sessions in the order they were recorded: date, profile, exercise, source, reps,
    mean hold, faults (`show ID` has every rep). Reps marked * are of a partial set, an
    exercise marked ? was guessed unsure, a source marked (synthetic) is the mannequin."""
    _list(_filters(ctx).merged(profile, exercise, since))


@history_app.command("show")
def show_cmd(
    session_id: Annotated[int, typer.Argument(metavar="ID", help="Session id (see `list`).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stored result (formcheck.result JSON).")
    ] = False,
) -> None:
    """One session: when, what, every rep with its hold and faults, and the evidence."""
    import json

    with open_history() as history:
        stored = history.get(session_id)
    if as_json:
        typer.echo(json.dumps(stored.result, indent=2, ensure_ascii=False))
        return
    s, result = stored.info, stored.result
    _say(f"session {s.id}: {s.exercise}, profile {s.profile}")
    _say(f"recorded {_recorded(s)} ({recorded_words(s.recorded_from, s.source_kind)})")
    routine = f"; routine {s.routine}" if s.routine else ""
    _say(f"{s.source} ({s.source_kind}), {s.duration_s:.1f} s, {s.reps} reps{routine}")
    if s.report_path:
        _say(f"report: {s.report_path}")
    if s.synthetic:
        _say("synthetic: a recording of the synthetic mannequin; progress leaves it out")
    if s.unsure:
        _say("unsure: --exercise auto guessed the exercise and was unsure; progress leaves it out")
    if s.partial:
        _say(f"partial: {_partial_words(s.partial)}; the reps below are not the whole set")
    if s.notes:
        _say(f"notes: {s.notes}")
    if not result["reps"]:
        return
    words = words_for(s.exercise)
    table = Table(header_style="bold")
    for col in ("rep", "side", "time", "hold", "range", "faults"):
        table.add_column(col)
    for r in result["reps"]:
        hold = "" if r.get("hold_s") is None else f"{r['hold_s']:.1f} s"
        if r.get("hold_met") is False:
            hold += " (short)"
        table.add_row(
            f"{r['index']}" + (" ?" if r.get("uncertain") else ""),
            f"{r['side']} {r['side_index']}",
            f"{r['start_s']:.1f}-{r['end_s']:.1f} s",
            hold,
            "" if r.get("range") is None else f"{r['range']:.1f}",
            ", ".join(words.fault(f) for f in r.get("faults", [])),
        )
    console.print(table)
    for r in result["reps"]:
        for e in r.get("evidence", []):
            _say(f"{words.fault(e['fault'])}: {words.evidence(e, rep=r['index'])}")


@history_app.command("export")
def export_cmd(
    ctx: typer.Context,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="One row per session, for spreadsheets.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Complete and importable (the default).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")
    ] = None,
    profile: ProfileOpt = None,
    exercise: ExerciseOpt = None,
    since: SinceOpt = None,
) -> None:
    """Export sessions as JSON (importable) or CSV, to stdout or a file."""
    if as_csv and as_json:
        raise typer.BadParameter("give --csv or --json, not both")
    filters = _filters(ctx).merged(profile, exercise, since)
    with open_history() as history:
        text = history.export("csv" if as_csv else "json", **filters.kwargs())
    if output is None:
        typer.echo(text, nl=False)
        return
    write_atomic(output, text.encode("utf-8"))
    console.print(f"wrote {output}", highlight=False, soft_wrap=True)


@history_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="A JSON export (`formcheck history export`).")],
) -> None:
    """Add the sessions of a JSON export; sessions already present are skipped."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or "not UTF-8 text"
        raise HistoryError(f"cannot read {file}: {why}") from None
    with open_history() as history:
        added, skipped = history.import_json(text, name=str(file))
    present = f", {skipped} already present" if skipped else ""
    _say(f"imported {added} session(s) from {file}{present}")


@history_app.command("delete")
def delete_cmd(
    session_id: Annotated[int, typer.Argument(metavar="ID", help="Session id (see `list`).")],
) -> None:
    """Delete one session with its reps and faults."""
    with open_history() as history:
        s = history.delete(session_id)
    _say(f"deleted session {s.id} ({s.exercise}, {_local(s.started_at)}, profile {s.profile})")


def progress_cmd(
    exercise: ExerciseOpt = None,
    profile: ProfileOpt = None,
    since: SinceOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also plot to FILE.html or FILE.png.")
    ] = None,
    synthetic: Annotated[
        bool,
        typer.Option("--synthetic", help="Take in the synthetic mannequin's sessions too."),
    ] = False,
    unsure: Annotated[
        bool,
        typer.Option("--unsure", help="Take in sessions whose exercise was guessed unsure."),
    ] = False,
) -> None:
    """Progress over the weeks, per exercise, by recording date: the first third of the
    sessions against the last. Synthetic and unsure sessions are left out unless asked.

    With -o FILE, plots of reps, hold against target, fault rate and range of motion."""
    kind = _plot_kind(output) if output is not None else None
    filters = _Filters().merged(profile, exercise, since)
    with open_history() as history:
        progress = load_progress(
            history, **filters.kwargs(), include_synthetic=synthetic, include_unsure=unsure
        )
        everything = history.list_sessions(**filters.kwargs())
        path = history.path
    left_out = _left_out(everything, synthetic, unsure)
    if not progress:
        message = f"no sessions in {path}{filters.describe()}" + (
            f" ({left_out})" if left_out else ""
        )
        if output is not None:
            raise HistoryError(f"{message}; nothing written to {output}")
        _say(message)
        return
    with_profile = len({p.profile for p in progress}) > 1
    for prog in progress:
        _say(prog.summary(with_profile=with_profile))
    if left_out:
        _say(left_out)
    if output is None:
        return
    from formcheck.store.plots import progress_html, progress_png

    data = progress_png(progress) if kind == "png" else progress_html(progress).encode("utf-8")
    write_atomic(output, data)
    _say(f"wrote {output}")


# --- helpers --------------------------------------------------------------------------------


def _list(filters: _Filters) -> None:
    with open_history() as history:
        sessions = history.list_sessions(**filters.kwargs())
        path = history.path
    if not sessions:
        _say(f"no sessions in {path}{filters.describe()}")
        return
    table = Table(
        title=f"{len(sessions)} session(s){filters.describe()}",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    terminal = console.is_terminal
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("recorded", no_wrap=True)
    table.add_column("profile", min_width=7)
    table.add_column("exercise", min_width=8)
    table.add_column("source", min_width=8, no_wrap=terminal, overflow="ellipsis")
    table.add_column("reps", justify="right", no_wrap=True)
    table.add_column("hold", justify="right", no_wrap=True)
    table.add_column("faults", min_width=10)
    room = min(max(console.width - _OTHER_COLUMNS, _SOURCE_WIDTH[0]), _SOURCE_WIDTH[1])
    for s in sessions:
        table.add_row(*_row(s, room if terminal else None))
    print_table(table, console)  # piped or redirected: every cell in full, one line each
    reasons = tuple(dict.fromkeys(r for s in sessions for r in s.partial))
    if reasons:
        _say(f"* partial session: {_partial_words(reasons)}; its reps are not the whole set")
    if any(s.unsure for s in sessions):
        _say(_UNSURE_LEGEND)
    if any(s.synthetic for s in sessions):
        _say(_SYNTHETIC_LEGEND)


def _row(s: SessionInfo, source_width: int | None = None) -> list[str]:
    words = words_for(s.exercise)
    faults = ", ".join(
        words.fault(k) + (f" ×{n}" if n > 1 else "") for k, n in (s.faults or {}).items()
    )
    hold = "" if s.mean_hold_s is None else f"{s.mean_hold_s:.1f} s"
    routine = f" ({s.routine})" if s.routine else ""
    exercise = s.exercise + (_UNSURE_MARK if s.unsure else "") + routine
    return [str(s.id), _local(s.started_at), escape(s.profile), escape(exercise),
            escape(source_cell(s, source_width)), f"{s.reps}*" if s.partial else str(s.reps),
            hold, faults]  # fmt: skip


def source_cell(s: SessionInfo, width: int | None = None) -> str:
    """The list's source: the input's name (a live session's camera is "camera 0"; a live
    session from a video says "(live)"), marked "(synthetic)" for the mannequin. A name longer
    than ``width`` characters is shortened in the middle, keeping its end (the extension, the
    numbers a camera adds); None (not a terminal) keeps it whole."""
    name = s.source
    if s.source_kind == "live" and not name.startswith("camera"):
        name += " (live)"
    if width is not None:
        name = _shorten_middle(name, width)
    return name + (_SYNTHETIC_MARK if s.synthetic else "")


def _shorten_middle(text: str, width: int) -> str:
    """``text`` at most ``width`` characters, an ellipsis in the middle if it was longer."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def _left_out(sessions: list[SessionInfo], synthetic: bool, unsure: bool) -> str:
    """What progress left out and how to take it in ("" when nothing was)."""
    parts = []
    n_synthetic = 0 if synthetic else sum(s.synthetic for s in sessions)
    # a session both synthetic and unsure is counted once, as synthetic, while that is left out
    n_unsure = 0 if unsure else sum(s.unsure and (synthetic or not s.synthetic) for s in sessions)
    if n_synthetic:
        parts.append(f"{n_synthetic} synthetic session(s) left out (--synthetic takes them in)")
    if n_unsure:
        parts.append(f"{n_unsure} unsure session(s) left out (--unsure takes them in)")
    return "; ".join(parts)


def _recorded(s: SessionInfo) -> str:
    """The recording time in local time; a date typed without a time is the date alone."""
    local = s.started_at.astimezone()
    if s.recorded_from == "given" and (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{local:%Y-%m-%d}"
    return f"{local:%Y-%m-%d %H:%M}"


def _partial_words(reasons: tuple[str, ...]) -> str:
    return " or ".join(_PARTIAL_WORDS.get(r, r) for r in reasons)


def _filters(ctx: typer.Context) -> _Filters:
    return ctx.obj if isinstance(ctx.obj, _Filters) else _Filters()


def _exercise_id(name: str) -> str:
    """The id of a known exercise given by id or alias; an unknown name as given (the history
    may hold exercises whose definition is gone)."""
    from formcheck.engine import load_exercise

    try:
        return load_exercise(name).id
    except FormcheckError:
        return name


def _plot_kind(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".png":
        return "png"
    raise OutputError(f"{output}: the plot file must end in .html or .png")


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)
