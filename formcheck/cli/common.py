"""Shared bits of the CLI: the consoles, the one-line notice, the model-download bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    "ModelOption",
    "NoHistoryOption",
    "ProfileOption",
    "console",
    "download_progress",
    "err_console",
    "notice",
    "save_to_history",
]

ModelOption = Annotated[
    str, typer.Option("--model", help="lite | full | heavy, or a path to a .task file.")
]
ProfileOption = Annotated[
    str, typer.Option("--profile", help="Whose training history this session goes into.")
]
NoHistoryOption = Annotated[
    bool, typer.Option("--no-history", help="Do not save this session to the training history.")
]

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
        notice(
            f"{result.get('source', 'this input')}: replaced history session {ids} (the same "
            "file analysed before; --keep-both keeps both)"
        )
