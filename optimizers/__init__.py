"""Optimizer update rules as Numba kernels, learning-rate schedules, and the runner.

>>> import optimizers
>>> path = optimizers.run("quadratic", "momentum", (-4.0, 3.0), 100, lr=0.05)
>>> round(float(path.loss[-1]), 6) < 1e-3
True
"""

from . import schedules
from ._prepare import MAX_SHARED_STEPS
from .batch import BatchResult, run_batch
from .registry import chooses_inner, inner_choices, names
from .registry import get as spec
from .runner import MAX_STEPS, Trajectory, run

__all__ = [
    "MAX_SHARED_STEPS",
    "MAX_STEPS",
    "BatchResult",
    "Trajectory",
    "chooses_inner",
    "inner_choices",
    "names",
    "run",
    "run_batch",
    "schedules",
    "spec",
]
