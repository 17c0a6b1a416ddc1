"""``--exercise auto``: which exercise of the catalogue best explains the motion?

Every candidate's engine runs over the same pose frames (the engines are cheap next to the
pose model), and every candidate is compared with **its own self-test**: the first clean case
of its ``[selftest]`` (a set the mannequin performs as the coach scripted it), rendered once
per process as landmarks (ideal, no picture: a few hundredths of a second each). So a new
exercise brings its own reference, and nothing here is written per exercise. The same body
measures are taken on the clip (the smoothed pose) and on that reference, in 3D on the world
landmarks, all in degrees:

- **where the body is** (against gravity): the trunk from upright (0) through level (90) to
  head down (180); which way the chest faces (+90 up, lying on the back; -90 down, face down
  or on all fours); each thigh and each arm (shoulder to wrist) from hanging straight down (0)
  to pointing straight up (180: overhead, as when hanging from a bar);
- **how the body is folded**: each elbow, hip (trunk to thigh) and knee angle (180 straight)
  and the bend of the head against the trunk (hips, shoulders, ears).

Left and right are taken as the lower and the higher of the two, so a set done with the
right arm matches a reference done with the left. The evidence, per candidate:

- **reps**: its engine's count, as ``1 - 0.5 ** reps`` (1 rep 0.5, 3 reps 0.875), or the
  share of the time in view that its reps cover, whichever is higher (a single 8 s hang is as
  clear as many short reps); and since a set's reps fill most of the time in view, reps that
  fill less than :data:`FILLED` (half) of it count as much less (one short rep in a long hang
  explains little of it);
- **posture**: the share of the frames in its reps (all frames without reps) whose trunk,
  chest, thighs, arms and hips lie within the reference's own range of them, widened by
  :data:`POSTURE_TOLERANCE_DEG` (a third of a right angle: another body doing the same thing
  another way; the hips by :data:`HIP_TOLERANCE_DEG`, half a right angle, since people fold
  at the hips by their own build and style: a dumbbell deadlift, a supported row).
  Standing, bent over, on all fours, prone, supine, seated and hanging differ by far more.
  The arms and hips are held to that only where the exercise's definition measures them
  (:func:`involved`); a limb it leaves alone may lie anywhere within
  :data:`FREE_TOLERANCE_DEG` (a right angle) of the reference's (a squat's arms forward, down
  or crossed, not overhead as in a hang). Weight ``0.1 + 0.9 * fit``: almost no frame in the
  exercise's posture is strong evidence against it;
- **which parts move, and how far**: per measure, the range it moves through in a rep (5th
  to 95th percentile, the median over the reps) in the clip and in the reference, less
  :data:`MOTION_NOISE_DEG` of pose-model jitter (for a limb the exercise leaves alone,
  less :data:`MOTION_SLACK_DEG`: it may shift, and it is often the one out of sight); the fit
  is ``(sum of the smaller + S) / (sum of the larger + S)`` over the measures, ``S`` =
  :data:`MOTION_SLACK_DEG` (one deliberate movement). A part moving in the clip but not in the
  reference, or the other way round, lowers it: an arm raised to the side is no shrug, a row
  moves no leg. Each limb's two sides also count as how far apart they are: one side moving
  alone (a side bend, a bird-dog) is not both moving together (a pulldown). Weight ``0.25 +
  0.75 * fit``;
- **range**: the candidate's counted range of motion (its drive, the median over its reps)
  against its count on the reference: a ratio within :data:`RANGE_RATIO` either way is the
  same movement by another person, beyond it the fit falls as ``RANGE_RATIO / ratio`` (a
  lateral raise counted on arm circles moves twice as far);
- **period**: how long its reps take (the median) against the reference's scripted reps: the
  same exercise done up to :data:`DURATION_RATIO` times faster or slower is still it, beyond
  that the fit falls as ``DURATION_RATIO / ratio`` (arm circles of 1.5 s are not the 8 s hang
  of a dead hang, though the arms go overhead in both);
- **sides** (one-sided and alternating exercises): the share of its reps that do not overlap
  in time with a rep of the other side (counted, or left uncounted by a one-side-at-a-time
  engine because this side's rep was larger); both arms rising together is a two-armed
  exercise, not two one-armed reps. The fit is 1 less how far that share falls short of the
  reference's own (a push-up with a leg raise pushes with both arms whichever leg rises: its
  sides' reps overlap on the reference too, and tell little). Weight ``0.25 + 0.75 * fit``.

The score is the product. The best-scoring candidate is chosen; its **confidence** is how much
more it explains than the runner-up, in proportion: ``1 - runner-up / best`` (0 a tie, 0.5 the
runner-up scoring half the best). In proportion, because the score is a product: a factor all
candidates share (the rep evidence of a short clip, where every candidate counts its one rep)
scales their difference but not their ratio. The guess is **unsure** when the best score is
below :data:`MIN_SCORE` or the confidence below :data:`MIN_MARGIN` (the runner-up scoring more
than three quarters of the best; at a score of 0.6 that is the difference of 0.15 this rule
had before it was taken in proportion); the caller must then say so (the CLI warns and exits
with a distinct code), with the nearest candidates. The camera view is
reported (``view_fit``) but not scored: a wrong view is a setup problem, not another exercise.

What it cannot do: tell apart exercises whose posture and moving parts are the same and
differ only in what the landmarks do not show (the hands' grip, a bench or a bar, a weight),
in a limb only one of them measures (a standing forward bend measures its reaching arms, so
a deadlift's hanging arms are no forward bend; the deadlift leaves the arms free, so a forward
bend still fits it) or by a few degrees (a superman with the chest barely lifted and a
prone double leg raise both move the legs 10 deg face down): the guess is unsure; judge an exercise
without a clean self-test case (it is still scored, on reps and sides only); see the back's
outline (not measured here); and name motion that is no exercise of the catalogue: such motion
is usually unsure, but one that moves the same parts in the same posture as an exercise (a
partial version of it, say) is taken for that exercise. The report lists every candidate's
score and its parts so a reader can judge.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from formcheck.engine import Engine, ExerciseDef, list_exercises
from formcheck.engine.setup import observed_view
from formcheck.features.extractor import Features
from formcheck.features.geometry import (
    angle_between_deg,
    cross,
    elevation_deg,
    joint_angle_deg,
    sub,
    unit,
)
from formcheck.features.measure import FeatureSet, PointTable
from formcheck.pose.core import PoseFrame

__all__ = [
    "MEASURES",
    "MIN_MARGIN",
    "MIN_SCORE",
    "CandidateScore",
    "ExerciseGuess",
    "ExerciseGuesser",
    "Reference",
    "body_measures",
    "clean_case",
    "involved",
    "reference",
]

MIN_SCORE = 0.3
MIN_MARGIN = 0.25
POSTURE_TOLERANCE_DEG = 30.0
HIP_TOLERANCE_DEG = 45.0
FREE_TOLERANCE_DEG = 90.0
FILLED = 0.5
MOTION_NOISE_DEG = 10.0
MOTION_SLACK_DEG = 30.0
RANGE_RATIO = 1.5
DURATION_RATIO = 3.0
MIN_VISIBILITY = 0.3  # as the engine's: MediaPipe extrapolates partly hidden limbs well enough

MEASURES = (
    "trunk", "chest", "thigh_lo", "thigh_hi", "arm_lo", "arm_hi", "elbow_lo", "elbow_hi",
    "hip_lo", "hip_hi", "knee_lo", "knee_hi", "head",
)  # fmt: skip
_POSTURE_MEASURES = (
    "trunk",
    "chest",
    "thigh_lo",
    "thigh_hi",
    "arm_lo",
    "arm_hi",
    "hip_lo",
    "hip_hi",
)
_POSTURE = [MEASURES.index(m) for m in _POSTURE_MEASURES]
_TOLERANCE = [HIP_TOLERANCE_DEG if m.startswith("hip") else POSTURE_TOLERANCE_DEG
              for m in _POSTURE_MEASURES]  # fmt: skip
_MOTION = [i for i, m in enumerate(MEASURES) if m != "chest"]  # the chest turns with the trunk
# Left against right: the higher side less the lower of each pair. It stays put when both sides
# move together (a pulldown) and swings when one side moves alone (a side bend, a bird-dog).
_PAIRS = [(MEASURES.index(f"{p}_lo"), MEASURES.index(f"{p}_hi"))
          for p in ("thigh", "arm", "elbow", "hip", "knee")]  # fmt: skip
_MOTION_ALL = _MOTION + [len(MEASURES) + k for k in range(len(_PAIRS))]


def _with_sides(values: np.ndarray) -> np.ndarray:
    """``values`` (frames x :data:`MEASURES`) with a column per pair of :data:`_PAIRS`: how
    far apart the two sides are."""
    apart = np.stack([values[:, hi] - values[:, lo] for lo, hi in _PAIRS], axis=1)
    return np.concatenate([values, apart.reshape(len(values), -1)], axis=1)


_UP, _DOWN = (0.0, -1.0, 0.0), (0.0, 1.0, 0.0)  # world y points down
NAN = float("nan")


def _direction(pts: PointTable, a: str, b: str, ref: tuple[float, ...]) -> float:
    pa, pb = pts.get(a, "world"), pts.get(b, "world")
    if pa is None or pb is None or math.dist(pa, pb) < 1e-9:
        return NAN
    return angle_between_deg(sub(pb, pa), ref)


def _joint(pts: PointTable, a: str, b: str, c: str) -> float:
    pa, pb, pc = (pts.get(n, "world") for n in (a, b, c))
    if pa is None or pb is None or pc is None:
        return NAN
    return joint_angle_deg(pa, pb, pc)


def _pair(left: float, right: float) -> tuple[float, float]:
    """The lower and the higher side; one side unseen: the seen one for both."""
    if math.isnan(left) or math.isnan(right):
        one = right if math.isnan(left) else left
        return one, one
    return min(left, right), max(left, right)


def body_measures(pts: PointTable) -> list[float]:
    """The :data:`MEASURES` of one frame, in degrees (NaN: not seen); see the module docstring."""
    chest = NAN
    ls, rs = pts.get("left_shoulder", "world"), pts.get("right_shoulder", "world")
    s, h = pts.get("shoulder_mid", "world"), pts.get("hip_mid", "world")
    if ls is not None and rs is not None and s is not None and h is not None:
        forward = unit(cross(sub(ls, rs), sub(s, h)))
        if forward is not None:
            chest = elevation_deg((0.0, 0.0, 0.0), forward)
    out = [_direction(pts, "hip_mid", "shoulder_mid", _UP), chest]
    for a, b, ref in (("hip", "knee", _DOWN), ("shoulder", "wrist", _DOWN)):
        out += _pair(_direction(pts, f"left_{a}", f"left_{b}", ref),
                     _direction(pts, f"right_{a}", f"right_{b}", ref))  # fmt: skip
    for a, b, c in (("shoulder", "elbow", "wrist"), ("shoulder", "hip", "knee"),
                    ("hip", "knee", "ankle")):  # fmt: skip
        out += _pair(_joint(pts, f"left_{a}", f"left_{b}", f"left_{c}"),
                     _joint(pts, f"right_{a}", f"right_{b}", f"right_{c}"))  # fmt: skip
    out.append(_joint(pts, "hip_mid", "shoulder_mid", "ear_mid"))
    return out


# The limb behind each measure that is not the trunk: a measure belongs to an exercise when its
# definition measures a landmark of that limb (either side, or the midpoint of both).
_LIMB = {
    "thigh": ("knee", "ankle"), "arm": ("elbow", "wrist"), "elbow": ("elbow", "wrist"),
    "hip": ("knee", "ankle"), "knee": ("knee", "ankle"), "head": ("ear", "nose", "eye"),
}  # fmt: skip


_INVOLVED: dict[tuple[str, str], frozenset[str]] = {}


def involved(defn: ExerciseDef) -> frozenset[str]:
    """The :data:`MEASURES` that ``defn`` says something about: the trunk and the chest always
    (where the body is), a limb's measures when one of its features uses that limb."""
    key = (defn.id, str(defn.source))
    if key not in _INVOLVED:
        features = FeatureSet(defn.features)  # what the engine measures, without an engine
        parts = {
            p.removeprefix("left_").removeprefix("right_").removesuffix("_mid")
            for name in features.names
            for p in features.points_of(name)
        }
        _INVOLVED[key] = frozenset(
            m for m in MEASURES
            if m in ("trunk", "chest") or set(_LIMB[m.split("_")[0]]) & parts
        )  # fmt: skip
    return _INVOLVED[key]


