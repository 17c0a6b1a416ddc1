"""What recorded-video analysis costs: throughput against pose alone, workers, memory.

    python bench/analysis.py [--clip VIDEO] [--exercise bird-dog] [--model full]
                             [--skip-workers] [--skip-rss] [--video-rss]

Measured in one run, ratios from that run (the machine is noisy; compare ratios, not
absolute numbers across runs):

1. **Single video**: frames per second of decode + pose alone, against ``run_job`` (decode +
   pose + engine + report collector), once without outputs and once writing report.json,
   report.html (plot, thumbnails) and reps.csv. Target: analysis / pose-only >= 0.95.
2. **Workers**: four clips analysed with ``--workers 1`` and ``--workers 2`` (reports
   written), wall-clock ratio (target >= 1.7 on 2 cores), and whether the reports are
   byte-identical.
3. **Peak RSS**: a 1-minute and a 10-minute landmark recording (the bird-dog sample looped)
   through the whole report path, each in a fresh process. With ``--video-rss`` also a 1- and
   a 10-minute video (a clip looped frame by frame into a temporary MP4) through the pose
   model: that takes as long as the model needs for 20 000 frames.

Clips come from ../shared/clips (or $FORMCHECK_CLIPS) and are only read.
"""

from __future__ import annotations

import argparse
import filecmp
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from formcheck.eval.labels import default_clips_dir

CLIPS = default_clips_dir()
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "bird-dog.jsonl.gz"
BATCH = ["bird-dog_side_a.mp4", "cat-cow_side_a.mp4", "squat_side_a.mp4", "glute-bridge_side_a.mp4"]


def _pose_only(clip: str, model: str) -> tuple[int, float]:
    from formcheck.pose.landmarker import PoseStream
    from formcheck.pose.provision import resolve_model
    from formcheck.sources import open_source

    t0 = time.perf_counter()
    n = 0
    with open_source(clip) as frames, PoseStream(resolve_model(model)) as pose:
        for frame in frames:
            pose.process(frame)
            n += 1
    return n, time.perf_counter() - t0


def _job(clip: str, exercise: str, model: str, out: str | None) -> float:
    from formcheck.report import AnalysisJob, run_job

    t0 = time.perf_counter()
    outcome = run_job(AnalysisJob(clip, exercise, out, model=model))
    assert outcome.result is not None, outcome.error
    return time.perf_counter() - t0


def single(clip: str, exercise: str, model: str) -> None:
    import matplotlib  # noqa: F401 - imported once per process, not per video

    print(f"\n1. single video: {clip} (exercise {exercise}, model {model})")
    _pose_only(clip, model)  # warm-up: model load, first inference, file cache
    n, pose_s = _pose_only(clip, model)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("decode+pose", n, pose_s),
            ("analysis, no files", n, _job(clip, exercise, model, None)),
            ("analysis + reports", n, _job(clip, exercise, model, f"{tmp}/r")),
        ]
    fps = {}
    for label, n, secs in rows:
        fps[label] = n / secs
        print(f"  {label:>20}: {n:5d} frames in {secs:6.2f} s = {fps[label]:6.1f} fps")
    base = fps["decode+pose"]
    print(f"  analysis / pose-only throughput (no files):   {fps['analysis, no files'] / base:.3f}")
    print(f"  analysis / pose-only throughput (+ reports):  {fps['analysis + reports'] / base:.3f}")


def workers(exercise: str, model: str) -> None:
    from formcheck.report import AnalysisJob, run_batch

    clips = [str(CLIPS / name) for name in BATCH]
    print(f"\n2. workers: {len(clips)} clips ({', '.join(BATCH)})")
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for n in (1, 2):
            jobs = [
                AnalysisJob(c, exercise, f"{tmp}/w{n}/{Path(c).stem}", model=model, index=i)
                for i, c in enumerate(clips)
            ]
            t0, cpu0 = time.perf_counter(), _cpu_s()
            outcomes = run_batch(jobs, workers=n)
            times[n], cpu = time.perf_counter() - t0, _cpu_s() - cpu0
            assert all(o.status in ("ok", "partial") for o in outcomes), [o.error for o in outcomes]
            print(
                f"  --workers {n}: {times[n]:6.1f} s wall, {cpu:6.1f} s CPU "
                f"({cpu / times[n]:.2f} cores busy on average)"
            )
        same = all(
            filecmp.cmp(f"{tmp}/w1/{Path(c).stem}/{f}", f"{tmp}/w2/{Path(c).stem}/{f}", False)
            for c in clips
            for f in ("report.json", "reps.csv", "report.html")
        )
    print(
        f"  speed-up workers 2 / workers 1: {times[1] / times[2]:.2f}x (on {os.cpu_count()} cores)"
    )
    print(f"  reports byte-identical: {same}")
    print("  (other processes on the machine compete for the same cores: see `uptime`)")


