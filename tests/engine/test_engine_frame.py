"""``engine.update`` returns a frozen record that agrees with the engine's state after it
(``engine.frame`` keeps the last one)."""

import dataclasses
import math

import pytest

from formcheck.engine import Engine, load_exercise
from formcheck.engine.events import RepCompleted
from formcheck.engine.frame import EngineFrame
from formcheck.engine.selftest import VARIANTS, case_frames


@pytest.mark.parametrize(
    ("exercise", "case"),
    [("bent-over-row", "rounded back on rep 2"), ("bird-dog", "bent knee on rep 3")],
)
def test_the_frame_record_is_the_engines_state_after_each_update(exercise, case):
    defn = load_exercise(exercise)
    chosen = next(c for c in defn.selftest.cases if case is None or c["name"] == case)
    _, frames = case_frames(defn, chosen, VARIANTS["ideal"])
    engine = Engine(defn)
    extractor = engine.new_extractor()
    assert engine.frame.pose is None and engine.frame.events == ()
    raised = completed = beyond = 0
    rules = {r.id: r for r in defn.faults}
    pending: set[tuple[str, str, float]] = set()
    for pose in frames:
        ef = engine.update(extractor.update(pose))
        assert isinstance(ef, EngineFrame) and ef is engine.frame
        assert ef.t_s == pose.t_s and ef.pose is engine.last_frame and ef.values is engine.values
        events = ef.events
        assert list(events) == engine.events[len(engine.events) - len(events) :]
        assert ef.reps_by_side == engine.reps_by_side()
        for s in ef.sides:
            assert s.phase is engine.phase(s.side) and s.hold_s == engine.hold_s(s.side)
            drive = engine.drive_value(s.side)
            assert s.drive == drive or (math.isnan(s.drive) and math.isnan(drive))
            assert s.at_top == engine.machine(s.side).at_top
        active = engine.active_faults()
        assert [(f.rule_id, f.side, f.span_start_s) for f in ef.faults] == [
            (f.rule.id, f.side, f.span_start) for f in active
        ]
        for f in ef.faults:  # the margin: this frame's value beyond the threshold
            cond = rules[f.rule_id].when[0]
            if not rules[f.rule_id].from_rest:
                value = engine.values[cond.feature.replace("{side}", f.side)]
                assert f.margin == cond.margin(value) or math.isnan(value)
            beyond += f.margin > 0
            # a fault held for a while before it is raised was pending from its span's start
            if rules[f.rule_id].min_duration_s > 0:
                assert (f.rule_id, f.side, f.span_start_s) in pending
        pending |= {(f.rule_id, f.side, f.span_start_s) for f in ef.pending}
        assert not {(f.rule_id, f.side) for f in ef.pending} & {
            (f.rule_id, f.side) for f in ef.faults
        }
        assert ef.warn_landmarks == engine.fault_landmarks()
        raised += len(ef.faults)
        completed += sum(isinstance(e, RepCompleted) for e in events)
    assert completed == len(engine.reps) > 0
    assert beyond > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        ef.t_s = 0.0  # type: ignore[misc]
    engine.finish()
    assert engine.frame.faults == () and engine.frame.reps_by_side == engine.reps_by_side()
    assert engine.frame.pending == ()
