"""Surface formulas selected by integer id, for the compiled kernels.

Kernels take a surface id and its parameter array instead of function objects: Numba then
compiles each kernel once for every surface, and the disk cache serves all of them
(passing functions would compile one kernel per surface in every new process).
To add a surface: write its three formulas in a family module, give it the next id here,
add a branch to each of ``value``, ``gradient`` and ``hessian``, and list it in DEFINITIONS.
"""

import numpy as np

from . import bowls, valleys
from ._jit import inner, kernel

ROSENBROCK = 0
QUADRATIC = 1

# Id -> declaration; the id is the position.
DEFINITIONS = (
    valleys.ROSENBROCK,
    bowls.QUADRATIC,
)


@inner
def value(sid, p, x, y):
    """f(x, y) of surface ``sid`` with kernel parameters ``p``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_value(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_value(x, y, p)
    return np.nan


@inner
def gradient(sid, p, x, y):
    """(df/dx, df/dy) of surface ``sid``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_grad(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_grad(x, y, p)
    return np.nan, np.nan


@inner
def hessian(sid, p, x, y):
    """(fxx, fxy, fyy) of surface ``sid``."""
    if sid == ROSENBROCK:
        return valleys.rosenbrock_hessian(x, y, p)
    if sid == QUADRATIC:
        return bowls.quadratic_hessian(x, y, p)
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