_BASE_POSTURE = ("trunk", "chest", "thigh_lo", "thigh_hi")  # standing, lying, seated...


def _posture_tolerance(defn: ExerciseDef) -> np.ndarray:
    """Per :data:`_POSTURE_MEASURES`, how far from the reference's range ``defn`` lets it be:
    where the body is (trunk, chest, thighs) and the limbs it measures as in
    :data:`_TOLERANCE`; a limb it does not measure by :data:`FREE_TOLERANCE_DEG` (a squat's
    arms may be forward, down or crossed, but not overhead as in a hang)."""
    mine = involved(defn)
    return np.array([
        tol if m in _BASE_POSTURE or m in mine else max(tol, FREE_TOLERANCE_DEG)
        for m, tol in zip(_POSTURE_MEASURES, _TOLERANCE, strict=True)
    ])  # fmt: skip


def _motion_noise(defn: ExerciseDef) -> np.ndarray:
    """Per measure of :data:`_MOTION_ALL`, the motion that counts as none: :data:`MOTION_NOISE_DEG`
    for the parts ``defn`` measures, :data:`MOTION_SLACK_DEG` for the others (a limb the
    exercise leaves alone may shift, and is often the one out of sight)."""
    mine = involved(defn)
    parts = [MEASURES[k] for k in _MOTION] + [MEASURES[hi] for _, hi in _PAIRS]
    return np.array([MOTION_NOISE_DEG if m in mine else MOTION_SLACK_DEG for m in parts])


