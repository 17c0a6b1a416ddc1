"""Batches: inputs expanded in order, one folder each, workers give the same results as one
process, and an interrupted batch keeps what it finished."""

from __future__ import annotations

from pathlib import Path

from report_files import load_report

from formcheck.report import AnalysisJob, expand_inputs, out_dirs, run_batch, run_job


def test_expand_inputs_keeps_order_and_takes_videos_and_recordings(tmp_path):
    folder = tmp_path / "sets"
    folder.mkdir()
    for name in ("b10.mp4", "b2.MOV", "a.jsonl.gz", "notes.txt", ".hidden.mp4"):
        (folder / name).write_bytes(b"x")
    first = tmp_path / "first.weird"
    first.write_bytes(b"x")
    got = expand_inputs([first, folder, folder / "b2.MOV", tmp_path / "missing.mp4"])
    assert [Path(p).name for p in got] == [
        "first.weird", "a.jsonl.gz", "b2.MOV", "b10.mp4", "missing.mp4",
    ]  # fmt: skip


def test_out_dirs_are_unique_per_input(tmp_path):
    dirs = out_dirs(["x/set.mp4", "y/set.mp4", "set.jsonl.gz", "SET.mov", "z.jsonl"], tmp_path)
    assert [d.name for d in dirs] == ["set", "set-2", "set-3", "SET-4", "z"]


def _jobs(samples, root, names=("bird-dog", "cat-cow")):
    paths = [str(samples / f"{n}.jsonl.gz") for n in names]
    return [
        AnalysisJob(p, n, str(d), index=i)
        for i, (p, n, d) in enumerate(zip(paths, names, out_dirs(paths, root), strict=True))
    ]


def test_two_workers_give_the_same_results_as_one(samples, tmp_path):
    one = run_batch(_jobs(samples, tmp_path / "one"), workers=1)
    two = run_batch(_jobs(samples, tmp_path / "two"), workers=2)
    assert [o.status for o in two] == ["ok", "ok"]
    assert [o.result for o in two] == [o.result for o in one]
    for name in ("bird-dog", "cat-cow"):
        for file in ("report.json", "reps.csv", "report.html"):
            a = (tmp_path / "one" / name / file).read_bytes()
            assert a == (tmp_path / "two" / name / file).read_bytes(), (name, file)


def test_ctrl_c_keeps_a_partial_report_and_stops_the_batch(samples, tmp_path):
    calls = []

    def progress(p):  # Ctrl+C arrives while the first input is being analysed
        calls.append(p.done)
        if p.index == 0 and p.done > 200 and len(calls) < 1000:
            calls.extend([0] * 1000)
            raise KeyboardInterrupt

    outcomes = run_batch(_jobs(samples, tmp_path), workers=1, on_progress=progress)
    assert [o.status for o in outcomes] == ["partial", "not analysed"]
    assert outcomes[0].interrupted and outcomes[1].interrupted
    report = load_report(tmp_path / "bird-dog")
    assert report["partial"] is True and report["partial_reasons"] == ["interrupted"]
    assert report["result"]["interrupted"] is True
    assert 200 < report["input"]["frames"] < 684
    assert "interrupted" in report["warnings"][0]
    assert (tmp_path / "bird-dog" / "report.html").is_file()
    assert not (tmp_path / "cat-cow").exists()


def test_a_stop_request_ends_a_job_early(samples, tmp_path):
    """Workers are asked to stop through ``should_stop`` (their SIGINT is ignored)."""
    checks = iter(range(10_000))
    job = AnalysisJob(str(samples / "cat-cow.jsonl.gz"), "cat-cow", str(tmp_path / "c"))
    outcome = run_job(job, should_stop=lambda: next(checks) >= 100)
    assert outcome.status == "partial"
    assert load_report(tmp_path / "c")["input"]["frames"] == 101  # and the frame in hand
