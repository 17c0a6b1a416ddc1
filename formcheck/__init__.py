"""formcheck: watch a person exercise and coach their form.

The whole loop, in the order the package's folders read::

    from formcheck.sources import open_source
    from formcheck.pose import PoseStream
    from formcheck.engine import Engine, load_exercise

    exercise = load_exercise("bird-dog")
    engine = Engine(exercise)
    with open_source("set.mp4") as frames, PoseStream() as pose:
        for pose_frame in pose.run(frames):        # sources -> pose
            for event in engine.update(pose_frame):  # features -> engine
                print(event)                         # render / report / store

A landmark recording (``formcheck record``) stands in for ``open_source`` + ``PoseStream``
anywhere, so everything after pose runs without the model.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
