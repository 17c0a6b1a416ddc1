"""``formcheck models ...``: list, fetch, verify and locate the pose-model files.

The work is done by :mod:`formcheck.pose.provision`; this module parses arguments and draws
tables and progress bars. Library errors pass through to the app's one-line error handler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from formcheck.cli.common import console, download_progress, notice
from formcheck.errors import ModelError
from formcheck.pose import provision
from formcheck.pose.provision import DEFAULT_MODEL, ModelState

__all__ = ["models_app"]

models_app = typer.Typer(
    help="List, fetch and verify the pose-model files (MediaPipe Pose Landmarker bundles).",
    no_args_is_help=True,
)

_NAME_HELP = "Registry model name: lite, full or heavy (see `formcheck models list`)."


@models_app.command("list")
def list_models() -> None:
    """Show every registry model: size, checksum, whether its file is here and sound, and where."""
    table = Table(title=f"pose models in {provision.models_dir()}")
    for column in ("name", "size", "sha256", "status", "path"):
        table.add_column(column, overflow="fold")
    styles = {ModelState.VERIFIED: "green", ModelState.CORRUPT: "red", ModelState.MISSING: "dim"}
    for status in provision.model_status():
        spec = status.spec
        name = f"{spec.name} (default)" if spec.name == DEFAULT_MODEL else spec.name
        table.add_row(
            name,
            f"{spec.size_bytes / 1e6:.1f} MB",
            spec.sha256[:12],
            f"[{styles[status.state]}]{status.state.value}[/]",
            str(status.path),
        )
    console.print(table)


@models_app.command("fetch")
def fetch(
    name: Annotated[str, typer.Argument(help=_NAME_HELP)] = DEFAULT_MODEL,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="Install this downloaded .task file (verified first) instead of downloading.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Download again even if a verified file is in place.")
    ] = False,
) -> None:
    """Download a pose model (official URL, then mirrors), verify it and put it in place."""
    status = provision.model_status([name])[0]
    if status.state is ModelState.VERIFIED and not force and from_file is None:
        typer.echo(f"pose model '{status.spec.name}' is already in place: {status.path}")
        return
    with download_progress() as progress:
        path = provision.fetch(
            name, local_file=from_file, progress=progress, force=force, notify=notice
        )
    typer.echo(f"pose model '{status.spec.name}' ready (sha256 verified): {path}")


@models_app.command("verify")
def verify(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Models to check (default: every model whose file is present)."),
    ] = None,
) -> None:
    """Check size and SHA-256 of model files; exits non-zero if any is corrupt or missing."""
    statuses = provision.model_status(names)
    if not names:
        statuses = [s for s in statuses if s.state is not ModelState.MISSING]
        if not statuses:
            typer.echo("no pose-model files present; fetch one with `formcheck models fetch`")
            return
    for status in statuses:
        typer.echo(f"{status.spec.name}: {status.state.value} {status.path}")
    bad = [s for s in statuses if s.state is not ModelState.VERIFIED]
    if bad:
        first = bad[0]
        fix = f"run `formcheck models fetch {first.spec.name}`"
        reason = first.problem or f"{first.path} is missing: {fix}"
        raise ModelError(
            f"{len(bad)} of {len(statuses)} pose model file(s) failed verification "
            f"({', '.join(s.spec.name for s in bad)}); {reason}"
        )


@models_app.command("path")
def path(name: Annotated[str, typer.Argument(help=_NAME_HELP)] = DEFAULT_MODEL) -> None:
    """Print where a model's file is kept; exits non-zero if it is not there yet."""
    model_file = provision.model_path(name)
    typer.echo(str(model_file))
    if not model_file.is_file():
        raise ModelError(
            f"pose model '{name}' is not provisioned yet: run `formcheck models fetch {name}`"
        )
