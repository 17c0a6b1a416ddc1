"""Helpers for the report tests, importable by a name no other test folder uses (every
folder's ``conftest`` is a module called ``conftest``: importing from it depends on which
folder pytest collected first)."""

from __future__ import annotations

import json
from pathlib import Path


def load_report(folder: Path) -> dict:
    """report.json of a report folder."""
    return json.loads((folder / "report.json").read_text())
