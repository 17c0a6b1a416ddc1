"""Drawing: annotators that draw a pose and the engine's state onto a frame (no windows here)."""

from formcheck.render.annotate import Hud, annotate, draw_hud, draw_skeleton, hud_for

__all__ = ["Hud", "annotate", "draw_hud", "draw_skeleton", "hud_for"]