def _cpu_s() -> float:
    """CPU seconds used by this process and its finished children (the workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _loop_recording(src: Path, dst: Path, minutes: float) -> int:
    """``src`` replayed end to end until ``minutes`` are filled, written to ``dst``."""
    with gzip.open(src, "rt") as fh:
        header, *lines = fh.read().splitlines()
    frames = [json.loads(line) for line in lines if line.strip()]
    period = frames[-1]["t"] + 1.0 / json.loads(header)["fps"]
    n = 0
    with gzip.open(dst, "wt", compresslevel=1) as out:
        out.write(header + "\n")
        k = 0
        while True:
            for f in frames:
                t = f["t"] + k * period
                if t >= minutes * 60:
                    return n
                out.write(json.dumps({**f, "t": t, "i": n}, separators=(",", ":")) + "\n")
                n += 1
            k += 1
    return n


def _loop_video(clip: Path, dst: Path, minutes: float) -> int:
    import cv2

    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, image = cap.read()
        if not ok:
            break
        frames.append(image)
    cap.release()
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    total = int(minutes * 60 * fps)
    for i in range(total):
        k = i % (2 * len(frames) - 2)  # forwards then backwards: no jump at the seam
        writer.write(frames[k if k < len(frames) else 2 * len(frames) - 2 - k])
    writer.release()
    return total


def _rss_child(path: str, exercise: str, model: str) -> None:
    import resource

    from formcheck.report import AnalysisJob, run_job

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        outcome = run_job(AnalysisJob(path, exercise, f"{tmp}/r", model=model))
        secs = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frames = outcome.report["input"]["frames"] if outcome.report else 0
    print(json.dumps({"rss_mb": rss_mb, "frames": frames, "secs": secs, "status": outcome.status}))


def _measure(path: Path, exercise: str, model: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(path), "--exercise", exercise,
         "--model", model],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss(exercise: str, model: str, with_video: bool) -> None:
    print("\n3. peak RSS (each run in a fresh process, report.json/html/csv written)")
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in (1, 10):
            rec = Path(tmp) / f"loop{minutes}.jsonl.gz"
            _loop_recording(SAMPLE, rec, minutes)
            m = _measure(rec, "bird-dog", model)
            print(
                f"  recording {minutes:2d} min ({m['frames']:5d} frames): peak RSS "
                f"{m['rss_mb']:6.1f} MB, {m['secs']:5.1f} s"
            )
        if not with_video:
            print("  (videos through the pose model: run with --video-rss)")
            return
        clip = CLIPS / "cat-cow_side_a.mp4"
        for minutes in (1, 10):
            video = Path(tmp) / f"loop{minutes}.mp4"
            _loop_video(clip, video, minutes)
            m = _measure(video, exercise, model)
            print(
                f"  video {minutes:2d} min of {clip.name} looped ({m['frames']:5d} frames): "
                f"peak RSS {m['rss_mb']:6.1f} MB, {m['secs']:6.1f} s"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", default=str(CLIPS / "bird-dog_side_a.mp4"))
    ap.add_argument("--exercise", default="bird-dog")
    ap.add_argument("--model", default="full")
    ap.add_argument("--skip-single", action="store_true")
    ap.add_argument("--skip-workers", action="store_true")
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--video-rss", action="store_true", help="also 1- and 10-minute videos")
    ap.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        _rss_child(args.rss_child, args.exercise, args.model)
        return
    print(f"formcheck analysis bench, {os.cpu_count()} cores")
    if not args.skip_single:
        single(args.clip, args.exercise, args.model)
    if not args.skip_workers:
        workers(args.exercise, args.model)
    if not args.skip_rss:
        rss(args.exercise, args.model, args.video_rss)


if __name__ == "__main__":
    main()
