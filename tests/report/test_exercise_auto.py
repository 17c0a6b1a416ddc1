"""--exercise auto: the right exercise for each sample, "unsure" for motion that fits none."""

from __future__ import annotations

import pytest

from formcheck.engine import load_exercise
from formcheck.pipeline import open_pose_input
from formcheck.report.auto import (
    ExerciseGuesser,
    expected_signature,
    observed_signature,
)


def _guess(path):
    guesser = ExerciseGuesser()
    with open_pose_input(path) as pose:
        for frame in pose.frames:
            guesser.update(frame)
    return guesser.finish()


@pytest.mark.parametrize("name", ["bird-dog", "cat-cow"])
def test_auto_picks_the_sampled_exercise(samples, name):
    guess = _guess(samples / f"{name}.jsonl.gz")
    assert guess.chosen.id == name
    assert not guess.unsure
    assert guess.candidates[0].exercise == name and guess.candidates[0].reps >= 3
    assert guess.confidence == pytest.approx(guess.candidates[0].score - guess.candidates[1].score)
    assert name in guess.message and "unsure" not in guess.message


def test_standing_still_fits_nothing_and_says_unsure(standing_still):
    guess = _guess(standing_still)
    assert guess.unsure
    assert all(c.reps == 0 for c in guess.candidates)
    assert guess.message.startswith("unsure which exercise this is")
    assert "--exercise NAME" in guess.message


def test_posture_signatures():
    assert expected_signature(load_exercise("bird-dog")) == ("H", "V", "H")  # all fours
    assert expected_signature(load_exercise("reverse-fly")) == ("H", "V", "V")  # bent over


def test_observed_signature_of_the_standing_mannequin(standing_still):
    from formcheck.features.measure import PointTable

    with open_pose_input(standing_still) as pose:
        frame = next(iter(pose.frames))
    assert observed_signature(PointTable.from_frame(frame)) == ("V", "V", "V")
