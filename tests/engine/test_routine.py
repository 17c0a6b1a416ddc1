"""Routines: a generated session runs end to end with the exact sets, rests and counts; a bad
routine file gets one line naming the file and the key; ``formcheck routines`` in-process.

Sessions are the exercises' own self-test sequences rendered back to back on the mannequin,
with timestamps shifted so they keep increasing.
"""

import shutil
import textwrap
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.engine import Engine, load_exercise
from formcheck.engine.catalogue import bundled_routines_dir
from formcheck.engine.events import Event, HoldProgress, RepCompleted
from formcheck.engine.routine import (
    ExerciseStarted,
    RestStarted,
    RestTick,
    RoutineCompleted,
    RoutineEvent,
    RoutineRunner,
    SetCompleted,
    SetStarted,
    load_routine,
)
from formcheck.engine.selftest import build_case
from formcheck.errors import DefinitionError
from formcheck.synth.camera import Camera
from formcheck.synth.render import render

MINI = textwrap.dedent(
    """
    id = "mini"
    name = "Mini"

    [[steps]]
    exercise = "bird-dog"
    sets = 2
    reps = 2          # per side
    rest_s = 3
    rest_after_s = 4

    [[steps]]
    exercise = "cat-cow"
    sets = 2
    reps = 2
    rest_s = 6
    """
)
PAUSE = {"pose": "all_fours", "move_s": 0.5, "hold_s": 2.5}


def _frames(exercise: str, script: list, start: str, t0: float) -> tuple[list, float]:
    """The rendered script, its timestamps moved to start at ``t0``; and where it ends."""
    defn = load_exercise(exercise)
    assert defn.selftest is not None
    mannequin = build_case(defn, {"start": start, "script": script})
    fps = defn.selftest.fps
    frames = render(mannequin, Camera.from_dict(dict(defn.selftest.camera)), fps=fps)
    return [replace(f, t_s=round(t0 + f.t_s, 6)) for f in frames], t0 + len(frames) / fps


def _brief(ev: RoutineEvent) -> tuple:
    if isinstance(ev, ExerciseStarted):
        return ("exercise", ev.exercise, ev.index, ev.count)
    if isinstance(ev, SetStarted):
        return ("set", ev.exercise, ev.set_index, ev.sets, ev.target, ev.unit, ev.per)
    if isinstance(ev, SetCompleted):
        return ("done", ev.exercise, ev.set_index, ev.complete, ev.reps_by_side, ev.faults)
    if isinstance(ev, RestStarted):
        return ("rest", ev.seconds, ev.next_exercise, ev.next_set)
    if isinstance(ev, RestTick):
        return ("tick", ev.left_s)
    assert isinstance(ev, RoutineCompleted)
    return ("complete", ev.routine)


