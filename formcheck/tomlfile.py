"""Reading a TOML file into a table, with the one-line errors every formcheck TOML file gets.

Exercise and routine definitions and the model registry are TOML; each caller says which error
of :mod:`formcheck.errors` a bad file raises and what the file is, and gets the same wording::

    data = read_toml(path, ModelError, "model registry")  # "<path>: TOML syntax error: ..."

Validating the table is the caller's job (pydantic models, with errors naming key and value).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["read_toml"]


def read_toml(
    path: Path, error: type[FormcheckError], what: str, *, missing_hint: str = ""
) -> dict[str, Any]:
    """The file at ``path`` as a TOML table (UTF-8).

    A missing, unreadable or malformed file raises ``error`` with one line naming the file:
    ``<path>: no such <what> file`` (then ``: <missing_hint>`` when given),
    ``<path>: cannot read (<reason>)`` or ``<path>: TOML syntax error: <reason>``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = f": {missing_hint}" if missing_hint else ""
        raise error(f"{path}: no such {what} file{hint}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"{path}: cannot read ({_one_line(err)})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: TOML syntax error: {_one_line(err)}") from None


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split()) or type(err).__name__
