"""``formcheck exercises``: list, show and check exercise definitions."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from typing import Annotated

import typer
from rich.table import Table

from formcheck.cli.common import console
from formcheck.engine import find_exercise, list_exercises, load_definition, load_exercise
from formcheck.engine.definition import ExerciseDef
from formcheck.features.spec import point_names

exercises_app = typer.Typer(help="List, show and check exercise definitions.", no_args_is_help=True)


def counted_as(d: ExerciseDef) -> str:
    """What is counted, in a few words ("reps, alternating sides, hold 2 s")."""
    assert d.reps is not None
    sides = {
        "both": "",
        "each": ", per side",
        "alternating": ", alternating sides",
        "direction": ", per direction (" + " / ".join(d.reps.direction_names) + ")",
    }[d.reps.sides]
    hold = "" if d.hold is None else ", hold timed"
    if d.hold is not None and d.hold.target_s is not None:
        hold = f", hold {d.hold.target_s:g} s"
    return f"reps{sides}{hold}"


@exercises_app.command("list")
def list_cmd() -> None:
    """All known exercises with their posture, camera view and what is counted."""
    table = Table(header_style="bold")
    for col in ("id", "name", "posture", "view", "counted", "faults"):
        table.add_column(col)
    for d in list_exercises():
        faults = ", ".join(f.id for f in d.faults)
        table.add_row(d.id, d.name, d.posture.replace("_", " "), d.view, counted_as(d), faults)
    console.print(table)


@exercises_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Exercise id, alias or .toml file.")],
) -> None:
    """Everything a definition says: features, counting, hold, faults and their cues."""
    d = load_exercise(name)
    assert d.reps is not None
    console.print(f"[bold]{d.name}[/] ({d.id}) - {find_exercise(name)}")
    if d.aliases:
        console.print("aliases: " + ", ".join(d.aliases))
    # the TOML's line breaks are for the file: rich wraps to the terminal (blank lines stay)
    console.print(re.sub(r"(?<!\n)\n(?!\n)", " ", d.description.strip()))
    console.print(
        f"posture: {d.posture.replace('_', ' ')}; view: {d.view}; counted: {counted_as(d)}"
    )
    r = d.reps
    way = "rises" if r.direction == "up" else "falls"
    console.print(
        f"reps on [bold]{r.drive}[/]: it {way} at least {r.min_range:g} from the person's own "
        f"rest (later reps: {r.share:.0%} of their typical range, if more) and comes back"
    )
    if r.limits is not None:
        console.print(f"values outside {r.limits[0]:g}..{r.limits[1]:g} are not counted")
    if r.require:
        needs = " and ".join(f"{c.feature} {c.threshold_text()}" for c in r.require)
        console.print(f"counted only while {needs}")
    if d.needs_mask:
        console.print("uses the body's outline: the pose model runs with its segmentation mask")
    table = Table("feature", "kind", "points", box=None, header_style="bold")
    for fname, f in d.features.items():
        table.add_row(fname, f.kind + (f" ({f.space})" if f.space != "image" else ""),
                      ", ".join(f.points or f.of))  # fmt: skip
    console.print(table)
    faults = Table("fault", "when", "phases", "cue", box=None, header_style="bold")
    for f in d.faults:
        when = " and ".join(f"{c.feature} {c.threshold_text()}" for c in f.when)
        faults.add_row(f.id, when, ", ".join(f.phases), f.cue)
    if d.hold and d.hold.target_s is not None:
        faults.add_row("hold_short", f"hold < {d.hold.target_s:g} s", "rep", d.hold.cue)
    if d.tempo:
        faults.add_row("too_fast", f"rep < {d.tempo.min_rep_s:g} s", "rep", d.tempo.cue)
    console.print(faults)


@exercises_app.command("check")
def check_cmd(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Definition files or exercise ids (default: every known exercise)."),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Only the ideal rendering, without the other variants."),
    ] = False,
) -> None:
    """Validate definitions and run their self-tests on generated motion."""
    from formcheck.engine.selftest import QUICK_VARIANTS, VARIANTS

    defs = (
        [load_definition(f) if f.endswith(".toml") else load_exercise(f) for f in files]
        if files
        else list_exercises()
    )
    variants = QUICK_VARIANTS if quick else VARIANTS
    console.print(f"variants: {'; '.join(variants)}")
    jobs = [(d, c["name"]) for d in defs if d.selftest is not None for c in d.selftest.cases]
    workers = max(1, min(os.cpu_count() or 1, len(jobs)))
    if workers > 1:  # the cases are independent: use every core
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_check_case, jobs, [variants] * len(jobs)))
    else:
        results = [_check_case(job, variants) for job in jobs]
    by_exercise: dict[str, list] = {}
    for (d, _), outcomes in zip(jobs, results, strict=True):
        by_exercise.setdefault(d.id, []).extend(outcomes)
    failed = 0
    for d in defs:
        if d.selftest is None:
            console.print(f"[yellow]{d.id}: valid, but has no [selftest] to run[/]")
            continue
        outcomes = by_exercise.get(d.id, [])
        bad = [o for o in outcomes if not o.ok]
        failed += len(bad)
        mark = "[green]ok[/]" if not bad else f"[red]{len(bad)} failed[/]"
        console.print(f"{d.id}: {len(outcomes)} checks, {mark}")
        for o in bad:
            console.print(f"  [red]x[/] {o.case} [{o.variant}]: {'; '.join(o.problems)}")
    if failed:
        raise typer.Exit(1)


def _check_case(job: tuple, variants: dict) -> list:
    """One self-test case of one definition under every variant (run in a worker process)."""
    from formcheck.engine.selftest import run_selftest

    defn, case = job
    return run_selftest(defn, variants, cases=[case])


@exercises_app.command("landmarks")
def landmarks_cmd() -> None:
    """Point names a feature may use (MediaPipe's 33 landmarks and the *_mid midpoints)."""
    for name in point_names():
        console.print(name)