def _write(folder, text: str, name: str = "r.toml"):
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Bird-dog: a set of 2 per side (bent knee on the 3rd rep), one more left rep during the
    3 s rest, then a set of 2 per side; cat-cow: 2 cycles, one more during the 6 s rest, 2
    cycles, and one after the routine has completed."""
    bad_knee = {"seq": "left", "overrides": {"knee_flex_left": 45}}
    bird, t = _frames(
        "bird-dog",
        ["left", "right", bad_knee, "right", "left", "right", "left", "right", "left", PAUSE],
        "all_fours",
        0.0,
    )
    cat, _ = _frames(
        "cat-cow", ["cycle", "cycle", "cycle", PAUSE, "cycle", "cycle", "cycle"], "all_fours", t
    )
    runner = RoutineRunner(load_routine(_write(tmp_path_factory.mktemp("mini"), MINI)))
    events: list[Event] = []
    texts: dict[str, str] = {}
    for frame in bird + cat:
        out = runner.update(frame)
        events += out
        for ev in out:  # the progress line right after the first of each kind of event
            texts.setdefault(type(ev).__name__, runner.progress.text())
    events += runner.finish()
    return runner, events, texts, bird


def test_a_routine_runs_end_to_end_with_the_exact_sets_and_rests(session):
    runner, events, _, _ = session
    bird, cat = ("left", "right"), ("both",)
    assert [_brief(e) for e in events if isinstance(e, RoutineEvent)] == [
        ("exercise", "bird-dog", 1, 2),
        ("set", "bird-dog", 1, 2, 2, "reps", bird),
        ("done", "bird-dog", 1, True, {"left": 2, "right": 2}, {"bent_knee": 1, "hold_short": 1}),
        ("rest", 3.0, "bird-dog", 2),
        ("tick", 2),
        ("tick", 1),
        ("set", "bird-dog", 2, 2, 2, "reps", bird),
        ("done", "bird-dog", 2, True, {"left": 2, "right": 2}, {}),
        ("rest", 4.0, "cat-cow", 1),
        ("tick", 3),
        ("tick", 2),
        ("tick", 1),
        ("exercise", "cat-cow", 2, 2),
        ("set", "cat-cow", 1, 2, 2, "reps", cat),
        ("done", "cat-cow", 1, True, {"both": 2}, {}),
        ("rest", 6.0, "cat-cow", 2),
        ("tick", 5),
        ("tick", 4),
        ("tick", 3),
        ("tick", 2),
        ("tick", 1),
        ("set", "cat-cow", 2, 2, 2, "reps", cat),
        ("done", "cat-cow", 2, True, {"both": 2}, {}),
        ("complete", "mini"),
    ]
    assert runner.completed and runner.done


def test_rests_last_their_seconds_and_nothing_is_analysed_during_them(session):
    _, events, _, _ = session
    frame_s = 1 / 30
    rests = [i for i, e in enumerate(events) if isinstance(e, RestStarted)]
    assert len(rests) == 3
    for i in rests:
        after = events[i + 1 :]
        end = next(j for j, e in enumerate(after) if not isinstance(e, RestTick))
        assert isinstance(after[end], ExerciseStarted | SetStarted)  # only ticks in between
        waited = after[end].t_s - events[i].t_s
        assert events[i].seconds <= waited < events[i].seconds + frame_s + 1e-6


def test_reps_made_during_a_rest_are_not_counted(session):
    _, events, _, bird_frames = session
    engine = Engine(load_exercise("bird-dog"))  # without the routine: 5 left reps, 4 right
    extractor = engine.new_extractor()
    for frame in bird_frames:
        engine.update(extractor.update(frame))
    assert engine.reps_by_side() == {"left": 5, "right": 4}
    starts = [e for e in events if isinstance(e, SetStarted)]
    sets = [e for e in events if isinstance(e, SetCompleted)]
    assert [[r.side for r in s.reps] for s in sets[:2]] == [
        ["left", "right", "left", "right"],
        ["right", "left", "right", "left"],  # the left rep of the rest is not in set 2
    ]
    for started, done in zip(starts, sets, strict=True):
        assert all(started.t_s < r.start_s and r.end_s <= done.t_s for r in done.reps)
    counted = [e.rep for e in events if isinstance(e, RepCompleted)]
    assert len(counted) == 4 + 4 + 2 + 2  # nothing during rests or after the routine


def test_progress_says_where_the_session_is(session):
    _, _, texts, _ = session
    assert texts["RepCompleted"] == "Bird-dog: exercise 1 of 2, set 1 of 2, left 1/2, right 0/2"
    assert texts["RestStarted"] == "Rest 3 s, next: Bird-dog: exercise 1 of 2, set 2 of 2"
    assert texts["RoutineCompleted"] == "Routine complete"


def test_summary_per_exercise_sets_reps_and_faults(session):
    runner, _, _, _ = session
    result = runner.summary(source="generated")
    assert result["schema"] == "formcheck.routine_result" and result["completed"] is True
    got = [
        (e["exercise"], e["sets_done"], e["reps_per_set"], e["faults"]) for e in result["exercises"]
    ]
    assert got == [
        ("bird-dog", 2, [4, 4], {"bent_knee": 1, "hold_short": 1}),
        ("cat-cow", 2, [2, 2], {}),
    ]
    first = result["exercises"][0]["sets"][0]
    assert first["summary"]["reps_by_side"] == {"left": 2, "right": 2}
    assert [r["faults"] for r in first["reps"]] == [[], [], ["bent_knee", "hold_short"], []]


def test_a_hold_set_ends_as_soon_as_the_hold_reaches_its_seconds(tmp_path):
    lift = ["lift", "lift", {"seq": "lift", "hold_s": 2.0}, "lift"]
    frames, _ = _frames("superman", lift, "flat", 0.0)
    text = 'id = "h"\nname = "H"\n[[steps]]\nexercise = "superman"\nsets = 3\nhold_s = 5\n'
    runner = RoutineRunner(load_routine(_write(tmp_path, text + "rest_s = 2\n")))
    events = [e for f in frames for e in runner.update(f) if not isinstance(e, HoldProgress)]
    sets = [e for e in events if isinstance(e, SetCompleted)]
    assert [[r.hold_s for r in s.reps] for s in sets] == [
        [5.0],
        [5.0],
        [pytest.approx(2.1, abs=0.2), 5.0],
    ]
    assert sets[2].faults == {"hold_short": 1}  # the short hold is a rep, not the set's hold
    assert sets[0].t_s < 6.2  # the first lift is held until 6.2 s: the set ended mid-hold
    assert isinstance(events[-1], RoutineCompleted)


def test_a_hold_set_per_side_needs_a_hold_on_each_side(tmp_path):
    frames, _ = _frames("bird-dog", ["left", "right", "left"], "all_fours", 0.0)
    text = 'id = "h"\nname = "H"\n[[steps]]\nexercise = "bird-dog"\nhold_s = 2\n'
    runner = RoutineRunner(load_routine(_write(tmp_path, text)))
    events = [e for f in frames for e in runner.update(f)]
    (done,) = [e for e in events if isinstance(e, SetCompleted)]
    assert done.reps_by_side == {"left": 1, "right": 1}
    assert [r.hold_s for r in done.reps] == [pytest.approx(2.6, abs=0.2), 2.0]
    assert isinstance(events[-1], RoutineCompleted)


def test_skip_next_exercise_and_finish(tmp_path):
    frames, _ = _frames("bird-dog", [PAUSE], "all_fours", 0.0)
    runner = RoutineRunner(load_routine(_write(tmp_path, MINI)))
    runner.update(frames[0])
    assert [_brief(e) for e in runner.skip()] == [
        ("done", "bird-dog", 1, False, {"left": 0, "right": 0}, {}),
        ("rest", 3.0, "bird-dog", 2),
    ]
    assert runner.resting and runner.rest_left_s == 3.0
    assert [_brief(e)[:3] for e in runner.skip()] == [("set", "bird-dog", 2)]
    assert [_brief(e)[:3] for e in runner.next_exercise()] == [
        ("done", "bird-dog", 2),
        ("exercise", "cat-cow", 2),
        ("set", "cat-cow", 1),
    ]
    assert [_brief(e)[:4] for e in runner.finish()] == [("done", "cat-cow", 1, False)]
    assert runner.done and not runner.completed
    assert runner.update(frames[1]) == []
    assert [e["sets_done"] for e in runner.summary()["exercises"]] == [0, 0]


def test_back_basics_is_the_guide_in_sets():
    r = load_routine("back-basics")
    plan = [(s.exercise.id, str(s.sets), s.target_text()) for s in r.steps]
    assert plan == [
        ("bird-dog", "2-3", "8-10 reps per side"),
        ("cat-cow", "2-3", "15-20 reps"),
        ("superman", "2-3", "8-10 reps"),
        ("reverse-fly", "2-3", "8-10 reps"),
    ]
    assert r.steps[0].sets.target == 2 and r.steps[0].reps.target == 8


def test_the_readme_example_is_a_valid_routine(tmp_path):
    readme = (bundled_routines_dir() / "README.md").read_text()
    section = readme.split("### A worked example: back basics", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    r = load_routine(_write(tmp_path, example))
    assert [s.exercise.id for s in r.steps] == [
        s.exercise.id for s in load_routine("back-basics").steps
    ]


GOOD_STEP = '[[steps]]\nexercise = "bird-dog"\nreps = 2\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            GOOD_STEP * 2 + '[[steps]]\nexercise = "bird-dgo"\nreps = 2\n',
            r"r\.toml: steps\[2\]\.exercise: unknown exercise 'bird-dgo'; known: .*bird-dog",
        ),
        (GOOD_STEP + "sets = 0\n", r"r\.toml: steps\[0\]\.sets: must be at least 1, got 0"),
        (
            '[[steps]]\nexercise = "bird-dog"\nreps = [10, 8]\n',
            r"r\.toml: steps\[0\]\.reps: range \[10, 8\] must be \[low, high\] with low <= high",
        ),
        (GOOD_STEP + "sets = [3, 2]\n", r"r\.toml: steps\[0\]\.sets: range \[3, 2\]"),
        (GOOD_STEP * 2 + "repz = 3\n", r"r\.toml: steps\[1\]\.repz: unknown key"),
        (GOOD_STEP + "reps_s = 3\n", r"steps\[0\]\.reps_s: unknown key"),
        (GOOD_STEP + "rest_s = -5\n", r"steps\[0\]\.rest_s: .*greater than or equal to 0"),
        ('[[steps]]\nexercise = "cat-cow"\nhold_s = 5\n', r"steps\[0\]: hold_s: cat-cow has no"),
        ('[[steps]]\nexercise = "bird-dog"\n', r"steps\[0\]: bird-dog needs reps .* or hold_s"),
        ('[[steps]]\nexercise = "bird-dog"\nreps = "8"\n', r"steps\[0\]\.reps: expected a num"),
        ("steps = []\n", r"r\.toml: steps: List should have at least 1 item"),
        ('[[steps]\nexercise = "bird-dog"\n', r"r\.toml: TOML syntax error"),
    ],
)
def test_a_bad_routine_is_one_line_naming_the_file_and_the_key(tmp_path, body, message):
    path = _write(tmp_path, 'id = "r"\nname = "R"\n' + body)
    with pytest.raises(DefinitionError, match=message) as err:
        load_routine(path)
    assert "\n" not in str(err.value)


def test_an_exercise_file_next_to_the_routine_is_found(tmp_path):
    shutil.copy(bundled_routines_dir() / "exercises" / "cat-cow.toml", tmp_path / "my-cat.toml")
    body = 'id = "r"\nname = "R"\n[[steps]]\nexercise = "my-cat.toml"\nreps = [15, 20]\n'
    step = load_routine(_write(tmp_path, body)).steps[0]
    assert (step.exercise.id, step.reps, step.sets) == ("cat-cow", (15, 20), (1, 1))
    assert (step.rest_s, step.rest_after) == (30.0, 30.0)


# -- the CLI ---------------------------------------------------------------------------------
cli = CliRunner()


def test_cli_list_and_show_find_bundled_and_own_routines(tmp_path, monkeypatch):
    _write(tmp_path, MINI, "mini.toml")
    monkeypatch.setenv("FORMCHECK_ROUTINES", str(tmp_path))
    listed = cli.invoke(app, ["routines", "list"])
    assert listed.exit_code == 0, listed.output
    assert "back-basics" in listed.output and "mini" in listed.output
    shown = cli.invoke(app, ["routines", "show", "back-basics"])
    assert shown.exit_code == 0, shown.output
    assert "8-10 reps per side" in shown.output and "15-20 reps" in shown.output
    mini = cli.invoke(app, ["routines", "show", "mini"])
    assert mini.exit_code == 0 and "2 reps per side" in mini.output and "4 s" in mini.output


def test_cli_check_passes_a_good_file_and_names_the_key_of_a_bad_one(tmp_path):
    good = cli.invoke(app, ["routines", "check", str(bundled_routines_dir() / "back-basics.toml")])
    assert good.exit_code == 0, good.output
    assert "ok" in good.output
    bad = _write(tmp_path, MINI.replace('"cat-cow"', '"cat-dog"'), "bad.toml")
    result = cli.invoke(app, ["routines", "check", str(bad)])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("formcheck: error:"), result.output
    assert "bad.toml: steps[1].exercise: unknown exercise 'cat-dog'" in lines[0]


def test_cli_show_an_unknown_routine_is_one_line():
    result = cli.invoke(app, ["routines", "show", "no-such-routine"])
    assert result.exit_code == 2
    assert "unknown routine 'no-such-routine'; known:" in result.output
