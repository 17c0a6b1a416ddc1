"""The eval table as one self-contained HTML page (no scripts, no network).

The page skeleton and its base CSS are :mod:`formcheck.htmlpage`'s, as for the report; numbers
are right-aligned (``num``), and a clip's result is green when exact, red when off by more than
one rep or failed, grey when formcheck does not know the exercise.
"""

from __future__ import annotations

import html

from formcheck.eval.metrics import ClipScore, Totals
from formcheck.eval.run import EvalResult
from formcheck.htmlpage import html_page
from formcheck.sources.changed import CAMERA_CHANGES

__all__ = ["eval_html"]

_CSS = ".na{color:#888}"  # a clip whose exercise formcheck does not know


def _f(v: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if v is None else fmt.format(v)


def _totals_row(name: str, t: Totals) -> str:
    cells = [name, f"{t.supported}/{t.clips}", str(t.counted), _f(t.mae), _f(t.obo), _f(t.exact),
             _f(t.hold_error_s), _f(t.fault_precision), _f(t.fault_recall)]  # fmt: skip
    return "<tr>" + "".join(
        f"<td>{html.escape(c)}</td>" if i == 0 else f'<td class="num">{c}</td>'
        for i, c in enumerate(cells)
    ) + "</tr>"  # fmt: skip


def _clip_row(s: ClipScore) -> str:
    if not s.supported:
        status, cls = "not supported", "na"
    elif s.error:
        status, cls = f"error: {s.error}", "flt"
    elif s.abs_error is None:
        status, cls = "", ""
    else:
        status, cls = ("exact", "ok") if s.abs_error == 0 else (
            ("off by one", "") if s.abs_error == 1 else (f"off by {s.abs_error}", "flt")
        )  # fmt: skip
    numbers = [
        _f(s.true_reps, "{}"), _f(s.pred_reps, "{}"), _f(s.rel_error),
        _f(s.true_hold_s, "{:.1f}"), _f(s.pred_hold_s, "{:.1f}"),
        f"{s.fault_tp}/{s.fault_fp}/{s.fault_fn}", f"{s.seconds:.1f}",
    ]  # fmt: skip
    result = f'<span class="{cls}">{html.escape(status)}</span>' if cls else html.escape(status)
    return (
        f"<tr><td>{html.escape(s.file)}</td><td>{html.escape(s.exercise)}</td>"
        + "".join(f'<td class="num">{n}</td>' for n in numbers)
        + f"<td>{_auto(s)}</td><td>{result}</td></tr>"
    )


def _auto(s: ClipScore) -> str:
    """``--exercise auto`` on the clip: right (its confidence), unsure or wrong (what it named)."""
    if s.auto is None:
        return ""
    if s.auto == "right":
        return f'<span class="ok">right</span> {_f(s.auto_confidence)}'
    cls = "flt" if s.auto == "wrong" else "na"
    return f'<span class="{cls}">{html.escape(s.auto)}</span> ({html.escape(s.auto_chosen or "")})'


def _th(labels: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return "".join(f"<th{c}>{h}</th>" for h in labels.split("|"))


def _table(head: str, rows: list[str]) -> str:
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _auto_line(t: Totals) -> str:
    judged = t.auto_right + t.auto_unsure + t.auto_wrong
    if not judged:
        return ""
    return (
        f"<p><code>--exercise auto</code>: right and sure on {t.auto_right} of {judged} clips "
        f"({t.auto_right / judged:.0%}), unsure on {t.auto_unsure}, sure and wrong on "
        f"{t.auto_wrong}.</p>\n"
    )


def eval_html(result: EvalResult) -> str:
    """The page for one eval run: totals (all clips, then per exercise) and one row per clip."""
    head = _th("exercise") + _th(
        "supported|counted|MAE|OBO|exact|hold err s|fault P|fault R", "num"
    )
    rows = [_totals_row("all clips", result.totals)] + [
        _totals_row(k, v) for k, v in result.by_exercise().items()
    ]
    clip_head = (
        _th("clip|exercise")
        + _th("true|pred|rel err|true hold|pred hold|faults TP/FP/FN|s", "num")
        + _th("auto|result")
    )
    camera = ""
    if result.camera is not None:
        change = CAMERA_CHANGES.get(result.camera)
        camera = f"; every clip {html.escape(change.words if change else result.camera)}"
    body = (
        f'<header><h1>formcheck eval</h1><p class="sub">formcheck {html.escape(result.version)}, '
        f"model {html.escape(result.model)}, {html.escape(result.created)}, labels "
        f"{html.escape(result.labels)}{camera}</p></header>\n"
        f"<h2>Totals</h2>{_table(head, rows)}\n{_auto_line(result.totals)}"
        f"<h2>Clips</h2>{_table(clip_head, [_clip_row(s) for s in result.scores])}"
    )
    return html_page("formcheck eval", body, css=_CSS)
