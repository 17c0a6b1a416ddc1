"""Rep machine and fault timing, stepped frame by frame with scripted values."""

import math

import pytest

from formcheck.engine.definition import FaultDef, HoldDef, RepDef
from formcheck.engine.events import Phase
from formcheck.engine.faults import FaultState
from formcheck.engine.reps import HoldTracker, RepMachine

UP = RepDef(drive="x", enter=10, leave=5, min_phase_s=0.1)


def _run(machine, values, fps=10):
    out = []
    for i, v in enumerate(values):
        tr = machine.update(i / fps, v)
        if tr is not None:
            out.append((tr.kind, round(tr.t_s, 2)))
    return out


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # clean rep: up through enter, held, down through leave, held
        ([0, 3, 6, 11, 12, 12, 8, 4, 2, 1], [("started", 0.4), ("completed", 0.8)]),
        # one noisy frame above enter does not start a rep (debounce)
        ([0, 0, 11, 0, 0, 0], []),
        # dithering between leave and enter does not end the top (hysteresis)
        ([0, 11, 12, 7, 9, 7, 12, 11, 2, 1, 1], [("started", 0.2), ("completed", 0.9)]),
        # NaN (not seen) changes nothing
        ([0, 11, math.nan, 12, math.nan, 1, 1, 1], [("started", 0.3), ("completed", 0.6)]),
        # below leave for a single frame does not end the top
        ([0, 11, 12, 2, 12, 12, 2, 2, 2], [("started", 0.2), ("completed", 0.7)]),
    ],
)
def test_rep_machine_table(values, expected):
    assert _run(RepMachine(UP), values) == expected


def test_down_direction_mirrors_thresholds():
    down = RepDef(drive="x", direction="down", enter=90, leave=120, min_phase_s=0.1)
    got = _run(RepMachine(down), [170, 150, 100, 85, 80, 80, 130, 160, 170])
    assert got == [("started", 0.4), ("completed", 0.7)]


def test_rep_records_start_range_and_peak():
    m = RepMachine(UP)
    trs = [m.update(i / 10, v) for i, v in enumerate([0, 2, 4, 6, 9, 12, 15, 12, 3, 1, 1])]
    done = [t for t in trs if t is not None and t.kind == "completed"][0]
    assert done.start_s == pytest.approx(0.2)  # last time in the rest zone before the rise
    assert done.end_s == pytest.approx(0.8)
    assert done.peak == 15 and done.range == 15


# a wide gap between enter and leave, so a return can stop short of the rest zone
LOW_LEAVE = RepDef(drive="x", enter=10, leave=2, min_phase_s=0.1)


@pytest.mark.parametrize(
    ("dip", "reps"),
    [
        ([3, 3, 3], 2),  # 9 of the 10 from the peak to leave (90 %), for 0.2 s: two reps
        ([3], 1),  # the same depth for one frame: a glitch
        ([5, 5, 5], 1),  # 7 of the 10 (70 %): a sag at the top, one rep
    ],
)
def test_a_short_return_between_two_lifts_ends_the_rep(dip, reps):
    m = RepMachine(LOW_LEAVE)
    values = [0, 6, 12, 12, 8, *dip, 8, 12, 12, 12, 6, 1, 1, 1]
    trs = [tr for i, v in enumerate(values) if (tr := m.update(i / 10, v)) is not None]
    done = [tr for tr in trs if tr.kind == "completed"]
    assert len(done) == reps and [tr.kind for tr in trs].count("started") == reps
    if reps == 2:
        first, second = done
        low_t = 0.5  # the dip's first lowest frame: the first rep ends and the second starts there
        assert first.end_s == pytest.approx(low_t) and first.peak == 12 and first.range == 12
        started = [tr for tr in trs if tr.kind == "started"][1]
        assert started.start_s == pytest.approx(low_t) and second.start_s == pytest.approx(low_t)
        assert second.range == 12 - 3  # measured from the dip, not from the rest before


def test_a_short_return_counts_when_the_input_ends_during_the_next_lift():
    values = [0, 6, 12, 12, 8, 3, 3, 3, 8, 12]  # the input ends 0.1 s into the new lift
    assert _finish(LOW_LEAVE, values) == ("completed", 0.0, 0.5)
    assert _finish(LOW_LEAVE, [0, 6, 12, 12, 8, 5, 5, 5, 8, 12]) is None  # a sag: still rising


def test_a_rep_whose_start_was_not_seen_is_not_counted():
    m = RepMachine(UP)
    m.reset(need_rest=True)  # e.g. the person came back into view mid-rep
    assert _run(m, [12, 12, 12, 2, 2, 11, 12, 12, 2, 2]) == [("started", 0.6), ("completed", 0.9)]
    assert m.phase is Phase.REST


def test_hold_tracker_bridges_short_gaps_only():
    hold = HoldTracker(HoldDef(target_s=1.0, still_speed=5, max_gap_s=0.3), window_s=0.2)
    t = 0.0
    for _ in range(20):  # 2 s still at the top; the speed needs 3 samples (0.2 s) first
        hold.update(t, 100.0, ok=True)
        t += 0.1
    assert hold.best_s == pytest.approx(1.7)
    for _ in range(2):  # 0.2 s not ok: bridged
        hold.update(t, 100.0, ok=False)
        t += 0.1
    for _ in range(5):
        hold.update(t, 100.0, ok=True)
        t += 0.1
    assert hold.segment_s == pytest.approx(2.4)
    for _ in range(6):  # 0.6 s faulted: the hold starts again
        hold.update(t, 100.0, ok=False)
        t += 0.1
    for _ in range(3):
        hold.update(t, 100.0, ok=True)
        t += 0.1
    assert hold.segment_s == pytest.approx(0.2) and hold.best_s == pytest.approx(2.4)


