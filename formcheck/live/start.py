"""The guided start: where to put the camera, a check that the person is in position, 3-2-1.

::

    start = GuidedStart(exercise)
    for frame in frames:
        events = start.update(frame)       # setup and view guidance for the cue banner
        if start.phase is StartPhase.GO:
            break                          # counting starts with the next frame
        show(start.card, start.status, start.count)

Before a set from a camera, nothing is counted until the person is ready: the window shows a
placement card made from the definition's view and posture ("Side-on to the camera, whole
body in view", "Camera low, about 50 cm up, 2-3 m away", "Get on your hands and knees to
start"). A probe :class:`~formcheck.engine.Engine` of the exercise watches the frames for the
same setup problems a set reports (out of view, turned the wrong way, the wrong posture); once
the person has been in view, at rest in the start position, with none of them for
``ready_s``, a ``countdown_s`` countdown runs, and leaving the position (or starting to move)
during it starts the check again. Times are the frames' own
(input time), so a recording gives the same start on any machine.
"""

from __future__ import annotations

import math
from enum import Enum

from formcheck.engine import Engine, ExerciseDef
from formcheck.engine.events import BackInView, Event, NotInView, SetupIssue, SetupOk
from formcheck.engine.setup import checked_trunk, observed_trunk, start_words
from formcheck.features.measure import PointTable
from formcheck.pose.core import PoseFrame

__all__ = ["WORKING_SIDE_WORDS", "GuidedStart", "StartPhase", "placement_card"]

_VIEW_WORDS = {
    "side": "Side-on to the camera",
    "front": "Facing the camera",
    "any": "Facing the camera or side-on",
}
_CAMERA_WORDS = {  # where the camera goes for the body to fill the picture, by posture
    "standing": "Camera at hip height, 2-3 m away",
    "kneeling": "Camera at hip height, 2-3 m away",
    "hanging": "Camera at chest height, 3 m away, the bar in the picture",
    "seated": "Camera low, about 50 cm up, 2 m away",
    "all_fours": "Camera low, about 50 cm up, 2-3 m away",
    "prone": "Camera low, about 30 cm up, 2-3 m away",
    "supine": "Camera low, about 30 cm up, 2-3 m away",
}


# An exercise done one side at a time (all reps of one side, then the other) and not filmed
# from the front: from the side the pose model barely sees the far arm or leg (visibility
# under 0.5 in most frames of real side views), so the working side must be the near one.
WORKING_SIDE_WORDS = "Working side nearest the camera: turn around to switch sides"


def placement_card(exercise: ExerciseDef) -> tuple[str, ...]:
    """The placement card's lines: a title, then where the person and the camera go."""
    view = _VIEW_WORDS.get(exercise.view, _VIEW_WORDS["any"])
    lines = [
        f"Get ready: {exercise.name}",
        f"{view}, whole body in view",
        _CAMERA_WORDS.get(exercise.posture, "Camera 2-3 m away"),
    ]
    if exercise.reps is not None and exercise.reps.sides == "each" and exercise.view != "front":
        lines.append(WORKING_SIDE_WORDS)
    start = start_words(exercise)
    if start is not None:
        lines.append(start)
    return tuple(lines)


class StartPhase(Enum):
    """Where the guided start is."""

    PLACE = "place"  # the card; waiting for the person to be in position
    COUNTDOWN = "countdown"  # 3, 2, 1
    GO = "go"  # counting starts


class GuidedStart:
    """The guided start of one set (see the module docstring); :meth:`update` per frame."""

    def __init__(
        self, exercise: ExerciseDef, *, ready_s: float = 2.0, countdown_s: int = 3
    ) -> None:
        if not ready_s >= 0 or countdown_s < 0:
            raise ValueError(
                f"expected ready_s >= 0 and countdown_s >= 0, got {ready_s!r}, {countdown_s!r}"
            )
        self.exercise = exercise
        self.card = placement_card(exercise)
        self.ready_s = ready_s
        self.countdown_s = countdown_s
        self._probe = Engine(exercise)
        self._probe_features = self._probe.new_extractor()
        self._issues: dict[str, str] = {}  # setup issue -> its message
        self._away = False
        self._ok_since: float | None = None
        self._countdown_from = 0.0
        self.phase = StartPhase.PLACE
        self.count: int | None = None  # the countdown's number now (3, 2, 1)
        self.status = "Step into the picture: whole body in view"
        self.restarted = False  # the last update stopped the countdown (position lost)

    def update(self, pose: PoseFrame) -> list[Event]:
        """Take one frame. Returns the probe's setup and view events (for the cue banner)."""
        t = pose.t_s
        probed = self._probe.update(self._probe_features.update(pose))
        events = [
            ev for ev in probed.events
            if isinstance(ev, SetupIssue | SetupOk | NotInView | BackInView)
        ]  # fmt: skip
        for ev in events:
            if isinstance(ev, SetupIssue):
                self._issues[ev.issue] = ev.message
            elif isinstance(ev, SetupOk):
                self._issues.pop(ev.issue, None)
            elif isinstance(ev, NotInView):
                self._away = True
            elif isinstance(ev, BackInView):
                self._away = False
        seen = any(not math.isnan(s.drive) for s in probed.sides)
        in_view = pose.has_person and seen and not self._away
        still = not any(s.moving for s in probed.sides)
        ok = in_view and still and not self._issues
        self.restarted = False
        if self.phase is StartPhase.COUNTDOWN and not ok:
            self.phase, self.count, self.restarted = StartPhase.PLACE, None, True
            self._ok_since = None
        if self.phase is StartPhase.PLACE:
            self._ok_since = (self._ok_since if self._ok_since is not None else t) if ok else None
            if not in_view:
                self.status = "Step into the picture: whole body in view"
            elif self._issues:
                self.status = next(iter(self._issues.values()))
            elif not still and not self._in_posture():
                self.status = start_words(self.exercise) or "Hold still to start"
            elif not still:  # in the start position, moving: not "get on your hands and knees"
                self.status = "Hold still to start"
            else:
                self.status = "In position: hold still"
            if self._ok_since is not None and t - self._ok_since >= self.ready_s - 1e-9:
                self.phase, self._countdown_from = StartPhase.COUNTDOWN, t
        if self.phase is StartPhase.COUNTDOWN:
            left = self.countdown_s - (t - self._countdown_from)
            if left <= 1e-9:
                self.phase, self.count, self.status = StartPhase.GO, None, "Go!"
            else:
                self.count = math.ceil(left - 1e-9)
                self.status = "Get set"
        return events

    def _in_posture(self) -> bool:
        """Whether the trunk is as the exercise's posture has it now (upright or horizontal,
        unjudged: the setup check's debounced issue comes later); True when it is not checked."""
        want = checked_trunk(self.exercise)
        frame = self._probe.last_frame
        if want == "any" or frame is None:
            return want == "any"
        points = PointTable.from_frame(frame, self._probe.settings.min_visibility)
        return observed_trunk(points) == want
