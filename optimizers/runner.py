"""``run``: one optimizer's trajectory on one surface, checked inputs, compiled loop."""

from dataclasses import dataclass

import numpy as np

from . import minibatch
from ._kernel import trajectory
from ._prepare import MAX_STEPS, check_start, prepare
from .recording import Recorded, named_state, record_block, recorded_rows

__all__ = ["MAX_STEPS", "Trajectory", "run"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of one run.

    ``xy[0]`` is the start and ``xy[t + 1]`` the point after step ``t``; ``loss[t]`` is
    f(xy[t]); ``lr[t]`` the rate step ``t`` used and ``grad[t]`` the exact gradient at
    ``xy[t]`` (before noise and clipping). After a divergence at point ``diverged_at``
    the later rows are NaN. ``swa_xy`` is the running average of the iterates from step
    ``swa_start`` on (None when off). ``state`` (with ``record_state=True``, else None)
    holds the optimizer's state after each step by name (``optimizers.recording``; the
    names and their meaning are in ``spec(optimizer).state``), plus ``update``.
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
    state: dict | None = None
    batch_size: int | None = None
    batch_loss: np.ndarray | None = None
    epoch_starts: np.ndarray | None = None

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
    record_state=False,
    batch_size=None,
    **hyperparameters,
):
    """Run ``optimizer`` on ``surface`` for ``steps`` steps from ``start``.

    ``surface`` is a name or a Surface; ``optimizer`` a name from ``optimizers.names()``
    whose hyperparameters go as keywords with PyTorch's names (``momentum``, ``betas``...);
    ``lr`` defaults to the optimizer's default. ``schedule`` is None or a dict such as
    ``{"name": "cosine", "T_max": 100}`` (or ``schedules.Tables`` made by the caller, as
    the learning-rate range test makes its exponential rates). Options on any optimizer:
    Gaussian gradient noise ``noise_std`` with ``seed``; clipping by ``clip_norm`` (as
    ``torch.nn.utils.clip_grad_norm_``) or ``clip_value``; ``swa_start`` averages the
    iterates from that step on. ``inner`` picks Lookahead's inner optimizer.
    ``record_state=True`` fills ``Trajectory.state``: one array per state name, one row
    per step (a median 1.2x the time of a plain run at the app's 5000 steps; nothing when
    off).
    ``batch_size`` (a surface made from data only; None: the full batch) makes each
    step's gradient the mean over one mini-batch, drawn as ``minibatch`` says from
    ``numpy.random.default_rng(seed)``: ``seed`` seeds both the batches and the noise.

    >>> path = run("rosenbrock", "adam", (-1.5, 2.5), 500, lr=0.05)
    >>> path.xy.shape, path.diverged_at
    ((501, 2), None)
    """
    start = check_start(start)
    if not isinstance(record_state, bool):
        raise ValueError(f"record_state={record_state!r} must be True or False")
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
        swa_start=swa_start,
        inner=inner,
        batch_size=batch_size,
    )
    steps = prep.steps
    xy, loss, rates, grad = _step_outputs(steps)
    swa = np.empty((steps + 1 if swa_start is not None else 0, 2))
    entries = prep.spec.state
    lookahead = prep.spec.wraps is not None
    rows = recorded_rows(entries, prep.values) + lookahead if record_state else 0
    record, derived = record_block(rows, steps if record_state else 0)
    batch_loss = np.empty(steps if prep.order.size else 0)
    diverged = trajectory(
        prep.surface.sid,
        prep.surface.kernel_params,
        prep.spec.kernel,
        prep.table,
        np.zeros((prep.state_rows, 2, 1)),
        np.array(start),
        prep.schedule.scale,
        prep.schedule.offset,
        prep.momentum,
        prep.opts,
        xy,
        loss,
        rates,
        grad,
        swa,
        record,
        prep.order,
        batch_loss,
    )
    state = None
    if record_state:
        if diverged >= 0:
            record[:, diverged:] = np.nan  # the steps after the diverged point never ran
        slow = record[-1] if lookahead else None
        recorded = Recorded(record, slow, rates, steps, prep.values, derived[1])
        state = named_state(entries, recorded, xy, derived[0])
    return Trajectory(
        surface=prep.surface.name,
        optimizer=prep.spec.name,
        hyperparameters=prep.values,
        xy=xy,
        loss=loss,
        lr=rates,
        grad=grad,
        diverged_at=None if diverged < 0 else int(diverged),
        swa_xy=swa if swa_start is not None else None,
        state=state,
        **_batch_outputs(prep, loss, batch_loss),
    )


def _step_outputs(steps):
    """``(xy, loss, lr, grad)`` of a run of ``steps`` steps: C-contiguous views of one block.

    One allocation instead of four: where glibc's threshold for mapping large blocks
    apart moves (its default), a long run's block goes back to the heap and serves the
    next run of that length, where four separate arrays were returned to the system and
    their pages faulted in again on every run (a third of the time of a 200k-step run of
    Adam on Rosenbrock). The app's server fixes that threshold (``scene.cache``), so
    there a long run's block is mapped apart and given back, as it should for memory.
    """
    block = np.empty(6 * steps + 3)
    xy_end, loss_end = 2 * (steps + 1), 3 * (steps + 1)
    return (
        block[:xy_end].reshape(steps + 1, 2),
        block[xy_end:loss_end],
        block[loss_end : loss_end + steps],
        block[loss_end + steps :].reshape(steps, 2),
    )


def _batch_outputs(prep, loss, batch_loss):
    """The Trajectory's mini-batch fields (None on an analytic surface)."""
    if prep.surface.data is None:
        return {}
    n = minibatch.samples(prep.surface)
    return {
        "batch_size": prep.batch_size,
        "batch_loss": batch_loss if batch_loss.size else loss[:-1].copy(),
        "epoch_starts": minibatch.epoch_starts(n, prep.batch_size, prep.steps),
    }
