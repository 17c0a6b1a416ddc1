"""What fault injection found (issue 20): hostile file names, a full disk at chosen moments,
Ctrl+C twice, kill -9 mid-write. Each test fails on the code before the fix."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from formcheck import atomic
from formcheck.cli.app import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
runner = CliRunner()
REPORT_SET = {"report.json", "report.html", "reps.csv"}


def _enospc_on(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The disk is full when a file called ``name`` is put in place."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN202
        if Path(dst).name == name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", replace)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- item 3: links in index.html ---------------------------------------------------------------
def test_index_links_are_relative_and_percent_encoded(tmp_path):
    names = ["javascript:alert(1337).jsonl.gz", "a#b.jsonl.gz", "c?d.jsonl.gz", "x y%.jsonl.gz"]
    for name in names:
        shutil.copy(SAMPLES / "bird-dog.jsonl.gz", tmp_path / name)
    out = tmp_path / "out"
    args = ["analyze", *(str(tmp_path / n) for n in names), "-e", "bird-dog", "-o", str(out)]
    result = runner.invoke(app, [*args, "--no-history"])
    assert result.exit_code == 0, result.output
    hrefs = re.findall(r'href="([^"]*)"', (out / "index.html").read_text())
    assert len(hrefs) == len(names)
    for href in hrefs:
        assert href.startswith("./") and ":" not in href and "#" not in href and "?" not in href
        assert (out / unquote(href)).is_file(), href  # the link opens that input's report
    assert "./javascript%3Aalert%281337%29/report.html" in hrefs


# -- item 4: a failed index.html write loses nothing else ------------------------------------
@pytest.mark.parametrize("as_json", [False, True])
def test_a_full_disk_at_the_index_keeps_summaries_history_and_failures(
    tmp_path, monkeypatch, as_json
):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    _enospc_on(monkeypatch, "index.html")
    out = tmp_path / "out"
    inputs = [str(SAMPLES / "bird-dog.jsonl.gz"), str(tmp_path / "missing.jsonl.gz")]
    args = ["analyze", *inputs, "-e", "bird-dog", "-o", str(out), "--history"]  # the sample too
    args += ["--json"] if as_json else []
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    if as_json:
        items = json.loads(result.stdout)
        assert items[0]["summary"]["reps"] == 4 and items[1]["status"] == "failed"
    else:
        assert "bird-dog.jsonl.gz (22.8 s): 4 reps" in result.stdout
    assert "missing.jsonl.gz:" in result.stderr  # the failed input is listed
    assert "the batch index was not written" in result.stderr
    assert "no space left on the disk" in result.stderr
    assert (out / "bird-dog" / "report.json").is_file()
    from formcheck.store import open_history

    with open_history() as history:
        assert [s.reps for s in history.list_sessions()] == [4]


# -- item 5: the report files are replaced as a set ------------------------------------------
def _analyze(out: Path, exercise: str) -> object:
    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    return runner.invoke(app, ["analyze", sample, "-e", exercise, "-o", str(out), "--no-history"])


@pytest.mark.parametrize("failing", sorted(REPORT_SET))
def test_a_failed_rewrite_leaves_the_old_report_set_whole(tmp_path, monkeypatch, failing):
    out = tmp_path / "out"
    assert _analyze(out, "bird-dog").exit_code == 0
    folder = out / "bird-dog"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(before) == REPORT_SET
    _enospc_on(monkeypatch, failing)
    result = _analyze(out, "reverse-fly")  # another exercise: every file would differ
    assert result.exit_code == 4, result.output
    assert "no space left on the disk" in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert _hidden(out) == []


def test_a_rewrite_replaces_formchecks_files_and_keeps_the_users(tmp_path):
    out = tmp_path / "out"
    assert _analyze(out, "bird-dog").exit_code == 0
    folder = out / "bird-dog"
    (folder / "annotated.mp4").write_bytes(b"from an older run")  # formcheck's: dropped
    (folder / "notes.txt").write_text("patient said the left knee hurt")  # the user's: kept
    (folder / "print").mkdir()
    (folder / "print" / "report.pdf").write_bytes(b"%PDF")
    assert _analyze(out, "reverse-fly").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_SET | {"notes.txt", "print"})
    assert json.loads((folder / "report.json").read_text())["exercise"]["id"] == "reverse-fly"
    assert (folder / "notes.txt").read_text() == "patient said the left knee hurt"
    assert (folder / "print" / "report.pdf").read_bytes() == b"%PDF"
    assert _hidden(out) == []


# -- item 11 (and 5): kill -9 at chosen moments, cleaned at the next run ---------------------
_KILL_AT_RENAME = """
import os, signal, sys
from formcheck import atomic
real = os.rename
def rename(src, dst):
    real(src, dst)
    if ".fctmp" in os.path.basename(dst):  # the old report set moved aside, the new not yet in
        os.kill(os.getpid(), signal.SIGKILL)
