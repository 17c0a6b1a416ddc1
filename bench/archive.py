"""What an archive batch costs: inputs a minute with ``--workers 2`` and with ``--ray`` (a local
instance), Ray's cost per task, and the driver's peak memory.

    python bench/archive.py [--inputs 200] [--seconds 3]

The inputs are short landmark recordings of the mannequin (the cat-cow sample cut to its first
``--seconds`` seconds, each file's bytes made its own so that each is a session of its own):
no pose model runs, so what is measured is what a batch adds around the analyses. Each run is
``formcheck analyze DIR -e cat-cow -o OUT --no-history`` in a fresh process, timed from start
to exit; the driver's peak memory is its VmHWM, read from /proc while it runs.

Ray's own costs are timed alone: starting and stopping a local instance, and a batch of as
many empty one-CPU tasks as inputs (each given a job-sized argument back), as the CPU-slot time
one task takes. The report files of the two runs are compared byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "cat-cow.jsonl.gz"


def make_inputs(folder: Path, n: int, seconds: float) -> None:
    lines = gzip.decompress(SAMPLE.read_bytes()).decode().splitlines(keepends=True)
    header, frames = lines[0], lines[1:]
    import json

    fps = json.loads(header)["fps"]
    cut = "".join([header, *frames[: max(1, int(seconds * fps))]]).encode()
    for k in range(n):
        (folder / f"visit{k:04d}.jsonl.gz").write_bytes(gzip.compress(cut, mtime=k + 1))


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the driver's peak RSS in MB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "formcheck", "analyze", *args], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    peak_kb = 0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kb = max(peak_kb, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"analyze {' '.join(args)} exited {proc.returncode}: {err[-400:]}")
    return wall, peak_kb / 1024


def ray_costs(n: int) -> tuple[float, float]:
    """Seconds to start and stop a local Ray instance; seconds of a task slot that one empty
    task of one CPU takes (wall time of ``n`` of them x the slots / ``n``)."""
    code = (
        "import os, time; os.environ['RAY_USAGE_STATS_ENABLED'] = '0'; import ray\n"
        "t0 = time.perf_counter()\n"
        "ray.init(include_dashboard=False, _node_ip_address='127.0.0.1', log_to_driver=False,"
        " configure_logging=False)\n"
        "f = ray.remote(num_cpus=1)(lambda job: job)\n"
        "ray.get([f.remote(0) for _ in range(4)])\n"  # the workers are up
        "t1 = time.perf_counter()\n"
        f"ray.get([f.remote(k) for k in range({n})])\n"
        "t2 = time.perf_counter()\n"
        "slots = ray.cluster_resources()['CPU']\n"
        "ray.shutdown()\n"
        "print(time.perf_counter() - t0 - (t2 - t1), (t2 - t1) * slots / " + str(n) + ")\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    start, per_task = out.stdout.strip().splitlines()[-1].split()
    return float(start), float(per_task)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    with tempfile.TemporaryDirectory(prefix="formcheck-archive-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        make_inputs(root / "in", a.inputs, a.seconds)
        env["FORMCHECK_HOME"] = str(root / "home")
        common = [str(root / "in"), "-e", "cat-cow", "--no-history"]
        w_wall, w_rss = run([*common, "-o", str(root / "w2"), "--workers", "2"], env)
        r_wall, r_rss = run([*common, "-o", str(root / "ray"), "--ray"], env)
        same = all(
            (root / "w2" / p.relative_to(root / "ray")).read_bytes() == p.read_bytes()
            for p in (root / "ray").rglob("*") if p.is_file()
        )  # fmt: skip
        start, per_task = ray_costs(a.inputs)
        again, _ = run([*common, "-o", str(root / "ray")], env)  # everything skipped
    n = a.inputs
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average {load} at the end")
    print(f"{n} landmark recordings of {a.seconds:g} s each (the cat-cow sample cut short)")
    print(f"  --workers 2: {w_wall:6.1f} s = {n / w_wall * 60:6.1f} inputs/min, "
          f"driver peak RSS {w_rss:5.0f} MB")  # fmt: skip
    print(f"  --ray local: {r_wall:6.1f} s = {n / r_wall * 60:6.1f} inputs/min, "
          f"driver peak RSS {r_rss:5.0f} MB")  # fmt: skip
    print(f"  Ray start and stop alone: {start:.1f} s; an empty task: {per_task * 1000:.1f} ms "
          "of a CPU slot")  # fmt: skip
    print(f"  rerun with everything done (all skipped): {again:.1f} s")
    print(f"  every file of --ray byte for byte that of --workers 2: {same}")


if __name__ == "__main__":
    main()
