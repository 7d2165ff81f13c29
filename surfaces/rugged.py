"""Rugged landscapes: oscillations with countless local minima, or plateaus with no gradient.

Their critical points are too many to list, so these declarations give no saddles.
"""

import math

from ._jit import inner
from .definition import SurfaceDef

_TWO_PI = 2.0 * math.pi


# Rastrigin in 2D is separable: f = g(x) + g(y), g(t) = t^2 - 10 cos(2 pi t) + 10.
@inner
def _rastrigin_1d(t):
    """``(g, g', g'')`` of g(t) = t^2 - 10 cos(2 pi t) + 10."""
    w = _TWO_PI * t
    return (
        t * t - 10.0 * math.cos(w) + 10.0,
        2.0 * t + 10.0 * _TWO_PI * math.sin(w),
        2.0 + 10.0 * _TWO_PI * _TWO_PI * math.cos(w),
    )


@inner
def rastrigin_value(p, x, y):
    return _rastrigin_1d(x)[0] + _rastrigin_1d(y)[0]


@inner
def rastrigin_grad(p, x, y):
    return _rastrigin_1d(x)[1], _rastrigin_1d(y)[1]


@inner
def rastrigin_hessian(p, x, y):
    return _rastrigin_1d(x)[2], 0.0, _rastrigin_1d(y)[2]


RASTRIGIN = SurfaceDef(
    name="rastrigin",
    value=rastrigin_value,
    gradient=rastrigin_grad,
    hessian=rastrigin_hessian,
    title="Rastrigin",
    latex=r"f = 20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)",
    domain=((-5.12, 5.12), (-5.12, 5.12)),
    minima=((0.0, 0.0),),
    f_min=0.0,
    saddles=(),  # one between every pair of neighbouring local minima: too many to list
    default_start=(-4.3, 3.7),
    note="A bowl covered in a regular egg-box of local minima: small steps get trapped in "
    "the first dimple, while large steps or noise see the bowl underneath.",
)


# Ackley (a = 20, b = 0.2, c = 2 pi) in 2D, with r = sqrt((x^2 + y^2) / 2):
#   f = -20 exp(-0.2 r) - exp((cos 2 pi x + cos 2 pi y) / 2) + 20 + e.
# The first term is a cone at the origin, where it has no gradient: the kernels return its
# subgradient 0 there and leave its (infinite) curvature out of the Hessian.
@inner
def _ackley_parts(x, y):
    """``(r, exp(-0.2 r), exp((cos 2 pi x + cos 2 pi y) / 2))``."""
    r = math.hypot(x, y) * math.sqrt(0.5)
    return r, math.exp(-0.2 * r), math.exp(0.5 * (math.cos(_TWO_PI * x) + math.cos(_TWO_PI * y)))


@inner
def ackley_value(p, x, y):
    _, e1, e2 = _ackley_parts(x, y)
    return -20.0 * e1 - e2 + 20.0 + math.e


@inner
def ackley_grad(p, x, y):
    r, e1, e2 = _ackley_parts(x, y)
    cone = 2.0 * e1 / r if r > 0.0 else 0.0  # grad of the cone term = cone * (x, y)
    return (
        cone * x + math.pi * e2 * math.sin(_TWO_PI * x),
        cone * y + math.pi * e2 * math.sin(_TWO_PI * y),
    )


@inner
def ackley_hessian(p, x, y):
    r, e1, e2 = _ackley_parts(x, y)
    sx, sy = math.sin(_TWO_PI * x), math.sin(_TWO_PI * y)
    pi2 = math.pi * math.pi
    # wave term -exp(q): Hessian -exp(q) (grad q grad q^T + Hess q)
    fxx = e2 * pi2 * (2.0 * math.cos(_TWO_PI * x) - sx * sx)
    fxy = -e2 * pi2 * sx * sy
    fyy = e2 * pi2 * (2.0 * math.cos(_TWO_PI * y) - sy * sy)
    if r > 0.0:
        # cone term: gradient k (x, y) with k = 2 exp(-0.2 r) / r, Hessian k I - m u u^T
        # with u = (x, y) / r (length sqrt 2, safe for tiny r) and m = exp(-0.2 r)(1 + 0.2 r) / r
        k = 2.0 * e1 / r
        m = e1 * (1.0 + 0.2 * r) / r
        ux, uy = x / r, y / r
        fxx += k - m * ux * ux
        fxy -= m * ux * uy
        fyy += k - m * uy * uy
    return fxx, fxy, fyy


ACKLEY = SurfaceDef(
    name="ackley",
    value=ackley_value,
    gradient=ackley_grad,
    hessian=ackley_hessian,
    title="Ackley",
    latex=r"f = -20\,e^{{-0.2\sqrt{{(x^2 + y^2)/2}}}} - e^{{(\cos 2\pi x + \cos 2\pi y)/2}} + 20 + e",
    domain=((-32.768, 32.768), (-32.768, 32.768)),
    view=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((0.0, 0.0),),
    f_min=0.0,
    saddles=(),  # a lattice of local minima and saddles: too many to list
    default_start=(-3.7, 3.2),
    note="A nearly flat, rippled plain around a sharp funnel: far out the gradient says "
    "little, and the last approach is a cone tip where the gradient never shrinks.",
)