@dataclass(frozen=True, slots=True)
class Reference:
    """An exercise as its clean self-test case performs it: the body measures per frame
    (``values``, frames x :data:`MEASURES`), the frame times, the scripted reps' spans, the
    range its own engine counts on it (the median over the reps; None without reps) and the
    share of those reps that overlap no rep of the other side (None without reps)."""

    values: np.ndarray
    times: np.ndarray
    reps: tuple[tuple[float, float], ...]
    counted_range: float | None
    side_fit: float | None = None


def clean_case(defn: ExerciseDef) -> dict[str, Any] | None:
    """The first self-test case that expects reps and keeps the person in view."""
    for case in defn.selftest.cases if defn.selftest is not None else []:
        reps = case.get("expect", {}).get("reps", 0)
        n = sum(reps.values()) if isinstance(reps, dict) else reps
        if n and not case.get("absent"):
            return case
    return None


_REFERENCES: dict[tuple[str, str], Reference | None] = {}
_LOCK = threading.Lock()


def reference(defn: ExerciseDef) -> Reference | None:
    """The exercise's :class:`Reference` (None without a clean self-test case), rendered once
    per process and definition file."""
    key = (defn.id, str(defn.source))
    with _LOCK:
        if key not in _REFERENCES:
            _REFERENCES[key] = _render_reference(defn)
        return _REFERENCES[key]


