"""The ``formcheck`` command: a thin layer that parses arguments, calls the library and talks.

Library errors (:class:`formcheck.errors.FormcheckError`) become one line on stderr and a
non-zero exit code here, and nowhere else. So do usage errors (a missing or unknown option, a
bad value): one line that says what to give, and exit code 2.
"""

from __future__ import annotations

import difflib
import os
import sys

# The CLI speaks for itself in one line: keep OpenCV's and FFmpeg's native log lines quiet
# (set these variables yourself to see them when debugging a video).
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
from typing import Annotated, Any, NoReturn

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

# Click's usage errors, from the click that typer uses (its own copy in newer typer releases).
_click_errors = sys.modules[typer.BadParameter.__module__]
_UsageError: type[Exception] = _click_errors.UsageError


class _OneLineErrors(TyperGroup):
    """Turns library errors and usage errors anywhere below this group into one line and an
    exit code."""

    def make_context(self, info_name, args, parent=None, **extra: Any):  # noqa: ANN001, ANN201
        try:  # `formcheck --bogus`: the root's own options are parsed here
            return super().make_context(info_name, args, parent=parent, **extra)
        except _UsageError as err:
            _usage_error(err)

    def invoke(self, ctx: typer.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except _UsageError as err:  # a command's arguments, or a command that is not one
            _usage_error(err, ctx.invoked_subcommand)
        except FormcheckError as err:
            typer.echo(f"formcheck: error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("formcheck: interrupted", err=True)
            raise typer.Exit(130) from None


def _usage_error(err: Any, subcommand: str | None = None) -> NoReturn:
    """Print ``err`` as one line that names the fix, then exit with click's code (2)."""
    if type(err).__name__ == "NoArgsIsHelpError":  # a bare `formcheck exercises`: the help
        raise err
    typer.echo(f"formcheck: error: {_usage_line(err, subcommand)}", err=True)
    raise typer.Exit(err.exit_code) from None


def _usage_line(err: Any, subcommand: str | None = None) -> str:
    """One line for a usage error: what is wrong, what to give instead, where the help is.

    ``subcommand`` names the command when the error does not know its own (some parser
    errors carry no context)."""
    ctx = err.ctx
    words = []
    while ctx is not None and ctx.parent is not None:  # the command's words, not the root's
        words.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    if err.ctx is None and subcommand:
        words = [subcommand]
    command = " ".join(words) or "formcheck"  # "analyze", "exercises show"
    param = getattr(err, "param", None)
    if isinstance(err, _click_errors.MissingParameter) and param is not None:
        message = f"{command} needs {_param_name(param)}"
        help_text = _sentence(getattr(param, "help", None) or "")
        message += f" ({help_text})" if help_text else ""
    elif isinstance(err, _click_errors.NoSuchOption):
        message = f"{command} has no option {err.option_name}"
        near = _near(err.option_name, err.possibilities or [])
        if near:
            message += f"; did you mean {' or '.join(near)}?"
    elif isinstance(err, _click_errors.BadParameter) and (param is not None or err.param_hint):
        hint = err.param_hint if err.param_hint is not None else _param_name(param)
        hint = hint if isinstance(hint, str) else "/".join(hint)
        message = f"bad value for {hint}: {_sentence(err.message.removeprefix('Value error, '))}"
    elif isinstance(err, _click_errors.BadParameter):
        message = _sentence(err.message)
    else:
        message = _sentence(err.format_message()).replace(". Did you mean", "; did you mean")
    see = f"formcheck {command if words else ''}".strip() + " --help"
    return f"{message} See {see}" if message.endswith("?") else f"{message}; see {see}"


def _near(option: str, possibilities: list[str]) -> list[str]:
    """The options that look like a misspelling of ``option``, compared without their dashes
    (click's own guesses count the dashes: "--bogus" would suggest "--verbose")."""
    word = option.lstrip("-")
    return sorted(
        p for p in possibilities
        if difflib.SequenceMatcher(None, word, p.lstrip("-")).ratio() >= 0.7
    )  # fmt: skip


def _sentence(text: str) -> str:
    """``text`` as a clause inside a line: no capital at the start, no full stop at the end."""
    text = text.strip().rstrip(".")
    if text[1:2].isupper():  # an acronym or a metavar: INPUT, JSON
        return text
    return text[:1].lower() + text[1:]


def _param_name(param: Any) -> str:
    """``--exercise/-e`` for an option, ``PATH...`` for an argument."""
    if param.param_type_name == "option":
        return "/".join([*param.opts, *param.secondary_opts])
    return param.metavar or (param.name or "").upper()


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
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="Also show MediaPipe's own log lines (hidden otherwise)."),
    ] = False,
) -> None:
    """formcheck: exercise form coaching from a webcam or a video."""
    if verbose:
        # read by the pose adapter (formcheck.pose.landmarker.VERBOSE_ENV, not imported here:
        # it loads MediaPipe), in this process and in worker processes
        os.environ["FORMCHECK_VERBOSE"] = "1"


# Every command, in the order `formcheck --help` lists them. The command modules only define
# functions and sub-apps; they import neither this module nor each other.
app.command("analyze", cls=analyze_cmd.AnalyzeCommand)(analyze_cmd.analyze_cmd)
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
