"""The lowest frame rate an exercise can be counted at, from its own definition.

A 1-fps timelapse of six squats has two or three frames per squat: the rep machine sees one
rep and the peak it sees is not the bottom of the squat. Below :func:`min_fps` the counts and
holds would be made up, so ``analyze`` refuses the input in one line (:func:`require_frame_rate`).

The rule: ``min_fps = max(REP_FRAMES / shortest rep, hold clock, landmark filter)``.

- **Reps.** The shortest rep an exercise calls well paced is its ``[tempo] min_rep_s`` (a
  quicker rep is the fault ``too_fast``), ``SHORTEST_REP_S`` without a tempo limit, and never
  less than the top a rep must hold (``[reps] min_top_s``). Such a rep must get ``REP_FRAMES``
  frames, which is what :class:`formcheck.engine.reps.RepMachine` needs to see it: one at rest
  before it (a rep starts only from a rest it has seen), one on the way out (where the rep
  began), two beyond the rise a rep needs (the top counts only once it has held
  ``min_phase_s``: a second frame) and two on the way back (the return, too, must hold
  ``min_phase_s``; the second may be back at rest). A ``sides = "direction"`` rep (a circle)
  has no rest between reps and its direction is read from its two halves (the way up against
  the way back), each of which needs those frames: ``DIRECTION_REP_FRAMES``.
- **Holds.** The hold clock calls the top still from the slope over the last
  ``STILL_WINDOW_S`` (0.3 s), which needs three frames there: ``2 / STILL_WINDOW_S`` (6.7 fps).
  Frames further apart than ``[hold] max_gap_s`` break every hold: ``1 / max_gap_s``. Below
  either, a held position times as 0 s and every rep gets a false ``hold_short``.
- **Landmarks.** Frames further apart than the One Euro filter's ``max_gap_s`` (0.5 s) restart
  it, so nothing is smoothed: 2 fps, whatever the exercise.

Measured on the mannequin (noise 1 %, three seeds): squats of exactly 1.0 s are counted from
6 fps on; at its minimum every catalogue exercise counts reps twice as long as its tempo limit
(or 2 s) and times its holds. Reps right at the tempo limit need 5 to 12 frames depending on the
exercise (and the engine's 5-frame running median of the drive spans most of such a rep), so
``too_fast`` is judged reliably only from about twice the minimum. The judge's 0.3 s median
(``formcheck.engine.judge``) becomes a single frame below about 7 fps; a fault must still hold
its ``min_duration_s``, so that only makes faults noisier and is not part of the rule.
"""

from __future__ import annotations

import math

from formcheck.engine.definition import ExerciseDef
from formcheck.engine.holds import STILL_WINDOW_S
from formcheck.errors import SourceError
from formcheck.features.smoothing import OneEuroParams

__all__ = [
    "DIRECTION_REP_FRAMES",
    "REP_FRAMES",
    "SHORTEST_REP_S",
    "min_fps",
    "require_frame_rate",
    "shortest_rep_s",
]

REP_FRAMES = 6
DIRECTION_REP_FRAMES = 12
# The shortest well-paced rep of an exercise that sets no tempo limit.
SHORTEST_REP_S = 1.0
# What to film at instead (a recommendation, not the limit).
_ADVICE = "film at normal speed, 24 fps or more, not as a timelapse"


def shortest_rep_s(definition: ExerciseDef) -> float:
    """The shortest rep the definition calls well paced, in seconds (see the module docstring)."""
    assert definition.reps is not None
    tempo = definition.tempo.min_rep_s if definition.tempo is not None else SHORTEST_REP_S
    return max(tempo, definition.reps.min_top_s)


def _limits(definition: ExerciseDef) -> dict[str, float]:
    """Each requirement on the frame rate, in frames per second, by what it is for."""
    assert definition.reps is not None
    frames = DIRECTION_REP_FRAMES if definition.reps.sides == "direction" else REP_FRAMES
    out = {
        "count its reps": frames / shortest_rep_s(definition),
        "follow the body": 1.0 / OneEuroParams().max_gap_s,
    }
    if definition.hold is not None:
        gap = definition.hold.max_gap_s
        out["time its holds"] = max(2.0 / STILL_WINDOW_S, 1.0 / gap if gap > 0 else 0.0)
    return out


def min_fps(definition: ExerciseDef) -> float:
    """The lowest frame rate at which ``definition`` can be counted (frames per second)."""
    return max(_limits(definition).values())


def require_frame_rate(fps: float, name: str, definition: ExerciseDef) -> None:
    """Raise :class:`SourceError` (one line, what to do) when the input ``name``, at ``fps``
    frames per second, is too sparse to count ``definition``. An unknown rate (0, an image or a
    camera that does not say) passes."""
    if not (math.isfinite(fps) and fps > 0):
        return
    limits = _limits(definition)
    need = max(limits.values())
    if fps >= need - 1e-6:
        return
    what = max(limits, key=limits.__getitem__)
    have = f"{round(fps, 2):g}"
    frames = "frame" if have == "1" else "frames"
    shown = math.ceil(need * 10 - 1e-6) / 10
    raise SourceError(
        f"{name} has {have} {frames} per second; {definition.name} needs at least {shown:g} "
        f"to {what} ({_ADVICE})"
    )
