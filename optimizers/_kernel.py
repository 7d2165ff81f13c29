"""The compiled runner: one trajectory, every option, any surface and optimizer by id.

Per step ``t`` (from 0): gradient at the current point (of step ``t``'s mini-batch when
``opts[BATCH_SIZE]`` is set: ``minibatch``), then the stochastic-gradient
options (noise, then clipping), then the learning rate ``A[t] * lr + B[t]`` (or the
plateau rule's), then the update rule, then Lookahead's synchronisation and the SWA
average, then (``record_state``) a copy of the state. Computing stops at the first
non-finite value or exit from the bounding box.

Each rule has a kernel for every surface (``TRAJECTORIES``), and, made on demand, one per
surface (``specialised``): a fresh server's first pages prepare and run those, which
compile in a third of the time, until its warm-up has filled the disk cache.
"""

import math

import numpy as np

from surfaces import _dispatch as surface
from surfaces._jit import in_use, inline, inner, preferred

from . import _options as O
from ._dispatch import per_rule, rule_kernel
from ._noise import gaussian
from ._plateau import plateau_update as _plateau_rule
from .minibatch import load_batch
from .specs import LR_SLOT

# ReduceLROnPlateau's step, compiled into the loops (``_plateau`` has it in plain Python).
plateau_update = inline(_plateau_rule)


@inner
def gradient_noise(opts, t):
    """The Gaussian noise added to step ``t``'s gradient (the same for every lane)."""
    std = opts[O.NOISE_STD]
    seed = np.int64(opts[O.SEED])
    return std * gaussian(seed, t, 0), std * gaussian(seed, t, 1)


@inner
def clipped(gx, gy, clip, max_norm):
    """The gradient clipped to ``[-clip, clip]`` per component, then to norm ``max_norm``
    (each off at 0). Scalar arguments, so that lane loops calling it vectorize."""
    if clip > 0.0:
        gx = min(max(gx, -clip), clip)
        gy = min(max(gy, -clip), clip)
    if max_norm > 0.0:
        # torch.nn.utils.clip_grad_norm_: always scaled by min(1, max_norm / (norm + 1e-6))
        scale = min(max_norm / (math.sqrt(gx * gx + gy * gy) + 1e-6), 1.0)
        gx *= scale
        gy *= scale
    return gx, gy


@inner
def stochastic_gradient(gx, gy, opts, t):
    """The gradient the optimizer sees: noise added, then clipped (value, then norm)."""
    if opts[O.NOISE_STD] > 0.0:
        nx, ny = gradient_noise(opts, t)
        gx += nx
        gy += ny
    return clipped(gx, gy, opts[O.CLIP_VALUE], opts[O.CLIP_NORM])


@inner
def escape_box(opts):
    """``(xmin, xmax, ymin, ymax)``: leaving this box counts as divergence."""
    return opts[O.BOUND_XMIN], opts[O.BOUND_XMAX], opts[O.BOUND_YMIN], opts[O.BOUND_YMAX]


@inner
def escaped(x, y, f, box):
    """True once the point or its loss is non-finite or outside ``box`` (``escape_box``).

    Scalars only and no branches (NaN fails every comparison), so lane loops vectorize.
    """
    xmin, xmax, ymin, ymax = box
    inside = (xmin <= x) & (x <= xmax) & (ymin <= y) & (y <= ymax)
    return not (inside & (abs(f) < math.inf))


@inline
def _blank_after(k, xy, loss, lr_used, grad, swa, batch_loss):
    """NaN in every row after the diverged point ``k`` (and in the steps not taken)."""
    xy[k + 1 :] = np.nan
    loss[k + 1 :] = np.nan
    lr_used[k:] = np.nan
    grad[k:] = np.nan
    swa[k + 1 :] = np.nan
    batch_loss[k:] = np.nan


