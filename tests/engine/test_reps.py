"""Rep machine, hold clock and fault timing, stepped frame by frame with scripted values.

The rep machine has no absolute thresholds: a rep is a rise of at least ``min_range`` above the
person's own rest level and a return. Most tables run at 10 frames per second with
``min_phase_s = 0.1``, so a phase change is confirmed on the second frame that shows it.
"""

import math
import statistics

import pytest

from formcheck.engine.definition import FaultDef, HoldDef, RepDef
from formcheck.engine.events import Phase
from formcheck.engine.faults import FaultState
from formcheck.engine.holds import HoldClock
from formcheck.engine.reps import RepMachine

UP = RepDef(drive="x", min_range=5, min_phase_s=0.1)


def _run(machine, values, fps=10):
    out = []
    for i, v in enumerate(values):
        tr = machine.update(i / fps, v)
        if tr is not None:
            out.append((tr.kind, round(tr.t_s, 2)))
    return out


def _reps(rep, values, fps=10):
    """The completed reps of a fresh machine as (start, end) pairs."""
    m = RepMachine(rep)
    done = []
    for i, v in enumerate(values):
        tr = m.update(i / fps, v)
        if tr is not None and tr.kind == "completed":
            done.append((round(tr.start_s, 2), round(tr.end_s, 2)))
    return done


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # clean rep: 5 above the rest (0) for 0.1 s starts it, half way back for 0.1 s and it
        # ends where it came back into the rest band (0 + 0.25 * 5)
        ([0, 3, 6, 11, 12, 12, 8, 4, 1, 0, 0], [("started", 0.3), ("completed", 0.8)]),
        # one noisy frame above the rise needed does not start a rep (debounce)
        ([0, 0, 11, 0, 0, 0], []),
        # dithering below the peak, less than half way back, is still the top
        ([0, 11, 12, 8, 9, 8, 12, 11, 2, 0, 0], [("started", 0.2), ("completed", 0.9)]),
        # NaN (not seen) changes nothing
        ([0, 11, math.nan, 12, math.nan, 1, 1, 1], [("started", 0.3), ("completed", 0.6)]),
        # back for a single frame does not end the top
        ([0, 11, 12, 1, 12, 12, 1, 1, 1], [("started", 0.2), ("completed", 0.7)]),
        # a fidget smaller than min_range is never a rep
        ([0, 4, 4, 4, 0, 0, 4, 4, 0, 0], []),
    ],
)
def test_rep_machine_table(values, expected):
    assert _run(RepMachine(UP), values) == expected


def test_reps_follow_the_person_not_an_absolute_level():
    """The same movement counts the same wherever the person's rest is and however far their
    reps go, as long as they go further than min_range."""
    shape = [0, 0, 3, 7, 10, 10, 10, 6, 2, 0, 0, 0, 3, 7, 10, 10, 6, 2, 0, 0]
    base = _reps(UP, shape)
    assert base == [(0.1, 0.9), (1.1, 1.8)]
    for offset in (100, -40):  # the same body elsewhere in the picture: the same reps
        assert _reps(UP, [offset + v for v in shape]) == base
    for offset, scale in [(0, 3), (55, 0.6)]:  # bigger and smaller bodies: the same count
        assert len(_reps(UP, [offset + scale * v for v in shape])) == 2
    assert _reps(UP, [55 + 0.4 * v for v in shape]) == []  # 4 is below min_range: no reps


def test_down_direction_mirrors_up():
    down = RepDef(drive="x", direction="down", min_range=30, min_phase_s=0.1)
    got = _run(RepMachine(down), [170, 170, 150, 100, 85, 80, 80, 130, 160, 170, 170])
    assert got == [("started", 0.4), ("completed", 0.9)]


def test_rep_records_start_range_peak_and_rest():
    m = RepMachine(UP)
    values = [2, 2, 3, 6, 9, 12, 15, 15, 15, 20, 15, 3, 2, 2]  # 20: one frame, not the peak
    robust = [statistics.median(values[max(0, i - 4) : i + 1]) for i in range(len(values))]
    trs = [m.update(i / 10, v, r) for i, (v, r) in enumerate(zip(values, robust, strict=True))]
    done = [t for t in trs if t is not None and t.kind == "completed"][0]
    assert done.start_s == pytest.approx(0.2)  # last time in the rest band before the rise
    assert done.end_s == pytest.approx(1.1)  # back in the rest band
    assert done.peak == 15 and done.rest == 2 and done.range == 13  # the median's highest


