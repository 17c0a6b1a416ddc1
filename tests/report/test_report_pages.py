"""report.html is self-contained and complete; reps.csv has one row per rep."""

from __future__ import annotations

import csv
import re

from report_files import load_report

from formcheck.htmlpage import BASE_CSS
from formcheck.report.html import index_html, report_html
from formcheck.report.tables import CSV_COLUMNS


def _without_inline_images(html: str) -> str:
    """The page with the base64 payloads cut out (random base64 may spell "http")."""
    return re.sub(r"(data:image/[a-z]+;base64,)[A-Za-z0-9+/=]+", r"\1", html)


def test_html_is_self_contained(bird_dog_report):
    html = (bird_dog_report / "report.html").read_text()
    text = _without_inline_images(html)
    assert "http" not in text  # no links, fonts, scripts or images from the network
    assert "<script" not in text and "<link" not in text and "@import" not in text
    sources = re.findall(r'src="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/") for s in sources)
    assert "data:image/png;base64," in html


def test_html_uses_the_shared_page_skeleton(bird_dog_report):
    html = (bird_dog_report / "report.html").read_text()
    assert html.startswith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">')
    assert "<title>formcheck: Bird-dog — bird-dog.jsonl.gz</title>" in html
    assert f"<style>{BASE_CSS}" in html and ".fault{" in html  # the base, then its own rules


def test_html_has_summary_plot_reps_sides_and_faults(bird_dog_report):
    html = (bird_dog_report / "report.html").read_text()
    report = load_report(bird_dog_report)
    assert html.count('<tr class="rep">') == len(report["reps"]) == 4
    assert 'alt="driving feature over time"' in html
    faults = [f for r in report["reps"] for f in r["faults"]]
    assert len(faults) == 2
    assert len(re.findall(r'alt="F\d+: worst frame at', html)) == len(faults)  # thumbnails
    # the evidence in words: what was measured against the aim, the rep and when
    assert "<b>Evidence:</b> left knee bent to 134° (aim: at least 150°), rep 3, " in html
    assert "bent knee × 1, hold too short × 1" in html  # the summary's faults
    assert "Leg and arm above the floor line over time" in html
    for internal in ("knee_left", "bent_knee", "hold_short", "form_hold_s", "reach_{side}"):
        assert internal not in html, internal  # ids stay in report.json and reps.csv
    assert "Left vs right" in html and "|L - R| / max(|L|, |R|)" in html


def test_numbers_read_as_words_write_them(bird_dog_report):
    """Degrees straight after the number ("55.1°"), a real minus sign ("−12.3°")."""
    report = load_report(bird_dog_report)
    report["reps"][0]["peak"] = -12.34
    html = report_html(report, None, {})
    assert "<td>−12.3°</td>" not in html and "<td>−12.3</td>" in html  # the unit is in the head
    assert "-12.3" not in html
    roms = [r["range_of_motion"] for r in report["reps"]]
    assert f"<td>{sum(roms) / len(roms):.1f}°</td>" in html and " °" not in html


def test_reps_csv_has_one_row_per_rep(bird_dog_report):
    rows = list(csv.DictReader((bird_dog_report / "reps.csv").open()))
    report = load_report(bird_dog_report)
    assert len(rows) == len(report["reps"]) == 4
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["side"] for r in rows] == ["left", "right", "left", "right"]
    assert rows[2]["faults"] == "bent_knee;hold_short"
    assert rows[2]["hold_met"] == "no" and rows[0]["hold_met"] == "yes"
    assert "knee_left 134.45 < 150 @" in rows[2]["evidence"]


def test_index_links_each_report_and_escapes_names():
    html = index_html([
        {"name": "a.mp4", "status": "ok", "link": "a/report.html", "exercise": "bird-dog",
         "reps": "4 (left 2, right 2)", "faults": 1, "mean_hold_s": 2.5, "duration_s": 30.0},
        {"name": "<b>bad</b>.mp4", "status": "failed", "link": None,
         "message": "not a video"},
    ])  # fmt: skip
    assert '<a href="./a/report.html">a.mp4</a>' in html
    assert "&lt;b&gt;bad&lt;/b&gt;.mp4" in html and "<b>bad</b>" not in html
    assert "not a video" in html and "http" not in html
