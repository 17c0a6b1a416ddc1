"""Where exercise definitions live and how they are found by name.

Searched in order: folders in ``$FORMCHECK_EXERCISES`` (``os.pathsep``-separated), the user's
own folder (``<user config dir>/formcheck/exercises``), and the bundled ``routines/exercises``.
A coach adds an exercise by dropping a TOML file into one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

import formcheck
from formcheck.engine.definition import ExerciseDef, load_definition
from formcheck.errors import DefinitionError

__all__ = [
    "bundled_routines_dir",
    "exercise_dirs",
    "find_exercise",
    "list_exercises",
    "load_exercise",
]


def bundled_routines_dir() -> Path:
    """``routines/`` of a checkout, or the copy packaged inside the wheel."""
    package = Path(formcheck.__file__).resolve().parent
    checkout = package.parent / "routines"
    return checkout if checkout.is_dir() else package / "_data" / "routines"


def exercise_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("FORMCHECK_EXERCISES", "").split(os.pathsep) if p]
    dirs.append(Path(platformdirs.user_config_dir("formcheck")) / "exercises")
    dirs.append(bundled_routines_dir() / "exercises")
    return dirs


def _files() -> list[Path]:
    seen: dict[str, Path] = {}
    for folder in exercise_dirs():
        if folder.is_dir():
            for f in sorted(folder.glob("*.toml")):
                seen.setdefault(f.stem, f)
    return list(seen.values())


def list_exercises() -> list[ExerciseDef]:
    """Every definition found, first folder winning for a repeated id, sorted by id."""
    defs: dict[str, ExerciseDef] = {}
    for f in _files():
        d = load_definition(f)
        defs.setdefault(d.id, d)
    return sorted(defs.values(), key=lambda d: d.id)


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def find_exercise(name: str) -> Path:
    """The definition file for an id, alias or file path."""
    p = Path(name)
    if p.suffix == ".toml":
        if not p.is_file():
            raise DefinitionError(f"{p}: no such exercise definition file")
        return p
    want = _norm(name)
    files = _files()
    for f in files:
        if _norm(f.stem) == want:
            return f
    for f in files:
        d = load_definition(f)
        if want in {_norm(d.id), _norm(d.name), *(_norm(a) for a in d.aliases)}:
            return f
    known = ", ".join(sorted(f.stem for f in files))
    raise DefinitionError(f"unknown exercise {name!r}; known: {known} (or give a .toml file)")


def load_exercise(name: str) -> ExerciseDef:
    """Load a definition by id, alias or path."""
    return load_definition(find_exercise(name))
