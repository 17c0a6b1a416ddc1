"""formcheck: watch a person exercise and coach their form.

The whole loop, in the order the package's folders read (run from the repository's root)::

    from formcheck.engine import load_exercise
    from formcheck.engine.events import RepCompleted
    from formcheck.pipeline import open_pose_input, run

    exercise = load_exercise("bird-dog")
    with open_pose_input("samples/bird-dog.jsonl.gz") as pose:  # sources -> pose
        session = run(pose, exercise)                           # features -> engine
        for fr in session:  # a FrameResult: fr.frame, fr.pose, fr.features, fr.engine
            for event in fr.engine.events:                      # render / report / store
                if isinstance(event, RepCompleted):
                    print(f"{event.t_s:5.1f} s  rep {event.rep.index} {event.rep.side}",
                          *event.rep.faults)
    print(session.result.to_dict()["summary"]["reps"], "reps")  # the --json contract

``open_pose_input`` takes a video, a folder of pictures, an image, a camera index or a landmark
recording (``formcheck record``; everything after pose then runs without the model, and
``fr.frame`` is None). ``fr.engine`` is the engine's frozen record of the frame
(:class:`formcheck.engine.frame.EngineFrame`): what the annotators, the reports and the live
window draw and gather from.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
