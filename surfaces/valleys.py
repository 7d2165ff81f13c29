"""Smooth polynomial landscapes: curved valleys, steep walls and a few basins to choose from.

Every critical point of these surfaces is known (closed forms or roots refined to double
precision), so the catalogue lists all global minima and all saddles in the domain.
"""

import math

from parameters import Param

from ._jit import inner
from .definition import SurfaceDef


@inner
def rosenbrock_value(p, x, y):
    a, b = p[0], p[1]
    return (a - x) ** 2 + b * (y - x * x) ** 2


@inner
def rosenbrock_grad(p, x, y):
    a, b = p[0], p[1]
    r = y - x * x
    return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


@inner
def rosenbrock_hessian(p, x, y):
    b = p[1]
    return 2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, 2.0 * b


ROSENBROCK = SurfaceDef(
    name="rosenbrock",
    value=rosenbrock_value,
    gradient=rosenbrock_grad,
    hessian=rosenbrock_hessian,
    title="Rosenbrock",
    # |a| <= 1.5 keeps the minimum (a, a^2) inside the domain.
    params={"a": Param("a", 1.0, low=-1.5, high=1.5), "b": Param("b", 100.0, low=0.1, high=1000.0)},
    latex=r"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
    domain=((-2.0, 2.0), (-1.0, 3.0)),
    minima=lambda a, b: [(a, a * a)],
    f_min=0.0,
    saddles=(),
    default_start=(-1.5, 2.5),
    note="A long, curved, flat-bottomed valley: finding it is easy, following it to the "
    "minimum is slow, and momentum pays off.",
)


# Beale: f = sum over k = 1, 2, 3 of t_k^2 with t_k = c_k - x + x y^k.
_BEALE_C = (1.5, 2.25, 2.625)


@inner
def _beale_term(x, y, k):
    """t_k and its derivatives ``(t, dt/dx, dt/dy, d2t/dxdy, d2t/dy2)``; d2t/dx2 = 0."""
    t = _BEALE_C[k - 1] - x + x * y**k
    dy = k * y ** (k - 1)  # d(y^k)/dy
    d2y = k * (k - 1) * y ** max(k - 2, 0)  # d2(y^k)/dy2
    return t, y**k - 1.0, x * dy, dy, x * d2y


@inner
def beale_value(p, x, y):
    total = 0.0
    for k in range(1, 4):
        t = _beale_term(x, y, k)[0]
        total += t * t
    return total


@inner
def beale_grad(p, x, y):
    gx = gy = 0.0
    for k in range(1, 4):
        t, tx, ty, _, _ = _beale_term(x, y, k)
        gx += 2.0 * t * tx
        gy += 2.0 * t * ty
    return gx, gy


@inner
def beale_hessian(p, x, y):
    # Hessian of t^2 = 2 (grad t grad t^T + t Hess t)
    fxx = fxy = fyy = 0.0
    for k in range(1, 4):
        t, tx, ty, txy, tyy = _beale_term(x, y, k)
        fxx += 2.0 * tx * tx
        fxy += 2.0 * (tx * ty + t * txy)
        fyy += 2.0 * (ty * ty + t * tyy)
    return fxx, fxy, fyy


BEALE = SurfaceDef(
    name="beale",
    value=beale_value,
    gradient=beale_grad,
    hessian=beale_hessian,
    title="Beale",
    latex=r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    domain=((-4.5, 4.5), (-4.5, 4.5)),
    minima=((3.0, 0.5),),
    f_min=0.0,
    # (0, 1) sits on the line x = 0 where f is constant; the other is a root of grad f = 0.
    saddles=((0.0, 1.0), (0.10053793732415836, -2.644513585023125)),
    default_start=(1.0, 1.5),
    note="Flat plateaus next to walls that rise like y^3: step sizes that suit one region "
    "explode or stall in the other, which is where adaptive methods earn their keep.",
)


@inner
def himmelblau_value(p, x, y):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return u * u + v * v


@inner
def himmelblau_grad(p, x, y):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


