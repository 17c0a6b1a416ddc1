"""Since last time: one set against the same person's previous set of the same exercise.

::

    block = since_last_time(result, previous, exercise, previous_info)
    block["lines"]   # ["reps 6 (last time 4, +2)", "hold with good form 2.4 s (+0.8 s)", ...]
    block["rows"]    # the same as numbers: what, now, then, change, better (True/False/None)

Compared: the reps (per side for a one-sided exercise), the hold in position and with good
form (mean per rep), the range of motion (mean per rep, in the driving feature's unit), the
faults per rep, and left against right (how much shorter the weaker side's hold or range is).
"Better" follows the exercise: more reps, a longer hold and a larger range are better, fewer
faults per rep are better. A number a set does not have (no hold) is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.report.schema import feature_unit

__all__ = ["since_last_time"]

# Left and right are "about even" within this share of the larger side (the asymmetry the
# report flags elsewhere, see formcheck.report.schema).
EVEN_SHARE = 0.15


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _per_rep(result: dict[str, Any], key: str, side: str | None = None) -> float | None:
    return _mean(
        [
            float(r[key]) for r in result["reps"]
            if r.get(key) is not None and (side is None or r["side"] == side)
        ]
    )  # fmt: skip


def _faults_per_rep(result: dict[str, Any]) -> float | None:
    reps = result["reps"]
    return sum(len(r.get("faults", [])) for r in reps) / len(reps) if reps else None


def _sides(result: dict[str, Any]) -> list[str]:
    return [s for s in result["summary"]["reps_by_side"] if s in ("left", "right")]


def _weaker_side(result: dict[str, Any], key: str) -> tuple[str, float] | None:
    """(the weaker side, how much less it has as a share of the stronger) for a per-rep key."""
    values = {s: _per_rep(result, key, s) for s in ("left", "right")}
    if any(v is None or v <= 0 for v in values.values()):
        return None
    weak = min(values, key=lambda s: values[s])  # type: ignore[arg-type, return-value]
    strong = "right" if weak == "left" else "left"
    return weak, 1.0 - values[weak] / values[strong]  # type: ignore[operator]


def since_last_time(
    result: dict[str, Any],
    previous: dict[str, Any],
    exercise: ExerciseDef,
    when: str,
) -> dict[str, Any]:
    """The comparison block of a report (see the module docstring); ``when`` says when the
    previous set was recorded, in words ("2026-11-28")."""
    assert exercise.reps is not None
    unit = {"deg": "°"}.get(u := feature_unit(exercise, exercise.reps.drive), f" {u}" if u else "")
    rows: list[dict[str, Any]] = []
    lines: list[str] = []

    def add(
        what: str, now: float | None, then: float | None, fmt: Callable[[float], str],
        higher_is_better: bool, *, step: float,
    ) -> None:  # fmt: skip
        if now is None or then is None:
            return
        change = now - then
        better = None if abs(change) < step else (change > 0) == higher_is_better
        rows.append({"what": what, "now": now, "then": then, "change": change, "better": better})
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        trend = "" if better is None else (", better" if better else ", worse")
        same = abs(change) < step
        delta = "the same" if same else f"{sign}{fmt(abs(change))}{trend}"
        lines.append(f"{what} {fmt(now)} (last time {fmt(then)}, {delta})")

    sides = _sides(result)
    if sides and _sides(previous):
        for side in sides:
            now = float(result["summary"]["reps_by_side"].get(side, 0))
            then = float(previous["summary"]["reps_by_side"].get(side, 0))
            add(f"reps, {side}", now, then, lambda v: f"{v:.0f}", True, step=1)
    else:
        add("reps", float(len(result["reps"])), float(len(previous["reps"])),
            lambda v: f"{v:.0f}", True, step=1)  # fmt: skip
    add("hold in position", _per_rep(result, "hold_s"), _per_rep(previous, "hold_s"),
        lambda v: f"{v:.1f} s", True, step=0.1)  # fmt: skip
    add("hold with good form", _per_rep(result, "form_hold_s"),
        _per_rep(previous, "form_hold_s"), lambda v: f"{v:.1f} s", True, step=0.1)  # fmt: skip
    add("range of motion", _per_rep(result, "range"), _per_rep(previous, "range"),
        lambda v: f"{v:.1f}{unit}", True,
        step=0.05 * abs(_per_rep(previous, "range") or 1.0))  # fmt: skip
    add("faults per rep", _faults_per_rep(result), _faults_per_rep(previous),
        lambda v: f"{v:.1f}", False, step=0.05)  # fmt: skip
    balance = []
    if sides:
        key = "hold_s" if _per_rep(result, "hold_s") is not None else "range"
        what = "hold" if key == "hold_s" else "range of motion"
        now_w, then_w = _weaker_side(result, key), _weaker_side(previous, key)
        if now_w is not None:
            even_now = now_w[1] < EVEN_SHARE
            text = (
                f"left and right {what} about even" if even_now
                else f"{now_w[0]} side {what} {_pct(now_w[1])} shorter"
            )  # fmt: skip
            if then_w is not None:
                even_then = then_w[1] < EVEN_SHARE
                if even_then:
                    text += " (last time about even)" if not even_now else ""
                elif not even_now and then_w[0] == now_w[0]:
                    text = f"{now_w[0]} side {what} still {_pct(now_w[1])} shorter"
                    text += f" (last time {_pct(then_w[1])})"
                else:
                    text += f" (last time the {then_w[0]} side was {_pct(then_w[1])} shorter)"
            balance.append(text)
    return {"previous": when, "rows": rows, "lines": lines + balance}
