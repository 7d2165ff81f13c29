"""A register machine that evaluates typed formulas inside the cached kernels.

A formula typed by a user cannot become a Numba function of its own: that would compile
for every formula (seconds) instead of loading every kernel from the disk cache. Instead
the formula and its exact derivatives are translated (by ``surfaces.formula.program``) into
a small program stored in the surface's float64 parameter array, and the functions here
run that program. The kernels reach them through the surface id ``EXPRESSION``.

Layout of a program ``p`` (float64; integers stored exactly):

* ``p[0], p[1], p[2]``: offsets of three segments computing f, then (fx, fy), then
  (fxx, fxy, fyy);
* a segment: ``[n, out0, out1, out2]`` then ``n`` instructions of ``WIDTH`` numbers
  ``(op, dst, a, b, c)``: register ``dst`` gets ``op`` of registers ``a``, ``b`` and the
  number ``c``. Registers 0 and 1 start as x and y; ``out0..2`` name the registers that
  hold the results at the end.

The compiler writes every register before reading it. The registers live on the stack of
the calling function (no allocation per call), so the evaluators are as thread-safe as the
built-in formulas. Whatever ``p`` holds, they stay in bounds (a malformed program gives
meaningless numbers, never a crash): register numbers are taken modulo ``MAX_REGISTERS``
(which also spares Numba's check for negative indices) and offsets and instruction
counts are clamped to the size of ``p``.
"""

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array, populate_array

from ._jit import inline, inner, out_of_line

MAX_REGISTERS = 512  # registers, x and y included (4 KB of stack); a power of two
_REGISTER = MAX_REGISTERS - 1  # the mask that keeps a register number in bounds
WIDTH = 5  # numbers per instruction: op, dst, a, b, c
HEADER = 4  # numbers before a segment's instructions: n, out0, out1, out2

# Operations: what instruction (op, dst, a, b, c) writes. ``ra``, ``rb`` are registers a, b.
CONST = 0  # c
ADD = 1  # ra + rb
SUB = 2  # ra - rb
MUL = 3  # ra * rb
DIV = 4  # ra / rb
ADD_C = 5  # ra + c
MUL_C = 6  # ra * c
C_DIV = 7  # c / ra
AXPY = 8  # c * ra + rb
SQUARE = 9  # ra * ra
POW_INT = 10  # ra ** c, c a whole number (repeated squaring: exact for small powers)
POW_C = 11  # ra ** c
POW = 12  # ra ** rb
SQRT = 13
EXP = 14
LOG = 15
SIN = 16
COS = 17
TAN = 18
ASIN = 19
ACOS = 20
ATAN = 21
SINH = 22
COSH = 23
TANH = 24
ABS = 25
SIGN = 26  # -1, 0 or 1 (0 at 0)
HEAVISIDE = 27  # 0 below 0, 1 above, c at 0
ATAN2 = 28  # atan2(ra, rb)
MAX = 29
MIN = 30
NEG = 31  # -ra
N_OPS = 32


@inline
def _power_int(base, n):
    """``base ** n`` for a whole number ``n`` by repeated squaring."""
    result = 1.0
    m = abs(n)
    while m > 0:
        if m & 1:
            result *= base
        base *= base
        m >>= 1
    return 1.0 / result if n < 0 else result


@inline
def _segment(p, which):
    """Where segment ``which`` (0, 1, 2) starts, clamped into ``p``; -1 if ``p`` is too
    short to hold a program. (Clamping, not checking: an early return here made every
    evaluation 25 ns slower, measured.)"""
    if p.size < 3 + HEADER:
        return -1
    return min(max(np.int64(p[which]), 3), p.size - HEADER)


@inline
def _output(p, start, k, r):
    """Result ``k`` (0, 1, 2) of the segment at ``start``, once run."""
    return r[np.int64(p[start + 1 + k]) & _REGISTER]


