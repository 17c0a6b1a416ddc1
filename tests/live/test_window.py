"""The real window, on a virtual X display: what it was given to show, and the same counts.

``formcheck live`` plays the mannequin recording in a real window on Xvfb at ``--speed 0``: as
fast as the machine goes, with every frame analysed and shown (none is late, so none is
skipped). What the window was given at an input time is read from the screenshots, which are
keyed by input time (the first frame at or after each whole second): the answer is the same on
a fast machine and on a busy one.

The X server is asked (through libX11) whether the window is there, mapped and of the
recording's size, and the test then closes it as a user would (the window manager's
WM_DELETE_WINDOW message), which ends the summary screen. Nothing waits on the clock.
The screen's pixels are not compared: OpenCV's Qt backend, under Xvfb without a window
manager, sometimes never paints a window at all (a third of the runs on a busy 2-core machine,
with or without formcheck), so "what the screen shows" cannot be a deterministic answer.
Xvfb runs with ``-fbdir`` (its screen in a file, XWD format) for tests that look at it anyway.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app


@pytest.fixture(scope="module")
def xvfb(tmp_path_factory):
    """A virtual X display ``(name, framebuffer file)``; skipped only if Xvfb is missing."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (apt-get install -y xvfb): no virtual display")
    fbdir = tmp_path_factory.mktemp("xvfb")
    read_fd, write_fd = os.pipe()  # Xvfb picks a free display and writes its number here
    proc = subprocess.Popen(
        [exe, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-fbdir", str(fbdir),
         "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_fd,),
    )  # fmt: skip
    os.close(write_fd)
    answer = b""
    deadline = time.monotonic() + 15
    while not answer.endswith(b"\n") and time.monotonic() < deadline:
        if select.select([read_fd], [], [], 0.5)[0]:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            answer += chunk
    number = answer.decode().strip()
    fb = fbdir / "Xvfb_screen0"
    deadline = time.monotonic() + 10
    while number.isdigit() and not fb.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the screen file comes a moment after the display number
    if not number.isdigit() or not fb.exists():
        proc.kill()
        os.close(read_fd)
        pytest.fail(f"Xvfb did not start (exit code {proc.poll()})")
    try:
        yield f":{number}", fb
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        os.close(read_fd)  # only now: Xvfb dies if it cannot finish writing the number


def grab(fb: Path) -> np.ndarray:
    """The X screen as a BGR image, read from Xvfb's XWD framebuffer file."""
    data = fb.read_bytes()
    head = struct.unpack(">25I", data[:100])
    size, width, height, bpp, stride, ncolors = (
        head[0],
        head[4],
        head[5],
        head[11],
        head[12],
        head[19],
    )
    assert bpp == 32, f"expected a 32-bit framebuffer, got {bpp}"
    start = size + 12 * ncolors
    pixels = np.frombuffer(data, np.uint8, stride * height, start).reshape(height, stride // 4, 4)
    return pixels[:, :width, :3]  # little-endian 0xRRGGBB words: B, G, R, pad


class _ClientMessage(ctypes.Structure):  # XClientMessageEvent
    _fields_ = [
        ("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong), ("format", ctypes.c_int), ("data", ctypes.c_long * 5),
    ]  # fmt: skip


class _Event(ctypes.Union):  # XEvent: 24 longs
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


class _Attributes(ctypes.Structure):  # XWindowAttributes
    _fields_ = [
        *((n, ctypes.c_int) for n in ("x", "y", "width", "height", "border", "depth")),
        ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong),
        *((n, ctypes.c_int) for n in ("class_", "bit_gravity", "win_gravity", "backing")),
        ("planes", ctypes.c_ulong), ("pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong), ("installed", ctypes.c_int), ("map_state", ctypes.c_int),
        ("masks", ctypes.c_long * 3), ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]  # fmt: skip


class XDisplay:
    """A few libX11 calls: the top-level windows by name, their size, closing one as the
    window manager's close button does (WM_DELETE_WINDOW)."""

    def __init__(self, name: str) -> None:
        lib = ctypes.util.find_library("X11") or "libX11.so.6"
        x = self.x = ctypes.CDLL(lib)
        p, ul, ptr = ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER
        x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = p, [ctypes.c_char_p]
        x.XDefaultRootWindow.restype, x.XDefaultRootWindow.argtypes = ul, [p]
        x.XQueryTree.argtypes = [p, ul, ptr(ul), ptr(ul), ptr(ptr(ul)), ptr(ctypes.c_uint)]
        x.XFetchName.argtypes = [p, ul, ptr(ctypes.c_char_p)]
        x.XGetWindowAttributes.argtypes = [p, ul, ptr(_Attributes)]
        x.XInternAtom.restype, x.XInternAtom.argtypes = ul, [p, ctypes.c_char_p, ctypes.c_int]
        x.XSendEvent.argtypes = [p, ul, ctypes.c_int, ctypes.c_long, ptr(_Event)]
        x.XSync.argtypes = [p, ctypes.c_int]
        x.XCloseDisplay.argtypes = [p]
        self.d = x.XOpenDisplay(name.encode())
        assert self.d, f"cannot open X display {name}"

    def windows(self) -> dict[str, int]:
        """Top-level windows by name."""
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        kids, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        top = self.x.XDefaultRootWindow(self.d)
        self.x.XQueryTree(self.d, top, root, parent, ctypes.byref(kids), ctypes.byref(n))
        named = {}
        for i in range(n.value):
            name = ctypes.c_char_p()
            if self.x.XFetchName(self.d, kids[i], ctypes.byref(name)) and name.value:
                named[name.value.decode()] = kids[i]
        return named

    def size_and_mapped(self, window: int) -> tuple[int, int, bool]:
        a = _Attributes()
        self.x.XGetWindowAttributes(self.d, window, ctypes.byref(a))
        return a.width, a.height, a.map_state == 2  # IsViewable

    def close_window(self, window: int) -> None:
        event = _Event()
        msg = event.xclient
        msg.type, msg.window, msg.format = 33, window, 32  # a ClientMessage of 32-bit words
        msg.message_type = self.x.XInternAtom(self.d, b"WM_PROTOCOLS", 0)
        msg.data[0] = self.x.XInternAtom(self.d, b"WM_DELETE_WINDOW", 0)
        self.x.XSendEvent(self.d, window, 0, 0, ctypes.byref(event))
        self.x.XSync(self.d, 0)

    def close(self) -> None:
        self.x.XCloseDisplay(self.d)


def orange(image: np.ndarray) -> np.ndarray:
    """Pixels of the warning banner (orange, as blended over the picture)."""
    b, g, r = (image[..., k].astype(int) for k in range(3))
    return (r > 150) & (g > 60) & (g < 140) & (b < 70)


def has_banner(image: np.ndarray) -> bool:
    rows = orange(image).mean(axis=1)
    return int((rows > 0.6).sum()) >= 20  # a band at least 20 rows high across the window


def has_counter(image: np.ndarray) -> bool:
    """The dark counter panel at the top left, with large white digits in it."""
    h, w = image.shape[:2]
    corner = image[5 : h // 4, 5 : w // 4]
    white = np.all(corner > 235, axis=2).mean()
    dark = np.all(corner < 60, axis=2).mean()
    return white > 0.02 and dark > 0.4


def green_hold_bar(image: np.ndarray) -> bool:
    """The hold bar filled green, under the counter: the hold target reached."""
    h, w = image.shape[:2]
    left = image[: h // 2, : w // 3].astype(int)
    green = (left[..., 1] > 170) & (left[..., 0] < 100) & (left[..., 2] < 100)
    return int((green.mean(axis=1) > 0.3).sum()) >= 12  # a bar, not a line


FRAME_S = 1 / 30  # the bundled recording's frame interval


def shot_at(folder: Path, t_s: float) -> np.ndarray:
    """The saved frame for input time ``t_s``: the first frame at or after it (files are named
    live_<t>s.png)."""
    times = {float(p.stem[5:-1]): p for p in folder.glob("live_*s.png")}
    (at,) = [t for t in times if t_s - 1e-6 <= t < t_s + FRAME_S]
    return cv2.imread(str(times[at]))


def test_screenshots_are_keyed_by_input_time_not_by_drawing_speed(tmp_path):
    """Frames offered late and irregularly, as on a busy machine: the shots are the first
    frames at or after each whole second, named by input time."""
    from formcheck.live import ScreenshotSaver

    saver = ScreenshotSaver(tmp_path, every_s=1.0)
    for t_s in [0.0, 0.4, 0.99, 1.0, 1.7, 2.2, 2.9, 3.5, 5.01, 5.02, 6.0]:
        saver.offer(t_s, np.zeros((4, 4, 3), np.uint8))
    assert [p.name for p in saver.saved] == [
        "live_0000.00s.png", "live_0001.00s.png", "live_0002.20s.png", "live_0003.50s.png",
        "live_0005.01s.png", "live_0006.00s.png",
    ]  # fmt: skip


def test_window_shows_counter_and_cue_and_counts_like_headless(xvfb, bird_dog, tmp_path):
    display, _ = xvfb
    shots = tmp_path / "shots"
    cmd = [sys.executable, "-m", "formcheck", "live", "bird-dog", "--video", str(bird_dog),
           "--no-audio", "--speed", "0", "--summary-s", "3600", "--screenshot-dir", str(shots),
           "--save-report", str(tmp_path / "window"), "--no-history"]  # fmt: skip
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    x = XDisplay(display)
    try:
        # the summary screen is saved just before it is shown; it stays until the window closes
        while proc.poll() is None and not (shots / "summary.png").exists():
            time.sleep(0.05)
        windows = x.windows()
        assert "formcheck - Bird-dog" in windows, (windows, proc.poll())
        window = windows["formcheck - Bird-dog"]
        # the recording's 16:9, at 85 % of the 1280x800 screen's width
        assert x.size_and_mapped(window) == (1088, 612, True)
        x.close_window(window)  # as a user closes it: the summary ends, the report is written
        out, err = proc.communicate(timeout=120)
    finally:
        x.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "4 reps (left 2, right 2)" in out
    assert "dropped" not in err  # every frame was drawn
    # what the window showed at given input times (the saved frames are the ones passed to
    # imshow): one per whole second of the 22.8 s recording, whatever the machine's speed
    assert sorted(p.name for p in shots.glob("live_*s.png")) == [
        f"live_{k:04d}.00s.png" for k in range(23)
    ]
    mid_fault = shot_at(shots, 14.0)
    assert has_banner(mid_fault) and has_counter(mid_fault)
    assert not has_banner(shot_at(shots, 8.0))  # no fault, no banner
    assert green_hold_bar(shot_at(shots, 4.0)) and not green_hold_bar(shot_at(shots, 2.0))
    assert (shots / "summary.png").is_file()
    # the same input headless counts the same reps
    headless = CliRunner().invoke(
        app, ["live", "bird-dog", "--video", str(bird_dog), "--headless", "--no-audio",
              "--speed", "0", "--save-report", str(tmp_path / "headless"), "--no-history"],
    )  # fmt: skip
    assert headless.exit_code == 0, headless.output
    windowed = json.loads((tmp_path / "window" / "report.json").read_text())
    assert (
        windowed["reps"] == json.loads((tmp_path / "headless" / "report.json").read_text())["reps"]
    )
    assert windowed["result"]["summary"]["reps_by_side"] == {"left": 2, "right": 2}
