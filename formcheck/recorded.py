"""When a set was filmed, and which file it was: the recording date and the content hash.

A session is dated by when it was *recorded*, not when it was analysed, so last month's videos
analysed today still land on their own days. Where that date came from is one of
:data:`RECORDED_FROM`:

- ``given``: the user typed it (``formcheck analyze --recorded 2026-11-28``);
- ``container``: the video's ``creation_time`` metadata, or a landmark recording's header;
- ``file``: the file's modification time (the container says nothing);
- ``analysed``: the analysis time (live sessions, and sessions saved before formcheck kept
  the recording date).

::

    when = parse_recorded(text)              # --recorded: None for "auto", else aware UTC
    if when is None:
        when, recorded_from = recording_time(path)   # e.g. (2026-11-28 09:15Z, "container")
    else:
        recorded_from = "given"
    words = recorded_words(recorded_from, "video")   # "from the video's metadata"
    digest = file_hash(path)                 # sha256 of the file's bytes, 64 hex digits

Everything here is pure apart from reading the file; times come back aware, in UTC.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from formcheck.errors import FormcheckError, SourceError

__all__ = [
    "RECORDED_FROM",
    "RecordedValueError",
    "file_hash",
    "parse_recorded",
    "recorded_words",
    "recording_time",
]

RECORDED_FROM = ("given", "container", "file", "analysed")

# Metadata keys that may hold the filming time, best first: Apple's local time with its offset,
# then the MP4/QuickTime/Matroska creation time that FFmpeg reports (UTC by convention).
_CONTAINER_KEYS = ("com.apple.quicktime.creationdate", "creation_time")
# A container time before this is a camera whose clock was never set, or the format's zero
# (MP4 counts from 1904, some writers put 1970-01-01): not a filming date.
_EARLIEST = datetime(1980, 1, 1, tzinfo=timezone.utc)
_FUTURE_SLACK = timedelta(days=1)  # clocks and time zones: a day ahead is still believed
_CHUNK_BYTES = 1 << 20
_ACCEPTED = (
    "auto, a date (2026-11-28) or a date and time (2026-11-28T10:15, local time unless it "
    "ends in Z or an offset such as +01:00)"
)
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)


class RecordedValueError(FormcheckError, ValueError):
    """A ``--recorded`` value that is neither ``auto`` nor an ISO date or date and time.
    A usage error: exit code 2, like click's."""

    exit_code = 2


def parse_recorded(text: str, *, now: datetime | None = None) -> datetime | None:
    """The ``--recorded`` value: ``None`` for ``auto`` (find it with :func:`recording_time`),
    else the time as aware UTC. Accepted: ``2026-11-28`` (local midnight), ``2026-11-28T10:15``
    or ``2026-11-28 10:15[:30]`` (local time), either with ``Z`` or an offset (``+01:00``).
    Raises :class:`RecordedValueError` (one line naming the accepted forms) for anything else,
    and for a time more than a day after ``now`` (default: the current time)."""
    value = text.strip() if isinstance(text, str) else ""
    if value.lower() == "auto":
        return None
    if not _ISO.fullmatch(value):
        raise RecordedValueError(f"expected {_ACCEPTED}, got {text!r}")
    try:
        when = datetime.fromisoformat(value.upper().replace(" ", "T"))
    except ValueError as err:  # 2026-02-30, 25:00
        raise RecordedValueError(f"{text!r} is not a real date or time ({err})") from None
    when = when.astimezone(timezone.utc)  # naive: local time
    latest = (now or datetime.now(timezone.utc)) + _FUTURE_SLACK
    if when > latest:
        raise RecordedValueError(
            f"{text!r} is in the future; give the day the set was filmed, or auto"
        )
    return when


def recording_time(path: str | os.PathLike[str]) -> tuple[datetime, str]:
    """When the file at ``path`` was filmed, as ``(aware UTC time, recorded_from)``.

    A landmark recording (``.jsonl``, ``.jsonl.gz``): its header's ``created`` time
    (``"container"``; for a recording made from a camera that is the filming time, for one
    made from a video file it is when the landmarks were written). A video: the container's
    creation time (Apple's ``com.apple.quicktime.creationdate``, else ``creation_time`` of the
    container, else of a stream; naive values are UTC), ``"container"``. Otherwise, or when
    that time is unset (before 1980) or more than a day in the future: the file's modification
    time, ``"file"``. Raises :class:`SourceError` when there is no such file or folder."""
    path = Path(path)
    try:
        mtime = path.stat().st_mtime
    except OSError as err:
        raise SourceError(
            f"{path}: cannot read its recording date ({err.strerror or err}); give --recorded"
        ) from None
    found = _header_time(path) if _is_recording(path) else _container_time(path)
    if found is not None and _EARLIEST <= found <= datetime.now(timezone.utc) + _FUTURE_SLACK:
        return found, "container"
    return datetime.fromtimestamp(mtime, timezone.utc), "file"


def recorded_words(recorded_from: str, source_kind: str = "video") -> str:
    """Where a session's date came from, in words for a person: ``"from the video's metadata"``,
    ``"from the recording's header"``, ``"given by hand"``, ``"from the file's modification
    time"``, ``"live"``, ``"when it was analysed; the filming date is unknown"``."""
    if recorded_from == "given":
        return "given by hand"
    if recorded_from == "container":
        what = "recording's header" if source_kind == "recording" else "video's metadata"
        return f"from the {what}"
    if recorded_from == "file":
        return "from the file's modification time"
    if source_kind == "live":
        return "live"
    return "when it was analysed; the filming date is unknown"


def file_hash(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file's bytes as 64 lowercase hex digits, read 1 MiB at a time (so a
    large video is never held in memory). Raises :class:`SourceError` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as err:
        raise SourceError(f"{path}: cannot read it to hash it ({err.strerror or err})") from None
    return digest.hexdigest()


# --- internals ------------------------------------------------------------------------------


def _is_recording(path: Path) -> bool:
    return path.name.lower().endswith((".jsonl", ".jsonl.gz"))


def _header_time(path: Path) -> datetime | None:
    """The ``created`` time of a landmark recording's header; None if unreadable or unset."""
    from formcheck.recording.format import RecordingSource

    try:
        with RecordingSource(path) as recording:
            created = recording.header.created
    except FormcheckError:
        return None
    return _parse_metadata_time(created)


def _container_time(path: Path) -> datetime | None:
    """The creation time a video's container (or, failing that, a stream) carries; None when
    there is none or the file is not something FFmpeg opens (an image, a folder)."""
    if not path.is_file():
        return None
    import av

    try:
        with av.open(str(path)) as container:
            tables = [dict(container.metadata)]
            tables += [dict(stream.metadata) for stream in container.streams]
    except (av.FFmpegError, OSError, ValueError):
        return None
    for table in tables:
        lowered = {str(k).lower(): v for k, v in table.items()}
        for key in _CONTAINER_KEYS:
            when = _parse_metadata_time(lowered.get(key))
            if when is not None:
                return when
    return None


def _parse_metadata_time(value: object) -> datetime | None:
    """An ISO 8601 time from metadata as aware UTC (naive: UTC); None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)