@inner
def himmelblau_hessian(p, x, y):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return 4.0 * u + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * v + 8.0 * y * y + 2.0


HIMMELBLAU = SurfaceDef(
    name="himmelblau",
    value=himmelblau_value,
    gradient=himmelblau_grad,
    hessian=himmelblau_hessian,
    title="Himmelblau",
    latex=r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    # f = 0 at four points; only (3, 2) is rational, the others are roots refined numerically.
    minima=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.2831859912861696),
        (3.5844283403304917, -1.8481265269644036),
    ),
    f_min=0.0,
    # One saddle between each pair of neighbouring minima (the local maximum is at
    # (-0.2708445906673476, -0.9230385564799815)).
    saddles=(
        (3.385154183607021, 0.07385187983774928),
        (0.08667750455539636, 2.884254701174776),
        (-3.0730257507643897, -0.08135304428796751),
        (-0.12796134673068008, -1.9537149802445763),
    ),
    default_start=(-0.3, -0.9),  # next to the local maximum
    note="Four equally good minima: which one an optimizer reaches depends on its start, "
    "step size and momentum, not on which is 'best'.",
)


@inner
def three_hump_camel_value(p, x, y):
    x2 = x * x
    return 2.0 * x2 - 1.05 * x2 * x2 + x2 * x2 * x2 / 6.0 + x * y + y * y


@inner
def three_hump_camel_grad(p, x, y):
    x2 = x * x
    return x * (4.0 - 4.2 * x2 + x2 * x2) + y, x + 2.0 * y


@inner
def three_hump_camel_hessian(p, x, y):
    x2 = x * x
    return 4.0 - 12.6 * x2 + 5.0 * x2 * x2, 1.0, 2.0


# grad f = 0 gives y = -x/2 and x (x^4 - 4.2 x^2 + 3.5) = 0, so x^2 = 2.1 -+ sqrt(0.91):
# the minus sign gives the two saddles, the plus sign the two side minima.
_CAMEL3_SADDLE_X = math.sqrt(2.1 - math.sqrt(0.91))

THREE_HUMP_CAMEL = SurfaceDef(
    name="three_hump_camel",
    value=three_hump_camel_value,
    gradient=three_hump_camel_grad,
    hessian=three_hump_camel_hessian,
    title="Three-hump camel",
    latex=r"f = 2x^2 - 1.05\,x^4 + \tfrac{{x^6}}{{6}} + xy + y^2",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    view=((-2.0, 2.0), (-2.0, 2.0)),
    minima=((0.0, 0.0),),
    f_min=0.0,
    saddles=(
        (_CAMEL3_SADDLE_X, -_CAMEL3_SADDLE_X / 2),
        (-_CAMEL3_SADDLE_X, _CAMEL3_SADDLE_X / 2),
    ),
    default_start=(1.5, 1.5),
    note="A global minimum flanked by two local ones behind low saddles: from the side, "
    "a cautious optimizer settles in a local basin, a bolder one crosses the pass.",
)


@inner
def six_hump_camel_value(p, x, y):
    x2, y2 = x * x, y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2


@inner
def six_hump_camel_grad(p, x, y):
    x2, y2 = x * x, y * y
    return x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y, x + y * (16.0 * y2 - 8.0)


@inner
def six_hump_camel_hessian(p, x, y):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, 48.0 * y * y - 8.0


