"""Many inputs on Ray: one task per input, on this machine or on a cluster.

``run_on_ray(jobs, address=None)`` returns one :class:`AnalysisOutcome` per job, in job order,
like :func:`formcheck.report.batch.run_batch`, and hands each to ``on_outcome`` as it arrives.
Each task runs :func:`formcheck.report.job.run_job`, the same function as a local run, in a
Ray worker process that keeps its pose model loaded from one input to the next
(:mod:`formcheck.pose.kept`); so the reports are byte for byte those of ``--workers 1``.

- ``address`` None starts a new Ray instance on this machine (loopback only, no dashboard, no
  usage reports), even when a cluster runs here or ``RAY_ADDRESS`` is set; ``"auto"``,
  ``"host:port"`` or ``"ray://host:port"`` (Ray Client) joins a running cluster, whose nodes
  need formcheck with the extra (``pip install "formcheck[ray]"``) and the inputs and OUTDIR
  at the same paths (a file share). A Ray already started in this process is used as it is.
  A cluster that cannot be reached is one line naming the likely cause (Ray's own lines on
  stderr while it tries are kept back).
- A task asks for :data:`TASK_CPUS` CPU: MediaPipe's pose graph runs its two stages one after
  the other, with XNNPACK on one thread, and used 0.92 of a core (398 frames of a real clip:
  13.2 s of CPU in 14.3 s), so one task per core keeps the cores busy without oversubscribing.
- A task whose worker dies (killed, out of memory, a lost node) is run again once
  (``max_retries``); an input whose task fails twice is a ``failed`` outcome with Ray's words,
  and the batch goes on. A bad input is not retried: its failure is an outcome, not a crash.
  A worker that died while writing leaves its hidden temporary folder in OUTDIR, named for
  its machine (:mod:`formcheck.atomic`): the retry removes it wherever it runs, and so does
  the driver for an input that failed twice.
- At most a few tasks per CPU are in flight, so the driver's memory follows the cluster's
  size, not the batch's.
- Ctrl+C (heard by the driver only: Ray's processes started here ignore it) cancels what has
  not finished, stopping the workers where they are; those inputs are "not analysed", their
  earlier report folders untouched, and a rerun does them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from formcheck.atomic import clean_target
from formcheck.errors import FormcheckError
from formcheck.report.job import AnalysisJob, AnalysisOutcome, run_job

__all__ = ["RAY_EXTRA", "TASK_CPUS", "RayUnavailable", "require_ray", "run_on_ray"]

RAY_EXTRA = 'pip install "formcheck[ray]"'
TASK_CPUS = 1
MAX_RETRIES = 1  # a task whose worker died runs once more
TASKS_PER_CPU = 2
CLIENT_TRIES = 3  # Ray Client connections (see _join)
# Tests only: a folder where a file "<input name>.once" makes the worker analysing that input
# die on its first frame once (the file is renamed "<input name>.died"), and
# "<input name>.always" makes it die every time (see tests/report/test_on_ray_cluster.py).
DIE_HOOK = "FORMCHECK_TEST_RAY_WORKER_DIES"


class RayUnavailable(FormcheckError):
    """Ray is not installed, or the Ray instance cannot be started or reached."""

    exit_code = 2  # as other usage errors: what was asked for cannot be done as given


def require_ray(address: str | None = None) -> None:
    """Raise :class:`RayUnavailable` naming the extra when Ray is not installed, or, for a
    ``ray://`` address (Ray Client), when gRPC is not (Ray's own ``client`` extra)."""
    if importlib.util.find_spec("ray") is None:
        raise RayUnavailable(f"--ray needs Ray, which is not installed: {RAY_EXTRA}")
    if address is not None and address.startswith("ray://") and not _has_grpc():
        raise RayUnavailable(
            f"--ray {address} connects through Ray Client, which needs grpcio (not installed): "
            f"{RAY_EXTRA}"
        )


def _has_grpc() -> bool:
    return importlib.util.find_spec("grpc") is not None


def _task(job: AnalysisJob, cwd: str) -> AnalysisOutcome:
    """One input, in a Ray worker (relative paths are the driver's: its folder first)."""
    from formcheck.pose.kept import keep_models
    from formcheck.pose.thread import share_cores

    keep_models()
    share_cores()  # Ray runs a task per core: the model on the task's own thread
    if os.path.isdir(cwd):
        os.chdir(cwd)
    return run_job(job, should_stop=_dies_here(job))


def _dies_here(job: AnalysisJob) -> Callable[[], bool] | None:
    """The test hook :data:`DIE_HOOK`: a per-frame check that ends this worker process."""
    folder = os.environ.get(DIE_HOOK)
    if not folder:
        return None
    name = Path(job.input).name
    once, always = Path(folder, f"{name}.once"), Path(folder, f"{name}.always")

    def check() -> bool:
        with contextlib.suppress(OSError):
            os.rename(once, Path(folder, f"{name}.died"))  # only one attempt wins the rename
            os._exit(70)
        if always.exists():
            os._exit(70)
        return False

    return check


