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
    for camera in (None, "mirrored", "half-rate"):
        out = tmp_path / f"out-{camera}"
        args = ["eval", str(labels), "--clips", str(clips_dir), "--cache", str(cache),
                "-o", str(out)]  # fmt: skip
        result = runner.invoke(app, args + ([] if camera is None else ["--camera", camera]))
        assert result.exit_code == 0, result.output
        report = json.loads((out / "eval.json").read_text())
        assert report["camera"] == camera
        assert [c["pred_reps"] for c in report["clips"]] == [1]  # the one rep, still
        changed = "" if camera is None else f".{camera}"  # then the clip's digest
        (recordings[camera],) = cache.glob(f"{CLIP[:-4]}.full{changed}.{'?' * 12}.jsonl.gz")
        if camera is not None:
            assert f"every clip {'seen in a mirror' if camera == 'mirrored' else 'at half'}" in (
                result.output
            )
            assert "every clip" in (out / "eval.html").read_text()
    t0, x0, width = _hip_x(recordings[None])
    t1, x1, _ = _hip_x(recordings["mirrored"])
    assert np.array_equal(t0, t1)
    assert np.median(np.abs(x1 - (width - x0))) < 0.02 * width  # the body across the picture
    assert np.median(np.abs(x1 - x0)) > 0.05 * width  # (it is off the middle)
    t2, _, _ = _hip_x(recordings["half-rate"])
    assert len(t2) in (len(t0) // 2, len(t0) // 2 + 1) and set(t2) <= set(t0)
