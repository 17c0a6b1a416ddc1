"""The real window, on a virtual X display: what reaches the screen, and the same counts.

Xvfb runs with ``-fbdir``, which keeps its screen in a file (XWD format): the test reads the
screen itself while ``formcheck live`` plays the mannequin recording 6x faster than real time.
"""

from __future__ import annotations

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


def orange(image: np.ndarray) -> np.ndarray:
    """Pixels of the warning banner (orange, as blended over the picture)."""
    b, g, r = (image[..., k].astype(int) for k in range(3))
    return (r > 150) & (g > 60) & (g < 140) & (b < 70)


def has_banner(image: np.ndarray) -> bool:
    rows = orange(image).mean(axis=1)
    return int((rows > 0.6).sum()) >= 20  # a band at least 20 rows high across the window


def has_counter(image: np.ndarray) -> bool:
    """The dark counter panel at the top left, with large white digits in it."""
    corner = image[5:100, 5:240]
    white = np.all(corner > 235, axis=2).mean()
    dark = np.all(corner < 60, axis=2).mean()
    return white > 0.02 and dark > 0.4


def green_hold_bar(image: np.ndarray) -> bool:
    """The hold bar filled green: the hold target reached."""
    bar = image[100:150, 5:260].astype(int)
    green = (bar[..., 1] > 170) & (bar[..., 0] < 100) & (bar[..., 2] < 100)
    return green.mean() > 0.3


def shot_at(folder: Path, t_s: float) -> np.ndarray:
    """The saved frame nearest to input time ``t_s`` (files are named live_<t>s.png)."""
    times = {float(p.stem[5:-1]): p for p in folder.glob("live_*s.png")}
    nearest = min(times, key=lambda t: abs(t - t_s))
    assert abs(nearest - t_s) < 0.5, f"no frame saved near {t_s} s: {sorted(times)}"
    return cv2.imread(str(times[nearest]))


def test_window_shows_counter_and_cue_and_counts_like_headless(xvfb, bird_dog, tmp_path):
    display, fb = xvfb
    shots = tmp_path / "shots"
    cmd = [sys.executable, "-m", "formcheck", "live", "bird-dog", "--video", str(bird_dog),
           "--no-audio", "--speed", "6", "--summary-s", "1", "--screenshot-dir", str(shots),
           "--save-report", str(tmp_path / "window")]  # fmt: skip
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    seen = {"counter": False}
    try:
        while proc.poll() is None:
            screen = grab(fb)
            seen["counter"] |= has_counter(screen)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    # the counter is on every frame, so the real screen must have shown it; the banner shows
    # for under a second of replay, which polling the screen may miss on a busy machine: it is
    # checked on the frames the window was given (below), not on the screen's timing
    assert seen["counter"], (out, err)
    assert "4 reps (left 2, right 2)" in out
    # what the window showed mid-fault (the saved frames are the ones passed to imshow)
    mid_fault = shot_at(shots, 14.0)
    assert has_banner(mid_fault) and has_counter(mid_fault)
    assert not has_banner(shot_at(shots, 8.0))  # no fault, no banner
    assert green_hold_bar(shot_at(shots, 4.0)) and not green_hold_bar(shot_at(shots, 2.0))
    assert (shots / "summary.png").is_file()
    # the same input headless counts the same reps
    headless = CliRunner().invoke(
        app, ["live", "bird-dog", "--video", str(bird_dog), "--headless", "--no-audio",
              "--speed", "0", "--save-report", str(tmp_path / "headless")],
    )  # fmt: skip
    assert headless.exit_code == 0, headless.output
    windowed = json.loads((tmp_path / "window" / "report.json").read_text())
    assert (
        windowed["reps"] == json.loads((tmp_path / "headless" / "report.json").read_text())["reps"]
    )
    assert windowed["summary"]["reps_by_side"] == {"left": 2, "right": 2}
