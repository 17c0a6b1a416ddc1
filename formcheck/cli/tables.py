"""Lists the CLI prints: a table on a terminal, tab-separated lines through a pipe."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from formcheck.cli.common import console, notice
from formcheck.errors import FormcheckError

__all__ = ["print_rows", "print_table", "warn_skipped"]


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table on a terminal (the first column never cut); piped or redirected, one plain
    tab-separated line per row after a header line, nothing cut short (``| grep``, ``| cut``).
    """
    if not console.is_terminal:
        for row in (columns, *rows):
            typer.echo("\t".join(" ".join(cell.split()) for cell in row))
        return
    table = Table(header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(col, no_wrap=i == 0, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def print_table(table: Table, out: Console | None = None) -> None:
    """A rich table on ``out`` (default: standard output): at the terminal's width on a
    terminal; piped or redirected, as wide as its cells need, so no name is cut to "bird-d…"
    in a file or a log."""
    out = out or console
    if out.is_terminal:
        out.print(table)
        return
    width = Measurement.get(out, out.options.update_width(10_000), table).maximum
    Console(file=out.file, width=max(width, out.width), highlight=False).print(table)


def warn_skipped(skipped: Sequence[FormcheckError]) -> None:
    """One warning line on stderr for each file left out because it does not load."""
    for err in skipped:
        notice(f"warning: skipped {escape(str(err))}")