@inline
def _run(p, start, x, y, r):
    """Run the segment at ``start`` (from ``_segment``) with x, y: fills ``r``."""
    r[0] = x
    r[1] = y
    i = start + HEADER
    for _ in range(min(np.int64(p[start]), (p.size - i) // WIDTH)):  # no reading past p
        op = np.int64(p[i])
        k = np.int64(p[i + 1]) & _REGISTER
        a = np.int64(p[i + 2]) & _REGISTER
        b = np.int64(p[i + 3]) & _REGISTER
        c = p[i + 4]
        i += WIDTH
        # the common arithmetic first: the chain of tests is the dispatch
        if op == MUL:
            v = r[a] * r[b]
        elif op == ADD:
            v = r[a] + r[b]
        elif op == AXPY:
            v = c * r[a] + r[b]
        elif op == SUB:
            v = r[a] - r[b]
        elif op == MUL_C:
            v = r[a] * c
        elif op == ADD_C:
            v = r[a] + c
        elif op == SQUARE:
            v = r[a] * r[a]
        elif op == DIV:
            v = r[a] / r[b]
        elif op == C_DIV:
            v = c / r[a]
        elif op == CONST:
            v = c
        elif op == NEG:
            v = -r[a]
        elif op == POW_INT:
            v = _power_int(r[a], np.int64(c))
        elif op == POW_C:
            v = r[a] ** c
        elif op == POW:
            v = r[a] ** r[b]
        else:
            v = _function(op, r[a], r[b], c)
        r[k] = v


@inner
def _function(op, u, w, c):
    """The elementary functions (out of line: rarer, and they keep the loop small)."""
    if op == SQRT:
        return math.sqrt(u)
    if op == EXP:
        return math.exp(u)
    if op == LOG:
        return math.log(u)
    if op == SIN:
        return math.sin(u)
    if op == COS:
        return math.cos(u)
    if op == TAN:
        return math.tan(u)
    if op == ASIN:
        return math.asin(u)
    if op == ACOS:
        return math.acos(u)
    if op == ATAN:
        return math.atan(u)
    if op == SINH:
        return math.sinh(u)
    if op == COSH:
        return math.cosh(u)
    if op == TANH:
        return math.tanh(u)
    if op == ABS:
        return abs(u)
    if op == SIGN or op == HEAVISIDE:
        if u > 0.0:
            return 1.0
        if u < 0.0:
            return -1.0 if op == SIGN else 0.0
        if u == 0.0:
            return 0.0 if op == SIGN else c
        return u  # NaN
    if op == ATAN2:
        return math.atan2(u, w)
    if op == MAX:
        return u if u >= w or w != w else w
    if op == MIN:
        return u if u <= w or w != w else w
    return math.nan


def _stack_registers(typingctx):
    """``MAX_REGISTERS`` float64 on the caller's stack, uninitialised, as an array.

    Numba's own stack helper zero-fills the buffer at every call (that tripled the cost
    of a small formula) and ``np.empty`` allocates on the heap; this does neither. The buffer lives
    in the entry block of the function that calls this intrinsic, so that function must
    not return the array.
    """
    array_type = types.Array(types.float64, 1, "C")

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        with builder.goto_entry_block():
            buffer = builder.alloca(ir.ArrayType(double, MAX_REGISTERS))
        array = make_array(array_type)(context, builder)
        populate_array(
            array,
            data=builder.bitcast(buffer, double.as_pointer()),
            shape=[context.get_constant(types.intp, MAX_REGISTERS)],
            strides=[context.get_constant(types.intp, 8)],
            itemsize=context.get_constant(types.intp, 8),
            meminfo=None,
        )
        return array._getvalue()

    return array_type(), codegen


if numba.config.DISABLE_JIT:  # pure Python (tests): a heap array

    def _registers():
        return np.empty(MAX_REGISTERS)

else:
    _registers = intrinsic(_stack_registers)


@inner
def _value(p, x, y):
    """f(x, y) of the program ``p``."""
    r = _registers()
    start = _segment(p, 0)
    if start < 0:
        return np.nan
    _run(p, start, x, y, r)
    return _output(p, start, 0, r)


@inner
def _gradient(p, x, y):
    """(fx, fy) of the program ``p``."""
    r = _registers()
    start = _segment(p, 1)
    if start < 0:
        return np.nan, np.nan
    _run(p, start, x, y, r)
    return _output(p, start, 0, r), _output(p, start, 1, r)


@inner
def _hessian(p, x, y):
    """(fxx, fxy, fyy) of the program ``p``."""
    r = _registers()
    start = _segment(p, 2)
    if start < 0:
        return np.nan, np.nan, np.nan
    _run(p, start, x, y, r)
    return _output(p, start, 0, r), _output(p, start, 1, r), _output(p, start, 2, r)


# What the surface dispatch calls: (p, x, y) -> f, (fx, fy), (fxx, fxy, fyy).
value = out_of_line(_value)
gradient = out_of_line(_gradient)
hessian = out_of_line(_hessian)
