"""The compiled batch runner: many runs of one optimizer on one surface, one run per lane.

Lanes are processed in chunks of ``CHUNK``. A chunk's positions, gradients, state and
hyperparameters are (rows, lanes) arrays, so each operation of a step is a loop over
contiguous lanes that LLVM vectorizes (structure of arrays); the update rules are the
ones ``_kernel.trajectory`` runs with one lane. Per step, in ``trajectory``'s order:
gradients, noise and clipping, learning rates, the rule, Lookahead's synchronisation,
the plateau rule, then the new losses and the bookkeeping (convergence, motion,
divergence). Only the final point of each run is kept.

A lane that diverges is parked at the centre of the domain with its state cleared: it
keeps computing ordinary numbers (no NaN in the rules' state, no out-of-range indices)
until the chunk ends, and its outputs are those fixed when it diverged.

``batch`` handles the lanes ``lo`` to ``hi`` of the arrays it is given and releases the
GIL, so the Python side runs several calls at once on separate lane ranges.
"""

import math

import numpy as np

from surfaces import _dispatch as surface
from surfaces._jit import inline, inner, kernel

from . import _options as O
from ._dispatch import by_id, by_rule
from ._kernel import clipped, escape_box, escaped, gradient_noise, plateau_update

CHUNK = 256  # lanes per chunk: a chunk's arrays stay in the L1/L2 cache

# Convergence criteria, the first entry of the ``criterion`` array [mode, tol, f_target].
LOSS = 0  # f - f_target <= tol
GRADIENT = 1  # |grad f| <= tol (the exact gradient, before noise and clipping)
DISTANCE = 2  # distance to the nearest row of ``targets`` <= tol


def _surface_lanes(sid):
    """Lane loops of surface ``sid``: the id is a constant here, so the formula is inlined
    and the loop vectorizes (a per-lane choice among the surfaces would not)."""

    @inner
    def values(sp, P, F):
        for j in range(F.size):
            F[j] = surface.value(sid, sp, P[0, j], P[1, j])

    @inner
    def gradients(sp, P, G):
        for j in range(G.shape[1]):
            G[0, j], G[1, j] = surface.gradient(sid, sp, P[0, j], P[1, j])

    return values, gradients


_LANES = [(sid, _surface_lanes(sid)) for sid in surface.IDS]
lane_values = by_id([(sid, lanes[0]) for sid, lanes in _LANES], None)
lane_gradients = by_id([(sid, lanes[1]) for sid, lanes in _LANES], None)


@inline
def _track(k, P, F, G, mode, criterion, targets, last_bad):
    """Record ``k`` in ``last_bad`` for each lane whose point ``k`` fails the criterion."""
    tol = criterion[1]
    if mode == LOSS:
        f_target = criterion[2]
        for j in range(F.size):
            last_bad[j] = last_bad[j] if F[j] - f_target <= tol else k
    elif mode == GRADIENT:
        for j in range(F.size):
            norm2 = G[0, j] * G[0, j] + G[1, j] * G[1, j]
            last_bad[j] = last_bad[j] if norm2 <= tol * tol else k
    else:
        for j in range(F.size):
            nearest = math.inf
            for m in range(targets.shape[0]):
                dx, dy = P[0, j] - targets[m, 0], P[1, j] - targets[m, 1]
                nearest = min(nearest, dx * dx + dy * dy)
            last_bad[j] = last_bad[j] if nearest <= tol * tol else k


@inline
def _stochastic(G, opts, t):
    """Step ``t``'s noise (one draw for every lane, as each run with this seed) and clipping."""
    if opts[O.NOISE_STD] > 0.0:
        nx, ny = gradient_noise(opts, t)
        for j in range(G.shape[1]):
            G[0, j] += nx
            G[1, j] += ny
    clip, max_norm = opts[O.CLIP_VALUE], opts[O.CLIP_NORM]
    if clip > 0.0 or max_norm > 0.0:
        for j in range(G.shape[1]):
            G[0, j], G[1, j] = clipped(G[0, j], G[1, j], clip, max_norm)


@inline
def _lookahead(P, slow, H, t, k):
    """Lookahead's synchronisation after step ``t`` (every ``k`` steps; alpha per lane)."""
    if k > 0 and (t + 1) % k == 0:
        last = H.shape[0] - 1
        for j in range(P.shape[1]):
            alpha = H[last, j]
            for i in range(2):
                slow[i, j] += alpha * (P[i, j] - slow[i, j])
                P[i, j] = slow[i, j]


@inline
def _motion(P, before, F, F_before, D, count, counting):
    """Count the steps that reverse the previous displacement or raise the loss."""
    for j in range(F.size):
        dx, dy = P[0, j] - before[0, j], P[1, j] - before[1, j]
        reverses = dx * D[0, j] + dy * D[1, j] < 0.0
        rises = F[j] > F_before[j]
        count[j] += 1 if counting and (reverses or rises) else 0
        D[0, j], D[1, j] = dx, dy


@inline
def _diverge(k, P, F, S, slow, box, diverged_at, alive):
    """Mark lanes that escaped at point ``k`` and park them; returns how many are left
    (``alive`` before)."""
    escapes = 0
    for j in range(F.size):
        escapes += escaped(P[0, j], P[1, j], F[j], box)
    if escapes == 0:
        return alive
    cx, cy = 0.5 * (box[0] + box[1]), 0.5 * (box[2] + box[3])
    alive = 0
    for j in range(F.size):
        if escaped(P[0, j], P[1, j], F[j], box):
            if diverged_at[j] < 0:
                diverged_at[j] = k
            P[0, j], P[1, j] = cx, cy
            slow[0, j], slow[1, j] = cx, cy
            S[:, :, j] = 0.0
        alive += diverged_at[j] < 0
    return alive


