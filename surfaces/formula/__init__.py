"""Typed formulas as surfaces, with exact derivatives, safely.

>>> import surfaces
>>> s = surfaces.from_expression("(x - 1)^2 + 2*(y + 2)^2", domain=((-4, 4), (-5, 3)))
>>> s.minima, s.f_min, s.expression
(((1.0, -2.0),), 0.0, '(x - 1) ** 2 + 2 * (y + 2) ** 2')

The pipeline: ``parse`` (the text, checked against a whitelist; never executed) ->
``derive`` (exact gradient and Hessian, sympy's rules applied step by step) ->
``program`` (a program for the interpreter that the cached kernels run under the surface
id ``EXPRESSION``: no compilation per formula) -> ``analysis`` (minima, saddles and a
start, found numerically). This package is pure Python: editing it does not invalidate
the Numba cache, which is keyed by the files directly under ``surfaces/``.
"""

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from .. import analysis
from .._dispatch import EXPRESSION
from ..surface import Surface
from .derive import differentiate
from .parse import parse
from .program import compile_program

MAX_COORDINATE = 1e6  # domain bounds allowed: -1e6 to 1e6
DEFAULT_DOMAIN = ((-5.0, 5.0), (-5.0, 5.0))
# suggest_domain searches these boxes around the origin (half-widths), until one holds a
# critical point
SEARCH_HALF_WIDTHS = (10.0, 100.0, 1000.0)
SEARCH_GRID = 161
SMALLEST_HALF_WIDTH = 3.0  # of a suggested domain (one minimum alone gets x +- 3, y +- 3)


def from_expression(text, domain=None):
    """The Surface of the formula ``text`` in x and y, on ``domain``.

    ``domain`` is ``((xmin, xmax), (ymin, ymax))``; None takes ``suggest_domain(text)``.
    The formula may use numbers, x, y, pi, e, ``+ - * /``, powers ``^`` (or ``**``) and the
    functions sin cos tan asin acos atan sinh cosh tanh exp log sqrt abs atan2 min max
    (``log(v, base)`` too). Raises ValueError saying what is not allowed, and where.

    The gradient and Hessian are exact; minima, saddles, ``f_min`` and ``default_start``
    are found numerically in the domain (see ``surfaces.analysis``).
    ``from_expression(s.expression, s.domain)`` rebuilds the surface ``s``.
    """
    formula, program = _compiled(text)
    box = suggest_domain(text) if domain is None else check_domain(domain)
    found = _explored(formula, box, analysis.GRID)
    draft = _draft(program, box)
    return Surface(
        name="expression",
        title="f(x, y) = " + _shortened(formula.text, 60),
        sid=EXPRESSION,
        kernel_params=program.copy(),
        params={},
        latex="f = " + sp.latex(formula.expr),
        domain=box,
        view=box,
        minima=found.minima,
        f_min=found.f_min,
        saddles=found.saddles,
        default_start=analysis.default_start(draft, box, found),
        note=_note(found),
        expression=formula.text,
    )


def suggest_domain(text):
    """A domain showing the interesting part of the formula ``text``.

    The critical points are searched (as ``from_expression`` does) in the boxes
    ``[-h, h]^2`` for h in ``SEARCH_HALF_WIDTHS``, until some are found; the domain is
    then a square around the minima and saddles found, a quarter of their spread wider on
    every side (at least ``SMALLEST_HALF_WIDTH`` from the centre), with bounds rounded
    to a round step. When there are more than 12 such points (a rugged function), only
    the global minima count. With no critical point anywhere: ``DEFAULT_DOMAIN``.
    """
    formula, _ = _compiled(text)
    for half in SEARCH_HALF_WIDTHS:
        try:
            found = _explored(formula, ((-half, half), (-half, half)), SEARCH_GRID)
        except ValueError:  # no finite value in this box
            continue
        points = found.local_minima + found.saddles
        if len(points) > 12:
            points = found.minima
        if points:
            return _box_around(points)
    return DEFAULT_DOMAIN


