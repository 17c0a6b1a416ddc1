"""Where exercise definitions live and how they are found by name.

Searched in order: folders in ``$FORMCHECK_EXERCISES`` (``os.pathsep``-separated), the user's
own folder (``<user config dir>/formcheck/exercises``), and the bundled ``routines/exercises``
(``formcheck.searchpath``). A coach adds an exercise by dropping a TOML file into one of them.

A file that does not load (a TOML syntax error, an unknown key) is left out of the catalogue and
reported by ``scan_exercises``; only asking for that exercise by its file name fails.
"""

from __future__ import annotations

from pathlib import Path

from formcheck.engine.definition import ExerciseDef, load_definition
from formcheck.errors import DefinitionError, FormcheckError
from formcheck.searchpath import load_each, package_data, search_dirs, toml_files

__all__ = [
    "bundled_routines_dir",
    "exercise_dirs",
    "find_exercise",
    "list_exercises",
    "load_exercise",
    "scan_exercises",
]


def bundled_routines_dir() -> Path:
    """``routines/`` of a checkout, or the copy packaged inside the wheel."""
    return package_data("routines")


def exercise_dirs() -> list[Path]:
    """The folders searched for exercise definitions, in order."""
    return search_dirs("FORMCHECK_EXERCISES", "exercises", bundled_routines_dir() / "exercises")


def scan_exercises() -> tuple[list[ExerciseDef], list[FormcheckError]]:
    """Every definition that loads (first folder winning for a repeated file name or id, sorted
    by id), and the one-line errors of the files that do not."""
    loaded, skipped = load_each(toml_files(exercise_dirs()), load_definition)
    defs: dict[str, ExerciseDef] = {}
    for d in loaded:
        defs.setdefault(d.id, d)
    return sorted(defs.values(), key=lambda d: d.id), skipped


def list_exercises() -> list[ExerciseDef]:
    """Every definition that loads, sorted by id (``scan_exercises`` also says which did not)."""
    return scan_exercises()[0]


def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def find_exercise(name: str) -> Path:
    """The definition file for an id, alias or file path. Looking for an alias skips files
    that do not load; a name they might have held is reported with them."""
    p = Path(name)
    if p.suffix == ".toml":
        if not p.is_file():
            raise DefinitionError(f"{p}: no such exercise definition file")
        return p
    want = _norm(name)
    files = toml_files(exercise_dirs())
    for f in files:
        if _norm(f.stem) == want:
            return f
    broken: list[str] = []
    for f in files:
        try:
            d = load_definition(f)
        except FormcheckError:
            broken.append(str(f))
            continue
        if want in {_norm(d.id), _norm(d.name), *(_norm(a) for a in d.aliases)}:
            return f
    known = ", ".join(sorted(f.stem for f in files if str(f) not in broken))
    unread = f"; not readable, so not searched: {', '.join(broken)}" if broken else ""
    raise DefinitionError(
        f"unknown exercise {name!r}; known: {known} (or give a .toml file){unread}"
    )


def load_exercise(name: str) -> ExerciseDef:
    """Load a definition by id, alias or path."""
    return load_definition(find_exercise(name))
