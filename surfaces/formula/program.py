"""Derivatives to a program for the register machine of ``surfaces._program``.

Each of the three segments (f; fx, fy; fxx, fxy, fyy) is compiled on its own, from its
outputs down, so it holds only the operations it needs. Equal subexpressions are computed
once (a memo on sympy expressions, and value numbering on the operations), sums and
products become chains of binary operations with the numeric coefficients folded in
(``a + 3*b`` is one ``AXPY``), constants are computed once in float64, and registers
are reused once their value is no longer read, so a long program needs few of them.
"""

import heapq

import numpy as np
import sympy as sp

from .. import _program as op
from .functions import ELEMENTARY, constant_value
from .parse import X, Y

MAX_INSTRUCTIONS = 4000  # per segment; the formula is refused beyond

_READS_TWO = {op.ADD, op.SUB, op.MUL, op.DIV, op.AXPY, op.POW, op.ATAN2, op.MAX, op.MIN}
_COMMUTATIVE = {op.ADD, op.MUL, op.MAX, op.MIN}
_SEGMENT_NAMES = ("f", "the gradient", "the Hessian")


def compile_program(derivatives):
    """The float64 program computing ``derivatives`` (see ``surfaces._program``)."""
    segments = [
        _Segment(derivatives.definitions, name).assemble(outputs)
        for name, outputs in zip(
            _SEGMENT_NAMES,
            ([derivatives.value], derivatives.gradient, derivatives.hessian),
            strict=True,
        )
    ]
    offsets = np.cumsum([3] + [segment.size for segment in segments[:-1]])
    return np.concatenate([offsets.astype(float), *segments])


class _Segment:
    """One segment: operations over value ids (0 is x, 1 is y, k + 2 the k-th operation)."""

    def __init__(self, definitions, name):
        self.definitions = definitions
        self.name = name
        self.code = []
        self.numbered = {}
        self.compiled = {X: 0, Y: 1}

    def assemble(self, outputs):
        """The encoded segment: header, then (op, dst, a, b, c) per operation."""
        ids = [self.value(expr) for expr in outputs]
        registers = _allocate(self.code, ids)
        header = [len(self.code)] + [registers[i] for i in ids] + [0] * (3 - len(ids))
        rows = []
        for k, (code, a, b, c) in enumerate(self.code):
            reads = _reads(code)
            rows.append(
                (
                    code,
                    registers[k + 2],
                    registers[a] if reads else 0,
                    registers[b] if reads == 2 else 0,
                    c,
                )
            )
        return np.concatenate([np.array(header, float), np.array(rows, float).ravel()])

    def emit(self, code, a=0, b=0, c=0.0):
        """The value id of operation ``code``, reusing an equal one."""
        if code in _COMMUTATIVE and a > b:
            a, b = b, a
        key = (code, a, b, c)
        if key not in self.numbered:
            if len(self.code) >= MAX_INSTRUCTIONS:
                raise ValueError(
                    f"formula is too large: computing {self.name} takes more than "
                    f"{MAX_INSTRUCTIONS} operations; allowed: up to {MAX_INSTRUCTIONS}"
                )
            self.code.append(key)
            self.numbered[key] = len(self.code) + 1
        return self.numbered[key]

    def value(self, expr):
        """The value id of sympy expression ``expr``, compiling it on first sight."""
        if expr not in self.compiled:
            self.compiled[expr] = self._compile(expr)
        return self.compiled[expr]

    def _compile(self, expr):
        if expr in self.definitions:
            return self.value(self.definitions[expr])
        if not expr.free_symbols:
            return self.emit(op.CONST, c=_number(expr))
        if expr.is_Add:
            return self._sum(expr)
        if expr.is_Mul:
            return self._product(expr)
        if expr.is_Pow:
            return self._power(expr.base, expr.exp)
        function = ELEMENTARY.get(type(expr))
        if function is None:
            raise ValueError(f"formula uses {type(expr).__name__}, which cannot be compiled")
        if function.op == op.HEAVISIDE:  # Heaviside(u, value at 0)
            at_zero = _number(expr.args[1]) if len(expr.args) > 1 else 0.5
            return self.emit(op.HEAVISIDE, self.value(expr.args[0]), c=at_zero)
        args = [self.value(arg) for arg in expr.args]
        if function.op in (op.MAX, op.MIN):
            return self._chain(function.op, args)
        return self.emit(function.op, *args)

    def _sum(self, expr):
        constant = _number(sp.Add(*(t for t in expr.args if not t.free_symbols)))
        terms = [_split(t) for t in expr.args if t.free_symbols]
        terms.sort(key=lambda term: term[0] != 1.0)  # a plain term first: no scaling
        coefficient, rest = terms[0]
        result = self._scaled(self.value(rest), coefficient)
        for coefficient, rest in terms[1:]:
            term = self.value(rest)
            if coefficient == 1.0:
                result = self.emit(op.ADD, result, term)
            elif coefficient == -1.0:
                result = self.emit(op.SUB, result, term)
            else:
                result = self.emit(op.AXPY, term, result, coefficient)
        return self.emit(op.ADD_C, result, c=constant) if constant != 0.0 else result

    def _product(self, expr):
        coefficient, factors = _split(expr)
        numerator, denominator = [], []
        for factor in sp.Mul.make_args(factors):
            if factor.is_Pow and factor.exp.is_number and constant_value(factor.exp) < 0:
                denominator.append(self._power(factor.base, -factor.exp))
            else:
                numerator.append(self.value(factor))
        top = self._chain(op.MUL, numerator)
        bottom = self._chain(op.MUL, denominator)
        if top is None:
            return self.emit(op.C_DIV, bottom, c=coefficient)
        result = top if bottom is None else self.emit(op.DIV, top, bottom)
        return self._scaled(result, coefficient)

    def _power(self, base, exponent):
        if exponent.free_symbols:
            return self.emit(op.POW, self.value(base), self.value(exponent))
        b = self.value(base)
        e = _number(exponent)
        if e == 1.0:
            return b
        if e == 2.0:
            return self.emit(op.SQUARE, b)
        if e == 0.5:
            return self.emit(op.SQRT, b)
        if e == -0.5:
            return self.emit(op.C_DIV, self.emit(op.SQRT, b), c=1.0)
        if e == -1.0:
            return self.emit(op.C_DIV, b, c=1.0)
        return self.emit(op.POW_INT if e.is_integer() else op.POW_C, b, c=e)

    def _scaled(self, value, coefficient):
        if coefficient == 1.0:
            return value
        if coefficient == -1.0:
            return self.emit(op.NEG, value)
        return self.emit(op.MUL_C, value, c=coefficient)

    def _chain(self, code, values):
        result = values[0] if values else None
        for value in values[1:]:
            result = self.emit(code, result, value)
        return result


