"""Throughput of decode, pose and the whole pipeline on one clip, measured in one run.

    python bench/throughput.py [VIDEO] [--exercise bird-dog] [--model full] [--frames N]

Prints frames per second for decode only, decode + pose (the model, one frame after the
other), and the pipeline as ``formcheck analyze`` runs it (``open_pose_input`` + ``run``: the
model on its own thread, the features stage and the engine on the caller's), and the ratios
between them. Pose-only and the pipeline run twice each, alternately, and the faster of each
pair counts, so that a passing load on this shared machine does not land on one side only.
It also prints the machine's load average at the start and at the end (other work on the
machine shows in the first). The machine is noisy: compare the ratios of one run, not
absolute numbers across runs.
Default clip: ../shared/clips/bird-dog_side_a.mp4 (or $FORMCHECK_CLIPS).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable

from formcheck.engine import Engine, load_exercise
from formcheck.eval.labels import default_clips_dir
from formcheck.pipeline import open_pose_input, run
from formcheck.pose.landmarker import PoseStream
from formcheck.pose.provision import resolve_model
from formcheck.sources import open_source

CLIPS = default_clips_dir()


def _timed(label: str, run: Callable[[], int]) -> tuple[str, int, float]:
    t0 = time.perf_counter()
    n = run()
    return label, n, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(CLIPS / "bird-dog_side_a.mp4"))
    ap.add_argument("--exercise", default="bird-dog")
    ap.add_argument("--model", default="full")
    ap.add_argument("--frames", type=int, default=0, help="stop after N frames (0 = all)")
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    model = resolve_model(args.model)
    exercise = load_exercise(args.exercise)
    limit = args.frames or None

    def decode() -> int:
        with open_source(args.video) as frames:
            return sum(1 for _ in itertools.islice(frames, limit))

    poses = []

    def with_pose(use: Callable[[object], object]) -> int:
        n = 0
        with open_source(args.video) as frames, PoseStream(model) as pose:
            for frame in frames:
                use(pose.process(frame))
                n += 1
                if limit and n >= limit:
                    break
        return n

    def pose_only() -> int:
        poses.clear()
        return with_pose(poses.append)

    def pipeline() -> int:
        n = 0
        with open_pose_input(args.video, model=model) as pose_input:
            for _ in run(pose_input, exercise):
                n += 1
                if limit and n >= limit:
                    break
        return n

    def engine_only() -> int:  # features and engine
        engine = Engine(exercise)
        extractor = engine.new_extractor()
        for p in poses:
            engine.update(extractor.update(p))
        return len(poses)

    pose_only()  # warm-up: model load and first-inference costs out of the measurement
    pairs = [(_timed("decode+pose", pose_only), _timed("pipeline", pipeline)) for _ in range(2)]
    rows = [
        _timed("decode", decode),
        min((p for p, _ in pairs), key=lambda r: r[2]),
        min((q for _, q in pairs), key=lambda r: r[2]),
        _timed("engine only", engine_only),
    ]
    print(f"clip: {args.video}  model: {args.model}  exercise: {exercise.id}")
    print(
        f"machine load (1-min average): {load_at_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (this bench adds up to 2 on its own)"
    )
    fps = {}
    for label, n, secs in rows:
        fps[label] = n / secs
        print(f"{label:>12}: {n:5d} frames in {secs:6.2f} s = {fps[label]:7.1f} fps")
    print(f"pipeline / pose-only throughput: {fps['pipeline'] / fps['decode+pose']:.3f}")
    print(f"pose-only / decode throughput:   {fps['decode+pose'] / fps['decode']:.3f}")
    print(f"engine cost per frame (on the same poses): {1000 / fps['engine only']:.2f} ms")


if __name__ == "__main__":
    main()
