"""The end of a live session: the summary lines, the report files, screenshots of the window.

``--save-report DIR`` writes what ``formcheck analyze -o`` writes for an input (each file
atomically): for one exercise ``report.json`` (schema ``formcheck.report`` v1, whose ``result``
is the session result with its ``live`` block), ``report.html`` and ``reps.csv``, made by the
same functions from the same :class:`~formcheck.report.collect.Collector`, fed frame by frame
as the session runs (:class:`LiveReport`). For a routine: ``report.json`` is the routine's
result (schema ``formcheck.routine_result``), ``report.html`` a page with each exercise's sets
and reps, and ``reps.csv`` one row per rep with its exercise and set.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck import __version__
from formcheck.atomic import write_atomic, write_json
from formcheck.csvsafe import SafeWriter
from formcheck.engine import Engine, ExerciseDef
from formcheck.engine.words import words_for
from formcheck.errors import OutputError
from formcheck.htmlpage import html_page
from formcheck.live.feed import LiveFrame

__all__ = [
    "REPORT_FILES",
    "REPORT_NAME",
    "LiveReport",
    "ScreenshotSaver",
    "prepare_report_dir",
    "routine_summary_lines",
    "save_report",
    "summary_lines",
]

REPORT_NAME = "report.json"
REPORT_FILES = ("report.json", "report.html", "reps.csv")


def summary_lines(result: dict[str, Any], title: str) -> tuple[str, ...]:
    """A few short lines for the summary screen: reps per side, holds, faults (in words)."""
    words = words_for(result["exercise"])
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
        lines.append("faults: " + words.faults(s["faults"]))
    else:
        lines.append("faults: none" if s["reps"] else "no reps counted")
    for rep in result["reps"]:
        hold = "" if rep["hold_s"] is None else f"  hold {rep['hold_s']:.1f} s"
        good = rep.get("form_hold_s")
        if good is not None and rep["hold_s"] is not None and good < rep["hold_s"] - 0.05:
            hold += f" ({good:.1f} s good form)"
        faults = ", ".join(words.fault(f) for f in rep["faults"]) or "ok"
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
            lines.append("  faults: " + words_for(ex["exercise"]).faults(ex["faults"]))
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


class LiveReport:
    """The report files of one live session (see the module docstring).

    ::

        report = LiveReport("out/", exercise)          # the folder is checked now
        feed.frames = report.frames(feed.frames, session)
        outcome = session.run(feed)
        report.write(outcome.result, source=feed.name, kind="camera", fps=..., ...)

    :meth:`frames` passes the session's frames through; once the session has analysed a
    frame (it asks for the next one), the collector sees it with the engine's state of that
    frame, as ``analyze`` feeds it. Frames not analysed (paused) are skipped; ``r`` (a new set)
    starts a new collection, since the result is then of the new set. The picture is copied
    before the session draws its overlay on it, so the thumbnails show the person, not the HUD.
    """

    def __init__(self, folder: str | os.PathLike[str], target: Any) -> None:
        self.folder = prepare_report_dir(folder)
        self.exercise: ExerciseDef | None = target if isinstance(target, ExerciseDef) else None
        self._collector: Any = None
        self._engine: Engine | None = None
        self._events: list[Any] | None = None
        self._seen = 0
        self._last: Any = None  # the engine's (smoothed) pose when the collector last saw it
        self._pending: tuple[Any, np.ndarray | None] | None = None

    def frames(self, source: Iterable[LiveFrame], session: Any) -> Iterator[LiveFrame]:
        """``source``, with each analysed frame shown to the collector (one exercise only)."""
        for lf in source:
            if self.exercise is None:
                yield lf
                continue
            picture = None if lf.image_bgr is None else lf.image_bgr.copy()
            self._pending = (lf.pose, picture)
            yield lf
            self._collect(session.engine)

    def _collect(self, engine: Engine) -> None:
        if self._pending is None:
            return
        _, picture = self._pending
        self._pending = None
        frame = engine.frame
        if frame.pose is None or frame.pose is self._last:
            return  # not analysed: paused, or the set was just reset
        if engine is not self._engine or engine.events is not self._events:
            from formcheck.report.collect import Collector

            assert self.exercise is not None
            self._collector = Collector(self.exercise, [s.side for s in frame.sides])
            self._engine, self._events, self._seen = engine, engine.events, 0
        self._last = frame.pose
        self._collector.on_frame(frame, picture)
        self._new_events(engine)

    def _new_events(self, engine: Engine) -> None:
        if self._collector is None or engine.events is not self._events:
            return
        for event in engine.events[self._seen :]:
            self._collector.on_event(event)
        self._seen = len(engine.events)

    def write(
        self, result: dict[str, Any], *, session: Any = None, source: str = "",
        path: str = "", kind: str = "video", fps: float = 0.0,
        resolution_wh: tuple[int, int] = (0, 0), model: str = "", warnings: Iterable[str] = (),
        who: dict[str, Any] | None = None,
    ) -> Path:  # fmt: skip
        """Write the report files; returns the path of ``report.html``. ``session`` is the
        :class:`~formcheck.live.LiveSession` that ran (its last frame and the end of the set
        are collected here); the rest describes the input for the report's ``input`` block,
        and ``who`` is its ``session`` block (profile, when; see ``build_report``)."""
        if self.exercise is None:
            write_atomic(self.folder / "reps.csv", routine_reps_csv(result))
            write_atomic(self.folder / "report.html", routine_html(result))
            write_json(self.folder / REPORT_NAME, result)
            return self.folder / "report.html"
        from formcheck.report.collect import Collector
        from formcheck.report.html import report_html
        from formcheck.report.plot import drive_plot_png
        from formcheck.report.schema import build_report
        from formcheck.report.tables import reps_csv

        if session is not None:
            self._collect(session.engine)  # the last frame, if the session stopped on it
            self._new_events(session.engine)  # and what the end of the set completed
        col = self._collector or Collector(self.exercise, Engine(self.exercise).sides)
        t, drive = col.drive_arrays()
        interrupted = bool(result.get("interrupted"))
        notes = list(warnings)
        if interrupted:
            notes.append(f"{source}: interrupted (Ctrl+C); the report covers the set so far")
        info = {
            "name": source, "path": path, "kind": kind, "fps": float(fps),
            "resolution_wh": list(resolution_wh), "frames": col.frames,
            "frames_with_person": col.frames_with_person, "frame_count": None,
            "duration_s": result["duration_s"], "model": model,
            "formcheck_version": __version__, "truncated": False,
        }  # fmt: skip
        report = build_report(
            result, self.exercise, input_info=info, t_s=t, drive=drive,
            worst={k: (v.t_s, v.frame) for k, v in col.thumbnails.items()},
            warnings=notes, partial_reasons=["interrupted"] if interrupted else [],
            outputs={"html": "report.html", "csv": "reps.csv", "annotated_video": None},
            session=who,
        )  # fmt: skip
        plot = drive_plot_png(report, t, drive, rest=col.rest_arrays()) if len(t) else None
        write_atomic(self.folder / "reps.csv", reps_csv(report))
        write_atomic(self.folder / "report.html", report_html(report, plot, col.thumbnails))
        write_json(self.folder / REPORT_NAME, report)
        return self.folder / "report.html"


ROUTINE_CSV_COLUMNS = (
    "exercise", "set", "rep", "side", "side_rep", "start_s", "end_s", "duration_s",
    "range_of_motion", "hold_s", "hold_met", "uncertain", "faults", "evidence",
)  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _evidence(evidence: list[dict[str, Any]]) -> str:
    """``knee_left 135.2 < 150 @ 12.30-13.10 s; ...``, as ``reps.csv`` of analyze says it."""
    return "; ".join(
        f"{e['feature']} {e['value']:g} {e['threshold']} @ {e['start_s']:.2f}-{e['end_s']:.2f} s"
        for e in evidence
    )


def routine_reps_csv(result: dict[str, Any]) -> str:
    """A routine's reps (``formcheck.routine_result``) as CSV: one row per rep of every set."""
    buf = io.StringIO()
    out = SafeWriter(buf)
    out.writerow(ROUTINE_CSV_COLUMNS)
    for ex in result["exercises"]:
        for one in ex["sets"]:
            for r in one["reps"]:
                out.writerow([_cell(v) for v in (
                    ex["exercise"], one["set"], r["index"], r["side"], r["side_index"],
                    r["start_s"], r["end_s"], r["duration_s"], r["range"], r["hold_s"],
                    r["hold_met"], r["uncertain"], ";".join(r["faults"]), _evidence(r["evidence"]),
                )])  # fmt: skip
    return buf.getvalue()


