"""Pose: 33 body landmarks per frame (the record), the MediaPipe adapter, model provisioning."""

from formcheck.pose.core import LANDMARK_NAMES, NUM_LANDMARKS, PoseFrame, landmark_index

__all__ = ["LANDMARK_NAMES", "NUM_LANDMARKS", "PoseFrame", "PoseStream", "landmark_index"]


def __getattr__(name: str):  # PoseStream imports mediapipe: load it only when asked for
    if name == "PoseStream":
        from formcheck.pose.landmarker import PoseStream

        return PoseStream
    raise AttributeError(name)
