"""``run_batch``: many runs of one optimizer on one surface at once, final points only.

The runs are split into lane ranges that a shared pool of threads hands to the compiled
kernel (``_batch.batch``, which releases the GIL). The pool rather than Numba's own
``parallel=True``: the kernel stays an ordinary cached function, calls from several
sessions at once are safe by construction (Numba's default threading layer crashed with
concurrent callers), the sessions share the machine's cores instead of each starting its
own set of threads, and progress can be reported between ranges. On the same kernel the
pool measured within about 15% of ``prange`` with the OpenMP layer, either side
(``bench/bench_batch.py``).
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from threading import Lock

import numba
import numpy as np

from . import _batch
from ._prepare import check_number, prepare

MAX_RUNS = 1_000_000  # runs in one call
MAX_TARGETS = 64  # points of the distance criterion
THREADS = max(1, min(numba.config.NUMBA_NUM_THREADS, os.cpu_count() or 1))
_RANGES_PER_THREAD = 4  # lane ranges per thread: balances the load, paces progress reports

_pool = None
_pool_lock = Lock()


@dataclass(frozen=True, eq=False)
class BatchResult:
    """The outcome of each run of a batch (arrays of one entry per run, in input order).

    ``final_xy`` and ``final_loss`` are the point after the last step and its loss (NaN
    for a run that diverged); ``diverged`` says whether it did and ``diverged_at`` at
    which point (``Trajectory.diverged_at``; -1 when it did not). ``converged_step`` is
    the first step ``k`` from which every later point ``x_k, ..., x_T`` meets the
    convergence criterion (``criterion``, in words), -1 when the last point misses it or
    the run diverged. ``unsteady`` counts the steps of the second half of the run (steps
    ``T // 2`` to ``T - 1``) that reversed the previous step's direction (negative dot
    product of the two displacements) or raised the loss.
    """

    surface: str
    optimizer: str
    hyperparameters: dict
    steps: int
    criterion: str
    final_xy: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    converged_step: np.ndarray
    unsteady: np.ndarray

    @property
    def runs(self):
        return self.final_loss.size


def run_batch(
    surface,
    optimizer,
    starts,
    steps,
    lr=None,
    schedule=None,
    *,
    noise_std=0.0,
    seed=0,
    clip_norm=None,
    clip_value=None,
    inner=None,
    tol=1e-6,
    targets=None,
    progress=None,
    max_work=None,
    batch_size=None,
    **hyperparameters,
):
    """Run ``optimizer`` on ``surface`` from each row of ``starts`` (M, 2) for ``steps`` steps.

    The arguments are ``run``'s, and run ``i`` ends where ``run`` with the same inputs
    ends; ``lr`` and every float hyperparameter (each element of ``betas``...) may also be
    an array of M values, one per run. Every run sees the same gradient noise (that of
    ``seed``) and, with ``batch_size``, the same mini-batches. SWA is not offered: only
    final points are kept.

    Convergence (``BatchResult.converged_step``): ``f(x) - f* <= tol`` with ``f*`` the
    surface's minimum value; on surfaces unbounded below (``f* = -inf``) ``|grad f(x)| <=
    tol``; with ``targets`` (K, 2), the distance from ``x`` to the nearest target ``<= tol``.
    ``progress``, if given, is called with the fraction of runs done (0 to 1) as ranges
    of runs finish, in the calling thread. ``max_work`` caps ``runs x steps x cost``, the
    cost of a step being ``step_cost`` plus the surface's ``cost`` beyond 1 (ValueError
    beyond it, before anything runs).

    >>> out = run_batch("himmelblau", "sgd", [(0.0, 0.0), (-1.0, -1.0)], 300, lr=0.01)
    >>> out.final_xy.round(3).tolist(), out.converged_step.tolist()
    ([[3.0, 2.0], [-3.779, -3.283]], [32, 15])
    """
    if "swa_start" in hyperparameters:
        raise ValueError("swa_start is not available in run_batch: it keeps only final points")
    starts = _check_starts(starts)
    prep = prepare(
        surface,
        optimizer,
        steps,
        lr,
        schedule,
        hyperparameters,
        noise_std=noise_std,
        seed=seed,
        clip_norm=clip_norm,
        clip_value=clip_value,
        swa_start=None,
        inner=inner,
        lanes=len(starts),
        batch_size=batch_size,
    )
    criterion, targets, words = _criterion(prep.surface, tol, targets)
    runs = len(starts)
    if max_work is not None:
        _check_work(prep, runs, max_work)
    final = np.empty((runs, 3))  # x, y, loss
    counts = np.empty((runs, 3), dtype=np.int64)  # diverged at, converged from, unsteady

    # one entry per step: the batch kernel takes its step count from the tables
    scale, offset = prep.schedule.full(prep.steps)

    def compute(lo, hi):
        _batch.batch(
            prep.surface.sid,
            prep.surface.kernel_params,
            prep.spec.kernel,
            prep.table,
            prep.state_rows,
            starts,
            scale,
            offset,
            prep.momentum,
            prep.opts,
            criterion,
            targets,
            lo,
            hi,
            final,
            counts,
            prep.order,
        )

    _in_parallel(compute, runs, progress)
    return BatchResult(
        surface=prep.surface.name,
        optimizer=prep.spec.name,
        hyperparameters=prep.values,
        steps=prep.steps,
        criterion=words,
        final_xy=final[:, :2],
        final_loss=final[:, 2],
        diverged=counts[:, 0] >= 0,
        diverged_at=counts[:, 0],
        converged_step=counts[:, 1],
        unsteady=counts[:, 2],
    )


def step_cost(state_rows):
    """The rough cost of one step of a rule with ``state_rows`` rows of state, in steps of
    Adam (4 rows): the rules with long state loop over it every step (L-BFGS its 100
    pairs by default, 305 rows: measured about 120 times slower than Adam; YellowFin its
    window, 27 rows: about 20 times)."""
    return max(1.0, state_rows / 4)


def _check_work(prep, runs, max_work):
    surface = prep.surface
    cost = step_cost(prep.state_rows) + surface.cost - 1.0
    work = runs * prep.steps * cost
    if work > max_work:
        data = f" and {surface.name}'s data" if surface.cost > 1.0 else ""
        raise ValueError(
            f"{prep.spec.name}: {runs} runs x {prep.steps} steps x {cost:g} (the cost of one "
            f"of its steps, from {prep.state_rows} rows of state{data}) = {work:,.0f}; "
            f"allowed: at most {max_work:,} per call (fewer runs or steps)"
        )


def _check_starts(starts):
    try:
        points = np.array(starts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"starts must be an array of (x, y) rows, not {starts!r:.80}") from None
    if points.ndim != 2 or points.shape[1] != 2 or not 1 <= len(points) <= MAX_RUNS:
        raise ValueError(
            f"starts has shape {points.shape}; allowed: (M, 2) with 1 <= M <= {MAX_RUNS}"
        )
    bad = ~np.isfinite(points).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"starts[{row}]={points[row].tolist()} must be finite")
    return np.ascontiguousarray(points)


def _criterion(surf, tol, targets):
    """The kernel's ``[mode, tol, f_target]``, the targets array and the criterion in words."""
    tol = check_number("tol", tol, 0.0, "a number >= 0")
    if targets is not None:
        points = np.array(targets, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or not 1 <= len(points) <= MAX_TARGETS:
            raise ValueError(
                f"targets has shape {points.shape}; allowed: (K, 2) with 1 <= K <= {MAX_TARGETS}"
            )
        if not np.isfinite(points).all():
            raise ValueError("targets must be finite")
        words = f"distance to the nearest target ≤ {tol:g}"
        return np.array([_batch.DISTANCE, tol, 0.0]), np.ascontiguousarray(points), words
    none = np.empty((0, 2))
    if math.isfinite(surf.f_min):
        return np.array([_batch.LOSS, tol, surf.f_min]), none, f"f − f* ≤ {tol:g}"
    return np.array([_batch.GRADIENT, tol, 0.0]), none, f"‖∇f‖ ≤ {tol:g}"


def _in_parallel(compute, runs, progress):
    """``compute(lo, hi)`` over ranges of runs on the shared pool; progress as they finish."""
    per_range = math.ceil(runs / (THREADS * _RANGES_PER_THREAD) / _batch.CHUNK) * _batch.CHUNK
    ranges = [(lo, min(lo + per_range, runs)) for lo in range(0, runs, per_range)]
    if len(ranges) == 1 or THREADS == 1:
        for done, (lo, hi) in enumerate(ranges, start=1):
            compute(lo, hi)
            if progress is not None:
                progress(done / len(ranges))
        return
    futures = [_shared_pool().submit(compute, lo, hi) for lo, hi in ranges]
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            future.result()
            if progress is not None:
                progress(done / len(ranges))
    finally:
        for future in futures:
            future.cancel()  # the ranges not started yet, if progress or a range raised


def _shared_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="gradscape-batch")
        return _pool
