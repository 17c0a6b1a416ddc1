"""The synthetic mannequin: scripted motion with known ground truth, rendered as pose frames.

It stands in for the camera and the pose model in tests of everything after pose: a script of
joint-angle keyframes goes in, 33 image + world landmarks per frame come out, and
``Script.truth`` says when each tagged rep, hold or fault happened::

    from formcheck.synth import Camera, Script, Step, render

    script = Script(
        poses={"reach": {"base": "all_fours", "shoulder_flex_right": 162.4,
                         "hip_flex_left": -17.6, "knee_flex_left": 0}},
        start="all_fours",
        steps=[Step("reach", move_s=1.0, hold_s=2.5, tag="rep:left"),
               Step("all_fours", move_s=1.0)],
    )
    frames = render(script, Camera(azimuth_deg=90), fps=30, noise=0.005, seed=1)
    script.truth  # [TruthSpan(tag='rep:left', start_s=0.0, reach_s=1.0, leave_s=3.5, end_s=4.5)]

Pose parameters and their conventions: ``formcheck.synth.body``; steps, waves and the dict/TOML
form of a script: ``formcheck.synth.script``; the camera: ``formcheck.synth.camera``; noise,
dropout and visibility: ``formcheck.synth.render``; the silhouette (a segmentation mask):
``formcheck.synth.silhouette``; the figure a pose model can read, and writing it out as a video:
``formcheck.synth.figure``, ``formcheck.synth.export``.
"""

from formcheck.synth.body import PARAM_NAMES, PRESETS, Skeleton, pose_vector, skeleton
from formcheck.synth.camera import Camera, View
from formcheck.synth.render import render
from formcheck.synth.script import Script, Step, TruthSpan

__all__ = [
    "PARAM_NAMES",
    "PRESETS",
    "Camera",
    "Script",
    "Skeleton",
    "Step",
    "TruthSpan",
    "View",
    "pose_vector",
    "render",
    "skeleton",
]