def routine_html(result: dict[str, Any]) -> str:
    """A self-contained page for a routine session: per exercise, its sets against the plan
    and every rep with its faults and their evidence."""
    state = "complete" if result["completed"] else "not complete"
    parts = [
        f"<header><h1>{escape(result['name'])}</h1><p class='sub'>routine {state}, "
        f"{result['duration_s']:.0f} s · {escape(result['source'])} · formcheck "
        f"{escape(__version__)}</p></header>"
    ]
    for ex in result["exercises"]:
        target = ex["target"]
        unit = " s hold" if target["unit"] == "s" else " reps"
        parts.append(
            f"<h2>{escape(ex['name'])}</h2><p class='sub'>{ex['sets_done']} of "
            f"{ex['sets_planned']} sets done; target {target['target']:g}{unit} "
            f"({escape(', '.join(target['per']))})</p>"
        )
        rows = []
        words = words_for(ex["exercise"])
        for one in ex["sets"]:
            for r in one["reps"]:
                hold = "" if r["hold_s"] is None else f"{r['hold_s']:.1f} s"
                faults = (
                    "".join(
                        f"<div class='flt'>{escape(words.fault(e['fault']))}: "
                        f"{escape(words.evidence(e))}</div>"
                        for e in r["evidence"]
                    )
                    or "<span class='ok'>ok</span>"
                )
                rows.append(
                    f"<tr><td class='num'>{one['set']}</td><td class='num'>{r['index']}</td>"
                    f"<td>{escape(r['side'])}</td><td class='num'>{r['start_s']:.1f}–"
                    f"{r['end_s']:.1f} s</td><td class='num'>{hold}</td><td>{faults}</td></tr>"
                )
            if not one["reps"]:
                rows.append(
                    f"<tr><td class='num'>{one['set']}</td><td colspan='5'>no reps</td></tr>"
                )
        if rows:
            parts.append(
                "<table><thead><tr><th class='num'>set</th><th class='num'>rep</th><th>side</th>"
                "<th class='num'>time</th><th class='num'>hold</th><th>faults</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
        else:
            parts.append("<p class='note'>Not started.</p>")
    parts.append(
        "<footer>report.json beside this page is the routine's result (schema "
        "formcheck.routine_result); reps.csv has one row per rep.</footer>"
    )
    return html_page(f"formcheck: {result['name']}", "\n".join(parts))


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
