"""What ``run(..., record_state=True)`` returns: the optimizer's state after every step.

The kernel copies the first rows of its state array (``S``, zero at the start), as many
as the names present in the run read, and Lookahead's slow weights, after every step.
Each optimizer's spec declares the names it reports (``OptimizerSpec.state``) as
``StateEntry`` records that read those raw rows: PyTorch's names (``optimizer.state[p]``)
where PyTorch has the optimizer, the paper's elsewhere. Every optimizer also reports
``update``, the step actually taken (``xy[t + 1] - xy[t]``: after the schedule, clipping,
noise and any Lookahead synchronisation); the adaptive ones report ``scale``, the
per-coordinate factor their (averaged) gradient is multiplied by, the learning rate left
out, as each spec states.

Row ``t`` of every array is the state after step ``t`` (from 0): (steps, 2) per
coordinate, (steps,) for a scalar. Rows from a divergence on are NaN, as in the path.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# beyond this, -expm1(-x) is exactly 1.0 in float64: e^-40 is below half an ulp of 1
_ROUNDS_TO_ONE = 40.0


@dataclass(frozen=True)
class Recorded:
    """The raw record of one run, for ``StateEntry.read``.

    ``rows`` (R, steps, 2): the kernel's first R state rows after each step (R at least
    the ``rows`` of every entry present; Lookahead's slow weights may follow); ``slow``
    (steps, 2): Lookahead's slow weights after each step (None without Lookahead); ``lr``
    the rate of each step; ``steps`` how many steps ran; ``values`` the hyperparameters by
    name; ``out`` (steps, 2): where the one entry computed per coordinate from the rows
    (``scale``) may write its values, allocated with the rows (see ``record_block``).
    """

    rows: np.ndarray
    slow: np.ndarray | None
    lr: np.ndarray
    steps: int
    values: dict
    out: np.ndarray

    def before(self, row):
        """State row ``row`` before each step: the previous step's, zero before the first."""
        out = np.zeros_like(self.rows[row])
        out[1:] = self.rows[row, :-1]
        return out


@dataclass(frozen=True)
class StateEntry:
    """One name of ``Trajectory.state``.

    ``read(recorded)`` gives its array (one row per step); ``rows`` is how many raw state
    rows it reads (its highest row + 1; a row only some runs keep may be left to the
    entry that reports it, e.g. AMSGrad's maximum); ``meaning`` says what it holds, in
    the spec's symbols; ``present(values)`` is False for runs that do not keep it
    (PyTorch keeps a ``momentum_buffer`` only when the momentum is not 0); None: always.
    """

    name: str
    meaning: str
    read: Callable
    rows: int = 0
    present: Callable | None = None


def coordinates(name, row, meaning, present=None):
    """An entry holding state row ``row`` (one value per coordinate)."""
    return StateEntry(name, meaning, lambda rec: rec.rows[row], row + 1, present)


def scalar(name, row, column, meaning, present=None):
    """An entry holding the single value in column ``column`` of state row ``row``."""
    return StateEntry(name, meaning, lambda rec: rec.rows[row, :, column], row + 1, present)


def recorded_rows(entries, values):
    """The raw state rows the kernel must copy for the ``entries`` present with the
    hyperparameters ``values``."""
    return max((entry.rows for entry in entries if _present(entry, values)), default=0)


def _present(entry, values):
    return entry.present is None or entry.present(values)


def bias_corrections(beta, steps):
    """``1 - beta^t`` for ``t = 1 .. steps``, as the rules' bias corrections (by ``expm1``:
    a power per step costs more than a short run)."""
    out = np.ones(steps)
    head = _corrected_steps(beta, steps)
    if head:
        out[:head] = -np.expm1(np.arange(1.0, head + 1) * math.log(beta))
    return out


def unbias(rows, beta, root=False):
    """``rows`` (one per step from 1, any trailing shape) divided in place by ``1 - beta^t``
    (by its square root with ``root``).

    Only the steps before ``t |ln beta| > 40`` are touched: after them ``beta^t < 2^-54``
    and the correction is exactly 1 in float64, so a long run's tail costs nothing."""
    head = _corrected_steps(beta, len(rows))
    corrections = bias_corrections(beta, head)
    if root:
        corrections = np.sqrt(corrections)
    rows[:head] /= corrections.reshape((head,) + (1,) * (rows.ndim - 1))
    return rows


def _corrected_steps(beta, steps):
    """How many of the first ``steps`` steps have a correction ``1 - beta^t`` below 1
    (after them it is exactly 1)."""
    if beta == 0.0:
        return 0
    return min(steps, math.ceil(_ROUNDS_TO_ONE / -math.log(beta)))


def record_block(rows, steps):
    """``(rows, derived)``: the kernel's record (rows, steps, 2) and room for two arrays
    computed from it (``update``, and ``scale`` as ``Recorded.out``), views of one block.

    One allocation instead of three: a long run's arrays are large enough that each fresh
    one costs its pages faulted in (the block is large enough for huge pages); for Adam at
    200k steps, the state took 2.2x a plain run's time as separate arrays (measured)."""
    block = np.empty((rows + 2, steps, 2))
    return block[:rows], block[rows:]


def named_state(entries, recorded, xy, update):
    """``{name: float64 array}`` of the entries present in this run, then ``update``
    (``xy[t + 1] - xy[t]``, written into ``update``; views of the record where an entry
    is one of its rows: no copy)."""
    state = {}
    for entry in entries:
        if _present(entry, recorded.values):
            state[entry.name] = np.asarray(entry.read(recorded), dtype=float)
    state["update"] = np.subtract(xy[1:], xy[:-1], out=update)
    return state


def inverse_rms(squares, eps, out, beta=None):
    """``1 / (sqrt(squares) + eps)`` per step, written into ``out``; with ``beta``, the
    squares' bias corrected first as PyTorch orders it:
    ``1 / (sqrt(squares) / sqrt(1 - beta^t) + eps)`` (rows of ``squares`` from step 1)."""
    np.sqrt(squares, out=out)
    if beta is not None:
        unbias(out, beta, root=True)
    out += eps
    return np.reciprocal(out, out=out)
