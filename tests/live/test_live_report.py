"""``formcheck live --save-report DIR`` writes the report files ``analyze -o`` writes (issue 17):
``report.json`` (``formcheck.report`` v1), ``report.html`` and ``reps.csv``, from the same
collector; for a routine, its result, a page of its sets and reps, and a CSV of every rep.

The bundled bird-dog recording (684 frames at 30 fps): 4 reps, left, right, left, right; rep 3
has a bent left knee (worst at 15.7 s, frame 471) and a hold too short with good form.
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager

from test_live_routine import MINI, routine_file
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import load_exercise
from formcheck.live import LiveFrame, LiveInput, LiveSession, ScriptedKeys, open_live_input
from formcheck.live.summary import LiveReport
from formcheck.recording import RecordingSource

runner = CliRunner()
FILES = {"report.json", "report.html", "reps.csv"}


def _live(*args: str):  # noqa: ANN202
    return runner.invoke(app, ["live", *args, "--headless", "--no-audio", "--no-history"])


def test_a_live_set_writes_the_files_analyze_writes_with_the_same_numbers(bird_dog, tmp_path):
    res = _live("bird-dog", "--video", str(bird_dog), "--speed", "0",
                "--save-report", str(tmp_path / "live"))  # fmt: skip
    assert res.exit_code == 0, res.output
    analysed = runner.invoke(app, ["analyze", str(bird_dog), "-e", "bird-dog", "--no-history",
                                   "-o", str(tmp_path / "analyze")])  # fmt: skip
    assert analysed.exit_code == 0, analysed.output
    live, offline = tmp_path / "live", tmp_path / "analyze" / "bird-dog"
    assert {p.name for p in live.iterdir()} == FILES

    assert (live / "reps.csv").read_text() == (offline / "reps.csv").read_text()
    report = json.loads((live / "report.json").read_text())
    same = json.loads((offline / "report.json").read_text())
    assert (report["schema"], report["version"]) == ("formcheck.report", 1)
    for key in ("exercise", "reps", "sides", "setup", "not_in_view", "partial", "outputs"):
        assert report[key] == same[key], key
    assert report["result"]["reps"] == same["result"]["reps"]
    assert report["result"]["live"] == {"ended_by": "input", "dropped_frames": 0}
    assert report["input"]["kind"] == "recording" and report["input"]["frames"] == 684
    assert report["session"]["recorded"] == "live"

    assert [r["side"] for r in report["reps"]] == ["left", "right", "left", "right"]
    faults = {f["fault"]: f for f in report["reps"][2]["faults"]}
    assert set(faults) == {"bent_knee", "hold_short"}
    assert faults["bent_knee"]["worst"] == {"t_s": 15.7, "frame": 471}
    page = (live / "report.html").read_text()
    # the plot and the two faults' worst frames, as on analyze's page
    assert page.count("data:image/png;base64,") == 3
    assert page.count("data:image/png;base64,") == (offline / "report.html").read_text().count(
        "data:image/png;base64,"
    )
    assert "Straighten your left knee" in page


def _session(bird_dog, folder, keys: dict[int, str]):  # noqa: ANN001, ANN202
    """The bird-dog recording in a LiveSession with scripted keys (one call per frame)."""
    exercise = load_exercise("bird-dog")
    session = LiveSession(exercise, keys=ScriptedKeys(keys), summary_s=0, quit_summary_s=0)
    report = LiveReport(folder, exercise)
    with open_live_input(bird_dog, speed=0) as feed:
        feed.frames = report.frames(feed.frames, session)
        outcome = session.run(feed)
    report.write(outcome.result, session=session, source="bird-dog.jsonl.gz", kind="recording")
    return outcome, json.loads((folder / "report.json").read_text())


def test_frames_not_analysed_are_not_collected(bird_dog, tmp_path):
    """Paused after frame 100, resumed after frame 130: frames 101-130 are not in the report."""
    outcome, report = _session(bird_dog, tmp_path, {100: " ", 130: " "})
    assert outcome.frames == 684
    assert report["input"]["frames"] == 684 - 30


def test_a_session_quit_early_reports_up_to_its_last_frame(bird_dog, tmp_path):
    """q after frame 200 (6.67 s): the report has frames 0-200, rep 1 (left, done at 4.7 s)
    and rep 2 (right), held when the session ended, so counted up to that last frame."""
    outcome, report = _session(bird_dog, tmp_path, {200: "q"})
    assert outcome.ended_by == "quit"
    assert report["input"]["frames"] == 201  # the last frame is collected after the loop
    assert [(r["index"], r["side"]) for r in report["reps"]] == [(1, "left"), (2, "right")]
    assert report["reps"][1]["end_s"] == round(200 / 30, 3)
    assert report["reps"][1]["tempo"] is not None  # the series runs up to the rep's end


def test_a_reset_starts_the_report_over(bird_dog, tmp_path):
    """r after frame 300: the result is the new set's, and so is the collected series."""
    outcome, report = _session(bird_dog, tmp_path, {300: "r"})
    assert report["input"]["frames"] == 683 - 300
    assert report["reps"] and [r["start_s"] for r in report["reps"]] == [
        r["start_s"] for r in outcome.result["reps"]
    ]
    assert all(r["start_s"] > 10.0 for r in report["reps"])


