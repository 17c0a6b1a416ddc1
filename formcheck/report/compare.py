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

Which set is "last time" (:func:`previous_set`): the latest one of the same profile and
exercise recorded before this one. A video that holds one side only (one side per video,
see :mod:`formcheck.report.pairs`) is compared with the latest earlier set that has that side,
on that side alone: the right side's video of today against the right side of last week, not
against this morning's left side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.words import DEGREES, SECONDS, Words, format_number

__all__ = ["previous_set", "since_last_time"]

# Left and right are "about even" within this share of the larger side (the asymmetry the
# report flags elsewhere, see formcheck.report.schema).
EVEN_SHARE = 0.15


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _one_side(result: dict[str, Any], side: str) -> dict[str, Any]:
    """The result with only ``side``'s reps (and its count)."""
    reps = [r for r in result["reps"] if r["side"] == side]
    summary = {**result["summary"], "reps_by_side": {side: len(reps)}}
    return {**result, "reps": reps, "summary": summary}


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


def previous_set(
    recorded_at: str, stored: Sequence[dict[str, Any]], side: str | None = None
) -> dict[str, Any] | None:
    """ "Last time" among ``stored`` (dicts with ``result`` and ``recorded_at``, ISO 8601 UTC,
    of the same profile and exercise): the latest recorded before ``recorded_at``; with
    ``side``, the latest that has reps of that side. None when there is none."""
    now = _utc(recorded_at)
    earlier = [
        s for s in stored
        if _utc(s["recorded_at"]) < now
        and (side is None or any(r["side"] == side for r in s["result"]["reps"]))
    ]  # fmt: skip
    return max(earlier, key=lambda s: _utc(s["recorded_at"]), default=None)


def since_last_time(
    result: dict[str, Any],
    previous: dict[str, Any],
    exercise: ExerciseDef,
    when: str,
    *,
    side: str | None = None,
) -> dict[str, Any]:
    """The comparison block of a report (see the module docstring); ``when`` says when the
    previous set was recorded, in words ("2026-11-28"). With ``side`` (a video holding that
    side only) only that side's reps are compared, and left against right is not (the pair
    of videos judges it)."""
    assert exercise.reps is not None
    if side is not None:
        result, previous = _one_side(result, side), _one_side(previous, side)
    unit = Words(exercise).unit(exercise.reps.drive)  # "°", "torso lengths"
    rows: list[dict[str, Any]] = []
    lines: list[str] = []

    def add(
        what: str, now: float | None, then: float | None, digits: int, suffix: str,
        higher_is_better: bool, *, step: float,
    ) -> None:  # fmt: skip
        def num(x: float) -> str:  # "2.4 s", "55.1°", "−3.0°" (the words module's units)
            return format_number(x, suffix, digits)

        if now is None or then is None:
            return
        change = now - then
        better = None if abs(change) < step else (change > 0) == higher_is_better
        rows.append({"what": what, "now": now, "then": then, "change": change, "better": better})
        # the change as the two numbers shown differ (2.4 against 2.8: −0.4, not −0.35 → −0.3)
        shown = round(now, digits) - round(then, digits)
        sign = "+" if shown > 0 else "" if shown < 0 else "±"
        trend = "" if better is None else (", better" if better else ", worse")
        delta = "the same" if better is None else f"{sign}{num(shown)}{trend}"
        said = f"{num(now)} (last time {num(then)}, {delta})"
        lines.append(f"{what} {said}")

    sides = _sides(result)
    if sides and _sides(previous):
        for each in sides:
            now = float(result["summary"]["reps_by_side"].get(each, 0))
            then = float(previous["summary"]["reps_by_side"].get(each, 0))
            add(f"reps, {each}", now, then, 0, "", True, step=1)
    else:
        add("reps", float(len(result["reps"])), float(len(previous["reps"])), 0, "", True,
            step=1)  # fmt: skip
    add("hold in position", _per_rep(result, "hold_s"), _per_rep(previous, "hold_s"), 1, SECONDS,
        True, step=0.1)  # fmt: skip
    add("hold with good form", _per_rep(result, "form_hold_s"),
        _per_rep(previous, "form_hold_s"), 1, SECONDS, True, step=0.1)  # fmt: skip
    add("range of motion", _per_rep(result, "range"), _per_rep(previous, "range"),
        1 if unit == DEGREES else 2, unit, True,
        step=0.05 * abs(_per_rep(previous, "range") or 1.0))  # fmt: skip
    add("faults per rep", _faults_per_rep(result), _faults_per_rep(previous), 1, "", False,
        step=0.05)  # fmt: skip
    balance = []
    if sides and side is None:
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
