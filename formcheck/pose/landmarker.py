"""The one adapter around MediaPipe's PoseLandmarker (Tasks API, VIDEO running mode).

Nothing else in formcheck imports mediapipe or sees its types: frames go in, ``PoseFrame``
records come out. Timestamps given to the model are made strictly increasing (whole
milliseconds), as VIDEO mode requires.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np

from formcheck.errors import ModelError
from formcheck.pose.core import NUM_LANDMARKS, PoseFrame
from formcheck.pose.select import PersonSelector
from formcheck.sources.core import Frame

__all__ = ["PoseStream"]

# --- MediaPipe's usage reports: kept off the network (issue 20, item 2) ------------------------
# MediaPipe's PyPI wheels from 0.10.35 on (all of 1.x; 0.10.33 and older have none) build a
# usage logger into every task, PoseLandmarker included: regular_tflite::TaskRunner::Create ->
# logging::CreateTasksLogger -> google_internal::TasksStatsProtoLogger / HttpLoggingClient, whose
# worker thread (HttpAsyncClient -> CurlClient::Post) posts session reports with the libcurl
# built into libmediapipe.so to https://play.googleapis.com/log (a fixed URL) when the task closes
# and while it runs. There is no option or environment switch for it. But CurlClient sets no
# CURLOPT_PROXY or CURLOPT_NOPROXY, so libcurl takes its proxy from https_proxy/HTTPS_PROXY on
# each request: a proxy URL whose scheme libcurl does not know fails the request before any name
# lookup or socket. (Were a libcurl ever to take it as a plain proxy, it would only reach port 9,
# discard, on loopback.) no_proxy/NO_PROXY are emptied so that a "*"
# cannot let the request past it. tests/pose/test_no_network.py watches a real analysis with
# strace: no connect or send to any address off this machine.
#
# The variables are set in the C library's environment only, which libcurl reads, and not in
# os.environ: formcheck's own model download (urllib, `formcheck models fetch`) keeps the user's
# proxy settings. Child processes started without an explicit env inherit them; formcheck's (the
# audio players) use no network.
_UNUSABLE_PROXY = b"formcheck-no-network://127.0.0.1:9"


def _keep_mediapipe_offline() -> None:
    try:
        setenv = ctypes.CDLL(None).setenv  # the process's C library (POSIX)
    except (OSError, TypeError, AttributeError):  # no POSIX C library (Windows): not verified
        return
    setenv.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int)
    setenv.restype = ctypes.c_int
    for name in (b"https_proxy", b"HTTPS_PROXY"):
        setenv(name, _UNUSABLE_PROXY, 1)
    for name in (b"no_proxy", b"NO_PROXY"):  # libcurl takes an empty value as unset
        setenv(name, b"", 1)


_keep_mediapipe_offline()  # before the first task: libcurl reads them at each request

# --- MediaPipe's native log lines: kept off the terminal (issue 20, item 13a) ------------------
# MediaPipe 1.x logs with absl ("W0000 00:00:1796593082.093480  24829 file.cc:81] ...", after a
# "WARNING: Logging before InitGoogle() is written to STDERR" banner) and LiteRT ("INFO: [env.cc:
# 36] ...", "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."), straight to file
# descriptor 2, from its own threads, with no switch: GLOG_minloglevel and TF_CPP_MIN_LOG_LEVEL
# are ignored (kept for the glog-based 0.10 builds) and MpSetLoggingCallback only adds a sink.
# They come when the model loads and closes, on the first inference and whenever a stage first
# runs, e.g. the landmark stage when a person first appears, at any frame. So every call into the
# model runs with descriptor 2 pointed at a scratch file (see _NativeStderr); afterwards the
# native lines are dropped and anything else written meanwhile (another thread's progress bar)
# is passed on to the real stderr, in order.
# `formcheck --verbose` (this variable, so that worker processes inherit it) passes them on.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
VERBOSE_ENV = "FORMCHECK_VERBOSE"

_NATIVE_LINE = re.compile(
    rb"[IWEF]\d{4} [\d:.]+ +\d+ [^\s\]]+:\d+\] "  # absl / glog, wherever it starts in a line
    rb"|^(?:INFO|WARNING|ERROR|VERBOSE|DEBUG|FATAL): "  # LiteRT / TFLite, and absl's banner
    rb"|^=== Source Location Trace: ===|^[\w./-]+\.(?:cc|h|c|cpp):\d+\s*$"  # a status' trace
)


def _split_native(data: bytes) -> tuple[bytes, list[str]]:
    """``data`` without the native log lines, and those lines."""
    keep: list[bytes] = []
    native: list[str] = []
    for line in data.splitlines(keepends=True):
        m = _NATIVE_LINE.search(line)
        if m is None:
            keep.append(line)
            continue
        keep.append(line[: m.start()])  # what another writer left unfinished on that line
        native.append(line[m.start() :].decode("utf-8", "replace").rstrip("\r\n"))
    return b"".join(keep), native


class _NativeStderr:
    """``with quiet(): <call into MediaPipe>``: what native code writes to file descriptor 2
    meanwhile goes to a scratch file; its log lines are kept in ``lines`` (the last 200), the
    rest is written to the real descriptor 2 afterwards."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=200)
        self._scratch: IO[bytes] | None = None  # used through its descriptor only

    @contextmanager
    def __call__(self) -> Iterator[None]:
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 at all: nothing to keep clean
            yield
            return
        _flush_python_stderr()
        try:
            if self._scratch is None:
                self._scratch = tempfile.TemporaryFile(prefix="formcheck-native-log-")
            os.dup2(self._scratch.fileno(), 2)
        except OSError:
            os.close(saved)
            yield
            return
        try:
            yield
        finally:
            _flush_python_stderr()
            os.dup2(saved, 2)
            os.close(saved)
            self._pass_on()

    def _pass_on(self) -> None:
        assert self._scratch is not None
        fd = self._scratch.fileno()
        size = os.lseek(fd, 0, os.SEEK_END)
        if not size:
            return
        os.lseek(fd, 0, os.SEEK_SET)
        data = b""
        while len(data) < size and (chunk := os.read(fd, size - len(data))):
            data += chunk
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        rest, native = _split_native(data)
        self.lines.extend(native)
        if os.environ.get(VERBOSE_ENV):
            rest = data  # --verbose: MediaPipe's own lines too, as they came
        while rest:
            try:
                rest = rest[os.write(2, rest) :]
            except OSError:
                break

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None


