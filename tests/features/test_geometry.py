"""Known answers for the geometry functions: constructed triangles and segments."""

import math

import numpy as np
import pytest

from formcheck.features.geometry import (
    distance,
    elevation_deg,
    inclination_to_horizontal_deg,
    inclination_to_vertical_deg,
    joint_angle_deg,
)


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((1, 0), (0, 0), (0, 1), 90.0),
        ((1, 0), (0, 0), (-1, 0), 180.0),
        ((1, 0), (0, 0), (1, 1), 45.0),
        ((2, 0), (0, 0), (1, math.sqrt(3)), 60.0),
        ((1, 0, 0), (0, 0, 0), (0, 0, 5), 90.0),
        ((1, 1, 1), (0, 0, 0), (-1, -1, -1), 180.0),
        ((1, 0, 0), (0, 0, 0), (1, 1, 0), 45.0),
    ],
)
def test_joint_angle_of_constructed_triangles(a, b, c, expected):
    assert joint_angle_deg(np.array(a), np.array(b), np.array(c)) == pytest.approx(
        expected, abs=1e-9
    )


def test_angles_are_nan_without_a_direction():
    assert math.isnan(joint_angle_deg((1, 0), (0, 0), (0, 0)))  # a zero-length arm
    assert math.isnan(joint_angle_deg((0, 0, 0), (0, 0, 0), (1, 0, 0)))


def test_points_may_be_tuples_or_array_rows():
    rows = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert joint_angle_deg(*rows) == joint_angle_deg((1, 0), (0, 0), (0, 1)) == 90.0
    assert isinstance(joint_angle_deg(*rows), float)


@pytest.mark.parametrize(
    ("p", "q", "vertical", "horizontal", "elevation"),
    [
        ((0, 0), (0, -10), 0.0, 90.0, 90.0),  # straight up in image coordinates
        ((0, 0), (0, 10), 0.0, 90.0, -90.0),  # straight down
        ((0, 0), (10, 0), 90.0, 0.0, 0.0),  # level, to the right
        ((0, 0), (-10, 0), 90.0, 0.0, 0.0),  # level, to the left: same elevation
        ((0, 0), (10, -10), 45.0, 45.0, 45.0),
        ((0, 0), (-10, 10), 45.0, 45.0, -45.0),
        ((0, 0), (math.sqrt(3), -1), 60.0, 30.0, 30.0),
    ],
)
def test_inclinations_and_elevation(p, q, vertical, horizontal, elevation):
    p, q = np.array(p, float), np.array(q, float)
    assert inclination_to_vertical_deg(p, q) == pytest.approx(vertical)
    assert inclination_to_horizontal_deg(p, q) == pytest.approx(horizontal)
    assert elevation_deg(p, q) == pytest.approx(elevation)


def test_distance():
    assert distance(np.array([0, 0]), np.array([3, 4])) == pytest.approx(5.0)
    assert distance(np.array([1, 2, 3]), np.array([1, 2, 3])) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((0, 0), (10, 0), (20, 0), 0.0),  # straight
        ((0, 0), (10, 0), (20, 10), 45.0),  # c below the line (y down): positive
        ((0, 0), (10, 0), (20, -10), -45.0),  # c above: negative
        ((20, 0), (10, 0), (0, 10), 45.0),  # facing the other way: same sign
        ((0, 0, 0), (10, 0, 0), (20, 10, 0), 45.0),
        ((0, 0, 0), (1, 0, 0), (1, 0, 1), 0.0 + 90.0),  # bends sideways, on the line's level
    ],
)
def test_bend_is_signed_by_below_or_above_the_line(a, b, c, expected):
    from formcheck.features.geometry import bend_deg

    assert bend_deg(np.array(a), np.array(b), np.array(c)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("q", "vertical", "elevation"),
    [
        ((0, -1, 0), 0.0, 90.0),
        ((0, 0, 1), 90.0, 0.0),  # level, pointing away from the camera
        ((1, -1, 0), 45.0, 45.0),
        ((0, -1, 1), 45.0, 45.0),  # 45 deg up, away from the camera: 2D would see vertical
        ((0, 1, -1), 45.0, -45.0),
    ],
)
def test_inclination_and_elevation_in_3d_use_depth(q, vertical, elevation):
    p = np.zeros(3)
    assert inclination_to_vertical_deg(p, np.array(q, float)) == pytest.approx(vertical)
    assert elevation_deg(p, np.array(q, float)) == pytest.approx(elevation)


@pytest.mark.parametrize("camera_turn_deg", [0, 90, 180, -60])
@pytest.mark.parametrize("twist", [0.0, 30.0, -45.0])
def test_twist_is_the_same_from_any_camera(camera_turn_deg, twist):
    from formcheck.features.geometry import twist_deg

    def rot(points, deg):  # turn about the vertical (y) axis
        a = np.radians(deg)
        r = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
        return [r @ np.array(p, float) for p in points]

    hips = [(-0.1, 0, 0), (0.1, 0, 0)]  # right, left hip (x to the left, z away)
    shoulders = rot([(-0.2, -0.5, 0), (0.2, -0.5, 0)], twist)  # this rotation is clockwise
    pts = rot([*shoulders, *hips], camera_turn_deg)  # seen from above: the sign flips
    assert twist_deg(*pts) == pytest.approx(-twist)


@pytest.mark.parametrize("camera_turn_deg", [0, 90, -90, 160])
@pytest.mark.parametrize(
    ("trunk", "expected"),
    [
        ((0, -0.5, 0), 0.0),  # upright
        ((0, -0.5, -0.5), 45.0),  # bent forward (the person faces -z: towards the camera)
        ((0, 0, -0.5), 90.0),  # face down
        ((0, -0.5, 0.18), -19.8),  # leaning back
        ((0, 0, 0.5), -90.0),  # face up
        ((0.3, -0.5, 0), 0.0),  # sideways tilt is left out
    ],
)
def test_lean_is_signed_by_the_way_the_person_faces(camera_turn_deg, trunk, expected):
    from formcheck.features.geometry import lean_deg

    a = np.radians(camera_turn_deg)
    r = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    hip, shoulder = np.zeros(3), r @ np.array(trunk, float)
    left, right = r @ np.array([0.2, -0.5, 0]), r @ np.array([-0.2, -0.5, 0])  # x: their left
    assert lean_deg(hip, shoulder, left, right) == pytest.approx(expected, abs=0.1)


def test_lean_is_nan_without_a_direction():
    from formcheck.features.geometry import lean_deg

    up = (0.0, -1.0, 0.0)
    assert math.isnan(lean_deg((0, 0, 0), up, (0, -2, 0), (0, -1, 0)))  # shoulder line vertical
    assert math.isnan(lean_deg(up, up, (1, 0, 0), (-1, 0, 0)))
