"""A real pose analysis touches no network and leaves MediaPipe's native log lines off stderr.

Issue 20, items 2 and 13a. MediaPipe's PyPI wheels (0.10.35 and 1.x) post usage reports from
native code (libcurl inside ``libmediapipe.so``, to play.googleapis.com): Python-level socket
patching would not see it, so the analysis runs in a subprocess under ``strace -f`` and every
``connect``/``send*`` that names an address must name this machine. MediaPipe's C++ loggers
write to file descriptor 2 from native threads, so stderr is read from a real process too.

The video is the mannequin's silhouette (``formcheck.synth``) doing one squat, after a few
empty frames: the model finds nobody at first, and its landmark stage starts (and logs its
first warning) only when the person appears. No shared clip is needed.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.synth import Camera, Script, Step, render

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120

# Native log lines as MediaPipe 1.x writes them: absl/glog ("W0000 00:00:17.. 123 file.cc:81] ..."
# and its "Logging before InitGoogle()" banner), LiteRT/TFLite ("INFO: [env.cc:36] ...",
# "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.").
NATIVE_LOG = re.compile(
    r"^[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\] "
    r"|^(INFO|WARNING|ERROR|VERBOSE|DEBUG|FATAL): "
    r"|Created TensorFlow Lite|Logging before InitGoogle"
)


@pytest.fixture(scope="module")
def squat_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three empty frames, then the mannequin's silhouette squatting once (2.3 s at 10 fps)."""
    script = Script(
        {
            "stand": {"base": "standing"},
            "squat": {
                "base": "standing",
                "hip_flex_left": 80,
                "hip_flex_right": 80,
                "knee_flex_left": 90,
                "knee_flex_right": 90,
            },
        },  # fmt: skip
        [Step("squat", move_s=1.0), Step("stand", move_s=1.0)],
        start="stand",
    )
    camera = Camera(azimuth_deg=60, resolution_wh=(320, 240))
    w, h = camera.resolution_wh
    background = np.full((h, w, 3), (200, 210, 220), np.float32)
    body = np.array((60, 80, 140), np.float32)
    path = tmp_path_factory.mktemp("no-network") / "squat.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (w, h))
    assert writer.isOpened()
    try:
        for _ in range(3):
            writer.write(background.astype(np.uint8))
        for frame in render(script, camera, fps=10, with_mask=True):
            m = frame.mask[..., None]
            writer.write((background * (1 - m) + body * m).astype(np.uint8))
    finally:
        writer.release()
    return path


def _analyze_cmd(video: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "formcheck", "analyze", str(video), "-e", "squat",
            "--no-history", "--model", str(model)]  # fmt: skip


def _env() -> dict[str, str]:
    """This environment, with the repository importable whatever the install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def test_stderr_holds_no_mediapipe_log_lines(squat_video: Path, pose_model: Path) -> None:
    proc = subprocess.run(
        _analyze_cmd(squat_video, pose_model), env=_env(), cwd=squat_video.parent,
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 rep" in proc.stdout, proc.stdout  # the person was seen: the landmark stage ran
    native = [line for line in proc.stderr.splitlines() if NATIVE_LOG.search(line)]
    assert not native, "MediaPipe's native log lines reached stderr:\n" + proc.stderr


# --- the network ---------------------------------------------------------------------------

_CALL = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_IPV4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_IPV6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
_LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}  # this machine's sockets, the kernel


def off_machine(trace: str) -> list[str]:
    """The strace lines of calls that name an address off this machine (not loopback)."""
    bad = []
    for line in trace.splitlines():
        if not _CALL.search(line) or not (fam := _FAMILY.search(line)):
            continue  # a send on a connected socket names no address: its connect() is checked
        family = fam.group(1)
        if family in _LOCAL_FAMILIES:
            continue
        addr = _IPV4.search(line) if family == "AF_INET" else _IPV6.search(line)
        if family in ("AF_INET", "AF_INET6") and addr:
            ip = ipaddress.ip_address(addr.group(1))
            if ip.is_loopback or (
                ip.version == 6 and ip.ipv4_mapped and ip.ipv4_mapped.is_loopback
            ):
                continue
        bad.append(line)
    return bad


def test_the_checker_tells_loopback_from_the_network() -> None:
    lines = [
        '7 connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
        '7 connect(8, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16)',
        "7 connect(3, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        "7 sendmmsg(8, [{msg_hdr={msg_name=NULL, msg_namelen=0, ...}}], 2, MSG_NOSIGNAL) = 2",
        "7 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 8",
    ]
    assert off_machine("\n".join(lines)) == []
    dns = (
        '9 connect(8, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.2.0.53")}, 16)'
    )
    https = (
        "9 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2a00:1450:4001::200e", &sin6_addr), sin6_scope_id=0}, 28)'
    )
    udp = (
        '9 sendto(5, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), '
        'sin_addr=inet_addr("8.8.8.8")}, 16)'
    )
    assert off_machine("\n".join([*lines, dns, https, udp])) == [dns, https, udp]


def test_a_pose_analysis_attempts_no_connection_off_this_machine(
    squat_video: Path, pose_model: Path, tmp_path: Path
) -> None:
    strace = shutil.which("strace")
    assert strace, (
        "strace is needed to watch the analysis' native network calls: install it "
        "(Debian/Ubuntu: apt-get install strace; CI's .ci/run does)"
    )
    trace = tmp_path / "strace.txt"
    cmd = [strace, "-f", "-qq", "-e", "signal=none", "-e", "trace=execve,%network",
           "-o", str(trace), *_analyze_cmd(squat_video, pose_model)]  # fmt: skip
    proc = subprocess.run(
        cmd, env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    text = trace.read_text() if trace.exists() else ""
    assert "execve(" in text, f"strace traced nothing (ptrace not allowed?):\n{proc.stderr}"
    assert proc.returncode == 0, proc.stderr
    assert "1 rep" in proc.stdout, proc.stdout  # the model ran on every frame
    bad = off_machine(text)
    assert not bad, "the analysis tried to reach the network:\n" + "\n".join(bad)