def _trajectory_loop(rule, formulas):
    """The single-trajectory loop with the update rule ``rule`` built in, evaluating the
    surface by ``formulas`` (``surfaces._dispatch``, or its ``only(sid)``)."""

    def loop(
        sid, sp, H, S, start, A, B, M, opts, xy, loss, lr_used, grad, swa, record, order, batch_loss
    ):
        steps = xy.shape[0] - 1
        lookahead_k = np.int64(opts[O.LOOKAHEAD_K])
        # state rows copied (then, with Lookahead, the slow weights); a record too small
        # for the run turns recording off rather than write outside it
        recorded = min(record.shape[0] - (lookahead_k > 0), S.shape[0])
        recording = recorded >= 0 and record.shape[1] >= steps and steps > 0
        last = A.shape[0] - 1  # a settled schedule's table ends early; its last entry holds
        P = np.empty((2, 1))
        P[0, 0], P[1, 0] = start[0], start[1]
        G = np.empty((2, 1))
        LR = np.empty(1)
        slow = P.copy()
        plateau = np.array([np.inf, 0.0, 0.0])
        plateau_lr = H[LR_SLOT, 0]
        warmup = np.int64(opts[O.WARMUP])
        momentum_slot = np.int64(opts[O.MOMENTUM_SLOT])
        lookahead_alpha = np.int64(opts[O.LOOKAHEAD_ALPHA])
        swa_start = np.int64(opts[O.SWA_START])
        swa_count = 0
        plateau_on = opts[O.PLATEAU] != 0.0
        # noise or clipping: off in most runs, so the whole call is skipped then
        shaped = opts[O.NOISE_STD] > 0.0 or opts[O.CLIP_VALUE] > 0.0 or opts[O.CLIP_NORM] > 0.0
        box = escape_box(opts)
        batch_size = np.int64(opts[O.BATCH_SIZE])
        bsp = sp.copy()  # the surface of this step's mini-batch (of every sample: sp itself)
        xy[0, 0], xy[0, 1] = start[0], start[1]
        loss[0] = formulas.value(sid, sp, start[0], start[1])
        if swa_start >= 0:
            swa[: min(swa_start, steps + 1)] = np.nan
        if escaped(start[0], start[1], loss[0], box):
            _blank_after(0, xy, loss, lr_used, grad, swa, batch_loss)
            return 0
        for t in range(steps):
            if batch_size > 0:
                load_batch(t, sp, order, batch_size, bsp)
                batch_loss[t] = formulas.value_out_of_line(sid, bsp, P[0, 0], P[1, 0])
            gx, gy = formulas.gradient_inlined(sid, bsp, P[0, 0], P[1, 0])
            grad[t, 0], grad[t, 1] = gx, gy
            if shaped:
                gx, gy = stochastic_gradient(gx, gy, opts, t)
            G[0, 0], G[1, 0] = gx, gy
            use_plateau = plateau_on and t >= warmup
            k = min(t, last)
            LR[0] = plateau_lr if use_plateau else A[k] * H[LR_SLOT, 0] + B[k]
            lr_used[t] = LR[0]
            if momentum_slot >= 0:
                H[momentum_slot, 0] = M[t]
            rule(P, G, S, H, LR, t + 1, sid, bsp)
            if lookahead_k > 0 and (t + 1) % lookahead_k == 0:
                alpha = H[lookahead_alpha, 0]
                for i in range(2):
                    slow[i, 0] += alpha * (P[i, 0] - slow[i, 0])
                    P[i, 0] = slow[i, 0]
            x, y = P[0, 0], P[1, 0]
            xy[t + 1, 0], xy[t + 1, 1] = x, y
            if recording:
                for r in range(recorded):
                    record[r, t, 0], record[r, t, 1] = S[r, 0, 0], S[r, 1, 0]
                if lookahead_k > 0:
                    record[recorded, t, 0], record[recorded, t, 1] = slow[0, 0], slow[1, 0]
            loss[t + 1] = formulas.value_inlined(sid, sp, x, y)
            if swa_start >= 0 and t + 1 >= swa_start:
                swa_count += 1
                if swa_count == 1:
                    swa[t + 1, 0], swa[t + 1, 1] = x, y
                else:
                    swa[t + 1, 0] = swa[t, 0] + (x - swa[t, 0]) / swa_count
                    swa[t + 1, 1] = swa[t, 1] + (y - swa[t, 1]) / swa_count
            if use_plateau:
                plateau_lr = plateau_update(plateau, loss[t], plateau_lr, opts)
            if escaped(x, y, loss[t + 1], box):
                _blank_after(t + 1, xy, loss, lr_used, grad, swa, batch_loss)
                return t + 1
        return -1

    return loop