def _render_reference(defn: ExerciseDef) -> Reference | None:
    from formcheck.engine.selftest import build_case
    from formcheck.synth.camera import Camera
    from formcheck.synth.render import render

    case = clean_case(defn)
    if case is None or defn.selftest is None:
        return None
    st = defn.selftest
    script = build_case(defn, case)
    camera = Camera.from_dict({"azimuth_deg": 90.0, **st.camera, **case.get("camera", {})})
    frames = [f for f in render(script, camera, fps=st.fps) if f.has_person]
    values = np.array([body_measures(PointTable.from_frame(f, MIN_VISIBILITY)) for f in frames])
    engine = Engine(defn)
    extractor = engine.new_extractor()
    for f in frames:
        engine.update(extractor.update(f))
    engine.finish()
    counted = float(np.median([r.range for r in engine.reps])) if engine.reps else None
    spans = tuple((s.start_s, s.end_s) for s in script.truth if s.tag.startswith("rep"))
    sides = _side_fit(engine.reps, engine.overshadowed)
    return Reference(values, np.array([f.t_s for f in frames]), spans, counted, sides)


def _in_spans(times: np.ndarray, spans: Sequence[tuple[float, float]]) -> np.ndarray:
    inside = np.zeros(len(times), bool)
    for a, b in spans:
        inside |= (times >= a) & (times <= b)
    return inside


