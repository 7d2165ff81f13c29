"""The elementary functions a formula may use: typed name, sympy class, float64 value, op.

One table serves the parser (names and argument counts), the compiler (which interpreter
operation computes each sympy function) and the evaluation of constants (float64, with the
interpreter's semantics).
"""

import math
from dataclasses import dataclass
from functools import partial

import sympy as sp

from .. import _program as op


def _sign(u):
    return float((u > 0) - (u < 0))


def _heaviside(u, at_zero=0.5):
    return 1.0 if u > 0 else 0.0 if u < 0 else float(at_zero)


@dataclass(frozen=True)
class Elementary:
    """A sympy function the interpreter computes with operation ``op`` (float64 ``value``)."""

    sympy: type
    op: int
    value: object


# Every sympy function the compiler turns into an operation. Sign, Heaviside, Max and Min
# also arise as derivatives of abs, max and min.
ELEMENTARY = {
    e.sympy: e
    for e in (
        Elementary(sp.exp, op.EXP, math.exp),
        Elementary(sp.log, op.LOG, math.log),
        Elementary(sp.sin, op.SIN, math.sin),
        Elementary(sp.cos, op.COS, math.cos),
        Elementary(sp.tan, op.TAN, math.tan),
        Elementary(sp.asin, op.ASIN, math.asin),
        Elementary(sp.acos, op.ACOS, math.acos),
        Elementary(sp.atan, op.ATAN, math.atan),
        Elementary(sp.sinh, op.SINH, math.sinh),
        Elementary(sp.cosh, op.COSH, math.cosh),
        Elementary(sp.tanh, op.TANH, math.tanh),
        Elementary(sp.Abs, op.ABS, abs),
        Elementary(sp.sign, op.SIGN, _sign),
        Elementary(sp.Heaviside, op.HEAVISIDE, _heaviside),
        Elementary(sp.atan2, op.ATAN2, math.atan2),
        Elementary(sp.Max, op.MAX, max),
        Elementary(sp.Min, op.MIN, min),
    )
}


@dataclass(frozen=True)
class Typed:
    """A function as typed: ``fewest`` to ``most`` arguments, built by ``build``."""

    fewest: int
    most: int
    build: object
    value: object


def _log(value, base=None):
    return sp.log(value) if base is None else sp.log(value, base)


def _log_value(value, base=None):
    return math.log(value) if base is None else math.log(value, base)


def _one(cls):
    return Typed(1, 1, cls, ELEMENTARY[cls].value)


FUNCTIONS = {
    "sin": _one(sp.sin),
    "cos": _one(sp.cos),
    "tan": _one(sp.tan),
    "asin": _one(sp.asin),
    "acos": _one(sp.acos),
    "atan": _one(sp.atan),
    "sinh": _one(sp.sinh),
    "cosh": _one(sp.cosh),
    "tanh": _one(sp.tanh),
    "exp": _one(sp.exp),
    "log": Typed(1, 2, _log, _log_value),  # natural logarithm, or log(value, base)
    "sqrt": Typed(1, 1, sp.sqrt, math.sqrt),
    "abs": _one(sp.Abs),
    "atan2": Typed(2, 2, sp.atan2, math.atan2),  # atan2(y, x): the angle of the point (x, y)
    # unevaluated: sympy compares every pair of arguments symbolically (1 s for 8 of them)
    "min": Typed(2, 8, partial(sp.Min, evaluate=False), min),
    "max": Typed(2, 8, partial(sp.Max, evaluate=False), max),
}


def constant_value(expr):
    """The float64 value of a sympy expression without x and y; NaN when not finite.

    Computed with Python's float arithmetic, never with sympy's arbitrary precision,
    which can take unbounded time on constants such as exp(exp(exp(10))).
    """
    try:
        value = _evaluate(expr)
    except (ArithmeticError, ValueError, TypeError):
        return math.nan
    return value if math.isfinite(value) else math.nan


def _evaluate(expr):
    if expr.is_Number:
        return float(expr)
    if expr is sp.pi:
        return math.pi
    if expr is sp.E:
        return math.e
    args = [_evaluate(arg) for arg in expr.args]
    if expr.is_Add:
        return math.fsum(args)
    if expr.is_Mul:
        return math.prod(args)
    if expr.is_Pow:
        return math.pow(*args)
    if type(expr) in ELEMENTARY:
        return float(ELEMENTARY[type(expr)].value(*args))
    raise ValueError(f"no float64 value for {type(expr).__name__}")