SIX_HUMP_CAMEL = SurfaceDef(
    name="six_hump_camel",
    value=six_hump_camel_value,
    gradient=six_hump_camel_grad,
    hessian=six_hump_camel_hessian,
    title="Six-hump camel",
    latex=r"f = \left(4 - 2.1\,x^2 + \tfrac{{x^4}}{{3}}\right) x^2 + xy + (4y^2 - 4)\,y^2",
    domain=((-3.0, 3.0), (-2.0, 2.0)),
    view=((-2.0, 2.0), (-1.0, 1.0)),
    # f(-x, -y) = f(x, y): critical points come in mirrored pairs (the origin is a saddle).
    # Coordinates are roots of grad f = 0 refined numerically.
    minima=(
        (0.08984201310031806, -0.7126564030207396),
        (-0.08984201310031806, 0.7126564030207396),
    ),
    f_min=-1.0316284534898774,
    saddles=(
        (0.0, 0.0),
        (1.1092053368047865, -0.7682680925095399),
        (-1.1092053368047865, 0.7682680925095399),
        (1.6380679841897785, 0.22867406904439408),
        (-1.6380679841897785, -0.22867406904439408),
        (1.2960702671671092, 0.6050843880386585),
        (-1.2960702671671092, -0.6050843880386585),
    ),
    default_start=(0.0, 0.05),
    note="Two mirror-image global minima with a saddle at the origin between them: a start "
    "near the saddle shows how a tiny asymmetry decides where an optimizer ends up.",
)


# Goldstein-Price factors as A(s) B(b) with s = x + y and b = 2x - 3y:
#   A(s) = 1 + (s + 1)^2 (3s^2 - 14s + 19) = 3s^4 - 8s^3 - 6s^2 + 24s + 20,
#   B(b) = 30 + b^2 (3b^2 - 16b + 18)     = 3b^4 - 16b^3 + 18b^2 + 30.
# A >= 1 and B >= 3, so grad f = 0 exactly when A'(s) = 12 (s - 2)(s - 1)(s + 1) = 0 and
# B'(b) = 12 b (b - 1)(b - 3) = 0: nine critical points, four minima, four saddles, one max.
@inner
def _goldstein_price_parts(x, y):
    """``(A, A', A'', B, B', B'')`` at s = x + y, b = 2x - 3y."""
    s = x + y
    b = 2.0 * x - 3.0 * y
    a0 = (((3.0 * s - 8.0) * s - 6.0) * s + 24.0) * s + 20.0
    a1 = ((12.0 * s - 24.0) * s - 12.0) * s + 24.0
    a2 = (36.0 * s - 48.0) * s - 12.0
    b0 = ((3.0 * b - 16.0) * b + 18.0) * b * b + 30.0
    b1 = ((12.0 * b - 48.0) * b + 36.0) * b
    b2 = (36.0 * b - 96.0) * b + 36.0
    return a0, a1, a2, b0, b1, b2


@inner
def goldstein_price_value(p, x, y):
    a0, _, _, b0, _, _ = _goldstein_price_parts(x, y)
    return a0 * b0


@inner
def goldstein_price_grad(p, x, y):
    # ds/dx = ds/dy = 1, db/dx = 2, db/dy = -3
    a0, a1, _, b0, b1, _ = _goldstein_price_parts(x, y)
    return a1 * b0 + 2.0 * a0 * b1, a1 * b0 - 3.0 * a0 * b1


@inner
def goldstein_price_hessian(p, x, y):
    a0, a1, a2, b0, b1, b2 = _goldstein_price_parts(x, y)
    return (
        a2 * b0 + 4.0 * a1 * b1 + 4.0 * a0 * b2,
        a2 * b0 - a1 * b1 - 6.0 * a0 * b2,
        a2 * b0 - 6.0 * a1 * b1 + 9.0 * a0 * b2,
    )


GOLDSTEIN_PRICE = SurfaceDef(
    name="goldstein_price",
    value=goldstein_price_value,
    gradient=goldstein_price_grad,
    hessian=goldstein_price_hessian,
    title="Goldstein-Price",
    latex=r"f = \left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
    r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]",
    domain=((-2.0, 2.0), (-2.0, 2.0)),
    minima=((0.0, -1.0),),
    f_min=3.0,
    # (s, b) = (-1, 1), (2, 1), (1, 0), (1, 3); x = (3s + b) / 5, y = (2s - b) / 5.
    saddles=((-0.4, -0.6), (1.4, 0.6), (0.6, 0.4), (1.2, -0.2)),
    default_start=(-0.5, 0.5),
    note="Values spanning six orders of magnitude and three local minima (f = 30, 84, "
    "840): the raw gradient is useless as a step size, so plain SGD needs a tiny rate.",
)