def test_moving_is_not_holding():
    hold = HoldTracker(HoldDef(target_s=1.0, still_speed=5), window_s=0.3)
    for i in range(30):
        hold.update(i / 30, 100.0 + 20 * i / 30, ok=True)  # 20 units/s
    assert hold.best_s == 0.0


def test_fault_fires_only_after_min_duration_and_keeps_evidence():
    rule = FaultDef(
        id="bent_knee",
        when={"feature": "knee_{side}", "below": 150},
        cue="Straighten your {side} knee",
        min_duration_s=0.3,
    )  # fmt: skip
    state = FaultState(rule, "left")
    assert state.cue() == "Straighten your left knee"
    # a bent blip, straight for 0.3 s, then 0.5 s bent with one straight frame inside, straight
    seq = [170, 140, 170, 170, 170, 140, 142, 170, 141, 140, 170, 170, 170]
    changes = [state.update(i / 10, {"knee_left": v}, True) for i, v in enumerate(seq)]
    # raised once the bend has lasted 0.3 s (the one straight frame at 0.7 s is a blip);
    # cleared once it has been straight for clear_after_s = 0.2 s
    assert changes == [None] * 8 + ["raised", None, None, "cleared", None]
    ev = state.evidence()
    assert (ev.feature, ev.threshold, ev.side) == ("knee_left", "< 150", "left")
    assert ev.value == 140.5 and ev.start_s == pytest.approx(0.5) and ev.end_s == pytest.approx(0.9)


def test_fault_not_judged_outside_its_phase():
    rule = FaultDef(id="f", when={"feature": "a", "above": 1}, cue="c", min_duration_s=0.0)
    state = FaultState(rule, "both")
    assert state.update(0.0, {"a": 5}, False) is None
    assert state.update(0.1, {"a": 5}, True) == "raised"


def test_phase_duration_limits_discard_swings_and_abandoned_reps():
    limited = RepDef(drive="x", enter=10, leave=5, min_phase_s=0.1, min_top_s=0.5, max_rep_s=3.0)
    swing = [0, 12, 12, 12, 1, 1, 1]  # top for 0.3 s: a swing through, not a rep
    assert _run(RepMachine(limited), swing) == [("started", 0.2), ("discarded", 0.5)]
    held = [0, 12, 12, 12, 12, 12, 12, 1, 1, 1]  # top for 0.6 s
    assert _run(RepMachine(limited), held) == [("started", 0.2), ("completed", 0.8)]
    slow = [0] + [12] * 40 + [1, 1, 1]  # 4 s at the top: longer than max_rep_s
    assert _run(RepMachine(limited), slow)[-1] == ("discarded", 4.2)


def _finish(rep, values, hold=False, robust=None, fps=10):
    """Feed ``values``, end the input; the finishing transition as (kind, start, end)."""
    m = RepMachine(rep)
    for i, v in enumerate(values):
        m.update(i / fps, v, None if robust is None else robust[i])
    tr = m.finish((len(values) - 1) / fps, hold=hold)
    assert m.phase is Phase.REST
    return None if tr is None else (tr.kind, round(tr.start_s, 2), round(tr.end_s, 2))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # cut off on the way back, past enter and half way from the peak (12) to rest (0)
        ([0, 3, 6, 11, 12, 12, 8, 6], ("completed", 0.1, 0.7)),
        # past enter but only a third of the way back: could still be a hold wobbling
        ([0, 3, 6, 11, 12, 12, 8], None),
        # still beyond enter: at the top when the input ends
        ([0, 11, 12, 12, 11], None),
        # a lift that has only just started: rising, or just into the top
        ([0, 3, 6, 8], None),
        ([0, 3, 11, 12, 12], None),
    ],
)
def test_a_rep_cut_off_by_the_end_counts_only_when_on_its_way_back(values, expected):
    assert _finish(UP, values) == expected


def test_a_cut_off_rep_below_leave_but_not_yet_confirmed_ends_where_it_went_below():
    slow = RepDef(drive="x", enter=10, leave=5, min_phase_s=0.3)
    assert _finish(slow, [0, 11, 12, 12, 12, 12, 3, 2]) == ("completed", 0.0, 0.6)


def test_a_cut_off_rep_is_judged_on_the_robust_value_not_one_noisy_last_frame():
    values = [0, 3, 6, 11, 12, 12, 12, 2]
    assert _finish(UP, values) == ("completed", 0.1, 0.7)
    assert _finish(UP, values, robust=[0, 3, 6, 11, 12, 12, 12, 12]) is None


def test_a_hold_still_held_at_the_end_counts_if_its_top_was_long_enough():
    assert _finish(UP, [0, 3, 11, 12, 12], hold=True) == ("completed", 0.1, 0.4)
    limited = RepDef(drive="x", enter=10, leave=5, min_phase_s=0.1, min_top_s=0.5)
    assert _finish(limited, [0, 12, 12, 12], hold=True) == ("discarded", 0.0, 0.3)
    assert _finish(limited, [0] + [12] * 7, hold=True) == ("completed", 0.0, 0.7)
