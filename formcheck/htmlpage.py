"""The one page skeleton of every HTML file formcheck writes: report, batch index, eval, progress.

A page is self-contained: its CSS is inline, its images are ``data:`` URIs, it has no script and
loads nothing from the network, so it can be mailed, archived or opened offline::

    from formcheck.htmlpage import html_page, inline_image

    page = html_page("formcheck: squat", "<h1>Squat</h1>" + inline_image(png, "plot", "plot"))

Every page shares :data:`BASE_CSS` (typography, tables, message boxes, notes, plots); a page adds
only what is its own through ``css``, appended after the base so that it may override it.
"""

from __future__ import annotations

import base64
from html import escape

__all__ = ["BASE_CSS", "html_page", "inline_image"]

BASE_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
 margin:0 auto;max-width:1180px;padding:24px 28px 48px;background:#fafafa}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 10px;
 border-bottom:2px solid #e2e2e2;padding-bottom:4px}h3{font-size:16px;margin:0 0 6px}
.sub{color:#666;margin:0}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0001}
th,td{padding:5px 11px;border-bottom:1px solid #e8e8e8;text-align:left;vertical-align:top}
th{background:#f0f0f0;font-weight:600}td.num,th.num{text-align:right;
 font-variant-numeric:tabular-nums}
.box{padding:10px 14px;border-radius:6px;margin:14px 0}
.warn{background:#fff4e0;border:1px solid #f0b560}.bad{background:#fde8e8;border:1px solid #e39a9a}
.info{background:#e8f1fb;border:1px solid #9cc0e6}
.ok{color:#2e7d32;font-weight:600}.flt{color:#c62828;font-weight:600}
img.plot{width:100%;max-width:100%;background:#fff;border:1px solid #e2e2e2}
.note{color:#666;font-size:13px}footer{margin-top:36px;color:#888;font-size:13px}
"""


def html_page(title: str, body: str, *, css: str = "") -> str:
    """A whole HTML document: ``title`` (plain text, escaped here), ``body`` (HTML, used as
    given: its author escapes what came from outside), :data:`BASE_CSS` then ``css``."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{BASE_CSS}{css}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


def inline_image(data: bytes, alt: str, cls: str = "", mime: str = "image/png") -> str:
    """An ``<img>`` carrying its bytes as a ``data:`` URI; ``alt`` is plain text (escaped)."""
    b64 = base64.b64encode(data).decode("ascii")
    c = f' class="{escape(cls)}"' if cls else ""
    return f'<img{c} alt="{escape(alt)}" src="data:{escape(mime)};base64,{b64}">'
