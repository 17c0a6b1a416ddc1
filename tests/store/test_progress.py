"""Progress from a generated history: per-session numbers, the one-line trend (first third vs
last third of the sessions), and the plots as PNG and self-contained HTML."""

from __future__ import annotations

import base64
import io
import re
from datetime import datetime, timezone

import pytest

from formcheck.store import load_progress, open_history
from formcheck.store.plots import progress_html, progress_png

# Eight bird-dog sessions, one a day from 2024-05-01; every rep of a session has the same hold
# and range. hold_short is flagged on every rep of the first two sessions (holds below 2 s).
REPS = [4, 4, 5, 5, 6, 6, 6, 6]
HOLDS = [1.5, 1.7, 2.0, 2.2, 2.4, 2.5, 2.6, 3.0]
RANGES = [70.0, 72.0, 75.0, 78.0, 80.0, 82.0, 85.0, 88.0]
BENT_KNEES = [2, 2, 2, 1, 1, 1, 0, 1]  # reps flagged per session (the first ones)


def _session(make_result, k: int, exercise: str = "bird-dog") -> dict:
    reps = []
    for j in range(REPS[k]):
        faults = (["bent_knee"] if j < BENT_KNEES[k] else []) + (
            ["hold_short"] if HOLDS[k] < 2.0 else []
        )
        reps.append({"hold_s": HOLDS[k], "range": RANGES[k], "faults": faults})
    return make_result(reps, exercise=exercise)


@pytest.fixture
def history(tmp_path, make_result):
    with open_history(tmp_path / "h.sqlite3") as h:
        for k in range(8):
            h.save(
                _session(make_result, k), source_kind="video",
                started_at=datetime(2024, 5, 1 + k, 12, tzinfo=timezone.utc),
            )  # fmt: skip
        yield h


def test_each_session_point_carries_its_own_numbers(history):
    (prog,) = load_progress(history)
    assert (prog.profile, prog.exercise, prog.hold_target_s, prog.drive) == (
        "default", "bird-dog", 2.0, "leg and arm above the floor line",
    )  # fmt: skip
    assert [p.reps for p in prog.points] == REPS
    assert [p.mean_hold_s for p in prog.points] == pytest.approx(HOLDS)
    assert [p.mean_range for p in prog.points] == pytest.approx(RANGES)
    assert [p.fault_reps.get("bent_knee", 0) for p in prog.points] == BENT_KNEES
    assert prog.points[0].faults_per_10_reps == pytest.approx(10 * (2 + 4) / 4)
    assert prog.points[7].faults_per_10_reps == pytest.approx(10 * 1 / 6)


def test_the_trend_compares_the_first_third_with_the_last_third_exactly(history):
    (prog,) = load_progress(history)
    t = prog.trend()
    # 8 sessions: thirds of 2. First: sessions 1-2 (8 reps), last: sessions 7-8 (12 reps).
    assert (t.sessions, t.window) == (8, 2)
    assert t.reps_per_session == (4.0, 6.0)
    assert t.hold_s == pytest.approx((1.6, 2.8))  # (4*1.5 + 4*1.7)/8, (6*2.6 + 6*3.0)/12
    assert t.range == pytest.approx((71.0, 86.5))
    assert t.fault_pct["bent_knee"] == pytest.approx((100 * 4 / 8, 100 * 1 / 12))
    assert t.fault_pct["hold_short"] == pytest.approx((100.0, 0.0))
    assert prog.summary() == (
        "bird-dog: 8 sessions, 2024-05-01 → 2024-05-08 (first 2 vs last 2): "
        "reps 4.0 → 6.0 per session; hold 1.6 s → 2.8 s (target 2 s); range 71.0° → 86.5°; "
        "hold too short in 100 % → 0 % of reps; bent knee in 50 % → 8 % of reps"
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "bird-dog: 1 session, 2024-05-01: reps 4.0 per session; hold 1.5 s (target 2 s); "
            "range 70.0°; hold too short in 100 % of reps; bent knee in 50 % of reps"),
        (2, "bird-dog: 2 sessions, 2024-05-01 → 2024-05-02 (first 1 vs last 1): "
            "reps 4.0 → 4.0 per session; hold 1.5 s → 1.7 s (target 2 s); range 70.0° → 72.0°; "
            "hold too short in 100 % → 100 % of reps; bent knee in 50 % → 50 % of reps"),
        (5, "bird-dog: 5 sessions, 2024-05-01 → 2024-05-05 (first 1 vs last 1): "
            "reps 4.0 → 6.0 per session; hold 1.5 s → 2.4 s (target 2 s); range 70.0° → 80.0°; "
            "hold too short in 100 % → 0 % of reps; bent knee in 50 % → 17 % of reps"),
    ],
)  # fmt: skip
def test_short_histories(tmp_path, make_result, count, expected):
    with open_history(tmp_path / "h.sqlite3") as h:
        for k in range(count):
            h.save(_session(make_result, k), source_kind="video",
                   started_at=datetime(2024, 5, 1 + k, 12, tzinfo=timezone.utc))  # fmt: skip
        (prog,) = load_progress(h)
    assert prog.summary() == expected


def test_profiles_and_exercises_are_kept_apart(tmp_path, make_result):
    with open_history(tmp_path / "h.sqlite3") as h:
        for k, (profile, exercise) in enumerate(
            [("anna", "bird-dog"), ("ben", "bird-dog"), ("anna", "cat-cow"), ("anna", "plank")]
        ):
            result = _session(make_result, 6, exercise)
            if exercise != "bird-dog":
                for rep in result["reps"]:
                    rep["hold_s"] = rep["hold_met"] = None
            h.save(result, source_kind="video", profile=profile,
                   started_at=datetime(2024, 5, 1 + k, 12, tzinfo=timezone.utc))  # fmt: skip
        groups = load_progress(h)
        assert [p.exercise for p in load_progress(h, profile="ben")] == ["bird-dog"]
    assert [(p.profile, p.exercise) for p in groups] == [
        ("anna", "bird-dog"), ("anna", "cat-cow"), ("anna", "plank"), ("ben", "bird-dog"),
    ]  # fmt: skip
    assert [p.hold_target_s for p in groups] == [2.0, None, None, 2.0]  # plank: unknown now
    cat_cow = groups[1].summary(with_profile=True)
    assert cat_cow.startswith("cat-cow (anna): 1 session, 2024-05-03: reps 6.0 per session; ")
    assert "hold" not in cat_cow and "range 85.0°" in cat_cow


def test_the_png_decodes_to_one_row_of_four_panels(history):
    import matplotlib.image

    png = progress_png(load_progress(history))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (340, 1600)
    assert image[..., :3].std() > 0.05  # not a blank canvas


def test_the_html_page_is_self_contained(history):
    page = progress_html(load_progress(history))
    uris = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(uris) == 1
    assert base64.b64decode(uris[0]).startswith(b"\x89PNG")
    rest = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert "http" not in rest and "<script" not in rest and "<link" not in rest
    assert "hold 1.6 s → 2.8 s (target 2 s)" in rest


def test_the_page_names_whose_progress_it_is(tmp_path, make_result):
    with open_history(tmp_path / "h.sqlite3") as h:
        h.save(make_result([{}]), source_kind="video", profile="anna")
        assert "<h1>formcheck progress: anna</h1>" in progress_html(load_progress(h))
        h.save(make_result([{}]), source_kind="video")  # two people: each section names one
        page = progress_html(load_progress(h))
    assert "<h1>formcheck progress</h1>" in page and "<h2>bird-dog (anna)</h2>" in page
