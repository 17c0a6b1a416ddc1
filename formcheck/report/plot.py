"""The report's plot: the driving feature over time, reps shaded, faults marked (matplotlib, Agg).

Uses matplotlib's object API (``Figure`` + the Agg canvas), never ``pyplot``: no global state,
no window, safe in worker processes.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import numpy as np

__all__ = ["SIDE_COLOURS", "drive_plot_png", "numbered_faults"]

SIDE_COLOURS = {"left": "#1f6fb4", "right": "#e07b10", "both": "#1c7c6c"}
FAULT_COLOUR = "#c62828"
SETUP_COLOUR = "#f0a020"
_MAX_POINTS = 6000  # longer series are thinned to this many points for drawing


def numbered_faults(report: dict[str, Any]) -> list[tuple[str, dict, dict]]:
    """Every fault of every rep as (label "F1", rep, fault), in rep order."""
    out = []
    for rep in report["reps"]:
        for fault in rep["faults"]:
            out.append((f"F{len(out) + 1}", rep, fault))
    return out


def _drive_label(ex: dict[str, Any]) -> str:
    """The driving feature in words (the report's ``drive_label``; its id in older reports)."""
    return ex.get("drive_label") or ex["drive"].replace("_{side}", "").replace("_", " ")


def _value_at(t: np.ndarray, v: np.ndarray, t_s: float) -> float:
    if not len(t):
        return float("nan")
    i = int(np.clip(np.searchsorted(t, t_s), 0, len(t) - 1))
    return float(v[i])


def drive_plot_png(
    report: dict[str, Any], t_s: np.ndarray, drive: dict[str, np.ndarray],
    *, rest: dict[str, np.ndarray] | None = None,
    width_in: float = 11.0, height_in: float = 3.6, dpi: int = 110,
) -> bytes:  # fmt: skip
    """PNG bytes of the plot for ``report`` (see :func:`formcheck.report.build_report`);
    ``rest``: the person's rest level of each side over time, drawn dotted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ex = report["exercise"]
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    step = max(1, len(t_s) // _MAX_POINTS)
    for side, values in drive.items():
        if len(values) != len(t_s) or not len(values):
            continue
        label = side if side != "both" else _drive_label(ex)
        ax.plot(t_s[::step], values[::step], color=SIDE_COLOURS.get(side, "#333"), lw=1.6,
                label=label)  # fmt: skip
    for side, values in (rest or {}).items():
        if len(values) == len(t_s) and len(values):
            ax.plot(t_s[::step], values[::step], color=SIDE_COLOURS.get(side, "#333"), lw=0.9,
                    ls=":")  # fmt: skip
    for span in report["setup"]:
        ax.axvspan(span["start_s"], span["end_s"], ymin=0.96, ymax=1.0, color=SETUP_COLOUR, lw=0)
    for span in report["not_in_view"]:
        ax.axvspan(span["start_s"], span["end_s"], color="#999", alpha=0.18, hatch="//", lw=0)
    for rep in report["reps"]:
        colour = SIDE_COLOURS.get(rep["side"], "#333")
        ax.axvspan(rep["start_s"], rep["end_s"], color=colour, alpha=0.13, lw=0)
        ax.annotate(
            f"{rep['index']}", ((rep["start_s"] + rep["end_s"]) / 2, 1.0),
            xycoords=("data", "axes fraction"), xytext=(0, 2), textcoords="offset points",
            ha="center", va="bottom", fontsize=8, color=colour, fontweight="bold",
        )  # fmt: skip
    marks: dict[tuple[str, float], list[str]] = {}  # faults at one frame share a marker
    for label, rep, fault in numbered_faults(report):
        t_mark = fault["worst"]["t_s"] if fault["worst"] else fault["start_s"]
        if fault["end_s"] > fault["start_s"]:
            ax.axvspan(fault["start_s"], fault["end_s"], ymin=0.0, ymax=0.04,
                       color=FAULT_COLOUR, alpha=0.8, lw=0)  # fmt: skip
        marks.setdefault((rep["side"], round(t_mark, 2)), []).append(label)
    for (side, t_mark), labels in marks.items():
        series = drive.get(side, drive.get("both"))
        if series is None or len(series) != len(t_s):
            continue
        y = _value_at(t_s, series, t_mark)
        if np.isnan(y):
            continue
        text = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
        ax.plot([t_mark], [y], marker="v", ms=8, color=FAULT_COLOUR, zorder=5)
        ax.annotate(text, (t_mark, y), xytext=(4, 6), textcoords="offset points",
                    fontsize=8, color=FAULT_COLOUR, fontweight="bold")  # fmt: skip
    unit = {"deg": "°"}.get(ex["drive_unit"], ex["drive_unit"])
    ax.set_xlabel("time (s)")
    title = _drive_label(ex) + (f" ({unit})" if unit else "")
    ax.set_ylabel(textwrap.fill(title, 36))  # a long label on two lines, not off the figure
    if len(t_s):
        ax.set_xlim(float(t_s[0]), float(t_s[-1]) if t_s[-1] > t_s[0] else float(t_s[0]) + 1)
    ax.grid(True, alpha=0.25)
    ax.margins(y=0.12)  # room for the fault bars under the curves
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=4, fontsize=8,
                  frameon=False)  # fmt: skip
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
