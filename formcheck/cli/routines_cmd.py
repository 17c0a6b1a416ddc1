"""``formcheck routines``: list, show and check routines (exercises in sets, with rests)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from formcheck.cli.common import console
from formcheck.cli.tables import print_rows, warn_skipped
from formcheck.engine.routine import Routine, find_routine, load_routine, scan_routines

routines_app = typer.Typer(help="List, show and check routines.", no_args_is_help=True)


def _has_ranges(r: Routine) -> bool:
    goals = [g for s in r.steps for g in (s.sets, s.reps, s.hold_s) if g is not None]
    return any(g.upto != g.target for g in goals)


@routines_app.command("list")
def list_cmd() -> None:
    """All known routines and the exercises in them. Piped, one tab-separated line each."""
    routines, skipped = scan_routines()
    warn_skipped(skipped)
    rows = [(r.id, r.name, ", ".join(s.exercise.id for s in r.steps)) for r in routines]
    print_rows(("id", "name", "exercises"), rows)


@routines_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Routine id, name or .toml file.")],
) -> None:
    """A routine step by step: sets, target per set, rests."""
    r = load_routine(name)
    console.print(f"[bold]{r.name}[/] ({r.id}) - {find_routine(name)}", highlight=False)
    if r.description.strip():
        console.print(" ".join(r.description.split()), highlight=False)
    table = Table("#", "exercise", "sets", "each set", "rest", "then rest", header_style="bold")
    for i, s in enumerate(r.steps, start=1):
        last = i == len(r.steps)
        table.add_row(
            str(i), f"{s.exercise.name} ({s.exercise.id})", str(s.sets), s.target_text(),
            f"{s.rest_s:g} s", "-" if last else f"{s.rest_after:g} s",
        )  # fmt: skip
    console.print(table)
    if _has_ranges(r):
        console.print("Ranges: the first number is the target, the second the most to do.")


@routines_app.command("check")
def check_cmd(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Routine .toml files or ids (default: every known routine)."),
    ] = None,
) -> None:
    """Validate routines: every key, and every exercise they name (found and valid)."""
    skipped = []
    if files:
        routines = [load_routine(f) for f in files]
    else:
        routines, skipped = scan_routines()
    for r in routines:
        exercises = ", ".join(s.exercise.id for s in r.steps)
        console.print(f"{r.source}: [green]ok[/] ({r.id}: {exercises})", highlight=False)
    for err in skipped:  # a file that does not load fails the check
        console.print(f"[red]x[/] {escape(str(err))}", highlight=False, soft_wrap=True)
    if skipped:
        raise typer.Exit(1)
