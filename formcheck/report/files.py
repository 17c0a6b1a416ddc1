"""Atomic output files: written to a temporary file beside the target, then renamed into place.

A reader (or a crash, or Ctrl+C) never sees half a report: the file is either the old one, or
absent, or complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from formcheck.errors import OutputError

__all__ = ["make_dir", "write_atomic", "write_json"]


def make_dir(path: Path) -> Path:
    """Create ``path`` (and parents); raise :class:`OutputError` naming it if that fails."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(
            f"cannot create output folder {path}: {err.strerror} (is it a folder you can write to?)"
        ) from None
    return path


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns ``path``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    make_dir(path.parent)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is an ordinary file
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror}") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return path


def write_json(path: Path, obj: Any) -> Path:
    """``obj`` as indented JSON with a final newline, atomically."""
    return write_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