atomic.os.rename = rename
from formcheck.cli.app import main
sys.argv = ["formcheck", *sys.argv[1:]]
main()
"""


def test_kill_9_while_a_report_set_is_swapped_in_loses_nothing(tmp_path):
    out = tmp_path / "out"
    assert _analyze(out, "bird-dog").exit_code == 0
    before = (out / "bird-dog" / "report.json").read_bytes()
    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    args = ["analyze", sample, "-e", "reverse-fly", "-o", str(out), "--no-history"]
    proc = subprocess.run([sys.executable, "-c", _KILL_AT_RENAME, *args], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "bird-dog").exists()  # the old set is aside, the new one staged
    assert len(_hidden(out)) >= 2
    # the next run in that folder puts the old set back and removes the staged one
    other = tmp_path / "set2.jsonl.gz"
    shutil.copy(sample, other)
    result = runner.invoke(app, ["analyze", str(other), "-e", "bird-dog", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _hidden(out) == []
    assert (out / "bird-dog" / "report.json").read_bytes() == before


_KILL_MID_WRITE = """
import os, signal, sys
import numpy as np
from pathlib import Path
from formcheck.recording import RecordingHeader, RecordingWriter, read_recording
from formcheck.render.video import AnnotatedVideoWriter
folder = Path(sys.argv[1])
_, frames = read_recording(sys.argv[2])
rec = RecordingWriter(folder / "take.jsonl.gz", RecordingHeader("cam", 30.0, (64, 48)))
video = AnnotatedVideoWriter(folder / "annotated.mp4", 30.0, (64, 48))
for frame in frames[:5]:
    rec.write(frame)
    video.write(np.zeros((48, 64, 3), np.uint8))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_temporaries_are_removed_at_the_next_run_in_that_folder(tmp_path):
    folder = tmp_path / "takes"
    folder.mkdir()
    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    proc = subprocess.run([sys.executable, "-c", _KILL_MID_WRITE, str(folder), sample])
    assert proc.returncode == -signal.SIGKILL
    left = _hidden(folder)
    assert len(left) == 2 and all(".fctmp" in n for n in left), left
    assert not (folder / "take.jsonl.gz").exists() and not (folder / "annotated.mp4").exists()
    (folder / ".keep").write_text("not formcheck's")  # other hidden files are left alone
    # a live temporary of a running process is left alone too
    mine = folder / f".x.jsonl{atomic._MARK}{os.getpid()}-abc"
    mine.write_text("")
    atomic.write_atomic(folder / "summary.json", "{}")  # the next write into that folder
    assert _hidden(folder) == sorted([".keep", mine.name])


