"""One side per video in the history: what a new set is compared and paired with
(``comparable_sessions``), and progress counting a day's one-sided videos as one session."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from formcheck.store import load_progress, open_history

H = [f"{i:064x}" for i in range(1, 9)]  # content hashes


@pytest.fixture(autouse=True)
def _utc(time_zone) -> None:
    """Days are local dates: here they are UTC ones, whatever the machine's zone."""
    time_zone("UTC")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


def _row(history, make_result, n: int, side: str, day: int, hour: int, **kw) -> int:
    """A session of ``n`` one-arm-row reps of ``side``, from a file of its own."""
    specs = [{"side": side, "hold_s": None}] * n
    own = hashlib.sha256(f"{n} {side} {day} {hour}".encode()).hexdigest()
    kw = {"source_kind": "video", "profile": "anna", "content_hash": own, **kw}
    return history.save(make_result(specs, exercise="one-arm-row"), started_at=_at(day, hour), **kw)


def test_comparable_sessions_are_the_earlier_ones_and_the_whole_day(home, make_result):
    with open_history() as history:
        ids = {
            "week before": _row(history, make_result, 3, "left", 21, 9, content_hash=H[0]),
            "this morning": _row(history, make_result, 3, "left", 28, 9, content_hash=H[1]),
            "same file": _row(history, make_result, 3, "left", 28, 10, content_hash=H[2]),
            "this evening": _row(history, make_result, 3, "right", 28, 18, content_hash=H[3]),
            "next day": _row(history, make_result, 3, "right", 29, 9, content_hash=H[4]),
            "ben": _row(history, make_result, 3, "right", 28, 9, content_hash=H[5], profile="ben"),
            "mannequin": _row(history, make_result, 3, "right", 28, 9, content_hash=H[6],
                              synthetic=True),
        }  # fmt: skip
        found = history.comparable_sessions(
            profile="anna", recorded_at=_at(28, 10), content_hash=H[2]
        )
        assert [s.info.id for s in found] == [
            ids["this evening"],
            ids["this morning"],
            ids["week before"],
        ]  # latest first; later that day too; not the same file, ben, the mannequin, the next day
        assert found[0].result["reps"][0]["side"] == "right"
        one = history.comparable_sessions(
            profile="anna", recorded_at=_at(28, 10), exercise="bird-dog", per_exercise=1
        )
        assert one == []
        capped = history.comparable_sessions(
            profile="anna", recorded_at=_at(29, 10), per_exercise=2
        )
        assert [s.info.id for s in capped] == [ids["next day"], ids["this evening"]]


def test_progress_counts_a_days_one_sided_videos_as_one_session(home, make_result):
    with open_history() as history:
        _row(history, make_result, 3, "left", 21, 9)
        _row(history, make_result, 2, "right", 21, 9)  # the same day: joined
        _row(history, make_result, 4, "left", 28, 9)
        _row(history, make_result, 4, "right", 28, 9, partial="truncated")
        _row(history, make_result, 3, "left", 29, 9)  # alone that day: a session of its own
        (prog,) = load_progress(history)
    points = [(p.started_at.day, p.reps, p.videos, p.partial) for p in prog.points]
    assert points == [(21, 5, 2, ()), (28, 8, 2, ("truncated",)), (29, 3, 1, ())]
    assert len(prog.points[0].ranges) == 5  # every rep of both videos
    line = prog.summary()
    assert line.startswith("one-arm-row: 3 sessions, 1 partial, 2 of them one side per video,")
    assert "reps 5.0 → 3.0 per complete session" in line


def test_an_alternating_exercise_is_never_joined(home, make_result):
    with open_history() as history:
        for hash_, side in ((H[0], "left"), (H[1], "right")):
            history.save(
                make_result([{"side": side}] * 2), source_kind="video", content_hash=hash_,
                started_at=_at(28, 9),
            )  # fmt: skip
        (prog,) = load_progress(history)
    assert [p.reps for p in prog.points] == [2, 2]  # bird-dog takes turns within one video
