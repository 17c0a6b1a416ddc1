"""Where formcheck finds its files: the data it ships, and the folders it searches for TOML files.

One helper for each question, shared by exercises and routines::

    bundled = package_data("routines")                    # checkout or installed wheel
    dirs = search_dirs("FORMCHECK_EXERCISES", "exercises", bundled / "exercises")
    files = toml_files(dirs)                              # first folder wins for a file name
    defs, skipped = load_each(files, load_definition)     # a broken file is skipped, not fatal

A folder searched later never replaces a file of the same name found earlier, so a coach's own
``bird-dog.toml`` stands in for the bundled one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import platformdirs

import formcheck
from formcheck.errors import FormcheckError

__all__ = ["load_each", "package_data", "search_dirs", "toml_files"]

T = TypeVar("T")


def package_data(*parts: str) -> Path:
    """A file or folder shipped with formcheck (``package_data("routines")``).

    In a source checkout it is read in place, at the repository root next to
    ``pyproject.toml``; an installed wheel carries a copy under ``formcheck/_data``.
    """
    package = Path(formcheck.__file__).resolve().parent
    checkout = package.parent.joinpath(*parts)
    if (package.parent / "pyproject.toml").is_file() and checkout.exists():
        return checkout
    return package.joinpath("_data", *parts)


def search_dirs(env_var: str, user_folder: str, bundled: Path) -> list[Path]:
    """Folders searched in order: those in ``$env_var`` (``os.pathsep``-separated), the user's
    own ``<user config dir>/formcheck/<user_folder>``, then ``bundled``."""
    dirs = [Path(p).expanduser() for p in os.environ.get(env_var, "").split(os.pathsep) if p]
    dirs.append(Path(platformdirs.user_config_dir("formcheck")) / user_folder)
    dirs.append(bundled)
    return dirs


def toml_files(dirs: Iterable[Path]) -> list[Path]:
    """The ``*.toml`` files directly in ``dirs``; for a repeated file name the first folder's."""
    seen: dict[str, Path] = {}
    for folder in dirs:
        if folder.is_dir():
            for f in sorted(folder.glob("*.toml")):
                seen.setdefault(f.stem, f)
    return list(seen.values())


def load_each(
    files: Iterable[Path], load: Callable[[Path], T]
) -> tuple[list[T], list[FormcheckError]]:
    """``load`` every file; the ones that fail are left out and their one-line errors returned,
    so one broken file does not hide the others."""
    loaded: list[T] = []
    skipped: list[FormcheckError] = []
    for f in files:
        try:
            loaded.append(load(f))
        except FormcheckError as err:
            skipped.append(err)
    return loaded, skipped
