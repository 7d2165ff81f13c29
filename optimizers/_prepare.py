"""Checked inputs for the compiled runners: what ``run`` and ``run_batch`` share.

``prepare`` validates a call and turns it into the arrays the kernels read: the surface,
the optimizer's spec and hyperparameter table, the schedule's tables and the options
array (see ``_options``). One lane is one run: ``run`` prepares one, ``run_batch`` many.
"""

import math
from dataclasses import dataclass

import numpy as np

import surfaces

from . import _options as O
from . import minibatch, registry, schedules
from ._plateau import plateau_options

MAX_STEPS = 1_000_000  # steps of one run or batch: a guard on memory (1e6 rows per output)
# Steps of one run where a shared server computes on request: the landscape maps, and the
# cap the app's scenes should take their steps from.
MAX_SHARED_STEPS = 5000
# Leaving the domain by this factor of its size (around its centre) counts as divergence.
ESCAPE_FACTOR = 1e3


@dataclass(frozen=True, eq=False)
class Prepared:
    """Everything a kernel call needs besides the start points and the outputs.

    ``table`` holds the hyperparameter slots, one column per lane; ``momentum`` the
    per-step momentum of a cycling schedule (empty when none cycles it). ``batch_size``
    is the mini-batch size (None: the full batch) and ``order`` the epochs' permutations
    the kernels cut batches from (``minibatch``; empty for the full batch).
    """

    surface: surfaces.Surface
    spec: object
    values: dict
    table: np.ndarray
    schedule: schedules.Tables
    momentum: np.ndarray
    opts: np.ndarray
    steps: int
    batch_size: int | None
    order: np.ndarray

    @property
    def state_rows(self):
        return self.spec.state_rows(self.values)


def prepare(
    surface,
    optimizer,
    steps,
    lr,
    schedule,
    hyperparameters,
    *,
    noise_std,
    seed,
    clip_norm,
    clip_value,
    swa_start,
    inner,
    lanes=None,
    batch_size=None,
):
    """Checked ``Prepared`` inputs; ValueError naming the first bad one.

    ``lanes`` (a batch's number of runs) lets each float hyperparameter be an array of one
    value per run (see ``OptimizerSpec.resolve_lanes``); without it there is one lane.
    ``batch_size`` draws mini-batches of a surface made from data (``minibatch``).
    """
    surf = surfaces.get(surface)
    if inner is not None and not registry.chooses_inner(optimizer):
        takes = " or ".join(repr(n) for n in registry.names() if registry.chooses_inner(n))
        raise ValueError(f"inner={inner!r} goes with optimizer {takes}, not {optimizer!r}")
    spec = registry.get(optimizer, inner or "sgd")
    steps = check_steps(steps)
    hyperparameters = dict(hyperparameters)
    if lr is not None:
        hyperparameters["lr"] = lr
    if lanes is None:
        values, slots = spec.resolve(hyperparameters)
        table = slots.reshape(-1, 1).copy()
    else:
        values, table = spec.resolve_lanes(hyperparameters, lanes)
    if isinstance(schedule, schedules.Tables):  # made by the caller (the range test)
        tables = schedule
    else:
        tables = schedules.tables(schedule, steps)
    opts = _options(surf, spec, values, tables, noise_std, seed, clip_norm, clip_value, swa_start)
    # read only when a schedule cycles the momentum
    momentum = tables.momentum if tables.momentum is not None else np.empty(0)
    if tables.momentum is not None:
        opts[O.MOMENTUM_SLOT] = _momentum_slot(spec, schedule)
    batch_size = minibatch.check_batch_size(surf, batch_size)
    order = minibatch.batch_order(surf, batch_size, steps, seed)
    opts[O.BATCH_SIZE] = batch_size if order.size else 0  # None or all n: the full batch
    return Prepared(surf, spec, values, table, tables, momentum, opts, steps, batch_size, order)


def check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps={steps!r} must be an integer from 1 to {MAX_STEPS}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps={steps!r} is out of range; allowed: 1 to {MAX_STEPS}")
    return int(steps)


def check_start(start):
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start={start!r} must be a pair of numbers (x, y)") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"start={start!r} must be finite")
    return x, y


def check_number(name, value, low, allowed, open_low=False):
    """``value`` as a float if it is a finite number >= ``low`` (> with ``open_low``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name}={value!r} is not a number; allowed: {allowed}")
    if not math.isfinite(value) or value < low or (open_low and value == low):
        raise ValueError(f"{name}={value!r} is out of range; allowed: {allowed}")
    return float(value)


def _options(surf, spec, values, table, noise_std, seed, clip_norm, clip_value, swa_start):
    opts = plateau_options(table.plateau)
    opts[O.NOISE_STD] = check_number("noise_std", noise_std, 0.0, "a number >= 0")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**53:
        raise ValueError(f"seed={seed!r} must be an integer from 0 to 2**53 - 1")
    opts[O.SEED] = seed
    if clip_norm is not None:
        opts[O.CLIP_NORM] = check_number("clip_norm", clip_norm, 0.0, "a number > 0", True)
    if clip_value is not None:
        opts[O.CLIP_VALUE] = check_number("clip_value", clip_value, 0.0, "a number > 0", True)
    opts[O.SWA_START] = -1
    if swa_start is not None:
        if (
            isinstance(swa_start, bool)
            or not isinstance(swa_start, (int, np.integer))
            or swa_start < 1
        ):
            raise ValueError(f"swa_start={swa_start!r} must be an integer >= 1 (a step number)")
        opts[O.SWA_START] = swa_start
    if spec.wraps is not None:  # Lookahead around spec.wraps
        opts[O.LOOKAHEAD_K] = values["k"]
        opts[O.LOOKAHEAD_ALPHA] = spec.slot_index("alpha")
    opts[O.MOMENTUM_SLOT] = -1
    opts[O.WARMUP] = table.warmup
    (xmin, xmax), (ymin, ymax) = surf.domain
    for lo, hi, (low_slot, high_slot) in (
        (xmin, xmax, (O.BOUND_XMIN, O.BOUND_XMAX)),
        (ymin, ymax, (O.BOUND_YMIN, O.BOUND_YMAX)),
    ):
        centre, half = (lo + hi) / 2, (hi - lo) / 2 * ESCAPE_FACTOR
        opts[low_slot], opts[high_slot] = centre - half, centre + half
    return opts


def _momentum_slot(spec, schedule):
    if spec.momentum_slot is None:
        raise ValueError(
            f"schedule {schedule['name']!r} cycles the momentum, but {spec.name} has no "
            "momentum or betas; pass cycle_momentum=False"
        )
    return spec.slot_index(spec.momentum_slot)
