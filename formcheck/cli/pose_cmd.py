"""``formcheck record``: run pose estimation and save the landmark stream to a file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from formcheck.cli.common import ModelOption, download_progress, err_console, notice
from formcheck.interrupts import graceful_sigint, protected, requested
from formcheck.pipeline import open_pose_input
from formcheck.recording import RecordingHeader, RecordingWriter, is_recording_path


def record(
    input: Annotated[
        str, typer.Argument(help="Video file, folder of videos, image, or camera index.")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Recording to write (.jsonl or .jsonl.gz).")
    ],
    model: ModelOption = "full",
    as_camera: Annotated[
        bool, typer.Option("--as-camera", help="Play a video file as if it were a live camera.")
    ] = False,
) -> None:
    """Record the pose landmarks of INPUT to a file that replays without the model.

    Ctrl+C stops recording: the frames so far are kept in a complete file,
    and the exit code is 130."""
    if is_recording_path(input):
        raise typer.BadParameter("INPUT is already a landmark recording", param_hint="INPUT")
    spec: str | int = int(input) if input.isdigit() else input
    with graceful_sigint():  # a second Ctrl+C does not cut the file short
        _record(spec, output, model, as_camera)


def _record(spec: str | int, output: Path, model: str, as_camera: bool) -> None:
    with (
        download_progress() as dl,
        open_pose_input(spec, model=model, as_camera=as_camera, notify=notice, progress=dl) as pose,
    ):
        header = RecordingHeader(
            source=pose.name, fps=pose.fps, resolution_wh=pose.resolution_wh, model=pose.model
        )
        total = pose.frame_count or None
        people = 0
        interrupted = False
        with RecordingWriter(output, header) as writer, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[fps]:.1f} fps"), TimeRemainingColumn(),
            console=err_console, transient=True, disable=not err_console.is_terminal,
        ) as bar:  # fmt: skip
            task = bar.add_task(f"pose {pose.name}", total=total, fps=0.0)

            t0 = time.perf_counter()
            try:
                for frame in pose.frames:
                    writer.write(frame)
                    people += frame.has_person
                    n = writer.frames_written
                    bar.update(task, completed=n, fps=n / max(time.perf_counter() - t0, 1e-6))
            except KeyboardInterrupt:
                interrupted = True
                notice(f"interrupted: keeping the {writer.frames_written} frames recorded so far")
            with protected():
                writer.close()
        n = writer.frames_written
        interrupted = interrupted or requested()
        for warning in pose.warnings:
            notice(f"warning: {warning}")
    notice(f"wrote {output} ({n} frames, a person in {people})")
    if interrupted:
        raise typer.Exit(130)
    if n and people == 0:
        notice("no person was found in any frame: is the whole body in view and well lit?")
        raise typer.Exit(5)
