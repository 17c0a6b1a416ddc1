"""What the live loop costs on top of pose inference, measured in one run on one clip.

    python bench/live_loop.py [VIDEO] [--exercise bird-dog] [--model full] [--frames N]

Runs the clip, every frame, as fast as it goes (no real-time pacing, so the numbers are
throughput, not the video's frame rate), in three ways; the first two twice each,
alternately, the faster of each pair counting:

1. pose only: the pose model over the frames;
2. the full live loop as ``formcheck live`` runs it: the pose model on the pose thread, and
   engine + cues + overlay (annotate) + showing the frame in the window (imshow + waitKey) on
   the loop, overlapping the next inference; the window when a display is available (run
   under Xvfb on a machine without a screen), else the same loop with the drawing but nothing
   shown ("headless");
3. the same loop once more over the frames and poses of run 1, with no model running beside
   it: what engine and overlay cost on their own.

In both timed runs the frames are decoded on a thread of their own, a few ahead and none
dropped, as live's capture thread decodes a camera's (or a video played as a camera).

Prints both frame rates, their ratio, and the per-frame cost of engine and overlay (and of
showing) measured inside the loop: the time spent there, and the loop thread's own CPU time
in them (less when the pose thread or another process held the core), and the machine's load
average at the start and at the end (other work on the machine shows in the first). Compare
the ratio of one run, not numbers across runs.
Default clip: ../shared/clips/bird-dog_side_a.mp4 (or $FORMCHECK_CLIPS).
"""

from __future__ import annotations

import argparse
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from formcheck.engine import load_exercise
from formcheck.eval.labels import default_clips_dir
from formcheck.live import LiveFrame, LiveInput, LiveOutcome, LiveSession
from formcheck.pose.landmarker import PoseStream
from formcheck.pose.provision import resolve_model
from formcheck.pose.thread import PoseThread
from formcheck.sources import Frame, open_source

CLIPS = default_clips_dir()


class _Discard:
    """A view that draws nowhere: the loop still builds every overlay."""

    closed = False

    def show(self, image_bgr: np.ndarray) -> None:
        pass

    def poll_key(self, wait_ms: int = 1) -> int:
        return -1

    def toggle_fullscreen(self) -> bool:
        return False


class _Timed:
    """Wraps a view and adds up the time spent showing frames and polling keys."""

    def __init__(self, view) -> None:  # noqa: ANN001 - any View
        self.view = view
        self.seconds = 0.0
        self.calls = 0

    @property
    def closed(self) -> bool:
        return self.view.closed

    def show(self, image_bgr: np.ndarray) -> None:
        t0 = time.perf_counter()
        self.view.show(image_bgr)
        self.seconds += time.perf_counter() - t0
        self.calls += 1

    def poll_key(self, wait_ms: int = 1) -> int:
        t0 = time.perf_counter()
        key = self.view.poll_key(wait_ms)
        self.seconds += time.perf_counter() - t0
        return key

    def toggle_fullscreen(self) -> bool:
        return self.view.toggle_fullscreen()

    @property
    def canvas_wh(self) -> tuple[int, int] | None:
        """The window's size: the loop draws at it (the picture resized into it), as live does."""
        return getattr(self.view, "canvas_wh", None)


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

    def decoded() -> Iterator[Frame]:
        with open_source(args.video) as frames:
            for n, frame in enumerate(frames):
                if limit is not None and n >= limit:
                    break
                yield frame

    def pictures() -> Iterator[Frame]:
        """The clip's frames decoded on a thread of their own, as live's capture thread does
        (``formcheck.sources.camera``), a few ahead, none dropped: the throughput measured is
        the pose model's and the loop's, in both runs."""
        ahead: queue.Queue[Frame | None] = queue.Queue(maxsize=4)

        def read() -> None:
            for frame in decoded():
                ahead.put(frame)
            ahead.put(None)

        reader = threading.Thread(target=read, name="bench-capture", daemon=True)
        reader.start()
        while (frame := ahead.get()) is not None:
            yield frame
        reader.join()

    def live_frames(pose: PoseStream) -> Iterator[LiveFrame]:
        for frame in pictures():
            yield LiveFrame(pose.process(frame), frame.image_bgr)

    kept: list[LiveFrame] = []

    def pose_only() -> tuple[int, float]:
        kept.clear()
        with PoseStream(model) as pose:
            t0 = time.perf_counter()
            for lf in live_frames(pose):
                kept.append(lf)
            return len(kept), time.perf_counter() - t0

    from formcheck.render.window import Window, display_problem

    window = None if display_problem() else Window(f"bench - {exercise.name}")
    view = _Timed(window if window is not None else _Discard())

    def live_loop() -> tuple[LiveOutcome, float]:
        with PoseStream(model) as pose:
            t0 = time.perf_counter()
            worker = PoseThread(pictures(), pose)  # the model on its own thread, as live has it
            live = (LiveFrame(pf, frame.image_bgr) for frame, pf in worker.pairs())
            feed = LiveInput(live, Path(args.video).name, 0.0, (0, 0))
            try:
                outcome = LiveSession(exercise, view=view, summary_s=0).run(feed)
            finally:
                worker.stop()
            return outcome, time.perf_counter() - t0

    pose_only()  # warm-up: model load and first-inference costs out of the measurement
    try:
        # twice each, alternately, and the faster of each counts: a passing load on this
        # shared machine does not land on one side only
        runs = [(pose_only(), live_loop()) for _ in range(2)]
        n_pose, s_pose = min((p for p, _ in runs), key=lambda r: r[1])
        outcome, s_live = min((q for _, q in runs), key=lambda r: r[1])
        # the same loop over the poses computed above, with no model running beside it
        alone = LiveSession(exercise, view=_Discard(), summary_s=0).run(
            LiveInput(iter(kept), Path(args.video).name, 0.0, (0, 0))
        )
    finally:
        if window is not None:
            window.close()
    shown = "window (imshow+waitKey)" if window is not None else "headless (overlay, no window)"
    fps_pose, fps_live = n_pose / s_pose, outcome.frames / s_live
    print(f"clip: {args.video}  model: {args.model}  exercise: {exercise.id}  live loop: {shown}")
    print(
        f"machine load (1-min average): {load_at_start:.2f} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end (this bench adds up to 2 on its own)"
    )
    print(f"   pose only: {n_pose:5d} frames in {s_pose:6.2f} s = {fps_pose:6.1f} fps")
    print(f"   live loop: {outcome.frames:5d} frames in {s_live:6.2f} s = {fps_live:6.1f} fps")
    print(f"live / pose-only throughput: {fps_live / fps_pose:.3f}")
    print(
        f"per frame: engine {outcome.engine_ms:.2f} ms + overlay {outcome.overlay_ms:.2f} ms = "
        f"{outcome.engine_ms + outcome.overlay_ms:.2f} ms in the loop; showing "
        f"{1000 * view.seconds / max(view.calls, 1):.2f} ms"
    )
    cpu = outcome.engine_cpu_ms + outcome.overlay_cpu_ms
    print(
        f"  of the loop thread's CPU: engine {outcome.engine_cpu_ms:.2f} ms + overlay "
        f"{outcome.overlay_cpu_ms:.2f} ms = {cpu:.2f} ms (the rest: waiting for a core)"
    )
    print(
        f"alone (the same frames and poses, no pose model running): engine "
        f"{alone.engine_ms:.2f} ms + overlay {alone.overlay_ms:.2f} ms = "
        f"{alone.engine_ms + alone.overlay_ms:.2f} ms per frame"
    )
    print(f"reps: {outcome.result['summary']['reps_by_side']}")


if __name__ == "__main__":
    main()
