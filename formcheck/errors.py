"""The small family of errors formcheck raises.

The library raises these; only the CLI turns them into a one-line message and an exit code.
Every message is one line and says what to do about it.
"""

from __future__ import annotations

__all__ = [
    "FormcheckError",
    "SourceError",
    "ModelError",
    "RecordingError",
    "DefinitionError",
    "OutputError",
    "HistoryError",
]


class FormcheckError(Exception):
    """Base of all formcheck errors; ``str(err)`` is a one-line, actionable message."""

    exit_code: int = 1


class SourceError(FormcheckError):
    """A video, image, folder or camera cannot be opened or read."""

    exit_code = 2


class ModelError(FormcheckError):
    """The pose model is missing, corrupt or cannot be fetched."""

    exit_code = 3


class RecordingError(FormcheckError):
    """A landmark recording is malformed or of an unknown version."""

    exit_code = 2


class DefinitionError(FormcheckError):
    """An exercise or routine definition is invalid (names the file and the key)."""

    exit_code = 2


class OutputError(FormcheckError):
    """An output file or folder cannot be written."""

    exit_code = 4


class HistoryError(FormcheckError):
    """The training history cannot be opened, read or written (corrupt, newer, locked)."""

    exit_code = 5
