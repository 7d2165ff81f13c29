"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s keyword names and semantics.

A schedule is a dict: ``{"name": "cosine", "T_max": 100, "warmup_steps": 10}``. It is
stepped once per optimizer step: ``lr[t]`` is the rate step ``t`` (from 0) uses, as in a
PyTorch loop that calls ``scheduler.step()`` after every ``optimizer.step()``.

Every schedule compiles to two tables with ``lr[t] = A[t] * lr + B[t]``: multiplicative
schedules have ``B = 0``; those that set the rate themselves (cyclic, onecycle) have
``A = 0``. One table pair then serves any base rate, which is what a batch of runs with
one learning rate each needs. Cycling schedules also give the momentum (or beta1) for
each step. ``plateau`` depends on the losses, so the kernel applies it while running.

``warmup_steps`` (any schedule) ramps the rate linearly: step ``t < W`` uses
``(t + 1) / W`` of the schedule's first rate, then the schedule starts from its step 0.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import _options as O
from ._kernel import plateau_update


@dataclass(frozen=True)
class Param:
    """A schedule parameter: default (None: required), bounds and meaning."""

    default: object
    help: str
    low: float = -math.inf
    high: float = math.inf
    kind: str = "float"  # "float", "int", "bool", "ints" (milestones) or a tuple of choices


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    title: str
    source: str
    params: dict
    tables: object  # (t: int array, params: dict, steps: int) -> (A, B, momentum or None)
    latex: str = ""
    summary: str = ""
    sets_lr: bool = False  # True when the schedule ignores the optimizer's lr
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Tables:
    """What the kernels read: ``lr[t] = scale[t] * lr + offset[t]``."""

    scale: np.ndarray
    offset: np.ndarray
    momentum: np.ndarray | None
    plateau: dict | None
    warmup: int


def _constant(t, p, steps):
    factor = np.where(t < p["total_iters"], p["factor"], 1.0)
    return factor, np.zeros(t.size), None


