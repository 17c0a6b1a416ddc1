"""The one adapter around MediaPipe's PoseLandmarker (Tasks API, VIDEO running mode).

Nothing else in formcheck imports mediapipe or sees its types: frames go in, ``PoseFrame``
records come out. Timestamps given to the model are made strictly increasing (whole
milliseconds), as VIDEO mode requires.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from formcheck.errors import ModelError
from formcheck.pose.core import NUM_LANDMARKS, PoseFrame
from formcheck.pose.select import PersonSelector
from formcheck.sources.core import Frame

__all__ = ["PoseStream"]

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ log lines off the terminal
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextmanager
def _quiet_native_stderr() -> Iterator[list[str]]:
    """Silence the native library's log lines (written straight to file descriptor 2) while
    the model loads and unloads; what was written is kept for error messages."""
    captured: list[str] = []
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError):  # no real stderr (e.g. captured by a test)
        yield captured
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), fd)
        try:
            yield captured
        finally:
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            captured.extend(tmp.read().decode("utf-8", "replace").splitlines())


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
            with _quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ModelError(
                f"cannot load pose model {self.model_path}: {first}; "
                "run `formcheck models verify` or pass --model with a valid .task file"
            ) from None
        self._selector = PersonSelector()
        self._last_ms = -1
        self._frames_seen = 0

    def process(self, frame: Frame) -> PoseFrame:
        """Pose of the followed person in one frame (an empty PoseFrame if nobody is seen)."""
        import cv2

        mp = self._mp
        ts_ms = max(int(round(frame.t_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ts_ms
        rgb = cv2.cvtColor(frame.image_bgr, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        if self._frames_seen < 2:  # the first inferences log set-up warnings natively
            with _quiet_native_stderr():
                result = self._landmarker.detect_for_video(image, ts_ms)
        else:
            result = self._landmarker.detect_for_video(image, ts_ms)
        self._frames_seen += 1
        w, h = frame.resolution_wh
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

    def close(self) -> None:
        if self._landmarker is not None:
            with _quiet_native_stderr():
                self._landmarker.close()
            self._landmarker = None

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
