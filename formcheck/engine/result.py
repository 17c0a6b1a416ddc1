"""The session result: the stable ``--json`` contract that reports build on.

Schema ``formcheck.result`` version 1::

    {"schema": "formcheck.result", "version": 1, "exercise": "bird-dog", "source": "...",
     "duration_s": 31.2,
     "reps": [{"index": 1, "side": "left", "side_index": 1, "start_s": 1.2, "end_s": 5.0,
               "duration_s": 3.8, "peak": 178.2, "range": 87.9, "hold_s": 2.5, "hold_met": true,
               "form_hold_s": 2.4, "faults": ["bent_knee"], "evidence": [{"fault": "bent_knee",
               "feature": ..., "value": ..., "threshold": "< 155", "side": "left", "start_s": ...,
               "end_s": ...}], "uncertain": false, "not_judged": ["rounded_back"]}, ...],
     "summary": {"reps": 6, "reps_by_side": {"left": 3, "right": 3}, "faults": {"bent_knee": 1},
                 "mean_hold_s": 2.5, "mean_form_hold_s": 2.4, "holds_met": 6,
                 "uncertain_reps": 0},
     "events": [{"kind": "not_in_view", "t_s": ..., "message": ...}, ...]}

``hold_s`` is the time a rep spent in its held position (near its own top), ``form_hold_s``
the part of it held with good form; ``hold_met`` says whether ``form_hold_s`` reached the
exercise's target (the guide asks for a hold with good form).

Three keys follow ``events`` only where they apply, in this order: ``"interrupted": true`` (the
set was stopped before its input ended: Ctrl+C), ``"auto"`` (``--exercise auto``: how the
exercise was chosen, :meth:`formcheck.report.auto.ExerciseGuess.to_dict`) and ``"live"`` (a
live session: ``{"ended_by": ..., "dropped_frames": ...}``). :func:`session_result` takes
them, so a result is complete when it is made and never changed afterwards.

Keys are only ever added, never renamed or removed, within a version. Numbers are rounded to
3 decimals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.events import (
    BackInView,
    Event,
    NotInView,
    RepRecord,
    SetupIssue,
    SetupOk,
    event_to_dict,
)

__all__ = ["RESULT_SCHEMA", "RESULT_VERSION", "ending_keys", "rep_to_dict", "session_result"]

RESULT_SCHEMA = "formcheck.result"
RESULT_VERSION = 1
_LOGGED = (NotInView, BackInView, SetupIssue, SetupOk)


def rep_to_dict(rep: RepRecord) -> dict[str, Any]:
    return {
        "index": rep.index,
        "side": rep.side,
        "side_index": rep.side_index,
        "start_s": rep.start_s,
        "end_s": rep.end_s,
        "duration_s": round(rep.duration_s, 3),
        "peak": rep.peak,
        "range": rep.range,
        "hold_s": rep.hold_s,
        "hold_met": rep.hold_met,
        "form_hold_s": rep.form_hold_s,
        "faults": list(rep.faults),
        "evidence": [
            _round({"fault": f, **asdict(e)}) for f, e in zip(rep.faults, rep.evidence, strict=True)
        ],
        "uncertain": rep.uncertain,
        "not_judged": list(rep.not_judged),
    }


def session_result(
    exercise: ExerciseDef,
    reps: list[RepRecord],
    events: list[Event],
    *,
    source: str = "",
    duration_s: float = 0.0,
    interrupted: bool = False,
    auto: Mapping[str, Any] | None = None,
    live: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON-ready result of one analysed set; ``interrupted``, ``auto`` and ``live`` add
    their keys (see the module docstring) when true / given."""
    sides = ["both"] if exercise.reps is None else exercise.reps.labels
    by_side = {s: sum(r.side == s for r in reps) for s in sides}
    faults = Counter(f for r in reps for f in r.faults)
    holds = [r.hold_s for r in reps if r.hold_s is not None]
    form_holds = [r.form_hold_s for r in reps if r.form_hold_s is not None]
    summary: dict[str, Any] = {
        "reps": len(reps),
        "reps_by_side": by_side,
        "faults": dict(sorted(faults.items())),
        "mean_hold_s": round(sum(holds) / len(holds), 3) if holds else None,
        "mean_form_hold_s": round(sum(form_holds) / len(form_holds), 3) if form_holds else None,
        "holds_met": (
            sum(bool(r.hold_met) for r in reps)
            if exercise.hold and exercise.hold.target_s is not None
            else None
        ),
        "uncertain_reps": sum(r.uncertain for r in reps),
    }
    return {
        "schema": RESULT_SCHEMA,
        "version": RESULT_VERSION,
        "exercise": exercise.id,
        "source": source,
        "duration_s": round(duration_s, 3),
        "reps": [rep_to_dict(r) for r in reps],
        "summary": summary,
        "events": [_round(event_to_dict(e)) for e in events if isinstance(e, _LOGGED)],
        **ending_keys(interrupted, auto=auto, live=live),
    }


def ending_keys(
    interrupted: bool, *, auto: Mapping[str, Any] | None = None,
    live: Mapping[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The keys a result ends with, those that apply (see the module docstring); a routine's
    result ends with them too."""
    out: dict[str, Any] = {"interrupted": True} if interrupted else {}
    if auto is not None:
        out["auto"] = dict(auto)
    if live is not None:
        out["live"] = dict(live)
    return out


def _round(d: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}
