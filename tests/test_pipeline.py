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


class _GatedPose:
    """A pose model that records which frames it started and can be held inside one."""

    def __init__(self) -> None:
        import threading

        self.started: list[int] = []
        self.gate: dict[int, threading.Event] = {}
        self.closed_while_busy = False
        self.busy = False

    def process(self, frame):
        from formcheck.pose.core import PoseFrame

        self.busy = True
        self.started.append(frame.index)
        gate = self.gate.get(frame.index)
        if gate is not None:
            assert gate.wait(5), "the model waited for the consumer: no overlap"
        self.busy = False
        return PoseFrame(frame.t_s, (160, 120), index=frame.index)


@pytest.fixture
def gated_pose(monkeypatch):
    """``open_pose_input`` over a video with :class:`_GatedPose` for its model."""
    from contextlib import contextmanager

    import formcheck.pose.kept
    import formcheck.pose.provision

    pose = _GatedPose()

    @contextmanager
    def fake_stream(model_path, *, with_mask=False):
        yield pose
        pose.closed_while_busy = pose.busy  # the model is closed (or lent again) here

    monkeypatch.setattr(formcheck.pose.kept, "pose_stream", fake_stream)
    monkeypatch.setattr(formcheck.pose.provision, "resolve_model", lambda *a, **k: "fake.task")
    return pose


def _pose_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "formcheck-pose" and t.is_alive()]


def test_the_model_works_on_the_next_frame_while_the_engine_counts(gated_pose, blank_video):
    import threading

    with open_pose_input(blank_video) as pose_input:
        got = []
        for frame, pf in pose_input.pairs():
            assert frame.index == pf.index
            got.append(pf.index)
            if pf.index == 1:  # counting frame 1: the model must already be at frame 2
                for _ in range(500):
                    if 2 in gated_pose.started:
                        break
                    threading.Event().wait(0.01)
                assert 2 in gated_pose.started
    assert got == [0, 1, 2, 3, 4]  # every pose, with its own picture, in order
    assert not _pose_threads()


def test_leaving_early_stops_the_pose_thread_before_the_model_closes(gated_pose, blank_video):
    import threading

    gated_pose.gate[1] = threading.Event()
    with open_pose_input(blank_video) as pose_input:
        first = next(pose_input.pairs())
        for _ in range(500):  # the model decodes frame 1 and goes into it, held there
            if 1 in gated_pose.started:
                break
            threading.Event().wait(0.01)
        assert first[1].index == 0 and gated_pose.started == [0, 1]
        threading.Timer(0.2, gated_pose.gate[1].set).start()  # the consumer leaves
    assert not gated_pose.closed_while_busy and not _pose_threads()
    assert gated_pose.started == [0, 1]  # nothing after the frame it was in


def test_a_worker_of_a_batch_runs_the_model_on_its_own_thread(gated_pose, blank_video, monkeypatch):
    """One process per core: no second busy thread per process (``share_cores``)."""
    import threading

    import formcheck.pose.thread

    monkeypatch.setattr(formcheck.pose.thread, "_SHARING", False)
    formcheck.pose.thread.share_cores()  # what a batch's and eval's worker processes call
    assert not formcheck.pose.thread.own_thread()
    with open_pose_input(blank_video) as pose_input:
        pairs = pose_input.pairs()
        next(pairs)
        threading.Event().wait(0.3)  # were the model on a thread, it would be at frame 1 by now
        assert gated_pose.started == [0] and not _pose_threads()
        assert [pf.index for _, pf in pairs] == [1, 2, 3, 4]
