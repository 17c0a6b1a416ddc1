"""The end of a live session: the summary lines, the JSON report, screenshots of the window."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.atomic import write_json
from formcheck.errors import OutputError

__all__ = [
    "REPORT_NAME",
    "ScreenshotSaver",
    "prepare_report_dir",
    "routine_summary_lines",
    "save_report",
    "summary_lines",
]

REPORT_NAME = "report.json"


def summary_lines(result: dict[str, Any], title: str) -> tuple[str, ...]:
    """A few short lines for the summary screen: reps per side, holds, faults."""
    s = result["summary"]
    sides = s["reps_by_side"]
    reps = f"{s['reps']} rep" + ("" if s["reps"] == 1 else "s")
    if list(sides) != ["both"]:
        reps += "  (" + ", ".join(f"{k} {v}" for k, v in sides.items()) + ")"
    lines = [f"{title}: session summary", reps]
    if s["mean_hold_s"] is not None:
        lines.append(
            f"holds: mean {s['mean_hold_s']:.1f} s"
            + (
                f", {s['holds_met']}/{s['reps']} on target with good form"
                if s["holds_met"] is not None
                else ""
            )
        )
    if s["faults"]:
        lines.append("faults: " + ", ".join(f"{k} x{v}" for k, v in s["faults"].items()))
    else:
        lines.append("faults: none" if s["reps"] else "no reps counted")
    for rep in result["reps"]:
        hold = "" if rep["hold_s"] is None else f"  hold {rep['hold_s']:.1f} s"
        good = rep.get("form_hold_s")
        if good is not None and rep["hold_s"] is not None and good < rep["hold_s"] - 0.05:
            hold += f" ({good:.1f} s good form)"
        faults = ", ".join(rep["faults"]) or "ok"
        lines.append(f"  rep {rep['index']}  {rep['side']}{hold}  {faults}")
        if len(lines) >= 14:  # the rest is in the printed summary and the report
            lines.append("  ...")
            break
    return tuple(lines)


def routine_summary_lines(result: dict[str, Any]) -> tuple[str, ...]:
    """The lines of a routine's summary (``formcheck.routine_result``): per exercise the sets
    done against those planned, the reps of each set and the faults."""
    state = "complete" if result["completed"] else "not complete"
    lines = [f"{result['name']}: routine {state} ({result['duration_s']:.0f} s)"]
    for ex in result["exercises"]:
        target = ex["target"]
        unit = " s hold" if target["unit"] == "s" else " rep" if target["target"] == 1 else " reps"
        per = "" if target["per"] == ["both"] else " per side"
        if target["per"] not in (["both"], ["left", "right"]):
            per = " per direction"
        lines.append(
            f"{ex['name']}: {ex['sets_done']}/{ex['sets_planned']} sets of "
            f"{target['target']:g}{unit}{per}"
        )
        for one in ex["sets"]:
            counts = ", ".join(
                str(n) if side == "both" else f"{side} {n}"
                for side, n in one["summary"]["reps_by_side"].items()
            )
            done = "" if one["complete"] else "  (short)"
            lines.append(f"  set {one['set']}: {counts}{done}")
        if ex["faults"]:
            lines.append("  faults: " + ", ".join(f"{k} x{v}" for k, v in ex["faults"].items()))
    return tuple(lines)


def prepare_report_dir(folder: str | os.PathLike[str]) -> Path:
    """Create the report folder now, so that a bad path fails before the session, not after."""
    path = Path(folder).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".formcheck-probe-")  # noqa: SIM115
        probe.close()
    except OSError as err:
        raise OutputError(
            f"cannot write a report into {path}: {err.strerror or err} (is it a folder you can "
            "write to?)"
        ) from None
    return path


def save_report(result: dict[str, Any], folder: str | os.PathLike[str]) -> Path:
    """Write ``result`` as JSON to ``folder/report.json`` atomically (temp file, then rename)."""
    return write_json(prepare_report_dir(folder) / REPORT_NAME, result)


class ScreenshotSaver:
    """Saves what the window shows as PNGs named by input time (``live_0008.00s.png``): the
    first frame at or after each multiple of ``every_s`` seconds of input time.

    Which frames are saved depends only on the input's timestamps, never on how fast frames
    are drawn: with every frame drawn (a recording at ``--speed 0``) the shot for 8 s is the
    frame at 8 s on any machine."""

    def __init__(self, folder: str | os.PathLike[str], every_s: float = 1.0) -> None:
        if not every_s > 0:
            raise ValueError(f"every_s must be more than 0, got {every_s!r}")
        self.folder = Path(folder).expanduser()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"cannot write screenshots into {self.folder}: {err}") from None
        self.every_s = every_s
        self.saved: list[Path] = []
        self._next_s: float | None = None

    def offer(self, t_s: float, scene: np.ndarray) -> None:
        """Save ``scene`` if it is the first frame at or after the next multiple of ``every_s``."""
        if self._next_s is not None and t_s < self._next_s:
            return
        self._next_s = (math.floor(t_s / self.every_s + 1e-9) + 1) * self.every_s
        self.save(scene, f"live_{t_s:07.2f}s.png")

    def save(self, scene: np.ndarray, name: str) -> Path:
        path = self.folder / name
        if not cv2.imwrite(str(path), scene):
            raise OutputError(f"cannot write {path}")
        self.saved.append(path)
        return path
