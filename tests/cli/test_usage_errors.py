"""Usage errors are one line with the fix, and exit code 2, for every command (issue 17): a
missing option or argument, an unknown option (with click's "did you mean"), a bad value, an
unknown command. The help itself is still shown by ``--help`` and by a bare group."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app

runner = CliRunner()

CASES = [
    (
        ["analyze", "x.mp4"],
        "analyze needs --exercise/-e (exercise id, alias or .toml definition; 'auto' chooses "
        "from the catalogue); see formcheck analyze --help",
    ),
    (
        ["exercises", "show"],
        "exercises show needs NAME (exercise id, alias or .toml file); "
        "see formcheck exercises show --help",
    ),
    (
        ["analyze", "x.mp4", "-e", "squat", "--workrs", "2"],
        "analyze has no option --workrs; did you mean --workers? See formcheck analyze --help",
    ),
    (
        ["history", "list", "--bogus"],
        "history list has no option --bogus; see formcheck history list --help",
    ),
    (["--bogus"], "formcheck has no option --bogus; see formcheck --help"),
    (
        ["analyze", "x.mp4", "-e", "squat", "--workers", "two"],
        "bad value for --workers/-w: ",
    ),
    (
        ["live", "bird-dog", "--camera", "0", "--video", "x.mp4"],
        "give --camera or --video, not both; see formcheck live --help",
    ),
    (
        ["live", "bird-dog", "--video", "x.mp4", "--speed", "0", "--headless"],
        "bad value for --speed: 0 (every frame, unpaced) works for landmark recordings only; "
        "see formcheck live --help",
    ),
    (["anlyze"], "no such command 'anlyze'; did you mean 'analyze'? See formcheck --help"),
    (["analyze", "x.mp4", "-e"], "option '-e' requires an argument; see formcheck analyze --help"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "line"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_usage_error_is_one_line_with_the_fix_and_exit_2(args, line):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"formcheck: error: {line}"), lines[0]
    assert "╭" not in result.stderr and "Usage:" not in result.stderr


def test_a_bad_value_says_what_is_expected():
    result = runner.invoke(app, ["analyze", "x.mp4", "-e", "squat", "--workers", "two"])
    assert "integer" in result.stderr and result.stderr.endswith("; see formcheck analyze --help\n")


@pytest.mark.parametrize("args", [[], ["exercises"]])
def test_a_bare_group_still_shows_its_help(args):
    result = runner.invoke(app, args)
    assert "Usage:" in result.output and "error" not in result.output
    assert "Commands" in result.output


def test_help_is_unchanged():
    result = runner.invoke(app, ["analyze", "--help"])
    assert result.exit_code == 0 and "--exercise" in result.output
