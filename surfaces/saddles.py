"""Pure saddles: no minimum at all, f is unbounded below and ``f_min`` is -inf.

They isolate one question: how long does an optimizer linger near a critical point that
is not a minimum?
"""

from ._jit import inner
from .definition import SurfaceDef


@inner
def saddle_value(p, x, y):
    return x * x - y * y


@inner
def saddle_grad(p, x, y):
    return 2.0 * x, -2.0 * y


@inner
def saddle_hessian(p, x, y):
    return 2.0, 0.0, -2.0


SADDLE = SurfaceDef(
    name="saddle",
    value=saddle_value,
    gradient=saddle_grad,
    hessian=saddle_hessian,
    title="Saddle",
    latex=r"f = x^2 - y^2",
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    f_min=float("-inf"),
    saddles=((0.0, 0.0),),
    default_start=(1.0, 1e-3),
    note="Starting almost on the ridge, descent first slides toward the saddle and only "
    "escapes as the tiny offset in y grows: noise and momentum escape sooner.",
)


@inner
def monkey_saddle_value(p, x, y):
    return x * (x * x - 3.0 * y * y)


@inner
def monkey_saddle_grad(p, x, y):
    return 3.0 * (x * x - y * y), -6.0 * x * y


@inner
def monkey_saddle_hessian(p, x, y):
    return 6.0 * x, -6.0 * y, -6.0 * x


MONKEY_SADDLE = SurfaceDef(
    name="monkey_saddle",
    value=monkey_saddle_value,
    gradient=monkey_saddle_grad,
    hessian=monkey_saddle_hessian,
    title="Monkey saddle",
    latex=r"f = x^3 - 3xy^2",
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=(),
    f_min=float("-inf"),
    # Degenerate: gradient and Hessian both vanish there; three valleys leave it.
    saddles=((0.0, 0.0),),
    default_start=(1.0, 1e-3),
    note="A saddle with zero curvature: the gradient fades quadratically near it, so even "
    "the escape direction is invisible to second-order methods and descent crawls.",
)
