"""A scene's landscape views, run the way the race runs: the chosen racer's basin map and
sweep, and auto-tuning every racer.

Each goes from a validated Scene to ``optimizers.landscape`` with the racer's optimizer,
hyperparameters and the scene's schedule, options and step budget. Basin maps and sweeps
are remembered (``scene.cache``) under the settings they depend on.
"""

import json

import numpy as np

from optimizers import landscape as L

from .cache import Store
from .run import surface_of, view_box

BASINS = Store(16)
SWEEPS = Store(16)


def basin_key(scene):
    """What the chosen racer's basin map depends on (not the start, not the colouring)."""
    settings = scene.key("surface", "schedule", "options", "steps")
    return json.dumps([settings, scene.chosen.to_dict(), scene.landscape.grid])


def basin(scene, progress=None):
    """The chosen racer's BasinMap over the view, computed once per ``basin_key``.

    ValueError (from the engine's caps) when the grid x steps is too much work.
    """

    def compute():
        surface = surface_of(scene.surface)
        return L.basin_map(
            surface,
            scene.chosen.name,
            scene.steps,
            size=scene.landscape.grid,
            box=view_box(surface),
            progress=progress,
            **scene.engine(scene.chosen),
        )

    return BASINS.remember(basin_key(scene), compute)


def stored_basin(scene):
    """The basin map of ``scene`` if it was computed already, else None."""
    return BASINS.get(basin_key(scene))


def sweep_key(scene):
    """What the sweep depends on: everything but the swept values themselves."""
    racer = scene.chosen
    kept = {k: v for k, v in racer.to_dict()["hyper"].items() if k != "lr"}
    param = scene.landscape.sweep
    if param not in ("off", "lr"):
        name, position = split_param(param)
        if position is None:
            del kept[name]
        else:  # a pair: the other element still matters
            kept[name] = [None if i == position else v for i, v in enumerate(kept[name])]
    settings = scene.key("surface", "schedule", "options", "start", "steps")
    parts = [settings, racer.name, racer.inner, kept, scene.view.tolerance, param]
    return json.dumps(parts, sort_keys=True)


def sweep(scene, progress=None):
    """The chosen racer's Sweep from the scene's start ("off" sweeps lr alone)."""

    def compute():
        param = scene.landscape.sweep
        settings = scene.engine(scene.chosen)  # the sweep replaces lr and the param
        return L.sweep(
            surface_of(scene.surface),
            scene.chosen.name,
            scene.start,
            scene.steps,
            param=None if param in ("off", "lr") else param,
            tol=scene.view.tolerance,
            progress=progress,
            **settings,
        )

    return SWEEPS.remember(sweep_key(scene), compute)


def stored_sweep(scene):
    return SWEEPS.get(sweep_key(scene))


def sweep_cell(result, x, y):
    """``(lr, value)`` of the sweep cell nearest to a click at (log10 lr, value)."""
    lr = float(result.lrs[np.argmin(np.abs(np.log10(result.lrs) - x))])
    if result.param is None:
        return lr, None
    return lr, float(result.values[np.argmin(np.abs(result.values - y))])


def split_param(param):
    """``("betas", 0)`` for "betas[0]", ``("momentum", None)`` for "momentum"."""
    name, _, element = param.partition("[")
    return name, int(element.rstrip("]")) if element else None


def hyper_value(racer, param):
    """The value of ``param`` ("lr", "betas[0]") in ``racer``'s hyperparameters."""
    name, position = split_param(param)
    value = racer.hyper[name]
    return value if position is None else value[position]


def with_value(racer, param, value):
    """``racer`` with ``param`` ("lr", "momentum", "betas[1]") set to ``value``."""
    name, position = split_param(param)
    if position is not None:
        pair = list(racer.hyper[name])
        pair[position] = value
        value = tuple(pair)
    return racer.with_hyper(**{name: value})


def tune(scene):
    """One ``landscape.Tuning`` per racer: the same rates, budget, start and settings."""
    surface = surface_of(scene.surface)
    return [
        L.auto_tune(
            surface,
            racer.name,
            scene.start,
            scene.steps,
            tol=scene.view.tolerance,
            **scene.engine(racer),  # auto-tune replaces lr
        )
        for racer in scene.racers
    ]
