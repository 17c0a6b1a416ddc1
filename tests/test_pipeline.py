"""``SessionRun`` fed frame by frame (the live window's way) gives what iterating gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.engine import load_exercise
from formcheck.pipeline import SessionRun, open_pose_input, run
from formcheck.recording import RecordingSource

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "bird-dog.jsonl.gz"


@pytest.fixture(scope="module")
def sample():
    exercise = load_exercise("bird-dog")
    with open_pose_input(SAMPLE) as pose:
        session = run(pose, exercise)
        for _ in session:
            pass
    assert session.result is not None
    with RecordingSource(SAMPLE) as rec:
        frames = list(rec)
    return exercise, session.result.to_dict(), frames


def test_frames_fed_one_by_one_give_the_iterated_result(sample):
    exercise, iterated, frames = sample
    fed = SessionRun(exercise, "bird-dog.jsonl.gz")
    judged = [fed.step(None, f).engine for f in frames]
    ended = fed.end()
    assert ended.to_dict() == iterated and iterated["summary"]["reps"] == 4
    assert ended.frames == len(frames) and [j.t_s for j in judged] == [f.t_s for f in frames]
    assert ended.to_dict(live={"ended_by": "quit"})["live"] == {"ended_by": "quit"}
    with pytest.raises(TypeError, match="fed with step"):
        iter(fed).__next__()


def test_time_cut_out_moves_the_engine_not_the_duration(sample):
    """A live pause: the engine sees the frames after it earlier by ``cut_s``; the run's
    duration still goes by the frames' own time, pause included."""
    exercise, iterated, frames = sample
    fed = SessionRun(exercise, "bird-dog.jsonl.gz")
    fed.step(None, frames[0])
    late = [f.__class__(f.t_s + 100.0, f.resolution_wh, f.image, f.world) for f in frames[1:]]
    judged = [fed.step(None, f, cut_s=100.0).engine for f in late]
    ended = fed.end()
    assert [j.t_s for j in judged] == pytest.approx([f.t_s for f in frames[1:]])
    assert ended.duration_s == pytest.approx(iterated["duration_s"] + 100.0, abs=1e-3)
    assert ended.to_dict()["summary"] == iterated["summary"]


def test_reset_counts_from_the_next_frame(sample):
    exercise, _, frames = sample
    fed = SessionRun(exercise, "bird-dog.jsonl.gz")
    for f in frames[: len(frames) // 2]:
        fed.step(None, f)
    assert fed.engine.reps
    fed.reset()
    ended = fed.end()
    assert ended.reps == () and ended.frames == 0 and ended.duration_s == 0.0
