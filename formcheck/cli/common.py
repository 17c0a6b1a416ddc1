"""Shared bits of the CLI: the consoles, the one-line notice, the model-download bar, what goes
into the training history."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

__all__ = [
    "SAMPLES_DIR",
    "HistoryOption",
    "ModelOption",
    "ProfileOption",
    "console",
    "download_progress",
    "err_console",
    "is_mannequin",
    "mannequin_not_saved",
    "notice",
    "save_to_history",
]

ModelOption = Annotated[
    str, typer.Option("--model", help="lite | full | heavy, or a path to a .task file.")
]
ProfileOption = Annotated[
    str, typer.Option("--profile", help="Whose training history this session goes into.")
]
HistoryOption = Annotated[
    bool | None,
    typer.Option(
        "--history/--no-history",
        help="Save this session to the training history, or not. By default it is saved, "
        "except the mannequin's (the bundled samples): --history saves those too.",
    ),
]

# The bundled samples, in a clone of the repository (they are not installed with the package).
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"

console = Console()
err_console = Console(stderr=True)


def notice(message: str) -> None:
    """One line on stderr (keeps stdout clean for --json)."""
    err_console.print(f"[cyan]formcheck:[/] {message}", highlight=False, soft_wrap=True)


@contextmanager
def download_progress() -> Iterator[Callable[[int, int, str], None]]:
    """A rich download bar driven by ``progress(done_bytes, total_bytes, label)`` calls."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(done: int, total: int, label: str) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total or None)
            bar.update(tasks[label], completed=done, total=total or None)

        yield update


def is_mannequin(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a set of the synthetic mannequin, not of a person: a file in the
    bundled samples folder, or a landmark recording whose header says so (model "synthetic",
    as ``samples/make_samples.py`` and the mannequin's renders write it)."""
    from formcheck.errors import FormcheckError
    from formcheck.recording import RecordingSource, is_recording_path

    p = Path(path)
    try:
        if p.resolve().is_relative_to(SAMPLES_DIR):
            return True
    except OSError:
        return False
    if not is_recording_path(p) or not p.is_file():
        return False
    try:
        with RecordingSource(p) as rec:
            return rec.header.model == "synthetic"
    except FormcheckError:
        return False


def mannequin_not_saved(names: list[str]) -> None:
    """The one line that says the mannequin's sets were left out of the history."""
    if len(names) == 1:
        notice(
            f"{names[0]} is the synthetic mannequin, not a person: not saved to your training "
            "history (--history saves it)"
        )
    elif names:
        notice(
            f"{len(names)} sets of the synthetic mannequin, not of a person, were not saved to "
            "your training history (--history saves them)"
        )


def save_to_history(
    result: dict,
    *,
    source_kind: str,
    profile: str,
    report_path=None,  # noqa: ANN001
    routine: str | None = None,
    partial: str | tuple[str, ...] = (),
    **details: Any,
) -> None:
    """Save a session after it has been shown; a history problem is one warning line, never a
    lost analysis. A result marked ``"interrupted": true`` is saved as a partial session;
    ``partial="truncated"`` marks one whose video file ended early. ``details`` go to
    :func:`formcheck.store.save_session` (the recording date, a note, the input's content hash,
    ...); a session that replaces an earlier analysis of the same file says so."""
    from formcheck.errors import FormcheckError
    from formcheck.store import save_session

    try:
        saved = save_session(
            result, source_kind=source_kind, profile=profile, routine=routine,
            report_path=report_path, partial=partial, **details,
        )  # fmt: skip
    except FormcheckError as err:
        notice(
            f"warning: {result.get('exercise', 'session')} not saved to the training history: {err}"
        )
        return
    if saved is not None and saved.replaced:
        ids = ", ".join(str(i) for i in saved.replaced)
        kept = (
            f"; its report is kept: {saved.kept_report} (from that analysis; -o DIR writes "
            "a new one)"
            if saved.kept_report
            else ""
        )
        notice(
            f"{result.get('source', 'this input')}: replaced history session {ids} (the same "
            f"file analysed before; --keep-both keeps both){kept}"
        )
