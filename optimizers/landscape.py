"""Landscape maps computed with batches of runs: basins of attraction, hyperparameter
sweeps and a stated learning-rate tuning; and the learning-rate range test (one run,
``lr_range``). Nothing here plots (``viz.landscape_figures``).

Each computation is one ``run_batch`` call, capped so that one request cannot hold a
shared server for long: at most ``MAX_GRID`` x ``MAX_GRID`` starts, ``MAX_SHARED_STEPS`` steps,
``MAX_SWEEP_CELLS`` sweep cells, ``MAX_TUNE_RATES`` learning rates, and ``MAX_WORK`` run
steps (runs x steps, a step of an optimizer with long state counting several: see
``batch.step_cost``) per call.

Sweep regimes, for one run with a step budget T (tested in this order):

* **diverged**: the run diverged (a non-finite value, or it left the domain by the
  runner's escape factor), or it ended higher than it started (``f(x_T) > f(x_0)``: on
  its way out, only slower than the budget);
* **converged**: from some step on, every point met the convergence criterion
  (``f - f* <= tol``; see ``run_batch``);
* **oscillating**: at least ``OSCILLATING_SHARE`` of the steps of the second half
  (``T // 2`` to ``T - 1``) reversed the previous step's direction or raised the loss;
* **too slow**: otherwise: still moving steadily when the budget ran out.
"""

import math
import re
from dataclasses import dataclass

import numpy as np

import surfaces
from surfaces.analysis import explore

from . import registry
from ._prepare import MAX_SHARED_STEPS, check_number, check_start, check_steps
from .batch import run_batch
from .lr_range import RangeTest as RangeTest  # the range test lives with the other maps
from .lr_range import Suggestion as Suggestion
from .lr_range import lr_range_test as lr_range_test
from .specs import check_array

MAX_GRID = 300  # basin map: at most MAX_GRID x MAX_GRID starts
MAX_SWEEP_CELLS = 4096  # sweep: learning rates x values (e.g. 64 x 64)
MAX_TUNE_RATES = 100  # auto_tune: learning rates tried per optimizer
MAX_WORK = 100_000_000  # runs x steps x step cost in one call (about a second or two)

RADIUS_FRACTION = 0.01  # basin map: "reached a minimum" radius, as a fraction of the box diagonal
OSCILLATING_SHARE = 0.25  # sweep: share of unsteady late steps that makes a run oscillating
TUNE_RATES = np.geomspace(1e-4, 10.0, 41)  # auto_tune's default grid: 8 per decade

# Basin labels besides the index of the minimum reached.
DIVERGED = -1
NOT_CONVERGED = -2
LOCAL_MINIMUM = -3  # ended at a minimum the surface does not list (a local one)
MAX_LOCAL_MINIMA = 400  # local minima looked for per basin map (Rastrigin's view has 121)

# Sweep regime codes, in the order of REGIMES.
TOO_SLOW, CONVERGED, OSCILLATING, DIVERGED_REGIME = 0, 1, 2, 3
REGIMES = ("too slow", "converged", "oscillating", "diverged")


