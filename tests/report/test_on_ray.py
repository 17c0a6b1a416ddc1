"""``formcheck analyze --ray``: the same bytes as ``--workers 1``, a batch whose driver is
killed with ``kill -9`` finishes on the rerun, and one line without Ray.

The tests share one local Ray instance of 2 CPUs (loopback only, no dashboard, no usage
reports), started here; they run in one xdist worker, so there is only ever one."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import ray
from typer.testing import CliRunner

from formcheck.cli.app import app

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
runner = CliRunner()
pytestmark = pytest.mark.xdist_group("ray")


@pytest.fixture(scope="module")
def local_ray():
    """A new instance, as ``--ray`` starts one: on 127.0.0.1 only, even if a cluster runs
    here."""
    from formcheck.report.on_ray import _loopback_only

    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    with _loopback_only():
        ray.init(
            address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
            log_to_driver=False, configure_logging=False,
        )  # fmt: skip
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def short_video(tmp_path_factory) -> Path:
    """1.5 s of the mannequin's bird-dog as a video (through the pose model)."""
    from formcheck.engine import load_exercise
    from formcheck.engine.selftest import case_pictures, select_case, select_variant
    from formcheck.synth.export import write_video

    d = load_exercise("bird-dog")
    pictures, resolution_wh = case_pictures(d, select_case(d, 1), select_variant("ideal"))
    path = tmp_path_factory.mktemp("video") / "bird-dog-start.mp4"
    write_video(itertools.islice(pictures, 45), path, 30.0, resolution_wh)
    return path


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_ray_writes_the_same_bytes_as_one_worker(tmp_path, monkeypatch, local_ray, short_video):
    inputs = [
        str(SAMPLES / "bird-dog.jsonl.gz"),
        str(SAMPLES / "cat-cow.jsonl.gz"),
        str(short_video),
    ]
    runs = {}
    for how, extra in (("one", ["--workers", "1"]), ("ray", ["--ray"])):
        monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / f"home-{how}"))  # an empty history
        out = tmp_path / how
        args = ["analyze", *inputs, "-e", "bird-dog", "--history", "-o", str(out), *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        runs[how] = _tree(out)
    one, on_ray = runs["one"], runs["ray"]
    assert sorted(one) == sorted(on_ray)
    assert {"bird-dog-start/report.json", "index.html", "batch.csv", "manifest.jsonl"} <= set(one)
    different = [name for name in one if one[name] != on_ray[name]]
    assert different == []  # no timing fields in these files: every byte is the same
    video = json.loads(one["bird-dog-start/report.json"])
    assert (video["input"]["kind"], video["input"]["frames"]) == ("video", 45)
    assert video["input"]["frames_with_person"] > 0
    # the driver saved the sessions, in both runs alike
    for how in ("one", "ray"):
        monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / f"home-{how}"))
        sessions = json.loads(runner.invoke(app, ["history", "export", "--json"]).stdout)
        assert sorted(s["source"] for s in sessions["sessions"]) == sorted(
            Path(i).name for i in inputs
        )


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {c for c, p in parents.items() if p == parent}
        todo.extend(kids - found)
        found |= kids
    return found


_AGENTS = ("ray::DashboardAgent", "ray::RuntimeEnvAgent")


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"  # a zombie has ended


def _manifest_lines(out: Path) -> list[dict]:
    path = out / "manifest.jsonl"
    if not path.exists():
        return []
    lines = []
    for line in path.read_text().splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pass  # a line being written
    return lines


