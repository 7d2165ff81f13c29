"""The compiled batch runner: many runs of one optimizer on one surface, one run per lane.

Lanes are processed in chunks of ``CHUNK``. A chunk's positions, gradients, state and
hyperparameters are (rows, lanes) arrays, so each operation of a step is a loop over
contiguous lanes that LLVM vectorizes (structure of arrays); the update rules are the
ones ``_kernel.trajectory`` runs with one lane. Per step, in ``trajectory``'s order:
with mini-batches, every lane's gradient on the step's batch (the same batch for every
lane), noise and clipping, learning rates, the rule, Lookahead's synchronisation, the plateau
rule, then the loss and gradient at the new point (one pass, for the next step) and the
bookkeeping (motion, divergence, convergence). Only the final point of each run is kept.

Each rule has a kernel of its own (``per_rule``), compiled when first used; the work
before and after the rule is in helpers shared by all of them (short compiles).

A lane that diverges is parked at the centre of the domain with its state cleared: it
keeps computing ordinary numbers (no NaN in the rules' state, no out-of-range indices)
until the chunk ends, and its outputs are those fixed when it diverged.

``batch`` handles the lanes ``lo`` to ``hi`` of the arrays it is given and releases the
GIL, so the Python side runs several calls at once on separate lane ranges.
"""

import math

import numpy as np

from surfaces import _dispatch as surface
from surfaces._jit import by_id, inner, named

from . import _options as O
from ._dispatch import per_rule
from ._kernel import clipped, escape_box, escaped, gradient_noise, plateau_update
from .minibatch import load_batch
from .specs import LR_SLOT

CHUNK = 1024  # lanes per chunk: a chunk's arrays stay in the L2 cache

# Rows of a chunk's float work array W (one column per lane).
_F, _F_BEFORE, _PLATEAU_LR, _BEFORE, _SLOW, _MOVE = 0, 1, 2, 3, 5, 7  # the last three: x, y
_W_ROWS = 9
# Rows of a chunk's integer array I, and columns of the ``counts`` output.
_DIVERGED, _CONVERGED, _UNSTEADY = 0, 1, 2  # in I, row _CONVERGED holds the last bad point

# Convergence criteria, the first entry of the ``criterion`` array [mode, tol, f_target].
LOSS = 0  # f - f_target <= tol
GRADIENT = 1  # |grad f| <= tol (the exact gradient, before noise and clipping)
DISTANCE = 2  # distance to the nearest row of ``targets`` <= tol


def _surface_lanes(sid):
    """Loss and gradient at every lane's point, for surface ``sid``: the id is a constant
    here, so the formulas are inlined, share their common terms, and the loop vectorizes
    (a per-lane choice among the surfaces would not)."""

    def evaluate(sp, P, F, G):
        for j in range(F.size):
            x, y = P[0, j], P[1, j]
            F[j] = surface.value(sid, sp, x, y)
            G[0, j], G[1, j] = surface.gradient(sid, sp, x, y)

    return inner(named(evaluate, f"lane_evaluate_{sid}"))


lane_evaluate = by_id(
    [(sid, _surface_lanes(sid)) for sid in surface.IDS], None, "lane_evaluate_by_id"
)


@inner
def _settle(k, sid, sp, P, G, S, W, I, box, criterion, targets, alive):
    """Point ``k``'s bookkeeping: record ``k`` as the last bad point of each lane that fails
    the convergence criterion; mark and park the lanes that escaped. Returns how many
    lanes are left (``alive`` before). One pass for both, as they read the same values."""
    mode, tol = np.int64(criterion[0]), criterion[1]
    last_bad = I[_CONVERGED]
    escapes = 0
    if mode == LOSS:
        f_target = criterion[2]
        for j in range(last_bad.size):
            escapes += escaped(P[0, j], P[1, j], W[_F, j], box)
            last_bad[j] = last_bad[j] if W[_F, j] - f_target <= tol else k
    elif mode == GRADIENT:
        for j in range(last_bad.size):
            escapes += escaped(P[0, j], P[1, j], W[_F, j], box)
            norm2 = G[0, j] * G[0, j] + G[1, j] * G[1, j]
            last_bad[j] = last_bad[j] if norm2 <= tol * tol else k
    else:
        for j in range(last_bad.size):
            escapes += escaped(P[0, j], P[1, j], W[_F, j], box)
            nearest = math.inf
            for m in range(targets.shape[0]):
                dx, dy = P[0, j] - targets[m, 0], P[1, j] - targets[m, 1]
                nearest = min(nearest, dx * dx + dy * dy)
            last_bad[j] = last_bad[j] if nearest <= tol * tol else k
    if escapes == 0:
        return alive
    cx, cy = 0.5 * (box[0] + box[1]), 0.5 * (box[2] + box[3])
    alive = 0
    for j in range(last_bad.size):
        if escaped(P[0, j], P[1, j], W[_F, j], box):
            if I[_DIVERGED, j] < 0:
                I[_DIVERGED, j] = k
            P[0, j], P[1, j] = cx, cy
            W[_SLOW, j], W[_SLOW + 1, j] = cx, cy
            S[:, :, j] = 0.0
        alive += I[_DIVERGED, j] < 0
    lane_evaluate(sid, sp, P, W[_F], G)  # the parked lanes' loss and gradient
    return alive


