"""CSV cells that a spreadsheet shows as text instead of running them as formulas.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by
spreadsheets as a formula (a profile named ``=HYPERLINK("http://…","open")`` becomes a live
link). As OWASP recommends for CSV injection, :func:`safe_cell` puts a single quote ``'`` in
front of such a cell; the :mod:`csv` writer then quotes and doubles embedded quotes as needed.
Use :class:`SafeWriter` for both: it also quotes every text cell of a row that holds a carriage
return (with ``"\n"`` line ends the csv module leaves a lone CR unquoted, and spreadsheets
start a new row, and so a new first cell, after it).

Only **text** is neutralised: numbers written from ``int``/``float`` values (a negative range of
``-3.5``) are data and stay numbers. A text cell that already begins with quotes followed by a
trigger (``'=x``) gets one more quote too, so :func:`restore_cell` (remove the one quote that
:func:`safe_cell` added) gives back exactly the original text of every cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = ["FORMULA_TRIGGERS", "SafeWriter", "restore_cell", "safe_cell", "safe_row"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    """Whether ``text``, after any leading quotes, begins with a formula trigger."""
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text a spreadsheet would run as a formula;
    anything else (numbers, booleans, None) unchanged."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def safe_row(values: Any) -> list[Any]:
    """:func:`safe_cell` of every value, as a list for ``csv.writer.writerow``."""
    return [safe_cell(v) for v in values]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """A ``csv.writer`` (``"\n"`` line ends, minimal quoting) whose rows go through
    :func:`safe_row`; a row with a carriage return in a text cell has all its text quoted."""

    def __init__(self, out: _Writable) -> None:
        self._plain = csv.writer(out, lineterminator="\n")
        self._quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)

    def writerow(self, values: Iterable[Any]) -> None:
        row = safe_row(values)
        has_cr = any(isinstance(v, str) and "\r" in v for v in row)
        (self._quoted if has_cr else self._plain).writerow(row)


def restore_cell(text: str) -> str:
    """The original text of a cell written through :func:`safe_cell` (read back as text)."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text
