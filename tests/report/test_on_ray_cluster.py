"""``formcheck analyze --ray=auto`` and ``--ray ray://host:port`` on a running Ray cluster,
and a batch whose Ray worker dies mid-task.

One cluster for the module, started here as a user starts one (``ray start --head``, 2 CPUs,
Ray Client on, token authentication on with a token of its own), on 127.0.0.1 only: Ray would
otherwise turn 127.0.0.1 into the machine's network address, so it is told that clusters are
off (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``) and uses a Ray folder of its own, so that no
other Ray on this machine finds it. It is ended by its processes' session id (``ray stop``
would end every Ray on the machine). The drivers are ``python -m formcheck``, as typed.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formcheck.cli.app import app
from formcheck.report.on_ray import DIE_HOOK

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
runner = CliRunner()
pytestmark = pytest.mark.xdist_group("ray")  # one Ray at a time, in one xdist worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session(sid: int) -> list[int]:
    """The running processes of session ``sid`` (from /proc; zombies have ended)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


class Cluster:
    def __init__(self, env: dict[str, str], gcs: int, client: int, die: Path) -> None:
        self.env, self.gcs, self.client, self.die = env, gcs, client, die

    def analyze(self, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
        """``formcheck analyze ARGS`` in a process of its own, with the cluster's token."""
        return subprocess.run(
            [sys.executable, "-m", "formcheck", "analyze", *args],
            cwd=cwd, env={**self.env, **env}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    die = tmp_path_factory.mktemp("die")
    temp_dir = tempfile.mkdtemp(prefix="fcray", dir="/tmp")  # short: Ray's socket paths
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(
        RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
        RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(16),
        FORMCHECK_HOME=str(tmp_path_factory.mktemp("home")),
    )  # fmt: skip
    gcs, client = _free_port(), _free_port()
    start = subprocess.Popen(
        [
            sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--num-cpus=2",
            f"--port={gcs}", "--node-ip-address=127.0.0.1", f"--ray-client-server-port={client}",
            "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}",
        ],
        env={**env, DIE_HOOK: str(die)}, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    sid = start.pid  # the session of Ray's processes: all of them, workers included
    try:
        said, _ = start.communicate(timeout=180)
        assert start.returncode == 0, said
        yield Cluster(env, gcs, client, die)
    finally:
        start.kill()
        for _ in range(50):  # nothing of a test cluster's needs saving: kill -9, until none
            for pid in _session(sid):
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
            if not _session(sid):
                break
        left = _session(sid)
        shutil.rmtree(temp_dir, ignore_errors=True)
        assert left == [], f"Ray processes left running: {left}"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_ray_equals_auto_joins_the_cluster_and_writes_what_one_worker_writes(
    tmp_path, monkeypatch, cluster
):
    inputs = [str(SAMPLES / "bird-dog.jsonl.gz"), str(SAMPLES / "cat-cow.jsonl.gz")]
    args = [*inputs, "-e", "bird-dog", "--no-history"]
    monkeypatch.setenv("FORMCHECK_HOME", cluster.env["FORMCHECK_HOME"])
    local = runner.invoke(app, ["analyze", *args, "-o", str(tmp_path / "one"), "--workers", "1"])
    assert local.exit_code == 0, local.output
    address = f"127.0.0.1:{cluster.gcs}"
    done = cluster.analyze(*args, "-o", "on-ray", "--ray=auto", cwd=tmp_path, RAY_ADDRESS=address)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    one, on_ray = _tree(tmp_path / "one"), _tree(tmp_path / "on-ray")
    assert sorted(one) == sorted(on_ray)
    assert "bird-dog/report.json" in one and "manifest.jsonl" in one
    assert [name for name in one if one[name] != on_ray[name]] == []


def test_a_worker_that_dies_is_retried_and_one_that_dies_twice_fails_alone(tmp_path, cluster):
    """Through Ray Client: ``once`` kills its worker on its first frame, then is analysed on
    the retry; ``always`` kills it on both tries and is failed with why; ``fine`` is fine."""
    folder = tmp_path / "archive"
    folder.mkdir()
    landmarks = gzip.decompress((SAMPLES / "cat-cow.jsonl.gz").read_bytes())
    for k, name in enumerate(("once", "always", "fine")):
        (folder / f"{name}.jsonl.gz").write_bytes(gzip.compress(landmarks, mtime=k + 1))
    (cluster.die / "once.jsonl.gz.once").touch()
    (cluster.die / "always.jsonl.gz.always").touch()
    address = f"ray://127.0.0.1:{cluster.client}"
    done = cluster.analyze(
        str(folder), "-e", "cat-cow", "-o", "out", "--no-history", "--ray", address, cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "always.jsonl.gz: the Ray worker analysing it died 2 times" in done.stderr
    assert (cluster.die / "once.jsonl.gz.died").exists()  # its first try did die
    out = tmp_path / "out"
    lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    status = {Path(r["input"]).name: r["status"] for r in lines}
    assert status == {"once.jsonl.gz": "ok", "always.jsonl.gz": "failed", "fine.jsonl.gz": "ok"}
    failed = next(r for r in lines if r["status"] == "failed")
    assert "died 2 times" in failed["error"]
    # one report each for once and fine, none for always, and no temporary folder of the
    # three dead workers left in OUT
    assert sorted(p.name for p in out.iterdir()) == [
        "batch.csv", "fine", "index.html", "manifest.jsonl", "once",
    ]  # fmt: skip
    once, fine = (json.loads((out / n / "report.json").read_text()) for n in ("once", "fine"))
    assert once["result"]["reps"] == fine["result"]["reps"]  # the same recording, whole


def test_a_cluster_that_does_not_answer_is_one_line_at_once(tmp_path, cluster):
    port = _free_port()  # nothing listens there
    done = cluster.analyze(
        str(SAMPLES / "bird-dog.jsonl.gz"), "-e", "bird-dog", f"--ray=127.0.0.1:{port}",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, done.stderr
    head = f"formcheck: error: cannot reach the Ray cluster at 127.0.0.1:{port}"
    assert lines[0].startswith(head)
    assert f"nothing answers at 127.0.0.1:{port}" in lines[0]
    assert "is 'ray start --head --port PORT' running there" in lines[0]
