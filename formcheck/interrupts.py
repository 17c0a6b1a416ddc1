"""Ctrl+C that stops the work, never the saving of it.

Inside :func:`graceful_sigint` the first Ctrl+C raises ``KeyboardInterrupt`` as usual (the frame
loop catches it and what was seen becomes a partial result), except inside :func:`protected`,
where it is only noted. Every later Ctrl+C is only noted too: a second press while the partial
report is being written does not cut that write in half. :func:`requested` tells whether Ctrl+C
was pressed, so a batch does not start its next input.

Signal handlers belong to the main thread; elsewhere (worker processes ignore SIGINT, threads
cannot set handlers) these are no-ops. So they are in a process started with SIGINT ignored
(a shell's background job): Ctrl+C at that terminal is not meant for it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["graceful_sigint", "protected", "requested"]


class _State:
    def __init__(self) -> None:
        self.presses = 0
        self.protect_depth = 0


_active: _State | None = None


@contextmanager
def graceful_sigint() -> Iterator[None]:
    """Ctrl+C as described in the module docstring, for the duration of the block."""
    global _active
    if threading.current_thread() is not threading.main_thread() or _active is not None:
        yield
        return
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield  # started with Ctrl+C ignored (a background job, nohup): it stays ignored
        return
    state = _State()

    def on_sigint(signum: int, frame: object) -> None:
        state.presses += 1
        if state.presses == 1 and state.protect_depth == 0:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    _active = state
    try:
        yield
    finally:
        _active = None
        signal.signal(signal.SIGINT, previous)


@contextmanager
def protected() -> Iterator[None]:
    """A block (writing what was done) that Ctrl+C does not interrupt."""
    state = _active
    if state is None:
        yield
        return
    state.protect_depth += 1
    try:
        yield
    finally:
        state.protect_depth -= 1


def requested() -> bool:
    """Whether Ctrl+C was pressed inside the current :func:`graceful_sigint` block."""
    return _active is not None and _active.presses > 0
