"""Regenerate the bundled sample recordings from the synthetic mannequin.

    python samples/make_samples.py

Each sample is a landmark recording (``formcheck.landmarks`` JSON Lines, gzip) of a scripted set
with known content, rendered with a little landmark noise so it looks like real pose output.
Nothing here comes from real footage.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.engine import load_exercise
from formcheck.engine.selftest import build_case
from formcheck.pose.core import PoseFrame
from formcheck.recording import RecordingHeader, RecordingWriter
from formcheck.synth.camera import Camera
from formcheck.synth.render import render

HERE = Path(__file__).resolve().parent

# sample file -> (exercise, self-test case whose script it plays, what it shows)
SAMPLES = {
    "bird-dog.jsonl.gz": ("bird-dog", "bent knee on rep 3", "4 reps, a bent knee on rep 3"),
    "cat-cow.jsonl.gz": ("cat-cow", "small range on rep 2", "3 cycles, a shallow cat on rep 2"),
    "reverse-fly.jsonl.gz": ("reverse-fly", "arms low on rep 2", "3 reps, arms low on rep 2"),
}


def _rounded(frame: PoseFrame) -> PoseFrame:
    """Keep the sample small: 0.001 px and 0.1 mm are plenty."""
    if frame.image is None or frame.world is None:
        return frame
    image = np.round(frame.image, 3)
    return PoseFrame(
        frame.t_s, frame.resolution_wh, image, np.round(frame.world, 4), index=frame.index
    )


def main() -> None:
    for name, (exercise_id, case_name, what) in SAMPLES.items():
        defn = load_exercise(exercise_id)
        assert defn.selftest is not None
        case = next(c for c in defn.selftest.cases if c["name"] == case_name)
        camera = Camera.from_dict({**defn.selftest.camera, "resolution_wh": (960, 540)})
        frames = render(build_case(defn, case), camera, fps=30.0, noise=0.004, seed=7)
        header = RecordingHeader(
            source=f"synthetic mannequin: {exercise_id}, {what}",
            fps=30.0,
            resolution_wh=camera.resolution_wh,
            model="synthetic",
            created="2026-11-25T00:00:00+00:00",
        )
        with RecordingWriter(HERE / name, header) as writer:
            for frame in frames:
                writer.write(_rounded(frame))
        print(f"{name}: {len(frames)} frames ({what})")


if __name__ == "__main__":
    main()
