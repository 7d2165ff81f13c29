"""Surface formulas selected by integer id, for the compiled kernels.

Kernels take a surface id and its parameter array instead of function objects: Numba then
compiles each kernel once for every surface, and the disk cache serves all of them
(passing functions would compile one kernel per surface in every new process).
To add a surface: write its three formulas in a family module, give it the next id here,
add a branch to each of ``value``, ``gradient`` and ``hessian``, and list it in DEFINITIONS.

``EXPRESSION`` is the one id without a declaration: a typed formula, whose ``p`` is a
program for the register machine of ``_program`` (see ``surfaces.formula``).
"""

import numpy as np

from . import _program, bowls, rugged, saddles, valleys
from ._jit import inner, kernel

ROSENBROCK = 0
BEALE = 1
HIMMELBLAU = 2
BOOTH = 3
MATYAS = 4
THREE_HUMP_CAMEL = 5
SIX_HUMP_CAMEL = 6
GOLDSTEIN_PRICE = 7
STYBLINSKI_TANG = 8
LEVI13 = 9
MCCORMICK = 10
RASTRIGIN = 11
ACKLEY = 12
EASOM = 13
QUADRATIC = 14
SADDLE = 15
MONKEY_SADDLE = 16
EXPRESSION = 17  # a typed formula: no entry in DEFINITIONS

# Id -> declaration; the id is the position.
DEFINITIONS = (
    valleys.ROSENBROCK,
    valleys.BEALE,
    valleys.HIMMELBLAU,
    bowls.BOOTH,
    bowls.MATYAS,
    valleys.THREE_HUMP_CAMEL,
    valleys.SIX_HUMP_CAMEL,
    valleys.GOLDSTEIN_PRICE,
    valleys.STYBLINSKI_TANG,
    rugged.LEVI13,
    valleys.MCCORMICK,
    rugged.RASTRIGIN,
    rugged.ACKLEY,
    rugged.EASOM,
    bowls.QUADRATIC,
    saddles.SADDLE,
    saddles.MONKEY_SADDLE,
)
# Every id the formulas below answer to (for code that specialises per id).
IDS = (*range(len(DEFINITIONS)), EXPRESSION)


@inner
def value(sid, p, x, y):
    """f(x, y) of surface ``sid`` with kernel parameters ``p``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_value(x, y, p)
    if sid == BEALE:
        return valleys.beale_value(x, y, p)
    if sid == HIMMELBLAU:
        return valleys.himmelblau_value(x, y, p)
    if sid == BOOTH:
        return bowls.booth_value(x, y, p)
    if sid == MATYAS:
        return bowls.matyas_value(x, y, p)
    if sid == THREE_HUMP_CAMEL:
        return valleys.three_hump_camel_value(x, y, p)
    if sid == SIX_HUMP_CAMEL:
        return valleys.six_hump_camel_value(x, y, p)
    if sid == GOLDSTEIN_PRICE:
        return valleys.goldstein_price_value(x, y, p)
    if sid == STYBLINSKI_TANG:
        return valleys.styblinski_tang_value(x, y, p)
    if sid == LEVI13:
        return rugged.levi13_value(x, y, p)
    if sid == MCCORMICK:
        return valleys.mccormick_value(x, y, p)
    if sid == RASTRIGIN:
        return rugged.rastrigin_value(x, y, p)
    if sid == ACKLEY:
        return rugged.ackley_value(x, y, p)
    if sid == EASOM:
        return rugged.easom_value(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_value(x, y, p)
    if sid == SADDLE:
        return saddles.saddle_value(x, y, p)
    if sid == MONKEY_SADDLE:
        return saddles.monkey_saddle_value(x, y, p)
    if sid == EXPRESSION:
        return _program.value(p, x, y)
    return np.nan


@inner
def gradient(sid, p, x, y):
    """(df/dx, df/dy) of surface ``sid``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_grad(x, y, p)
    if sid == BEALE:
        return valleys.beale_grad(x, y, p)
    if sid == HIMMELBLAU:
        return valleys.himmelblau_grad(x, y, p)
    if sid == BOOTH:
        return bowls.booth_grad(x, y, p)
    if sid == MATYAS:
        return bowls.matyas_grad(x, y, p)
    if sid == THREE_HUMP_CAMEL:
        return valleys.three_hump_camel_grad(x, y, p)
    if sid == SIX_HUMP_CAMEL:
        return valleys.six_hump_camel_grad(x, y, p)
    if sid == GOLDSTEIN_PRICE:
        return valleys.goldstein_price_grad(x, y, p)
    if sid == STYBLINSKI_TANG:
        return valleys.styblinski_tang_grad(x, y, p)
    if sid == LEVI13:
        return rugged.levi13_grad(x, y, p)
    if sid == MCCORMICK:
        return valleys.mccormick_grad(x, y, p)
    if sid == RASTRIGIN:
        return rugged.rastrigin_grad(x, y, p)
    if sid == ACKLEY:
        return rugged.ackley_grad(x, y, p)
    if sid == EASOM:
        return rugged.easom_grad(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_grad(x, y, p)
    if sid == SADDLE:
        return saddles.saddle_grad(x, y, p)
    if sid == MONKEY_SADDLE:
        return saddles.monkey_saddle_grad(x, y, p)
    if sid == EXPRESSION:
        return _program.gradient(p, x, y)
    return np.nan, np.nan


@inner
def hessian(sid, p, x, y):
    """(fxx, fxy, fyy) of surface ``sid``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_hessian(x, y, p)
    if sid == BEALE:
        return valleys.beale_hessian(x, y, p)
    if sid == HIMMELBLAU:
        return valleys.himmelblau_hessian(x, y, p)
    if sid == BOOTH:
        return bowls.booth_hessian(x, y, p)
    if sid == MATYAS:
        return bowls.matyas_hessian(x, y, p)
    if sid == THREE_HUMP_CAMEL:
        return valleys.three_hump_camel_hessian(x, y, p)
    if sid == SIX_HUMP_CAMEL:
        return valleys.six_hump_camel_hessian(x, y, p)
    if sid == GOLDSTEIN_PRICE:
        return valleys.goldstein_price_hessian(x, y, p)
    if sid == STYBLINSKI_TANG:
        return valleys.styblinski_tang_hessian(x, y, p)
    if sid == LEVI13:
        return rugged.levi13_hessian(x, y, p)
    if sid == MCCORMICK:
        return valleys.mccormick_hessian(x, y, p)
    if sid == RASTRIGIN:
        return rugged.rastrigin_hessian(x, y, p)
    if sid == ACKLEY:
        return rugged.ackley_hessian(x, y, p)
    if sid == EASOM:
        return rugged.easom_hessian(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_hessian(x, y, p)
    if sid == SADDLE:
        return saddles.saddle_hessian(x, y, p)
    if sid == MONKEY_SADDLE:
        return saddles.monkey_saddle_hessian(x, y, p)
    if sid == EXPRESSION:
        return _program.hessian(p, x, y)
    return np.nan, np.nan, np.nan


_MANY = "void(int64, float64[::1], float64[::1], float64[::1], float64[:, ::1])"


@kernel(_MANY)
def values_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0] = value(sid, p, xs[k], ys[k])


@kernel(_MANY)
def gradients_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1] = gradient(sid, p, xs[k], ys[k])


@kernel(_MANY)
def hessians_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1], out[k, 2] = hessian(sid, p, xs[k], ys[k])
