"""Progress plots: one row of four panels per exercise, as a PNG or a self-contained HTML page.

Panels, each over the sessions in time order (evenly spaced, labelled with their dates, so that
several sets on one day stay readable): reps per session; mean hold per session (every rep's
hold as a faint dot) against the definition's target; faults per 10 reps (all, and the most
common fault ids); range of motion (mean per session, band from the smallest to the largest
rep). The HTML page (the skeleton of :mod:`formcheck.htmlpage`) embeds the PNG as
``data:image/png;base64`` and loads nothing from the network.

Partial sessions (interrupted, or the video ended early) are hollow markers in every panel.
Their rep count is not the set's, so the reps line joins the complete sessions only and the
partial ones stand beside it, with a legend entry saying so.

matplotlib is used through its object API on the Agg canvas (no pyplot, no global state, no
display needed), and imported only when a plot is asked for.
"""

from __future__ import annotations

import html
import io
import textwrap
from typing import TYPE_CHECKING

import numpy as np

from formcheck.htmlpage import html_page, inline_image
from formcheck.store.progress import ExerciseProgress

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["progress_figure", "progress_html", "progress_png"]

_PANEL_WH_IN = (4.0, 3.0)
_DPI = 100
_MAX_FAULT_LINES = 4
_MAX_DATE_TICKS = 5
_PARTIAL_LABEL = "partial set (interrupted or cut short)"
# Room for a row of four panels at their own size (1600 px), never stretched beyond it.
_CSS = "body{max-width:1700px}img.plot{width:auto}"


def progress_figure(progress: list[ExerciseProgress]) -> Figure:
    """A matplotlib Figure (Agg canvas): one row of four panels per exercise."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = max(1, len(progress))
    fig = Figure(
        figsize=(4 * _PANEL_WH_IN[0], rows * _PANEL_WH_IN[1] + 0.4), dpi=_DPI, layout="constrained"
    )
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 4, squeeze=False)
    with_profile = len({p.profile for p in progress}) > 1
    for row, prog in zip(axes, progress, strict=False):
        _draw(prog, row, with_profile)
    return fig


def progress_png(progress: list[ExerciseProgress]) -> bytes:
    """The figure as PNG bytes (no software metadata, so the bytes carry no URL)."""
    buf = io.BytesIO()
    progress_figure(progress).savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def progress_html(progress: list[ExerciseProgress], *, title: str = "formcheck progress") -> str:
    """A self-contained page: per exercise, its one-line summary and its plots inline. The
    profile is named in the title when the page is of one person's (not ``default``)."""
    profiles = {p.profile for p in progress}
    with_profile = len(profiles) > 1
    if len(profiles) == 1 and (who := next(iter(profiles))) != "default":
        title = f"{title}: {who}"
    sections = []
    for prog in progress:
        name = f"{prog.exercise} ({prog.profile})" if with_profile else prog.exercise
        img = inline_image(progress_png([prog]), f"progress plots for {name}", "plot")
        sections.append(
            f"<section>\n<h2>{html.escape(name)}</h2>\n"
            f"<p>{html.escape(prog.summary(with_profile=with_profile))}</p>\n{img}\n</section>"
        )
    body = "\n".join(sections) or "<p>No sessions.</p>"
    return html_page(title, f"<h1>{html.escape(title)}</h1>\n{body}", css=_CSS)