def check_domain(domain):
    """``domain`` as ``((xmin, xmax), (ymin, ymax))`` floats; ValueError unless each range
    is finite, within +-MAX_COORDINATE and increasing."""
    try:
        (x0, x1), (y0, y1) = ((float(lo), float(hi)) for lo, hi in domain)
    except (TypeError, ValueError):
        raise ValueError(
            f"domain={domain!r} must be ((xmin, xmax), (ymin, ymax)), four numbers"
        ) from None
    for name, lo, hi in (("x", x0, x1), ("y", y0, y1)):
        if not (-MAX_COORDINATE <= lo < hi <= MAX_COORDINATE) or hi - lo < 1e-9 * max(
            1.0, abs(lo), abs(hi)
        ):
            raise ValueError(
                f"domain={domain!r}: the {name} range ({lo:g}, {hi:g}) is not allowed; "
                f"allowed: min < max, both from {-MAX_COORDINATE:g} to {MAX_COORDINATE:g}"
            )
    return ((x0, x1), (y0, y1))


def _compiled(text):
    """``(Formula, program)``; the program is read-only (copy it to use it)."""
    formula = _parsed(text)
    return formula, _program(formula)


_parsed = lru_cache(maxsize=256)(parse)


@lru_cache(maxsize=256)
def _program(formula):
    program = compile_program(differentiate(formula.expr))
    program.flags.writeable = False
    return program


@lru_cache(maxsize=256)
def _explored(formula, box, size):
    return analysis.explore(_draft(_program(formula), box), box, size)


def _draft(program, box):
    """A Surface that evaluates ``program``, before anything is known about it."""
    return Surface(
        name="expression",
        title="",
        sid=EXPRESSION,
        kernel_params=program.copy(),
        params={},
        latex="",
        domain=box,
        view=box,
        minima=(),
        f_min=math.nan,
        saddles=(),
        default_start=(math.nan, math.nan),
        note="",
    )


def _box_around(points):
    p = np.asarray(points, dtype=float)
    low, high = p.min(axis=0), p.max(axis=0)
    centre = (low + high) / 2
    spread = float(np.max(high - low))
    half = spread / 2 + max(spread / 4, SMALLEST_HALF_WIDTH)
    step = _round_step(half / 4)
    # (the tolerance keeps a minimum found at 1e-9 from widening the box by a step)
    return tuple(
        (
            round(math.floor((c - half) / step + 1e-6) * step, 10),
            round(math.ceil((c + half) / step - 1e-6) * step, 10),
        )
        for c in centre
    )


def _round_step(size):
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``size``."""
    power = 10.0 ** math.floor(math.log10(size))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= size)


def _shortened(text, length):
    return text if len(text) <= length else text[: length - 1] + "…"


def _note(found):
    count = len(found.minima)
    parts = [
        "A typed formula. Minima and saddles were found numerically: a grid of f, then "
        "Newton's method with the exact gradient and Hessian."
    ]
    if count:
        value = f"{found.f_min:.6g}"
        parts.append(
            f"{count} global minim{'um' if count == 1 else 'a'} (f = {value}), "
            f"{len(found.saddles)} saddle point{'' if len(found.saddles) == 1 else 's'} found."
        )
    else:
        parts.append("No minimum inside the domain, so f_min is -inf.")
    if found.more_minima:
        parts.append(
            f"The minimum value is reached at more points (along a curve?): {count} are shown."
        )
    if count and found.lowest_on_grid < found.f_min - 1e-9 * max(1.0, abs(found.f_min)):
        parts.append(
            f"f falls lower toward the edge of the domain (to {found.lowest_on_grid:.6g}): "
            "the minimum shown is only the lowest inside."
        )
    if found.undefined > 0:
        parts.append(f"f is undefined (not finite) on {100 * found.undefined:.2g}% of the domain.")
    return " ".join(parts)