# Styblinski-Tang in 2D is separable: f = g(x) + g(y), g(t) = (t^4 - 16t^2 + 5t) / 2.
# g'(t) = 0 at the roots of 2t^3 - 16t + 2.5: a global min, a local max and a local min.
_ST_MIN = -2.903534027771177
_ST_MAX = 0.1567312567803401
_ST_LOCAL = 2.746802770990837


@inner
def _styblinski_tang_1d(t):
    """``(g, g', g'')`` of g(t) = (t^4 - 16t^2 + 5t) / 2."""
    t2 = t * t
    return 0.5 * (t2 * t2 - 16.0 * t2 + 5.0 * t), 2.0 * t2 * t - 16.0 * t + 2.5, 6.0 * t2 - 16.0


@inner
def styblinski_tang_value(p, x, y):
    return _styblinski_tang_1d(x)[0] + _styblinski_tang_1d(y)[0]


@inner
def styblinski_tang_grad(p, x, y):
    return _styblinski_tang_1d(x)[1], _styblinski_tang_1d(y)[1]


@inner
def styblinski_tang_hessian(p, x, y):
    return _styblinski_tang_1d(x)[2], 0.0, _styblinski_tang_1d(y)[2]


STYBLINSKI_TANG = SurfaceDef(
    name="styblinski_tang",
    value=styblinski_tang_value,
    gradient=styblinski_tang_grad,
    hessian=styblinski_tang_hessian,
    title="Styblinski-Tang",
    latex=r"f = \tfrac12 \left(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y\right)",
    domain=((-5.0, 5.0), (-5.0, 5.0)),
    minima=((_ST_MIN, _ST_MIN),),
    f_min=-78.33233140754282,
    # A saddle is a minimum of g in one coordinate and its maximum in the other.
    saddles=(
        (_ST_MIN, _ST_MAX),
        (_ST_MAX, _ST_MIN),
        (_ST_LOCAL, _ST_MAX),
        (_ST_MAX, _ST_LOCAL),
    ),
    default_start=(0.5, 4.5),
    note="Four basins of different depths (one global, three local): the nearest basin is "
    "not the deepest, and a greedy descent stays wherever it first lands.",
)


@inner
def mccormick_value(p, x, y):
    d = x - y
    return math.sin(x + y) + d * d - 1.5 * x + 2.5 * y + 1.0


@inner
def mccormick_grad(p, x, y):
    c = math.cos(x + y)
    d = x - y
    return c + 2.0 * d - 1.5, c - 2.0 * d + 2.5


@inner
def mccormick_hessian(p, x, y):
    s = math.sin(x + y)
    return 2.0 - s, -2.0 - s, 2.0 - s


# grad f = 0 gives x - y = 1 and cos(x + y) = -1/2; x + y = -2pi/3 is the global minimum
# (f = -sqrt(3)/2 - pi/3), x + y = 2pi/3 a saddle, x + y = 4pi/3 a local minimum.
# Along x - y = 1, f = sin s + s/2 (s = x + y) falls without bound below the domain: the
# minimum is global in the standard domain only.
MCCORMICK = SurfaceDef(
    name="mccormick",
    value=mccormick_value,
    gradient=mccormick_grad,
    hessian=mccormick_hessian,
    title="McCormick",
    latex=r"f = \sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
    domain=((-1.5, 4.0), (-3.0, 4.0)),
    minima=((0.5 - math.pi / 3, -0.5 - math.pi / 3),),
    f_min=-math.sqrt(3.0) / 2 - math.pi / 3,
    saddles=((0.5 + math.pi / 3, -0.5 + math.pi / 3),),
    default_start=(3.5, 3.5),
    note="A tilted trough with a sine ripple along it: descent drops into the trough fast, "
    "then stops in a shallow local minimum unless it has the speed to cross the saddle.",
)