_SIGNATURE = (
    "int64(int64, float64[::1], float64[:, ::1], float64[:, :, ::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[:, ::1], float64[::1], float64[::1], float64[:, ::1], float64[:, ::1],"
    " float64[:, :, ::1], int64[::1], float64[::1])"
)
# The trajectory kernel of each update rule, for every surface, by kernel id.
TRAJECTORIES = per_rule(lambda rule: _trajectory_loop(rule, surface), _SIGNATURE, "trajectory")
MISSING = -2  # trajectory's answer for an unknown kernel id

_SPECIALISED = {}


def specialised(kid, sid):
    """Rule ``kid``'s trajectory kernel for surface ``sid`` alone (made once)."""
    if (kid, sid) not in _SPECIALISED:
        made = rule_kernel(
            kid,
            lambda rule: _trajectory_loop(rule, surface.only(sid)),
            _SIGNATURE,
            "trajectory",
            (sid, surface.surface_title(sid)),
        )
        made.address = f"trajectory:{kid}:{sid}"
        made.general = TRAJECTORIES[kid]
        _SPECIALISED.setdefault((kid, sid), made)
    return _SPECIALISED[(kid, sid)]


def trajectory_to_prepare(kid, sid):
    """The kernel of rule ``kid`` a page on surface ``sid`` prepares (``preferred``): the
    rule's kernel for every surface, or its ``specialised`` one while the cache lacks it."""
    return preferred(TRAJECTORIES[kid], lambda: specialised(kid, sid))


def trajectory_kernel(kid, sid):
    """The kernel a run of rule ``kid`` on surface ``sid`` uses (``in_use``)."""
    return in_use(TRAJECTORIES[kid], _SPECIALISED.get((kid, sid)))


def trajectory(
    sid, sp, kid, H, S, start, A, B, M, opts, xy, loss, lr_used, grad, swa, record, order, batch_loss
):
    """Run ``loss.size - 1`` steps of rule ``kid`` from ``start``, filling every output row.

    ``swa`` has ``steps + 1`` rows when SWA is on (NaN before ``swa_start``), else none.
    ``record`` (R, steps, 2), or (R + 1, steps, 2) with Lookahead, receives after each
    step ``t`` the first R rows of the state ``S`` (``record[r, t]``) and Lookahead's slow
    weights (``record[R, t]``); it is off when it has fewer than ``steps`` columns, e.g.
    shape (0, 0, 2) (steps after a divergence are left unwritten).
    With mini-batches (``opts[BATCH_SIZE] > 0``) step ``t`` uses the batch ``minibatch``
    cuts from ``order``, and ``batch_loss[t]`` gets that batch's loss at ``xy[t]``
    (``batch_loss`` is empty for the full batch).
    Returns the index of the first diverged point of ``xy`` (later rows NaN), or -1
    (``MISSING`` for an unknown ``kid``).
    """
    if not 0 <= kid < len(TRAJECTORIES):
        return MISSING
    return trajectory_kernel(kid, sid)(
        sid, sp, H, S, start, A, B, M, opts, xy, loss, lr_used, grad, swa, record, order, batch_loss
    )
