"""``formcheck analyze``: count reps, holds and faults in a video or a landmark recording."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from formcheck.cli.app import app
from formcheck.cli.common import ModelOption, console, download_progress, notice
from formcheck.engine import load_exercise
from formcheck.pipeline import analyze, open_pose_input


@app.command("analyze")
def analyze_cmd(
    input: Annotated[
        str, typer.Argument(help="Video file, image, or landmark recording (.jsonl[.gz]).")
    ],
    exercise: Annotated[
        str, typer.Option("--exercise", "-e", help="Exercise id, alias or .toml definition.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object (the result contract) to stdout.")
    ] = False,
    model: ModelOption = "full",
) -> None:
    """Analyse one set: reps (per side), hold times and form faults with times."""
    definition = load_exercise(exercise)
    with (
        download_progress() as dl,
        open_pose_input(input, model=model, notify=notice, progress=dl) as pose,
    ):
        result = analyze(pose, definition)
        for warning in getattr(pose.source, "warnings", []):
            notice(f"warning: {warning}")
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        print_summary(result, definition.name)
    if result.get("interrupted"):
        raise typer.Exit(130)


def print_summary(result: dict[str, Any], name: str) -> None:
    """The human-readable summary of a result."""
    s = result["summary"]
    sides = s["reps_by_side"]
    per_side = "" if list(sides) == ["both"] else " (" + ", ".join(
        f"{k} {v}" for k, v in sides.items()
    ) + ")"  # fmt: skip
    console.print(
        f"[bold]{name}[/] - {result['source']} ({result['duration_s']:.1f} s): "
        f"[bold green]{s['reps']} reps[/]{per_side}"
    )
    if s["mean_hold_s"] is not None:
        console.print(
            f"holds: mean {s['mean_hold_s']:.1f} s, {s['holds_met']}/{s['reps']} met target"
        )
    if result["reps"]:
        table = Table(box=None, header_style="bold")
        for col in ("rep", "side", "time", "hold", "faults"):
            table.add_column(col)
        for r in result["reps"]:
            faults = "; ".join(
                f"{e['fault']} ({e['feature']} {e['value']:.1f} {e['threshold']})"
                for e in r["evidence"]
            )
            hold = "" if r["hold_s"] is None else f"{r['hold_s']:.1f} s"
            table.add_row(
                str(r["index"]) + ("?" if r["uncertain"] else ""), r["side"],
                f"{r['start_s']:.1f}-{r['end_s']:.1f} s", hold, faults or "[green]ok[/]",
            )  # fmt: skip
        console.print(table)
    if s["faults"]:
        console.print("faults: " + ", ".join(f"{k} x{v}" for k, v in s["faults"].items()))
    for ev in result["events"]:
        if ev["kind"] in ("not_in_view", "setup_issue"):
            console.print(f"[yellow]{ev['t_s']:.1f} s: {ev['message']}[/]")
    if any(r["uncertain"] for r in result["reps"]):
        console.print("[dim]? = counted while key landmarks were poorly visible[/]")
