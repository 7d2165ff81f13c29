"""The scene's defaults: the default race, a racer's and a schedule's defaults.

Schedule defaults follow the race: PyTorch's are sized for epochs of training (a 5-step
LinearLR, a 2000-step half-cycle), which in a race of a few hundred steps either end at
once or never start.
"""

import math

import optimizers
import surfaces
from optimizers import schedules

from .model import RELATIVE, STEPS, Racer, Scene, Schedule, SurfaceChoice, plain

SURFACE = "rosenbrock"
INNER = "sgd"  # what a wrapper such as Lookahead wraps unless told
RACERS = (("momentum", {"lr": 0.001}), ("adam", {"lr": 0.05}), ("sgd", {"lr": 0.001}))

# Schedules that set the rates themselves get them relative to each racer's lr: cyclic runs
# from a tenth of the lr up to the lr, one-cycle peaks at the lr. The lr is each racer's
# largest rate, so a racer that is stable at its lr stays stable. Momentum cycling is off:
# each racer keeps its own momentum (plain SGD stays plain), and optimizers with neither
# momentum nor beta1 (Adagrad, Adadelta, Rprop...) can race too.
SETS_LR = {
    "cyclic": {"base_lr": 0.1, "max_lr": 1.0, "cycle_momentum": False, RELATIVE: True},
    "onecycle": {"max_lr": 1.0, "cycle_momentum": False, RELATIVE: True},
}


def scene():
    """The scene a fresh session opens: three racers on Rosenbrock."""
    surface = surfaces.get(SURFACE)
    return Scene(
        surface=surface_choice(surface),
        racers=racers(),
        schedule=Schedule("constant", schedule_params("constant", STEPS.default)),
        start=tuple(surface.default_start),
        steps=STEPS.default,
    )


def racers():
    return tuple(racer(name).with_hyper(**hyper) for name, hyper in RACERS)


def racer(name, inner=None):
    """A racer of optimizer ``name`` (wrapping ``inner``) with its default hyperparameters."""
    inner = inner or (INNER if optimizers.chooses_inner(name) else None)
    controls = optimizers.spec(name, inner or INNER).controls()
    return Racer(name, {param.name: param.default for param in controls}, inner)


def surface_choice(surface):
    """The scene's record of ``surface``: name and parameters, and a typed formula's text
    and domain."""
    if surface.name == "expression":
        return SurfaceChoice(surface.name, dict(surface.params), surface.expression, surface.domain)
    return SurfaceChoice(surface.name, dict(surface.params))


def race_lengths(steps):
    """The defaults that follow a race of ``steps`` steps, by schedule.

    Every decay spans the race and cuts the rate about 100x by its end: step decay by gamma
    0.1 every ceil(steps / 3) steps, multi-step at steps / 3 and 2 steps / 3, exponential
    by ``g = 0.01^(1 / (steps - 1))`` per step; cosine's ``T_max`` and the ``total_iters``
    of linear and polynomial are ``steps`` (so cosine never climbs back); warm restarts
    come every quarter of the race and a cyclical rate makes two cycles (quarters rounded
    up). Reduce on plateau waits a tenth of the race (PyTorch's 10 steps cut the rate of a
    momentum run on Rosenbrock 1000x while it still progressed).
    """
    quarter = -(-steps // 4)  # rounded up: never a fifth, short period at the end
    return {
        "step": {"step_size": -(-steps // 3)},
        "multistep": {"milestones": sorted({max(1, steps // 3), max(2, 2 * steps // 3)})},
        "exponential": {"gamma": hundredfold(steps)},
        "cosine": {"T_max": steps},
        "cosine_restarts": {"T_0": quarter},
        "cyclic": {"step_size_up": quarter},
        "linear": {"total_iters": steps},
        "polynomial": {"total_iters": steps},
        "plateau": {"patience": steps // 10},
    }


def hundredfold(steps):
    """The factor ``g`` with ``g^(steps - 1) = 0.01``, with 1 - g to 3 significant digits."""
    gamma = 0.01 ** (1.0 / max(steps - 1, 1))
    return round(gamma, 2 - math.floor(math.log10(1.0 - gamma)))


def schedule_params(name, steps):
    """Every parameter of schedule ``name`` with the app's default for ``steps`` steps.

    PyTorch's defaults except where ``race_lengths`` and ``SETS_LR`` say otherwise (the
    lengths follow the race; cyclic and one-cycle rates are relative to each racer's lr);
    ``constant`` by default changes nothing.
    """
    out = {key: param.default for key, param in schedules.spec(name).params.items()}
    out.update(race_lengths(steps).get(name, {}), **SETS_LR.get(name, {}))
    return {k: plain(v) for k, v in out.items()}


def follow_steps(schedule, old_steps, new_steps):
    """``schedule`` (a Schedule) for a race of ``new_steps`` steps instead of ``old_steps``.

    A parameter still at its default for ``old_steps`` (not edited: a teacher who sets
    T_max = 200 keeps it) takes its default for ``new_steps``; every other value stays.
    """
    old = schedule_params(schedule.name, old_steps)
    new = schedule_params(schedule.name, new_steps)
    params = {k: new[k] if k in old and v == old[k] else v for k, v in schedule.params.items()}
    return Schedule(schedule.name, params, schedule.warmup_steps)
