"""``formcheck analyze PATH... -o OUTDIR``: reports, batches, auto, and real clips in-process."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()


def _report(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text())


def test_a_batch_goes_past_a_bad_file_and_lists_it(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video\n" * 50)
    args = [str(SAMPLES / "bird-dog.jsonl.gz"), str(bad), str(SAMPLES / "cat-cow.jsonl.gz")]
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", *args, "-e", "bird-dog", "-o", str(out)])
    assert result.exit_code == 2, result.output  # the bad file's SourceError code
    assert "1 of 3 inputs were not analysed" in result.output
    assert "notes.mp4: " in result.output and "not a video" in result.output
    assert "Traceback" not in result.output
    assert _report(out / "bird-dog")["result"]["summary"]["reps"] == 4
    assert (out / "cat-cow" / "report.html").is_file()  # after the bad one
    assert not (out / "notes").exists()
    index = (out / "index.html").read_text()
    assert 'href="./bird-dog/report.html"' in index and 'href="./cat-cow/report.html"' in index
    assert "notes.mp4" in index and "failed" in index


def test_several_inputs_print_a_json_list(tmp_path):
    missing = tmp_path / "gone.jsonl"
    args = [str(SAMPLES / "cat-cow.jsonl.gz"), str(missing)]
    result = runner.invoke(app, ["analyze", *args, "-e", "cat-cow", "--json"])
    assert result.exit_code == 2
    items = json.loads(result.stdout)
    assert [i.get("schema") for i in items] == ["formcheck.result", None]
    assert items[0]["summary"]["reps"] == 3
    assert items[1]["status"] == "failed" and "no such recording" in items[1]["error"]


def test_one_input_with_reports_keeps_the_printed_summary(tmp_path):
    args = ["analyze", str(SAMPLES / "reverse-fly.jsonl.gz"), "-e", "reverse fly"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 reps" in result.output and "report.html" in result.output
    assert sorted(p.name for p in (tmp_path / "reverse-fly").iterdir()) == [
        "report.html", "report.json", "reps.csv",
    ]  # fmt: skip
    assert not (tmp_path / "index.html").exists()  # an index only for batches


def test_annotate_needs_an_output_folder():
    args = ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "cat-cow", "--annotate"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "formcheck: error: --annotate writes a video: give -o OUTDIR too"
    ]


def test_auto_reports_its_choice(tmp_path):
    args = ["analyze", str(SAMPLES / "cat-cow.jsonl.gz"), "-e", "auto", "-o", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "exercise (auto): cat-cow (confidence" in result.output
    report = _report(tmp_path / "cat-cow")
    assert report["exercise"]["id"] == "cat-cow"
    assert report["auto"]["chosen"] == "cat-cow" and report["auto"]["unsure"] is False
    assert report["result"]["auto"]["chosen"] == "cat-cow"  # --json shows it too
    assert "Exercise chosen automatically" in (tmp_path / "cat-cow" / "report.html").read_text()


def test_auto_says_unsure_and_exits_with_its_own_code(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    from formcheck.recording import RecordingHeader, RecordingWriter
    from formcheck.synth import Camera, Script, Step, render

    frames = render(
        Script(poses={}, start="standing", steps=[Step("standing", move_s=0.5, hold_s=4.0)]),
        Camera(azimuth_deg=90), fps=30.0, noise=0.004, seed=5,
    )  # fmt: skip
    still = tmp_path / "still.jsonl"
    with RecordingWriter(still, RecordingHeader("still", 30.0, frames[0].resolution_wh)) as w:
        for f in frames:
            w.write(f)
    result = runner.invoke(app, ["analyze", str(still), "-e", "auto", "-o", str(tmp_path)])
    from formcheck.cli.analyze_cmd import EXIT_UNSURE

    assert result.exit_code == EXIT_UNSURE == 6, result.output
    assert "unsure which exercise this is" in result.output
    report = _report(tmp_path / "still")
    assert report["auto"]["unsure"] is True
    assert any("unsure" in w for w in report["warnings"])
    from formcheck.store import open_history

    with open_history() as history:  # kept, marked unsure (progress leaves it out unless asked)
        assert [s.unsure for s in history.list_sessions()] == [True]


# -- real clips through the pose model ------------------------------------------------------
REAL = [
    ("cat-cow_side_a.mp4", "cat-cow", False),
    ("reverse-fly_front_rendered.mp4", "reverse-fly", True),
]


def _real_jobs(clips_dir, root):
    from formcheck.report import AnalysisJob

    return [
        AnalysisJob(str(clips_dir / name), ex, str(root / Path(name).stem), annotate, index=i)
        for i, (name, ex, annotate) in enumerate(REAL)
    ]


@pytest.fixture(scope="module")
def real_reports(clips_dir, pose_model, tmp_path_factory) -> Path:
    """Two short labelled clips analysed once, in this process (one worker)."""
    from formcheck.report import run_batch

    root = tmp_path_factory.mktemp("real")
    outcomes = run_batch(_real_jobs(clips_dir, root), workers=1)
    assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
    return root


def test_real_cat_cow_clip_gives_a_report(real_reports):
    folder = real_reports / "cat-cow_side_a"
    report = _report(folder)
    assert report["result"]["summary"]["reps"] == 1  # labelled: one slow cycle
    assert report["input"]["kind"] == "video" and report["input"]["model"] == "full"
    assert report["input"]["frames"] == 398 and report["input"]["resolution_wh"] == [768, 432]
    rows = list(csv.DictReader((folder / "reps.csv").open()))
    assert len(rows) == 1
    html = (folder / "report.html").read_text()
    assert html.count('<tr class="rep">') == 1 and "data:image/png;base64," in html


def test_real_reverse_fly_clip_with_annotated_video(real_reports):
    import cv2

    folder = real_reports / "reverse-fly_front_rendered"
    report = _report(folder)
    assert report["result"]["summary"]["reps"] == 1  # labelled: one rep
    cap = cv2.VideoCapture(str(folder / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == report["input"]["frames"] == 97
    assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (1280, 720)
    cap.release()


def test_real_clips_in_two_workers_match_one(real_reports, clips_dir, tmp_path):
    """The short clip twice at once, in two worker processes, gives the one-process report."""
    from formcheck.report import AnalysisJob, run_batch

    clip = str(clips_dir / "reverse-fly_front_rendered.mp4")
    jobs = [AnalysisJob(clip, "reverse-fly", str(tmp_path / f"{k}"), True, index=k) for k in (0, 1)]
    outcomes = run_batch(jobs, workers=2)
    assert [o.status for o in outcomes] == ["ok", "ok"]
    want = real_reports / "reverse-fly_front_rendered"
    for k in (0, 1):
        for file in ("report.json", "reps.csv", "report.html"):
            got = (tmp_path / str(k) / file).read_bytes()
            assert got == (want / file).read_bytes(), (k, file)


def test_auto_on_a_real_clip_draws_thumbnails_from_the_video(clips_dir, pose_model, tmp_path):
    """auto reads the video once for pose, then replays the landmarks with the pictures."""
    clip = clips_dir / "bird-dog_oblique_rendered.mp4"
    result = runner.invoke(app, ["analyze", str(clip), "-e", "auto", "-o", str(tmp_path)])
    assert result.exit_code in (0, 6), result.output  # 6: unsure (a rendered oblique view)
    report = _report(tmp_path / clip.stem)
    assert report["auto"]["chosen"] == report["exercise"]["id"]
    assert report["input"]["kind"] == "video" and report["input"]["frames"] == 64
    html = (tmp_path / clip.stem / "report.html").read_text()
    faults = sum(len(r["faults"]) for r in report["reps"])
    assert html.count("data:image/jpeg;base64,") == faults  # worst frames from the video


def test_truncated_clip_reports_what_was_read(clips_dir, pose_model, tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    data = (clips_dir / "squat_side_a.mp4").read_bytes()  # its index is at the front
    cut = tmp_path / "cut.mp4"  # a damaged copy, in the test's temporary folder only
    cut.write_bytes(data[: int(len(data) * 0.3)])
    result = runner.invoke(app, ["analyze", str(cut), "-e", "squat", "-o", str(tmp_path / "o")])
    cut.unlink()
    assert result.exit_code == 0, result.output
    assert "looks truncated" in result.output
    report = _report(tmp_path / "o" / "cut")
    assert report["partial"] is True and report["partial_reasons"] == ["truncated"]
    assert report["input"]["truncated"] is True
    assert 50 < report["input"]["frames"] < 338
    assert any("truncated" in w for w in report["warnings"])
    assert "Partial report" in (tmp_path / "o" / "cut" / "report.html").read_text()
    from formcheck.store import open_history

    with open_history() as history:  # saved, marked as covering only part of the set
        assert [s.partial for s in history.list_sessions()] == [("truncated",)]