def _start(address: str | None) -> bool:
    """Connect to Ray (see the module docstring); whether this call started it."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports to Ray's servers
    kwargs: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    if address is None:  # a new instance, even if a cluster runs here or RAY_ADDRESS is set
        kwargs.update(address="local", include_dashboard=False, _node_ip_address="127.0.0.1")
    else:
        kwargs["address"] = address
    # Ctrl+C on a terminal goes to the whole process group: Ray's processes started here would
    # die of it under the driver (and take it down with a fatal error). Started with SIGINT
    # ignored, they keep ignoring it, and only the driver hears Ctrl+C and stops the batch.
    previous = signal.getsignal(signal.SIGINT) if _main_thread() else None
    said = ""
    try:
        if previous is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if address is None:
            with _loopback_only():
                ray.init(**kwargs)
        else:
            _answering(address)
            with _kept_back() as heard:
                try:
                    _join(ray, kwargs)
                finally:
                    said = heard()
    except (ConnectionError, RuntimeError, ValueError) as err:
        if address is None:
            raise RayUnavailable(f"cannot start a local Ray instance: {_first_line(err)}") from None
        raise RayUnavailable(_unreachable(address, err, said)) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return True


@contextlib.contextmanager
def _loopback_only() -> Any:
    """Keep a local Ray instance on 127.0.0.1. Ray turns 127.0.0.1 into the machine's network
    address and then listens on every interface, unless told that clusters are off (its switch
    for Windows and macOS, read from the environment by the processes it starts and from a
    constant in this one)."""
    try:
        from ray._private import ray_constants
    except ImportError:  # Ray's private layout changed: it then decides where to listen
        ray_constants = None
    name = getattr(
        ray_constants, "ENABLE_RAY_CLUSTERS_ENV_VAR", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
    )
    before_env, before = os.environ.get(name), getattr(ray_constants, "ENABLE_RAY_CLUSTER", None)
    os.environ[name] = "0"
    if before is not None:
        ray_constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        if before is not None:
            ray_constants.ENABLE_RAY_CLUSTER = before
        if before_env is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before_env


@contextlib.contextmanager
def _kept_back() -> Any:
    """Hold back what is written to stderr (file descriptor 2, where Ray's core writes a line a
    second while it cannot connect) until the block ends; yields a function that returns it."""
    import sys

    with tempfile.TemporaryFile() as held:
        fd = held.fileno()
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(fd, 2)
        try:
            yield lambda: os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _join(ray: Any, kwargs: dict[str, Any]) -> None:
    """``ray.init`` for a running cluster. Through Ray Client, up to :data:`CLIENT_TRIES`
    times: the cluster's Ray Client proxy forks a server for each driver, and that server
    sometimes dies as it starts (ray-project/ray#63202, open: a gRPC race in the fork; 2 of 7
    connections here on a loaded machine), which the driver hears as "Initialization failure
    from server"."""
    tries = CLIENT_TRIES if str(kwargs.get("address", "")).startswith("ray://") else 1
    for attempt in range(1, tries + 1):
        try:
            ray.init(**kwargs)
            return
        except ConnectionAbortedError:
            if attempt == tries:
                raise
            with contextlib.suppress(Exception):
                ray.shutdown()


def _answering(address: str) -> None:
    """Fail at once when nothing answers at the cluster's address: Ray itself tries for up to
    20 times half a minute, silently (its lines are kept back)."""
    target = address.removeprefix("ray://")
    if target == address:  # auto: RAY_ADDRESS, else the cluster started on this machine
        try:
            from ray._private import services

            target = services.canonicalize_bootstrap_address(address)
        except ConnectionError as err:
            raise RayUnavailable(_unreachable(address, err, "")) from None
        except Exception:  # noqa: BLE001 - Ray's own look-up changed: let ray.init say it
            return
        if target is None:
            return
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10):
            pass
    except (OSError, ValueError) as err:
        why = (
            f"nothing answers at {target} ({err.strerror or err})"
            if isinstance(err, OSError)
            else f"{target} is not HOST:PORT"
        )
        raise RayUnavailable(_unreachable(address, ConnectionError(why), "")) from None


def _unreachable(address: str, err: BaseException, said: str) -> str:
    """One line: the cluster at ``address`` was not reached, and what to check."""
    head = f"cannot reach the Ray cluster at {address}: {_first_line(err)}".rstrip(".")
    if "Unauthenticated" in said or "InvalidAuthToken" in said:
        return (
            f"{head}; the cluster wants a token: set RAY_AUTH_MODE=token and its token "
            "(RAY_AUTH_TOKEN, or ~/.ray/auth_token) as on the cluster"
        )
    if address.startswith("ray://"):
        return (
            f"{head}; is Ray Client listening there (ray start --head "
            "--ray-client-server-port PORT), with the same Ray and Python versions?"
        )
    if address == "auto":
        return f"{head}; start one with 'ray start --head', or set RAY_ADDRESS=HOST:PORT"
    return f"{head}; is 'ray start --head --port PORT' running there, reachable from here?"


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
    require_ray(address)
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
                    if job.out_dir is not None:  # its dead workers' temporary folders, anywhere
                        clean_target(Path(job.out_dir))
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
