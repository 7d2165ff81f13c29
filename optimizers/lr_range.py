"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
Networks", section 3.3; fast.ai's ``lr_find``, one rate per step).

One run whose learning rate grows exponentially from ``lr_min`` to ``lr_max``:
``lr_t = lr_min (lr_max / lr_min)^(t / (steps - 1))`` for steps ``t = 0 .. steps - 1``.
It is one call of the compiled runner, the rates given as its schedule table
(``lr_t = A[t] lr`` with ``lr = lr_min``). ``losses[t]`` is the loss after step ``t``,
the one that rate led to (fast.ai records the loss of the batch before its step; on a
deterministic surface the loss after the step is the rate's own effect).

As fast.ai does, the losses are smoothed by an exponential moving average with bias
correction, ``avg_t = beta avg_{t-1} + (1 - beta) loss_t``, ``smoothed_t = avg_t /
(1 - beta^(t+1))``, ``beta = 0.98``, and the test stops at the first step whose smoothed
loss exceeds 4 times the best so far. The losses are measured above the surface's
minimum value ``f*`` for that rule (fast.ai's losses are >= 0; ``f*`` is 0 on most
surfaces, 3 on Goldstein-Price, negative on some, and on surfaces unbounded below the
rule is off). A non-finite loss, or the run leaving the domain by the runner's escape
factor, is a divergence too.

Suggestions, over the steps recorded (up to and including the divergence):

* **steepest**: the rate where the smoothed loss falls fastest against log(lr), its
  gradient by ``numpy.gradient`` (central differences); none if it never falls;
* **minimum / 10**: the rate of the lowest smoothed loss, divided by 10.
"""

import math
from dataclasses import dataclass

import numpy as np

import surfaces
from parameters import Param

from ._prepare import MAX_SHARED_STEPS, check_number
from .runner import run
from .schedules import Tables

BETA = 0.98  # fast.ai's smoothing of the losses
DIVERGENCE_FACTOR = 4.0  # fast.ai's stop: smoothed loss above 4x its best

STEEPEST_RULE = (
    "the rate where the smoothed loss falls fastest against log(lr) (most negative "
    "gradient of smoothed loss vs log lr, central differences)"
)
STEPS = Param("steps", None, "steps of the range test", low=2, high=MAX_SHARED_STEPS, kind="int")
MINIMUM_RULE = "the rate of the lowest smoothed loss, divided by 10"


@dataclass(frozen=True)
class Suggestion:
    """A suggested learning rate (None when its rule finds none) and the rule, in words."""

    name: str
    lr: float | None
    rule: str


@dataclass(frozen=True, eq=False)
class RangeTest:
    """The outcome of ``lr_range_test``.

    ``rates[t]`` is the rate of step ``t``, ``losses[t]`` the loss after it,
    ``smoothed[t]`` the smoothed loss (module docstring); the arrays end at the
    divergence (``diverged_at``, its index, included) or after ``steps`` steps
    (``diverged_at`` None). ``stop_rule`` says when the test stops, ``suggestions``
    holds the steepest-fall and minimum/10 rates.
    """

    surface: str
    optimizer: str
    start: tuple
    steps: int
    lr_min: float
    lr_max: float
    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    diverged_at: int | None
    stop_rule: str
    suggestions: tuple


def lr_range_test(surface, optimizer, start, steps, lr_min=1e-6, lr_max=10, **hyperparameters):
    """Run ``optimizer`` from ``start`` with its rate growing from ``lr_min`` to ``lr_max``
    over ``steps`` steps (2 to ``MAX_SHARED_STEPS``); a ``RangeTest``.

    ``hyperparameters`` are the optimizer's others and ``run``'s options (``inner``,
    noise, clipping); the range test sets ``lr`` and the schedule itself.

    >>> test = lr_range_test("quadratic", "sgd", (-4.0, 3.0), 200)
    >>> bool(test.rates[test.diverged_at] > 2 / 10)  # above the stable limit 2 / lambda_max
    True
    """
    steps = STEPS.check(steps)
    lr_min = check_number("lr_min", lr_min, 0.0, "a number > 0", open_low=True)
    lr_max = check_number("lr_max", lr_max, lr_min, f"a number > lr_min={lr_min:g}", True)
    for name in ("lr", "schedule"):
        if name in hyperparameters:
            raise ValueError(
                f"{name}={hyperparameters[name]!r} cannot be given: the range test sets the "
                "rate of every step from lr_min to lr_max; allowed: the optimizer's other "
                "hyperparameters and run's options"
            )
    surf = surfaces.get(surface)
    growth = (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    table = Tables(growth, np.zeros(steps), None, None, 0)
    path = run(surf, optimizer, start, steps, lr_min, table, **hyperparameters)
    losses = path.loss[1:]
    smoothed = smooth(losses)
    floor = surf.f_min
    stop = divergence(smoothed, losses, floor, path.diverged_at)
    end = steps if stop is None else stop + 1
    rates, losses, smoothed = path.lr[:end], losses[:end], smoothed[:end]
    return RangeTest(
        surface=surf.name,
        optimizer=path.optimizer,
        start=tuple(path.xy[0].tolist()),
        steps=steps,
        lr_min=lr_min,
        lr_max=lr_max,
        rates=rates,
        losses=losses,
        smoothed=smoothed,
        diverged_at=stop,
        stop_rule=_stop_rule(floor),
        suggestions=suggest(rates, smoothed),
    )


def smooth(losses, beta=BETA):
    """fast.ai's smoothed losses: ``avg_t = beta avg_{t-1} + (1 - beta) loss_t`` from
    ``avg = 0``, divided by ``1 - beta^(t+1)``."""
    out = np.empty(len(losses))
    avg = 0.0
    for t, loss in enumerate(losses.tolist()):
        avg = beta * avg + (1.0 - beta) * loss
        out[t] = avg / (1.0 - beta ** (t + 1))
    return out


def divergence(smoothed, losses, floor, escaped_at=None):
    """The first step whose loss is not finite, whose smoothed loss above ``floor``
    exceeds ``DIVERGENCE_FACTOR`` times the best so far (``floor`` -inf: rule off), or
    that left the domain (``escaped_at``, the runner's diverged point: step
    ``escaped_at - 1``); None when none."""
    bad = ~np.isfinite(losses) | ~np.isfinite(smoothed)
    if math.isfinite(floor):
        excess = smoothed - floor
        best = np.minimum.accumulate(np.where(np.isfinite(excess), excess, np.inf))
        bad |= excess > DIVERGENCE_FACTOR * best
    if escaped_at is not None:
        bad[max(escaped_at - 1, 0) :] = True
    return int(np.argmax(bad)) if bad.any() else None


def suggest(rates, smoothed):
    """The steepest-fall and minimum/10 suggestions over the recorded steps."""
    kept = np.flatnonzero(np.isfinite(smoothed))
    lowest = steepest = None
    if kept.size:
        lowest = float(rates[kept[np.argmin(smoothed[kept])]]) / 10
    if kept.size >= 2:
        slope = np.gradient(smoothed[kept], np.log(rates[kept]))
        if slope.min() < 0.0:
            steepest = float(rates[kept[np.argmin(slope)]])
    return (
        Suggestion("steepest", steepest, STEEPEST_RULE),
        Suggestion("minimum/10", lowest, MINIMUM_RULE),
    )


def _stop_rule(floor):
    if not math.isfinite(floor):
        return (
            "stops at the first non-finite loss or exit from the domain (the surface is "
            "unbounded below, so fast.ai's 4x rule is off)"
        )
    above = "" if floor == 0.0 else f" above f* = {floor:.6g}"
    return (
        f"stops at the first step whose smoothed loss{above} exceeds {DIVERGENCE_FACTOR:g}x "
        "its best so far (fast.ai's rule), or whose loss is not finite, or that leaves the "
        "domain"
    )
