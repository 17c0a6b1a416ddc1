"""``--exercise auto``: which exercise of the catalogue best explains the motion?

Every candidate's engine runs over the same pose frames (the engines are cheap next to the
pose model) and each candidate gets a score in 0..1 from three pieces of evidence:

- **reps**: complete reps its rep machine counted: ``1 - 0.5 ** reps`` (0 reps -> 0, 1 -> 0.5,
  3 -> 0.875). A rep needs the driving feature to move at least the exercise's ``min_range``
  away from the person's rest and back, debounced, so this also says "its feature moved as
  far as this exercise's smallest rep";
- **posture fit**: the share of frames whose body posture, measured in 3D on the world
  landmarks, matches the exercise's: the trunk, the thighs and the shins are each classed as
  vertical (< 35 deg from the vertical) or horizontal (> 55 deg), and the posture's signature
  says which it wants (all fours: trunk horizontal, thighs vertical, shins horizontal; prone:
  all three horizontal; standing: all vertical, or the trunk horizontal for a bent-over
  exercise; ...). A frame fits when every part that was seen matches. Weight
  ``0.25 + 0.75 * fit`` (0.5 is assumed when nothing could be measured);
- **view fit**: the share of frames whose camera view (side or front) matches the exercise's:
  weight ``0.6 + 0.4 * fit`` (a wrong view is a setup problem, not proof of another exercise;
  0.5 is assumed for exercises filmed from any side);
- **side fit** (one-sided and alternating exercises): the share of their reps that do not
  overlap in time with a rep of the other side; both arms rising together is a two-armed
  exercise, not two one-armed reps. Weight ``0.25 + 0.75 * fit``.

The best-scoring candidate is chosen; its **confidence** is its score minus the runner-up's.
The guess is **unsure** when the best score is below :data:`MIN_SCORE` or the confidence is
below :data:`MIN_MARGIN`; the caller must then say so (the CLI warns and exits with a distinct
code). New exercises in the catalogue are candidates automatically; ones without a rep
definition cannot be scored and are listed as skipped. Motion the catalogue does not know can
still be mistaken for the closest exercise that counts reps on it: the report lists every
candidate's score so a reader can judge.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from formcheck.engine import Engine, ExerciseDef, list_exercises
from formcheck.engine.setup import observed_view
from formcheck.features.geometry import inclination_to_vertical_deg
from formcheck.features.measure import PointTable
from formcheck.pose.core import PoseFrame

__all__ = [
    "MIN_MARGIN",
    "MIN_SCORE",
    "SIGNATURES",
    "CandidateScore",
    "ExerciseGuess",
    "ExerciseGuesser",
    "expected_signature",
    "observed_signature",
]

MIN_SCORE = 0.3
MIN_MARGIN = 0.15
_PARTS = ("trunk", "thigh", "shin")
_SEGMENTS = {
    "trunk": [("hip_mid", "shoulder_mid")],
    "thigh": [("left_hip", "left_knee"), ("right_hip", "right_knee")],
    "shin": [("left_knee", "left_ankle"), ("right_knee", "right_ankle")],
}
# posture -> (trunk, thigh, shin): "V" vertical, "H" horizontal, None: not judged
SIGNATURES: dict[str, tuple[str | None, str | None, str | None]] = {
    "standing": ("V", "V", "V"),
    "hanging": ("V", "V", "V"),
    "seated": ("V", "H", None),
    "kneeling": ("V", "V", "H"),
    "all_fours": ("H", "V", "H"),
    "prone": ("H", "H", "H"),
    "supine": ("H", "H", "H"),
}
_TRUNK = {"upright": "V", "horizontal": "H"}
Signature = tuple[str | None, str | None, str | None]


def observed_signature(points: PointTable) -> Signature:
    """Trunk, thighs and shins of one frame classed "V"/"H" in 3D (None: unseen or between)."""
    out: list[str | None] = []
    for part in _PARTS:
        angles = []
        for a, b in _SEGMENTS[part]:
            pa, pb = points.get(a, "world"), points.get(b, "world")
            if pa is not None and pb is not None:
                angles.append(inclination_to_vertical_deg(pa, pb))
        mean = sum(angles) / len(angles) if angles else math.nan
        out.append("V" if mean < 35 else "H" if mean > 55 else None)
    return out[0], out[1], out[2]


def expected_signature(exercise: ExerciseDef) -> Signature:
    """The posture signature an exercise wants (its ``trunk`` overrides the posture's)."""
    trunk, thigh, shin = SIGNATURES.get(exercise.posture, (None, None, None))
    if exercise.trunk is not None:
        trunk = _TRUNK.get(exercise.trunk)
    return trunk, thigh, shin


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """How well one exercise explains the motion (see the module docstring)."""

    exercise: str
    score: float
    reps: int
    posture_fit: float | None
    view_fit: float | None
    side_fit: float | None = None


@dataclass(frozen=True, slots=True)
class ExerciseGuess:
    """The chosen exercise, how sure, and every candidate's score (best first)."""

    chosen: ExerciseDef
    confidence: float
    unsure: bool
    message: str
    candidates: tuple[CandidateScore, ...]
    skipped: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "chosen": self.chosen.id,
            "confidence": round(self.confidence, 3),
            "unsure": self.unsure,
            "message": self.message,
            "min_score": MIN_SCORE,
            "min_margin": MIN_MARGIN,
            "candidates": [
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(c).items()}
                for c in self.candidates
            ],
            "skipped": list(self.skipped),
        }