# ---------------------------------------------------------------------------- basin map


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where each start of a grid ends up.

    ``labels[i, j]`` (row i: ``ys[i]``, column j: ``xs[j]``) is the index in ``minima`` of
    the minimum the run from ``(xs[j], ys[i])`` reached, ``LOCAL_MINIMUM``, ``DIVERGED``
    or ``NOT_CONVERGED``. A run reached a listed minimum when, from some step on, every
    point stayed within ``radius`` of it; ``steps_to_converge`` is that step (-1 when
    none). ``local_minima`` are the surface's other minima in the box, found numerically;
    a run that ends within ``radius`` of one is labelled ``LOCAL_MINIMUM``. ``criterion``
    says it in words.
    """

    surface: str
    optimizer: str
    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    steps_to_converge: np.ndarray
    minima: tuple
    local_minima: tuple
    radius: float
    steps: int
    criterion: str

    def share(self, label):
        """The fraction of starts with ``label``."""
        return float(np.mean(self.labels == label))


def basin_map(
    surface,
    optimizer,
    steps,
    lr=None,
    schedule=None,
    *,
    size=200,
    box=None,
    radius=None,
    progress=None,
    **options,
):
    """Run ``optimizer`` from every point of a ``size`` x ``size`` grid over ``box``.

    ``surface`` is a Surface (or name); ``box`` defaults to its view ``((xmin, xmax),
    (ymin, ymax))``; ``radius`` (default ``RADIUS_FRACTION`` of the box diagonal) is how
    close to a minimum counts as reaching it. ``options`` are ``run_batch``'s keywords
    (hyperparameters, noise, clipping, ``inner``). The minima that the surface does not
    list (the local minima of Rastrigin, the camels...) are found in the box by
    ``surfaces.analysis.explore``; runs that end at one show as LOCAL_MINIMUM.
    """
    surf = surfaces.get(surface)
    size = _check_count("size", size, 2, MAX_GRID)
    steps = _check_steps(steps)
    (xmin, xmax), (ymin, ymax) = box = _check_box(box if box is not None else surf.view)
    diagonal = math.hypot(xmax - xmin, ymax - ymin)
    if radius is None:
        radius = RADIUS_FRACTION * diagonal
    radius = check_number("radius", radius, 0.0, "a number > 0", open_low=True)
    xs, ys = np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size)
    starts = np.column_stack([np.tile(xs, size), np.repeat(ys, size)])
    minima = np.array(surf.minima, dtype=float).reshape(-1, 2)
    result = run_batch(
        surf,
        optimizer,
        starts,
        steps,
        lr,
        schedule,
        targets=minima if len(minima) else None,
        tol=radius,
        progress=progress,
        max_work=MAX_WORK,
        **options,
    )
    reached = result.converged_step >= 0 if len(minima) else np.zeros(len(starts), bool)
    labels = np.full(len(starts), NOT_CONVERGED, dtype=np.int8)
    if len(minima):
        labels[reached] = _nearest(result.final_xy, minima)[0][reached]
    local = _unlisted_minima(surf, box, minima, radius)
    if len(local):
        gap = _nearest(result.final_xy, local)[1]
        labels[~reached & (gap <= radius)] = LOCAL_MINIMUM
    labels[result.diverged] = DIVERGED
    converged = np.where(reached, result.converged_step, -1)
    criterion = f"stays within {radius:.3g} of a minimum from that step on"
    if len(local):
        criterion += f" (or, for the {len(local)} local minima found, ends within it)"
    return BasinMap(
        surface=surf.name,
        optimizer=result.optimizer,
        xs=xs,
        ys=ys,
        labels=labels.reshape(size, size),
        steps_to_converge=converged.reshape(size, size).astype(np.int32),
        minima=tuple(map(tuple, minima.tolist())),
        local_minima=tuple(map(tuple, local.tolist())),
        radius=radius,
        steps=steps,
        criterion=criterion,
    )


def _nearest(points, targets):
    """For each of ``points`` (M, 2): the index of the nearest of ``targets`` (K, 2), and
    the distance to it."""
    gaps = points[:, None, :] - targets[None, :, :]
    squared = np.einsum("mki,mki->mk", gaps, gaps)
    index = np.argmin(squared, axis=1)
    return index, np.sqrt(squared[np.arange(len(points)), index])


def _unlisted_minima(surface, box, listed, radius):
    """(K, 2): the minima of ``surface`` in ``box`` farther than ``radius`` from every
    listed one, found on a grid and refined with Newton steps."""
    try:
        found = explore(surface, box, candidates=MAX_LOCAL_MINIMA).local_minima
    except ValueError:  # no finite value on the grid: nothing to find
        return np.empty((0, 2))
    found = np.array(found, dtype=float).reshape(-1, 2)
    if len(listed) and len(found):
        found = found[_nearest(found, listed)[1] > radius]
    return found


# ---------------------------------------------------------------------------- sweep


@dataclass(frozen=True, eq=False)
class Sweep:
    """Runs from one start over a grid of learning rates x values of one hyperparameter.

    Arrays are (len(values), len(lrs)): row i is ``values[i]``, column j ``lrs[j]``.
    ``final_loss`` is f at the last point (NaN when diverged), ``converged_step`` the
    step from which f - f* stayed within ``tol`` (-1: never), ``regime`` an index into
    ``REGIMES`` (module docstring). ``param`` is None for a sweep over lr alone.
    """

    surface: str
    optimizer: str
    start: tuple
    steps: int
    param: str | None
    lrs: np.ndarray
    values: np.ndarray
    final_loss: np.ndarray
    f_min: float
    converged_step: np.ndarray
    regime: np.ndarray
    criterion: str


def sweep(
    surface,
    optimizer,
    start,
    steps,
    lrs=None,
    param=None,
    values=None,
    schedule=None,
    *,
    tol=1e-6,
    progress=None,
    **options,
):
    """Final loss, steps to tolerance and regime over ``lrs`` x ``values`` of ``param``.

    ``param`` names a float hyperparameter of ``optimizer`` ("momentum"), or one element
    of a tuple one ("betas[0]"); None sweeps the learning rate alone. ``lrs`` and
    ``values`` default to 32 points over the ranges the app's sliders offer (log-spaced
    where the slider is). ``options`` are ``run_batch``'s other keywords.
    """
    surf = surfaces.get(surface)
    start = check_start(start)
    options = {k: v for k, v in options.items() if k != "lr"}  # lrs replaces it
    spec = registry.get(optimizer, options.get("inner") or "sgd")
    controls = {h.name: h for h in spec.controls()}
    lrs = _grid("lrs", lrs, controls["lr"], None)
    if param is None:
        if values is not None:
            raise ValueError("values go with a param to sweep; pass param=... or values=None")
        name, index, values = None, None, np.array([math.nan])
    else:
        name, index = _parse_param(param, spec, controls)
        values = _grid("values", values, controls[name], index)
    cells = len(lrs) * len(values)
    if cells > MAX_SWEEP_CELLS:
        raise ValueError(
            f"the sweep has {len(values)} x {len(lrs)} = {cells} cells; allowed: at most "
            f"{MAX_SWEEP_CELLS}"
        )
    steps = _check_steps(steps)
    per_run = {"lr": np.tile(lrs, len(values))}
    if name is not None:
        column = np.repeat(values, len(lrs))
        given = options.pop(name, controls[name].default)
        if index is not None:  # the other elements of the tuple as given, or the defaults
            if not isinstance(given, (tuple, list)) or len(given) != controls[name].size:
                raise ValueError(
                    f"{spec.name}: {name}={given!r} must be a pair like {controls[name].default}"
                )
            column = tuple(column if i == index else v for i, v in enumerate(given))
        per_run[name] = column
    result = run_batch(
        surf,
        optimizer,
        np.tile(start, (cells, 1)),
        steps,
        schedule=schedule,
        tol=tol,
        progress=progress,
        max_work=MAX_WORK,
        **options,
        **per_run,
    )
    shape = (len(values), len(lrs))
    return Sweep(
        surface=surf.name,
        optimizer=result.optimizer,
        start=start,
        steps=steps,
        param=param,
        lrs=lrs,
        values=values,
        final_loss=result.final_loss.reshape(shape),
        f_min=surf.f_min,
        converged_step=result.converged_step.reshape(shape),
        regime=regimes(result, surf.f(*start)).reshape(shape),
        criterion=result.criterion,
    )


def regimes(result, start_loss):
    """The regime code (``REGIMES``) of each run of a BatchResult (module docstring);
    ``start_loss`` is f at the start of each run (or of all)."""
    counted = result.steps - result.steps // 2
    out = np.full(result.runs, TOO_SLOW, dtype=np.int8)
    out[result.unsteady >= OSCILLATING_SHARE * counted] = OSCILLATING
    out[result.converged_step >= 0] = CONVERGED
    out[result.diverged | (result.final_loss > start_loss)] = DIVERGED_REGIME
    return out


def _parse_param(param, spec, controls):
    """``(name, index)`` of a sweepable hyperparameter: "momentum" or "betas[0]"."""
    found = re.fullmatch(r"([A-Za-z_]\w*)(?:\[(\d+)\])?", param) if isinstance(param, str) else None
    floats = [h.name for h in controls.values() if h.kind == "float" and h.name != "lr"]
    allowed = ", ".join(
        f"{n}[0..{controls[n].size - 1}]" if controls[n].size > 1 else n for n in floats
    )
    if found is None or found[1] not in floats:
        raise ValueError(
            f"{spec.name}: param={param!r} cannot be swept; allowed: {allowed or 'none'}"
        )
    name, index = found[1], None if found[2] is None else int(found[2])
    size = controls[name].size
    if (size > 1) != (index is not None) or (index is not None and index >= size):
        raise ValueError(f"{spec.name}: param={param!r} must name one element; allowed: {allowed}")
    return name, index


def _grid(label, given, hyper, index):
    """A sweep axis: ``given`` checked against ``hyper`` (element ``index``), or 32 points
    over the slider's range."""
    if given is None:
        low, high = hyper.slider
        return np.geomspace(low, high, 32) if hyper.log else np.linspace(low, high, 32)
    try:
        numbers = np.array(given, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{label}={given!r:.80} must be a list of numbers") from None
    if numbers.size == 0 or (np.ndim(given) != 1):
        raise ValueError(f"{label} must be a non-empty list of numbers, not {given!r:.80}")
    checked = check_array(hyper, label, numbers, index or 0, numbers.size)
    if numbers.size > 1 and not (np.diff(checked) > 0).all():
        raise ValueError(f"{label}={numbers.tolist()!r:.80} must increase")
    if hyper.name == "lr" and not (checked > 0).all():
        raise ValueError(f"{label}={numbers.tolist()!r:.80} must be > 0 (a log axis)")
    return checked


def _check_count(name, value, low, high):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not low <= value <= high
    ):
        raise ValueError(f"{name}={value!r} must be an integer from {low} to {high}")
    return int(value)


