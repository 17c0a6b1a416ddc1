"""Following one person: the largest, most central one first, then the same one."""

import numpy as np

from formcheck.pose.select import PersonSelector


def _person(cx, cy, size):
    rng = np.random.default_rng(0)
    lm = np.zeros((33, 5))
    lm[:, 0] = cx + rng.uniform(-size / 4, size / 4, 33)
    lm[:, 1] = cy + rng.uniform(-size / 2, size / 2, 33)
    lm[:, 3:] = 0.9
    return lm


def test_initial_choice_is_large_and_central_not_first_listed():
    small_far = _person(60, 60, 40)
    big_centre = _person(320, 240, 300)
    sel = PersonSelector()
    assert sel.update(0.0, [small_far, big_centre], (640, 480)) == 1


def test_follows_the_same_person_when_list_order_changes():
    a, b = _person(200, 240, 250), _person(450, 240, 260)
    sel = PersonSelector()
    first = sel.update(0.0, [a, b], (640, 480))
    chosen = [a, b][first]
    for k in range(1, 20):
        shift = np.array([k * 2.0, 0, 0, 0, 0])
        pair = [b + shift, a + shift] if k % 2 else [a + shift, b + shift]
        idx = sel.update(k / 30, pair, (640, 480))
        assert np.allclose(pair[idx][:, 1], chosen[:, 1])  # same person (same y pattern)


def test_other_person_is_not_taken_while_followed_one_is_briefly_missing():
    a, b = _person(150, 240, 250), _person(500, 240, 200)
    sel = PersonSelector(reacquire_s=1.0)
    assert sel.update(0.0, [a, b], (640, 480)) == 0
    assert sel.update(0.1, [b], (640, 480)) is None  # a is gone; b is someone else
    assert sel.update(2.0, [b], (640, 480)) == 0  # after a while, start afresh
    assert sel.update(2.1, [], (640, 480)) is None