def test_clean_stale_restores_an_old_report_folder_and_spares_running_processes(tmp_path):
    dead = _dead_pid()
    old = tmp_path / f".set1{atomic._MARK}{dead}-old"
    old.mkdir()
    (old / "report.json").write_text("{}")
    staged = tmp_path / f".set1{atomic._MARK}{dead}-k3j4"
    staged.mkdir()
    taken = tmp_path / f".set2{atomic._MARK}{dead}-old"  # set2 exists again: the old one goes
    taken.mkdir()
    (tmp_path / "set2").mkdir()
    alive = tmp_path / f".set3{atomic._MARK}{os.getppid()}-zz"
    alive.write_text("")
    atomic.clean_stale(tmp_path)
    assert (tmp_path / "set1" / "report.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["set1", "set2", alive.name])


def test_a_zombie_process_leftovers_are_removed(tmp_path):
    """A process that ended but was not reaped (a Ray worker killed with its driver) still
    answers signal 0; its temporaries are a dead process's all the same."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # it has ended; not reaped yet
    try:
        os.kill(child.pid, 0)  # signal 0 still reaches it
        left = tmp_path / f".visit3{atomic._MARK}{child.pid}.{atomic._host()}-zpx"
        left.mkdir()
        atomic.clean_stale(tmp_path)
        assert not left.exists()
    finally:
        child.wait()


# -- item 7: a full disk while writing annotated.mp4 ------------------------------------------
def test_a_full_disk_during_the_annotated_video_keeps_the_report(tmp_path, monkeypatch):
    """The disk fills up after 40 frames of the video: the analysis goes on, the report is
    written, the video is not, and the message says why."""
    import formcheck.render.video as video

    real = video.AnnotatedVideoWriter._mux
    calls = [0]

    def mux(self, packets):  # noqa: ANN001, ANN202
        calls[0] += 1
        if calls[0] > 40:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, packets)

    monkeypatch.setattr(video.AnnotatedVideoWriter, "_mux", mux)
    out = tmp_path / "out"
    sample = str(SAMPLES / "cat-cow.jsonl.gz")
    args = ["analyze", sample, "-e", "cat-cow", "-o", str(out), "--annotate", "--no-history"]
    result = runner.invoke(app, args)
    assert result.exit_code == 4, result.output
    assert "annotated.mp4 not written" in result.output
    assert "no space left on the disk" in result.output
    assert "3 reps" in result.stdout  # the summary is printed
    folder = out / "cat-cow"
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_SET)
    report = json.loads((folder / "report.json").read_text())
    assert report["outputs"]["annotated_video"] is None
    assert any("no space left" in w for w in report["warnings"])
    assert _hidden(out) == []


# -- item 8: Ctrl+C twice ----------------------------------------------------------------------
def test_a_second_ctrl_c_does_not_cut_the_partial_report_short(tmp_path, monkeypatch):
    """Ctrl+C at frame 200 stops the analysis; another while the partial report is written,
    and another when the index is written: the reports are still written whole."""
    import formcheck.report.collect as collect
    import formcheck.report.job as job

    real_frame, real_write = collect.Collector.on_frame, job.write_atomic
    seen = [0]

    def on_frame(self, *args):  # noqa: ANN001, ANN002, ANN202
        seen[0] += 1
        if seen[0] == 200:
            os.kill(os.getpid(), signal.SIGINT)
        return real_frame(self, *args)

    def write_atomic(path, data):  # noqa: ANN001, ANN202
        os.kill(os.getpid(), signal.SIGINT)  # the second (third...) press, mid-write
        return real_write(path, data)

    monkeypatch.setattr(collect.Collector, "on_frame", on_frame)
    monkeypatch.setattr(job, "write_atomic", write_atomic)
    # Python's own handler, or "ignored" when the tests were started in the background
    before = signal.getsignal(signal.SIGINT)
    out = tmp_path / "out"
    inputs = [str(SAMPLES / "bird-dog.jsonl.gz"), str(SAMPLES / "cat-cow.jsonl.gz")]
    result = runner.invoke(app, ["analyze", *inputs, "-e", "bird-dog", "-o", str(out)])
    assert result.exit_code == 130, result.output
    assert "interrupted before this input was analysed" not in result.stderr.split("cat-cow")[0]
    report = json.loads((out / "bird-dog" / "report.json").read_text())
    assert report["partial_reasons"] == ["interrupted"]
    assert 0 < report["result"]["duration_s"] < 22
    assert set(p.name for p in (out / "bird-dog").iterdir()) == REPORT_SET
    assert not (out / "cat-cow").exists()  # the batch stopped
    assert (out / "index.html").is_file()
    assert signal.getsignal(signal.SIGINT) is before  # the handler is given back


# -- item 13: no folder for an input that gave nothing ---------------------------------------
def test_no_person_leaves_no_output_folder(tmp_path):
    from formcheck.pose.core import PoseFrame
    from formcheck.recording import RecordingHeader, RecordingWriter

    empty = tmp_path / "empty.jsonl.gz"
    with RecordingWriter(empty, RecordingHeader("cam", 30.0, (640, 480))) as rec:
        for i in range(60):
            rec.write(PoseFrame(t_s=i / 30, resolution_wh=(640, 480), index=i))
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(empty), "-e", "squat", "-o", str(out)])
    assert result.exit_code == 2
    assert "no person found" in result.stderr
    assert not out.exists()


def test_a_report_folder_is_as_open_as_any_folder_the_user_makes(tmp_path):
    out = tmp_path / "out"
    assert _analyze(out, "bird-dog").exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "bird-dog").stat().st_mode & 0o777 == 0o777 & ~umask
    assert (out / "bird-dog" / "report.html").stat().st_mode & 0o777 == 0o666 & ~umask
