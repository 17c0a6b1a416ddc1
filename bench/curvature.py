"""Cost of the back-curvature measure: the outline measure itself and the segmentation it needs.

    python bench/curvature.py [VIDEO] [--model full] [--frames N] [--repeat 2]

In one run: decode + pose without masks, decode + pose with masks (the segmentation output has
a cost), their throughput ratio, and the milliseconds per frame of ``spine_curvature`` on the real
masks of the with-mask passes (timed apart from the pose). The two kinds of pass alternate
(without, with, with, without, ...) and the fastest of each kind is kept, so a burst of load on
the machine does not land on one side only. The machine is noisy: compare the ratios of one run,
not absolute numbers across runs.
Default clip: ../shared/clips/cat-cow_side_a.mp4 (or $FORMCHECK_CLIPS).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from formcheck.eval.labels import default_clips_dir
from formcheck.features.curvature import spine_curvature
from formcheck.pose.landmarker import PoseStream
from formcheck.pose.provision import resolve_model
from formcheck.sources import open_source

CLIPS = default_clips_dir()


def _pose_pass(video: str, model: Path, limit: int | None, with_mask: bool, measure: list):
    """Frames and seconds of decode + pose; with masks, ``measure`` gets (ms, value) per frame."""
    n = 0
    t0 = time.perf_counter()
    spent = 0.0
    with open_source(video) as frames, PoseStream(model, with_mask=with_mask) as pose:
        for frame in frames:
            p = pose.process(frame)
            if with_mask:
                c0 = time.perf_counter()
                value = spine_curvature(p.mask, p.image, resolution_wh=p.resolution_wh)
                dt = time.perf_counter() - c0
                spent += dt
                if p.mask is not None and p.image is not None:
                    measure.append((dt * 1000.0, value))
            n += 1
            if limit and n >= limit:
                break
    return n, time.perf_counter() - t0 - spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", nargs="?", default=str(CLIPS / "cat-cow_side_a.mp4"))
    ap.add_argument("--model", default="full")
    ap.add_argument("--frames", type=int, default=0, help="stop after N frames (0 = all)")
    ap.add_argument("--repeat", type=int, default=2, help="passes of each kind (best is kept)")
    args = ap.parse_args()
    model = resolve_model(args.model)
    limit = args.frames or None

    _pose_pass(args.video, model, 10, True, [])  # warm-up: model load, first inferences
    measure: list[tuple[float, float]] = []
    best: dict[bool, tuple[int, float]] = {}
    for i in range(max(1, args.repeat)):
        for with_mask in (False, True) if i % 2 == 0 else (True, False):
            n, secs = _pose_pass(args.video, model, limit, with_mask, measure)
            if with_mask not in best or secs < best[with_mask][1]:
                best[with_mask] = (n, secs)
    print(f"clip: {args.video}  model: {args.model}  best of {max(1, args.repeat)} passes each")
    fps = {}
    for with_mask, label in ((False, "without mask"), (True, "with mask")):
        n, secs = best[with_mask]
        fps[with_mask] = n / secs
        print(f"decode+pose {label:>12}: {n:5d} frames in {secs:6.2f} s = {n / secs:6.1f} fps")
    print(f"with-mask / without-mask throughput: {fps[True] / fps[False]:.3f}")
    if measure:
        ms = np.array([m for m, _ in measure])
        nan = np.mean([math.isnan(v) for _, v in measure])
        print(
            f"spine_curvature: {ms.mean():.2f} ms per frame (median {np.median(ms):.2f}, "
            f"p95 {np.percentile(ms, 95):.2f}) over {len(ms)} frames with a person; NaN {nan:.0%}"
        )


if __name__ == "__main__":
    main()
