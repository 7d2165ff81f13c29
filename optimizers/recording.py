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


@dataclass(frozen=True)
class Recorded:
    """The raw record of one run, for ``StateEntry.read``.

    ``rows`` (R, steps, 2): the kernel's first R state rows after each step (R at least
    the ``rows`` of every entry present; Lookahead's slow weights may follow); ``slow``
    (steps, 2): Lookahead's slow weights after each step (None without Lookahead); ``lr``
    the rate of each step; ``t`` the step numbers from 1 (floats); ``values`` the
    hyperparameters by name.
    """

    rows: np.ndarray
    slow: np.ndarray | None
    lr: np.ndarray
    t: np.ndarray
    values: dict

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


def bias_corrections(beta, t):
    """``1 - beta^t`` for the step numbers ``t``, as the rules' bias corrections (by
    ``expm1``: a power per step costs more than a short run)."""
    if beta == 0.0:
        return np.ones_like(t)
    return -np.expm1(t * math.log(beta))


def named_state(entries, recorded, xy):
    """``{name: float64 array}`` of the entries present in this run, then ``update``
    (views of the record where an entry is one of its rows: no copy)."""
    state = {}
    for entry in entries:
        if _present(entry, recorded.values):
            state[entry.name] = np.asarray(entry.read(recorded), dtype=float)
    state["update"] = xy[1:] - xy[:-1]
    return state
