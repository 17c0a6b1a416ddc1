"""The README's quick start is what CI runs: its two commands appear in ``.ci/run`` as written."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quick_start() -> list[str]:
    """The command lines of the README's first ``sh`` block under "## Quick start"."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "no sh block in the quick start"
    return [line for line in block[1].splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_install_and_test():
    install, test = quick_start()
    assert "python3 -m venv .venv" in install and "formcheck analyze samples/" in install
    assert "pytest" in test


def test_ci_runs_the_quick_start_as_written():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    install, test = quick_start()
    assert install in ci
    assert test in ci
    assert ci.index(install) < ci.index(test)
    assert ci[-1] == test  # the test command comes last, after the install and the linter


def _glance_rows() -> dict[str, str]:
    """The README's "The CLI at a glance" table: the first command word after ``formcheck``
    of each row, mapped to the row (a row may name two commands: history and progress)."""
    section = (REPO / "README.md").read_text().split("## The CLI at a glance", 1)[1]
    rows: dict[str, str] = {}
    for line in section.split("\n\n", 2)[1].splitlines()[2:]:
        for name in re.findall(r"`formcheck ([a-z]+)", line):
            rows[name] = line
    return rows


def test_the_cli_at_a_glance_names_every_option_of_each_command():
    """Each row of the table names every visible option of its command and subcommands, so
    the README does not fall behind ``--help``."""
    import typer

    from formcheck.cli.app import app

    rows = _glance_rows()

    def options(cmd) -> list[list[str]]:  # noqa: ANN001 - a click command (typer's click)
        """Each visible option's names (--out, -o; --history, --no-history)."""
        names = [
            [*p.opts, *p.secondary_opts] for p in cmd.params
            if p.param_type_name == "option" and not p.hidden and "--help" not in p.opts
        ]  # fmt: skip
        for sub in getattr(cmd, "commands", {}).values():
            names += options(sub)
        return names

    def named(option: list[str], row: str) -> bool:
        return any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", row) for o in option)

    group = typer.main.get_command(app)
    missing = {
        name: sorted(o[0] for o in options(cmd) if not named(o, rows.get(name, "")))
        for name, cmd in group.commands.items()
    }
    assert not {k: v for k, v in missing.items() if v}, missing
