"""The training history: every analysed set in a per-user SQLite database, and progress over time.

    from formcheck.store import open_history, load_progress

    with open_history() as history:                  # $FORMCHECK_HOME or the user data folder
        session_id = history.save(result, source_kind="video", profile="default")
        for prog in load_progress(history, exercise="bird-dog"):
            line = prog.summary()  # "bird-dog: 6 sessions, ... hold 2.1 s → 2.8 s; ..."

``save_result(result, source_kind=..., profile=..., no_history=...)`` is the one call the
analyse and live commands make; ``save_session(...)`` takes the same arguments and also says
which sessions it replaced (see :mod:`formcheck.store.history`). Plots live in
:mod:`formcheck.store.plots` (imported on demand: it pulls in matplotlib).
"""

from formcheck.store.history import (
    History,
    SaveOutcome,
    SessionInfo,
    StoredSession,
    history_path,
    open_history,
    save_result,
    save_session,
)
from formcheck.store.progress import ExerciseProgress, SessionPoint, Trend, load_progress
from formcheck.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ExerciseProgress",
    "History",
    "SaveOutcome",
    "SessionInfo",
    "SessionPoint",
    "StoredSession",
    "Trend",
    "history_path",
    "load_progress",
    "open_history",
    "save_result",
    "save_session",
]
