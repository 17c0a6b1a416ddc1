"""The package's shape: every module imports on its own, and the layers point one way."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import formcheck

PACKAGE = Path(formcheck.__file__).parent
MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(formcheck.__path__, "formcheck."))


def _imports(path: Path) -> set[str]:
    """The formcheck modules a file imports (at any depth: lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("formcheck"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("formcheck"))
    return found


def test_every_module_imports_in_a_fresh_interpreter():
    """An import cycle shows only when a module is the first one imported: try each first."""
    code = (
        "import importlib, sys\n"
        "bad = []\n"
        "for name in sys.argv[1:]:\n"
        "    for key in [k for k in sys.modules if k.startswith('formcheck')]:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as err:\n"
        "        bad.append(f'{name}: {type(err).__name__}: {err}')\n"
        "print('\\n'.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *MODULES], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
    assert len(MODULES) > 60


def test_command_modules_import_neither_the_app_nor_each_other():
    for path in (PACKAGE / "cli").glob("*_cmd.py"):
        cli = {m for m in _imports(path) if m.startswith("formcheck.cli.")}
        assert not {m for m in cli if m.endswith("_cmd") or m == "formcheck.cli.app"}, path.name


def test_features_and_pose_sit_below_the_engine():
    for folder in ("features", "pose"):
        for path in (PACKAGE / folder).glob("*.py"):
            above = {
                m for m in _imports(path) if m.startswith(("formcheck.engine", "formcheck.cli"))
            }
            assert not above, f"{folder}/{path.name} imports {sorted(above)}"


def test_the_package_docstring_example_runs_as_written():
    """The loop the package docstring shows, run from the repository's root as it says."""
    block = formcheck.__doc__.split("::\n", 1)[1].split("\n\n``open_pose_input``", 1)[0]
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(block)],
        capture_output=True, text=True, check=True, cwd=PACKAGE.parent,
    )  # fmt: skip
    lines = out.stdout.splitlines()
    assert lines[-1] == "4 reps"  # the sample: 2 left + 2 right, bent knee on rep 3
    third = lines[2].split()[2:]
    assert third == ["rep", "3", "left", "bent_knee", "hold_short"]