@inner
def _batch_gradients(t, sid, sp, order, batch_size, bsp, P, G):
    """Every lane's gradient on step ``t``'s mini-batch, whose parameter array ``bsp``
    becomes (the loss and convergence stay those of the whole dataset)."""
    load_batch(t, sp, order, batch_size, bsp)
    for j in range(P.shape[1]):
        G[0, j], G[1, j] = surface.gradient(sid, bsp, P[0, j], P[1, j])


@inner
def _begin(sid, sp, H, starts, first, P, G, S, Hc, W, plateau, I, box, criterion, targets):
    """Load a chunk's lanes from column/row ``first`` on; returns how many did not escape."""
    n = P.shape[1]
    for r in range(H.shape[0]):
        for j in range(n):
            Hc[r, j] = H[r, first + j]
    for j in range(n):
        P[0, j], P[1, j] = starts[first + j, 0], starts[first + j, 1]
        W[_SLOW, j], W[_SLOW + 1, j] = P[0, j], P[1, j]
        W[_PLATEAU_LR, j] = Hc[LR_SLOT, j]
        plateau[j, 0] = math.inf  # ReduceLROnPlateau's [best, bad steps, cooldown left]
    I[_DIVERGED] = -1
    I[_CONVERGED] = -1
    lane_evaluate(sid, sp, P, W[_F], G)
    return _settle(0, sid, sp, P, G, S, W, I, box, criterion, targets, n)


@inner
def _before_rule(t, P, G, LR, Hc, W, A, B, M, opts, half):
    """Noise and clipping of the gradients, this step's rates and momentum, and the point
    and loss before the step when the motion is watched."""
    if opts[O.NOISE_STD] > 0.0:
        nx, ny = gradient_noise(opts, t)  # one draw for every lane, as each run with the seed
        for j in range(LR.size):
            G[0, j] += nx
            G[1, j] += ny
    clip, max_norm = opts[O.CLIP_VALUE], opts[O.CLIP_NORM]
    if clip > 0.0 or max_norm > 0.0:
        for j in range(LR.size):
            G[0, j], G[1, j] = clipped(G[0, j], G[1, j], clip, max_norm)
    if opts[O.PLATEAU] != 0.0 and t >= opts[O.WARMUP]:
        LR[:] = W[_PLATEAU_LR]
    else:
        for j in range(LR.size):
            LR[j] = A[t] * Hc[LR_SLOT, j] + B[t]
    momentum_slot = np.int64(opts[O.MOMENTUM_SLOT])
    if momentum_slot >= 0:
        Hc[momentum_slot, :] = M[t]
    if t == max(half - 1, 0):  # the motion is watched from here on (see _after_rule)
        W[_F_BEFORE] = W[_F]
        W[_BEFORE : _BEFORE + 2] = P


@inner
def _after_rule(t, sid, sp, P, G, S, Hc, W, plateau, I, opts, box, criterion, targets, half, alive):
    """Lookahead, the plateau rule, the new point's loss and gradient, and the bookkeeping;
    returns how many lanes are left."""
    k = np.int64(opts[O.LOOKAHEAD_K])
    if k > 0 and (t + 1) % k == 0:
        alpha = Hc[np.int64(opts[O.LOOKAHEAD_ALPHA])]
        for j in range(alpha.size):
            for i in range(2):
                W[_SLOW + i, j] += alpha[j] * (P[i, j] - W[_SLOW + i, j])
                P[i, j] = W[_SLOW + i, j]
    if opts[O.PLATEAU] != 0.0 and t >= opts[O.WARMUP]:
        for j in range(P.shape[1]):
            W[_PLATEAU_LR, j] = plateau_update(plateau[j], W[_F, j], W[_PLATEAU_LR, j], opts)
    lane_evaluate(sid, sp, P, W[_F], G)
    if t + 1 >= half:
        counting = t >= half
        for j in range(P.shape[1]):
            x, y, f = P[0, j], P[1, j], W[_F, j]
            dx, dy = x - W[_BEFORE, j], y - W[_BEFORE + 1, j]
            reverses = dx * W[_MOVE, j] + dy * W[_MOVE + 1, j] < 0.0
            rises = f > W[_F_BEFORE, j]
            I[_UNSTEADY, j] += 1 if counting and (reverses or rises) else 0
            W[_MOVE, j], W[_MOVE + 1, j] = dx, dy
            W[_BEFORE, j], W[_BEFORE + 1, j], W[_F_BEFORE, j] = x, y, f
    return _settle(t + 1, sid, sp, P, G, S, W, I, box, criterion, targets, alive)