@pytest.mark.parametrize(
    ("dip", "reps"),
    [
        ([3, 3, 3], 2),  # most of the way back, then up again: two lifts, two reps
        ([3], 1),  # the same dip for one frame: a glitch
        ([9, 9, 9], 1),  # a quarter of the way back: a sag at the top, one rep
    ],
)
def test_a_short_return_between_two_lifts(dip, reps):
    values = [0, 6, 12, 12, 8, *dip, 8, 12, 12, 12, 6, 1, 0, 0]
    assert len(_reps(UP, values)) == reps


def test_the_next_rep_rises_from_the_dip_of_the_last():
    # an arm not let down fully (to 4, not 0) and pulled again: the second rep starts at the dip
    m = RepMachine(UP)
    trs = [m.update(i / 10, v) for i, v in enumerate([0, 6, 12, 12, 7, 4, 4, 4, 4, 8, 12, 12])]
    first, second = [t for t in trs if t is not None and t.kind in ("completed", "started")][1:]
    assert first.kind == "completed" and first.end_s == pytest.approx(0.5)  # at the dip
    assert second.kind == "started" and second.start_s == pytest.approx(0.8)


def test_share_of_the_persons_range_once_three_reps_were_seen():
    rep = RepDef(drive="x", min_range=5, share=0.5, min_phase_s=0.1)
    full = [0, 10, 20, 20, 10, 0, 0]
    small = [0, 4, 8, 8, 4, 0, 0]  # above min_range, below half of the typical 20
    assert len(_reps(rep, full + full + small)) == 3  # no typical range yet: min_range
    assert len(_reps(rep, full * 3 + small)) == 3  # three reps of 20: the small one is not a rep
    assert len(_reps(rep, full * 3 + [0, 6, 12, 12, 6, 0, 0])) == 4  # 12 is more than half


def test_limits_drop_values_a_body_cannot_reach():
    rep = RepDef(drive="x", min_range=5, limits=(-10, 50), min_phase_s=0.1)
    assert _reps(rep, [0, 0, 90, 90, 0, 0]) == []  # a glitch to 90: never seen
    assert len(_reps(rep, [0, 0, 20, 20, 0, 0])) == 1


def test_a_dip_shorter_than_a_phase_is_not_the_rest_the_next_rep_rises_from():
    """After a rep, the pose model reads the body 12 below its rest for two frames: were that
    the rest, the person lying still at 0 would read 12 above it, the top of a rep (which a
    hold counts at the end of the input). A rest is held for ``min_phase_s`` (here 0.2 s);
    the same low held that long is a new rest, and the same rise from it starts a rep."""
    rep = RepDef(drive="x", min_range=8, min_phase_s=0.2)
    lift = [0, 0, 0, 10, 20, 20, 20, 20, 10, 0, 0]

    def starts(values: list[float]) -> int:
        return [kind for kind, _ in _run(RepMachine(rep), values)].count("started")

    assert starts([*lift, 0, -12, -12, *[0] * 12]) == 1
    assert starts([*lift, 0, *[-12] * 4, *[0] * 12]) == 2


def test_the_first_rep_counts_from_the_first_frame():
    assert _reps(UP, [0, 6, 12, 12, 6, 0, 0]) == [(0.0, 0.5)]


def test_a_rep_whose_start_was_not_seen_is_not_counted():
    m = RepMachine(UP)
    m.reset()  # the person left the picture and comes back in the middle of a rise
    rising = [4, 6, 8, 10, 12, 12, 12, 6, 2, 2, 2, 2, 2, 2, 8, 12, 12, 6, 2, 2]
    got = _run(m, rising)
    # the first rise is not a rep: the rest is known once the value held still (0.3 s at the
    # top, from 0.4 s) and then came down; the second rise from that rest is one
    assert [k for k, _ in got] == ["started", "completed"]
    assert got[0][1] == pytest.approx(1.5)


