"""One Euro filter: step response and gap handling, with known answers."""

import numpy as np
import pytest

from formcheck.features.smoothing import OneEuroFilter, OneEuroParams


def _run(filt, times, values, valid=None):
    out = []
    for i, (t, v) in enumerate(zip(times, values, strict=True)):
        ok = None if valid is None else np.array([valid[i]])
        out.append(filt.update(t, np.array([[v]]), ok)[0, 0])
    return np.array(out)


def test_constant_signal_passes_unchanged():
    t = np.arange(30) / 30
    out = _run(OneEuroFilter(), t, np.full(30, 5.0))
    assert np.allclose(out, 5.0)


def test_step_response_first_order_lag_then_converges():
    params = OneEuroParams(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0)
    t = np.arange(60) / 30.0
    x = np.where(t >= 1.0, 10.0, 0.0)
    out = _run(OneEuroFilter(params), t, x)
    assert np.all(out[t < 1.0] == 0.0)
    # with beta = 0 it is a plain exponential smoother: alpha = 1 / (1 + tau / dt)
    tau, dt = 1 / (2 * np.pi * 1.0), 1 / 30
    alpha = 1 / (1 + tau / dt)
    first = np.argmax(t >= 1.0)
    assert out[first] == pytest.approx(alpha * 10.0)
    assert out[first + 1] == pytest.approx(10 * (1 - (1 - alpha) ** 2))
    assert np.all(np.diff(out[first:]) > 0)  # monotone rise, no overshoot
    assert out[-1] < 10.0 and out[-1] > 9.9


def test_speed_raises_cutoff_so_fast_moves_lag_less():
    t = np.arange(30) / 30
    ramp = 300.0 * t
    slow = _run(OneEuroFilter(OneEuroParams(beta=0.0)), t, ramp)
    fast = _run(OneEuroFilter(OneEuroParams(beta=0.05)), t, ramp)
    assert abs(ramp[-1] - fast[-1]) < abs(ramp[-1] - slow[-1]) / 2


def test_gap_is_not_smoothed_across():
    # the landmark disappears, then comes back somewhere else: no blend with the old place
    t = np.arange(20) / 30
    x = np.array([0.0] * 10 + [100.0] * 10)
    valid = [True] * 8 + [False] * 2 + [True] * 10
    out = _run(OneEuroFilter(), t, x, valid)
    assert out[10] == 100.0
    assert np.allclose(out[10:], 100.0)


def test_long_pause_restarts_the_filter():
    filt = OneEuroFilter(OneEuroParams(max_gap_s=0.5))
    filt.update(0.0, np.array([[0.0]]))
    out = filt.update(2.0, np.array([[50.0]]))  # same landmark, 2 s later
    assert out[0, 0] == 50.0


def test_rows_are_independent():
    filt = OneEuroFilter()
    filt.update(0.0, np.array([[0.0], [0.0]]))
    out = filt.update(1 / 30, np.array([[10.0], [10.0]]), np.array([True, False]))
    assert 0 < out[0, 0] < 10.0
    assert out[1, 0] == 10.0  # invalid rows pass through untouched
