"""Curvature at a point against analytic Hessians: rotated quadratics, Rosenbrock's
minimum, saddles, a maximum, a flat point; and bad points."""

import math

import numpy as np
import pytest

import surfaces
from surfaces.curvature import curvature


@pytest.mark.parametrize("condition, angle", [(10.0, 0.0), (100.0, 30.0), (4.0, -60.0)])
def test_a_rotated_quadratic_has_curvatures_one_and_its_condition(condition, angle):
    surf = surfaces.get("quadratic", condition=condition, angle=angle)
    c = curvature(surf, 1.5, -2.0)  # constant Hessian: any point
    np.testing.assert_allclose(c.eigenvalues, [1.0, condition], rtol=1e-12)
    theta = math.radians(angle)
    flat, steep = (
        np.array([math.cos(theta), math.sin(theta)]),
        np.array([-math.sin(theta), math.cos(theta)]),
    )
    assert abs(c.eigenvectors[:, 0] @ flat) == pytest.approx(1.0, rel=1e-12)
    assert abs(c.eigenvectors[:, 1] @ steep) == pytest.approx(1.0, rel=1e-12)
    assert c.condition_number == pytest.approx(condition, rel=1e-12)
    assert c.max_stable_lr == pytest.approx(2.0 / condition, rel=1e-12)
    assert c.kind == "minimum-like" and c.point == (1.5, -2.0)


def test_eigenvectors_are_unit_and_signed():
    c = curvature(surfaces.get("quadratic", condition=50, angle=-45), 0.0, 0.0)
    np.testing.assert_allclose(np.linalg.norm(c.eigenvectors, axis=0), 1.0)
    for column in c.eigenvectors.T:
        assert column[np.flatnonzero(abs(column) > 1e-12)[0]] > 0


def test_rosenbrock_at_its_minimum():
    # H = [[802, -400], [-400, 200]]: trace 1002, determinant 400
    c = curvature(surfaces.get("rosenbrock"), 1.0, 1.0)
    root = math.sqrt(1002**2 - 4 * 400)
    np.testing.assert_allclose(c.eigenvalues, [(1002 - root) / 2, (1002 + root) / 2], rtol=1e-12)
    assert c.condition_number == pytest.approx((1002 + root) / (1002 - root), rel=1e-10)
    assert c.max_stable_lr == pytest.approx(4 / (1002 + root), rel=1e-12)


def test_a_saddle_has_no_condition_number_but_a_stable_step_across_it():
    c = curvature(surfaces.get("saddle"), 0.3, -0.2)  # f = x^2 - y^2
    np.testing.assert_array_equal(c.eigenvalues, [-2.0, 2.0])
    np.testing.assert_array_equal(abs(c.eigenvectors), [[0.0, 1.0], [1.0, 0.0]])
    assert c.kind == "saddle" and math.isinf(c.condition_number)
    assert c.max_stable_lr == 1.0


def test_a_maximum_and_a_flat_point_have_no_stable_step():
    top = curvature(surfaces.get("himmelblau"), -0.270845, -0.923039)  # its local maximum
    assert top.kind == "maximum-like" and top.max_stable_lr is None
    flat = curvature(surfaces.get("monkey_saddle"), 0.0, 0.0)  # zero Hessian
    assert flat.kind == "flat" and flat.max_stable_lr is None
    assert math.isinf(flat.condition_number)


@pytest.mark.parametrize(
    "x, y, words",
    [
        (math.nan, 0.0, "x=nan is not finite"),
        ("1", 0.0, "x='1' is not a number"),
        (0.0, math.inf, "y=inf"),
    ],
)
def test_bad_points_raise(x, y, words):
    with pytest.raises(ValueError) as error:
        curvature(surfaces.get("booth"), x, y)
    assert words in str(error.value)
