"""The ``formcheck`` command: a thin layer that parses arguments, calls the library and talks.

Library errors (:class:`formcheck.errors.FormcheckError`) become one line on stderr and a
non-zero exit code here, and nowhere else.
"""

from __future__ import annotations

import os
import sys

# The CLI speaks for itself in one line: keep OpenCV's and FFmpeg's native log lines quiet
# (set these variables yourself to see them when debugging a video).
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
from typing import Annotated

import typer
from typer.core import TyperGroup

from formcheck import __version__
from formcheck.cli import (
    analyze_cmd,
    eval_cmd,
    exercises_cmd,
    history_cmd,
    live_cmd,
    models_cmd,
    pose_cmd,
    routines_cmd,
)
from formcheck.errors import FormcheckError

__all__ = ["app", "main"]


class _OneLineErrors(TyperGroup):
    """Turns library errors anywhere below this group into one line and an exit code."""

    def invoke(self, ctx: typer.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except FormcheckError as err:
            typer.echo(f"formcheck: error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("formcheck: interrupted", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_OneLineErrors,
    help="Watch a person exercise and coach their form (reps, holds, faults).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"formcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """formcheck: exercise form coaching from a webcam or a video."""


# Every command, in the order `formcheck --help` lists them. The command modules only define
# functions and sub-apps; they import neither this module nor each other.
app.command("analyze")(analyze_cmd.analyze_cmd)
app.command("live")(live_cmd.live_cmd)
app.command("record")(pose_cmd.record)
app.add_typer(exercises_cmd.exercises_app, name="exercises")
app.add_typer(routines_cmd.routines_app, name="routines")
app.add_typer(history_cmd.history_app, name="history")
app.command("progress")(history_cmd.progress_cmd)
app.add_typer(models_cmd.models_app, name="models")
app.command("eval")(eval_cmd.eval_cmd)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