# Levi N.13: f = S3(x) + (x - 1)^2 (1 + S3(y)) + (y - 1)^2 (1 + S2(y)), S_k(t) = sin^2(k pi t).
@inner
def _sin2(k, t):
    """``(h, h', h'')`` of h(t) = sin^2(k pi t)."""
    w = k * math.pi
    s = math.sin(w * t)
    return s * s, w * math.sin(2.0 * w * t), 2.0 * w * w * math.cos(2.0 * w * t)


@inner
def levi13_value(p, x, y):
    dx, dy = x - 1.0, y - 1.0
    return (
        _sin2(3.0, x)[0] + dx * dx * (1.0 + _sin2(3.0, y)[0]) + dy * dy * (1.0 + _sin2(2.0, y)[0])
    )


@inner
def levi13_grad(p, x, y):
    dx, dy = x - 1.0, y - 1.0
    _, sx1, _ = _sin2(3.0, x)
    t0, t1, _ = _sin2(3.0, y)
    w0, w1, _ = _sin2(2.0, y)
    return sx1 + 2.0 * dx * (1.0 + t0), dx * dx * t1 + 2.0 * dy * (1.0 + w0) + dy * dy * w1


@inner
def levi13_hessian(p, x, y):
    dx, dy = x - 1.0, y - 1.0
    sx2 = _sin2(3.0, x)[2]
    t0, t1, t2 = _sin2(3.0, y)
    w0, w1, w2 = _sin2(2.0, y)
    return (
        sx2 + 2.0 * (1.0 + t0),
        2.0 * dx * t1,
        dx * dx * t2 + 2.0 * (1.0 + w0) + 4.0 * dy * w1 + dy * dy * w2,
    )


LEVI13 = SurfaceDef(
    name="levi13",
    value=levi13_value,
    gradient=levi13_grad,
    hessian=levi13_hessian,
    title="Lévi N.13",
    latex=r"f = \sin^2(3\pi x) + (x - 1)^2 \left(1 + \sin^2(3\pi y)\right)"
    r" + (y - 1)^2 \left(1 + \sin^2(2\pi y)\right)",
    domain=((-10.0, 10.0), (-10.0, 10.0)),
    view=((-4.0, 6.0), (-4.0, 6.0)),
    minima=((1.0, 1.0),),
    f_min=0.0,
    saddles=(),  # ridges between the ripples hold countless saddles: too many to list
    default_start=(-3.0, -2.5),
    note="A bowl with ripples of different wavelength in x and y: the pattern of local "
    "minima is anisotropic, and the ripples grow with distance from the minimum.",
)


# Easom: f = -cos x cos y exp(-(x - pi)^2 - (y - pi)^2). Per coordinate t (d = t - pi):
#   c = cos t, a = sin t + 2 d cos t, b = 3 cos t - 4 d sin t - 4 d^2 cos t, e = exp(-d^2);
# then f = -c_x c_y E, grad = E (c_y a_x, c_x a_y), Hessian = E (c_y b_x, -a_x a_y, c_x b_y)
# with E = e_x e_y.
@inner
def _easom_1d(t):
    """``(c, a, b, e)`` of one coordinate, as above."""
    d = t - math.pi
    c, s = math.cos(t), math.sin(t)
    return c, s + 2.0 * d * c, 3.0 * c - 4.0 * d * s - 4.0 * d * d * c, math.exp(-d * d)


@inner
def easom_value(p, x, y):
    cx, _, _, ex = _easom_1d(x)
    cy, _, _, ey = _easom_1d(y)
    return -cx * cy * ex * ey


@inner
def easom_grad(p, x, y):
    cx, ax, _, ex = _easom_1d(x)
    cy, ay, _, ey = _easom_1d(y)
    e = ex * ey
    return e * cy * ax, e * cx * ay


@inner
def easom_hessian(p, x, y):
    cx, ax, bx, ex = _easom_1d(x)
    cy, ay, by, ey = _easom_1d(y)
    e = ex * ey
    return e * cy * bx, -e * ax * ay, e * cx * by


EASOM = SurfaceDef(
    name="easom",
    value=easom_value,
    gradient=easom_grad,
    hessian=easom_hessian,
    title="Easom",
    latex=r"f = -\cos x \cos y\, e^{{-(x - \pi)^2 - (y - \pi)^2}}",
    # The standard domain is almost all plateau (f = 0 to machine precision); the view
    # frames the well.
    domain=((-100.0, 100.0), (-100.0, 100.0)),
    view=((-1.0, 7.0), (-1.0, 7.0)),
    minima=((math.pi, math.pi),),
    f_min=-1.0,
    saddles=(),  # the plateau's ripples hold a lattice of critical points: too many to list
    default_start=(1.5, 1.8),
    note="A narrow well in a flat plain: off the well the gradient almost vanishes, so "
    "plain descent crawls, and methods that rescale it can still stall in faint ripples.",
)
