"""Exact first and second derivatives of a formula, in time and size linear in the formula.

``sympy.diff`` on the whole expression is exact but can swell: the Hessian of a product
of 29 binomials took 11 s and 782 common subexpressions. Here the expression is cut into
a straight-line program (a tape) of small steps, each a function of at most two earlier
steps (n-ary sums stay whole: they differentiate term by term), and derivatives move
forward through the tape by the chain rule (forward-mode differentiation carried out
symbolically, to second order):

    dt/dx = sum_a dt/da * da/dx
    d2t/dxdy = sum_a dt/da * d2a/dxdy + sum_(a,b) d2t/dadb * da/dx * db/dy

where ``a`` and ``b`` run over the step's arguments. The local derivatives ``dt/da`` come
from ``sympy.diff`` on the small step, so they are sympy's exact rules (``abs`` gives
``sign``, ``max`` gives ``Heaviside``). Each derivative that is not a plain number gets a
symbol of its own, so every step adds a bounded amount of work: the tape of a formula of
``n`` parts has O(n) entries, whatever the formula.

Dirac deltas (second derivatives of ``abs``, ``max``, ``min``, first of ``sign``) are
taken as 0: they vanish everywhere except on a set of measure zero, where the true second
derivative does not exist.
"""

from dataclasses import dataclass
from functools import lru_cache
from itertools import count

import sympy as sp

from .parse import X, Y


@dataclass(frozen=True)
class Derivatives:
    """``value``, ``gradient`` (fx, fy) and ``hessian`` (fxx, fxy, fyy) as expressions in
    x, y and the symbols of ``definitions`` (a dict in dependency order)."""

    definitions: dict
    value: sp.Expr
    gradient: tuple
    hessian: tuple

    def expand(self, expr):
        """``expr`` with every defined symbol replaced by its definition (for tests)."""
        for symbol, definition in reversed(self.definitions.items()):
            expr = expr.xreplace({symbol: definition})
        return expr


def differentiate(expr):
    """The Derivatives of ``expr``, a sympy expression in X and Y."""
    tape = _Tape()
    f = tape.atom(expr)
    return Derivatives(tape.definitions, f, tape.first[f], tape.second[f])


_PLACEHOLDERS = sp.symbols("u0 u1", real=True)
_ZERO, _ONE = sp.S.Zero, sp.S.One


@lru_cache(maxsize=4096)
def _local_derivatives(step):
    """``(first, second)`` partial derivatives of ``step``, an expression in u0 and u1.

    ``first[i]`` is d step / d u_i; ``second[i][j]`` is d2 step / du_i du_j.
    """
    first = [_no_delta(sp.diff(step, u)) for u in _PLACEHOLDERS]
    second = [[_no_delta(sp.diff(d, u)) for u in _PLACEHOLDERS] for d in first]
    return first, second


def _no_delta(expr):
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: _ZERO)


class _Tape:
    """The straight-line program and the derivatives of each of its atoms.

    An atom is X, Y, a defined symbol or a constant; ``first[atom]`` is its (d/dx, d/dy)
    and ``second[atom]`` its (d2/dx2, d2/dxdy, d2/dy2), each an atom.
    """

    def __init__(self):
        self.definitions = {}
        self.first = {X: (_ONE, _ZERO), Y: (_ZERO, _ONE)}
        self.second = {X: (_ZERO,) * 3, Y: (_ZERO,) * 3}
        self.atoms = {}
        self.names = (sp.Symbol(f"t{k}", real=True) for k in count())

    def atom(self, expr):
        """The atom standing for ``expr`` (steps defined for it on first sight)."""
        if not expr.free_symbols:
            return expr
        if expr in self.first:
            return expr
        if expr not in self.atoms:
            self.atoms[expr] = self._steps(expr)
        return self.atoms[expr]

    def _steps(self, expr):
        if expr.is_Add:
            # one step however many terms: a sum differentiates term by term
            coefficients = [term.as_coeff_Mul() for term in expr.args]
            return self.step(sp.Add(*(c * self.atom(t) for c, t in coefficients)))
        if expr.is_Mul:
            coefficient, factors = expr.as_coeff_mul()
            atoms = [self.atom(f) for f in factors]
            product = self.step(coefficient * atoms[0] * atoms[1]) if len(atoms) > 1 else None
            for factor in atoms[2:]:
                product = self.step(product * factor)
            return product if product is not None else self.step(coefficient * atoms[0])
        atoms = [self.atom(arg) for arg in expr.args]
        if isinstance(expr, (sp.Max, sp.Min)):  # a chain of two-argument steps
            result = atoms[0]
            for atom in atoms[1:]:
                result = self.step(expr.func(result, atom, evaluate=False))
            return result
        return self.step(expr.func(*atoms))

    def step(self, expr):
        """Define a symbol for ``expr`` (a function of at most two atoms) and derive it."""
        arguments = sorted(expr.free_symbols, key=sp.default_sort_key)
        if len(arguments) > len(_PLACEHOLDERS) and not expr.is_Add:
            raise AssertionError(f"a tape step has more than two arguments: {expr}")
        symbol = self.define(expr)
        if expr.is_Add:
            self._derive_sum(symbol, expr)
        else:
            self._derive(symbol, expr, arguments)
        return symbol

    def define(self, expr):
        """An atom for ``expr``: itself when a constant or an atom, else a new symbol."""
        if not expr.free_symbols or expr in self.first:
            return expr
        symbol = next(self.names)
        self.definitions[symbol] = expr
        return symbol

    def _derive_sum(self, symbol, expr):
        terms = [term.as_coeff_Mul() for term in expr.args if term.free_symbols]
        self.first[symbol] = tuple(
            self.define(sp.Add(*(c * self.first[a][i] for c, a in terms))) for i in range(2)
        )
        self.second[symbol] = tuple(
            self.define(sp.Add(*(c * self.second[a][i] for c, a in terms))) for i in range(3)
        )

    def _derive(self, symbol, expr, arguments):
        n = len(arguments)
        first, second = _local_derivatives(
            expr.xreplace(dict(zip(arguments, _PLACEHOLDERS, strict=False)))
        )
        back = dict(zip(_PLACEHOLDERS, arguments, strict=False))
        d = [first[i].xreplace(back) for i in range(n)]
        dd = [[second[i][j].xreplace(back) for j in range(n)] for i in range(n)]
        slope = [self.first[a] for a in arguments]  # (d/dx, d/dy) of each argument
        curve = [self.second[a] for a in arguments]  # (d2/dx2, d2/dxdy, d2/dy2)
        self.first[symbol] = tuple(
            self.define(sp.Add(*(d[i] * slope[i][k] for i in range(n)))) for k in range(2)
        )
        directions = ((0, 0), (0, 1), (1, 1))  # xx, xy, yy
        self.second[symbol] = tuple(
            self.define(
                sp.Add(
                    *(d[i] * curve[i][pair] for i in range(n)),
                    *(dd[i][j] * slope[i][k] * slope[j][m] for i in range(n) for j in range(n)),
                )
            )
            for pair, (k, m) in enumerate(directions)
        )
