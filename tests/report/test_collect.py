"""The collector keeps the drive series and one candidate frame per fault, never the video."""

from __future__ import annotations

import numpy as np

from formcheck.engine import Engine, load_exercise
from formcheck.engine.definition import Condition
from formcheck.pipeline import PoseInput, open_pose_input, run
from formcheck.report.collect import Collector, _bones_between


def _run_with_pictures(path, loops=1):
    """The sample, ``loops`` times end to end, each frame with its own fake picture; returns
    the collector and the largest number of pictures it held at once."""
    ex = load_exercise("bird-dog")
    col = Collector(ex, Engine(ex).sides)
    held = []

    def pictures_held() -> int:
        snaps = [*(s.best for s in col._open.values()),
                 *(s for d in col._done.values() for _, s in d),
                 *col._peak.values(), *col._trough.values()]  # fmt: skip
        return len({id(s.image) for s in snaps if s is not None and s.image is not None})

    def frames():
        for k in range(loops):
            with open_pose_input(path) as pose:
                for f in pose.frames:
                    yield type(f)(f.t_s + k * 30.0, f.resolution_wh, f.image, f.world,
                                  index=f.index + k * 1000)  # fmt: skip

    session = run(PoseInput(frames(), "loop", 30.0, (960, 540), "recorded"), ex)
    for fr in session:
        picture = np.zeros((4, 4, 3), np.uint8)  # stands for a decoded video frame
        col.on_frame(fr.engine, picture)
        held.append(pictures_held())
        for event in fr.engine.events:
            col.on_event(event)
    for event in session.result.end.events:
        col.on_event(event)
    return col, session.result.to_dict(), max(held)


def test_memory_stays_flat_over_a_long_input(samples):
    _, _, most_in_one = _run_with_pictures(samples / "bird-dog.jsonl.gz", loops=1)
    col, result, most = _run_with_pictures(samples / "bird-dog.jsonl.gz", loops=6)
    assert result["summary"]["reps"] == 24
    assert len(col.thumbnails) == 12  # bent knee and short hold, once per loop
    # a few candidates (fault spans, peak and trough per side), however long the input
    assert most == most_in_one <= 10
    assert col.frames == len(col.series.t_s) == 6 * 684


def test_worst_frame_is_in_the_fault_span_and_in_position(samples):
    col, result, _ = _run_with_pictures(samples / "bird-dog.jsonl.gz")
    ev = result["reps"][2]["evidence"][0]
    assert ev["fault"] == "bent_knee"
    thumb = col.thumbnails[(3, "bent_knee")]
    assert ev["start_s"] <= thumb.t_s <= ev["end_s"]
    t, drive = col.drive_arrays()
    i = np.searchsorted(t, thumb.t_s)
    reach, rest = drive["left"][i], col.rest_arrays()["left"][i]
    # arm and leg are up (past the rise a rep needs above the rest), not on their way down
    assert reach > rest + 30
    assert thumb.mime == "image/jpeg" and thumb.data[:3] == b"\xff\xd8\xff"


def test_the_worst_frame_is_ranked_by_the_margin_beyond_the_threshold():
    assert Condition(feature="x", below=150).margin(135) == 15
    assert Condition(feature="x", above=170).margin(175) == 5
    assert Condition(feature="x", outside=(-20, 20)).margin(-27) == 7
    assert Condition(feature="x", outside=(-20, 20)).margin(0) == -20


def test_fault_bones_follow_the_skeleton():
    assert _bones_between("left_shoulder", "left_wrist") == {
        ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    }  # fmt: skip
    assert _bones_between("hip_mid", "shoulder_mid") == {
        ("left_hip", "left_shoulder"), ("right_hip", "right_shoulder"),
    }  # fmt: skip
    assert _bones_between("left_wrist", "right_ankle") == set()  # too far: not one limb
