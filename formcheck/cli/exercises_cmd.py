"""``formcheck exercises``: list, show, check and render exercise definitions."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from formcheck.cli.common import console
from formcheck.cli.tables import print_rows, warn_skipped
from formcheck.engine import find_exercise, load_definition, load_exercise
from formcheck.engine.catalogue import scan_exercises
from formcheck.engine.definition import ExerciseDef
from formcheck.engine.words import Words
from formcheck.errors import OutputError
from formcheck.features.spec import point_names

exercises_app = typer.Typer(
    help="List, show, check and render exercise definitions.", no_args_is_help=True
)


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
    """All known exercises with their posture, camera view and what is counted.
    Piped, one tab-separated line per exercise."""
    defs, skipped = scan_exercises()
    warn_skipped(skipped)
    rows = [
        (d.id, d.name, d.posture.replace("_", " "), d.view, counted_as(d),
         ", ".join(Words(d).fault(f.id) for f in d.faults))
        for d in defs
    ]  # fmt: skip
    print_rows(("id", "name", "posture", "view", "counted", "faults"), rows)


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
    if d.start:
        console.print(f"start: {escape(d.start)}", highlight=False)
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
    words = Words(d)
    # each feature and fault with what people read instead of its id (its label and unit)
    table = Table("feature", "kind", "points", "reads as", box=None, header_style="bold")
    for fname, f in d.features.items():
        said = f"{words.template(fname)} ({words.unit(fname)})"
        table.add_row(fname, f.kind + (f" ({f.space})" if f.space != "image" else ""),
                      ", ".join(f.points or f.of), escape(said))  # fmt: skip
    console.print(table)
    faults = Table("fault", "when", "phases", "cue", box=None, header_style="bold")
    for f in d.faults:
        when = " and ".join(f"{c.feature} {c.threshold_text()}" for c in f.when)
        faults.add_row(f"{f.id}\n[dim]{escape(words.fault(f.id))}[/]", when,
                       ", ".join(f.phases), f.cue)  # fmt: skip
    if d.hold and d.hold.target_s is not None:
        faults.add_row(f"hold_short\n[dim]{words.fault('hold_short')}[/]",
                       f"hold < {d.hold.target_s:g} s", "rep", d.hold.cue)  # fmt: skip
    if d.tempo:
        faults.add_row(f"too_fast\n[dim]{words.fault('too_fast')}[/]",
                       f"rep < {d.tempo.min_rep_s:g} s", "rep", d.tempo.cue)  # fmt: skip
    console.print(faults)
    if d.selftest is not None:  # numbered as `formcheck exercises render --case N` takes them
        cases = Table("case", "self-test", "expected", box=None, header_style="bold")
        for i, c in enumerate(d.selftest.cases, start=1):
            cases.add_row(
                str(i), escape(str(c.get("name", "?"))), _expect_text(c.get("expect", {}))
            )
        console.print(cases)


@exercises_app.command("check")
def check_cmd(
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Definition files or exercise ids (default: every known exercise)."),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Only the ideal rendering, without the other variants: 9 times less work.",
        ),
    ] = False,
    far_hidden: Annotated[
        bool,
        typer.Option(
            "--far-hidden",
            help="Hide the far side's limbs wherever the body covers them, as a pose model "
            "does from the side.",
        ),
    ] = False,
) -> None:
    """Validate definitions and run their self-tests on generated motion.

    Each case runs under every variant (noise, dropouts, a turned camera, other bodies);
    a failure names the case, the variants and what was measured against what was expected."""
    from formcheck.engine.findings import failure_lines
    from formcheck.engine.selftest import (
        FAR_HIDDEN,
        QUICK_VARIANTS,
        VARIANTS,
        build_case,
        run_selftests,
    )

    skipped = []
    if files:
        defs = [load_definition(f) if f.endswith(".toml") else load_exercise(f) for f in files]
    else:
        defs, skipped = scan_exercises()
    for d in defs:  # a mistake in a script is one line before anything runs
        for case in d.selftest.cases if d.selftest is not None else []:
            build_case(d, case)
    variants = QUICK_VARIANTS if quick else VARIANTS
    if far_hidden:
        variants = {name: {**options, **FAR_HIDDEN} for name, options in variants.items()}
    console.print(f"variants: {escape('; '.join(variants))}", highlight=False, soft_wrap=True)
    if far_hidden:
        console.print("each with the far side's limbs hidden where the body covers them")
    outcomes = run_selftests(defs, variants, workers=os.cpu_count() or 1)
    failed = len(skipped)
    for err in skipped:  # a file that does not load fails the check
        console.print(f"[red]x[/] {escape(str(err))}", highlight=False, soft_wrap=True)
    for d in defs:
        if d.selftest is None:
            console.print(f"[yellow]{d.id}: valid, but has no \\[selftest] to run[/]")
            continue
        done = outcomes.get(d.id, [])
        bad = [o for o in done if not o.ok]
        failed += len(bad)
        mark = "[green]ok[/]" if not bad else f"[red]{len(bad)} failed[/]"
        unseen = sum(len(o.unseen) for o in done)
        if unseen:  # passed, as they should with the limb hidden: say so, not in silence
            mark += f"; {unseen} expected {'fault' if unseen == 1 else 'faults'} not judged"
            mark += ", on a hidden limb"
        console.print(f"{d.id}: {len(done)} checks, {mark}", highlight=False)
        for line in failure_lines(bad):
            console.print(f"  [red]x[/] {escape(line)}", highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@exercises_app.command("render")
def render_cmd(
    name: Annotated[str, typer.Argument(help="Exercise id, alias or .toml file.")],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="case.mp4 (the mannequin as a video) or case.jsonl.gz (its landmarks).",
        ),
    ],
    case: Annotated[
        int, typer.Option("--case", help="Self-test case number, from 1 (as `check` runs them).")
    ] = 1,
    variant: Annotated[
        str, typer.Option("--variant", help="Variant: 'ideal', 'yaw +20', ... (see `check`).")
    ] = "ideal",
) -> None:
    """The mannequin performing one self-test case, to watch or to run `analyze`/`live` on.

    An .mp4 shows the case's silhouette filled in as a clothed figure (a pose model finds the
    person in it); a .jsonl.gz recording holds the landmarks the self-test analyses, so
    `formcheck analyze` on it counts exactly what the self-test counts."""
    from formcheck.engine.selftest import case_frames, case_pictures, select_case, select_variant
    from formcheck.recording import is_recording_path
    from formcheck.synth.export import write_recording, write_video

    video = output.suffix.lower() == ".mp4"
    if not video and not is_recording_path(output):
        raise OutputError(f"{output}: expected a .mp4 video or a .jsonl.gz recording")
    d = load_definition(name) if name.endswith(".toml") else load_exercise(name)
    chosen = select_case(d, case)
    options = select_variant(variant)
    assert d.selftest is not None
    title = f"{d.id}, case {case} '{chosen.get('name', '?')}', {variant}"
    if video:
        pictures, resolution_wh = case_pictures(d, chosen, options)
        n = write_video(pictures, output, d.selftest.fps, resolution_wh)
    else:
        _, frames = case_frames(d, chosen, options)
        n = write_recording(frames, output, d.selftest.fps, f"synthetic mannequin: {title}")
    expect = chosen.get("expect", {})
    console.print(
        f"{escape(str(output))}: {n} frames at {d.selftest.fps:g} fps of {escape(title)}; "
        f"expected: {escape(_expect_text(expect))}",
        highlight=False,
        soft_wrap=True,
    )


def _expect_text(expect: dict) -> str:
    """A case's expectation in words: "reps left 2, right 2; faults bent_knee on rep 3"."""
    reps = expect.get("reps", "?")
    counts = ", ".join(f"{k} {v}" for k, v in reps.items()) if isinstance(reps, dict) else str(reps)
    faults = "; ".join(
        f"{f} on rep {', '.join(map(str, r))}" for f, r in expect.get("faults", {}).items()
    )
    return f"reps {counts}" + (f"; faults {faults}" if faults else "")


@exercises_app.command("landmarks")
def landmarks_cmd() -> None:
    """Point names a feature may use (MediaPipe's 33 landmarks and the *_mid midpoints)."""
    for name in point_names():
        console.print(name)
