"""One pose model per worker process, loaded once and used for input after input.

A batch worker (a ``--workers`` process, a Ray task's worker) calls :func:`keep_models` once;
from then on :func:`pose_stream` lends the process's model for that file and mask setting
instead of loading a new one per input, and restarts it when the input is done
(:meth:`PoseStream.restart`), so an input's landmarks do not depend on what the worker
analysed before. Elsewhere (one ``formcheck analyze``, the live window) :func:`pose_stream`
loads a model and closes it after the input, as before.

Loading the full model costs about 1 s in a new process (the graph, the delegates) and
0.08 s after that; the restart costs two empty frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from formcheck.pose.landmarker import PoseStream

__all__ = ["keep_models", "kept_models", "pose_stream"]

_kept: dict[tuple[str, bool], PoseStream] | None = None


def keep_models() -> None:
    """Keep each pose model loaded in this process after its first input (a batch worker)."""
    global _kept
    if _kept is None:
        _kept = {}


def kept_models() -> int:
    """How many models this process keeps loaded (0 when it keeps none)."""
    return 0 if _kept is None else len(_kept)


@contextmanager
def pose_stream(model_path: str | Path, *, with_mask: bool = False) -> Iterator[PoseStream]:
    """A pose model for one input: the process's kept one (restarted after the input), or a
    new one closed after it."""
    from formcheck.pose.landmarker import PoseStream

    if _kept is None:
        with PoseStream(model_path, with_mask=with_mask) as stream:
            yield stream
        return
    key = (str(Path(model_path).resolve()), with_mask)
    stream = _kept.pop(key, None) or PoseStream(model_path, with_mask=with_mask)
    try:
        yield stream
    except BaseException:
        stream.close()  # a model in an unknown state is not lent again
        raise
    try:
        stream.restart()
    except (RuntimeError, ValueError):
        stream.close()
        return
    _kept[key] = stream
