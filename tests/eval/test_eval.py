"""`formcheck eval` on the shared clips: honest thresholds, and not a rubber stamp."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.eval.html import eval_html
from formcheck.eval.labels import LabelsError, read_labels
from formcheck.eval.metrics import ClipScore, totals
from formcheck.eval.run import EvalResult
from formcheck.htmlpage import BASE_CSS

runner = CliRunner()

# The shared clips: labels.csv (the first 14) and labels-new.csv (8 real clips of people nobody
# tuned on, added 2026-12-03), scored together. The thresholds are the targets of the work that
# made counting follow the person (see README "Accuracy"): a change that makes accuracy worse
# than them fails here.
LABELS = ("labels.csv", "labels-new.csv")
MIN_OBO = 0.95
MAX_MAE = 0.06
MIN_EXACT = 0.85
MAX_HOLD_ERROR_S = 0.5
MIN_FAULT_RECALL = 0.8
MIN_FAULT_PRECISION = 0.8
# --exercise auto on the same frames (see formcheck.report.auto): never sure and wrong, and right
# and sure on at least the clips it names today, the 80 % issue 19 asks for (README "Accuracy")
MAX_AUTO_WRONG = 0
MIN_AUTO_RIGHT = 0.8  # 18 of 22

pytestmark = pytest.mark.xdist_group("eval")  # one worker records the clips' landmarks once


@pytest.fixture(scope="session")
def eval_cache(tmp_path_factory, clips_dir, pose_model):
    """Landmarks of every clip, recorded once for all tests of this module."""
    return tmp_path_factory.mktemp("eval-cache")


def test_eval_on_the_shared_clips_meets_the_targets(clips_dir, eval_cache, tmp_path):
    out = tmp_path / "out"
    # two processes: the clips' pose runs are most of the suite's time, and each clip is
    # scored as it would be alone
    args = ["eval", *(str(clips_dir / name) for name in LABELS), "--cache", str(eval_cache),
            "--workers", "2", "-o", str(out), "--min-obo", str(MIN_OBO), "--max-mae", str(MAX_MAE),
            "--min-exact", str(MIN_EXACT), "--max-hold-error", str(MAX_HOLD_ERROR_S),
            "--min-fault-recall", str(MIN_FAULT_RECALL),
            "--min-fault-precision", str(MIN_FAULT_PRECISION),
            "--max-auto-wrong", str(MAX_AUTO_WRONG),
            "--min-auto-right", str(MIN_AUTO_RIGHT)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "eval.json").read_text())
    labels = [lb for name in LABELS for lb in read_labels(clips_dir / name)]
    assert report["totals"]["clips"] == len(labels) == 22
    html = (out / "eval.html").read_text()
    assert "not supported" in html or report["totals"]["supported"] == report["totals"]["clips"]
    by_file = {c["file"]: c for c in report["clips"]}
    # every clip with a count is counted exactly today: a regression on any one is a failure
    counted = [lb.file for lb in labels if lb.reps is not None]
    assert len(counted) == 20
    for name in counted:
        assert by_file[name]["abs_error"] == 0, by_file[name]
    # auto guessed every clip from the frames its analysis used: each is right, unsure or wrong
    assert {c["auto"] for c in report["clips"]} <= {"right", "unsure"}
    right = [c for c in report["clips"] if c["auto"] == "right"]
    assert all(c["auto_chosen"] == c["exercise"] for c in right)
    assert report["totals"]["auto_right"] == len(right) >= 18
    assert "--exercise auto: right and sure on" in result.output


def test_a_wrong_label_shows_up_as_an_error(clips_dir, eval_cache, tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    header, *rows = (clips_dir / "labels.csv").read_text().splitlines()
    old, new = "squat_side_a.mp4,squat,side,real,6,", "squat_side_a.mp4,squat,side,real,9,"
    # the squat's line alone: the other clips were evaluated by the test above
    changed = [header] + [ln.replace(old, new) for ln in rows if ln.startswith(old)]
    assert len(changed) == 2 and new in changed[1]
    (folder / "labels.csv").write_text("\n".join(changed) + "\n")
    args = ["eval", str(folder / "labels.csv"), "--clips", str(clips_dir), "--cache",
            str(eval_cache), "-o", str(tmp_path / "out")]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    squat = next(c for c in json.loads((tmp_path / "out" / "eval.json").read_text())["clips"]
                 if c["file"] == "squat_side_a.mp4")  # fmt: skip
    assert squat["true_reps"] == 9 and squat["pred_reps"] == 6 and squat["abs_error"] == 3
    # and a threshold the wrong label breaks makes the command fail
    strict = runner.invoke(app, [*args, "--max-mae", "0.0"])
    assert strict.exit_code == 1 and "accuracy below threshold" in strict.output


def test_metrics_known_answers():
    def clip(true, pred, supported=True):
        return ClipScore("c", "x", supported, true, pred, None, None)

    t = totals([clip(4, 4), clip(5, 6), clip(10, 7), clip(3, None, supported=False)])
    assert t.clips == 4 and t.supported == 3 and t.counted == 3
    assert t.mae == pytest.approx((0 + 1 / 5 + 3 / 10) / 3)
    assert t.obo == pytest.approx(2 / 3) and t.exact == pytest.approx(1 / 3)


def test_the_eval_page_marks_each_result_and_escapes_names():
    scores = [
        ClipScore(
            "a.mp4",
            "squat",
            True,
            10,
            10,
            None,
            None,
            seconds=3.2,
            auto="right",
            auto_chosen="squat",
            auto_confidence=0.4,
        ),
        ClipScore("b.mp4", "squat", True, 8, 9, None, None, auto="unsure", auto_chosen="deadlift"),
        ClipScore("<c>.mp4", "squat", True, 12, 8, None, None),
        ClipScore("d.mp4", "squat", True, 5, None, None, None, error="cannot open"),
        ClipScore("e.mp4", "jumping-jack", False, 20, None, None, None),
    ]
    result = EvalResult(scores, totals(scores), "2024-05-01T10:00:00Z", "1.0", "full", "l.csv")
    page = eval_html(result)
    assert page.startswith("<!doctype html>") and BASE_CSS in page
    assert "<title>formcheck eval</title>" in page and "<script" not in page
    rows = page.split("<h2>Clips</h2>")[1].split("<tr>")[2:]
    assert [r.split("</td>")[-2].removeprefix("<td>") for r in rows] == [
        '<span class="ok">exact</span>',
        "off by one",
        '<span class="flt">off by 4</span>',
        '<span class="flt">error: cannot open</span>',
        '<span class="na">not supported</span>',
    ]
    assert "<td>&lt;c&gt;.mp4</td>" in page and "<c>" not in page
    assert '<td class="num">3.2</td>' in rows[0]  # numbers are right-aligned
    assert '<td><span class="ok">right</span> 0.40</td>' in rows[0]  # --exercise auto
    assert '<span class="na">unsure</span> (deadlift)' in rows[1]
    assert "right and sure on 1 of 2 clips (50%), unsure on 1, sure and wrong on 0" in page
    assert page.count("<tr><td>") == 3 + len(scores)  # all clips, squat, jumping-jack, clips


def test_labels_are_read_as_they_are_and_errors_name_the_line(tmp_path, clips_dir):
    labels = read_labels(clips_dir / "labels.csv")
    bird = next(lb for lb in labels if lb.file == "bird-dog_side_a.mp4")
    assert bird.reps == 3 and bird.hold_s == 1.0 and ("hold_short", 2) in bird.faults
    hang = next(lb for lb in labels if lb.file == "dead-hang_front_a.mp4")
    assert hang.reps is None and hang.hold_s == 6.4
    bad = tmp_path / "labels.csv"
    shutil.copy(clips_dir / "labels.csv", bad)
    bad.write_text(bad.read_text().replace(",3,1.0,0.0,9.6,", ",three,1.0,0.0,9.6,", 1))
    with pytest.raises(LabelsError, match=r"labels\.csv:2: reps: expected a number"):
        read_labels(bad)
