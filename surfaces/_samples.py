"""The parameter array of a surface made from data: a header, then one row per sample.

    sp = [n, width, first, c_0, ..., c_{k-1}, row_0, row_1, ..., row_{n-1}]

``n`` samples of ``width`` numbers each start at index ``first = 3 + k``; ``c`` are the
model's own constants (logistic regression's L2 weight, a network's trained weights).
The kernels dispatch surfaces by id with one float array, so the dataset travels in that
array: the formulas loop over its rows, and a surface made of any subset of the rows is
the same array with other rows and another ``n`` (``select``). A mini-batch gradient is
then the full-data gradient of the batch's array: the formulas never know about batches.
"""

import numpy as np

from ._jit import inner

COUNT, WIDTH, FIRST, CONSTANTS = 0, 1, 2, 3


def pack(constants, rows):
    """The parameter array of ``rows`` (n, width) with the model's ``constants``."""
    rows = np.asarray(rows, dtype=float)
    constants = np.asarray(constants, dtype=float).ravel()
    n, width = rows.shape
    header = [n, width, CONSTANTS + constants.size]
    return np.concatenate([header, constants, rows.ravel()])


def count(sp):
    """The number of samples in a parameter array (Python side)."""
    return int(sp[COUNT])


@inner
def layout(sp):
    """``(n, width, first)`` of a parameter array, as integers."""
    return np.int64(sp[COUNT]), np.int64(sp[WIDTH]), np.int64(sp[FIRST])


@inner
def select(sp, order, lo, hi, out):
    """Make ``out`` (a copy of ``sp``, or of ``sp`` after an earlier ``select``) hold the
    samples ``order[lo:hi]`` of ``sp``, in that order, and nothing else."""
    _, width, first = layout(sp)
    for k in range(hi - lo):
        source = first + order[lo + k] * width
        target = first + k * width
        for c in range(width):
            out[target + c] = sp[source + c]
    out[COUNT] = hi - lo
