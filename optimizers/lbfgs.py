"""L-BFGS, one iteration per step (``torch.optim.LBFGS`` with ``max_iter=1``).

Each step is one iteration of PyTorch's loop with ``line_search_fn=None`` (no line search;
strong Wolfe is not offered): the two-loop recursion over the last ``history_size``
curvature pairs gives the direction d, and the step is ``lr * d``, except the very first,
which is ``min(1, 1 / |g|_1) * lr * d``. As in PyTorch:

* a pair (y, s) enters the history only if ``y . s > 1e-10``; the oldest is dropped when
  the history is full; ``H_diag = y.s / y.y`` of the newest accepted pair scales the
  initial Hessian;
* if ``max |g| <= tolerance_grad`` the step does nothing at all (no move, no state change);
* if ``g . d > -tolerance_change`` (not a descent direction) the state is updated but the
  point does not move.

State layout per lane (rows of (2,)): ``DIRECTION`` d, ``GRADIENT`` the previous gradient,
``STEP`` [t, H_diag], ``COUNTS`` [iterations so far, pairs stored], ``OLDEST`` [index of
the oldest pair, -], then 3 rows per history slot k: y_k, s_k, [1 / y_k.s_k, alpha_k] (a
ring buffer of ``history_size`` slots).
"""

from parameters import Param
from surfaces._jit import inline

from .recording import coordinates, scalar
from .specs import OptimizerSpec, lr_hyper, slots

HYPERS = (
    lr_hyper(1.0, ui=(1e-3, 2.0)),
    Param(
        "history_size",
        100,
        "number of curvature pairs (y, s) remembered",
        low=1.0,
        ui=(1.0, 100.0),
        kind="int",
        symbol=r"m",
    ),
    Param(
        "tolerance_grad",
        1e-7,
        "no step once max |g| is at most this",
        low=0.0,
        ui=(1e-12, 1e-3),
        log=True,
        symbol=r"\tau_g",
    ),
    Param(
        "tolerance_change",
        1e-9,
        "no move unless the slope along d is below minus this",
        low=0.0,
        ui=(1e-12, 1e-3),
        log=True,
        symbol=r"\tau_c",
    ),
)
HISTORY_SIZE, TOLERANCE_GRAD, TOLERANCE_CHANGE = slots(
    HYPERS, "history_size", "tolerance_grad", "tolerance_change"
)
DIRECTION, GRADIENT, STEP, COUNTS, OLDEST = range(5)  # rows of state before the history
_HEAD = 5  # state rows before the history
_PER_PAIR = 3  # state rows per history slot


def state_rows(values):
    """Rows of state for ``history_size`` pairs."""
    return _HEAD + _PER_PAIR * int(values["history_size"])


