"""The eval table as one self-contained HTML page (no scripts, no network)."""

from __future__ import annotations

import html

from formcheck.eval.metrics import ClipScore, Totals
from formcheck.eval.run import EvalResult

__all__ = ["eval_html"]

_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:right}th{background:#f2f2f2}td.l,th.l{text-align:left}.bad{background:#fde2e2}
.ok{background:#e3f6e3}.na{color:#888}"""


def _f(v: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if v is None else fmt.format(v)


def _totals_row(name: str, t: Totals) -> str:
    cells = [name, f"{t.supported}/{t.clips}", str(t.counted), _f(t.mae), _f(t.obo), _f(t.exact),
             _f(t.hold_error_s), _f(t.fault_precision), _f(t.fault_recall)]  # fmt: skip
    return "<tr>" + "".join(
        f'<td class="l">{html.escape(c)}</td>' if i == 0 else f"<td>{c}</td>"
        for i, c in enumerate(cells)
    ) + "</tr>"  # fmt: skip


def _clip_row(s: ClipScore) -> str:
    if not s.supported:
        status, cls = "not supported", "na"
    elif s.error:
        status, cls = f"error: {s.error}", "bad"
    elif s.abs_error is None:
        status, cls = "", ""
    else:
        status, cls = ("exact", "ok") if s.abs_error == 0 else (
            ("off by one", "") if s.abs_error == 1 else (f"off by {s.abs_error}", "bad")
        )  # fmt: skip
    cells = [
        f'<td class="l">{html.escape(s.file)}</td>',
        f'<td class="l">{html.escape(s.exercise)}</td>',
        f"<td>{_f(s.true_reps, '{}')}</td>", f"<td>{_f(s.pred_reps, '{}')}</td>",
        f"<td>{_f(s.rel_error)}</td>", f"<td>{_f(s.true_hold_s, '{:.1f}')}</td>",
        f"<td>{_f(s.pred_hold_s, '{:.1f}')}</td>",
        f"<td>{s.fault_tp}/{s.fault_fp}/{s.fault_fn}</td>", f"<td>{s.seconds:.1f}</td>",
        f'<td class="l {cls}">{html.escape(status)}</td>',
    ]  # fmt: skip
    return "<tr>" + "".join(cells) + "</tr>"


def eval_html(result: EvalResult) -> str:
    head = (
        "<tr><th class='l'>exercise</th><th>supported</th><th>counted</th><th>MAE</th>"
        "<th>OBO</th><th>exact</th><th>hold err s</th><th>fault P</th><th>fault R</th></tr>"
    )
    rows = [_totals_row("all clips", result.totals)] + [
        _totals_row(k, v) for k, v in result.by_exercise().items()
    ]
    clip_head = (
        "<tr><th class='l'>clip</th><th class='l'>exercise</th><th>true</th>"
        "<th>pred</th><th>rel err</th><th>true hold</th><th>pred hold</th>"
        "<th>faults TP/FP/FN</th><th>s</th><th class='l'>result</th></tr>"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>formcheck eval</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>formcheck eval</h1><p>formcheck {html.escape(result.version)}, model "
        f"{html.escape(result.model)}, {html.escape(result.created)}, labels "
        f"{html.escape(result.labels)}</p>"
        f"<table>{head}{''.join(rows)}</table>"
        f"<table>{clip_head}{''.join(_clip_row(s) for s in result.scores)}</table>"
        "</body></html>\n"
    )  # fmt: skip
