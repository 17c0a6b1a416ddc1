"""The training history: every analysed set in a per-user SQLite database, and progress over time.

    from formcheck.store import open_history

    with open_history() as history:                  # $FORMCHECK_HOME or the user data folder
        session_id = history.save(result, source_kind="video", profile="default")
        sessions = history.list_sessions(exercise="bird-dog")

``save_result(result, source_kind=..., profile=..., no_history=...)`` is the one call the
analyse and live commands make (see :mod:`formcheck.store.history`).
"""

from formcheck.store.history import (
    History,
    SessionInfo,
    StoredSession,
    history_path,
    open_history,
    save_result,
)
from formcheck.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "History",
    "SessionInfo",
    "StoredSession",
    "history_path",
    "open_history",
    "save_result",
]
