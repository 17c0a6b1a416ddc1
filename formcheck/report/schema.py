"""The report of one analysed video or recording: ``report.json``, schema ``formcheck.report`` v1.

What a physiotherapist reads (``report.html`` and ``reps.csv`` are made from this object)::

    {"schema": "formcheck.report", "version": 1,
     "partial": false,              # true: covers only part of the input (see partial_reasons)
     "partial_reasons": [],         # "interrupted" (Ctrl+C), "truncated" (the file ended early)
     "exercise": {"id": "bird-dog", "name": "Bird-dog", "sides": "alternating",
                  "drive": "leg_level_{side}", "drive_unit": "deg", "direction": "up",
                  "enter": -40.0, "leave": -60.0, "hold_target_s": 2.0, "min_rep_s": 1.5,
                  "drive_label": "thigh above the floor line",   # in words
                  "fault_labels": {"bent_knee": "bent knee", ...}},
     "input": {"name": "set.mp4", "path": "videos/set.mp4", "kind": "video",  # or "recording"
               "fps": 30.0, "resolution_wh": [1280, 720], "frames": 912,     # frames analysed
               "frames_with_person": 900, "frame_count": 912,  # the container's count, or null
               "duration_s": 30.4, "model": "full", "formcheck_version": "0.1.0",
               "truncated": false},
     "auto": null,                  # with --exercise auto: see formcheck.report.auto
     "result": {...},               # the engine's result, contract formcheck.result v1, verbatim
     "reps": [{"index": 1, "side": "left", "side_index": 1,
               "start_s": 1.2, "end_s": 5.0, "duration_s": 3.8,
               "range_of_motion": 87.9,      # of the driving feature, in drive_unit
               "peak": 2.1,                  # the driving feature's extreme in the rep
               "hold_s": 2.5, "hold_met": true,          # null for exercises without a hold
               "tempo": {"lift_s": 1.1, "top_s": 2.6, "lower_s": 0.9},  # or null
               "uncertain": false,           # counted while key landmarks were poorly seen
               "faults": [{"fault": "bent_knee", "severity": "warning",
                           "cue": "Straighten your left knee", "description": "...",
                           "feature": "knee_left", "value": 135.2, "threshold": "< 150",
                           "side": "left", "start_s": 2.3, "end_s": 3.1,
                           "worst": {"t_s": 2.8, "frame": 84},      # null if unseen
                           "label": "bent knee",                     # the fault in words
                           "evidence_text": "left knee bent to 135° (aim: at least 150°)"}]}],
     "sides": {                     # null unless the exercise is counted per side (left/right)
        "left": {"reps": 3, "mean_hold_s": 2.4, "mean_range_of_motion": 86.0,
                 "mean_duration_s": 4.1},
        "right": {...},
        "asymmetry": {"reps": 0.0, "mean_hold_s": 0.04, "mean_range_of_motion": 0.1,
                      "mean_duration_s": 0.02},
        "asymmetry_formula": "|L - R| / max(|L|, |R|)"},
     "setup": [{"issue": "wrong_view", "message": "...", "start_s": 0.0, "end_s": 3.1}],
     "not_in_view": [{"message": "...", "start_s": 12.0, "end_s": 14.5}],
     "warnings": ["set.mp4 ended after 612 of about 912 frames: ..."],
     "outputs": {"html": "report.html", "csv": "reps.csv", "annotated_video": null},
     "session": {"profile": "anna", "recorded_at": "2026-11-28T09:15:00Z", ...},  # or null
     "since_last_time": null,       # or the comparison with the previous set (report.compare)
     "pair": null}                  # or, for one side per video, where the other side is:
                                    # see formcheck.report.pairs

Conventions: times are seconds on the input's clock (``result.reps[*].start_s`` and these agree);
numbers are rounded to 3 decimals (``result`` is kept exactly as the engine gave it); key
order is fixed as above. **Tempo**: within a rep, the
"top zone" is where the driving feature is within 10 % of the rep's range of its peak;
``lift_s`` runs from the rep's start to entering it, ``top_s`` is the time from entering it to
leaving it for the last time, ``lower_s`` from there to the rep's end. **Asymmetry index** of a
metric: ``|L - R| / max(|L|, |R|)`` (0 = the same on both sides, 1 = one side is zero); null
when a side has no value. Keys are only ever added within a version, never renamed or removed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from formcheck import __version__
from formcheck.engine.definition import ExerciseDef
from formcheck.engine.words import Words

__all__ = [
    "ASYMMETRY_FORMULA",
    "REPORT_SCHEMA",
    "REPORT_VERSION",
    "asymmetry",
    "build_report",
    "feature_unit",
    "rep_tempo",
    "sides_block",
]

REPORT_SCHEMA = "formcheck.report"
REPORT_VERSION = 1
ASYMMETRY_FORMULA = "|L - R| / max(|L|, |R|)"
TOP_ZONE = 0.10  # fraction of a rep's range below its peak that counts as "at the top"

_DEG_KINDS = {"angle", "bend", "inclination", "elevation", "angle_to_trunk", "twist"}
_REP_FAULTS = {
    "hold_short": "Held shorter than the target.",
    "too_fast": "The rep was quicker than the slowest tempo allowed.",
    "partial_range": "The range of motion was smaller than required.",
}


def feature_unit(exercise: ExerciseDef, name: str) -> str:
    """Unit, "deg" or "torso lengths", of a feature name (templated, sided or aggregated)."""
    base = name.replace("_{side}", "").replace("_{other}", "")
    for suffix in ("_left", "_right", "_min", "_max"):
        if base not in exercise.features and base.endswith(suffix):
            base = base[: -len(suffix)]
    f = exercise.features.get(base)
    if f is None:
        return ""
    if f.kind in ("combine", "from_start"):
        return feature_unit(exercise, f.of[0]) if f.of else ""
    return "deg" if f.kind in _DEG_KINDS else "torso lengths"


def rep_tempo(
    t_s: np.ndarray, drive: np.ndarray, start_s: float, end_s: float, sign: float = 1.0
) -> dict[str, float] | None:
    """Lift, top and lower times of one rep from its drive series (see the module docstring);
    None when the rep has fewer than 3 seen frames or no range."""
    inside = (t_s >= start_s - 1e-9) & (t_s <= end_s + 1e-9) & ~np.isnan(drive)
    if inside.sum() < 3:
        return None
    t, v = t_s[inside], sign * drive[inside]
    peak, low = float(v.max()), float(v.min())
    if not peak > low:
        return None
    top = np.flatnonzero(v >= peak - TOP_ZONE * (peak - low))
    first, last = float(t[top[0]]), float(t[top[-1]])
    return {
        "lift_s": max(0.0, first - start_s),
        "top_s": last - first,
        "lower_s": max(0.0, end_s - last),
    }


def asymmetry(left: float | None, right: float | None) -> float | None:
    """``|L - R| / max(|L|, |R|)``: 0 when equal, 1 when one side is 0; None if one is None."""
    if left is None or right is None:
        return None
    big = max(abs(left), abs(right))
    return 0.0 if big == 0 else abs(left - right) / big


def sides_block(reps: list[dict[str, Any]], *, holds: bool) -> dict[str, Any]:
    """Left against right (the report's ``sides``) from ``formcheck.result`` reps: per side the
    reps, mean hold (None unless the exercise ``holds``), mean range of motion and mean rep
    duration, and the asymmetry index of each."""
    per: dict[str, dict[str, Any]] = {}
    for side in ("left", "right"):
        mine = [r for r in reps if r["side"] == side]
        held = [r["hold_s"] for r in mine if r["hold_s"] is not None]
        per[side] = {
            "reps": len(mine),
            "mean_hold_s": _mean(held) if holds else None,
            "mean_range_of_motion": _mean([r["range"] for r in mine]),
            "mean_duration_s": _mean([r["duration_s"] for r in mine]),
        }
    return {
        **per,
        "asymmetry": {k: asymmetry(per["left"][k], per["right"][k]) for k in per["left"]},
        "asymmetry_formula": ASYMMETRY_FORMULA,
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _fault_ids(ex: ExerciseDef) -> list[str]:
    """Every fault the exercise can flag: its rules, then a short hold and a rep too fast."""
    ids = [rule.id for rule in ex.faults]
    ids += ["hold_short"] if ex.hold is not None and ex.hold.target_s is not None else []
    return ids + (["too_fast"] if ex.tempo is not None else [])


def _exercise_block(ex: ExerciseDef) -> dict[str, Any]:
    assert ex.reps is not None
    words = Words(ex)
    return {
        "id": ex.id,
        "name": ex.name,
        "sides": ex.reps.sides,
        "drive": ex.reps.drive,
        "drive_unit": feature_unit(ex, ex.reps.drive),
        "direction": ex.reps.direction,
        # fixed thresholds are gone (counting follows the person): kept as null for readers
        "enter": None,
        "leave": None,
        "min_range": float(ex.reps.min_range),
        "share": float(ex.reps.share),
        "hold_target_s": ex.hold.target_s if ex.hold else None,
        "holds": ex.hold is not None,
        "min_rep_s": ex.tempo.min_rep_s if ex.tempo else None,
        # what people read: the drive and every fault the exercise can flag, in words
        "drive_label": words.feature(ex.reps.drive),
        "fault_labels": {f: words.fault(f) for f in _fault_ids(ex)},
    }


def _fault_texts(ex: ExerciseDef, fault: str, side: str) -> tuple[str, str, str]:
    """(severity, cue, description) of a fault id."""
    from formcheck.features.spec import substitute_side

    for rule in ex.faults:
        if rule.id == fault:
            return rule.severity, substitute_side(rule.cue, side), rule.description
    cue = {
        "hold_short": ex.hold.cue if ex.hold else "",
        "too_fast": ex.tempo.cue if ex.tempo else "",
        "partial_range": ex.reps.range_cue if ex.reps else "",
    }.get(fault, "")
    return "warning", cue, _REP_FAULTS.get(fault, "")


def _spans(events: list[dict[str, Any]], end_s: float) -> tuple[list[dict], list[dict]]:
    """Setup issues and "not in view" stretches as spans, from the result's logged events."""
    setup: list[dict[str, Any]] = []
    away: list[dict[str, Any]] = []
    open_setup: dict[str, dict[str, Any]] = {}
    open_away: dict[str, Any] | None = None
    for ev in events:
        kind, t = ev["kind"], ev["t_s"]
        if kind == "setup_issue":
            span = {"issue": ev["issue"], "message": ev["message"], "start_s": t, "end_s": end_s}
            open_setup[ev["issue"]] = span
            setup.append(span)
        elif kind == "setup_ok" and ev["issue"] in open_setup:
            open_setup.pop(ev["issue"])["end_s"] = t
        elif kind == "not_in_view":
            open_away = {"message": ev["message"], "start_s": t, "end_s": end_s}
            away.append(open_away)
        elif kind == "back_in_view" and open_away is not None:
            open_away["end_s"], open_away = t, None
    return setup, away


def build_report(
    result: dict[str, Any],
    exercise: ExerciseDef,
    *,
    input_info: dict[str, Any],
    t_s: np.ndarray,
    drive: dict[str, np.ndarray],
    worst: dict[tuple[int, str], tuple[float, int]] | None = None,
    warnings: list[str] | None = None,
    partial_reasons: list[str] | None = None,
    auto: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    session: dict[str, Any] | None = None,
    since: dict[str, Any] | None = None,
    pair: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``formcheck.report`` v1 object (see the module docstring).

    ``session`` says who and when: ``profile``, ``recorded_at`` (ISO 8601 UTC),
    ``recorded_from`` (given, container, file, analysed), ``recorded`` (that in words) and
    ``note``; ``since`` is the comparison with the previous set
    (:func:`formcheck.report.compare.since_last_time`), None when there is none; ``pair``
    says, for a video holding one side of a one-side-at-a-time exercise, where the other side
    is (:func:`formcheck.report.pairs.pair_block`), None otherwise.

    ``t_s``/``drive`` are the per-frame times and driving-feature values of each side (from
    :class:`~formcheck.report.collect.Collector`); ``worst`` maps (rep index, fault) to the
    (time, frame index) of its worst frame.
    """
    assert exercise.reps is not None
    sign = 1.0 if exercise.reps.direction == "up" else -1.0
    worst = worst or {}
    words = Words(exercise)
    reps: list[dict[str, Any]] = []
    for r in result["reps"]:
        series = drive.get(r["side"], drive.get("both", np.zeros(0)))
        faults = []
        for ev in r["evidence"]:
            severity, cue, description = _fault_texts(exercise, ev["fault"], r["side"])
            w = worst.get((r["index"], ev["fault"]))
            faults.append({
                "fault": ev["fault"], "severity": severity, "cue": cue,
                "description": description, "feature": ev["feature"], "value": ev["value"],
                "threshold": ev["threshold"], "side": ev["side"],
                "start_s": ev["start_s"], "end_s": ev["end_s"],
                "worst": None if w is None else {"t_s": w[0], "frame": w[1]},
                "label": words.fault(ev["fault"]),
                "evidence_text": words.against_aim(ev),
            })  # fmt: skip
        reps.append({
            "index": r["index"], "side": r["side"], "side_index": r["side_index"],
            "start_s": r["start_s"], "end_s": r["end_s"], "duration_s": r["duration_s"],
            "range_of_motion": r["range"], "peak": r["peak"],
            "hold_s": r["hold_s"], "hold_met": r["hold_met"],
            "form_hold_s": r.get("form_hold_s"), "not_judged": r.get("not_judged", []),
            "tempo": rep_tempo(t_s, series, r["start_s"], r["end_s"], sign)
            if len(series) == len(t_s) else None,
            "uncertain": r["uncertain"], "faults": faults,
        })  # fmt: skip
    sides = (
        sides_block(result["reps"], holds=exercise.hold is not None)
        if exercise.reps.sides in ("each", "alternating")
        else None
    )
    end_s = float(t_s[-1]) if len(t_s) else 0.0
    setup, away = _spans(result["events"], end_s)
    version = input_info.get("formcheck_version", __version__)
    report = {
        "schema": REPORT_SCHEMA,
        "version": REPORT_VERSION,
        "partial": bool(partial_reasons),
        "partial_reasons": list(partial_reasons or []),
        "exercise": _exercise_block(exercise),
        "input": {**input_info, "formcheck_version": version},
        "auto": auto,
        "result": result,
        "reps": reps,
        "sides": sides,
        "setup": setup,
        "not_in_view": away,
        "warnings": list(warnings or []),
        "outputs": outputs or {"html": None, "csv": None, "annotated_video": None},
        "session": session,
        "since_last_time": since,
        "pair": pair,
    }
    return {k: v if k == "result" else rounded(v) for k, v in report.items()}


def rounded(obj: Any) -> Any:
    """A copy with every float rounded to 3 decimals (NaN and infinities become None)."""
    if isinstance(obj, float):
        return round(obj, 3) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [rounded(v) for v in obj]
    if isinstance(obj, np.floating | np.integer):
        return rounded(obj.item())
    return obj