def _batch_loop(rule):
    """The chunked batch loop with the update rule ``rule`` built in."""

    def loop(
        sid,
        sp,
        H,
        rows,
        starts,
        A,
        B,
        M,
        opts,
        criterion,
        targets,
        lo,
        hi,
        final_xy,
        final_loss,
        diverged_at,
        converged_step,
        unsteady,
    ):
        steps = A.shape[0]
        slots = H.shape[0]
        mode = np.int64(criterion[0])
        warmup = np.int64(opts[O.WARMUP])
        momentum_slot = np.int64(opts[O.MOMENTUM_SLOT])
        lookahead_k = np.int64(opts[O.LOOKAHEAD_K])
        box = escape_box(opts)
        half = steps // 2
        for first in range(lo, hi, CHUNK):
            n = min(CHUNK, hi - first)
            P = np.empty((2, n))
            G = np.empty((2, n))
            F = np.empty(n)
            LR = np.empty(n)
            S = np.zeros((rows, 2, n))
            Hc = np.empty((slots, n))
            for r in range(slots):
                for j in range(n):
                    Hc[r, j] = H[r, first + j]
            for j in range(n):
                P[0, j], P[1, j] = starts[first + j, 0], starts[first + j, 1]
            slow = P.copy()
            before = np.empty((2, n))
            F_before = np.empty(n)
            D = np.zeros((2, n))
            plateau = np.zeros((n, 3))
            plateau[:, 0] = np.inf
            plateau_lr = Hc[0].copy()
            last_bad = np.full(n, -1, dtype=np.int64)
            lane_diverged = np.full(n, -1, dtype=np.int64)
            count = np.zeros(n, dtype=np.int64)

            lane_values(sid, sp, P, F)
            alive = _diverge(0, P, F, S, slow, box, lane_diverged, n)
            if mode != GRADIENT:
                _track(0, P, F, G, mode, criterion, targets, last_bad)
            for t in range(steps):
                if alive == 0:
                    break
                lane_gradients(sid, sp, P, G)
                if mode == GRADIENT:
                    _track(t, P, F, G, mode, criterion, targets, last_bad)
                _stochastic(G, opts, t)
                use_plateau = opts[O.PLATEAU] != 0.0 and t >= warmup
                if use_plateau:
                    LR[:] = plateau_lr
                else:
                    for j in range(n):
                        LR[j] = A[t] * Hc[0, j] + B[t]
                if momentum_slot >= 0:
                    Hc[momentum_slot, :] = M[t]
                moving = t + 1 >= half
                if moving:
                    before[:] = P
                    F_before[:] = F
                rule(P, G, S, Hc, LR, t + 1, sid, sp)
                _lookahead(P, slow, Hc, t, lookahead_k)
                if use_plateau:
                    for j in range(n):
                        plateau_lr[j] = plateau_update(plateau[j], F[j], plateau_lr[j], opts)
                lane_values(sid, sp, P, F)
                if moving:
                    _motion(P, before, F, F_before, D, count, t >= half)
                alive = _diverge(t + 1, P, F, S, slow, box, lane_diverged, alive)
                if mode != GRADIENT:
                    _track(t + 1, P, F, G, mode, criterion, targets, last_bad)
            if mode == GRADIENT:
                lane_gradients(sid, sp, P, G)
                _track(steps, P, F, G, mode, criterion, targets, last_bad)

            for j in range(n):
                k = first + j
                unsteady[k] = count[j]
                diverged_at[k] = lane_diverged[j]
                if lane_diverged[j] >= 0:
                    final_xy[k, 0] = final_xy[k, 1] = final_loss[k] = np.nan
                    converged_step[k] = -1
                else:
                    final_xy[k, 0], final_xy[k, 1] = P[0, j], P[1, j]
                    final_loss[k] = F[j]
                    converged_step[k] = last_bad[j] + 1 if last_bad[j] < steps else -1

    return loop


_batch_by_rule = by_rule(_batch_loop, None)


@kernel(
    "void(int64, float64[::1], int64, float64[:, ::1], int64, float64[:, ::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[:, ::1], int64, int64,"
    " float64[:, ::1], float64[::1], int64[::1], int64[::1], int64[::1])"
)
def batch(
    sid,
    sp,
    kid,
    H,
    rows,
    starts,
    A,
    B,
    M,
    opts,
    criterion,
    targets,
    lo,
    hi,
    final_xy,
    final_loss,
    diverged_at,
    converged_step,
    unsteady,
):
    """Run lanes ``lo`` to ``hi`` of a batch of rule ``kid``, writing their rows of the outputs.

    ``H`` holds one column of hyperparameters per run and ``starts`` one row; ``rows`` is
    the rule's number of state rows; ``A, B, M`` and ``opts`` are ``trajectory``'s.
    ``criterion`` is ``[mode, tol, f_target]`` (mode LOSS, GRADIENT or DISTANCE to the
    nearest row of ``targets``). Outputs per run: the final point and loss (NaN once
    diverged), the point index where it diverged (-1: never), the first point index from
    which every later point met the criterion (-1: the last did not, or it diverged), and
    the number of steps in the second half that reversed the previous displacement or
    raised the loss.
    """
    _batch_by_rule(
        kid,
        sid,
        sp,
        H,
        rows,
        starts,
        A,
        B,
        M,
        opts,
        criterion,
        targets,
        lo,
        hi,
        final_xy,
        final_loss,
        diverged_at,
        converged_step,
        unsteady,
    )
