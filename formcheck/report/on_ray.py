"""Many inputs on Ray: one task per input, on this machine or on a cluster.

``run_on_ray(jobs, address=None)`` returns one :class:`AnalysisOutcome` per job, in job order,
like :func:`formcheck.report.batch.run_batch`, and hands each to ``on_outcome`` as it arrives.
Each task runs :func:`formcheck.report.job.run_job`, the same function as a local run, in a
Ray worker process that keeps its pose model loaded from one input to the next
(:mod:`formcheck.pose.kept`); so the reports are byte for byte those of ``--workers 1``.

- ``address`` None starts a Ray instance on this machine (loopback only, no dashboard, no
  usage reports); ``"auto"`` or ``"ray://host:port"`` joins a running cluster, whose nodes
  need formcheck with the extra (``pip install "formcheck[ray]"``) and the inputs and OUTDIR
  at the same paths (a file share). A Ray already started in this process is used as it is.
- A task asks for :data:`TASK_CPUS` CPU: MediaPipe's pose graph runs its two stages one after
  the other, with XNNPACK on one thread, and used 0.92 of a core (398 frames of a real clip:
  13.2 s of CPU in 14.3 s), so one task per core keeps the cores busy without oversubscribing.
- A task whose worker dies (killed, out of memory, a lost node) is run again once
  (``max_retries``); an input whose task fails twice is a ``failed`` outcome with Ray's words,
  and the batch goes on. A bad input is not retried: its failure is an outcome, not a crash.
- At most a few tasks per CPU are in flight, so the driver's memory follows the cluster's
  size, not the batch's.
- Ctrl+C (heard by the driver only: Ray's processes started here ignore it) cancels what has
  not finished, stopping the workers where they are; those inputs are "not analysed", their
  earlier report folders untouched, and a rerun does them.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from formcheck.errors import FormcheckError
from formcheck.report.job import AnalysisJob, AnalysisOutcome, run_job

__all__ = ["RAY_EXTRA", "TASK_CPUS", "RayUnavailable", "require_ray", "run_on_ray"]

RAY_EXTRA = 'pip install "formcheck[ray]"'
TASK_CPUS = 1
MAX_RETRIES = 1  # a task whose worker died runs once more
TASKS_PER_CPU = 2


class RayUnavailable(FormcheckError):
    """Ray is not installed, or the Ray instance cannot be started or reached."""

    exit_code = 2  # as other usage errors: what was asked for cannot be done as given


def require_ray() -> None:
    """Raise :class:`RayUnavailable` naming the extra when Ray is not installed."""
    if importlib.util.find_spec("ray") is None:
        raise RayUnavailable(f"--ray needs Ray, which is not installed: {RAY_EXTRA}")


def _task(job: AnalysisJob, cwd: str) -> AnalysisOutcome:
    """One input, in a Ray worker (relative paths are the driver's: its folder first)."""
    from formcheck.pose.kept import keep_models

    keep_models()
    if os.path.isdir(cwd):
        os.chdir(cwd)
    return run_job(job)


def _start(address: str | None) -> bool:
    """Connect to Ray (see the module docstring); whether this call started it."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports to Ray's servers
    kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    if address is None:
        kwargs.update(include_dashboard=False, _node_ip_address="127.0.0.1")
    else:
        kwargs["address"] = address
    # Ctrl+C on a terminal goes to the whole process group: Ray's processes started here would
    # die of it under the driver (and take it down with a fatal error). Started with SIGINT
    # ignored, they keep ignoring it, and only the driver hears Ctrl+C and stops the batch.
    previous = signal.getsignal(signal.SIGINT) if _main_thread() else None
    try:
        if previous is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        ray.init(**kwargs)
    except (ConnectionError, RuntimeError, ValueError) as err:
        where = "a local Ray instance" if address is None else f"the Ray cluster at {address}"
        raise RayUnavailable(f"cannot start or reach {where}: {_first_line(err)}") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return True


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _failed(job: AnalysisJob, err: BaseException) -> AnalysisOutcome:
    import ray

    name = Path(job.input).name
    if isinstance(err, ray.exceptions.RayTaskError):  # formcheck itself raised: a bug
        cause = err.cause if getattr(err, "cause", None) is not None else err
        text = f"{name}: the analysis stopped with an unexpected error ({_first_line(cause)})"
    else:  # the worker or its node died, twice
        text = (
            f"{name}: the Ray worker analysing it died {MAX_RETRIES + 1} times ({_first_line(err)})"
        )
    return AnalysisOutcome(job, name, "failed", error=text, exit_code=1)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return type(err).__name__ + (f": {text.splitlines()[0]}" if text else "")


def _not_analysed(job: AnalysisJob) -> AnalysisOutcome:
    return AnalysisOutcome(
        job, Path(job.input).name, "not analysed",
        error="interrupted before this input was analysed", exit_code=130, interrupted=True,
    )  # fmt: skip


def run_on_ray(
    jobs: Sequence[AnalysisJob],
    *,
    address: str | None = None,
    on_outcome: Callable[[AnalysisOutcome], None] | None = None,
    on_start: Callable[[], None] | None = None,
) -> list[AnalysisOutcome]:
    """Run ``jobs`` (their ``index`` must be their position) as Ray tasks; returns their
    outcomes in job order. ``on_start`` is called once Ray is up. Raises
    :class:`RayUnavailable` when Ray is missing or cannot be reached."""
    require_ray()
    import ray

    started = _start(address)
    if on_start is not None:
        on_start()
    remote = ray.remote(num_cpus=TASK_CPUS, max_retries=MAX_RETRIES)(_task)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    limit = max(2, TASKS_PER_CPU * cpus // TASK_CPUS)
    cwd = os.getcwd()
    outcomes: dict[int, AnalysisOutcome] = {}
    running: dict[Any, AnalysisJob] = {}
    waiting = list(reversed(jobs))
    try:
        while waiting or running:
            while waiting and len(running) < limit:
                job = waiting.pop()
                running[remote.remote(job, cwd)] = job
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
            for ref in ready:
                job = running.pop(ref)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayError as err:
                    outcome = _failed(job, err)
                outcomes[job.index] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
    except KeyboardInterrupt:  # the inputs in progress stop where they are, writing nothing
        for ref in running:
            ray.cancel(ref, force=True)
    finally:
        if started:
            ray.shutdown()
    return [outcomes.get(job.index) or _not_analysed(job) for job in jobs]
