"""``run``: one optimizer's trajectory on one surface, checked inputs, compiled loop."""

import math
from dataclasses import dataclass

import numpy as np

import surfaces

from . import _options as O
from . import registry, schedules
from ._kernel import trajectory

MAX_STEPS = 1_000_000
# Leaving the domain by this factor of its size (around its centre) counts as divergence.
ESCAPE_FACTOR = 1e3


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of one run.

    ``xy[0]`` is the start and ``xy[t + 1]`` the point after step ``t``; ``loss[t]`` is
    f(xy[t]); ``lr[t]`` the rate step ``t`` used and ``grad[t]`` the exact gradient at
    ``xy[t]`` (before noise and clipping). After a divergence at point ``diverged_at``
    the later rows are NaN. ``swa_xy`` is the running average of the iterates from step
    ``swa_start`` on (None when off).
    """

    surface: str
    optimizer: str
    hyperparameters: dict
    xy: np.ndarray
    loss: np.ndarray
    lr: np.ndarray
    grad: np.ndarray
    diverged_at: int | None
    swa_xy: np.ndarray | None = None

    @property
    def steps(self):
        return self.lr.size


def run(
    surface,
    optimizer,
    start,
    steps,
    lr=None,
    schedule=None,
    *,
    noise_std=0.0,
    seed=0,
    clip_norm=None,
    clip_value=None,
    swa_start=None,
    inner=None,
    **hyperparameters,
):
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``.

    ``surface`` is a name or a Surface; ``optimizer`` a name from ``optimizers.names()``
    whose hyperparameters go as keywords with PyTorch's names (``momentum``, ``betas``...);
    ``lr`` defaults to the optimizer's default. ``schedule`` is None or a dict such as
    ``{"name": "cosine", "T_max": 100}``. Options on any optimizer: Gaussian gradient
    noise ``noise_std`` with ``seed``; clipping by ``clip_norm`` (as
    ``torch.nn.utils.clip_grad_norm_``) or ``clip_value``; ``swa_start`` averages the
    iterates from that step on. ``inner`` picks Lookahead's inner optimizer.

    >>> path = run("rosenbrock", "adam", (-1.5, 2.5), 500, lr=0.05)
    >>> path.xy.shape, path.diverged_at
    ((501, 2), None)
    """
    surf = surfaces.get(surface)
    if inner is not None and optimizer != "lookahead":
        raise ValueError(f"inner={inner!r} goes with optimizer 'lookahead', not {optimizer!r}")
    spec = registry.get(optimizer, inner or "sgd")
    steps = _check_steps(steps)
    start = _check_start(start)
    if lr is not None:
        hyperparameters["lr"] = lr
    values, slots = spec.resolve(hyperparameters)
    table = schedules.tables(schedule, steps)
    opts = _options(surf, spec, values, table, noise_std, seed, clip_norm, clip_value, swa_start)
    # read only when a schedule cycles the momentum
    momentum = table.momentum if table.momentum is not None else np.empty(0)
    if table.momentum is not None:
        opts[O.MOMENTUM_SLOT] = _momentum_slot(spec, schedule)

    xy = np.empty((steps + 1, 2))
    loss = np.empty(steps + 1)
    rates = np.empty(steps)
    grad = np.empty((steps, 2))
    swa = np.empty((steps + 1 if swa_start is not None else 0, 2))
    state = np.zeros((spec.state_rows(values), 2, 1))
    diverged = trajectory(
        surf.sid,
        surf.kernel_params,
        spec.kernel,
        slots.reshape(-1, 1).copy(),
        state,
        np.array(start),
        table.scale,
        table.offset,
        momentum,
        opts,
        xy,
        loss,
        rates,
        grad,
        swa,
    )
    return Trajectory(
        surface=surf.name,
        optimizer=spec.name,
        hyperparameters=values,
        xy=xy,
        loss=loss,
        lr=rates,
        grad=grad,
        diverged_at=None if diverged < 0 else int(diverged),
        swa_xy=swa if swa_start is not None else None,
    )


def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps={steps!r} must be an integer from 1 to {MAX_STEPS}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps={steps!r} is out of range; allowed: 1 to {MAX_STEPS}")
    return int(steps)


def _check_start(start):
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start={start!r} must be a pair of numbers (x, y)") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"start={start!r} must be finite")
    return x, y


def _check_option(name, value, low, allowed, open_low=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name}={value!r} is not a number; allowed: {allowed}")
    if not math.isfinite(value) or value < low or (open_low and value == low):
        raise ValueError(f"{name}={value!r} is out of range; allowed: {allowed}")
    return float(value)


def _options(surf, spec, values, table, noise_std, seed, clip_norm, clip_value, swa_start):
    opts = schedules.plateau_options(table.plateau)
    opts[O.NOISE_STD] = _check_option("noise_std", noise_std, 0.0, "a number >= 0")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**53:
        raise ValueError(f"seed={seed!r} must be an integer from 0 to 2**53 - 1")
    opts[O.SEED] = seed
    if clip_norm is not None:
        opts[O.CLIP_NORM] = _check_option("clip_norm", clip_norm, 0.0, "a number > 0", True)
    if clip_value is not None:
        opts[O.CLIP_VALUE] = _check_option("clip_value", clip_value, 0.0, "a number > 0", True)
    opts[O.SWA_START] = -1
    if swa_start is not None:
        if (
            isinstance(swa_start, bool)
            or not isinstance(swa_start, (int, np.integer))
            or swa_start < 1
        ):
            raise ValueError(f"swa_start={swa_start!r} must be an integer >= 1 (a step number)")
        opts[O.SWA_START] = swa_start
    if spec.lookahead:
        opts[O.LOOKAHEAD_K] = values["k"]
        opts[O.LOOKAHEAD_ALPHA] = values["alpha"]
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
