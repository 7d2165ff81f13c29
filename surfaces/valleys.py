"""Curved valleys and polynomial landscapes: where plain gradient descent zig-zags or crawls."""

from ._jit import inner
from .definition import SurfaceDef


@inner
def rosenbrock_value(x, y, p):
    a, b = p[0], p[1]
    return (a - x) ** 2 + b * (y - x * x) ** 2


@inner
def rosenbrock_grad(x, y, p):
    a, b = p[0], p[1]
    r = y - x * x
    return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


@inner
def rosenbrock_hessian(x, y, p):
    a, b = p[0], p[1]
    return 2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, 2.0 * b


ROSENBROCK = SurfaceDef(
    name="rosenbrock",
    title="Rosenbrock",
    params={"a": (1.0, -3.0, 3.0), "b": (100.0, 0.1, 1000.0)},
    latex=r"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minima=lambda a, b: [(a, a * a)],
    f_min=0.0,
    saddles=(),
    default_start=(-1.5, 2.5),
    note="A long, curved, flat-bottomed valley: finding it is easy, following it to the "
    "minimum is slow, and momentum pays off.",
)
