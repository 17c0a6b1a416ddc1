"""Following one person when several are in view (numpy only).

At the start the largest, most central person is chosen; after that, the candidate closest to
where the followed person was (bounding-box overlap) keeps being chosen, whatever order the
model lists people in. If the followed person is gone for longer than ``reacquire_s``, the choice
starts afresh.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PersonSelector", "bbox_of"]


def bbox_of(image_lm: np.ndarray, min_visibility: float = 0.3) -> np.ndarray:
    """``[x0, y0, x1, y1]`` of the landmarks seen well enough (all of them if none are)."""
    vis = np.minimum(image_lm[:, 3], image_lm[:, 4])
    pts = image_lm[vis >= min_visibility, :2]
    if len(pts) < 2:
        pts = image_lm[:, :2]
    return np.concatenate([pts.min(axis=0), pts.max(axis=0)])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = lambda r: max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])  # noqa: E731
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


class PersonSelector:
    """``update(t_s, candidates, resolution_wh) -> index | None`` once per frame."""

    def __init__(self, reacquire_s: float = 1.0, min_iou: float = 0.1) -> None:
        self.reacquire_s = reacquire_s
        self.min_iou = min_iou
        self.reset()

    def reset(self) -> None:
        self._box: np.ndarray | None = None
        self._last_seen_s = -np.inf

    def update(
        self, t_s: float, candidates: list[np.ndarray], resolution_wh: tuple[int, int]
    ) -> int | None:
        if not candidates:
            return None
        boxes = [bbox_of(c) for c in candidates]
        if self._box is not None and t_s - self._last_seen_s <= self.reacquire_s:
            ious = [_iou(self._box, b) for b in boxes]
            best = int(np.argmax(ious))
            if ious[best] < self.min_iou:
                return None  # the followed person is not among these; someone else is
        else:
            best = self._initial_choice(boxes, resolution_wh)
        self._box = boxes[best]
        self._last_seen_s = t_s
        return best

    @staticmethod
    def _initial_choice(boxes: list[np.ndarray], resolution_wh: tuple[int, int]) -> int:
        w, h = resolution_wh
        centre = np.array([w / 2.0, h / 2.0])
        diag = float(np.hypot(w, h))
        scores = []
        for b in boxes:
            area = max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1]) / float(w * h)
            off = np.linalg.norm((b[:2] + b[2:]) / 2.0 - centre) / diag
            scores.append(area * (1.0 - off))
        return int(np.argmax(scores))
