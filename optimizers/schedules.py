"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s keyword names and semantics.

A schedule is a dict: ``{"name": "cosine", "T_max": 100, "warmup_steps": 10}``. It is
stepped once per optimizer step: ``lr[t]`` is the rate step ``t`` (from 0) uses, as in a
PyTorch loop that calls ``scheduler.step()`` after every ``optimizer.step()``. Parameters
have PyTorch's names and defaults (``constant`` excepted: by default it changes nothing);
the formulas and the catalogue are in ``schedule_formulas``.

Every schedule compiles to two tables with ``lr[t] = A[t] * lr + B[t]``: multiplicative
schedules have ``B = 0`` (cosine's ``eta_min`` adds a ``B``); those that set the rate
themselves (cyclic, onecycle) have ``A = 0``. One table pair then serves any base rate,
which is what a batch of runs with one learning rate each needs. Cycling schedules
(cyclic, onecycle with ``cycle_momentum``) also give the momentum, or Adam's beta1, of
each step; the runner raises ValueError for an optimizer with neither, as PyTorch does.
``plateau`` depends on the losses, so the kernel applies it while running.

``warmup_steps`` (any schedule) ramps the rate linearly: step ``t < W`` uses
``(t + 1) / W`` of the schedule's first rate, then the schedule starts from its step 0
(a one-cycle's ``total_steps`` defaults to the steps after warmup). During warmup a
cycling schedule holds the momentum at its first value (``max_momentum``), and
``plateau`` neither watches the loss nor changes the rate: it starts from the
optimizer's lr at step ``W``. In PyTorch's terms the warmup is
``SequentialLR([LinearLR(opt, 1 / W, 1.0, W - 1), scheduler], milestones=[W])`` whenever
the schedule starts from the group's lr (the goldens check it).
"""

from dataclasses import dataclass

import numpy as np

from parameters import Param

from ._plateau import plateau_options, plateau_update
from .schedule_formulas import SCHEDULES, WARMUP, WARMUP_LATEX, WARMUP_SYMBOLS, ScheduleSpec

_COMMON = {"warmup_steps": WARMUP}

__all__ = [
    "SCHEDULES",
    "WARMUP_LATEX",
    "WARMUP_SYMBOLS",
    "Param",
    "ScheduleSpec",
    "Tables",
    "evaluate",
    "names",
    "resolve",
    "spec",
    "tables",
]


@dataclass(frozen=True)
class Tables:
    """What the kernels read: ``lr[t] = scale[t] * lr + offset[t]``.

    ``scale`` and ``offset`` may be shorter than the run: later steps use their last entry.
    """

    scale: np.ndarray
    offset: np.ndarray
    momentum: np.ndarray | None
    plateau: dict | None
    warmup: int

    def full(self, steps):
        """``(scale, offset)`` with an entry for each of ``steps`` steps."""
        held = np.minimum(np.arange(steps), self.scale.size - 1)
        return self.scale[held], self.offset[held]

    def rates(self, lr, steps):
        """The learning rate of each of ``steps`` steps from base rate ``lr``."""
        scale, offset = self.full(steps)
        return scale * lr + offset


def names():
    """Every schedule name, ``plateau`` included."""
    return list(SCHEDULES)


def spec(name):
    """The ScheduleSpec of ``name``, or ValueError listing the names."""
    if not isinstance(name, str) or name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; allowed: {', '.join(SCHEDULES)}")
    return SCHEDULES[name]


def resolve(schedule, steps=None):
    """``(spec, params)`` with every parameter checked and defaults filled in.

    ``steps`` (the run's length, warmup included) fills in a one-cycle's ``total_steps``
    and checks it; without it those are left for ``tables``.
    """
    if schedule is None:
        schedule = {"name": "constant"}
    if not isinstance(schedule, dict) or "name" not in schedule:
        raise ValueError(f"schedule={schedule!r} must be None or a dict with a 'name'")
    found = spec(schedule["name"])
    allowed = {**found.params, **_COMMON}
    given = {k: v for k, v in schedule.items() if k != "name"}
    unknown = sorted(set(given) - set(allowed), key=str)
    if unknown:
        raise ValueError(
            f"schedule {found.name!r}: unknown parameter {unknown[0]!r}; "
            f"allowed: {', '.join(allowed)}"
        )
    params = {}
    owner = f"schedule {found.name!r}"
    for key, param in allowed.items():
        if param.required and given.get(key) is None:
            raise ValueError(
                f"{owner}: parameter {key!r} is required ({param.help}); allowed: {param.allowed()}"
            )
        params[key] = param.check(given.get(key, param.default), owner)
    inner = None if steps is None else max(steps - params["warmup_steps"], 1)
    if "total_steps" in params and params["total_steps"] is None and inner is not None:
        params["total_steps"] = inner
    if found.check is not None:
        found.check(params, inner)
    return found, params


def tables(schedule, steps):
    """The kernel's Tables for ``schedule`` over ``steps`` steps.

    A schedule that settles (constant, linear, polynomial, plateau) gets tables that end
    where it does: ``rates`` repeats their last entry, and so does the kernel.
    """
    found, params = resolve(schedule, steps)
    warmup = params.pop("warmup_steps")
    length = steps if found.settles is None else min(steps, warmup + found.settles(params) + 1)
    t = np.arange(length)
    inner = np.maximum(t - warmup, 0) if warmup else t
    scale, offset, momentum = found.tables(inner, params, max(steps - warmup, 1))
    scale, offset = _full_length(scale, length), _full_length(offset, length)
    if momentum is not None:
        momentum = np.ascontiguousarray(momentum, dtype=float)
    if warmup:
        ramp = np.minimum((t + 1) / warmup, 1.0)
        scale, offset = scale * ramp, offset * ramp
    plateau = params if found.name == "plateau" else None
    return Tables(scale, offset, momentum, plateau, warmup)


def _full_length(values, steps):
    """``values`` as a writable contiguous float array of ``steps`` entries."""
    values = np.asarray(values, dtype=float)
    if values.shape == (steps,):
        return np.ascontiguousarray(values)
    return np.broadcast_to(values, steps).copy()  # a broadcast view is read-only


def evaluate(schedule, lr, steps, losses=None):
    """The rate of each of ``steps`` steps from base rate ``lr``, for plotting.

    Equal to ``run(...).lr`` for the same schedule and lr. ``plateau`` needs the loss
    before each step (``losses``, length >= steps, e.g. ``run(...).loss``); without them
    it is drawn flat.
    """
    table = tables(schedule, steps)
    rates = table.rates(lr, steps)
    if table.plateau is not None and losses is not None:
        losses = np.asarray(losses, dtype=float)
        if losses.ndim != 1 or losses.size < steps:
            raise ValueError(f"losses must be a list of at least steps={steps} numbers")
        rates = _plateau_rates(table, lr, losses, rates)
    return rates


def _plateau_rates(table, lr, losses, rates):
    # the kernel's own rule, called from Python
    opts = plateau_options(table.plateau)
    state = np.array([np.inf, 0.0, 0.0])
    current = float(lr)
    for t in range(table.warmup, rates.size):
        rates[t] = current
        current = plateau_update(state, losses[t], current, opts)
    return rates