def _flush_python_stderr() -> None:
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):
        pass


class PoseStream:
    """Runs the pose model over frames: ``for pose_frame in stream.run(frames): ...``.

    ``max_people`` candidates are detected per frame and :class:`PersonSelector` keeps following
    the same one. ``with_mask`` adds the person's segmentation mask to each PoseFrame.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        max_people: int = 2,
        with_mask: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        import cv2  # noqa: F401 - imported here so the error is about cv2, not mediapipe
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        self._quiet = _NativeStderr()
        self.model_path = Path(model_path)
        self.with_mask = with_mask
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=max_people,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=with_mask,
        )
        try:
            with self._quiet():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as err:
            self._quiet.close()
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ModelError(
                f"cannot load pose model {self.model_path}: {first}; "
                "run `formcheck models verify` or pass --model with a valid .task file"
            ) from None
        self._selector = PersonSelector()
        self._last_ms = -1  # the last time given to the model
        self._input_ms = -1  # the same on the current input's clock
        self._offset_ms = 0  # from the input's clock to the model's (see restart)
        self._size_wh: tuple[int, int] | None = None

    def process(self, frame: Frame) -> PoseFrame:
        """Pose of the followed person in one frame (an empty PoseFrame if nobody is seen)."""
        import cv2

        mp = self._mp
        self._input_ms = max(int(round(frame.t_s * 1000.0)), self._input_ms + 1)
        ts_ms = self._last_ms = self._input_ms + self._offset_ms
        rgb = cv2.cvtColor(frame.image_bgr, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        with self._quiet():  # a stage's first run logs, whichever frame that is
            result = self._landmarker.detect_for_video(image, ts_ms)
        w, h = frame.resolution_wh
        self._size_wh = (w, h)
        candidates = [_image_array(p, w, h) for p in result.pose_landmarks]
        chosen = self._selector.update(frame.t_s, candidates, (w, h))
        if chosen is None:
            return PoseFrame.empty(frame.t_s, (w, h), frame.index)
        world = _world_array(result.pose_world_landmarks[chosen])
        mask = None
        if self.with_mask and result.segmentation_masks:
            mask = np.array(result.segmentation_masks[chosen].numpy_view(), dtype=np.float32)
            mask = mask.reshape(mask.shape[0], mask.shape[1])
        return PoseFrame(frame.t_s, (w, h), candidates[chosen], world, mask, frame.index)

    def run(self, frames: Iterable[Frame]) -> Iterator[PoseFrame]:
        """Pose for every frame, in order."""
        for frame in frames:
            yield self.process(frame)

    def reset(self) -> None:
        """Forget the followed person (e.g. between videos)."""
        self._selector.reset()

    def restart(self) -> None:
        """Make the next frames give the landmarks a newly loaded model would give, so that
        one model can serve one input after another (a batch worker's).

        In VIDEO mode the model carries state from frame to frame: the person it tracks and
        the smoothing of their landmarks. Two empty frames drop both (a frame without a person
        ends the tracking and resets the smoothing filters), the followed person is
        forgotten, and the next input's times are shifted by whole milliseconds past the last
        one, so the model still sees increasing times with the same gaps as a new model would.
        Checked on real clips: the 120 first frames of a squat after 80 of a cat-cow give the
        same landmarks, bit for bit, as on a new model (without the empty frames, 2 differ).
        """
        import cv2  # noqa: F401

        mp = self._mp
        if self._size_wh is not None:
            w, h = self._size_wh
            blank = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((h, w, 3), np.uint8))
            for _ in range(2):
                self._last_ms += 100
                with self._quiet():
                    self._landmarker.detect_for_video(blank, self._last_ms)
        self._selector.reset()
        self._input_ms, self._offset_ms = -1, self._last_ms + 1000
        self._size_wh = None

    def close(self) -> None:
        if self._landmarker is not None:
            with self._quiet():
                self._landmarker.close()
            self._landmarker = None
        self._quiet.close()

    def __enter__(self) -> PoseStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _image_array(landmarks: list, w: int, h: int) -> np.ndarray:
    out = np.empty((NUM_LANDMARKS, 5), dtype=np.float64)
    for i, lm in enumerate(landmarks[:NUM_LANDMARKS]):
        out[i] = (
            lm.x * w,
            lm.y * h,
            lm.z * w,
            lm.visibility if lm.visibility is not None else 0.0,
            lm.presence if lm.presence is not None else 0.0,
        )
    return out


def _world_array(landmarks: list) -> np.ndarray:
    return np.array([(lm.x, lm.y, lm.z) for lm in landmarks[:NUM_LANDMARKS]], dtype=np.float64)
