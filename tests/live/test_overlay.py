"""The overlay's words and sizes: the counter against its target, the hold bar, what is legible
from 2 m."""

from __future__ import annotations

import pytest

from formcheck.engine import load_exercise
from formcheck.live import LiveSession, open_live_input
from formcheck.render.annotate import hold_label


@pytest.mark.parametrize(
    ("held", "target", "words"),
    [
        (0.0, 2.0, "hold 0.0 / 2 s"),
        (1.26, 2.0, "hold 1.3 / 2 s"),  # counting up to the target
        (2.0, 2.0, "held 2.0 s: now come back"),  # met: the rep counts on the way back
        (2.74, 2.0, "held 2.7 s: now come back"),
        (12.3, None, "hold 12.3 s"),  # a hold with no target (a dead hang): the time alone
    ],
)
def test_the_hold_bar_counts_up_and_then_says_how_the_rep_counts(held, target, words):
    assert hold_label(held, target) == words


def test_the_counter_shows_the_target_and_agrees_with_the_hold_bar(bird_dog, monkeypatch):
    """Rep 1 (left) is held from 1.9 s and met at 3.9 s; it counts on the way back (4.6 s).
    While the bar is green it says to come back, and the counter still shows 0 / 2."""
    import formcheck.live.session as live_session

    huds = {}
    real = live_session.annotate

    def spy(scene, pose, hud):
        if pose is not None:
            huds[round(pose.t_s, 1)] = hud
        return real(scene, pose, hud)

    monkeypatch.setattr(live_session, "annotate", spy)
    session = LiveSession(load_exercise("bird-dog"), target_reps=2, summary_s=0)
    session.screenshots = _Shots()  # draws without a window
    with open_live_input(bird_dog, speed=0) as feed:
        session.run(feed)
    met = huds[4.2]
    assert met.rep_target == 2 and met.reps_by_side == {"left": 0, "right": 0}
    assert hold_label(met.hold_s, met.hold_target_s).endswith("now come back")
    after = huds[5.0]
    assert after.reps_by_side == {"left": 1, "right": 0} and after.hold_s == 0.0


class _Shots:
    """A screenshot saver that keeps nothing (it makes the session draw every frame)."""

    def offer(self, t_s, image):
        pass

    def save(self, image, name):
        pass