def test_back_in_view_amid_circles_that_never_rest_counts_from_the_first_low_seen():
    """Arm circles do not stop at the bottom, so "held still for 0.3 s" never comes after the
    person was lost for a moment. Seen coming down into a low and rising from it, the rest is
    known: the rep rising there was seen from its start. The circle in progress on return is
    not counted."""
    m = RepMachine(UP)
    m.reset()  # back in view at the top of a circle: 0-20, one a second, at 20 fps
    circles = [10 + 10 * math.cos(2 * math.pi * i / 20) for i in range(80)]
    got = [(k, t) for k, t in _run(m, circles, fps=20) if k == "completed"]
    assert len(got) == 3  # from the lows at 0.5, 1.5 and 2.5 s; the last is cut off
    m = RepMachine(UP)
    m.reset()  # back in view on the way up: the low of that circle was not seen
    rising = [10 - 10 * math.cos(2 * math.pi * i / 20) for i in range(5, 45)]
    starts = [t for k, t in _run(m, rising, fps=20) if k == "started"]
    assert len(starts) == 1 and starts[0] > 0.75  # the circle from the low at 0.75 s only


def test_a_set_that_starts_in_the_held_position_counts_with_a_rest_hint():
    hang = RepDef(drive="x", min_range=100, rest=0, min_phase_s=0.1)
    values = [150] * 10 + [80, 20, 0, 0]
    m = RepMachine(hang)
    trs = [tr for i, v in enumerate(values) if (tr := m.update(i / 10, v)) is not None]
    assert [t.kind for t in trs] == ["started", "completed"] and trs[0].start_s == 0.0
    no_hint = RepDef(drive="x", min_range=100, min_phase_s=0.1)
    assert _reps(no_hint, values) == []


def test_phase_duration_limits_discard_swings_and_abandoned_reps():
    limited = RepDef(drive="x", min_range=5, min_phase_s=0.1, min_top_s=0.5, max_rep_s=3.0)
    swing = [0, 12, 12, 12, 1, 1, 1]  # top for 0.3 s: a swing through, not a rep
    assert _run(RepMachine(limited), swing) == [("started", 0.2), ("discarded", 0.5)]
    held = [0, 12, 12, 12, 12, 12, 12, 1, 1, 1]  # top for 0.6 s
    assert _run(RepMachine(limited), held) == [("started", 0.2), ("completed", 0.8)]
    slow = [0] + [12] * 40 + [1, 1, 1]  # 4 s at the top: longer than max_rep_s
    assert _run(RepMachine(limited), slow)[-1] == ("discarded", 4.2)


def test_a_long_hold_is_no_abandoned_rep():
    """In an exercise timing a hold, the time at the top is the exercise: a 4 s hold (or a
    stretch held a minute) counts, though the rep took longer than ``max_rep_s``. The time
    moving still may not: a rise that takes 4 s to reach the rise a rep needs is dropped."""
    limited = RepDef(drive="x", min_range=5, min_phase_s=0.1, max_rep_s=3.0)
    slow = [0] + [12] * 40 + [1, 1, 1]
    assert _run(RepMachine(limited, hold=True), slow)[-1] == ("completed", 4.2)
    assert _run(RepMachine(limited), slow)[-1] == ("discarded", 4.2)
    creep = [i / 10 for i in range(60)] + [6.0] * 10 + [0, 0, 0]  # 1 per second up to 6
    assert _run(RepMachine(limited, hold=True), creep)[-1][0] == "discarded"


def _finish(rep, values, hold=False, fps=10):
    """Feed ``values``, end the input; the finishing transition as (kind, start, end)."""
    m = RepMachine(rep)
    for i, v in enumerate(values):
        m.update(i / fps, v)
    tr = m.finish((len(values) - 1) / fps, hold=hold)
    assert m.phase is Phase.REST
    return None if tr is None else (tr.kind, round(tr.start_s, 2), round(tr.end_s, 2))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # cut off on the way back, half way from the peak (12) to the rest (0)
        ([0, 3, 6, 11, 12, 12, 8, 6], ("completed", 0.0, 0.7)),
        # a third of the way back: could still be a hold wobbling
        ([0, 3, 6, 11, 12, 12, 8], None),
        # at the top when the input ends
        ([0, 11, 12, 12, 11], None),
        # a lift that has only just started: rising, or just into the top
        ([0, 3, 6, 8], None),
        ([0, 3, 11, 12, 12], None),
    ],
)
def test_a_rep_cut_off_by_the_end_counts_only_when_on_its_way_back(values, expected):
    assert _finish(UP, values) == expected


