"""One side per video: the left and the right of one set, filmed in two videos, judged together.

An exercise done one side at a time (``reps.sides = "each"``: the one-arm row, the prone leg
raise) is often filmed one side per video: all the left reps, then, in the next video, all
the right ones. On its own such a video shows "right 0" and an asymmetry of 1.00, yet the other
side is in the other video. So before left and right are judged, a video that holds one side
only is paired with a video of the other side of the same exercise, profile and recording day
(the local date of ``--recorded``):

- in the same ``analyze`` batch (:func:`batch_pairs`: in recording order, each video with the
  nearest video of the other side not yet paired), else
- in the history: the stored session of that day holding the other side, nearest in time
  (:func:`history_partner`).

The report's ``pair`` block says which side the video holds, where the other side is (its
file, its report relative to this one, its history session), and left against right across
the two, in the shape of the report's ``sides``::

    side = held_side(result, exercise)             # "left", or None: not one side only
    block = pair_block(result, side, partner, here=report_folder, holds=False)
    block == {"side": "left",
              "other": {"side": "right", "source": "row-right.mp4",
                        "recorded_at": "2026-11-28T09:20:00Z",
                        "report": "../row-right/report.html",   # or null
                        "history_session": 12},                 # null: of this batch
              "sides": {"left": {...}, "right": {...}, "asymmetry": {...}, ...}}

With no partner, ``other`` and ``sides`` are null: "other side not recorded", not a red
asymmetry. Alternating exercises (bird-dog) take turns within one set, so both sides are in
the same video and nothing is paired.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.report.schema import rounded, sides_block

__all__ = ["Partner", "batch_pairs", "held_side", "history_partner", "local_day", "pair_block"]

OTHER = {"left": "right", "right": "left"}


@dataclass(frozen=True, slots=True)
class Partner:
    """The video holding the other side: its result, file name, recording time (ISO 8601 UTC),
    the path of its report.html (None without one) and its history session (None when it is
    of the same batch)."""

    result: dict[str, Any]
    source: str
    recorded_at: str
    report: str | None = None
    history_session: int | None = None


def held_side(result: dict[str, Any], exercise: ExerciseDef) -> str | None:
    """``"left"`` or ``"right"`` when ``result`` holds reps of that side only and the exercise
    is done one side at a time (``reps.sides = "each"``); else None."""
    if exercise.reps is None or exercise.reps.sides != "each":
        return None
    return _only_side(result)


def local_day(recorded_at: str) -> date:
    """The local date of an ISO 8601 time (``Z`` or an offset; naive: local)."""
    when = datetime.fromisoformat(recorded_at.replace("Z", "+00:00"))
    return (when if when.tzinfo is None else when.astimezone()).date()


def history_partner(
    side: str, recorded_at: str, stored: Sequence[dict[str, Any]]
) -> Partner | None:
    """The stored session of the same local day as ``recorded_at`` holding the other side
    only, nearest in time; ``stored``: dicts with ``result``, ``source``, ``recorded_at``,
    ``report_path`` and ``session_id`` (of the same exercise and profile)."""
    day, when = local_day(recorded_at), _time(recorded_at)
    found = [
        s for s in stored
        if local_day(s["recorded_at"]) == day and _only_side(s["result"]) == OTHER[side]
    ]  # fmt: skip
    if not found:
        return None
    best = min(found, key=lambda s: abs((_time(s["recorded_at"]) - when).total_seconds()))
    return Partner(
        best["result"], best["source"], best["recorded_at"], best.get("report_path"),
        best.get("session_id"),
    )  # fmt: skip


def pair_block(
    result: dict[str, Any],
    side: str,
    partner: Partner | None,
    *,
    holds: bool,
    here: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The report's ``pair`` block (see the module docstring). ``here`` is the folder of this
    report: the partner's report is given relative to it (absolute when it cannot be);
    ``holds`` says whether the exercise times a hold."""
    if partner is None:
        return {"side": side, "other": None, "sides": None}
    link = partner.report
    if link is not None and here is not None:
        try:
            link = Path(os.path.relpath(Path(link).resolve(), Path(here).resolve())).as_posix()
        except ValueError:  # another drive (Windows): keep the absolute path
            pass
    other = {
        "side": OTHER[side],
        "source": partner.source,
        "recorded_at": partner.recorded_at,
        "report": link,
        "history_session": partner.history_session,
    }
    sides = sides_block(result["reps"] + partner.result["reps"], holds=holds)
    return {"side": side, "other": other, "sides": rounded(sides)}


def batch_pairs(items: Sequence[tuple[str, str, str]]) -> dict[int, int]:
    """Which one-sided videos of a batch go together. ``items`` holds, per video, ``(side,
    recorded_at, group)`` (group: the exercise and the day, say; the same profile throughout)
    in batch order; returns {i: j, j: i} for each pair. In recording order, each video is
    paired with the nearest later video of the other side in its group that is not yet
    paired (left, right, left, right: the first two, then the last two)."""
    order = sorted(range(len(items)), key=lambda i: (items[i][2], _time(items[i][1]), i))
    pairs: dict[int, int] = {}
    for n, i in enumerate(order):
        if i in pairs:
            continue
        side, _, group = items[i]
        for j in order[n + 1 :]:
            if j not in pairs and items[j][2] == group and items[j][0] == OTHER[side]:
                pairs[i], pairs[j] = j, i
                break
    return pairs


def _only_side(result: dict[str, Any]) -> str | None:
    sides = {r["side"] for r in result["reps"]}
    return next(iter(sides)) if len(sides) == 1 and sides <= set(OTHER) else None


def _time(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo is not None else when.astimezone()
