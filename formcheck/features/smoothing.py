"""One Euro filtering of landmarks, per landmark and gap-aware.

The One Euro filter (Casiez, Roussel & Vogel, CHI 2012) is a low-pass filter whose cutoff rises
with speed: steady landmarks are smoothed hard, fast ones follow with little lag. A landmark
that disappears (low visibility, or no person) is not smoothed across the gap: its filter
restarts from the first value seen after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["OneEuroFilter", "OneEuroParams"]


@dataclass(frozen=True, slots=True)
class OneEuroParams:
    """``min_cutoff_hz``: cutoff at rest; ``beta``: how fast the cutoff rises with speed
    (per unit of the signal per second); ``d_cutoff_hz``: cutoff for the speed estimate;
    ``max_gap_s``: a longer pause between two valid samples restarts the filter."""

    min_cutoff_hz: float = 1.5
    beta: float = 0.05
    d_cutoff_hz: float = 1.0
    max_gap_s: float = 0.5


def _alpha(cutoff_hz: np.ndarray | float, dt_s: np.ndarray) -> np.ndarray:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Filters an array signal of fixed shape ``(n, k)`` row by row (one row per landmark).

    ``update(t_s, x, valid)`` returns the filtered array; rows where ``valid`` is False are
    returned unchanged (NaN stays NaN) and their filter state is dropped, so the row restarts
    cleanly when it comes back.
    """

    def __init__(self, params: OneEuroParams | None = None) -> None:
        self.params = params or OneEuroParams()
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: np.ndarray | None = None  # last valid time per row
        self._has: np.ndarray | None = None

    def update(self, t_s: float, x: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        x = np.asarray(x, float)
        if x.ndim == 1:
            return self.update(t_s, x[:, None], valid)[:, 0]
        finite = np.isfinite(x).all(axis=1)
        valid = finite if valid is None else np.asarray(valid, bool) & finite
        if self._x is None or self._x.shape != x.shape:
            n = x.shape[0]
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t = np.full(n, -np.inf)
            self._has = np.zeros(n, bool)
        p = self.params
        dt = t_s - self._t
        step = valid & self._has & (dt <= p.max_gap_s) & (dt > 0)
        fresh = valid & ~step
        out = x.copy()
        if step.any():  # whole-array arithmetic; the rows not stepped are then ignored
            every = bool(step.all())  # the usual frame: every landmark seen, in step
            dts = (dt if every else np.where(step, dt, 1.0))[:, None]
            a_d = _alpha(p.d_cutoff_hz, dts)
            dx_hat = a_d * ((x - self._x) / dts) + (1 - a_d) * self._dx
            speed = np.sqrt(np.add.reduce(dx_hat * dx_hat, axis=1, keepdims=True))
            a = _alpha(p.min_cutoff_hz + p.beta * speed, dts)
            x_hat = a * x + (1 - a) * self._x
            if every:
                out, self._x, self._dx = x_hat, x_hat.copy(), dx_hat
            else:
                rows = step[:, None]
                out = np.where(rows, x_hat, x)
                self._x = np.where(rows, x_hat, self._x)
                self._dx = np.where(rows, dx_hat, self._dx)
        if fresh.any():
            self._x[fresh] = x[fresh]
            self._dx[fresh] = 0.0
        self._t[valid] = t_s
        self._has = valid
        return out
