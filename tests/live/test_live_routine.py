"""``formcheck live ROUTINE``: sets, targets and rests over the bundled mannequin recording.

The bird-dog sample at 30 fps: rep 1 left ends 4.6 s, rep 2 right 6.2-10.3 s, rep 3 left
11.9-16.0 s (bent knee), rep 4 right 17.5-21.7 s. A routine of 2 sets of 1 rep per side with
1 s of rest is then: set 1 done at 10.3 s, rest to 11.3 s, set 2 done at 21.7 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

from test_window import XDisplay, xvfb  # noqa: F401  (the virtual display fixture)
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine.routine import load_routine
from formcheck.live import LiveSession, ScriptedKeys, open_live_input
from formcheck.store import open_history

runner = CliRunner()

MINI = """
id = "mini"
name = "Mini"

[[steps]]
exercise = "bird-dog"
sets = 2
reps = 1
rest_s = {rest}
"""

TWO = """
id = "two"
name = "Two"

[[steps]]
exercise = "bird-dog"
reps = 5

[[steps]]
exercise = "cat-cow"
reps = 1
"""


def routine_file(tmp_path, text: str, **fmt) -> str:
    path = tmp_path / "routine.toml"
    path.write_text(textwrap.dedent(text.format(**fmt)))
    return str(path)


def run(path, routine, *, keys=None, view=None, lines=None):
    session = LiveSession(
        load_routine(routine),
        view=view,
        keys=ScriptedKeys(keys or {}),
        summary_s=0,
        quit_summary_s=0,
        on_line=None if lines is None else lines.append,
    )
    with open_live_input(path, speed=0) as feed:
        return session.run(feed)


def test_headless_routine_prints_sets_rests_and_the_summary(bird_dog, tmp_path):
    routine = routine_file(tmp_path, MINI, rest=1)
    res = runner.invoke(app, ["live", routine, "--video", str(bird_dog), "--headless",
                              "--no-audio", "--speed", "0", "--profile", "routine-test",
                              "--save-report", str(tmp_path / "out"), "--history"])  # fmt: skip
    assert res.exit_code == 0, res.output
    routine_lines = [
        ln.strip() for ln in res.output.splitlines()
        if any(k in ln for k in ("exercise ", "set ", "rest ", "routine complete"))
    ]  # fmt: skip
    assert routine_lines[:5] == [
        "0.0 s  exercise 1 of 1: Bird-dog",
        "0.0 s  set 1 of 2: 1 rep per side",
        "10.4 s  set 1 of 2 done: reps left 1, right 1; no faults",
        "10.4 s  rest 1 s, next: bird-dog set 2",
        "11.4 s  set 2 of 2: 1 rep per side",
    ]
    assert "21.8 s  set 2 of 2 done: reps left 1, right 1; bent knee ×1, hold too short ×1" in (
        res.output
    )
    assert "21.8 s  routine complete" in res.output
    # the printed summary
    assert "Mini: routine complete (22 s)" in res.output
    assert "Bird-dog: 2/2 sets of 1 rep per side" in res.output
    assert "  set 2: left 1, right 1" in res.output
    # the report: the routine summary, written as for a single exercise
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["schema"] == "formcheck.routine_result" and report["completed"] is True
    assert report["live"]["ended_by"] == "complete"
    (bird,) = report["exercises"]
    assert bird["sets_done"] == 2 and bird["reps_per_set"] == [2, 2]
    assert bird["faults"] == {"bent_knee": 1, "hold_short": 1}
    # the history: one session for the exercise, all its sets' reps, marked with the routine
    with open_history() as history:
        (saved,) = history.list_sessions(profile="routine-test")
        stored = history.get(saved.id).result
    assert (saved.exercise, saved.routine, saved.reps) == ("bird-dog", "mini", 4)
    assert [(r["index"], r["side"], r["side_index"]) for r in stored["reps"]] == [
        (1, "left", 1), (2, "right", 1), (3, "left", 2), (4, "right", 2),
    ]  # fmt: skip


def test_a_name_that_is_neither_names_both_kinds():
    res = runner.invoke(app, ["live", "no-such-thing", "--headless"])
    assert res.exit_code != 0
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    assert "neither an exercise nor a routine" in lines[0]
    assert "bird-dog" in lines[0] and "back-basics" in lines[0]


def test_n_goes_to_the_next_exercise(bird_dog, tmp_path):
    lines: list[str] = []
    outcome = run(bird_dog, routine_file(tmp_path, TWO), keys={200: "n"}, lines=lines)  # 6.7 s
    text = "\n".join(lines)
    # the set is closed as it is: the right rep in progress ends there (as the engine's finish)
    assert "6.7 s  set 1 of 1 ended short: reps left 1, right 1;" in text
    assert "exercise 2 of 2: Cat-cow" in text
    assert outcome.ended_by == "input" and outcome.result["completed"] is False
    bird, cat = outcome.result["exercises"]
    assert bird["reps_per_set"] == [2] and bird["sets_done"] == 0
    assert [one["exercise"] for one in outcome.per_exercise] == ["bird-dog"]
    assert cat["sets"] and cat["sets"][0]["complete"] is False


def test_space_during_a_rest_ends_it(bird_dog, tmp_path):
    routine = routine_file(tmp_path, MINI, rest=30)
    lines: list[str] = []
    outcome = run(bird_dog, routine, keys={330: " "}, lines=lines)  # 11.0 s, in the rest
    text = "\n".join(lines)
    assert "Rest skipped" in text
    assert "11.0 s  set 2 of 2: 1 rep per side" in text
    assert outcome.ended_by == "complete" and outcome.result["completed"] is True
    # without the key the 30 s rest outlasts the recording
    waited = run(bird_dog, routine)
    assert waited.ended_by == "input" and waited.result["completed"] is False


def test_the_window_shows_set_targets_and_the_rest_countdown(bird_dog, tmp_path, fake_view, huds):
    run(bird_dog, routine_file(tmp_path, MINI, rest=3), view=fake_view)
    during = huds[8.0]  # set 1, rep 1 (left) done
    assert (during.title, during.set_line, during.rep_target) == ("Bird-dog", "set 1 of 2", 1)
    assert during.reps_by_side == {"left": 1, "right": 0}  # drawn "1 / 1" and "0 / 1"
    resting = huds[11.0]  # 10.3 s + 3 s of rest
    assert resting.panel[0] == "Rest 3 s" and "set 2 of 2" in resting.panel[1]
    assert resting.set_line == "set 2 of 2" and not resting.reps_by_side
    assert huds[12.5].panel[0] == "Rest 1 s"
    assert huds[14.0].panel == () and huds[14.0].reps_by_side == {"left": 0, "right": 0}


def test_the_routine_in_a_real_window(xvfb, bird_dog, tmp_path):  # noqa: F811
    """The window is asked of the X server (there, mapped, its size) once the summary is
    up, then closed as a user closes it: nothing depends on how fast the machine draws."""
    display, _ = xvfb
    routine = routine_file(tmp_path, MINI, rest=1)
    shots = tmp_path / "shots"
    cmd = [sys.executable, "-m", "formcheck", "live", routine, "--video", str(bird_dog),
           "--no-audio", "--speed", "0", "--summary-s", "3600", "--no-history",
           "--screenshot-dir", str(shots), "--save-report", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(cmd, env={**os.environ, "DISPLAY": display},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    x = XDisplay(display)
    try:
        while proc.poll() is None and not (shots / "summary.png").exists():
            time.sleep(0.05)
        windows = x.windows()
        assert "formcheck - Mini" in windows, (windows, proc.poll())
        assert x.size_and_mapped(windows["formcheck - Mini"]) == (1088, 612, True)
        x.close_window(windows["formcheck - Mini"])  # ends the summary screen
        out, err = proc.communicate(timeout=120)
    finally:
        x.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Mini: routine complete" in out
    assert json.loads((tmp_path / "report.json").read_text())["completed"] is True


def test_ctrl_c_marks_only_the_exercise_it_cut_short(bird_dog, tmp_path):
    """Sets already done are whole; the exercise whose sets Ctrl+C cut short is saved to the
    history as a partial session."""
    from formcheck.live import LiveFrame, LiveInput
    from formcheck.recording import RecordingSource

    def interrupted():
        with RecordingSource(bird_dog) as rec:
            for k, pose in enumerate(rec):
                if k == 400:  # 13.3 s: in set 2 of bird-dog
                    raise KeyboardInterrupt
                yield LiveFrame(pose)

    session = LiveSession(load_routine(routine_file(tmp_path, MINI, rest=1)), summary_s=0)
    outcome = session.run(LiveInput(interrupted(), "sample", 30.0, (960, 540)))
    assert outcome.ended_by == "interrupt"
    (bird,) = outcome.per_exercise
    assert bird["exercise"] == "bird-dog" and bird["interrupted"] is True
    assert len(bird["reps"]) >= 2  # set 1's reps are kept

    done = run(bird_dog, routine_file(tmp_path, MINI, rest=1))  # runs to the end
    assert [one.get("interrupted") for one in done.per_exercise] == [None]


def test_a_set_of_holds_fills_the_bar_to_the_sets_own_target(bird_dog, tmp_path, huds):
    """A routine's set of one 2.5 s hold per side: the hold bar counts up to 2.5 s, not to the
    exercise's own 2 s, and the set line says what the set asks."""
    held = routine_file(tmp_path, MINI.replace("reps = 1", "hold_s = 2.5"), rest=1)
    run(bird_dog, held, view=_Drawn())
    assert (huds[3.0].hold_target_s, huds[3.0].set_line) == (2.5, "set 1 of 2: hold 2.5 s")
    assert huds[3.0].rep_target is None


class _Drawn:
    """A view that keeps nothing (the session draws every frame for it)."""

    closed = False

    def show(self, image_bgr):
        pass

    def poll_key(self, wait_ms=1):
        return -1

    def toggle_fullscreen(self):
        return False