def _motion(values: np.ndarray, times: np.ndarray, spans) -> np.ndarray | None:
    """Per measure, the median over the reps of the range it moves through (5th-95th pct)."""
    ranges = []
    for a, b in spans:
        v = values[(times >= a) & (times <= b)]
        if len(v) < 3:
            continue
        with warnings.catch_warnings():  # a measure never seen in the rep: NaN, no warning
            warnings.simplefilter("ignore", RuntimeWarning)
            r = np.nanpercentile(v, 95, axis=0) - np.nanpercentile(v, 5, axis=0)
        r[(~np.isnan(v)).sum(axis=0) < 3] = np.nan
        ranges.append(r)
    if not ranges:
        return None
    stacked = np.array(ranges)
    out = np.zeros(stacked.shape[1])
    for j in range(stacked.shape[1]):
        col = stacked[~np.isnan(stacked[:, j]), j]
        out[j] = float(np.median(col)) if len(col) else 0.0
    return out


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """How well one exercise explains the motion (see the module docstring); a fit is None
    when it could not be judged."""

    exercise: str
    score: float
    reps: int
    posture_fit: float | None
    view_fit: float | None
    side_fit: float | None = None
    motion_fit: float | None = None
    range_fit: float | None = None
    period_fit: float | None = None
    coverage: float = 0.0


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


