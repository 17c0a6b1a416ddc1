"""The one page skeleton: every HTML page formcheck writes has the same head and base CSS."""

from __future__ import annotations

import re

import pytest

from formcheck.eval.html import eval_html
from formcheck.eval.metrics import ClipScore, totals
from formcheck.eval.run import EvalResult
from formcheck.htmlpage import BASE_CSS, html_page, inline_image
from formcheck.report.html import index_html
from formcheck.store.plots import progress_html

HEAD = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>'
)


def test_a_page_escapes_its_title_and_appends_its_own_css_to_the_base() -> None:
    page = html_page("a <b> & c", "<p>body</p>", css=".mine{color:red}")
    assert page.startswith(HEAD + "a &lt;b&gt; &amp; c</title>")
    assert f"<style>{BASE_CSS}.mine{{color:red}}</style></head>\n<body>\n<p>body</p>\n" in page
    assert page.endswith("</body></html>\n")


def test_an_inline_image_carries_its_bytes_and_escapes_its_alt() -> None:
    img = inline_image(b"\x89PNG", 'a "plot" <1>', "plot", mime="image/jpeg")
    alt = "a &quot;plot&quot; &lt;1&gt;"
    assert img == f'<img class="plot" alt="{alt}" src="data:image/jpeg;base64,iVBORw==">'


def _eval_page() -> str:
    scores = [ClipScore("a.mp4", "squat", True, 4, 4, None, None)]
    return eval_html(EvalResult(scores, totals(scores), "now", "1.0", "full", "labels.csv"))


def _index_page() -> str:
    return index_html([{"name": "a.mp4", "status": "ok", "link": "a/report.html"}])


@pytest.mark.parametrize(
    ("make", "title"),
    [
        (_index_page, "formcheck: reports"),
        (_eval_page, "formcheck eval"),
        (lambda: progress_html([]), "formcheck progress"),
    ],
)
def test_every_page_has_the_one_skeleton_and_loads_nothing(make, title: str) -> None:
    page = make()
    assert page.startswith(f"{HEAD}{title}</title><style>{BASE_CSS}")
    assert page.count("<style>") == 1 and page.endswith("</body></html>\n")
    assert not re.search(r"<script|<link|@import|https?:", page)
