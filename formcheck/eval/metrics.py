"""Accuracy metrics as in the repetition-counting literature, plus holds and faults.

- MAE = mean over clips of |predicted - true| / true (clips with a true count > 0);
- OBO = share of clips with |predicted - true| <= 1; exact = share with predicted == true;
- hold error = |predicted hold - labelled hold| in seconds;
- fault precision / recall over (fault, rep) pairs of the fault kinds the labels annotate;
- ``--exercise auto`` on the same frames: per clip "right" (confident and the labelled
  exercise), "unsure" or "wrong" (confident and another exercise); the totals count each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ClipScore", "Totals", "totals"]

# The fault kinds the labels annotate; predictions of other kinds are not scored.
LABELLED_FAULTS = frozenset({"hold_short", "partial_range", "trunk_upright"})


@dataclass(frozen=True, slots=True)
class ClipScore:
    file: str
    exercise: str
    supported: bool
    true_reps: int | None
    pred_reps: int | None
    true_hold_s: float | None
    pred_hold_s: float | None
    fault_tp: int = 0
    fault_fp: int = 0
    fault_fn: int = 0
    seconds: float = 0.0
    error: str | None = None  # the clip could not be analysed
    confidence: str = ""
    auto: str | None = None  # --exercise auto: "right", "unsure" or "wrong"
    auto_chosen: str | None = None  # the exercise it named (its best guess when unsure)
    auto_confidence: float | None = None

    @property
    def abs_error(self) -> int | None:
        if self.true_reps is None or self.pred_reps is None:
            return None
        return abs(self.pred_reps - self.true_reps)

    @property
    def rel_error(self) -> float | None:
        if self.abs_error is None or not self.true_reps:
            return None
        return self.abs_error / self.true_reps

    @property
    def hold_error_s(self) -> float | None:
        if self.true_hold_s is None or self.pred_hold_s is None:
            return None
        return abs(self.pred_hold_s - self.true_hold_s)


@dataclass(frozen=True, slots=True)
class Totals:
    clips: int
    supported: int
    counted: int  # supported clips with a labelled count
    mae: float | None
    obo: float | None
    exact: float | None
    hold_error_s: float | None
    fault_precision: float | None
    fault_recall: float | None
    auto_right: int = 0
    auto_unsure: int = 0
    auto_wrong: int = 0


def _mean(values: Iterable[float]) -> float | None:
    v = list(values)
    return sum(v) / len(v) if v else None


def totals(scores: list[ClipScore]) -> Totals:
    ok = [s for s in scores if s.supported and s.error is None]
    counted = [s for s in ok if s.true_reps is not None]
    tp = sum(s.fault_tp for s in ok)
    fp = sum(s.fault_fp for s in ok)
    fn = sum(s.fault_fn for s in ok)
    return Totals(
        clips=len(scores),
        supported=sum(s.supported for s in scores),
        counted=len(counted),
        mae=_mean(s.rel_error for s in counted if s.rel_error is not None),
        obo=_mean(float(s.abs_error <= 1) for s in counted) if counted else None,  # type: ignore[operator]
        exact=_mean(float(s.abs_error == 0) for s in counted) if counted else None,
        hold_error_s=_mean(s.hold_error_s for s in ok if s.hold_error_s is not None),
        fault_precision=tp / (tp + fp) if tp + fp else None,
        fault_recall=tp / (tp + fn) if tp + fn else None,
        auto_right=sum(s.auto == "right" for s in ok),
        auto_unsure=sum(s.auto == "unsure" for s in ok),
        auto_wrong=sum(s.auto == "wrong" for s in ok),
    )