def _split(expr):
    """``(c, rest)`` with ``expr = c * rest``, ``c`` a float: every constant factor."""
    factors = sp.Mul.make_args(expr)
    coefficient = _number(sp.Mul(*(f for f in factors if not f.free_symbols)))
    return coefficient, sp.Mul(*(f for f in factors if f.free_symbols))


def _number(expr):
    value = constant_value(expr)
    if not np.isfinite(value):
        # (parse refuses such constants in the formula; this guards its derivatives)
        raise ValueError("formula's derivatives have a constant beyond float64 or not real")
    return value


def _reads(code):
    """How many registers operation ``code`` reads."""
    return 0 if code == op.CONST else 2 if code in _READS_TWO else 1


def _allocate(code, outputs):
    """A register for each value id, reused once its value has been read for the last time.

    ValueError when more than ``MAX_REGISTERS`` would be live at once.
    """
    last_read = {}
    for k, (operation, a, b, _) in enumerate(code):
        for value in (a, b)[: _reads(operation)]:
            last_read[value] = k
    for value in outputs:
        last_read[value] = len(code)  # live to the end
    registers = {0: 0, 1: 1}
    free = [r for r in (0, 1) if r not in last_read]
    heapq.heapify(free)
    count = 2
    for k, (operation, a, b, _) in enumerate(code):
        for value in set((a, b)[: _reads(operation)]):
            if last_read[value] == k:
                heapq.heappush(free, registers[value])
        if free:
            registers[k + 2] = heapq.heappop(free)
        else:
            registers[k + 2] = count
            count += 1
    if count > op.MAX_REGISTERS:
        raise ValueError(
            f"formula is too large: it needs {count} registers; allowed: {op.MAX_REGISTERS}"
        )
    return registers
