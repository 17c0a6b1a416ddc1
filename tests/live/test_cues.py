"""CueBoard: a scripted event table in, the exact banner text at each time out."""

from __future__ import annotations

import pytest

from formcheck.engine import Engine, load_exercise
from formcheck.engine.events import (
    BackInView,
    FaultCleared,
    FaultEvidence,
    FaultRaised,
    NotInView,
    RepCompleted,
    RepRecord,
    RepStarted,
    SetupIssue,
    SetupOk,
)
from formcheck.live.cues import CueBoard
from formcheck.recording import RecordingSource

KNEE = "Straighten your left knee"
HIPS = "Keep your hips square"
HOLD = "Hold the stretch for 2-3 seconds"
TURN = "Turn sideways to the camera"
BACK = "Keep your back flat"
SLOW = "Slow down"
AWAY = "No person in view: step into the picture"
_EV = FaultEvidence("knee_left", 130.0, "< 150", "left", 0.0, 0.0)


def raised(t, fault="bent_knee", cue=KNEE, side="left"):
    return FaultRaised(t, fault, side, cue, "warning", _EV)


def cleared(t, fault="bent_knee", side="left"):
    return FaultCleared(t, fault, side, _EV)


def rep(t, side="left"):
    return RepCompleted(t, RepRecord(1, side, 1, t - 3, t, 0.0, 90.0, 0.0, False))