def test_a_hold_still_held_at_the_end_counts_if_its_top_was_long_enough():
    assert _finish(UP, [0, 3, 11, 12, 12], hold=True) == ("completed", 0.0, 0.4)
    limited = RepDef(drive="x", min_range=5, min_phase_s=0.1, min_top_s=0.5)
    assert _finish(limited, [0, 12, 12, 12], hold=True) == ("discarded", 0.0, 0.3)
    assert _finish(limited, [0] + [12] * 7, hold=True) == ("completed", 0.0, 0.7)


def _hold(samples, peak, base, fps=30):
    clock = HoldClock(HoldDef(target_s=1.0))
    for i, (v, ok) in enumerate(samples):
        clock.update(i / fps, v, ok)
    return clock.measure(peak, base)


def _frames(value, seconds, ok=True, fps=30):
    return [(value, ok)] * round(seconds * fps)


def test_a_hold_is_the_still_time_near_the_persons_own_top():
    # rest 0, a rise to 40 in 0.5 s, 2 s at 40, back down; held from when the slope over the
    # last STILL_WINDOW_S (0.3 s) is below a third of the lift's 80 per second (more than half
    # the range per second): 0.1 s into the top
    rise = [(40 * i / 15, True) for i in range(15)]
    down = [(40 - 40 * i / 15, True) for i in range(16)]
    samples = rise + _frames(40, 2.0) + down
    held, good, now, good_now = _hold(samples, peak=40, base=0)
    assert 1.8 <= held <= 1.95 and good == held  # the slope window starts it 0.1 s late
    assert now == 0.0 and good_now == 0.0  # it is over at the last frame
    # the same shape on a body whose top is 80 above a rest at 100: the same hold
    scaled = [(100 + 2 * v, ok) for v, ok in samples]
    assert _hold(scaled, peak=180, base=100)[0] == pytest.approx(held)


def test_a_jittery_hold_is_still_against_how_fast_the_limb_moved_into_it(monkeypatch):
    """The pose model places a held limb a few degrees differently frame to frame. Here the
    top wobbles +-6 around 40 (a triangle, 30 per second), more than the half range per second
    a smooth drive must stay under, though nothing is lowered. Still is also anything slower
    than a third of the lift's fastest (40 in 0.3 s: 133 per second, a third 44): the 2 s at
    the top are held, less the slope window's start."""
    import formcheck.engine.holds as holds

    def wobble(i: int) -> float:  # +-6, 0.8 s a period
        k = i % 24
        return -6 + k if k < 12 else 6 - (k - 12)

    rise = [(40 * i / 9, True) for i in range(9)]
    top = [(40 + wobble(i), True) for i in range(60)]
    down = [(40 - 40 * i / 9, True) for i in range(10)]
    held = _hold(rise + top + down, peak=46, base=0)[0]
    assert 1.8 <= held <= 2.0
    monkeypatch.setattr(holds, "LIFT_SHARE", 0.0)  # stillness against the range alone
    assert _hold(rise + top + down, peak=46, base=0)[0] < 1.6


def test_good_form_breaks_on_a_lasting_fault_but_bridges_a_blip():
    top = _frames(40, 1.0) + _frames(40, 0.2, ok=False) + _frames(40, 1.0)
    top += _frames(40, 0.6, ok=False) + _frames(40, 0.5)
    held, good, _, good_now = _hold(top, peak=40, base=0)
    assert held == pytest.approx(3.3 - 1 / 30 - 2 / 30)  # in position throughout, once still
    assert good == pytest.approx(2.2 - 1 / 30 - 2 / 30)  # 0.2 s not ok is bridged, 0.6 s not
    assert good_now == pytest.approx(0.5 - 1 / 30)


def test_a_hold_goes_on_through_a_moment_unseen_but_not_through_one_seen_lower():
    """The pose model losing the person for 0.8 s at the top is no break: the engine keeps
    the rep for a second unseen (``abandon_after_s``), and so does the hold. Seen 0.8 s lower,
    the hold is broken; unseen for longer than that second, too."""
    nan = math.nan
    unseen = _frames(40, 1.0) + _frames(nan, 0.8) + _frames(40, 1.0)
    held, good, _, now = _hold(unseen, peak=40, base=0)
    assert held == pytest.approx(2.8 - 1 / 30 - 2 / 30) and good == held and now == held
    lower = _frames(40, 1.0) + _frames(20, 0.8) + _frames(40, 1.0)
    assert _hold(lower, peak=40, base=0)[0] < 1.0
    away = _frames(40, 1.0) + _frames(nan, 1.2) + _frames(40, 1.0)
    assert _hold(away, peak=40, base=0)[0] < 1.0
    # a short dip seen outside, then unseen: the seen part still counts as leaving
    mixed = _frames(40, 1.0) + _frames(20, 0.2) + _frames(nan, 0.3) + _frames(40, 1.0)
    assert _hold(mixed, peak=40, base=0)[0] < 1.0


