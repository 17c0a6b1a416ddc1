"""Reports of recorded sets: ``report.json``, ``report.html``, ``reps.csv`` and an annotated video.

::

    from formcheck.report import AnalysisJob, run_batch

    outcomes = run_batch(
        [AnalysisJob("a.mp4", "bird-dog", out_dir="out/a"),
         AnalysisJob("b.jsonl.gz", "auto", out_dir="out/b")],
        workers=2,
    )
    for o in outcomes:
        print(o.name, o.status, o.result["summary"]["reps"] if o.result else o.error)

- :mod:`~formcheck.report.job`: one input -> pose -> engine (+ the collector) -> files;
- :mod:`~formcheck.report.collect`: what the frame loop keeps for a report (drive series,
  the worst frame of each fault);
- :mod:`~formcheck.report.schema`: the ``formcheck.report`` v1 object (documented there);
- :mod:`~formcheck.report.plot`, :mod:`~formcheck.report.html`, :mod:`~formcheck.report.tables`:
  the plot, the self-contained pages, the CSV;
- :mod:`~formcheck.report.auto`: ``--exercise auto``;
- :mod:`~formcheck.report.batch`: many inputs, in worker processes, with progress;
- :mod:`~formcheck.report.on_ray`: the same, one Ray task per input (``analyze --ray``);
- :mod:`~formcheck.report.manifest`: what a batch finished, so that a rerun finishes it;
- :mod:`~formcheck.report.index`: the batch's ``index.html`` (paged) and ``batch.csv``.
"""

from formcheck.report.auto import ExerciseGuess, ExerciseGuesser
from formcheck.report.batch import expand_inputs, out_dirs, run_batch
from formcheck.report.job import AnalysisJob, AnalysisOutcome, JobProgress, run_job
from formcheck.report.schema import REPORT_SCHEMA, REPORT_VERSION, build_report

__all__ = [
    "REPORT_SCHEMA",
    "REPORT_VERSION",
    "AnalysisJob",
    "AnalysisOutcome",
    "ExerciseGuess",
    "ExerciseGuesser",
    "JobProgress",
    "build_report",
    "expand_inputs",
    "out_dirs",
    "run_batch",
    "run_job",
]
