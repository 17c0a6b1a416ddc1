"""Files that are either complete or absent: temporary names, atomic writes, folders swapped in
as a set, and the cleaning of what a killed process left behind.

Every temporary file or folder formcheck makes beside a target is named
``.<target name>.fctmp<pid>.<host>-<random>[suffix]``: hidden, tied to the process that made it
and to its machine (``<host>``: 8 hex digits of the host name; older names have none and count as
this machine's). A process killed with ``kill -9`` cannot clean up after itself, so each new
temporary name made in a folder first removes that folder's leftovers whose process is gone
(:func:`clean_stale`). Whether a process is gone can only be seen on its own machine: on a
folder shared by several machines (a batch on a Ray cluster), another machine's leftovers are
left alone, except those of the one target about to be written (:func:`clean_target`: an
input's report folder is written by one process at a time, so whatever else is staged for it
is a dead process's).

A report folder is written as a set (:class:`StagedFolder`): its files go into a hidden folder
beside it, which then takes the report folder's place. A reader sees the old set, no set, or the
new set; never a new ``reps.csv`` beside an old ``report.html``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import tempfile
import zlib
from pathlib import Path
from typing import Any

from formcheck.errors import OutputError

__all__ = [
    "StagedFolder",
    "clean_stale",
    "clean_target",
    "make_dir",
    "os_error_text",
    "temp_file",
    "write_atomic",
    "write_json",
]

_MARK = ".fctmp"
# .<target>.fctmp<pid>[.<host>]-<random><suffix>; "-old" marks a report folder being replaced
_STALE = re.compile(
    r"^\.(?P<target>.+)\.fctmp(?P<pid>\d+)(?:\.(?P<host>[0-9a-f]{8}))?-(?P<rest>[^/]*)$"
)
_OLD = "-old"


def _host() -> str:
    """This machine, in a temporary name: 8 hex digits of its host name."""
    return f"{zlib.crc32(socket.gethostname().encode('utf-8')):08x}"


def os_error_text(err: OSError) -> str:
    """What went wrong, in words a user can act on."""
    if err.errno == errno.ENOSPC:
        return "no space left on the disk; free some space and run again"
    if err.errno == errno.EDQUOT:
        return "the disk quota is used up; free some space and run again"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{err.strerror} (is it a folder you can write to?)"
    return err.strerror or str(err)


def _prefix(target: Path) -> str:
    return f".{target.name}{_MARK}{os.getpid()}.{_host()}-"


def _umask() -> int:
    umask = os.umask(0)  # the only way to read it is to set it
    os.umask(umask)
    return umask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to judge
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended and only waits to be reaped (Linux; elsewhere False). A Ray
    worker killed with its driver stays such a zombie while nothing reaps it, and signal 0
    still reaches it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].startswith(("Z", "X"))


def clean_stale(folder: Path) -> list[Path]:
    """Remove formcheck's temporary files and folders in ``folder`` whose process is gone
    (this machine's: another machine's processes cannot be seen from here).

    A report folder that was being replaced when its process died (``.<name>.fctmp<pid>-old``)
    is put back under its name if nothing took its place. Returns what was removed or restored;
    never raises (cleaning is a courtesy, not the job)."""
    return _clean(folder, None)


def clean_target(target: Path) -> list[Path]:
    """Remove the temporary files and folders of ``target`` that another machine's process left
    (and this machine's whose process is gone), as :func:`clean_stale` does. Only for a target
    that no other process is writing now: a batch's report folder, about to be written."""
    return _clean(target.parent, target.name)


def _clean(folder: Path, target: str | None) -> list[Path]:
    done: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return done
    here = _host()
    for entry in entries:
        m = _STALE.match(entry.name)
        if m is None or (target is not None and m["target"] != target):
            continue
        if m["host"] in (None, here):
            if _alive(int(m["pid"])):
                continue
        elif target is None:
            continue  # another machine's: it may be running
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            named = path.parent / m["target"]
            if m["rest"] == _OLD.lstrip("-") and not named.exists():
                os.rename(path, named)
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            done.append(path)
    return done


def make_dir(path: Path) -> Path:
    """Create ``path`` (and parents); raise :class:`OutputError` naming it if that fails."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write into {path}: it is a file, not a folder") from None
    except NotADirectoryError:
        raise OutputError(
            f"cannot write into {path}: part of that path is a file, not a folder"
        ) from None
    except OSError as err:
        raise OutputError(f"cannot write into {path}: {os_error_text(err)}") from None
    return path


def temp_file(target: Path, suffix: str = ".tmp") -> Path:
    """A new, empty temporary file beside ``target`` (readable like an ordinary file), after
    cleaning the folder's stale ones. The caller renames it onto ``target`` or deletes it."""
    make_dir(target.parent)
    clean_stale(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=suffix, dir=target.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; outputs are ordinary files
    except OSError as err:
        raise OutputError(f"cannot write {target}: {os_error_text(err)}") from None
    return Path(tmp)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns ``path``."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp: Path | None = temp_file(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise OutputError(f"cannot write {path}: {os_error_text(err)}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


def write_json(path: Path, obj: Any) -> Path:
    """``obj`` as indented JSON with a final newline, atomically."""
    return write_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


class StagedFolder:
    """A folder whose files are written elsewhere first and appear together.

    ``StagedFolder(target, own={"report.json", ...})`` makes a hidden folder beside ``target``;
    write into ``.path``, then :meth:`commit` (the hidden folder takes ``target``'s place) or
    :meth:`discard`. Files in an existing ``target`` that are not in ``own`` (a PDF the user
    printed there, notes) are carried over into the new folder; formcheck's own old files are
    dropped, so a report never mixes two analyses."""

    def __init__(self, target: Path, own: set[str]) -> None:
        self.target = Path(target)
        self.own = own
        make_dir(self.target.parent)
        clean_stale(self.target.parent)
        clean_target(self.target)  # what a dead process on another machine left of this set
        if self.target.exists() and not self.target.is_dir():
            raise OutputError(f"cannot write reports into {self.target}: it is a file")
        try:
            self.path = Path(tempfile.mkdtemp(prefix=_prefix(self.target), dir=self.target.parent))
            os.chmod(self.path, 0o777 & ~_umask())  # mkdtemp makes it private; reports are not
        except OSError as err:
            raise OutputError(f"cannot write {self.target}: {os_error_text(err)}") from None

    def commit(self) -> Path:
        """Put the new set in place; returns ``target``."""
        old = self.target.parent / f"{_prefix(self.target)[:-1]}{_OLD}"
        try:
            if self.target.exists():
                self._carry_over()
                os.rename(self.target, old)
            os.rename(self.path, self.target)
        except OSError as err:
            if old.exists() and not self.target.exists():
                with contextlib.suppress(OSError):
                    os.rename(old, self.target)
            self.discard()
            raise OutputError(f"cannot write {self.target}: {os_error_text(err)}") from None
        shutil.rmtree(old, ignore_errors=True)
        return self.target

    def _carry_over(self) -> None:
        for entry in os.scandir(self.target):
            if entry.name in self.own or _STALE.match(entry.name):
                continue
            dest = self.path / entry.name
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, dest, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(entry.path, dest)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _link_or_copy(src: str, dest: str | Path) -> None:
    """A hard link (instant, no space) where the file system has them, else a copy."""
    try:
        os.link(src, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dest, follow_symlinks=False)
