"""The guided start: a placement card, the check that the person is in position, 3-2-1.

The mannequin kneels still on all fours for 6.5 s, then does one bird-dog per side; seen
side-on it is in position from the first frame: ready after 2 s still, 3-2-1 from 2.0 s, go at
5.0 s, and both reps are counted. Seen from the front it is never in position (wrong view):
no countdown, nothing counted. Times are the recording's own.
"""

from __future__ import annotations

import math

import pytest
from test_overlay import SIZES, _tallest, draw_apart, lower

from formcheck.engine import load_exercise
from formcheck.live import LiveFrame, LiveInput, LiveSession, ScriptedKeys, open_live_input
from formcheck.live.start import WORKING_SIDE_WORDS, GuidedStart, StartPhase, placement_card
from formcheck.pose.core import PoseFrame
from formcheck.recording import RecordingSource
from formcheck.render.annotate import MIN_PX_AT_720

EXERCISE = load_exercise("bird-dog")


def _record(tmp_path_factory, name: str, azimuth_deg: float):
    from formcheck.engine.selftest import build_case
    from formcheck.recording import RecordingHeader, RecordingWriter
    from formcheck.synth import Camera, render

    case = {
        "start": "all_fours",
        "script": [{"pose": "all_fours", "move_s": 0.5, "hold_s": 6.0}, "left", "right"],
    }
    frames = render(build_case(EXERCISE, case), Camera(azimuth_deg=azimuth_deg), fps=30.0)
    path = tmp_path_factory.mktemp("recordings") / f"{name}.jsonl.gz"
    header = RecordingHeader(f"bird-dog {name}", 30.0, frames[0].resolution_wh, "synthetic")
    with RecordingWriter(path, header) as writer:
        for frame in frames:
            writer.write(frame)
    return path


@pytest.fixture(scope="module")
def still_first(tmp_path_factory):
    return _record(tmp_path_factory, "still-first", 90.0)


@pytest.fixture(scope="module")
def facing(tmp_path_factory):
    return _record(tmp_path_factory, "facing", 0.0)


def run(path, *, guided=True, keys=None, frames=None):
    lines: list[str] = []
    session = LiveSession(EXERCISE, guided=guided, on_line=lines.append, summary_s=0,
                          keys=ScriptedKeys(keys or {}))  # fmt: skip
    if frames is None:
        with open_live_input(path, speed=0) as feed:
            outcome = session.run(feed)
    else:
        outcome = session.run(LiveInput(frames, "camera", 30.0, (960, 540), is_camera=True))
    return outcome, lines


def _out_of_view(path, from_s, to_s, until_s=math.inf):
    """The recording's frames, with nobody in view from ``from_s`` to ``to_s``; ending after
    ``until_s``."""
    with RecordingSource(path) as rec:
        for pose in rec:
            if from_s <= pose.t_s < to_s:
                pose = PoseFrame(pose.t_s, pose.resolution_wh, None, None, None, pose.index)
            yield LiveFrame(pose)
            if pose.t_s > until_s:
                break


def timed(lines, words):
    return [ln.split(" s  ")[0].strip() for ln in lines if ln.endswith(words)]


def test_the_card_says_where_the_person_and_the_camera_go():
    assert placement_card(EXERCISE) == (
        "Get ready: Bird-dog",
        "Side-on to the camera, whole body in view",
        "Camera low, about 50 cm up, 2-3 m away",
        "Get on your hands and knees to start",
    )
    assert placement_card(load_exercise("squat"))[1:3] == (
        "Side-on to the camera, whole body in view",
        "Camera at hip height, 2-3 m away",
    )


def test_a_set_done_one_side_at_a_time_puts_the_working_side_nearest():
    """From the side the pose model barely sees the far arm or leg: a one-arm row whose
    working arm is the far one goes uncounted. A set of one side at a time says so; an
    exercise of both sides at once or alternating (the squat, the bird-dog) does not."""
    card = placement_card(load_exercise("one-arm-row"))
    assert card[3] == "Working side nearest the camera: turn around to switch sides"
    assert WORKING_SIDE_WORDS in placement_card(load_exercise("prone-leg-raise"))
    for other in ("squat", "bird-dog", "shrugs"):
        assert WORKING_SIDE_WORDS not in placement_card(load_exercise(other)), other


def test_a_bent_over_exercise_is_not_told_to_stand_up_straight():
    """The bent-over row stands, but with the back level: its card says how to start."""
    for name in ("bent-over-row", "one-arm-row", "reverse-fly"):
        card = placement_card(load_exercise(name))
        assert card[-1] == "Get into position: start with your back level with the floor", card
    assert placement_card(load_exercise("squat"))[-1] == "Stand up straight to start"
    for name in ("push-up", "parallel-bar-dips", "lat-pulldown"):  # their own words
        defn = load_exercise(name)
        assert defn.start and placement_card(defn)[-1] == defn.start, name