def _side_fit(
    reps: Sequence, overshadowed: Sequence[tuple[str, float, float]] = ()
) -> float | None:
    """Share of reps that overlap no rep of the other side (None without reps). The other
    side's moves that its engine did not count because they came with a larger rep of this
    side (``Engine.overshadowed``) are the other side moving too: both legs of a superman."""
    if not reps:
        return None
    spans = [(o.side, o.start_s, o.end_s) for o in reps] + list(overshadowed)
    alone = sum(
        not any(side != r.side and a < r.end_s and r.start_s < b for side, a, b in spans)
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
        # One smoothing for all (every engine smooths alike, with the same settings): the first
        # engine's features stage; an exercise measuring the back's outline keeps its own (the
        # outline's median over time). The others measure on the smoothed pose.
        self._first = next(iter(self.engines))
        self._extractors = {
            k: e.new_extractor()
            for k, e in self.engines.items()
            if k == self._first or e.features.curvature_names
        }
        self._measures: list[list[float]] = []
        self._times: list[float] = []
        self._view: Counter[str] = Counter()

    def update(self, frame: PoseFrame) -> None:
        """Feed one pose frame to every candidate."""
        shared = self._extractors[self._first].update(frame)
        smoothed = shared.pose
        for key, engine in self.engines.items():
            if key == self._first:
                features = shared
            elif key in self._extractors:
                features = self._extractors[key].update(frame)
            else:
                values = engine.features.evaluate(smoothed, engine.settings.min_visibility)
                features = Features(smoothed, values, frame)
            engine.update(features)
        if not smoothed.has_person:
            return
        pts = PointTable.from_frame(smoothed, MIN_VISIBILITY)
        self._measures.append(body_measures(pts))
        self._times.append(smoothed.t_s)
        view = observed_view(pts)
        if view is not None:
            self._view[view] += 1

    def _view_fit(self, want: str) -> float | None:
        total = sum(self._view.values())
        if want == "any" or total == 0:
            return None
        return self._view[want] / total

    def score(self, exercise: ExerciseDef) -> CandidateScore:
        engine = self.engines[exercise.id]
        engine.finish()
        reps = engine.reps
        values = np.array(self._measures, dtype=float).reshape(-1, len(MEASURES))
        times = np.array(self._times, dtype=float)
        spans = [(r.start_s, r.end_s) for r in reps]
        coverage = float(_in_spans(times, spans).mean()) if len(times) and spans else 0.0
        # a set's reps fill most of the time in view: reps that fill less of it than
        # FILLED leave that much of the motion to something else
        evidence = max(1.0 - 0.5 ** len(reps), coverage) * min(1.0, coverage / FILLED)
        per_side = exercise.reps is not None and exercise.reps.sides in ("each", "alternating")
        ref = reference(exercise)
        sided = _side_fit(reps, engine.overshadowed) if per_side else None
        if sided is not None and ref is not None and ref.side_fit is not None:
            sided = 1.0 - max(0.0, ref.side_fit - sided)  # short of the reference's share
        posture = motion = counted = period = None
        if ref is not None and len(times):
            frames = values[_in_spans(times, spans)] if spans else values
            posture = self._posture_fit(ref, frames, _posture_tolerance(exercise))
            motion = self._motion_fit(ref, values, times, spans, _motion_noise(exercise))
            counted = self._range_fit(ref, reps)
            period = self._period_fit(ref, spans)
        score = (
            evidence
            * (0.1 + 0.9 * (0.5 if posture is None else posture))
            * (0.25 + 0.75 * (0.5 if motion is None else motion))
            * (1.0 if counted is None else counted)
            * (1.0 if period is None else period)
            * (1.0 if sided is None else 0.25 + 0.75 * sided)
        )
        return CandidateScore(
            exercise.id, score, len(reps), posture, self._view_fit(exercise.view), sided,
            motion, counted, period, coverage,
        )  # fmt: skip

    @staticmethod
    def _posture_fit(ref: Reference, frames: np.ndarray, tol: np.ndarray) -> float | None:
        """Share of ``frames`` whose posture measures all lie in the reference's range, widened
        by ``tol`` (per measure)."""
        if not len(frames):
            return None
        want = ref.values[:, _POSTURE]
        seen = ~np.isnan(want)
        lo = np.array([want[seen[:, j], j].min() if seen[:, j].any() else -np.inf
                       for j in range(want.shape[1])]) - tol  # fmt: skip
        hi = np.array([want[seen[:, j], j].max() if seen[:, j].any() else np.inf
                       for j in range(want.shape[1])]) + tol  # fmt: skip
        got = frames[:, _POSTURE]
        with np.errstate(invalid="ignore"):
            outside = (got < lo) | (got > hi)  # NaN (not seen) is never outside
        return float((~outside.any(axis=1)).mean())

    @staticmethod
    def _motion_fit(
        ref: Reference, values: np.ndarray, times: np.ndarray, spans, noise: np.ndarray
    ) -> float | None:
        got = _motion(_with_sides(values), times, spans)
        want = _motion(_with_sides(ref.values), ref.times, ref.reps)
        if got is None or want is None:
            return None
        a = np.maximum(0.0, got[_MOTION_ALL] - noise)
        b = np.maximum(0.0, want[_MOTION_ALL] - noise)
        return float(
            (np.minimum(a, b).sum() + MOTION_SLACK_DEG)
            / (np.maximum(a, b).sum() + MOTION_SLACK_DEG)
        )

    @staticmethod
    def _range_fit(ref: Reference, reps: Sequence) -> float | None:
        if not reps or not ref.counted_range:
            return None
        ratio = float(np.median([r.range for r in reps])) / ref.counted_range
        if not ratio > 0:
            return 0.0
        return min(1.0, RANGE_RATIO * min(ratio, 1.0 / ratio))

    @staticmethod
    def _period_fit(ref: Reference, spans) -> float | None:
        if not spans or not ref.reps:
            return None
        took = float(np.median([b - a for a, b in spans]))
        scripted = float(np.median([b - a for a, b in ref.reps]))
        ratio = took / scripted if scripted > 0 else 0.0
        if not ratio > 0:
            return 0.0
        return min(1.0, DURATION_RATIO * min(ratio, 1.0 / ratio))

    def finish(self) -> ExerciseGuess:
        """Score every candidate and choose (ties go to the first id in sorted order)."""
        scores = sorted(
            (self.score(d) for d in self.candidates), key=lambda c: (-c.score, c.exercise)
        )
        best = scores[0]
        second = scores[1].score if len(scores) > 1 else 0.0
        confidence = 1.0 - second / best.score if best.score > 0 else 0.0
        unsure = best.score < MIN_SCORE or confidence < MIN_MARGIN or math.isnan(best.score)
        chosen = next(d for d in self.candidates if d.id == best.exercise)
        runner = f", runner-up {scores[1].exercise} {second:.2f}" if len(scores) > 1 else ""
        if unsure:
            nearest = ", ".join(f"{c.exercise} {c.score:.2f}" for c in scores[:3])
            message = (
                f"unsure which exercise this is: best guess {best.exercise} (score "
                f"{best.score:.2f}{runner}; nearest: {nearest}); rerun with --exercise NAME"
            )
        else:
            message = (
                f"{best.exercise} (confidence {confidence:.2f}: score {best.score:.2f}{runner})"
            )
        return ExerciseGuess(chosen, confidence, unsure, message, tuple(scores), self.skipped)