def _check_steps(steps):
    """``steps`` checked, and against MAX_SHARED_STEPS (the work is checked by ``run_batch``)."""
    steps = check_steps(steps)
    if steps > MAX_SHARED_STEPS:
        raise ValueError(f"steps={steps} is out of range; allowed: 1 to {MAX_SHARED_STEPS} here")
    return steps


def _check_box(box):
    try:
        (xmin, xmax), (ymin, ymax) = ((float(a), float(b)) for a, b in box)
    except (TypeError, ValueError):
        raise ValueError(f"box={box!r} must be ((xmin, xmax), (ymin, ymax))") from None
    if not all(map(math.isfinite, (xmin, xmax, ymin, ymax))) or xmin >= xmax or ymin >= ymax:
        raise ValueError(f"box={box!r} must be finite with xmin < xmax and ymin < ymax")
    return (xmin, xmax), (ymin, ymax)


# ---------------------------------------------------------------------------- auto-tune


@dataclass(frozen=True, eq=False)
class Tuning:
    """The learning rate ``auto_tune`` chose (None when every run diverged), why
    (``criterion``, one sentence to show), and the runs it compared (one per ``lrs``)."""

    optimizer: str
    lr: float | None
    criterion: str
    lrs: np.ndarray
    final_gap: np.ndarray
    converged_step: np.ndarray
    diverged: np.ndarray


