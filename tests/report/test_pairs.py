"""Pairing one-sided videos (formcheck.report.pairs): which side a video holds, which video of
the batch or of the history holds the other side, and the report's pair block."""

from __future__ import annotations

import pytest

from formcheck.engine import load_exercise
from formcheck.report.compare import previous_set
from formcheck.report.pairs import Partner, batch_pairs, held_side, history_partner, pair_block

ROW, BIRD_DOG = load_exercise("one-arm-row"), load_exercise("bird-dog")


def _result(*sides: str, range_: float = 0.5) -> dict:
    reps = [
        {"side": s, "hold_s": None, "range": range_, "duration_s": 2.0} for s in sides
    ]  # fmt: skip
    return {"exercise": "one-arm-row", "reps": reps}


@pytest.mark.parametrize(
    ("exercise", "sides", "held"),
    [
        (ROW, ["left", "left"], "left"),
        (ROW, ["right"], "right"),
        (ROW, ["left", "right"], None),  # both sides in one video
        (ROW, [], None),  # nothing counted: nothing to pair
        (BIRD_DOG, ["left", "left"], None),  # alternating: both sides belong in one video
    ],
)
def test_held_side(exercise, sides, held):
    assert held_side(_result(*sides), exercise) == held


@pytest.mark.parametrize(
    ("videos", "pairs"),
    [
        # (side, hour, group) in batch order -> {i: j}
        ([("left", 9, "a"), ("right", 10, "a")], {0: 1, 1: 0}),
        ([("right", 10, "a"), ("left", 9, "a")], {0: 1, 1: 0}),  # recording order, not batch
        ([("left", 9, "a"), ("left", 10, "a"), ("right", 11, "a"), ("right", 12, "a")],
         {0: 2, 2: 0, 1: 3, 3: 1}),
        ([("left", 9, "a"), ("right", 10, "b")], {}),  # another exercise or day
        ([("left", 9, "a"), ("right", 10, "a"), ("left", 11, "a")], {0: 1, 1: 0}),  # one lone
    ],
)  # fmt: skip
def test_batch_pairs_in_recording_order(videos, pairs):
    items = [(side, f"2026-11-28T{hour:02d}:00:00Z", group) for side, hour, group in videos]
    assert batch_pairs(items) == pairs


def _stored(side: str, when: str, sid: int) -> dict:
    return {
        "result": _result(side, side), "source": f"{sid}.mp4", "recorded_at": when,
        "report_path": f"/reports/{sid}/report.html", "session_id": sid,
    }  # fmt: skip


def test_the_history_partner_is_the_other_side_nearest_in_time_that_day():
    stored = [
        _stored("right", "2026-11-28T18:00:00Z", 1),
        _stored("right", "2026-11-28T11:00:00Z", 2),
        _stored("left", "2026-11-28T09:30:00Z", 3),  # the same side
        _stored("right", "2026-11-27T09:05:00Z", 4),  # the day before
    ]
    found = history_partner("left", "2026-11-28T09:00:00Z", stored)
    assert found is not None and found.history_session == 2
    assert history_partner("left", "2026-11-29T09:00:00Z", stored) is None


def test_last_time_for_one_side_is_the_latest_earlier_set_with_that_side():
    stored = [
        _stored("left", "2026-11-28T09:00:00Z", 1),  # this morning, the other side
        _stored("right", "2026-11-21T09:00:00Z", 2),
        _stored("right", "2026-11-14T09:00:00Z", 3),
        _stored("right", "2026-11-29T09:00:00Z", 4),  # later
    ]
    at = "2026-11-28T10:00:00Z"
    assert previous_set(at, stored, "right")["session_id"] == 2  # type: ignore[index]
    assert previous_set(at, stored)["session_id"] == 1  # type: ignore[index]


def test_the_pair_block_judges_left_against_right_across_both_videos(tmp_path):
    here = tmp_path / "reports" / "row-left"
    other = Partner(
        _result("right", "right", "right", range_=0.4), "row-right.mp4", "2026-11-28T09:05:00Z",
        str(tmp_path / "reports" / "row-right" / "report.html"), 7,
    )  # fmt: skip
    block = pair_block(_result("left", "left", "left"), "left", other, holds=False, here=here)
    assert block["other"] == {
        "side": "right", "source": "row-right.mp4", "recorded_at": "2026-11-28T09:05:00Z",
        "report": "../row-right/report.html", "history_session": 7,
    }  # fmt: skip
    sides = block["sides"]
    assert (sides["left"]["reps"], sides["right"]["reps"]) == (3, 3)
    assert sides["asymmetry"]["reps"] == 0.0
    assert sides["asymmetry"]["mean_range_of_motion"] == pytest.approx(0.2)  # |0.5-0.4| / 0.5
    assert pair_block(_result("left"), "left", None, holds=False) == {
        "side": "left", "other": None, "sides": None,
    }  # fmt: skip
