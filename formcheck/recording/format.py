"""Landmark recordings: the pose stream saved to a file, replayable without the model.

Format ``formcheck.landmarks`` version 1 — JSON Lines, optionally gzip-compressed (``.jsonl``
or ``.jsonl.gz``). The first line is a header object, every later line one frame::

    {"format": "formcheck.landmarks", "version": 1, "source": "set.mp4", "fps": 30.0,
     "resolution_wh": [1280, 720], "model": "full", "created": "2026-11-25T10:00:00+00:00",
     "landmarks": ["nose", "left_eye_inner", ...]}
    {"t": 0.0, "i": 0, "lm": [[x_px, y_px, z, visibility, presence], ...], "w": [[x, y, z], ...]}
    {"t": 0.033333, "i": 1, "lm": null, "w": null}          <- no person in view

Numbers are written with Python's shortest round-trip float repr, so reading a recording back
gives bit-identical float64 arrays. Segmentation masks are not stored.
Writers are atomic: the file appears under its name only when closed (also on Ctrl+C, with the
frames written so far); a full disk leaves no file at all.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np

from formcheck.atomic import os_error_text, temp_file
from formcheck.errors import OutputError, RecordingError
from formcheck.pose.core import LANDMARK_NAMES, NUM_LANDMARKS, PoseFrame

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "RecordingHeader",
    "RecordingWriter",
    "RecordingSource",
    "is_recording_path",
    "read_recording",
]

FORMAT_NAME = "formcheck.landmarks"
FORMAT_VERSION = 1
_SUFFIXES = (".jsonl", ".jsonl.gz")


def is_recording_path(path: str | os.PathLike[str]) -> bool:
    """True when the file name says landmark recording (``.jsonl`` / ``.jsonl.gz``)."""
    name = str(path).lower()
    return name.endswith(_SUFFIXES)


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """What a recording says about itself."""

    source: str
    fps: float
    resolution_wh: tuple[int, int]
    model: str = "unknown"
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())
    extra: dict[str, Any] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": self.version,
            "source": self.source,
            "fps": self.fps,
            "resolution_wh": list(self.resolution_wh),
            "model": self.model,
            "created": self.created,
            "landmarks": list(LANDMARK_NAMES),
            **({"extra": self.extra} if self.extra else {}),
        }


def _open_text(path: Path, mode: str) -> IO[str]:
    if str(path).lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8")


class RecordingWriter:
    """Writes PoseFrames to a recording atomically (temp file, renamed on close).

    A write or close that fails (a full disk) raises :class:`OutputError` in one line and
    removes the temporary file: no recording is left that looks complete but is cut short."""

    def __init__(self, path: str | os.PathLike[str], header: RecordingHeader) -> None:
        self.path = Path(path)
        if not is_recording_path(self.path):
            raise OutputError(f"{self.path}: a recording must end in .jsonl or .jsonl.gz")
        self._tmp = temp_file(self.path, suffix="")
        self.frames_written = 0
        self._raw: IO[bytes] | None = None
        try:
            self._raw = open(self._tmp, "wb")  # noqa: SIM115 - closed in close()/_abort()
            gz = str(self.path).lower().endswith(".gz")
            packed = gzip.GzipFile(fileobj=self._raw, mode="wb") if gz else self._raw
            self._fh = io.TextIOWrapper(packed, encoding="utf-8")  # type: ignore[arg-type]
            self._fh.write(json.dumps(header.to_json()) + "\n")
        except OSError as err:
            raise self._abort(err) from None

    def write(self, frame: PoseFrame) -> None:
        rec = {
            "t": float(frame.t_s),
            "i": int(frame.index),
            "lm": None if frame.image is None else frame.image.tolist(),
            "w": None if frame.world is None else frame.world.tolist(),
        }
        try:
            self._fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
        except OSError as err:
            raise self._abort(err) from None
        self.frames_written += 1

    def close(self, commit: bool = True) -> None:
        """Finish the file and put it under its name (``commit``), or drop it."""
        if self._raw is None:
            return
        try:
            self._fh.close()  # flushes the text, and the gzip trailer, into the raw file
            self._raw.close()
            self._raw = None
            if commit:
                os.replace(self._tmp, self.path)
                return
        except OSError as err:
            raise self._abort(err) from None
        self._tmp.unlink(missing_ok=True)

    def _abort(self, err: OSError) -> OutputError:
        """Close quietly, remove the temporary file; the error to raise."""
        for fh in (getattr(self, "_fh", None), self._raw):
            if fh is not None:
                with contextlib.suppress(OSError, ValueError):
                    fh.close()
        self._raw = None
        self._tmp.unlink(missing_ok=True)
        return OutputError(f"cannot write {self.path}: {os_error_text(err)}")

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        # Keep what was done, also on Ctrl+C; drop the file only if nothing was recorded.
        self.close(commit=self.frames_written > 0 or exc_type is None)


def _fail(path: Path, line_no: int, what: str) -> RecordingError:
    return RecordingError(f"{path}:{line_no}: {what}")


def _parse_frame(path: Path, line_no: int, line: str, res: tuple[int, int]) -> PoseFrame:
    try:
        rec = json.loads(line)
        t = float(rec["t"])
        lm, w = rec.get("lm"), rec.get("w")
        image = None if lm is None else np.asarray(lm, dtype=np.float64)
        world = None if w is None else np.asarray(w, dtype=np.float64)
        return PoseFrame(t, res, image=image, world=world, index=int(rec.get("i", line_no - 2)))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise _fail(path, line_no, f"malformed frame ({err})") from None


class RecordingSource:
    """Replays a recording as PoseFrames, where a video's pose stream would be used."""

    live = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise RecordingError(f"{self.path}: no such recording file")
        self.name = self.path.name
        self._fh: IO[str] | None = None
        self.header = self._read_header()

    def _read_header(self) -> RecordingHeader:
        try:
            with _open_text(self.path, "r") as fh:
                first = fh.readline()
        except (OSError, EOFError, UnicodeDecodeError) as err:
            raise RecordingError(f"{self.path}: not a readable recording ({err})") from None
        try:
            head = json.loads(first)
        except json.JSONDecodeError:
            raise _fail(self.path, 1, "not a formcheck landmark recording header") from None
        if not isinstance(head, dict) or head.get("format") != FORMAT_NAME:
            raise _fail(self.path, 1, f"not a formcheck landmark recording (format {FORMAT_NAME})")
        version = head.get("version")
        if version != FORMAT_VERSION:
            raise _fail(
                self.path, 1,
                f"recording format version {version} is not supported by this formcheck "
                f"(reads version {FORMAT_VERSION}); upgrade formcheck or re-record",
            )  # fmt: skip
        names = head.get("landmarks", list(LANDMARK_NAMES))
        if len(names) != NUM_LANDMARKS:
            raise _fail(self.path, 1, f"expected {NUM_LANDMARKS} landmarks, got {len(names)}")
        try:
            return RecordingHeader(
                source=str(head.get("source", "")),
                fps=float(head["fps"]),
                resolution_wh=(int(head["resolution_wh"][0]), int(head["resolution_wh"][1])),
                model=str(head.get("model", "unknown")),
                created=str(head.get("created", "")),
                extra=dict(head.get("extra", {})),
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise _fail(self.path, 1, f"header is missing or has a bad {err}") from None

    @property
    def fps(self) -> float:
        return self.header.fps

    @property
    def resolution_wh(self) -> tuple[int, int]:
        return self.header.resolution_wh

    def __iter__(self) -> Iterator[PoseFrame]:
        res = self.header.resolution_wh
        self._fh = _open_text(self.path, "r")
        try:
            self._fh.readline()
            prev_t = -np.inf
            for line_no, line in enumerate(self._fh, start=2):
                if not line.strip():
                    continue
                frame = _parse_frame(self.path, line_no, line, res)
                if frame.t_s <= prev_t:
                    raise _fail(self.path, line_no, "timestamps must increase strictly")
                prev_t = frame.t_s
                yield frame
        except (OSError, EOFError) as err:
            raise RecordingError(
                f"{self.path}: recording is truncated or corrupt ({err})"
            ) from None
        finally:
            self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RecordingSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_recording(path: str | os.PathLike[str]) -> tuple[RecordingHeader, list[PoseFrame]]:
    """Read a whole recording into memory (header, frames)."""
    src = RecordingSource(path)
    return src.header, list(src)
