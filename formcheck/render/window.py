"""The on-screen window: the one module that calls OpenCV's highgui (imshow, waitKey, ...).

::

    with Window("formcheck", size_wh=(960, 540)) as win:   # the picture's size: its aspect
        scene = draw(win.canvas_wh)   # at the size it is shown
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

__all__ = ["DisplayError", "Window", "display_problem", "initial_size", "screen_size"]

SCREEN_SHARE = 0.85  # a new window takes at most this share of the screen's width and height


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


def screen_size(env: dict[str, str] | None = None) -> tuple[int, int] | None:
    """The X screen's size in pixels (through libX11), or None when it cannot be asked."""
    import ctypes
    import ctypes.util

    env = os.environ if env is None else env
    if not sys.platform.startswith("linux") or not env.get("DISPLAY"):
        return None
    try:
        x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    except OSError:
        return None
    x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    x.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x.XDisplayWidth.argtypes = x.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x.XOpenDisplay(env["DISPLAY"].encode())
    if not display:
        return None
    try:
        screen = x.XDefaultScreen(display)
        return int(x.XDisplayWidth(display, screen)), int(x.XDisplayHeight(display, screen))
    finally:
        x.XCloseDisplay(display)


def initial_size(
    picture_wh: tuple[int, int] | None, screen_wh: tuple[int, int] | None
) -> tuple[int, int]:
    """The size a new window opens at: the picture's aspect, as large as fits in
    ``SCREEN_SHARE`` of the screen (a small video is shown larger, so that what is drawn
    over it is legible from across the room). Without a screen size: as on a 1366x768
    laptop; without a picture size: 16:9."""
    sw, sh = screen_wh if screen_wh and screen_wh[0] > 0 and screen_wh[1] > 0 else (1366, 768)
    pw, ph = picture_wh if picture_wh and picture_wh[0] > 0 and picture_wh[1] > 0 else (16, 9)
    scale = min(SCREEN_SHARE * sw / pw, SCREEN_SHARE * sh / ph)
    return max(1, round(pw * scale)), max(1, round(ph * scale))


class Window:
    """A resizable window that shows BGR frames and reports keys and its own closing.

    It opens at :func:`initial_size` for the screen, keeping the picture's aspect;
    :attr:`canvas_wh` is the size it shows a picture at, so the caller can draw at exactly
    that size (text drawn at the screen's own pixels, not scaled with the video). The window
    stretches what it is given to its own size (``WINDOW_FREERATIO``): keeping the picture's
    aspect is the caller's part (:func:`formcheck.render.annotate.letterbox`)."""

    def __init__(self, title: str, size_wh: tuple[int, int] | None = None) -> None:
        problem = display_problem()
        if problem is not None:
            raise DisplayError(problem)
        self.title = title
        self.fullscreen = False
        self._screen = screen_size()
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_FREERATIO | cv2.WINDOW_GUI_NORMAL)
        self._size = initial_size(size_wh, self._screen)
        cv2.resizeWindow(title, *self._size)
        self._open = True

    @property
    def canvas_wh(self) -> tuple[int, int] | None:
        """The window's picture area now (px), or None when the backend cannot say."""
        if not self._open:
            return None
        try:
            _, _, w, h = cv2.getWindowImageRect(self.title)
        except cv2.error:
            return None
        return (int(w), int(h)) if w > 0 and h > 0 else None

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
        """Full screen on or off; returns the new state. Without a window manager (which is
        what makes a window full screen) the window is also moved to the corner and given
        the screen's size; off again, it gets its size back."""
        if self.closed:
            return self.fullscreen
        self.fullscreen = not self.fullscreen
        if self.fullscreen:
            self._size = self.canvas_wh or self._size
        mode = cv2.WINDOW_FULLSCREEN if self.fullscreen else cv2.WINDOW_NORMAL
        cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, mode)
        if self.fullscreen and self._screen is not None:
            cv2.moveWindow(self.title, 0, 0)
            cv2.resizeWindow(self.title, *self._screen)
        elif not self.fullscreen:
            cv2.resizeWindow(self.title, *self._size)
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
