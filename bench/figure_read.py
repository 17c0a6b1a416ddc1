"""Each exercise's clean self-test case as the pose model reads it: counted against scripted.

    python bench/figure_read.py [EXERCISE...] [--azimuth DEG] [--model full]

The self-tests feed the engine the mannequin's landmarks as they are. Here the mannequin is
drawn as a clothed figure (``formcheck.synth.figure``, as ``formcheck exercises render``
draws it), the pose model reads each picture, and the engine counts what the model saw:
the nearest thing to another body filmed by a camera that a machine without footage has.
Per exercise, one line: the camera's azimuth, the reps scripted and counted, holds that met
their target and the faults raised (the clean case has none). Without EXERCISE, every
exercise of the catalogue (about 15 minutes on 2 cores). ``--azimuth`` films every one from
that side instead of the view its self-test uses.

A figure is not a person: the pose model does not find it lying face down at all, and reads
it less well from the front than real people (see README "Accuracy"). A count that fails
here says where to look; one that passes says the exercise does not depend on landmarks the
model cannot see from that view.
"""

from __future__ import annotations

import argparse
from collections import Counter

from formcheck.engine import Engine, list_exercises, load_exercise
from formcheck.engine.selftest import case_pictures
from formcheck.pose.landmarker import PoseStream
from formcheck.pose.provision import resolve_model
from formcheck.report.auto import clean_case
from formcheck.sources import Frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    ap.add_argument("--azimuth", type=float, default=None, help="film every one from here")
    ap.add_argument("--model", default="full")
    args = ap.parse_args()
    model = resolve_model(args.model)
    defs = [load_exercise(e) for e in args.exercises] or list_exercises()
    print(f"{'exercise':24s} {'azimuth':>7s}  {'scripted':24s} {'counted':24s} holds  faults")
    for defn in defs:
        case = clean_case(defn)  # the reference --exercise auto compares with
        if case is None:
            print(f"{defn.id:24s} (no clean case)")
            continue
        camera = {**defn.selftest.camera, **case.get("camera", {})}
        azimuth = camera.get("azimuth_deg", 90.0) if args.azimuth is None else args.azimuth
        pictures, _ = case_pictures(defn, case, {"camera": {"azimuth_deg": azimuth}})
        engine = Engine(defn)
        extractor = engine.new_extractor()
        fps = defn.selftest.fps
        with PoseStream(model) as pose:
            for i, picture in enumerate(pictures):
                engine.update(extractor.update(pose.process(Frame(i / fps, picture, i))))
        engine.finish()
        by_side = Counter(rep.side for rep in engine.reps)
        want = case["expect"]["reps"]
        got = {side: by_side[side] for side in want} if isinstance(want, dict) else by_side["both"]
        holds = [r.hold_met for r in engine.reps if r.hold_met is not None]
        faults = sorted({f for r in engine.reps for f in r.faults})
        met = f"{sum(holds)}/{len(holds)}" if holds else "-"
        print(
            f"{defn.id:24s} {azimuth:7.0f}  {str(want):24s} {str(got):24s} {met:5s}  "
            f"{', '.join(faults) or '-'}{'' if got == want else '   << differs'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
