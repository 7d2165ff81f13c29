"""Surface formulas selected by integer id, for the compiled kernels.

Kernels take a surface id and its parameter array instead of function objects: Numba then
compiles each kernel once for every surface, and the disk cache serves all of them
(passing functions would compile one kernel per surface in every new process).

``DEFINITIONS`` is the catalogue: a surface's id is its position there, and ``value``,
``gradient`` and ``hessian`` are built from it. To add a surface: write its three formulas
and its ``SurfaceDef`` in a family module, and list it in ``DEFINITIONS``.

``EXPRESSION`` is the one id without a declaration: a typed formula, whose ``p`` is a
program for the register machine of ``_program`` (see ``surfaces.formula``).
"""

import numpy as np

from . import _program, bowls, network, regression, rugged, saddles, valleys
from ._jit import by_id, kernel, out_of_line

# The catalogue, in the order the app lists it; the id is the position.
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
    regression.LINREG,
    regression.LOGREG,
    network.MLP_SLICE,
)
EXPRESSION = len(DEFINITIONS)  # a typed formula: no entry in DEFINITIONS


def _formulas(definition):
    """``(value, gradient, hessian)`` as the dispatch calls them: a surface made from data
    sums over its samples, so its formulas are called out of line (``out_of_line``), which
    keeps the dispatch small enough to be inlined into the optimizer loops."""
    formulas = (definition.value, definition.gradient, definition.hessian)
    if definition.data is None:
        return formulas
    return tuple(_called_out_of_line(formula) for formula in formulas)


_OUT_OF_LINE = {}


def _called_out_of_line(formula):
    """One ``out_of_line`` call per formula (linreg and logreg share theirs)."""
    if formula not in _OUT_OF_LINE:
        _OUT_OF_LINE[formula] = out_of_line(formula)
    return _OUT_OF_LINE[formula]


# (id, value, gradient, hessian) of every id the formulas answer to.
FORMULAS = (
    *((sid, *_formulas(d)) for sid, d in enumerate(DEFINITIONS)),
    (EXPRESSION, _program.value, _program.gradient, _program.hessian),
)
# Every id the formulas answer to (for code that specialises per id).
IDS = tuple(entry[0] for entry in FORMULAS)

# value(sid, p, x, y): f(x, y) of surface ``sid`` with kernel parameters ``p``;
# gradient: (df/dx, df/dy); hessian: (fxx, fxy, fyy). NaN for an unknown id.
value = by_id([(sid, f) for sid, f, _, _ in FORMULAS], np.nan, "value_by_id")
gradient = by_id([(sid, g) for sid, _, g, _ in FORMULAS], (np.nan, np.nan), "gradient_by_id")
hessian = by_id([(sid, h) for sid, _, _, h in FORMULAS], (np.nan, np.nan, np.nan), "hessian_by_id")
# The same, inlined by Numba where they are called: for the single-trajectory loop, which
# evaluates f and its gradient once per step (a call each cost Adam on Rosenbrock a third
# of its speed); other kernels call the ones above, quicker to compile.
value_inlined = by_id([(sid, f) for sid, f, _, _ in FORMULAS], np.nan, "value_inlined", True)
gradient_inlined = by_id(
    [(sid, g) for sid, _, g, _ in FORMULAS], (np.nan, np.nan), "gradient_inlined", True
)


_MANY = "void(int64, float64[::1], float64[::1], float64[::1], float64[:, ::1])"


@kernel(_MANY, "the surfaces' formulas")
def values_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0] = value(sid, p, xs[k], ys[k])


@kernel(_MANY, "the surfaces' gradients")
def gradients_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1] = gradient(sid, p, xs[k], ys[k])


@kernel(_MANY, "the surfaces' curvatures")
def hessians_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1], out[k, 2] = hessian(sid, p, xs[k], ys[k])
