"""Convex bowls: the cases where the theory of step sizes is exact."""

import numpy as np

from parameters import Param

from ._jit import inner
from .definition import SurfaceDef


@inner
def quadratic_value(p, x, y):
    # p = (condition, cos(angle), sin(angle)); (u, v) are (x, y) in axes rotated by angle
    u = p[1] * x + p[2] * y
    v = -p[2] * x + p[1] * y
    return 0.5 * (u * u + p[0] * v * v)


@inner
def quadratic_grad(p, x, y):
    k, c, s = p[0], p[1], p[2]
    u = c * x + s * y
    v = -s * x + c * y
    return c * u - s * k * v, s * u + c * k * v


@inner
def quadratic_hessian(p, x, y):
    k, c, s = p[0], p[1], p[2]
    return c * c + k * s * s, c * s - k * s * c, s * s + k * c * c


def _quadratic_kernel_params(condition, angle):
    theta = np.deg2rad(angle)
    return (condition, np.cos(theta), np.sin(theta))


QUADRATIC = SurfaceDef(
    name="quadratic",
    value=quadratic_value,
    gradient=quadratic_grad,
    hessian=quadratic_hessian,
    title="Ill-conditioned quadratic",
    params={
        "condition": Param("condition", 10.0, low=1.0, high=1e4),
        "angle": Param("angle", 0.0, low=-90.0, high=90.0),
    },
    kernel_params=_quadratic_kernel_params,
    latex=r"f = \tfrac12\left(u^2 + {condition:g}\,v^2\right),\ "
    r"(u, v) = \text{{(x, y) rotated by }} {angle:g}^\circ",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((0.0, 0.0),),
    f_min=0.0,
    saddles=(),
    default_start=(-4.0, 3.0),
    note="Curvatures 1 and the condition number: gradient descent diverges above "
    "lr = 2 / condition and crawls along the flat axis; the ratio of the two is what "
    "momentum and adaptive methods fight.",
)


@inner
def booth_value(p, x, y):
    u = x + 2.0 * y - 7.0
    v = 2.0 * x + y - 5.0
    return u * u + v * v


@inner
def booth_grad(p, x, y):
    u = x + 2.0 * y - 7.0
    v = 2.0 * x + y - 5.0
    return 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v


@inner
def booth_hessian(p, x, y):
    return 10.0, 8.0, 10.0


BOOTH = SurfaceDef(
    name="booth",
    value=booth_value,
    gradient=booth_grad,
    hessian=booth_hessian,
    title="Booth",
    latex=r"f = (x + 2y - 7)^2 + (2x + y - 5)^2",
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((1.0, 3.0),),
    f_min=0.0,
    saddles=(),  # a convex quadratic: the minimum is the only critical point
    default_start=(-6.0, 9.0),
    note="A tilted convex bowl with curvatures 18 and 2 (condition number 9): mild enough "
    "that every sensible optimizer converges, so it is the baseline for comparing speed.",
)


@inner
def matyas_value(p, x, y):
    return 0.26 * (x * x + y * y) - 0.48 * x * y


@inner
def matyas_grad(p, x, y):
    return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


@inner
def matyas_hessian(p, x, y):
    return 0.52, -0.48, 0.52


MATYAS = SurfaceDef(
    name="matyas",
    value=matyas_value,
    gradient=matyas_grad,
    hessian=matyas_hessian,
    title="Matyas",
    latex=r"f = 0.26\,(x^2 + y^2) - 0.48\,xy",
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    minima=((0.0, 0.0),),
    f_min=0.0,
    saddles=(),  # a convex quadratic: the minimum is the only critical point
    default_start=(-9.0, -7.0),
    note="A nearly flat diagonal trough (curvatures 1 and 0.04): the gradient almost "
    "vanishes along x = y, so plain descent creeps while momentum glides.",
)
