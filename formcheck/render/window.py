"""The on-screen window: the one module that calls OpenCV's highgui (imshow, waitKey, ...).

::

    with Window("formcheck", size_wh=(960, 540)) as win:
        win.show(scene)
        key = win.poll_key()          # -1 or a key code, as cv2.waitKey
        if win.closed:                # the user closed it with the mouse
            ...

On Linux, OpenCV's Qt backend aborts the whole process when it cannot reach an X display, so
:func:`display_problem` checks first (DISPLAY set, its socket answering) and :class:`Window`
raises :class:`DisplayError` instead.
"""

from __future__ import annotations

import os
import socket
import sys

import cv2
import numpy as np

from formcheck.errors import OutputError

__all__ = ["DisplayError", "Window", "display_problem"]


class DisplayError(OutputError):
    """No screen to open a window on (use ``--headless``)."""


def display_problem(env: dict[str, str] | None = None) -> str | None:
    """Why no window can be opened here, as a one-line message; None when one can (or when
    this is not Linux, where no X display is needed)."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return "no display to open a window on (DISPLAY is not set): use --headless"
    host, sep, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not sep or not number.isdigit() or "/" in host:
        return None  # a form we do not probe (e.g. a socket path): let the backend try
    try:
        if host in ("", "unix"):
            _connect_unix(f"/tmp/.X11-unix/X{number}")
        else:
            socket.create_connection((host, 6000 + int(number)), timeout=1.0).close()
    except OSError as err:
        return f"cannot reach display {display} ({err.strerror or err}): use --headless"
    return None


def _connect_unix(path: str) -> None:
    last: OSError | None = None
    for address in ("\0" + path, path):  # Linux abstract socket first, then the file
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(1.0)
        try:
            sock.connect(address)
            return
        except OSError as err:
            last = err
        finally:
            sock.close()
    assert last is not None
    raise last


class Window:
    """A resizable window that shows BGR frames and reports keys and its own closing."""

    def __init__(self, title: str, size_wh: tuple[int, int] | None = None) -> None:
        problem = display_problem()
        if problem is not None:
            raise DisplayError(problem)
        self.title = title
        self.fullscreen = False
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        if size_wh is not None and size_wh[0] > 0 and size_wh[1] > 0:
            w, h = size_wh
            scale = min(1.0, 1280 / w, 800 / h)  # start no larger than a laptop screen
            cv2.resizeWindow(title, int(w * scale), int(h * scale))
        self._open = True

    def show(self, image_bgr: np.ndarray) -> None:
        """Show one frame (it appears at the next :meth:`poll_key`)."""
        if self._open:
            cv2.imshow(self.title, image_bgr)

    def poll_key(self, wait_ms: int = 1) -> int:
        """Let the window draw and handle events for ``wait_ms``; the key pressed, or -1."""
        if not self._open:
            return -1
        return int(cv2.waitKey(max(1, wait_ms)))

    @property
    def closed(self) -> bool:
        """True once the user has closed the window (or :meth:`close` was called)."""
        if not self._open:
            return True
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:  # the backend already destroyed it
            return True

    def toggle_fullscreen(self) -> bool:
        """Full screen on or off; returns the new state."""
        self.fullscreen = not self.fullscreen
        mode = cv2.WINDOW_FULLSCREEN if self.fullscreen else cv2.WINDOW_NORMAL
        if not self.closed:
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, mode)
        return self.fullscreen

    def close(self) -> None:
        """Destroy the window (safe to call twice)."""
        if not self._open:
            return
        self._open = False
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)  # let the backend process the destruction
        except cv2.error:
            pass  # closed by the user already

    def __enter__(self) -> Window:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