def test_a_driver_killed_mid_batch_finishes_on_the_rerun(tmp_path, monkeypatch, local_ray):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path / "home"))
    folder = tmp_path / "archive"
    folder.mkdir()
    landmarks = gzip.decompress((SAMPLES / "cat-cow.jsonl.gz").read_bytes())
    for k in range(6):  # six files of their own (the gzip header's time differs): six sessions
        (folder / f"visit{k + 1}.jsonl.gz").write_bytes(gzip.compress(landmarks, mtime=k + 1))
    out = tmp_path / "out"
    args = [str(folder), "-e", "cat-cow", "-o", str(out), "--history"]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    driver = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "analyze", *args, "--ray"], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    helpers: set[int] = set()
    try:
        while len(_manifest_lines(out)) < 2:  # two inputs finished: kill the driver
            assert driver.poll() is None, "the batch ended before it could be killed"
            helpers |= _descendants(driver.pid)
            time.sleep(0.05)
        helpers |= _descendants(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        done_before = len(_manifest_lines(out))
        assert 2 <= done_before < 6
        # Ray's processes of that driver share its fate: the workers (which write reports),
        # the raylet and the GCS end with it; Ray's two agents notice within about a minute
        agents = {p for p in helpers if _command(p).startswith(_AGENTS)}
        for _ in range(300):
            if not any(_running(p) for p in helpers - agents):
                break
            time.sleep(0.1)
        assert [p for p in helpers - agents if _running(p)] == []
    finally:
        driver.kill()
        for p in helpers:
            if _running(p):
                os.kill(p, signal.SIGKILL)
    result = runner.invoke(app, ["analyze", *args, "--ray"])  # the rerun, on the tests' Ray
    assert result.exit_code == 0, result.output
    assert f"skipped {done_before} input(s) analysed by an earlier run" in result.stderr
    lines = _manifest_lines(out)
    assert sorted(r["input"] for r in lines) == sorted(str(p) for p in folder.iterdir())
    assert {r["status"] for r in lines} == {"ok"}
    names = sorted(p.name for p in out.iterdir())
    assert names == ["batch.csv", "index.html", "manifest.jsonl"] + [
        f"visit{k + 1}" for k in range(6)
    ]  # no report lost, none doubled (visit1-2), no temporary folder left
    assert all((out / f"visit{k + 1}" / "report.json").is_file() for k in range(6))
    sessions = json.loads(runner.invoke(app, ["history", "export", "--json"]).stdout)["sessions"]
    assert sorted(s["source"] for s in sessions) == sorted(
        f"visit{k + 1}.jsonl.gz" for k in range(6)
    )
    # a third run has nothing left to do
    again = runner.invoke(app, ["analyze", *args, "--ray"])
    assert again.exit_code == 0 and "skipped 6 input(s)" in again.stderr


def test_without_ray_installed_ray_is_one_line_naming_the_extra(monkeypatch, one_line_error):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    result = runner.invoke(app, ["analyze", "x.mp4", "-e", "squat", "--ray"])
    one_line_error(result, 'pip install "formcheck[ray]"')
    assert result.exit_code == 2


def test_the_dev_install_of_the_quick_start_and_ci_brings_ray():
    """CI installs `.[dev]` as the README's quick start says: that must bring the extra."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(r.startswith("ray") for r in extras["ray"])
    assert "formcheck[ray]" in extras["dev"]


@pytest.mark.parametrize(
    ("given", "address"),
    [
        (["--ray"], None),
        (["--ray", "auto"], "auto"),
        (["--ray=auto"], "auto"),
        (["--ray", "ray://head:10001"], "ray://head:10001"),
        (["--ray=ray://head:10001"], "ray://head:10001"),
        (["--ray=head:6379"], "head:6379"),
        (["--ray=local"], None),
    ],
)
def test_ray_takes_its_address_after_a_space_or_an_equals_sign(given, address, monkeypatch):
    from formcheck.report import on_ray

    def run_on_ray(jobs, *, address=None, **_):  # noqa: ANN001, ANN003, ANN202
        raise on_ray.RayUnavailable(f"would run {len(jobs)} on {address}")

    monkeypatch.setattr(on_ray, "run_on_ray", run_on_ray)
    sample = str(SAMPLES / "bird-dog.jsonl.gz")
    result = runner.invoke(app, ["analyze", sample, *given, "-e", "bird-dog", "--no-history"])
    assert f"would run 1 on {address}" in result.output, result.output


@pytest.mark.parametrize("given", ["--ray=bogus", "--ray=", "--ray=ray://head"])
def test_a_bad_ray_address_is_one_line(given, one_line_error):
    result = runner.invoke(app, ["analyze", "x.mp4", given, "-e", "squat"])
    one_line_error(result, "is not a Ray address: give auto, ray://HOST:PORT or HOST:PORT")
    assert result.exit_code == 2


def test_ray_client_without_grpc_is_one_line_naming_the_extra(monkeypatch, one_line_error):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "grpc" else real(name, *a)
    )
    result = runner.invoke(app, ["analyze", "x.mp4", "-e", "squat", "--ray=ray://head:10001"])
    one_line_error(result, "Ray Client, which needs grpcio", 'pip install "formcheck[ray]"')
    assert result.exit_code == 2
