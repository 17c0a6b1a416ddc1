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
