"""``formcheck eval``: accuracy on labelled clips, with thresholds that fail the command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from formcheck.cli.common import ModelOption, console, notice
from formcheck.cli.tables import print_table
from formcheck.sources.changed import CAMERA_CHANGES, camera_change


def _f(v: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if v is None else fmt.format(v)


def eval_cmd(
    labels: Annotated[
        list[Path],
        typer.Argument(help="Labels CSV files (the format of the shared clips), scored together."),
    ],
    clips: Annotated[
        Path | None, typer.Option("--clips", help="Folder of the clips (default: beside LABELS).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write eval.json and eval.html here.")
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Keep each clip's landmarks here and replay them next time."),
    ] = None,
    min_obo: Annotated[
        float | None, typer.Option("--min-obo", help="Fail (exit 1) if OBO is below this.")
    ] = None,
    max_mae: Annotated[
        float | None, typer.Option("--max-mae", help="Fail (exit 1) if MAE is above this.")
    ] = None,
    min_exact: Annotated[
        float | None,
        typer.Option("--min-exact", help="Fail (exit 1) if the share counted exactly is below."),
    ] = None,
    max_hold_error: Annotated[
        float | None,
        typer.Option("--max-hold-error", help="Fail (exit 1) if the hold error (s) is above this."),
    ] = None,
    min_fault_recall: Annotated[
        float | None,
        typer.Option("--min-fault-recall", help="Fail (exit 1) if fault recall is below this."),
    ] = None,
    min_fault_precision: Annotated[
        float | None,
        typer.Option("--min-fault-precision", help="Fail (exit 1) if fault precision is below."),
    ] = None,
    min_auto_right: Annotated[
        float | None,
        typer.Option(
            "--min-auto-right",
            help="Fail (exit 1) if --exercise auto is right and sure on fewer of the clips.",
        ),
    ] = None,
    max_auto_wrong: Annotated[
        int | None,
        typer.Option(
            "--max-auto-wrong", help="Fail (exit 1) if --exercise auto is sure and wrong on more."
        ),
    ] = None,
    camera: Annotated[
        str | None,
        typer.Option(
            "--camera",
            help="Score the clips as another camera would have filmed them: "
            + "; ".join(f"{c.name}: {c.words}" for c in CAMERA_CHANGES.values())
            + ".",
        ),
    ] = None,
    model: ModelOption = "full",
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Clips analysed at once, each in its own process."),
    ] = 1,
) -> None:
    """Run the analysis on every labelled clip and score counts, holds and faults."""
    from formcheck.atomic import write_atomic, write_json
    from formcheck.eval.html import eval_html
    from formcheck.eval.run import evaluate

    def progress(label, score) -> None:  # noqa: ANN001
        notice(f"{label.file}: {score.pred_reps if score.supported else 'not supported'}")

    try:
        change = None if camera is None else camera_change(camera)
    except ValueError as err:  # names the known changes
        raise typer.BadParameter(str(err), param_hint="--camera") from None
    result = evaluate(
        labels, clips, model=model, cache_dir=cache, on_clip=progress, workers=workers,
        camera=camera,
    )  # fmt: skip
    if change is not None:
        console.print(f"every clip {change.words}")
    table = Table(header_style="bold", title="per clip")
    for col in (
        "clip",
        "exercise",
        "true",
        "pred",
        "err",
        "hold true/pred",
        "faults tp/fp/fn",
        "auto",
        "s",
    ):
        table.add_column(col)
    for s in result.scores:
        if not s.supported:
            table.add_row(
                s.file, s.exercise, _f(s.true_reps, "{}"), "[dim]not supported[/]", "", "", "",
                "", "",
            )  # fmt: skip
            continue
        err = "[red]error[/]" if s.error else _f(s.abs_error, "{}")
        table.add_row(
            s.file, s.exercise, _f(s.true_reps, "{}"), _f(s.pred_reps, "{}"), err,
            f"{_f(s.true_hold_s, '{:.1f}')}/{_f(s.pred_hold_s, '{:.1f}')}",
            f"{s.fault_tp}/{s.fault_fp}/{s.fault_fn}", _auto(s), f"{s.seconds:.1f}",
        )  # fmt: skip
    print_table(table)
    summary = Table(header_style="bold", title="totals")
    for col in (
        "exercise",
        "supported",
        "counted",
        "MAE",
        "OBO",
        "exact",
        "hold err s",
        "fault P",
        "fault R",
    ):
        summary.add_column(col)
    for name, t in [("all clips", result.totals), *result.by_exercise().items()]:
        summary.add_row(
            name, f"{t.supported}/{t.clips}", str(t.counted), _f(t.mae), _f(t.obo), _f(t.exact),
            _f(t.hold_error_s), _f(t.fault_precision), _f(t.fault_recall),
        )  # fmt: skip
    print_table(summary)
    t = result.totals
    judged = t.auto_right + t.auto_unsure + t.auto_wrong
    if judged:
        console.print(
            f"--exercise auto: right and sure on {t.auto_right} of {judged} clips "
            f"({t.auto_right / judged:.0%}), unsure on {t.auto_unsure}, sure and wrong on "
            f"{t.auto_wrong}"
        )
    for s in result.scores:
        if s.error:
            console.print(f"[red]{s.file}: {s.error}[/]")
    if output is not None:
        write_json(output / "eval.json", result.to_json())
        write_atomic(output / "eval.html", eval_html(result))
        notice(f"wrote {output / 'eval.json'} and {output / 'eval.html'}")
    failed = []
    if min_obo is not None and (t.obo is None or t.obo < min_obo):
        failed.append(f"OBO {_f(t.obo)} < {min_obo}")
    if max_mae is not None and (t.mae is None or t.mae > max_mae):
        failed.append(f"MAE {_f(t.mae)} > {max_mae}")
    if min_exact is not None and (t.exact is None or t.exact < min_exact):
        failed.append(f"exact {_f(t.exact)} < {min_exact}")
    if max_hold_error is not None and (t.hold_error_s is None or t.hold_error_s > max_hold_error):
        failed.append(f"hold error {_f(t.hold_error_s)} s > {max_hold_error} s")
    if min_fault_recall is not None and (
        t.fault_recall is None or t.fault_recall < min_fault_recall
    ):
        failed.append(f"fault recall {_f(t.fault_recall)} < {min_fault_recall}")
    if min_fault_precision is not None and (
        t.fault_precision is None or t.fault_precision < min_fault_precision
    ):
        failed.append(f"fault precision {_f(t.fault_precision)} < {min_fault_precision}")
    if min_auto_right is not None and (not judged or t.auto_right / judged < min_auto_right):
        failed.append(f"auto right {t.auto_right} of {judged} < {min_auto_right:.0%}")
    if max_auto_wrong is not None and t.auto_wrong > max_auto_wrong:
        failed.append(f"auto wrong on {t.auto_wrong} clips > {max_auto_wrong}")
    if failed:
        typer.echo("formcheck: accuracy below threshold: " + "; ".join(failed), err=True)
        raise typer.Exit(1)


def _auto(s) -> str:  # noqa: ANN001 - a ClipScore
    """The auto column: right / unsure / wrong, with the exercise named when not right."""
    if s.auto is None:
        return ""
    if s.auto == "right":
        return f"right {s.auto_confidence:.2f}"
    colour = "red" if s.auto == "wrong" else "yellow"
    return f"[{colour}]{s.auto}[/] ({s.auto_chosen})"