def test_in_position_then_three_two_one_then_counting(still_first):
    outcome, lines = run(still_first)
    assert lines[0].endswith("get ready: Side-on to the camera, whole body in view; "
                             "Camera low, about 50 cm up, 2-3 m away; "
                             "Get on your hands and knees to start")  # fmt: skip
    assert (timed(lines, "  3"), timed(lines, "  2"), timed(lines, "  1")) == (
        ["2.0"],
        ["3.0"],
        ["4.0"],
    )
    assert any(ln.strip() == "Go!" for ln in lines)
    assert outcome.result["summary"]["reps_by_side"] == {"left": 1, "right": 1}
    assert outcome.result["reps"][0]["start_s"] > 5.0  # counted from "go" on


def test_without_the_guided_start_the_same_set_counts_the_same(still_first):
    guided, _ = run(still_first)
    plain, lines = run(still_first, guided=False)
    assert not any("get ready" in ln for ln in lines)
    assert plain.result["reps"] == guided.result["reps"]


def test_facing_the_camera_for_a_side_on_exercise_never_starts(facing):
    outcome, lines = run(facing)
    assert not timed(lines, "  3") and not any(ln.strip() == "Go!" for ln in lines)
    assert any("Turn sideways to the camera" in ln for ln in lines)
    assert outcome.result["summary"]["reps"] == 0


def test_out_of_view_during_the_countdown_starts_the_check_again(still_first):
    """The person steps out 2.5-3.5 s (in the countdown) and back: the card again, then a
    new countdown once still for 2 s: 3 at 5.5 s, go at 8.5 s."""

    _, lines = run(None, frames=_out_of_view(still_first, 2.5, 3.5))
    assert timed(lines, "  3") == ["2.0", "5.5"]
    assert any("countdown starts again" in ln for ln in lines)


def test_the_out_of_position_notice_and_the_card_are_drawn_apart(still_first, fake_view, huds):
    """Out of view in the countdown (2.5-3.5 s): the card is back with the notice under it,
    as the window draws them, neither over the other: on a 1280x720 window, on the smallest
    the overlay supports and on a 360x640 portrait one."""

    session = LiveSession(EXERCISE, guided=True, view=fake_view, summary_s=0, clock=lambda: 0.0)
    frames = _out_of_view(still_first, 2.5, 3.5, until_s=3.6)
    session.run(LiveInput(frames, "camera", 30.0, (960, 540), is_camera=True))
    hud = huds[3.0]  # the notice stays 1.5 s on the session's clock, stopped here
    assert hud.notice.startswith("Out of position") and hud.countdown is None
    assert hud.panel[0] == "Get ready: Bird-dog"
    for size_wh in SIZES:
        image, boxes = draw_apart(hud, size_wh)
        assert boxes["panel"][3] <= boxes["notice"][1]
        s = max(size_wh[1], 360) / 720
        for name in ("panel", "notice"):  # the words no smaller than the values top right
            assert _tallest(image, lower(boxes[name])) >= MIN_PX_AT_720["info"] * s, boxes


def test_the_start_is_a_state_machine_of_input_time(still_first):
    start = GuidedStart(EXERCISE, ready_s=2.0, countdown_s=3)
    phases = {}
    with RecordingSource(still_first) as rec:
        for pose in rec:
            start.update(pose)
            phases[round(pose.t_s, 2)] = (start.phase, start.count)
            if start.phase is StartPhase.GO:
                break
    assert phases[1.0] == (StartPhase.PLACE, None)
    assert phases[2.0] == (StartPhase.COUNTDOWN, 3)
    assert phases[4.5] == (StartPhase.COUNTDOWN, 1)
    assert max(phases) == 5.0 and phases[5.0] == (StartPhase.GO, None)


def test_on_all_fours_and_moving_is_told_to_hold_still_not_to_get_on_all_fours():
    """Already on hands and knees but moving (a rep before the countdown, as in the real
    cat-cow clip): "Hold still to start", not "Get on your hands and knees to start"; standing
    up and moving, the posture's words."""
    from formcheck.engine.selftest import build_case
    from formcheck.synth import Camera, render

    def statuses(case) -> set[str]:  # noqa: ANN001
        start = GuidedStart(EXERCISE, ready_s=2.0, countdown_s=3)
        seen = set()
        for pose in render(build_case(EXERCISE, case), Camera(azimuth_deg=90), fps=30.0):
            start.update(pose)
            if start.phase is StartPhase.PLACE and pose.t_s > 0.5:
                seen.add(start.status)
        return seen

    moving = {"start": "all_fours", "script": ["left", {"pose": "all_fours", "hold_s": 1.0}]}
    assert "Hold still to start" in statuses(moving)
    assert "Get on your hands and knees to start" not in statuses(moving)
    standing = {"start": "standing", "script": [{"pose": "standing", "move_s": 0.5, "hold_s": 0.5},
                                                {"pose": "all_fours", "move_s": 2.0}]}  # fmt: skip
    assert "Get on your hands and knees to start" in statuses(standing)
