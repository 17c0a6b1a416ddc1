"""Live coaching: a camera (or a video played as one) in, a window with counts and cues out.

::

    from formcheck.engine import load_exercise
    from formcheck.live import Audio, LiveSession, open_live_input
    from formcheck.render.window import Window

    with Window("formcheck") as win, open_live_input(0, model="full") as feed:
        outcome = LiveSession(load_exercise("bird-dog"), view=win, audio=Audio()).run(feed)
    print(outcome.result["summary"]["reps_by_side"])

- :mod:`~formcheck.live.feed`: picture + pose per frame, real-time, newest frame only.
- :mod:`~formcheck.live.cues`: which cue the banner shows, long enough to read, no flicker.
- :mod:`~formcheck.live.keys`: keys as actions; a scripted key source for tests.
- :mod:`~formcheck.live.audio`: optional beeps and spoken cues through external players.
- :mod:`~formcheck.live.lines`: the line a person reads for each event (headless) and the
  words said for a routine's events.
- :mod:`~formcheck.live.session`: the loop (also headless); :mod:`~formcheck.live.summary`:
  the summary, the JSON report, screenshots.
- :mod:`~formcheck.live.pause`: the pauses cut out of the engine's time line;
  :mod:`~formcheck.live.hud`: what the window's HUD says (a routine's sets and rests, the
  guided start); :mod:`~formcheck.live.ending`: how a session ended, its result, the summary
  screen's picture.
"""

from formcheck.live.audio import Audio
from formcheck.live.cues import Cue, CueBoard
from formcheck.live.feed import LiveFrame, LiveInput, open_live_input, paced
from formcheck.live.keys import HELP_LINES, Action, ScriptedKeys, action_for
from formcheck.live.lines import describe_event
from formcheck.live.session import LiveOutcome, LiveSession, mirrored
from formcheck.live.summary import (
    ScreenshotSaver,
    routine_summary_lines,
    save_report,
    summary_lines,
)

__all__ = [
    "HELP_LINES",
    "Action",
    "Audio",
    "Cue",
    "CueBoard",
    "LiveFrame",
    "LiveInput",
    "LiveOutcome",
    "LiveSession",
    "ScreenshotSaver",
    "ScriptedKeys",
    "action_for",
    "describe_event",
    "mirrored",
    "open_live_input",
    "paced",
    "routine_summary_lines",
    "save_report",
    "summary_lines",
]