@inline
def lbfgs_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.LBFGS(max_iter=1)`` iteration on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        size = int(H[HISTORY_SIZE, j])
        tolerance_grad, tolerance_change = H[TOLERANCE_GRAD, j], H[TOLERANCE_CHANGE, j]
        g0, g1 = G[0, j], G[1, j]
        if abs(g0) <= tolerance_grad and abs(g1) <= tolerance_grad:
            continue  # max |g| <= tolerance_grad: PyTorch returns before touching anything
        first = S[COUNTS, 0, j] == 0.0
        if first:
            d0, d1 = -g0, -g1
            count, oldest = 0, 0
            h_diag = 1.0
        else:
            count, oldest = int(S[COUNTS, 1, j]), int(S[OLDEST, 0, j])
            h_diag = S[STEP, 1, j]
            step = S[STEP, 0, j]
            y0, y1 = g0 - S[GRADIENT, 0, j], g1 - S[GRADIENT, 1, j]
            s0, s1 = S[DIRECTION, 0, j] * step, S[DIRECTION, 1, j] * step
            ys = y0 * s0 + y1 * s1
            if ys > 1e-10:
                if count == size:  # drop the oldest pair
                    oldest = (oldest + 1) % size
                    count -= 1
                row = _HEAD + _PER_PAIR * ((oldest + count) % size)
                S[row, 0, j], S[row, 1, j] = y0, y1
                S[row + 1, 0, j], S[row + 1, 1, j] = s0, s1
                S[row + 2, 0, j] = 1.0 / ys
                count += 1
                h_diag = ys / (y0 * y0 + y1 * y1)
            # two-loop recursion, newest pair first
            q0, q1 = -g0, -g1
            for k in range(count - 1, -1, -1):
                row = _HEAD + _PER_PAIR * ((oldest + k) % size)
                al = (S[row + 1, 0, j] * q0 + S[row + 1, 1, j] * q1) * S[row + 2, 0, j]
                S[row + 2, 1, j] = al
                q0 = q0 + (-al) * S[row, 0, j]
                q1 = q1 + (-al) * S[row, 1, j]
            d0, d1 = q0 * h_diag, q1 * h_diag
            for k in range(count):
                row = _HEAD + _PER_PAIR * ((oldest + k) % size)
                be = (S[row, 0, j] * d0 + S[row, 1, j] * d1) * S[row + 2, 0, j]
                scale = S[row + 2, 1, j] - be
                d0 = d0 + scale * S[row + 1, 0, j]
                d1 = d1 + scale * S[row + 1, 1, j]
        if first:
            inverse_l1 = 1.0 / (abs(g0) + abs(g1))
            step = (inverse_l1 if inverse_l1 < 1.0 else 1.0) * LR[j]
        else:
            step = LR[j]
        S[DIRECTION, 0, j], S[DIRECTION, 1, j] = d0, d1
        S[GRADIENT, 0, j], S[GRADIENT, 1, j] = g0, g1
        S[STEP, 0, j], S[STEP, 1, j] = step, h_diag
        S[COUNTS, 0, j] += 1.0
        S[COUNTS, 1, j] = count
        S[OLDEST, 0, j] = oldest
        if g0 * d0 + g1 * d1 > -tolerance_change:
            continue  # not a descent direction: PyTorch breaks before moving
        P[0, j] = P[0, j] + step * d0
        P[1, j] = P[1, j] + step * d1


# State, by PyTorch's names (its other entries are the history's bookkeeping).
STATE = (
    coordinates("d", DIRECTION, "d_t, the search direction -H_t g_t"),
    scalar("t", STEP, 0, "eta_t, the step length: the update is eta_t d_t (or 0, no descent)"),
)


_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ m \text{ (history size)},\ \tau_g \text{ (tolerance grad)},\ \tau_c \text{ (tolerance change)}\\
&\textbf{initialize: } \text{history} \leftarrow \emptyset,\ H_0 \leftarrow 1\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1});\ \ \textbf{if } \max_i |g^i_t| \le \tau_g \textbf{: } \theta_t \leftarrow \theta_{t-1},\ \textbf{skip}\\
&\quad \textbf{if first iteration: } d_t \leftarrow -g_t,\ \ \eta_t \leftarrow \min(1,\ 1 / \|g_t\|_1)\, \gamma\\
&\quad \textbf{else:}\ \ y \leftarrow g_t - g_{t-1},\ \ s \leftarrow \eta_{t-1} d_{t-1},\ \ \eta_t \leftarrow \gamma\\
&\qquad \textbf{if } y^\top s > 10^{-10} \textbf{: } \text{append } (y, s) \text{ (drop the oldest beyond } m),\ \ H_0 \leftarrow y^\top s / y^\top y\\
&\qquad d_t \leftarrow -H_t\, g_t \text{ by the two-loop recursion over the history, with } H_t^0 = H_0 I\\
&\quad \textbf{if } g_t^\top d_t > -\tau_c \textbf{: } \theta_t \leftarrow \theta_{t-1} \quad \textbf{else: } \theta_t \leftarrow \theta_{t-1} + \eta_t\, d_t\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="lbfgs",
        title="L-BFGS",
        rule=lbfgs_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source="torch.optim.LBFGS(max_iter=1, line_search_fn=None) (PyTorch), after "
        "Nocedal 1980 and Liu & Nocedal 1989; no line search (strong Wolfe not offered)",
        summary="Quasi-Newton steps from the last few gradient changes, with no line search: "
        "near-Newton jumps on smooth bowls, but lr = 1 can overshoot wildly on curved "
        "valleys and a non-descent direction freezes it in place.",
        state_rows=state_rows,
        state=STATE,
    ),
)
