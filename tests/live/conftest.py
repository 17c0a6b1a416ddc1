"""Shared pieces of the live tests: the bundled mannequin recording, a window stand-in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BIRD_DOG = REPO / "samples" / "bird-dog.jsonl.gz"  # 2 left + 2 right, bent knee on rep 3


class FakeView:
    """Stands in for the window: counts what is shown and keeps the frames asked for (by
    index) and the last two; can be 'closed' by the user after ``close_after`` frames."""

    def __init__(self, close_after: int | None = None, keep: tuple[int, ...] = ()) -> None:
        self.count = 0
        self.kept: dict[int, np.ndarray] = {}
        self.last: list[np.ndarray] = []
        self.fullscreen_toggles = 0
        self.close_after = close_after
        self._keep = set(keep)

    @property
    def closed(self) -> bool:
        return self.close_after is not None and self.count >= self.close_after

    def show(self, image_bgr: np.ndarray) -> None:
        if self.count in self._keep:
            self.kept[self.count] = image_bgr.copy()
        self.last = [*self.last[-1:], image_bgr.copy()]
        self.count += 1

    def poll_key(self, wait_ms: int = 1) -> int:
        return -1

    def toggle_fullscreen(self) -> bool:
        self.fullscreen_toggles += 1
        return self.fullscreen_toggles % 2 == 1


@pytest.fixture
def fake_view() -> FakeView:
    return FakeView()


@pytest.fixture
def make_view() -> type[FakeView]:
    """The FakeView class, for tests that need more than one or a closing one."""
    return FakeView


@pytest.fixture(scope="session")
def bird_dog() -> Path:
    assert BIRD_DOG.is_file(), f"bundled sample missing: {BIRD_DOG}"
    return BIRD_DOG


@pytest.fixture
def huds(monkeypatch) -> dict:
    """What the live session gives the overlay to draw, by frame time (0.1 s), as it runs."""
    import formcheck.live.session as live_session

    seen: dict = {}
    real = live_session.annotate

    def spy(scene, pose, hud):  # noqa: ANN001, ANN202 - annotate's own arguments
        if pose is not None:
            seen[round(pose.t_s, 1)] = hud
        return real(scene, pose, hud)

    monkeypatch.setattr(live_session, "annotate", spy)
    return seen
