"""A scene's landscape views, run the way the race runs: the chosen racer's basin map,
sweep and learning-rate range test, and auto-tuning every racer.

Each goes from a validated Scene to ``optimizers.landscape`` with the racer's optimizer,
hyperparameters and the scene's schedule, options and step budget. Basin maps and sweeps
are remembered (``scene.cache``) under the settings they depend on, and computed in one
shared ``HEAVY`` pool: a session that passes ``owner`` (its id) waits for its result there,
at most one computation of its own at a time; identical requests share one computation.
Without an owner (the export, tests) the caller computes in its own thread.
"""

import json

import numpy as np

from optimizers import landscape as L

from .cache import Pool, Store
from .run import surface_of, view_box

BASINS = Store(16)
SWEEPS = Store(16)
TUNINGS = Store(16)
RANGE_TESTS = Store(32)
# One heavy computation at a time on a 2-core server: the other core stays for reruns
# (the batch kernels run on Numba threads with the GIL released).
HEAVY = Pool(workers=1, per_owner=1)


def _remember(store, key, compute, progress, owner, what):
    """``store.remember`` in the heavy pool for an ``owner``, in this thread without."""
    if owner is None:
        if progress is None:
            return store.remember(key, lambda: compute(None))
        return store.remember(key, compute, progress=progress)
    submit = HEAVY.submitter(owner, what)
    return store.remember(key, compute, progress=progress or _ignore, submit=submit)


def _ignore(_fraction):
    """A progress report nobody shows."""


def basin_key(scene):
    """What the chosen racer's basin map depends on (not the start, not the colouring)."""
    settings = scene.key("surface", "schedule", "options", "steps")
    return json.dumps([settings, scene.chosen.to_dict(), scene.landscape.grid])


def basin(scene, progress=None, owner=None):
    """The chosen racer's BasinMap over the view, computed once per ``basin_key``.

    ValueError (from the engine's caps) when the grid x steps is too much work; ``Busy``
    (a ValueError) when ``owner`` has a computation in the pool already.
    """

    def compute(progress):
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

    return _remember(BASINS, basin_key(scene), compute, progress, owner, "This basin map")


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
    parts = [settings, racer.name, racer.inner, racer.batch_size, kept, scene.view.tolerance]
    return json.dumps([*parts, param], sort_keys=True)


def sweep(scene, progress=None, owner=None):
    """The chosen racer's Sweep from the scene's start ("off" sweeps lr alone); errors
    as ``basin``'s."""

    def compute(progress):
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

    return _remember(SWEEPS, sweep_key(scene), compute, progress, owner, "This sweep")


def stored_sweep(scene):
    return SWEEPS.get(sweep_key(scene))


def sweep_cell(result, x, y):
    """``(lr, value)`` of the sweep cell nearest to a click at (log10 lr, value)."""
    lr = float(result.lrs[np.argmin(np.abs(np.log10(result.lrs) - x))])
    if result.param is None:
        return lr, None
    return lr, float(result.values[np.argmin(np.abs(result.values - y))])


def range_key(scene):
    """What the chosen racer's range test depends on: not its lr, not the schedule."""
    racer = scene.chosen.to_dict()
    racer["hyper"].pop("lr")
    land = scene.landscape
    settings = scene.key("surface", "options", "start")
    parts = [settings, racer, land.range_min, land.range_max, land.range_steps]
    return json.dumps(parts, sort_keys=True)


def range_test(scene):
    """The chosen racer's learning-rate range test (``optimizers.landscape.lr_range_test``)
    from the scene's start, with its other hyperparameters and the scene's options; the
    test sets the rate of every step itself, so the racer's lr and the schedule play no
    part. One run of at most ``MAX_STEPS`` steps (milliseconds): computed in the caller's
    thread. ValueError when the range is empty (``range_min`` >= ``range_max``)."""

    def compute():
        land = scene.landscape
        settings = scene.engine(scene.chosen)
        del settings["schedule"], settings["lr"]
        return L.lr_range_test(
            surface_of(scene.surface),
            scene.chosen.name,
            scene.start,
            land.range_steps,
            lr_min=land.range_min,
            lr_max=land.range_max,
            **settings,
        )

    return RANGE_TESTS.remember(range_key(scene), compute)


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


def tune(scene, owner=None):
    """One ``landscape.Tuning`` per racer: the same rates, budget, start and settings;
    errors as ``basin``'s."""

    def compute(progress):
        surface = surface_of(scene.surface)
        tunings = []
        for number, racer in enumerate(scene.racers):
            if progress is not None:
                progress(number / len(scene.racers))
            tunings.append(
                L.auto_tune(
                    surface,
                    racer.name,
                    scene.start,
                    scene.steps,
                    tol=scene.view.tolerance,
                    **scene.engine(racer),  # auto-tune replaces lr
                )
            )
        return tunings

    key = scene.key("surface", "racers", "schedule", "options", "start", "steps")
    key += f"|{scene.view.tolerance!r}"
    return _remember(TUNINGS, key, compute, None, owner, "Auto-tune")