def _draw(prog: ExerciseProgress, axes: list[Axes], with_profile: bool) -> None:
    t = list(range(1, len(prog.points) + 1))
    name = f"{prog.exercise} ({prog.profile})" if with_profile else prog.exercise
    reps_ax, hold_ax, fault_ax, range_ax = axes

    whole = [(x, p.reps) for x, p in zip(t, prog.points, strict=True) if not p.partial]
    if whole:
        reps_ax.plot(*zip(*whole, strict=True), "o-", color="tab:blue", label="complete set")
    _hollow(reps_ax, t, prog, [p.reps for p in prog.points], "tab:blue", _PARTIAL_LABEL)
    reps_ax.set_title(f"{name}: reps per session", fontsize=10)
    _from_zero(reps_ax)
    reps_ax.yaxis.get_major_locator().set_params(integer=True)
    if len(whole) < len(prog.points):
        reps_ax.legend(fontsize=8)

    if any(p.holds_s for p in prog.points):
        for x, p in zip(t, prog.points, strict=True):
            hold_ax.plot([x] * len(p.holds_s), p.holds_s, ".", color="0.7")
        hold_ax.plot(t, _nan([p.mean_hold_s for p in prog.points]), "o-", color="tab:green",
                     label="mean hold")  # fmt: skip
        _hollow(hold_ax, t, prog, [p.mean_hold_s for p in prog.points], "tab:green")
        if prog.hold_target_s:
            hold_ax.axhline(prog.hold_target_s, ls="--", color="tab:red",
                            label=f"target {prog.hold_target_s:g} s")  # fmt: skip
        _from_zero(hold_ax)
        hold_ax.set_ylabel("s")
        hold_ax.legend(fontsize=8, loc="lower right")
    else:
        _empty(hold_ax, "no hold in this exercise")
    hold_ax.set_title("hold per session vs target", fontsize=10)

    fault_ax.plot(t, _nan([p.faults_per_10_reps for p in prog.points]), "o-", color="black",
                  label="all faults")  # fmt: skip
    _hollow(fault_ax, t, prog, [p.faults_per_10_reps for p in prog.points], "black")
    totals: dict[str, int] = {}
    for p in prog.points:
        for f, n in p.fault_reps.items():
            totals[f] = totals.get(f, 0) + n
    for f in sorted(totals, key=lambda f: (-totals[f], f))[:_MAX_FAULT_LINES]:
        rates = [10 * p.fault_reps.get(f, 0) / p.reps if p.reps else None for p in prog.points]
        fault_ax.plot(t, _nan(rates), ".--", label=prog.fault_label(f), alpha=0.8)
    fault_ax.set_title("faults per 10 reps", fontsize=10)
    _from_zero(fault_ax)
    fault_ax.legend(fontsize=8)

    if any(p.ranges for p in prog.points):
        lo = [min(p.ranges) if p.ranges else None for p in prog.points]
        hi = [max(p.ranges) if p.ranges else None for p in prog.points]
        range_ax.fill_between(t, _nan(lo), _nan(hi), color="tab:purple", alpha=0.2,
                              label="smallest-largest rep")  # fmt: skip
        range_ax.plot(t, _nan([p.mean_range for p in prog.points]), "o-", color="tab:purple",
                      label="mean")  # fmt: skip
        _hollow(range_ax, t, prog, [p.mean_range for p in prog.points], "tab:purple")
        _from_zero(range_ax)
        range_ax.legend(fontsize=8, loc="lower right")
        if prog.drive:
            unit = prog.range_unit()
            label = f"range of the {prog.drive}" + (f" ({unit})" if unit else "")
            range_ax.set_ylabel(textwrap.fill(label, 32))
    else:
        _empty(range_ax, "no range recorded")
    range_ax.set_title("range of motion", fontsize=10)

    ticks = _date_ticks(prog)
    for ax in axes:
        if not ax.has_data():
            continue
        ax.set_xticks(*ticks)
        ax.set_xlim(0.5, len(t) + 0.5)
        ax.grid(alpha=0.3)


def _hollow(
    ax: Axes, t: list[int], prog: ExerciseProgress, values: list[float | int | None],
    color: str, label: str | None = None,
) -> None:  # fmt: skip
    """Hollow markers over the partial sessions' values (nothing when there are none)."""
    xy = [
        (x, v) for x, p, v in zip(t, prog.points, values, strict=True)
        if p.partial and v is not None
    ]  # fmt: skip
    if xy:
        ax.plot(*zip(*xy, strict=True), "o", color=color, markerfacecolor="white",
                markeredgewidth=1.5, zorder=3, label=label)  # fmt: skip


def _date_ticks(prog: ExerciseProgress) -> tuple[list[int], list[str]]:
    """A few sessions labelled with their local date (sessions are evenly spaced on the x
    axis: several sets on one day stay readable, and so does a single session)."""
    days = [p.started_at.astimezone() for p in prog.points]
    fmt = "%d %b %Y" if days[0].year != days[-1].year else "%d %b"
    step = -(-len(days) // _MAX_DATE_TICKS)
    idx = list(range(0, len(days), step))
    return [i + 1 for i in idx], [days[i].strftime(fmt) for i in idx]


def _from_zero(ax: Axes) -> None:
    """y from 0 to a little above the highest point (never a zero-height axis)."""
    top = ax.dataLim.y1 if ax.has_data() and np.isfinite(ax.dataLim.y1) else 0.0
    ax.set_ylim(0, max(top, 1.0) * 1.1)


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.5")
    ax.set_xticks([])
    ax.set_yticks([])


def _nan(values: list[float | None]) -> list[float]:
    return [float("nan") if v is None else v for v in values]
