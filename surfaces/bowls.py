"""Convex bowls: the cases where the theory of step sizes is exact."""

import numpy as np

from ._jit import inner
from .definition import SurfaceDef


@inner
def quadratic_value(x, y, p):
    # p = (condition, cos(angle), sin(angle)): f = (u^2 + condition * v^2) / 2 in axes rotated by angle
    u = p[1] * x + p[2] * y
    v = -p[2] * x + p[1] * y
    return 0.5 * (u * u + p[0] * v * v)


@inner
def quadratic_grad(x, y, p):
    k, c, s = p[0], p[1], p[2]
    u = c * x + s * y
    v = -s * x + c * y
    return c * u - s * k * v, s * u + c * k * v


@inner
def quadratic_hessian(x, y, p):
    k, c, s = p[0], p[1], p[2]
    return c * c + k * s * s, c * s - k * s * c, s * s + k * c * c


def _quadratic_kernel_params(condition, angle):
    theta = np.deg2rad(angle)
    return (condition, np.cos(theta), np.sin(theta))


QUADRATIC = SurfaceDef(
    name="quadratic",
    title="Ill-conditioned quadratic",
    params={"condition": (10.0, 1.0, 1e4), "angle": (0.0, -90.0, 90.0)},
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