def _side_fit(reps: Sequence) -> float | None:
    """Share of reps that overlap no rep of the other side (None without reps)."""
    if not reps:
        return None
    alone = sum(
        not any(o.side != r.side and o.start_s < r.end_s and r.start_s < o.end_s for o in reps)
        for r in reps
    )
    return alone / len(reps)


class ExerciseGuesser:
    """Feeds every candidate's engine; ``finish()`` scores them.

    ::

        guesser = ExerciseGuesser()            # the whole catalogue
        for frame in pose.frames:
            guesser.update(frame)
        guess = guesser.finish()               # guess.chosen, guess.confidence, guess.unsure
        guesser.engines[guess.chosen.id]       # its engine, already run over the frames
    """

    def __init__(self, exercises: Sequence[ExerciseDef] | None = None) -> None:
        pool = list(list_exercises() if exercises is None else exercises)
        self.skipped = tuple(d.id for d in pool if d.reps is None)
        self.candidates = [d for d in pool if d.reps is not None]
        if not self.candidates:
            raise ValueError("expected at least one exercise with a rep definition to choose from")
        self.engines = {d.id: Engine(d) for d in self.candidates}
        self._extractors = {k: e.new_extractor() for k, e in self.engines.items()}
        self._postures: Counter[Signature] = Counter()
        self._view: Counter[str] = Counter()

    def update(self, frame: PoseFrame) -> None:
        """Feed one pose frame to every candidate."""
        engines = list(self.engines.values())
        for key, engine in self.engines.items():
            engine.update(self._extractors[key].update(frame))
        smoothed = engines[0].frame.pose  # every engine smooths the same way
        if smoothed is None or not smoothed.has_person:
            return
        pts = PointTable.from_frame(smoothed, engines[0].settings.min_visibility)
        self._postures[observed_signature(pts)] += 1
        view = observed_view(pts)
        if view is not None:
            self._view[view] += 1

    def _view_fit(self, want: str) -> float | None:
        total = sum(self._view.values())
        if want == "any" or total == 0:
            return None
        return self._view[want] / total

    def _posture_fit(self, want: Signature) -> float | None:
        """Share of frames (with at least one wanted part seen) where every seen part fits."""
        judged = fits = 0
        for seen, n in self._postures.items():
            pairs = [(w, s) for w, s in zip(want, seen, strict=True) if w is not None and s]
            if pairs:
                judged += n
                fits += n * all(w == s for w, s in pairs)
        return fits / judged if judged else None

    def score(self, exercise: ExerciseDef) -> CandidateScore:
        engine = self.engines[exercise.id]
        for _ in engine.finish():
            pass
        n = len(engine.reps)
        posture = self._posture_fit(expected_signature(exercise))
        view = self._view_fit(exercise.view)
        per_side = exercise.reps is not None and exercise.reps.sides in ("each", "alternating")
        sided = _side_fit(engine.reps) if per_side else None
        score = (
            (1.0 - 0.5**n)
            * (0.25 + 0.75 * (0.5 if posture is None else posture))
            * (0.6 + 0.4 * (0.5 if view is None else view))
            * (1.0 if sided is None else 0.25 + 0.75 * sided)
        )
        return CandidateScore(exercise.id, score, n, posture, view, sided)

    def finish(self) -> ExerciseGuess:
        """Score every candidate and choose (ties go to the first id in sorted order)."""
        scores = sorted(
            (self.score(d) for d in self.candidates), key=lambda c: (-c.score, c.exercise)
        )
        best = scores[0]
        second = scores[1].score if len(scores) > 1 else 0.0
        confidence = best.score - second
        unsure = best.score < MIN_SCORE or confidence < MIN_MARGIN or math.isnan(best.score)
        chosen = next(d for d in self.candidates if d.id == best.exercise)
        runner = f", runner-up {scores[1].exercise} {second:.2f}" if len(scores) > 1 else ""
        if unsure:
            message = (
                f"unsure which exercise this is: best guess {best.exercise} (score "
                f"{best.score:.2f}{runner}); rerun with --exercise NAME"
            )
        else:
            message = (
                f"{best.exercise} (confidence {confidence:.2f}: score {best.score:.2f}{runner})"
            )
        return ExerciseGuess(chosen, confidence, unsure, message, tuple(scores), self.skipped)