def test_moving_through_the_top_is_not_holding():
    sweep = [(v, True) for v in range(0, 41)] + [(v, True) for v in range(40, -1, -1)]
    # 30 units/s, 0.75 of the range per second: only the turn at the top looks still
    assert _hold(sweep, peak=40, base=0)[0] < 0.2


def test_a_long_hold_that_sinks_slowly_is_held_until_half_way_down():
    """A person tiring in a long hold lets the lift sink: here from 40 to 24 over 10 s, 0.4
    of the range, further than the band (0.25) below the peak. Sinking slower than the band
    per ``SAG_WINDOW_S`` is still the hold: all 10 s. Sinking on, it ends half way to the
    rest (20), where the rep is on its way back; a lowering, even one slow enough to be
    still, leaves the held position a band below where it was held, as before."""
    rise = [(40 * i / 15, True) for i in range(15)]
    sink = [(40 - 16 * i / 300, True) for i in range(301)]
    down = [(24 - 24 * i / 15, True) for i in range(16)]
    assert 9.8 <= _hold(rise + sink + down, peak=40, base=0)[0] <= 10.0
    # 2 per second from 40 for 15 s: below 20 after 10 s
    longer = [(40 - 2 * i / 30, True) for i in range(451)]
    assert 9.8 <= _hold(rise + longer, peak=40, base=0)[0] <= 10.05
    # held 2 s, then lowered at 16 per second (slower than a third of the lift, 80 / 3 per
    # second): held no further than 10 (the band) below the top, 0.6 s in (2.4 s before too)
    lower = [(40 - 16 * i / 30, True) for i in range(76)]
    assert 2.3 <= _hold(rise + _frames(40, 2.0) + lower, peak=40, base=0)[0] <= 2.55


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


def test_a_fault_not_seen_for_long_is_over():
    rule = FaultDef(id="f", when={"feature": "a", "above": 1}, cue="c", min_duration_s=0.0)
    state = FaultState(rule, "both")
    assert state.update(0.0, {"a": 5}, True) == "raised"
    assert state.update(0.5, {"a": math.nan}, True) is None  # not seen for a moment
    assert state.update(1.0, {"a": math.nan}, True) == "cleared"  # not seen for 1 s


@pytest.mark.parametrize(
    ("seen", "raised_at"),
    [
        ("1111111", 0.3),  # seen bent for 0.3 s (20 frames a second)
        ("11011111", 0.3),  # one frame unseen is landmark dropout: bridged
        ("11000011111111", 0.6),  # bent on either side of 0.25 s unseen: not sustained
    ],
)
def test_a_fault_must_be_seen_to_last(seen, raised_at):
    rule = FaultDef(id="f", when={"feature": "a", "above": 1}, cue="c", min_duration_s=0.3)
    state = FaultState(rule, "both")
    values = [5 if s == "1" else math.nan for s in seen]
    changes = [state.update(i / 20, {"a": v}, True) for i, v in enumerate(values)]
    assert changes.index("raised") / 20 == pytest.approx(raised_at)


def test_a_slow_frame_rate_is_no_gap_in_what_a_fault_sees():
    """Frames 0.25 s apart (a machine falling behind), each one seen bent: the fault lasts."""
    rule = FaultDef(id="f", when={"feature": "a", "above": 1}, cue="c", min_duration_s=0.3)
    state = FaultState(rule, "both")
    changes = [state.update(i / 4, {"a": 5}, True) for i in range(4)]
    assert changes == [None, None, "raised", None]


def test_fault_not_judged_outside_its_phase():
    rule = FaultDef(id="f", when={"feature": "a", "above": 1}, cue="c", min_duration_s=0.0)
    state = FaultState(rule, "both")
    assert state.update(0.0, {"a": 5}, False) is None
    assert state.update(0.1, {"a": 5}, True) == "raised"