@inner
def _end(first, steps, P, W, I, final, counts):
    """Write the chunk's outcomes from row ``first`` of ``final`` and ``counts`` on."""
    for j in range(P.shape[1]):
        k = first + j
        gone = I[_DIVERGED, j] >= 0
        final[k, 0] = np.nan if gone else P[0, j]
        final[k, 1] = np.nan if gone else P[1, j]
        final[k, 2] = np.nan if gone else W[_F, j]
        counts[k, _DIVERGED] = I[_DIVERGED, j]
        last_bad = I[_CONVERGED, j]
        counts[k, _CONVERGED] = -1 if gone or last_bad >= steps else last_bad + 1
        counts[k, _UNSTEADY] = I[_UNSTEADY, j]


def _batch_loop(rule):
    """The chunked batch loop with the update rule ``rule`` built in."""

    def loop(
        sid, sp, H, rows, starts, A, B, M, opts, criterion, targets, lo, hi, final, counts, order
    ):
        steps = A.shape[0]
        box = escape_box(opts)
        batch_size = np.int64(opts[O.BATCH_SIZE])
        bsp = sp.copy()  # the surface of a step's mini-batch (of every sample: sp itself)
        half = steps // 2
        for first in range(lo, hi, CHUNK):
            n = min(CHUNK, hi - first)
            P = np.empty((2, n))
            G = np.empty((2, n))
            LR = np.empty(n)
            S = np.zeros((rows, 2, n))
            Hc = np.empty((H.shape[0], n))
            W = np.zeros((_W_ROWS, n))
            plateau = np.zeros((n, 3))
            I = np.zeros((3, n), dtype=np.int64)
            alive = _begin(
                sid, sp, H, starts, first, P, G, S, Hc, W, plateau, I, box, criterion, targets
            )
            for t in range(steps):
                if alive == 0:
                    break
                if batch_size > 0:
                    _batch_gradients(t, sid, sp, order, batch_size, bsp, P, G)
                _before_rule(t, P, G, LR, Hc, W, A, B, M, opts, half)
                rule(P, G, S, Hc, LR, t + 1, sid, bsp)
                alive = _after_rule(
                    t,
                    sid,
                    sp,
                    P,
                    G,
                    S,
                    Hc,
                    W,
                    plateau,
                    I,
                    opts,
                    box,
                    criterion,
                    targets,
                    half,
                    alive,
                )
            _end(first, steps, P, W, I, final, counts)

    return loop


# The batch kernel of each update rule, by kernel id.
BATCHES = per_rule(
    _batch_loop,
    "void(int64, float64[::1], float64[:, ::1], int64, float64[:, ::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[:, ::1], int64, int64,"
    " float64[:, ::1], int64[:, ::1], int64[::1])",
    "batch",
)


def batch(
    sid, sp, kid, H, rows, starts, A, B, M, opts, criterion, targets, lo, hi, final, counts, order
):
    """Run lanes ``lo`` to ``hi`` of a batch of rule ``kid``, writing their rows of the outputs.

    ``H`` holds one column of hyperparameters per run and ``starts`` one row; ``rows`` is
    the rule's number of state rows; ``A, B, M`` and ``opts`` are ``trajectory``'s.
    ``criterion`` is ``[mode, tol, f_target]`` (mode LOSS, GRADIENT or DISTANCE to the
    nearest row of ``targets``). Per run, ``final`` gets the last point and its loss (NaN
    once diverged) and ``counts`` the point where it diverged (-1: never), the first point
    from which every later point met the criterion (-1: the last did not, or it
    diverged), and the number of steps in the second half that reversed the previous
    displacement or raised the loss. ``order`` holds the epochs' permutations mini-batches
    are cut from (``minibatch``; empty for the full batch).
    """
    BATCHES[kid](
        sid, sp, H, rows, starts, A, B, M, opts, criterion, targets, lo, hi, final, counts, order
    )
