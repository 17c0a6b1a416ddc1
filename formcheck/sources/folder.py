"""All the videos in a folder, played one after another as one source.

::

    with FolderSource("sets/") as frames:
        for frame in frames:
            print(frames.current_file, frame.t_s)

Files are ordered by name as people read it (``set2.mp4`` before ``set10.mp4``, case ignored).
Time keeps running across files: each file starts one frame interval after the last frame of the
one before, so ``t_s`` and ``index`` increase strictly over the whole folder.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from pathlib import Path

from formcheck.errors import SourceError
from formcheck.sources.core import Frame
from formcheck.sources.video import VIDEO_EXTENSIONS, VideoFileSource

__all__ = ["FolderSource", "expand_video_inputs", "list_videos"]


def _name_key(path: Path) -> list[tuple[int, int | str]]:
    """Natural, case-insensitive sort key: ``a2`` < ``a10`` < ``B1``."""
    parts = re.split(r"(\d+)", path.name.casefold())
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts if p]


def _is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_EXTENSIONS and not path.name.startswith(".")


def list_videos(folder: Path) -> list[Path]:
    """The video files directly inside ``folder``, in name order (hidden files skipped).

    Raises :class:`SourceError` if the folder is missing or holds no video.
    """
    if not folder.exists():
        raise SourceError(f"folder not found: {folder} (check the path and the spelling)")
    if not folder.is_dir():
        raise SourceError(f"{folder} is not a folder: give a folder of videos or a video file")
    try:
        videos = [p for p in folder.iterdir() if p.is_file() and _is_video_name(p)]
    except OSError as exc:
        raise SourceError(
            f"cannot list folder {folder} ({exc.strerror}): check its permissions"
        ) from exc
    if not videos:
        raise SourceError(
            f"no videos in folder {folder}: expected files ending in {', '.join(VIDEO_EXTENSIONS)}"
        )
    return sorted(videos, key=_name_key)


def expand_video_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Turn files and folders into one list of video files.

    Files are kept in the order given (whatever their extension: naming a file is a choice);
    each folder becomes its videos in name order; repeats are dropped. Raises
    :class:`SourceError` for a missing path, a folder with no video, or no input at all.
    """
    result: list[Path] = []
    seen: set[Path] = set()
    for item in paths:
        path = Path(item).expanduser()
        if path.is_dir():
            found = list_videos(path)
        elif path.is_file():
            found = [path]
        else:
            raise SourceError(f"input not found: {path} (check the path and the spelling)")
        for video in found:
            key = video.resolve()
            if key not in seen:
                seen.add(key)
                result.append(video)
    if not result:
        raise SourceError("no input given: name at least one video file or folder")
    return result


class FolderSource:
    """The videos of a folder back to back, with one continuous clock.

    Every file is checked (opened and its first frame decoded) when the source is made, so a
    broken file is reported before any is played.

    Attributes: ``path``, ``name``, ``files`` (in play order), ``sources`` (one
    :class:`VideoFileSource` per file), ``current_file`` (the file being played, None before
    and after), ``fps`` (the first file's), ``frame_count`` and ``duration_s`` (sums, None if a
    file does not state them), ``live`` (False), ``resolution_wh`` ((0, 0): the videos may
    differ in size; each frame has its own). After a full pass: ``truncated`` (any file ended
    early) and ``warnings``.
    """

    live: bool = False
    dropped_frames: int = 0  # every frame of every file is read
    resolution_wh: tuple[int, int] = (0, 0)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.name = self.path.name or str(self.path)
        self.files: list[Path] = list_videos(self.path)
        self.sources: list[VideoFileSource] = [VideoFileSource(f) for f in self.files]
        self.current_file: Path | None = None
        self.fps: float = self.sources[0].fps
        counts = [s.frame_count for s in self.sources]
        self.frame_count: int | None = None if None in counts else sum(c or 0 for c in counts)
        durations = [s.duration_s for s in self.sources]
        self.duration_s: float | None = (
            None if None in durations else sum(d or 0.0 for d in durations)
        )
        self.truncated = False
        self.warnings: list[str] = [w for s in self.sources for w in s.warnings]
        # running iterations, held weakly so that a loop that breaks closes its generator
        self._active: weakref.WeakSet[Generator[Frame, None, None]] = weakref.WeakSet()

    def __iter__(self) -> Iterator[Frame]:
        gen = self._frames()
        self._active.add(gen)
        return gen

    def _frames(self) -> Generator[Frame, None, None]:
        offset_s = 0.0
        index = 0
        try:
            for source in self.sources:
                self.current_file = source.path
                last_t_s: float | None = None
                with closing(iter(source)) as frames:
                    for frame in frames:
                        last_t_s = frame.t_s
                        t_s = offset_s + frame.t_s
                        yield Frame(t_s=t_s, image_bgr=frame.image_bgr, index=index)
                        index += 1
                if last_t_s is not None:
                    offset_s += last_t_s + 1.0 / source.fps
            self.truncated = any(s.truncated for s in self.sources)
            self.warnings = [w for s in self.sources for w in s.warnings]
        finally:
            self.current_file = None

    def close(self) -> None:
        """Stop a running iteration and release the file being played (safe to call twice)."""
        for gen in list(self._active):
            gen.close()
        self._active.clear()

    def __enter__(self) -> FolderSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FolderSource({str(self.path)!r}, files={len(self.files)})"