def auto_tune(surface, optimizer, start, steps, lrs=None, schedule=None, *, tol=1e-6, **options):
    """The best learning rate for ``optimizer`` from ``start`` within ``steps`` steps.

    Every rate of ``lrs`` (default ``TUNE_RATES``, the same log grid for every optimizer)
    gets the same budget and the same other settings (``options``: hyperparameters,
    noise, clipping). Best means: the lowest final gap ``f(x_T) - f*`` (``f(x_T)`` on
    surfaces unbounded below), where gaps below ``tol`` count as equal; among equals,
    the fewest steps until ``f - f*`` stays within ``tol``, then the smaller rate. Runs
    that diverge are excluded.
    """
    surf = surfaces.get(surface)
    spec = registry.get(optimizer, options.get("inner") or "sgd")
    lr_hyper = {h.name: h for h in spec.controls()}["lr"]
    lrs = TUNE_RATES if lrs is None else _grid("lrs", lrs, lr_hyper, None)
    if len(lrs) > MAX_TUNE_RATES:
        raise ValueError(f"lrs has {len(lrs)} rates; allowed: at most {MAX_TUNE_RATES}")
    options = {k: v for k, v in options.items() if k != "lr"}  # lrs replaces it
    start = check_start(start)
    steps = _check_steps(steps)
    result = run_batch(
        surf,
        optimizer,
        np.tile(start, (len(lrs), 1)),
        steps,
        lrs,
        schedule,
        tol=tol,
        max_work=MAX_WORK,
        **options,
    )
    bounded = math.isfinite(surf.f_min)
    gap = result.final_loss - (surf.f_min if bounded else 0.0)
    never = np.where(result.converged_step >= 0, result.converged_step, steps + 1)
    order = np.lexsort((lrs, never, np.maximum(gap, tol) if bounded else gap))
    usable = [i for i in order.tolist() if not result.diverged[i]]
    best = float(lrs[usable[0]]) if usable else None
    target = "f(x_T) − f*" if bounded else "f(x_T)"
    criterion = (
        f"lowest {target} after {steps} steps from ({start[0]:.3g}, {start[1]:.3g}) over "
        f"{len(lrs)} learning rates from {lrs[0]:.3g} to {lrs[-1]:.3g} (log grid), the same "
        f"budget and settings for every optimizer; gaps below {tol:g} tie and then the "
        f"fewest steps to {result.criterion} wins; runs that diverge are excluded"
    )
    if best is None:
        criterion += " (every run diverged: no rate chosen)"
    return Tuning(
        optimizer=result.optimizer,
        lr=best,
        criterion=criterion,
        lrs=lrs,
        final_gap=gap,
        converged_step=result.converged_step,
        diverged=result.diverged,
    )