def _step(t, p, steps):
    return p["gamma"] ** (t // p["step_size"]), np.zeros(t.size), None


_GAMMA = Param(0.1, "multiplicative factor of decay", low=0.0, high=1.0)

SCHEDULES = {
    spec.name: spec
    for spec in (
        ScheduleSpec(
            "constant",
            "Constant",
            "torch.optim.lr_scheduler.ConstantLR (defaults here: factor 1, no change)",
            {
                "factor": Param(1.0, "multiplies the lr until total_iters", low=0.0, high=1.0),
                "total_iters": Param(0, "steps the factor lasts", low=0, kind="int"),
            },
            _constant,
            latex=r"\gamma_t = \gamma \cdot (\text{factor if } t < \text{total\_iters} \text{ else } 1)",
            summary="The same rate at every step.",
        ),
        ScheduleSpec(
            "step",
            "Step decay",
            "torch.optim.lr_scheduler.StepLR",
            {
                "step_size": Param(None, "period of decay, in steps", low=1, kind="int"),
                "gamma": _GAMMA,
            },
            _step,
            latex=r"\gamma_t = \gamma \cdot \text{gamma}^{\lfloor t / \text{step\_size} \rfloor}",
            summary="Divide the rate by 1/gamma every step_size steps.",
        ),
    )
}

_COMMON = {"warmup_steps": Param(0, "linear warmup steps before the schedule", low=0, kind="int")}


def names():
    """Every schedule name, ``plateau`` included."""
    return list(SCHEDULES)


def spec(name):
    """The ScheduleSpec of ``name``, or ValueError listing the names."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; allowed: {', '.join(SCHEDULES)}")
    return SCHEDULES[name]


def resolve(schedule, steps):
    """``(spec, params)`` with every parameter checked and defaults filled in."""
    if schedule is None:
        schedule = {"name": "constant"}
    if not isinstance(schedule, dict) or "name" not in schedule:
        raise ValueError(f"schedule={schedule!r} must be None or a dict with a 'name'")
    found = spec(schedule["name"])
    allowed = {**found.params, **_COMMON}
    given = {k: v for k, v in schedule.items() if k != "name"}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ValueError(
            f"schedule {found.name!r}: unknown parameter {unknown[0]!r}; "
            f"allowed: {', '.join(allowed)}"
        )
    params = {}
    for key, param in allowed.items():
        if key not in given and param.default is None:
            raise ValueError(f"schedule {found.name!r}: parameter {key!r} is required ({param.help})")
        params[key] = _check(found.name, key, given.get(key, param.default), param)
    return found, params


def _check(schedule, key, value, param):
    where = f"schedule {schedule!r}: {key}={value!r}"
    if isinstance(param.kind, tuple):
        if value not in param.kind:
            raise ValueError(f"{where} is not allowed; allowed: {', '.join(map(str, param.kind))}")
        return value
    if param.kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{where} must be True or False")
        return bool(value)
    if param.kind == "ints":
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1 for v in value
        ) or list(value) != sorted(value):
            raise ValueError(f"{where} must be an increasing list of step numbers >= 1")
        return tuple(int(v) for v in value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{where} is not a number")
    if param.kind == "int" and float(value) != int(value):
        raise ValueError(f"{where} is not an integer")
    if not (math.isfinite(float(value)) and param.low <= value <= param.high):
        bounds = f"{param.low:g} <= {key}" + (f" <= {param.high:g}" if param.high < math.inf else "")
        raise ValueError(f"{where} is out of range; allowed: {bounds}")
    return int(value) if param.kind == "int" else float(value)


def tables(schedule, steps):
    """The kernel's Tables for ``schedule`` over ``steps`` steps."""
    found, params = resolve(schedule, steps)
    warmup = params.pop("warmup_steps")
    t = np.arange(steps)
    inner = np.maximum(t - warmup, 0)
    scale, offset, momentum = found.tables(inner, params, max(steps - warmup, 1))
    scale = np.asarray(scale, dtype=float) * np.ones(steps)
    offset = np.asarray(offset, dtype=float) * np.ones(steps)
    if warmup:
        ramp = np.minimum((t + 1) / warmup, 1.0)
        scale, offset = scale * ramp, offset * ramp
    plateau = params if found.name == "plateau" else None
    return Tables(scale, offset, momentum, plateau, warmup)


def evaluate(schedule, lr, steps, losses=None):
    """The rate of each of ``steps`` steps from base rate ``lr``, for plotting.

    ``plateau`` needs the loss before each step (``losses``, length >= steps); without
    them it is drawn flat.
    """
    table = tables(schedule, steps)
    rates = table.scale * lr + table.offset
    if table.plateau is not None and losses is not None:
        rates = _plateau_rates(table, lr, np.asarray(losses, dtype=float), rates)
    return rates


def _plateau_rates(table, lr, losses, rates):
    # the kernel's own rule, called from Python
    opts = plateau_options(table.plateau)
    state = np.array([np.inf, 0.0, 0.0])
    current = lr
    for t in range(table.warmup, rates.size):
        rates[t] = current
        current = plateau_update(state, losses[t], current, opts)
    return rates


def plateau_options(params):
    """The options-array entries of the plateau rule (full-size array, other slots zero)."""
    opts = np.zeros(O.SIZE)
    if params is None:
        return opts
    opts[O.PLATEAU] = 1.0
    opts[O.PLATEAU_FACTOR] = params["factor"]
    opts[O.PLATEAU_PATIENCE] = params["patience"]
    opts[O.PLATEAU_THRESHOLD] = params["threshold"]
    opts[O.PLATEAU_RELATIVE] = 1.0 if params["threshold_mode"] == "rel" else 0.0
    opts[O.PLATEAU_COOLDOWN] = params["cooldown"]
    opts[O.PLATEAU_MIN_LR] = params["min_lr"]
    opts[O.PLATEAU_EPS] = params["eps"]
    return opts
