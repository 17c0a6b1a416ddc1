"""Keys map to actions; a scripted key source presses them on given frames."""

from __future__ import annotations

import pytest

from formcheck.live import Action, ScriptedKeys, action_for


@pytest.mark.parametrize(
    ("key", "action"),
    [
        (ord("q"), Action.QUIT), (27, Action.QUIT), (ord("Q"), Action.QUIT),
        (ord(" "), Action.PAUSE), (ord("r"), Action.RESET), (ord("n"), Action.NEXT),
        (ord("f"), Action.FULLSCREEN), (ord("m"), Action.MIRROR), (ord("h"), Action.HELP),
        (ord("x"), None), (-1, None), (0x100000 | ord("q"), Action.QUIT),  # modifier bits
    ],
)  # fmt: skip
def test_action_for(key, action):
    assert action_for(key) is action


def test_scripted_keys_press_on_their_call():
    keys = ScriptedKeys({1: "m", 3: 27})
    assert [keys() for _ in range(5)] == [-1, ord("m"), -1, 27, -1]
    assert keys.calls == 5
