"""The SQLite side of the history: opening a file safely, migrating it, and writing to it
under contention.

:func:`connect` first looks at an existing file read-only (opened immutable when no ``-wal`` is
beside it, so not even side files appear) and refuses, with a one-line :class:`HistoryError`,
a file that is corrupt, is somebody else's SQLite database, or was written by a newer formcheck.
Only then does it open the file for writing, switch it to WAL mode and apply the missing
migrations of :mod:`formcheck.store.schema` in one transaction.

Writers use :func:`transaction` (``BEGIN IMMEDIATE``: the write lock is taken up front, so a
busy database is waited for rather than failing half-way) inside :func:`retry`, which tries
again with jittered, doubling backoff while SQLite still reports the database locked after its
own :data:`BUSY_TIMEOUT_S` wait. :func:`sqlite_errors` turns whatever sqlite3 raises into one line.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from formcheck.errors import HistoryError
from formcheck.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_S",
    "HOME_ENV",
    "RETRIES",
    "connect",
    "history_path",
    "retry",
    "sqlite_errors",
    "transaction",
]

HOME_ENV = "FORMCHECK_HOME"
FILENAME = "history.sqlite3"
BUSY_TIMEOUT_S = 5.0  # SQLite's own wait for a lock, per attempt
RETRIES = 4  # further attempts after a "database is locked", with doubling backoff
_BACKOFF_S = 0.1
T = TypeVar("T")


def history_path() -> Path:
    """``$FORMCHECK_HOME/history.sqlite3``, else the per-user data folder's."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser() / FILENAME
    import platformdirs

    return Path(platformdirs.user_data_dir("formcheck")) / FILENAME


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection to the history at ``path``, created or migrated as needed
    (foreign keys on, WAL mode, latest schema). Refuses, without writing to it, a corrupt
    file, a file that is not a formcheck history, and one written by a newer formcheck."""
    if path.exists():
        if not path.is_file():
            raise HistoryError(f"{path} is not a file; point {HOME_ENV} at another folder")
        _inspect(path)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise HistoryError(
                f"cannot create {path.parent}: {err.strerror}; set {HOME_ENV} to a folder you "
                "can write to"
            ) from None
    with sqlite_errors(path):
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if retry(lambda: conn.execute("PRAGMA journal_mode").fetchone()[0]) != "wal":
                retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
            retry(lambda: _migrate(conn, path))
        except BaseException:
            conn.close()
            raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on any exception)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def retry(work: Callable[[], T]) -> T:
    """``work()``, tried again with doubling, jittered backoff while the database is locked
    (each attempt already waited :data:`BUSY_TIMEOUT_S` inside SQLite)."""
    for attempt in range(RETRIES + 1):
        try:
            return work()
        except sqlite3.OperationalError as err:
            if not _is_busy(err) or attempt == RETRIES:
                raise
            time.sleep(_BACKOFF_S * 2**attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """sqlite3 errors -> one-line :class:`HistoryError` naming the file and what to do."""
    try:
        yield
    except sqlite3.OperationalError as err:
        if _is_busy(err):
            raise HistoryError(
                f"{path} stayed locked by another formcheck process; try again in a moment"
            ) from None
        raise HistoryError(f"cannot use {path}: {err}") from None
    except sqlite3.DatabaseError as err:
        raise HistoryError(_corrupt_message(path, str(err))) from None


def _corrupt_message(path: Path, why: str) -> str:
    return (
        f"{path} is not a readable formcheck history ({why}); it was left untouched: move it "
        f"aside (formcheck then starts a new one) or point {HOME_ENV} elsewhere"
    )


def _newer_message(path: Path, version: int) -> str:
    return (
        f"{path} was written by a newer formcheck (schema {version}, this one knows "
        f"{SCHEMA_VERSION}): upgrade formcheck, or point {HOME_ENV} elsewhere"
    )


def _inspect(path: Path) -> None:
    """Refuse, reading only, a file we must not write to. Without a ``-wal`` beside it the file
    is opened immutable, so not even the ``-shm``/``-wal`` side files are created."""
    wal = path.with_name(path.name + "-wal")
    uri = path.resolve().as_uri() + ("?mode=ro" if wal.exists() else "?mode=ro&immutable=1")

    def read() -> tuple[int, int, int, list[tuple[str]]]:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            return (
                conn.execute("PRAGMA user_version").fetchone()[0],
                conn.execute("PRAGMA application_id").fetchone()[0],
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0],
                conn.execute("PRAGMA quick_check").fetchall(),
            )
        finally:
            conn.close()

    try:
        version, app_id, tables, check = retry(read)
    except sqlite3.OperationalError as err:
        if _is_busy(err):
            raise HistoryError(f"{path} is locked by another process; try again") from None
        raise HistoryError(_corrupt_message(path, str(err))) from None
    except sqlite3.DatabaseError as err:
        raise HistoryError(_corrupt_message(path, str(err))) from None
    if check != [("ok",)]:
        raise HistoryError(_corrupt_message(path, f"integrity check: {check[0][0]}"))
    if version > SCHEMA_VERSION:
        raise HistoryError(_newer_message(path, version))
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables > 0):
        raise HistoryError(
            f"{path} is an SQLite database but not a formcheck history; it was left untouched: "
            f"move it aside or point {HOME_ENV} elsewhere"
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one transaction (re-reading the version under the lock,
    so two processes opening an old file at once migrate it once)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:  # a newer formcheck got there between _inspect and now
            raise HistoryError(_newer_message(path, version))
        for statements in MIGRATIONS[version:]:
            for sql in statements:
                conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text
