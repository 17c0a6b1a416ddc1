"""Shared bits of the CLI: the consoles, the one-line notice, the model-download bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

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

__all__ = ["ModelOption", "console", "err_console", "download_progress", "notice"]

ModelOption = Annotated[
    str, typer.Option("--model", help="lite | full | heavy, or a path to a .task file.")
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
