"""The live loop, driven from the mannequin recording: headless lines, keys, mirror, the end."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from formcheck.engine import load_exercise
from formcheck.live import LiveInput, LiveSession, ScriptedKeys, mirrored, open_live_input
from formcheck.live.feed import LiveFrame
from formcheck.recording import RecordingSource
from formcheck.render.annotate import OK_BGR

EXERCISE = load_exercise("bird-dog")
# The sample at 30 fps: rep 1 left ends 4.6 s (frame 139), rep 2 right 6.2-10.3 s, rep 3 left
# 11.9-16.0 s with a bent knee (cue from 12.6 s), rep 4 right 17.5-21.7 s; 684 frames.


def run(path, *, keys=None, view=None, lines=None, mirror=False):
    session = LiveSession(
        EXERCISE,
        view=view,
        keys=ScriptedKeys(keys or {}),
        mirror=mirror,
        summary_s=0,
        quit_summary_s=0,
        on_line=None if lines is None else lines.append,
    )
    with open_live_input(path, speed=0) as feed:
        return session.run(feed)


def reps(outcome):
    return [(r["side"], tuple(r["faults"])) for r in outcome.result["reps"]]


def test_headless_counts_the_set_and_prints_the_cue(bird_dog):
    lines: list[str] = []
    outcome = run(bird_dog, lines=lines)
    assert outcome.ended_by == "input" and outcome.frames == 684
    assert outcome.result["summary"]["reps_by_side"] == {"left": 2, "right": 2}
    assert reps(outcome)[2] == ("left", ("bent_knee", "hold_short"))
    text = "\n".join(lines)
    assert "fault bent knee (left): Straighten your left knee" in text
    assert [ln.split("s  ", 1)[1] for ln in lines if "rep " in ln] == [
        "rep 1 (left 1), hold 2.8 s: ok",
        "rep 2 (right 1), hold 2.8 s: ok",
        "rep 3 (left 2), hold 2.8 s (0.0 s good form): bent knee, hold too short\n"
        "          bent knee: left knee bent to 134° (aim: at least 150°), 12.1–15.7 s\n"
        "          hold too short: held with good form for 0.0 s (aim: at least 2 s), "
        "11.6–16.1 s",
        "rep 4 (right 2), hold 2.8 s: ok",
    ]
    assert sum("hold target 2 s reached" in ln for ln in lines) == 3  # once per held rep


def test_window_and_headless_count_the_same(bird_dog, fake_view):
    windowed = run(bird_dog, view=fake_view)
    headless = run(bird_dog)
    assert fake_view.count == 684 + 1  # every frame, then the summary screen
    assert windowed.result["reps"] == headless.result["reps"]


@pytest.mark.parametrize(
    ("keys", "expected", "ended_by"),
    [
        ({150: "q"}, [("left", ())], "quit"),  # quit at 5.0 s: only rep 1 was done
        ({150: 27}, [("left", ())], "quit"),  # Esc
        # paused 5.0-11.0 s: rep 2 (right, 6.2-10.1 s) is not seen
        (
            {150: " ", 330: " "},
            [("left", ()), ("left", ("bent_knee", "hold_short")), ("right", ())],
            "input",
        ),
        # reset at 11.0 s: a new set from there, numbered from 1
        ({330: "r"}, [("left", ("bent_knee", "hold_short")), ("right", ())], "input"),
        # n (no routine: a notice only), f, h and m do not change what is counted
        (
            {60: "n", 61: "f", 62: "h", 63: "m"},
            [("left", ()), ("right", ()), ("left", ("bent_knee", "hold_short")), ("right", ())],
            "input",
        ),
    ],
)
def test_keys(bird_dog, keys, expected, ended_by):
    outcome = run(bird_dog, keys=keys)  # headless: keys work without a window too
    assert outcome.ended_by == ended_by
    assert reps(outcome) == expected
    assert [r["index"] for r in outcome.result["reps"]] == list(range(1, len(expected) + 1))


def test_fullscreen_key_reaches_the_window(bird_dog, make_view):
    view = make_view(close_after=25)
    run(bird_dog, keys={10: "f", 20: "f"}, view=view)
    assert view.fullscreen_toggles == 2


def test_pause_and_help_show_on_screen(bird_dog, make_view):
    view = make_view(close_after=103, keep=(99, 100, 101, 102))
    run(bird_dog, keys={100: " ", 101: " ", 102: "h"}, view=view)
    plain, paused, resumed, helped = (view.kept[k] for k in (99, 100, 101, 102))
    middle = (slice(230, 330), slice(330, 630))
    assert not np.array_equal(plain[middle], paused[middle])  # "PAUSED" in the middle
    assert not np.array_equal(resumed[middle], helped[middle])  # the help panel


def _green_centre_x(image):
    band = image[240:440]  # below the counter and the hold bar, above the banner
    ys, xs = np.nonzero(np.all(band == OK_BGR, axis=2))
    assert len(xs) > 50, "no skeleton drawn"
    return xs.mean()


def test_mirror_flips_the_picture_but_not_the_sides(bird_dog, make_view):
    at = (60, 300)
    plain_view, mirror_view = make_view(301, keep=at), make_view(301, keep=at)
    plain = run(bird_dog, view=plain_view)
    flipped = run(bird_dog, view=mirror_view, keys={0: "m"})
    for k in at:
        w = plain_view.kept[k].shape[1]
        assert _green_centre_x(mirror_view.kept[k]) == pytest.approx(
            w - _green_centre_x(plain_view.kept[k]), abs=3
        )
    assert plain.result["reps"] == flipped.result["reps"]  # left stays the person's left
    assert reps(flipped)[0] == ("left", ())


def test_mirrored_pose_keeps_names_and_flips_x(bird_dog):
    with RecordingSource(bird_dog) as rec:
        pose = next(iter(rec))
    flipped = mirrored(pose)
    assert np.allclose(flipped.xy_px[:, 0], 960 - pose.xy_px[:, 0])
    assert np.array_equal(flipped.xy_px[:, 1], pose.xy_px[:, 1])
    assert np.array_equal(flipped.world, pose.world)


def test_closing_the_window_ends_the_session_like_quit(bird_dog, make_view):
    view = make_view(close_after=150)  # closed at 5.0 s, between rep 1 and rep 2
    outcome = run(bird_dog, view=view)
    assert outcome.ended_by == "window"
    assert view.count == 150  # no summary screen on a window that is gone
    assert outcome.result["summary"]["reps_by_side"] == {"left": 1, "right": 0}


def test_the_summary_screen_follows_the_last_frame(bird_dog, fake_view):
    outcome = run(bird_dog, view=fake_view)
    last, summary = fake_view.last
    assert summary.mean() < last.mean()  # the picture is dimmed behind the summary panel
    assert outcome.result["live"] == {"ended_by": "input", "dropped_frames": 0}


def test_ctrl_c_ends_cleanly_with_what_was_counted(bird_dog):
    def interrupted() -> Iterator[LiveFrame]:
        with RecordingSource(bird_dog) as rec:
            for k, pose in enumerate(rec):
                if k == 150:  # 5.0 s, between rep 1 and rep 2
                    raise KeyboardInterrupt
                yield LiveFrame(pose)

    feed = LiveInput(interrupted(), "sample", 30.0, (960, 540))
    outcome = LiveSession(EXERCISE).run(feed)
    assert outcome.ended_by == "interrupt"
    assert outcome.result["interrupted"] is True
    assert outcome.result["summary"]["reps_by_side"] == {"left": 1, "right": 0}


def test_late_frames_are_analysed_but_not_drawn(bird_dog, fake_view):
    def every_other_late() -> Iterator[LiveFrame]:
        with RecordingSource(bird_dog) as rec:
            for k, pose in enumerate(rec):
                yield LiveFrame(pose, late=k % 2 == 1)

    feed = LiveInput(every_other_late(), "sample", 30.0, (960, 540))
    outcome = LiveSession(EXERCISE, view=fake_view, summary_s=0).run(feed)
    # every frame analysed: none dropped (a replay never says it dropped frames)
    assert (outcome.frames, outcome.drawn, outcome.late, outcome.dropped) == (684, 342, 342, 0)
    assert outcome.result["summary"]["reps_by_side"] == {"left": 2, "right": 2}


@pytest.fixture(scope="module")
def long_hold(tmp_path_factory):
    """A recording of one left bird-dog held 5 s (1.2 s up, held 1.2-6.2 s, down by 7.4 s)."""
    from formcheck.engine.selftest import build_case
    from formcheck.recording import RecordingHeader, RecordingWriter
    from formcheck.synth import Camera, render

    case = {"start": "all_fours", "script": [{"seq": "left", "hold_s": 5.0}]}
    frames = render(build_case(EXERCISE, case), Camera(azimuth_deg=90), fps=30.0)
    path = tmp_path_factory.mktemp("recordings") / "long-hold.jsonl.gz"
    header = RecordingHeader("bird-dog held 5 s", 30.0, frames[0].resolution_wh, "synthetic")
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    return path


def test_a_pause_in_the_middle_of_a_hold_is_not_a_fault(long_hold):
    """Paused 3.0-4.5 s (space twice): the hold goes on after it (the paused time is not
    counted as held, nor does it end the hold), and the rep has no fault."""
    (whole,) = run(long_hold).result["reps"]
    outcome = run(long_hold, keys={90: " ", 135: " "})
    (rep,) = outcome.result["reps"]
    assert rep["faults"] == [] and outcome.result["summary"]["holds_met"] == 1
    # the hold in one piece, 1.5 s (45 frames) shorter than without the pause
    assert rep["form_hold_s"] == rep["hold_s"]
    assert rep["hold_s"] == pytest.approx(whole["hold_s"] - 1.5, abs=1 / 30 + 1e-6)


@pytest.mark.parametrize(
    ("pause", "counted", "said"),
    [
        # paused at 2.0 s, 0.8 s into the hold, back at 8.0 s, down since 7.4 s: the pause cut
        # the hold short, so the rep is dropped (no hold_short), and it says so
        ((60, 240), [], True),
        # paused at 4.0 s, the 2 s target already met: the rep counts as held, no fault
        ((120, 240), [("left", ())], False),
    ],
)
def test_leaving_the_hold_during_a_pause_is_not_a_short_hold(long_hold, pause, counted, said):
    lines: list[str] = []
    start, end = pause
    outcome = run(long_hold, keys={start: " ", end: " "}, lines=lines)
    assert reps(outcome) == counted
    assert "hold_short" not in outcome.result["summary"]["faults"]
    assert any("that rep is not counted" in ln for ln in lines) is said