def test_ctrl_c_writes_a_partial_report(bird_dog, tmp_path, monkeypatch):
    @contextmanager
    def interrupted_input(spec, **kwargs):  # noqa: ANN001, ANN202
        def frames():  # noqa: ANN202
            with RecordingSource(bird_dog) as rec:
                for k, pose in enumerate(rec):
                    if k == 150:  # 5.0 s: rep 1 done
                        raise KeyboardInterrupt
                    yield LiveFrame(pose)

        yield LiveInput(frames(), "sample", 30.0, (960, 540))

    monkeypatch.setattr("formcheck.cli.live_cmd.open_live_input", interrupted_input)
    res = _live("bird-dog", "--video", "x.mp4", "--save-report", str(tmp_path))
    assert res.exit_code == 130, res.output
    assert {p.name for p in tmp_path.iterdir()} == FILES
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["partial"] is True and report["partial_reasons"] == ["interrupted"]
    assert report["result"]["interrupted"] is True and len(report["reps"]) == 1
    assert report["input"] | {"frames": 150, "kind": "video"} == report["input"]
    rows = list(csv.reader(io.StringIO((tmp_path / "reps.csv").read_text())))
    assert len(rows) == 2  # the header and rep 1


def test_a_routine_writes_its_result_a_page_and_every_rep(bird_dog, tmp_path):
    routine = routine_file(tmp_path, MINI, rest=1)
    out = tmp_path / "out"
    res = _live(routine, "--video", str(bird_dog), "--speed", "0", "--save-report", str(out))
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == FILES
    result = json.loads((out / "report.json").read_text())
    assert result["schema"] == "formcheck.routine_result" and result["completed"] is True
    rows = list(csv.DictReader(io.StringIO((out / "reps.csv").read_text())))
    assert [(r["exercise"], r["set"], r["rep"], r["side"], r["faults"]) for r in rows] == [
        ("bird-dog", "1", "1", "left", ""),
        ("bird-dog", "1", "2", "right", ""),
        ("bird-dog", "2", "1", "left", "bent_knee;hold_short"),
        ("bird-dog", "2", "2", "right", ""),
    ]
    assert rows[2]["evidence"].startswith("knee_left ")
    page = (out / "report.html").read_text()
    assert "<h1>Mini</h1>" in page and "routine complete" in page
    assert "2 of 2 sets done" in page and page.count("<tr><td class='num'>") == 4
    # faults in words on the page (the ids stay in reps.csv)
    assert "bent knee: left knee bent to 134° (aim: at least 150°), " in page
    assert "bent_knee" not in page and "knee_left" not in page
