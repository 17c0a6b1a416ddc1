"""The printed summary of one analysed set (``analyze`` and ``live`` print the same).

Everything is in plain words (:mod:`formcheck.engine.words`): fault labels, not ids, and each
fault's evidence as "left knee bent to 134° (aim: at least 150°), rep 3, 12.1–15.7 s"."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from formcheck.cli.common import console
from formcheck.engine.definition import ExerciseDef
from formcheck.engine.words import Words
from formcheck.recording.format import is_recording_path

__all__ = ["print_summary"]


def print_summary(result: dict[str, Any], name: str, exercise: ExerciseDef | None) -> None:
    """The human-readable summary of a result; ``exercise`` gives the words for its faults and
    features (None: the ids are put in words as they are)."""
    words = Words(exercise)
    s = result["summary"]
    sides = s["reps_by_side"]
    per_side = "" if list(sides) == ["both"] else " (" + ", ".join(
        f"{k} {v}" for k, v in sides.items()
    ) + ")"  # fmt: skip
    console.print(
        f"[bold]{name}[/] - {result['source']} ({result['duration_s']:.1f} s): "
        f"[bold green]{s['reps']} rep{'' if s['reps'] == 1 else 's'}[/]{per_side}"
    )
    if s["mean_hold_s"] is not None:
        good = s.get("mean_form_hold_s")
        met = s["holds_met"]
        console.print(
            f"holds: mean {s['mean_hold_s']:.1f} s"
            + (f" ({good:.1f} s with good form)" if good is not None else "")
            + (f", {met}/{s['reps']} met the target with good form" if met is not None else "")
        )
    if result["reps"]:
        table = Table(box=None, header_style="bold")
        for col in ("rep", "side", "time", "hold", "faults"):
            table.add_column(col)
        for r in result["reps"]:
            faults = ", ".join(words.fault(f) for f in r["faults"])
            hold = "" if r["hold_s"] is None else f"{r['hold_s']:.1f} s"
            good = r.get("form_hold_s")
            if good is not None and r["hold_s"] is not None and good < r["hold_s"] - 0.05:
                hold += f" ({good:.1f} s good form)"
            table.add_row(
                str(r["index"]) + ("?" if r["uncertain"] else ""), r["side"],
                f"{r['start_s']:.1f}–{r['end_s']:.1f} s", hold, faults or "[green]ok[/]",
            )  # fmt: skip
        console.print(table)
    if s["faults"]:
        console.print("faults: " + words.faults(s["faults"]), highlight=False)
        for r in result["reps"]:
            for e in r["evidence"]:
                console.print(
                    f"  {words.fault(e['fault'])}: {words.evidence(e, rep=r['index'])}",
                    highlight=False, soft_wrap=True,
                )  # fmt: skip
    for ev in result["events"]:
        if ev["kind"] in ("not_in_view", "setup_issue"):
            console.print(f"[yellow]{ev['t_s']:.1f} s: {ev['message']}[/]")
    not_judged: dict[str, list[str]] = {}
    for r in result["reps"]:
        for fault in r.get("not_judged", []):
            not_judged.setdefault(fault, []).append(str(r["index"]))
    unseen = _outline_faults(exercise) if is_recording_path(result["source"]) else set()
    for fault, reps in not_judged.items():
        why = (
            "a landmark recording keeps no body outline" if fault in unseen
            else "what it measures was not clearly seen"
        )  # fmt: skip
        console.print(
            f"[dim]{words.fault(fault)} not judged on rep{'s' if len(reps) > 1 else ''} "
            f"{', '.join(reps)}: {why}[/]",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    if any(r["uncertain"] for r in result["reps"]):
        console.print("[dim]? = counted while key landmarks were poorly visible[/]")
    if result.get("interrupted"):
        console.print("[bold yellow]interrupted: this covers only the part analysed[/]")


def _outline_faults(exercise: ExerciseDef | None) -> set[str]:
    """Faults judged on the back's outline (a ``spine_curvature`` feature), which a landmark
    recording cannot show."""
    if exercise is None:
        return set()
    outline = {n for n, f in exercise.features.items() if f.kind == "spine_curvature"}
    return {f.id for f in exercise.faults if any(c.feature in outline for c in f.when)}
