"""A batch's overview, usable at 10,000 inputs: ``index.html`` (paged), and ``batch.csv``.

Up to :data:`PAGE_ROWS` inputs, ``index.html`` is one table, as it always was. Above that it
is a summary: the counts, a table of groups (profile, exercise and the month recorded, with
how many inputs and how many with problems, each linking to its page), and the inputs with
problems (the first :data:`PAGE_ROWS`); the inputs themselves are on pages ``index-001.html``,
``index-002.html``, ... of :data:`PAGE_ROWS` rows each, sorted by profile, exercise,
recording date and name, so that one person's sets of one exercise are together. Pages of an
earlier, larger batch are removed.

``batch.csv`` has one row per input (the columns are :data:`BATCH_COLUMNS`), for a
spreadsheet or a program; text cells are guarded against formulas (:mod:`formcheck.csvsafe`).

An entry is the headline of an input (see :meth:`AnalysisOutcome.headline`) with ``link``
(its report.html relative to OUTDIR, or None), ``input``, ``profile``, ``recorded_at`` (ISO
8601 UTC, or None) and ``skipped`` (analysed by an earlier run).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from formcheck.atomic import write_atomic
from formcheck.csvsafe import SafeWriter
from formcheck.htmlpage import html_page
from formcheck.report.html import index_html, index_table

__all__ = ["BATCH_COLUMNS", "PAGE_ROWS", "batch_csv", "index_pages", "write_batch_overview"]

PAGE_ROWS = 500
BATCH_COLUMNS = (
    "input", "name", "status", "skipped", "profile", "recorded_at", "exercise", "reps",
    "faults", "mean_hold_s", "duration_s", "report", "message",
)  # fmt: skip
_PAGE = re.compile(r"^index-\d{3,}\.html$")


def _page_name(k: int) -> str:
    return f"index-{k:03d}.html"


def _order(e: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (
        str(e.get("profile") or ""), str(e.get("exercise") or ""),
        str(e.get("recorded_at") or ""), str(e["name"]),
    )  # fmt: skip


def _counts(entries: Sequence[Mapping[str, Any]]) -> str:
    bad = sum(e["status"] != "ok" for e in entries)
    skipped = sum(bool(e.get("skipped")) for e in entries)
    return (
        f"{len(entries) - bad} analysed cleanly, {bad} with problems; {skipped} skipped "
        "(analysed by an earlier run of this batch)"
    )


def index_pages(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The batch's pages, by file name (``index.html`` first)."""
    if len(entries) <= PAGE_ROWS:
        return {"index.html": index_html(entries)}
    ordered = sorted(entries, key=_order)
    chunks = [ordered[i : i + PAGE_ROWS] for i in range(0, len(ordered), PAGE_ROWS)]
    pages: dict[str, str] = {"index.html": _front(entries, ordered)}
    for k, rows in enumerate(chunks, start=1):
        nav = ['<a href="./index.html">overview</a>']
        if k > 1:
            nav.append(f'<a href="./{_page_name(k - 1)}">previous page</a>')
        if k < len(chunks):
            nav.append(f'<a href="./{_page_name(k + 1)}">next page</a>')
        first, last = _order(rows[0]), _order(rows[-1])
        body = (
            f"<header><h1>formcheck: inputs {(k - 1) * PAGE_ROWS + 1}–"
            f"{(k - 1) * PAGE_ROWS + len(rows)} of {len(entries)}</h1><p class='sub'>page {k} "
            f"of {len(chunks)}: {escape(_span(first, last))}</p><p>{' · '.join(nav)}</p>"
            f"</header>{index_table(rows)}<p>{' · '.join(nav)}</p>"
        )
        pages[_page_name(k)] = html_page(f"formcheck: reports, page {k}", body)
    return pages


def _span(first: tuple[str, ...], last: tuple[str, ...]) -> str:
    def words(key: tuple[str, ...]) -> str:
        return f"{key[0] or 'no profile'}, {key[1] or 'no exercise'}"

    return words(first) if first[:2] == last[:2] else f"{words(first)} to {words(last)}"


def _front(entries: Sequence[Mapping[str, Any]], ordered: list[Mapping[str, Any]]) -> str:
    """``index.html`` of a large batch: counts, groups linking to their pages, problems."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, e in enumerate(ordered):
        key = (
            str(e.get("profile") or "–"), str(e.get("exercise") or "–"),
            str(e.get("recorded_at") or "")[:7] or "–",
        )  # fmt: skip
        groups.setdefault(key, []).append(i)
    rows = []
    for (profile, exercise, month), idx in groups.items():
        bad = sum(ordered[i]["status"] != "ok" for i in idx)
        first, last = idx[0] // PAGE_ROWS + 1, idx[-1] // PAGE_ROWS + 1
        links = " ".join(f'<a href="./{_page_name(k)}">{k}</a>' for k in range(first, last + 1))
        rows.append(
            f"<tr><td>{escape(profile)}</td><td>{escape(exercise)}</td><td>{escape(month)}</td>"
            f"<td class='num'>{len(idx)}</td><td class='num'>{bad}</td><td>{links}</td></tr>"
        )
    problems = [e for e in ordered if e["status"] != "ok"]
    more = len(problems) - PAGE_ROWS
    body = (
        f"<header><h1>formcheck: {len(entries)} inputs</h1><p class='sub'>"
        f"{escape(_counts(entries))}</p></header>"
        "<p>Every input, one row each: <a href='./batch.csv'>batch.csv</a>. The reports are on "
        f"{-(-len(ordered) // PAGE_ROWS)} pages of {PAGE_ROWS}, by profile, exercise and date.</p>"
        "<h2>By profile, exercise and month recorded</h2><table><thead><tr><th>profile</th>"
        "<th>exercise</th><th>month</th><th class='num'>inputs</th>"
        "<th class='num'>with problems</th><th>pages</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<h2>With problems ({len(problems)})</h2>"
        + (index_table(problems[:PAGE_ROWS]) if problems else "<p>none</p>")
        + (f"<p class='note'>and {more} more: see batch.csv</p>" if more > 0 else "")
    )
    return html_page("formcheck: reports", body)


def batch_csv(entries: Sequence[Mapping[str, Any]]) -> str:
    """``batch.csv``: a header, then one row per input, in batch order."""
    buf = io.StringIO()
    out = SafeWriter(buf)
    out.writerow(BATCH_COLUMNS)
    for e in entries:
        row = {**e, "report": e.get("link"), "skipped": "yes" if e.get("skipped") else "no"}
        out.writerow(["" if row.get(c) is None else row.get(c) for c in BATCH_COLUMNS])
    return buf.getvalue()


def write_batch_overview(out: Path, entries: Sequence[Mapping[str, Any]]) -> Path:
    """Write ``batch.csv`` and the index pages into ``out`` (atomically, each); returns
    ``index.html``. Raises :class:`formcheck.errors.OutputError`."""
    write_atomic(out / "batch.csv", batch_csv(entries))
    pages = index_pages(entries)
    for name, text in reversed(pages.items()):  # index.html last: it links to the pages
        write_atomic(out / name, text)
    for old in out.glob("index-*.html"):
        if _PAGE.match(old.name) and old.name not in pages:
            old.unlink(missing_ok=True)
    return out / "index.html"
