"""``report.html`` and the batch ``index.html``: self-contained pages, no network.

Everything is in the one file (the page skeleton of :mod:`formcheck.htmlpage`): the CSS is
inline, the plot and the thumbnails are PNGs in ``data:`` URIs. The one thing beside it is
``annotated.mp4`` (with ``--annotate``), played by a ``<video>`` element through a relative
link, so the folder can be zipped and sent as it is; a few lines of inline script make each
rep's and each fault's time seek that video (without script, the same links open the video at
that time). Every text that comes from outside (file names, notes, cues) is escaped. A print
stylesheet keeps tables rows, plots and fault cards whole on a page and repeats who, what and
when at the top of every printed page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from formcheck.engine.words import DEGREES, format_number, time_span
from formcheck.htmlpage import html_page, inline_image
from formcheck.report.collect import Thumbnail
from formcheck.report.plot import numbered_faults

__all__ = ["index_html", "index_table", "report_html"]

# Only this page's own rules; the base (typography, tables, boxes, plots) is htmlpage.BASE_CSS.
_CSS = """
.summary th{width:220px}
.fault{display:flex;gap:18px;align-items:flex-start;background:#fff;padding:12px;
 margin:10px 0;border-left:4px solid #c62828;box-shadow:0 1px 2px #0001}
.fault img{border:1px solid #ddd;max-height:260px}
.side-left{color:#1f6fb4;font-weight:600}.side-right{color:#e07b10;font-weight:600}
.who{font-size:16px;margin:6px 0 0}.who b{font-weight:600}
video{display:block;max-width:min(100%,960px);max-height:80vh;background:#000}
a.seek{color:inherit;text-decoration:underline dotted}
.since li.better::marker{content:"▲ ";color:#2e7d32}
.since li.worse::marker{content:"▼ ";color:#c62828}.since li.same::marker{content:"= ";color:#888}
@media print{
 body{background:#fff;max-width:none;padding:0 0 0 0;font-size:12px}
 @page{margin:16mm 12mm 14mm}
 video,.screen-only{display:none}
 h2{break-after:avoid}
 tr,.fault,img.plot,.box,.since,table:not(.reps){break-inside:avoid}
 thead{display:table-header-group}
 .fault{box-shadow:none;border:1px solid #ddd;border-left:4px solid #c62828}
 a.seek{text-decoration:none}
}
"""


def _num(v: Any, unit: str = "", digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return format_number(v, unit.strip(), digits)  # "−32.1°", "2.8 s"
    return f"{v}{unit}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _side(side: str) -> str:
    return f'<span class="side-{escape(side)}">{escape(side)}</span>'


def _summary(report: dict[str, Any]) -> str:
    res, ex = report["result"], report["exercise"]
    s = res["summary"]
    unit = ex["drive_unit"]
    u = DEGREES if unit == "deg" else unit
    by_side = s["reps_by_side"]
    reps = str(s["reps"])
    pair = report.get("pair")
    if pair is not None:  # one side per video: no "right 0"
        reps += f" ({pair['side']} side only; the {_other_side(pair)})"
    elif list(by_side) != ["both"]:
        reps += " (" + ", ".join(f"{k} {v}" for k, v in by_side.items()) + ")"
    rows = [("Reps", reps)]
    if ex["hold_target_s"] is not None:
        rows.append((
            f"Mean hold (target {ex['hold_target_s']:g} s)",
            f"{_num(s['mean_hold_s'], ' s')}, {s['holds_met']} of {s['reps']} met the target",
        ))  # fmt: skip
    elif ex.get("holds"):
        rows.append(("Mean hold", _num(s["mean_hold_s"], " s")))
    roms = [r["range_of_motion"] for r in report["reps"]]
    durs = [r["duration_s"] for r in report["reps"]]
    rows.append(("Mean range of motion", _num(sum(roms) / len(roms), u) if roms else "–"))
    rows.append(("Mean rep duration", _num(sum(durs) / len(durs), " s") if durs else "–"))
    faults = s["faults"]
    rows.append((
        "Faults",
        ", ".join(f"{escape(_fault_label(ex, k))} × {v}" for k, v in faults.items())
        if faults else '<span class="ok">none</span>',
    ))  # fmt: skip
    rows.append(("Uncertain reps", str(s["uncertain_reps"])))
    rows.append(("Duration analysed", _num(res["duration_s"], " s")))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="summary">{body}</table>'


def _fault_label(exercise: dict[str, Any], fault: str) -> str:
    """A fault id in words (the report's ``fault_labels``; the id in words for older ones)."""
    return (exercise.get("fault_labels") or {}).get(fault) or fault.replace("_", " ")


def _drive_label(exercise: dict[str, Any]) -> str:
    """The driving feature in words (``drive_label``; its id in words for older reports)."""
    label = exercise.get("drive_label")
    return label or exercise["drive"].replace("_{side}", "").replace("_", " ")


def _reps_table(report: dict[str, Any]) -> str:
    ex = report["exercise"]
    hold = ex["hold_target_s"] is not None or bool(ex.get("holds"))
    unit = "°" if ex["drive_unit"] == "deg" else ex["drive_unit"]
    head = ["#", "side", "start–end (s)", "duration (s)", f"range of motion ({unit})",
            f"peak ({unit})", "lift / top / lower (s)"]  # fmt: skip
    if hold:
        head.append("hold (s)")
    head.append("faults")
    rows = []
    for r in report["reps"]:
        tempo = r["tempo"]
        t = (
            "–" if tempo is None
            else f"{tempo['lift_s']:.1f} / {tempo['top_s']:.1f} / {tempo['lower_s']:.1f}"
        )  # fmt: skip
        cells = [
            f'{r["index"]}{"?" if r["uncertain"] else ""}', _side(r["side"]),
            _seek(report, r["start_s"], f'{r["start_s"]:.1f}–{r["end_s"]:.1f}'),
            _num(r["duration_s"]),
            _num(r["range_of_motion"]), _num(r["peak"]), t,
        ]  # fmt: skip
        if hold:
            mark = "" if r["hold_met"] is not False else ' <span class="flt">short</span>'
            cells.append(_num(r["hold_s"]) + mark)
        cells.append(
            ", ".join(
                f'<span class="flt">{escape(f.get("label") or f["fault"])}</span>'
                for f in r["faults"]
            )
            or '<span class="ok">ok</span>'
        )
        rows.append('<tr class="rep">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(head)}">No complete rep was counted.</td></tr>')
    note = (
        f'<p class="note">Range of motion and peak: of the {escape(_drive_label(ex))}. '
        "? = counted while key landmarks were poorly visible. Tempo: time to "
        "reach the top zone (within 10 % of the rep's range of its peak), time in it, and time "
        "back down.</p>"
    )
    ths = "".join(f"<th>{escape(h)}</th>" for h in head)
    return (
        f'<table class="reps"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody>'
        f"</table>{note}"
    )


def _other_side(pair: dict[str, Any]) -> str:
    """Where the other side of a one-sided video is, in words (escaped)."""
    other = pair["other"]
    if other is None:
        side = "right" if pair["side"] == "left" else "left"
        return f"{side} side was not recorded"
    name = escape(other["source"])
    relative = other["report"] and not PurePath(other["report"]).is_absolute()
    link = f'<a href="{escape(_href(other["report"]))}">{name}</a>' if relative else name
    return f"{other['side']} side is in {link}"


def _pair(report: dict[str, Any], pair: dict[str, Any]) -> str:
    """Left vs right of a video that holds one side: across the pair, or why not judged."""
    if pair["other"] is None:
        return (
            f'<div class="box info">This video holds the {_side(pair["side"])} side only, and '
            f"the {_other_side(pair)}: no video of it from the same day was analysed with this "
            "one or is in the history. Left and right are not compared.</div>"
        )
    other = pair["other"]
    when = escape(other["recorded_at"][:16].replace("T", " "))
    stored = (
        f", history session {other['history_session']}"
        if other["history_session"] is not None else ""
    )  # fmt: skip
    return (
        f"<p>One side per video: this one holds the {_side(pair['side'])} side, the "
        f"{_other_side(pair)} (recorded {when} UTC{stored}). Left against right across the "
        f"two videos:</p>{_sides_table(report, pair['sides'])}"
    )


def _sides_table(report: dict[str, Any], sides: dict[str, Any]) -> str:
    unit = "°" if report["exercise"]["drive_unit"] == "deg" else report["exercise"]["drive_unit"]
    labels = {
        "reps": "Reps",
        "mean_hold_s": "Mean hold (s)",
        "mean_range_of_motion": f"Mean range of motion ({unit})",
        "mean_duration_s": "Mean rep duration (s)",
    }
    rows = []
    for key, label in labels.items():
        left, right, asym = sides["left"][key], sides["right"][key], sides["asymmetry"][key]
        if left is None and right is None:
            continue
        flag = ' <span class="flt">≥ 0.15</span>' if asym is not None and asym >= 0.15 else ""
        rows.append(
            f"<tr><th>{label}</th><td class='num'>{_num(left)}</td>"
            f"<td class='num'>{_num(right)}</td><td class='num'>{_num(asym, digits=2)}{flag}</td></tr>"  # noqa: E501
        )
    return (
        "<table><thead><tr><th></th><th class='num'>left</th><th class='num'>right</th>"
        f"<th class='num'>asymmetry index</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">Asymmetry index = {escape(sides["asymmetry_formula"])}, per metric: '
        "0 means both sides are the same, 1 means one side is zero. Values of 0.15 and more "
        "are flagged.</p>"
    )


def _faults(report: dict[str, Any], thumbs: Mapping[tuple[int, str], Thumbnail]) -> str:
    items = numbered_faults(report)
    if not items:
        return '<p class="ok">No form faults were found in the counted reps.</p>'
    out = []
    for label, rep, f in items:
        thumb = thumbs.get((rep["index"], f["fault"]))
        if thumb is not None:
            img = inline_image(
                thumb.data, f"{label}: worst frame at {thumb.t_s:.1f} s", mime=thumb.mime
            )
        else:
            img = '<p class="note">(no frame of this fault could be kept)</p>'
        span = _seek(report, f["start_s"], time_span(f["start_s"], f["end_s"]))
        what = f.get("evidence_text") or f"{f['feature']} {f['value']:g} {f['threshold']}"
        worst = (
            f"; worst frame shown: {f['worst']['t_s']:.2f} s (frame {f['worst']['frame']})"
            if f["worst"] else ""
        )  # fmt: skip
        desc = f"<p>{escape(f['description'])}</p>" if f["description"] else ""
        out.append(
            f'<div class="fault">{img}<div><h3>{label} · rep {rep["index"]} '
            f"({_side(rep['side'])}) · {escape(f.get('label') or f['fault'])} "
            f'<span class="note">({escape(f["severity"])})</span></h3>'
            f"<p><b>Cue:</b> {escape(f['cue'])}</p>{desc}"
            f"<p><b>Evidence:</b> {escape(what)}, rep {rep['index']}, {span}{worst}.</p>"
            "</div></div>"
        )
    return "".join(out)


def _setup(report: dict[str, Any]) -> str:
    items = [
        f"<li>{s['start_s']:.1f}–{s['end_s']:.1f} s: {escape(s['message'])}</li>"
        for s in report["setup"]
    ] + [
        f"<li>{s['start_s']:.1f}–{s['end_s']:.1f} s: not in view ({escape(s['message'])})</li>"
        for s in report["not_in_view"]
    ]
    if not items:
        return '<p class="ok">Camera view and posture looked right throughout.</p>'
    return f"<ul>{''.join(items)}</ul>"


def _input_table(report: dict[str, Any]) -> str:
    i = report["input"]
    w, h = i["resolution_wh"]
    rows = [
        ("File", escape(str(i["path"]))),
        ("Kind", escape(i["kind"])),
        ("Frame rate", _num(i["fps"], " fps", 2)),
        ("Resolution", f"{w} × {h}"),
        ("Frames analysed", f"{i['frames']} ({i['frames_with_person']} with a person)"),
        ("Pose model", escape(str(i["model"]))),
        ("formcheck", escape(str(i["formcheck_version"]))),
    ]
    return '<table class="summary">' + "".join(
        f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows
    ) + "</table>"  # fmt: skip


def _auto(auto: dict[str, Any]) -> str:
    cls = "bad" if auto["unsure"] else "info"
    shown = [c for c in auto["candidates"] if c["score"] > 0][:5] or auto["candidates"][:3]
    rows = "".join(
        f"<tr><td>{escape(c['exercise'])}</td><td class='num'>{c['score']:.2f}</td>"
        f"<td class='num'>{c['reps']}</td><td class='num'>{_num(c['posture_fit'], digits=2)}</td>"
        f"<td class='num'>{_num(c['view_fit'], digits=2)}</td>"
        f"<td class='num'>{_num(c.get('side_fit'), digits=2)}</td></tr>"
        for c in shown
    )
    rest = len(auto["candidates"]) - len(shown)
    more = (
        f"<p class='note'>{rest} more candidates scored lower (report.json lists them all). "
        "Score = reps × posture × moving parts × range × period × sides terms; see "
        "formcheck.report.auto.</p>"
    )
    return (
        f'<div class="box {cls}"><b>Exercise chosen automatically:</b> {escape(auto["message"])}'
        "<table style='margin-top:8px'><thead><tr><th>candidate</th><th class='num'>score</th>"
        "<th class='num'>reps</th><th class='num'>posture fit</th><th class='num'>view fit</th>"
        f"<th class='num'>side fit</th></tr></thead><tbody>{rows}</tbody></table>{more}</div>"
    )


def report_html(
    report: dict[str, Any], plot_png: bytes | None, thumbs: Mapping[tuple[int, str], Thumbnail]
) -> str:
    """The page for one report; ``thumbs`` maps (rep index, fault) to its worst frame."""
    ex, inp = report["exercise"], report["input"]
    who = _who(report)
    parts = [
        f"<header><h1>{escape(ex['name'])} — {escape(inp['name'])}</h1>"
        + (f'<p class="who">{who}</p>' if who else "")
        + f'<p class="sub">{_plural(report["result"]["summary"]["reps"], "rep")} in '
        f"{report['result']['duration_s']:.1f} s · formcheck {escape(inp['formcheck_version'])}"
        "</p></header>"
    ]
    note = (report.get("session") or {}).get("note")
    if note:
        parts.append(f'<div class="box info"><b>Note:</b> {escape(note)}</div>')
    if report["partial"]:
        why = ", ".join(report["partial_reasons"])
        parts.append(
            f'<div class="box bad"><b>Partial report</b> ({escape(why)}): it covers only the '
            "part of the input that was analysed.</div>"
        )
    if report["warnings"]:
        lis = "".join(f"<li>{escape(w)}</li>" for w in report["warnings"])
        parts.append(f'<div class="box warn"><b>Warnings</b><ul>{lis}</ul></div>')
    if report["auto"] is not None:
        parts.append(_auto(report["auto"]))
    parts += ["<h2>Summary</h2>", _summary(report)]
    if report.get("since_last_time"):
        parts += ["<h2>Since last time</h2>", _since(report["since_last_time"])]
    video = (report.get("outputs") or {}).get("annotated_video")
    if video:
        parts += [
            '<h2 class="screen-only">Video</h2>',
            f'<video id="video" controls preload="metadata" src="{escape(_href(video))}">'
            f'<a href="{escape(_href(video))}">{escape(video)}</a></video>',
            '<p class="note screen-only">The skeleton, the counter and the cues as the analysis '
            "saw them. The times in the reps table and the fault cards play the video from "
            "there.</p>",
        ]
    if plot_png is not None:
        parts += [
            f"<h2>{escape(_drive_label(ex)[:1].upper() + _drive_label(ex)[1:])} over time</h2>",
            inline_image(plot_png, "driving feature over time", "plot"),
            '<p class="note">Shaded bands: counted reps (numbered above, coloured by side). '
            "▼ F1, F2, …: faults at their worst frame; red bars at the bottom: how long a fault "
            "lasted; amber bars at the top: camera view or posture not right. Hatched: person "
            "not in view. Dotted: the person's own rest level, learned as the set runs; a rep "
            "rises from it by at least the exercise's smallest movement and comes back.</p>",
        ]
    parts += ["<h2>Reps</h2>", _reps_table(report)]
    if report.get("pair") is not None:
        parts += ["<h2>Left vs right</h2>", _pair(report, report["pair"])]
    elif report["sides"] is not None:
        parts += ["<h2>Left vs right</h2>", _sides_table(report, report["sides"])]
    parts += ["<h2>Faults, with evidence</h2>", _faults(report, thumbs)]
    parts += ["<h2>Setup and visibility</h2>", _setup(report)]
    parts += ["<h2>Input</h2>", _input_table(report)]
    parts.append(
        f"<footer>Schema {escape(report['schema'])} v{report['version']}: report.json beside "
        "this page has every number; reps.csv has one row per rep.</footer>"
    )
    if video:
        parts.append(_SEEK_SCRIPT)
    head = " · ".join([*(_who_words(report) or [inp["name"]]), ex["name"]])
    css = _CSS + _running_head(head)
    return html_page(f"formcheck: {ex['name']} — {inp['name']}", "\n".join(parts), css=css)


def _running_head(text: str) -> str:
    """Who, what and when at the top of every printed page, in the page's margin (where it
    cannot cover the content, as a fixed element would on the second page and after)."""
    quoted = "".join(c if c.isalnum() or c in " .,:()-" else f"\\{ord(c):06X}" for c in text)
    return (
        f'@page{{@top-left{{content:"{quoted}";font:10px sans-serif;color:#444;'
        "vertical-align:bottom;padding-bottom:2mm;border-bottom:1px solid #ccc}}"
    )


# Only seeks the page's own video: no network, nothing else.
_SEEK_SCRIPT = """<script>
document.addEventListener("click", function (e) {
  var a = e.target.closest("a.seek"), v = document.getElementById("video");
  if (!a || !v) return;
  e.preventDefault();
  v.currentTime = parseFloat(a.dataset.t);
  v.scrollIntoView({block: "center"});
  v.play();
});
</script>"""


def _who_words(report: dict[str, Any]) -> list[str]:
    """Patient and recording date, as plain text: [] when the report has neither."""
    session = report.get("session") or {}
    parts = []
    if session.get("profile") and session["profile"] != "default":
        parts.append(session["profile"])
    if session.get("recorded_at"):
        day = session["recorded_at"][:16].replace("T", " ")
        how = f" ({session['recorded']})" if session.get("recorded") else ""
        parts.append(f"recorded {day} UTC{how}")
    return parts


def _who(report: dict[str, Any]) -> str:
    """Patient (in bold) and recording date, as HTML ("" when the report has neither)."""
    parts = [escape(p) for p in _who_words(report)]
    session = report.get("session") or {}
    if parts and session.get("profile") and session["profile"] != "default":
        parts[0] = f"<b>{parts[0]}</b>"
    return " · ".join(parts)


def _seek(report: dict[str, Any], t: float, text: str) -> str:
    """``text`` linking the video at ``t`` s, when the report has a video."""
    video = (report.get("outputs") or {}).get("annotated_video")
    if not video:
        return text
    href = escape(f"{_href(video)}#t={t:.2f}")
    return f'<a class="seek" href="{href}" data-t="{t:.2f}">{text}</a>'


def _since(block: dict[str, Any]) -> str:
    marks = {True: "better", False: "worse", None: "same"}
    items = []
    rows = {r["what"]: r for r in block.get("rows", [])}
    for line in block.get("lines", []):
        what = next((w for w in rows if line.startswith(w + " ")), None)
        cls = marks[rows[what]["better"]] if what is not None else ""
        items.append(f'<li class="{cls}">{escape(line)}</li>')
    return (
        f'<div class="since"><p class="sub">Against the previous set, recorded '
        f"{escape(block['previous'])}:</p><ul>{''.join(items)}</ul></div>"
    )


def _href(relative: str) -> str:
    """A relative path as a link that stays one: each part percent-encoded and the whole
    starting with ``./`` (a folder named ``javascript:…`` or holding ``#`` or ``?`` is a
    folder, not a scheme, a fragment or a query)."""
    return "./" + "/".join(quote(part, safe="") for part in relative.split("/"))


def index_table(entries: Sequence[Mapping[str, Any]], *, prefix: str = "") -> str:
    """The table of a batch page: one row per input, linking its report (``link``, relative
    to OUTDIR; ``prefix`` is the way from the page to OUTDIR), with its headline numbers."""
    rows = []
    for e in entries:
        name = escape(str(e["name"]))
        link = e.get("link")
        cell = f'<a href="{escape(_href(prefix + link))}">{name}</a>' if link else name
        status = e["status"]
        cls = "ok" if status == "ok" else "flt"
        rows.append(
            f"<tr><td>{cell}</td><td><span class='{cls}'>{escape(status)}</span></td>"
            f"<td>{escape(str(e.get('exercise') or '–'))}</td>"
            f"<td class='num'>{escape(str(e.get('reps') if e.get('reps') is not None else '–'))}</td>"  # noqa: E501
            f"<td class='num'>{_num(e.get('faults'))}</td>"
            f"<td class='num'>{_num(e.get('mean_hold_s'), ' s')}</td>"
            f"<td class='num'>{_num(e.get('duration_s'), ' s')}</td>"
            f"<td>{escape(str(e.get('message') or ''))}</td></tr>"
        )
    head = (
        "<th>input</th><th>status</th><th>exercise</th><th class='num'>reps</th>"
        "<th class='num'>faults</th><th class='num'>mean hold</th><th class='num'>duration</th>"
        "<th>notes</th>"
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def index_html(entries: Sequence[Mapping[str, Any]]) -> str:
    """The batch page: one row per input, linking its report, with its headline numbers.

    Each entry: ``name``, ``status`` ("ok", "partial", "unsure", "failed", "not analysed"),
    ``link`` (relative path of report.html or None), ``exercise``, ``reps``, ``faults``,
    ``mean_hold_s``, ``duration_s``, ``message``. (A batch of thousands gets pages instead:
    :mod:`formcheck.report.index`.)"""
    n_bad = sum(e["status"] != "ok" for e in entries)
    body = (
        f"<header><h1>formcheck: {len(entries)} inputs</h1><p class='sub'>"
        f"{len(entries) - n_bad} analysed cleanly, {n_bad} with problems</p></header>"
        f"<h2>Reports</h2>{index_table(entries)}"
    )
    return html_page("formcheck: reports", body)
