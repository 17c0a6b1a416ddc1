"""Keys of the live window, as actions; and a scripted key source for tests.

A key source is any callable ``() -> int`` that returns the code of a key pressed since the
last call, or -1 (the contract of ``cv2.waitKey``). The live loop calls it once per shown
frame: the window supplies :meth:`formcheck.render.window.Window.poll_key`, tests a
:class:`ScriptedKeys`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

__all__ = ["HELP_LINES", "Action", "KeySource", "ScriptedKeys", "action_for"]

KeySource = Callable[[], int]


class Action(Enum):
    """What a key asks the live session to do."""

    QUIT = "quit"
    PAUSE = "pause"
    RESET = "reset"
    NEXT = "next"
    FULLSCREEN = "fullscreen"
    MIRROR = "mirror"
    HELP = "help"


_ESC = 27
_KEYS: dict[int, Action] = {
    ord("q"): Action.QUIT,
    _ESC: Action.QUIT,
    ord(" "): Action.PAUSE,
    ord("r"): Action.RESET,
    ord("n"): Action.NEXT,
    ord("f"): Action.FULLSCREEN,
    ord("m"): Action.MIRROR,
    ord("h"): Action.HELP,
}

HELP_LINES: tuple[str, ...] = (
    "Keys",
    "q, Esc\tquit (shows the summary)",
    "space\tpause / resume counting",
    "r\treset: start the set again from 0",
    "n\tnext exercise (needs a routine)",
    "f\tfull screen on / off",
    "m\tmirror the picture on / off",
    "h\tthis help on / off",
)
"""The help overlay: a title, then key and what it does, separated by a tab (two columns)."""


def action_for(key: int) -> Action | None:
    """The action of a key code from ``cv2.waitKey`` (upper case too); None for other keys."""
    if key < 0:
        return None
    code = key & 0xFF
    if ord("A") <= code <= ord("Z"):
        code += ord("a") - ord("A")
    return _KEYS.get(code)


class ScriptedKeys:
    """A key source that presses given keys on given calls (for tests, no window needed).

    ``ScriptedKeys({10: "m", 40: "q"})`` presses ``m`` on the 11th call and ``q`` on the 41st
    (calls count from 0; each shown frame is one call). Keys are characters or key codes.
    """

    def __init__(self, script: dict[int, str | int] | Iterable[tuple[int, str | int]]) -> None:
        items = script.items() if isinstance(script, dict) else script
        self._script = {int(n): (ord(k) if isinstance(k, str) else int(k)) for n, k in items}
        self.calls = 0

    def __call__(self) -> int:
        key = self._script.get(self.calls, -1)
        self.calls += 1
        return key
