"""What the engine reports: small frozen records, one type per kind of event."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

__all__ = [
    "BackInView",
    "Event",
    "FaultCleared",
    "FaultEvidence",
    "FaultRaised",
    "HoldProgress",
    "NotInView",
    "Phase",
    "RepCompleted",
    "RepRecord",
    "RepStarted",
    "SetupIssue",
    "SetupOk",
    "event_to_dict",
]


class Phase(Enum):
    """Phase of one side's rep machine."""

    REST = "rest"
    TOP = "top"


@dataclass(frozen=True, slots=True)
class FaultEvidence:
    """Why a fault fired: ``feature`` measured ``value`` against ``threshold`` on ``side``
    from ``start_s`` to ``end_s`` (``value`` is the worst value seen in that span)."""

    feature: str
    value: float
    threshold: str
    side: str
    start_s: float
    end_s: float

    def explain(self) -> str:
        return (
            f"{self.feature} {self.value:.1f} {self.threshold} "
            f"({self.start_s:.1f}-{self.end_s:.1f} s)"
        )


@dataclass(frozen=True, slots=True)
class RepRecord:
    """One completed repetition. ``index`` counts all reps from 1; ``side_index`` per side.
    ``range`` is the range of motion of the driving feature (its units), ``peak`` its extreme;
    ``hold_s`` is the time in the held position (near the rep's own top), ``form_hold_s`` the
    part of it held with good form, which ``hold_met`` compares with the target; all three are
    None for exercises without a hold."""

    index: int
    side: str
    side_index: int
    start_s: float
    end_s: float
    peak: float
    range: float
    hold_s: float | None
    hold_met: bool | None
    form_hold_s: float | None = None
    faults: tuple[str, ...] = ()
    evidence: tuple[FaultEvidence, ...] = ()
    uncertain: bool = False
    not_judged: tuple[str, ...] = ()  # fault rules the rep could not be judged on (not seen)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class Event:
    t_s: float

    @property
    def kind(self) -> str:
        return _KIND[type(self)]


@dataclass(frozen=True, slots=True)
class RepStarted(Event):
    side: str
    start_s: float


@dataclass(frozen=True, slots=True)
class RepCompleted(Event):
    rep: RepRecord


@dataclass(frozen=True, slots=True)
class HoldProgress(Event):
    side: str
    hold_s: float
    target_s: float | None  # None: the hold is timed, with no target
    met: bool


@dataclass(frozen=True, slots=True)
class FaultRaised(Event):
    fault: str
    side: str
    cue: str
    severity: str
    evidence: FaultEvidence


@dataclass(frozen=True, slots=True)
class FaultCleared(Event):
    fault: str
    side: str
    evidence: FaultEvidence


@dataclass(frozen=True, slots=True)
class NotInView(Event):
    """Key landmarks are not seen: counting pauses, nothing is counted from guesses."""

    message: str


@dataclass(frozen=True, slots=True)
class BackInView(Event):
    pass


@dataclass(frozen=True, slots=True)
class SetupIssue(Event):
    """The camera view or the body's posture does not suit the exercise."""

    issue: str  # "wrong_view" | "wrong_posture"
    message: str


@dataclass(frozen=True, slots=True)
class SetupOk(Event):
    issue: str


_KIND = {
    RepStarted: "rep_started",
    RepCompleted: "rep_completed",
    HoldProgress: "hold_progress",
    FaultRaised: "fault_raised",
    FaultCleared: "fault_cleared",
    NotInView: "not_in_view",
    BackInView: "back_in_view",
    SetupIssue: "setup_issue",
    SetupOk: "setup_ok",
}


def event_to_dict(event: Event) -> dict[str, Any]:
    """JSON-ready dict of an event, with its ``kind``."""
    return {"kind": event.kind, **asdict(event)}
