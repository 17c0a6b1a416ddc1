"""The pose model on real footage and on made-up scenes (needs the model; CI provisions it)."""

import cv2
import numpy as np
import pytest

from formcheck.pose.core import LANDMARK_INDEX
from formcheck.pose.landmarker import PoseStream
from formcheck.recording import RecordingHeader, RecordingWriter, read_recording
from formcheck.sources import open_source

L_SH, R_SH = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
L_HIP, R_HIP = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]


def _poses(model, path, limit=None):
    with open_source(path) as frames, PoseStream(model) as pose:
        out = []
        for frame in pose.run(frames):
            out.append(frame)
            if limit and len(out) >= limit:
                break
    return out


def test_person_found_and_sides_sensible_on_a_front_view_clip(pose_model, clips_dir):
    frames = _poses(pose_model, clips_dir / "arm-circles_front_a.mp4", limit=150)
    seen = [f for f in frames if f.has_person]
    assert len(seen) >= 0.9 * len(frames)  # upper body only; a few frames are missed
    # facing the camera: the person's left shoulder is on the right of the picture
    left_on_right = np.mean([f.image[L_SH, 0] > f.image[R_SH, 0] for f in seen])
    assert left_on_right > 0.9
    # timestamps strictly increase, landmarks are in pixels inside the picture
    ts = [f.t_s for f in frames]
    assert all(b > a for a, b in zip(ts, ts[1:], strict=False))
    w, h = frames[0].resolution_wh
    xy = np.array([f.image[L_SH, :2] for f in seen])
    assert np.all((xy >= 0) & (xy <= [w, h]))


def test_world_landmarks_are_metres_around_the_hips(pose_model, clips_dir):
    frames = [
        f for f in _poses(pose_model, clips_dir / "squat_side_a.mp4", limit=60) if f.has_person
    ]
    assert frames
    hips = np.array([(f.world[L_HIP] + f.world[R_HIP]) / 2 for f in frames])
    assert np.all(np.abs(hips) < 0.1)
    mid = [
        ((f.world[L_SH] + f.world[R_SH]) / 2, (f.world[L_HIP] + f.world[R_HIP]) / 2) for f in frames
    ]
    torso = np.array([np.linalg.norm(s - h) for s, h in mid])
    assert 0.3 < np.median(torso) < 0.8


def test_record_then_replay_is_exact(pose_model, clips_dir, tmp_path):
    frames = _poses(pose_model, clips_dir / "bird-dog_oblique_rendered.mp4")
    out = tmp_path / "rec.jsonl.gz"
    with RecordingWriter(out, RecordingHeader("clip", 24.69, frames[0].resolution_wh, "full")) as w:
        for f in frames:
            w.write(f)
    _, back = read_recording(out)
    assert len(back) == len(frames) and all(a.same_as(b) for a, b in zip(frames, back, strict=True))


def test_empty_scene_gives_no_person_frames_not_errors(pose_model, tmp_path):
    path = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for i in range(10):
        img = np.full((240, 320, 3), 40 + 10 * i, np.uint8)
        writer.write(img)
    writer.release()
    frames = _poses(pose_model, path)
    assert len(frames) == 10 and not any(f.has_person for f in frames)
    assert all(f.world is None and f.image is None for f in frames)


@pytest.mark.parametrize("t_s", [[0.0, 0.0004, 0.0008], [1.0, 1.0, 1.0]])
def test_model_timestamps_always_increase(pose_model, t_s):
    from formcheck.sources.core import Frame

    img = np.zeros((64, 64, 3), np.uint8)
    with PoseStream(pose_model) as pose:  # MediaPipe raises if a timestamp does not increase
        out = [pose.process(Frame(t, img, i)) for i, t in enumerate(t_s)]
    assert [f.t_s for f in out] == t_s
