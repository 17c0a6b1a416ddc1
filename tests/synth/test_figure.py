"""The figure a pose model can read: the silhouette's outline, filled in; masks drawn in batches
are the masks drawn one by one; renders share a mask cache without changing a pixel."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.pose.core import LANDMARK_INDEX
from formcheck.synth import Camera, Script, Step, render, skeleton
from formcheck.synth.figure import FLOOR_BGR, WALL_BGR, render_figure, render_figures
from formcheck.synth.silhouette import SilhouetteCache, render_mask, render_masks


def _reach() -> Script:
    poses = {"reach": {"base": "all_fours", "hip_flex_left": -17.6, "knee_flex_left": 0,
                       "shoulder_flex_right": 162.4, "wrist_flex_right": 0}}  # fmt: skip
    return Script(
        poses, [Step("reach", move_s=0.6, hold_s=0.2), Step("all_fours", move_s=0.6)], "all_fours"
    )


def test_the_figure_fills_the_silhouette_and_leaves_the_room_around_it():
    script = _reach()
    times = np.arange(12) / 10
    body = skeleton(script.sample(times))
    view = Camera(azimuth_deg=70).view(body.landmarks)
    for i in (0, 6, 11):
        mask = render_mask(body, view, i)
        image = render_figure(body, view, i)
        assert image.shape == (*mask.shape, 3) and image.dtype == np.uint8
        room = np.all(image == WALL_BGR, axis=2) | np.all(image == FLOOR_BGR, axis=2)
        inside, outside = mask > 0.99, mask == 0
        assert not room[inside].any()  # the whole body is drawn ...
        # ... and nothing else (the face's dots and the edges' anti-aliasing stay within a pixel)
        assert room[outside].mean() > 0.995


@pytest.mark.parametrize(("t_s", "azimuth_deg"), [(0.0, 60.0), (0.8, 90.0)])
def test_the_near_side_is_lighter_than_the_far_side(t_s, azimuth_deg):
    body = skeleton(_reach().sample(np.array([t_s])))  # seen from the person's left
    view = Camera(azimuth_deg=azimuth_deg).view(body.landmarks)
    image = render_figure(body, view, 0).astype(float)

    def at(name: str) -> float:
        x, y = np.round(view.project(view.to_camera(body.landmarks[0, LANDMARK_INDEX[name]])))
        return image[int(y), int(x)].sum()

    assert at("left_knee") > 1.3 * at("right_knee")


def test_pictures_come_one_per_frame_and_empty_while_the_person_is_away():
    script = _reach()
    pictures = list(render_figures(script, Camera(), fps=10, absent=[(0.5, 0.8)]))
    frames = render(script, Camera(), fps=10)
    assert len(pictures) == len(frames) == 14
    room = [bool(np.all((p == WALL_BGR) | (p == FLOOR_BGR))) for p in pictures]
    assert room == [False] * 5 + [True] * 3 + [False] * 6


def test_masks_drawn_together_are_the_masks_drawn_one_by_one():
    script = _reach()
    body = skeleton(script.sample(np.arange(12) / 10))
    view = Camera(azimuth_deg=110, elevation_deg=8).view(body.landmarks)
    together = render_masks(body, view, np.arange(12))
    for i, mask in enumerate(together):
        assert np.array_equal(mask, render_mask(body, view, i))


def test_a_mask_cache_shared_by_renders_changes_no_pixel():
    script = _reach()
    plain = render(script, Camera(), fps=10, with_mask=True)
    cache: dict = {}
    first = render(script, Camera(), fps=10, noise=0.01, with_mask=True, mask_cache=cache)
    assert len(cache) == 12  # the held pose (2 frames) is drawn once
    again = render(script, Camera(), fps=10, dropout=0.1, with_mask=True, mask_cache=cache)
    for a, b, c in zip(plain, first, again, strict=True):
        assert np.array_equal(a.mask, b.mask) and b.mask is c.mask
        assert not c.mask.flags.writeable


def test_a_silhouette_cache_draws_a_pose_once_for_every_script_that_shows_it():
    reach = _reach()
    twice = Script(reach.poses, [*reach.steps, *reach.steps], "all_fours")  # starts as reach
    camera = Camera(distance_m=4.0, height_m=0.6)  # the same view for both scripts
    cache = SilhouetteCache()
    first = render(reach, camera, fps=10, with_mask=True, silhouettes=cache)
    body = skeleton(reach.sample(np.arange(14) / 10))
    poses = {body.landmarks[i].tobytes() + body.joints["head"][i].tobytes() for i in range(14)}
    assert len(cache) == len(poses) < 14  # each pose drawn once (the hold, the way back)
    alone = SilhouetteCache()
    render(twice, camera, fps=10, with_mask=True, silhouettes=alone)
    shared = render(twice, camera, fps=10, with_mask=True, silhouettes=cache)
    assert len(cache) == len(alone)  # reach's poses were not drawn again
    for frames in (first, shared):
        fresh = render(reach if frames is first else twice, camera, fps=10, with_mask=True)
        assert all(np.array_equal(a.mask, b.mask) for a, b in zip(frames, fresh, strict=True))
