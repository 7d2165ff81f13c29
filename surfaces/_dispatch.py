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

import sys
import threading
import types

import numpy as np

from . import _program, bowls, network, regression, rugged, saddles, valleys
from ._jit import by_id, in_use, kernel, out_of_line, preferred

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
# value behind a call LLVM may not inline: for a mini-batch's loss in the optimizer loops,
# where one more inlined call site of the dispatch kept LLVM from inlining it at the others
value_out_of_line = out_of_line(value)


_MANY = "void(int64, float64[::1], float64[::1], float64[::1], float64[:, ::1])"


def _values_loop(formulas):
    """f at many points, by ``formulas.value`` (this module's, or ``only``'s)."""

    def values(sid, p, xs, ys, out):
        for k in range(xs.size):
            out[k, 0] = formulas.value(sid, p, xs[k], ys[k])

    return values


values_many = kernel(_MANY, "the surfaces' formulas", "values_many")(
    _values_loop(sys.modules[__name__])
)


@kernel(_MANY, "the surfaces' gradients")
def gradients_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1] = gradient(sid, p, xs[k], ys[k])


@kernel(_MANY, "the surfaces' curvatures")
def hessians_many(sid, p, xs, ys, out):
    for k in range(xs.size):
        out[k, 0], out[k, 1], out[k, 2] = hessian(sid, p, xs[k], ys[k])


_ONLY = {}
_ONLY_LOCK = threading.Lock()


def only(sid):
    """Surface ``sid``'s formulas alone, under this module's names (``value``,
    ``value_inlined``, ``gradient_inlined``, ``value_out_of_line``: NaN for any other id),
    with its own ``values_many`` kernel.

    For a fresh server's first page: a kernel built on them compiles one surface's
    formulas instead of the dispatch over all of them (SGD's trajectory kernel in about a
    third of the time, measured), while the warm-up fills the disk cache with the kernels
    for every surface (``optimizers.warm``)."""
    with _ONLY_LOCK:
        if sid not in _ONLY:
            _ONLY[sid] = _formulas_of(sid)
        return _ONLY[sid]


def _formulas_of(sid):
    (_, f, g, _), *_ = (entry for entry in FORMULAS if entry[0] == sid)
    one = types.ModuleType(f"{__name__}.only_{sid}")
    one.value = by_id([(sid, f)], np.nan, f"value_of_{sid}")
    one.value_inlined = by_id([(sid, f)], np.nan, f"value_inlined_of_{sid}", True)
    one.gradient_inlined = by_id([(sid, g)], (np.nan, np.nan), f"gradient_inlined_of_{sid}", True)
    one.value_out_of_line = out_of_line(one.value)
    label = f"the formulas of {surface_title(sid)}"
    one.values_many = kernel(_MANY, label, f"values_many_of_{sid}")(_values_loop(one))
    one.values_many.address = f"values:{sid}"
    one.values_many.general = values_many
    return one


def surface_title(sid):
    """The title of surface ``sid`` ("a typed formula" for ``EXPRESSION``)."""
    return DEFINITIONS[sid].title if sid < len(DEFINITIONS) else "a typed formula"


def values_to_prepare(sid):
    """The values kernel a page drawing surface ``sid`` prepares (``_jit.preferred``)."""
    return preferred(values_many, lambda: only(sid).values_many)


def values_kernel(sid):
    """The values kernel of surface ``sid`` in use (``_jit.in_use``)."""
    one = _ONLY.get(sid)
    return in_use(values_many, one and one.values_many)
