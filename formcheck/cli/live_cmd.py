"""``formcheck live``: coach one exercise, or a routine of sets and rests, live from a camera,
a video or a landmark recording."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

from formcheck.cli.common import (
    HistoryOption,
    ProfileOption,
    download_progress,
    is_mannequin,
    mannequin_not_saved,
    notice,
    save_to_history,
)
from formcheck.cli.summary import print_summary
from formcheck.engine import ExerciseDef
from formcheck.engine.routine import load_exercise_or_routine
from formcheck.live import Audio, LiveSession, ScreenshotSaver, open_live_input
from formcheck.live.summary import LiveReport, routine_summary_lines
from formcheck.recorded import recorded_words
from formcheck.recording import RecordingSource, is_recording_path


def live_cmd(
    exercise: Annotated[
        str,
        typer.Argument(
            help="Exercise id, alias or .toml definition; or a routine's id, name or .toml file "
            "(see `formcheck routines list`).",
            metavar="EXERCISE|ROUTINE",
        ),
    ],
    camera: Annotated[
        int | None, typer.Option("--camera", help="Camera index (default 0).", min=0)
    ] = None,
    camera_size: Annotated[
        str | None,
        typer.Option(
            "--camera-size",
            metavar="WxH",
            help="Ask the camera for this picture size, e.g. 640x480: smaller is faster when "
            "the pose model cannot keep up (the camera picks its nearest size).",
        ),
    ] = None,
    video: Annotated[
        str | None,
        typer.Option(
            "--video",
            help="Play a video file as if it were the camera (real time, frames dropped when "
            "behind), or replay a landmark recording (.jsonl[.gz]) on a plain background.",
        ),
    ] = None,
    mirror: Annotated[
        bool | None,
        typer.Option(
            "--mirror/--no-mirror",
            help="Show the picture mirrored (default: on for a camera, off for a video). "
            "Left and right stay the person's own.",
        ),
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="lite | full | heavy, or a path to a .task file; auto: full if it keeps up "
            "with the camera on this machine (timed at the start), else lite if it is "
            "downloaded (`formcheck models fetch lite`).",
        ),
    ] = "full",
    countdown: Annotated[
        bool | None,
        typer.Option(
            "--countdown/--no-countdown",
            help="Before counting: a card saying where to put the camera, a check that you "
            "are in position and in view, then 3-2-1 (default: on for a camera; off for a "
            "--video file, which is counted from its first frame).",
            show_default=False,
        ),
    ] = None,
    reps: Annotated[
        int | None,
        typer.Option(
            "--reps",
            min=1,
            help="The set's target: reps per side (or per direction); the counter shows "
            "3 / 8. A routine's sets bring their own.",
        ),
    ] = None,
    audio: Annotated[
        bool | None,
        typer.Option(
            "--audio/--no-audio",
            help="Beep on reps and holds, speak the cues (default: on, where the tools and a "
            "sound device exist; --audio also says which are missing).",
            show_default=False,
        ),
    ] = None,
    save_report_dir: Annotated[
        Path | None,
        typer.Option(
            "--save-report",
            metavar="DIR",
            help="Write DIR/report.json, report.html and reps.csv, as analyze -o does.",
        ),
    ] = None,
    headless: Annotated[
        bool,
        typer.Option("--headless", help="No window: print reps, faults and setup messages."),
    ] = False,
    speed: Annotated[float, typer.Option("--speed", hidden=True, min=0.0)] = 1.0,
    screenshot_dir: Annotated[Path | None, typer.Option("--screenshot-dir", hidden=True)] = None,
    screenshot_every: Annotated[
        float, typer.Option("--screenshot-every", hidden=True, min=0.01)
    ] = 1.0,
    summary_s: Annotated[float, typer.Option("--summary-s", hidden=True, min=0.0)] = 5.0,
    profile: ProfileOption = "default",
    history: HistoryOption = None,
) -> None:
    """Coach a set live: skeleton, rep counter, hold bar and cues in a window.

    Given a routine, play its sets in order: the window shows the exercise, set k of n, the
    reps against the target and a countdown during each rest (space ends a rest early, n
    goes to the next exercise); the session ends when the routine is complete.

    Keys: q/Esc quit, space pause, r reset, n next exercise (needs a routine),
    f full screen, m mirror, h help. Ctrl+C ends the session too; the summary is
    printed and the report written either way.
    """
    if camera is not None and video is not None:
        raise typer.BadParameter("give --camera or --video, not both")
    spec: str | int = video if video is not None else (camera or 0)
    size_wh = _size(camera_size) if camera_size is not None else None
    if size_wh is not None and video is not None:
        raise typer.BadParameter("a camera size is for a camera, not --video",
                                 param_hint="--camera-size")  # fmt: skip
    if speed == 0 and not (isinstance(spec, str) and is_recording_path(spec)):
        raise typer.BadParameter("0 (every frame, unpaced) works for landmark recordings only",
                                 param_hint="--speed")  # fmt: skip
    window = None
    if not headless:
        from formcheck.render.window import display_problem

        if (problem := display_problem()) is not None:
            from formcheck.render.window import DisplayError

            raise DisplayError(problem)
    target = load_exercise_or_routine(exercise)
    definition = target if isinstance(target, ExerciseDef) else None
    if reps is not None and definition is None:
        raise typer.BadParameter(
            f"{target.name} is a routine: its sets bring their own targets", param_hint="--reps"
        )
    title = target.name
    needs_mask = (
        definition.needs_mask
        if definition is not None
        else any(step.exercise.needs_mask for step in target.steps)
    )
    # the folder is checked now, so that a bad path fails before the session, not after it
    report = LiveReport(save_report_dir, target) if save_report_dir is not None else None
    screenshots = (
        ScreenshotSaver(screenshot_dir, screenshot_every) if screenshot_dir is not None else None
    )
    sound = None
    try:
        with (
            download_progress() as dl,
            open_live_input(
                spec,
                model=model,
                speed=speed,
                with_mask=needs_mask,
                notify=notice,
                progress=dl,
                camera_size_wh=size_wh,
            ) as feed,
        ):
            # missing tools or no sound device: said when sound was asked for, not on every run
            sound = Audio(notify=notice if audio else None) if audio is not False else None
            if not headless:
                from formcheck.render.window import Window

                window = Window(f"formcheck - {title}", feed.resolution_wh)
            else:
                notice(f"{title} from {feed.name}, no window: Ctrl+C ends the session")
            session = LiveSession(
                target,
                view=window,
                audio=sound,
                on_line=typer.echo if headless else None,
                mirror=feed.is_camera if mirror is None else mirror,
                guided=feed.is_camera if countdown is None else countdown,
                target_reps=reps,
                summary_s=summary_s,
                screenshots=screenshots,
            )
            if report is not None:
                feed.frames = report.frames(feed.frames, session)
            started = datetime.now(timezone.utc)
            outcome = session.run(feed)
            about = {  # the input, for the report
                "source": feed.name, "path": str(spec), "fps": feed.fps,
                "resolution_wh": feed.resolution_wh, "kind": "camera" if feed.is_camera
                else "recording" if is_recording_path(str(spec)) else "video",
            }  # fmt: skip
    finally:
        if window is not None:
            window.close()
        if sound is not None:
            sound.close()
    result = outcome.result
    if definition is not None:
        print_summary(result, definition.name, definition)
    else:
        for line in routine_summary_lines(result):
            typer.echo(line)
    if outcome.dropped:  # only frames never analysed: a recording's late frames are not drawn
        fix = ": try --model lite, or --camera-size 640x480" if outcome.behind else ""
        notice(f"{outcome.dropped} frames were dropped to keep up with real time{fix}")
    report_path = None
    if report is not None:
        recorded = about["kind"] == "recording"
        input_model = RecordingSource(spec).header.model if recorded else feed.model or model
        dropped = f"{outcome.dropped} frames were dropped to keep up with real time"
        warnings = [dropped] if outcome.dropped else []
        who = {
            "profile": profile, "recorded_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "recorded_from": "analysed", "recorded": recorded_words("analysed", "live"),
            "note": None,
        }  # fmt: skip
        report_path = report.write(
            result, session=session, warnings=warnings, who=who, model=input_model, **about
        )
        notice(f"report written to {report.folder} (report.html, report.json, reps.csv)")
    if history is False:
        pass
    elif not history and isinstance(spec, str) and is_mannequin(spec):
        mannequin_not_saved([Path(spec).name])  # a first try on a bundled sample
    elif definition is not None:
        if result["reps"]:
            save_to_history(result, source_kind="live", profile=profile, report_path=report_path)
    else:
        for one in outcome.per_exercise:  # one history session per exercise that counted reps
            save_to_history(one, source_kind="live", profile=profile, report_path=report_path,
                            routine=target.id)  # fmt: skip
    if result.get("interrupted"):
        raise typer.Exit(130)


def _size(text: str) -> tuple[int, int]:
    """ "640x480" as (640, 480); a usage error otherwise."""
    w, sep, h = text.lower().replace("×", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit() or 0 in (int(w), int(h)):
        raise typer.BadParameter(f"expected WIDTHxHEIGHT such as 640x480, got {text!r}",
                                 param_hint="--camera-size")  # fmt: skip
    return int(w), int(h)