# Each case: {time: events at that frame}, then [(time, expected text)]. Frames run every
# 0.05 s from 0 to the last time checked; times not in the first table have no events.
CASES = {
    "a cue stays its minimum time though its fault cleared at once": (
        {0.0: [raised(0.0)], 0.5: [cleared(0.5)]},
        [(0.0, KNEE), (0.5, KNEE), (1.95, KNEE), (2.0, None), (3.0, None)],
    ),
    "a lasting fault stays until it clears, then lingers briefly": (
        {0.0: [raised(0.0)], 3.0: [cleared(3.0)]},
        [(2.0, KNEE), (2.95, KNEE), (3.0, KNEE), (3.25, KNEE), (3.3, None)],
    ),
    "a new cue replaces the shown one only after the minimum time": (
        {0.0: [raised(0.0)], 0.5: [raised(0.5, "hips_rotating", HIPS)]},
        [(0.5, KNEE), (1.95, KNEE), (2.0, HIPS), (5.0, HIPS)],
    ),
    "the older cue comes back when the newer one clears": (
        {
            0.0: [raised(0.0)],
            0.5: [raised(0.5, "hips_rotating", HIPS)],
            3.0: [cleared(3.0, "hips_rotating")],
        },
        [(2.0, HIPS), (3.95, HIPS), (4.0, KNEE)],
    ),
    "a fault judged on a finished rep shows once, for the minimum time": (
        {1.0: [raised(1.0, "hold_short", HOLD), rep(1.0)]},
        [(1.0, HOLD), (2.95, HOLD), (3.0, HOLD), (3.3, None), (6.0, None)],
    ),
    "of three cues judged on a finished rep only the most severe shows, and only once": (
        {
            1.0: [
                raised(1.0, "hold_short", HOLD),
                FaultRaised(1.0, "rounded_back", "left", BACK, "error", _EV),
                raised(1.0, "too_fast", SLOW),
                rep(1.0),
            ]
        },
        [(1.0, BACK), (2.95, BACK), (3.3, None), (8.0, None)],  # not HOLD, SLOW after it
    ),
    "a finished rep's cue still waiting when the side's next rep starts is dropped": (
        {
            0.0: [raised(0.0)],
            0.5: [cleared(0.5), raised(0.5, "hold_short", HOLD), rep(0.5)],
            1.2: [RepStarted(1.2, "left", 1.1)],
        },
        [(0.5, KNEE), (1.95, KNEE), (2.0, None), (3.0, None)],
    ),
    "the other side's next rep does not drop it": (
        {
            0.0: [raised(0.0)],
            0.5: [cleared(0.5), raised(0.5, "hold_short", HOLD), rep(0.5)],
            1.2: [RepStarted(1.2, "right", 1.1)],
        },
        [(1.95, KNEE), (2.0, HOLD), (3.95, HOLD), (4.3, None)],
    ),
    "setup guidance stays until the setup is fixed": (
        {0.0: [SetupIssue(0.0, "wrong_view", TURN)], 4.0: [SetupOk(4.0, "wrong_view")]},
        [(0.0, TURN), (3.95, TURN), (4.0, TURN), (4.3, None)],
    ),
    "not in view wins over a form cue once the cue had its time": (
        {0.0: [raised(0.0)], 0.5: [NotInView(0.5, AWAY)], 3.0: [BackInView(3.0)]},
        [(1.95, KNEE), (2.0, AWAY), (3.95, AWAY), (4.0, KNEE)],  # AWAY keeps its own minimum
    ),
    "a fault on the other side is a different cue": (
        {0.0: [raised(0.0)], 0.1: [cleared(0.1, side="right")]},
        [(0.1, KNEE), (2.5, KNEE)],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_cue_table(name):
    script, expected = CASES[name]
    board = CueBoard(min_show_s=2.0, linger_s=0.3)
    checks = dict(expected)
    end = max(checks)
    seen = {}
    for k in range(int(round(end / 0.05)) + 1):
        t = round(k * 0.05, 2)
        seen[t] = board.update(t, script.get(t, []))
    assert {t: seen[t] for t in checks} == checks


@pytest.mark.parametrize(
    "script",
    [
        {0: "raise", 3: "clear", 6: "raise"},  # within the minimum time (frames at 30 fps)
        {0: "raise", 90: "clear", 95: "raise"},  # after it (3.0 s, 3.17 s): no blink either
        {0: "raise", 90: "clear", 93: "raise", 96: "clear", 98: "raise"},
    ],
)
def test_no_flicker_on_raise_clear_raise(script):
    board = CueBoard(min_show_s=2.0, linger_s=0.3)
    texts = []
    for k in range(121):  # 30 fps for 4 s
        t = k / 30
        what = script.get(k)
        events = [raised(t)] if what == "raise" else [cleared(t)] if what == "clear" else []
        texts.append(board.update(t, events))
    assert texts == [KNEE] * len(texts)  # never blank, never another text


def test_reset_forgets_everything():
    board = CueBoard()
    assert board.update(0.0, [raised(0.0)]) == KNEE
    board.reset()
    assert board.update(0.1, []) is None and board.current is None


def test_a_one_shot_cue_that_waited_too_long_is_dropped():
    board = CueBoard(min_show_s=2.0, stale_s=3.0)
    board.update(0.0, [NotInView(0.0, AWAY)])
    board.update(0.5, [raised(0.5, "hold_short", HOLD), rep(0.5)])
    board.update(3.6, [])  # still away: the hold cue has waited 3.1 s
    assert board.update(4.0, [BackInView(4.0)]) == AWAY  # its own minimum time is over...
    assert board.update(4.4, []) is None  # ...and the stale hold cue is never shown


def test_the_sample_set_shows_the_knee_cue_then_the_hold_cue_without_a_gap(bird_dog):
    """On the mannequin's set: the knee cue while the knee is bent, the hold cue right after."""
    engine = Engine(load_exercise("bird-dog"))
    extractor = engine.new_extractor()
    board = CueBoard()
    timeline = []
    with RecordingSource(bird_dog) as rec:
        for frame in rec:
            events = engine.update(extractor.update(frame)).events
            timeline.append((frame.t_s, board.update(frame.t_s, events)))
    shown = [text for _, text in timeline]
    runs = [text for k, text in enumerate(shown) if k == 0 or text != shown[k - 1]]
    assert runs == [None, KNEE, HOLD, None]
    first_knee = next(t for t, text in timeline if text == KNEE)
    last_hold = max(t for t, text in timeline if text == HOLD)
    # the knee reads bent (below 150) from about 12.1 s; raised after the 0.3 s debounce
    assert 12.3 < first_knee < 12.7
    assert 2.0 <= last_hold - 16.0 <= 2.4  # the hold cue shown its minimum time (+ linger)


def test_bad_times_are_refused():
    with pytest.raises(ValueError, match="min_show_s=-1"):
        CueBoard(min_show_s=-1)
