"""``formcheck eval --camera``: the clips really go through the change, and are still scored."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.pose.core import LANDMARK_INDEX
from formcheck.recording import RecordingSource

runner = CliRunner()
CLIP = "reverse-fly_front_rendered.mp4"  # 4 s, one rep


def _hip_x(recording) -> tuple[np.ndarray, np.ndarray, int]:
    """Times, the hips' midpoint across the picture (px) and the picture's width."""
    hips = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
    with RecordingSource(recording) as rec:
        frames = [f for f in rec if f.image is not None]
        width = rec.header.resolution_wh[0]
    return (
        np.array([f.t_s for f in frames]),
        np.array([f.image[hips, 0].mean() for f in frames]),
        width,
    )


def test_a_clip_through_another_camera_is_scored_on_the_changed_pictures(clips_dir, tmp_path):
    labels = tmp_path / "labels.csv"
    header, *rows = (clips_dir / "labels.csv").read_text().splitlines()
    labels.write_text("\n".join([header, *[r for r in rows if r.startswith(CLIP)]]) + "\n")
    cache = tmp_path / "cache"
    recordings = {}
    for camera in ("mirrored", "half-rate"):  # the second's frames are some of the first's
        out = tmp_path / f"out-{camera}"
        args = ["eval", str(labels), "--clips", str(clips_dir), "--cache", str(cache),
                "-o", str(out), "--camera", camera]  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        report = json.loads((out / "eval.json").read_text())
        assert report["camera"] == camera
        assert [c["pred_reps"] for c in report["clips"]] == [1]  # the one rep, still
        (recordings[camera],) = cache.glob(f"{CLIP[:-4]}.full.{camera}.{'?' * 12}.jsonl.gz")
        words = "seen in a mirror" if camera == "mirrored" else "at half the frame rate"
        assert f"every clip {words}" in result.output
        assert f"every clip {words}" in (out / "eval.html").read_text()
    t1, x1, width = _hip_x(recordings["mirrored"])
    t2, x2, _ = _hip_x(recordings["half-rate"])  # as filmed, every other frame
    assert len(t2) in (len(t1) // 2, len(t1) // 2 + 1) and set(t2) <= set(t1)
    x1 = x1[np.isin(t1, t2)]  # the mirrored frames at the same times
    across = np.median(np.abs(x1 - (width - x2)))  # the body across the picture's middle
    assert across < 0.02 * width and across < 0.5 * np.median(np.abs(x1 - x2))
