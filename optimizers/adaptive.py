"""Adagrad, Adadelta and RMSprop (``torch.optim.Adagrad``, ``Adadelta``, ``RMSprop``).

Each rule repeats the single-tensor (CPU) code path of PyTorch operation by operation, so
that a float64 run matches PyTorch's to the last few bits: ``addcmul`` is
``a + (value * b) * c``, ``addcdiv`` is ``a + (value * b) / c``, ``add(alpha=k)`` is
``a + k * b``.
"""

import math

import numpy as np

from parameters import Param
from surfaces._jit import inline

from ._math import lerp
from .recording import StateEntry, coordinates, inverse_rms
from .specs import OptimizerSpec, eps_hyper, flag, lr_hyper, slots, weight_decay_hyper

# ---------------------------------------------------------------------------------------
# Adagrad

ADAGRAD_HYPERS = (
    lr_hyper(1e-2),
    Param(
        "lr_decay",
        0.0,
        "learning-rate decay: lr / (1 + (t - 1) lr_decay)",
        low=0.0,
        ui=(0.0, 0.1),
        symbol=r"\eta",
    ),
    weight_decay_hyper(),
    Param(
        "initial_accumulator_value",
        0.0,
        "starting value of the sum of squared gradients",
        low=0.0,
        ui=(0.0, 1.0),
        symbol=r"\tau",
    ),
    eps_hyper(1e-10),
)
ADAGRAD_LR_DECAY, ADAGRAD_WEIGHT_DECAY, ADAGRAD_INITIAL, ADAGRAD_EPS = slots(
    ADAGRAD_HYPERS, "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
)
# Rows of state: the sum of squared gradients (set to tau at the first step).
SUM = 0
ADAGRAD_STATE_ROWS = 1


@inline
def adagrad_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Adagrad`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        lr_decay, weight_decay = H[ADAGRAD_LR_DECAY, j], H[ADAGRAD_WEIGHT_DECAY, j]
        initial, eps = H[ADAGRAD_INITIAL, j], H[ADAGRAD_EPS, j]
        clr = LR[j] / (1.0 + (t - 1) * lr_decay)
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * p
            total = (S[SUM, i, j] if t > 1 else initial) + g * g
            S[SUM, i, j] = total
            P[i, j] = p + (-clr) * g / (math.sqrt(total) + eps)


# ---------------------------------------------------------------------------------------
# Adadelta

ADADELTA_HYPERS = (
    lr_hyper(1.0, ui=(1e-2, 10.0)),
    Param(
        "rho",
        0.9,
        "decay rate of the running averages",
        low=0.0,
        high=1.0,
        ui=(0.0, 0.999),
        near_one=True,
        symbol=r"\rho",
    ),
    eps_hyper(1e-6, "added inside both square roots; sets the size of the first steps"),
    weight_decay_hyper(),
)
ADADELTA_RHO, ADADELTA_EPS, ADADELTA_WEIGHT_DECAY = slots(
    ADADELTA_HYPERS, "rho", "eps", "weight_decay"
)
# Rows of state: the running averages v of g^2 and u of the squared updates.
SQUARES, UPDATES = range(2)
ADADELTA_STATE_ROWS = 2


@inline
def adadelta_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Adadelta`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        rho, eps, weight_decay = H[ADADELTA_RHO, j], H[ADADELTA_EPS, j], H[ADADELTA_WEIGHT_DECAY, j]
        lr = LR[j]
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * p
            v = S[SQUARES, i, j] * rho + (1.0 - rho) * g * g
            S[SQUARES, i, j] = v
            delta = math.sqrt(S[UPDATES, i, j] + eps) / math.sqrt(v + eps) * g
            S[UPDATES, i, j] = S[UPDATES, i, j] * rho + (1.0 - rho) * delta * delta
            P[i, j] = p + (-lr) * delta


# ---------------------------------------------------------------------------------------
# RMSprop

RMSPROP_HYPERS = (
    lr_hyper(1e-2),
    Param(
        "alpha",
        0.99,
        "decay rate of the running average of g^2",
        low=0.0,
        high=1.0,
        ui=(0.0, 0.999),
        near_one=True,
        symbol=r"\alpha",
    ),
    eps_hyper(1e-8),
    weight_decay_hyper(),
    Param(
        "momentum", 0.0, "momentum factor", low=0.0, ui=(0.0, 0.99), near_one=True, symbol=r"\mu"
    ),
    flag("centered", "divide by the variance estimate instead of the raw mean square"),
)
RMSPROP_ALPHA, RMSPROP_EPS, RMSPROP_WEIGHT_DECAY, RMSPROP_MOMENTUM, RMSPROP_CENTERED = slots(
    RMSPROP_HYPERS, "alpha", "eps", "weight_decay", "momentum", "centered"
)
# Rows of state: the square average v, the gradient average (centered), the momentum buffer b.
SQUARE_AVERAGE, GRADIENT_AVERAGE, BUFFER = range(3)
RMSPROP_STATE_ROWS = 3


@inline
def rmsprop_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.RMSprop`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        alpha, eps = H[RMSPROP_ALPHA, j], H[RMSPROP_EPS, j]
        weight_decay, momentum = H[RMSPROP_WEIGHT_DECAY, j], H[RMSPROP_MOMENTUM, j]
        centered = H[RMSPROP_CENTERED, j] != 0.0
        lr = LR[j]
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * p
            v = S[SQUARE_AVERAGE, i, j] * alpha + (1.0 - alpha) * g * g
            S[SQUARE_AVERAGE, i, j] = v
            if centered:
                mean = lerp(S[GRADIENT_AVERAGE, i, j], g, 1.0 - alpha)
                S[GRADIENT_AVERAGE, i, j] = mean
                avg = math.sqrt(v + (-1.0) * mean * mean) + eps
            else:
                avg = math.sqrt(v) + eps
            if momentum > 0.0:
                buf = S[BUFFER, i, j] * momentum + g / avg
                S[BUFFER, i, j] = buf
                P[i, j] = p + (-lr) * buf
            else:
                P[i, j] = p + (-lr) * g / avg


# ---------------------------------------------------------------------------------------
# State, by PyTorch's names. ``scale``: the per-coordinate factor of the gradient (after
# weight decay) in the update, the learning rate left out.


def _adagrad_scale(rec):
    return inverse_rms(rec.rows[SUM], rec.values["eps"], rec.out)


def _adadelta_scale(rec):
    eps = rec.values["eps"]
    return np.sqrt(rec.before(UPDATES) + eps) / np.sqrt(rec.rows[SQUARES] + eps)


def _rmsprop_scale(rec):
    v = rec.rows[SQUARE_AVERAGE]
    if rec.values["centered"]:
        mean = rec.rows[GRADIENT_AVERAGE]
        v = v + (-1.0) * mean * mean
    return inverse_rms(v, rec.values["eps"], rec.out)


ADAGRAD_STATE = (
    coordinates("sum", SUM, "s_t, the sum of squared gradients: s_{t-1} + g_t^2, s_0 = tau"),
    StateEntry(
        "scale",
        "1 / (sqrt(s_t) + eps): the update is -lr / (1 + (t - 1) eta) g_t scale",
        _adagrad_scale,
        SUM + 1,
    ),
)
ADADELTA_STATE = (
    coordinates("square_avg", SQUARES, "v_t, the average of g^2: rho v_{t-1} + (1 - rho) g_t^2"),
    coordinates(
        "acc_delta",
        UPDATES,
        "u_t, the average of the squared updates: rho u_{t-1} + (1 - rho) Delta_t^2",
    ),
    StateEntry(
        "scale",
        "sqrt(u_{t-1} + eps) / sqrt(v_t + eps): Delta_t = g_t scale, the update is -lr Delta_t",
        _adadelta_scale,
        UPDATES + 1,
    ),
)
RMSPROP_STATE = (
    coordinates(
        "square_avg", SQUARE_AVERAGE, "v_t, the average of g^2: alpha v_{t-1} + (1 - alpha) g_t^2"
    ),
    coordinates(
        "grad_avg",
        GRADIENT_AVERAGE,
        "g_bar_t, the average of g: alpha g_bar_{t-1} + (1 - alpha) g_t (centered only)",
        present=lambda values: values["centered"],
    ),
    coordinates(
        "momentum_buffer",
        BUFFER,
        "b_t = mu b_{t-1} + g_t scale (momentum > 0 only); the update is then -lr b_t",
        present=lambda values: values["momentum"] > 0.0,
    ),
    StateEntry(
        "scale",
        "1 / (sqrt(v_t - g_bar_t^2) + eps) centered, else 1 / (sqrt(v_t) + eps): the update "
        "is -lr g_t scale (with momentum, g_t scale enters b_t)",
        _rmsprop_scale,
        SQUARE_AVERAGE + 1,  # the centered average is recorded for grad_avg, present then
    ),
)

# ---------------------------------------------------------------------------------------
# Specs

_ADAGRAD_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ \eta \text{ (lr decay)},\ \lambda \text{ (weight decay)},\ \tau \text{ (initial accumulator value)},\ \epsilon\\
&\textbf{initialize: } s_0 \leftarrow \tau\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
&\quad \tilde\gamma \leftarrow \gamma / (1 + (t - 1)\,\eta)\\
&\quad s_t \leftarrow s_{t-1} + g_t^2\\
&\quad \theta_t \leftarrow \theta_{t-1} - \tilde\gamma\, g_t / (\sqrt{s_t} + \epsilon)\\
&\textbf{return } \theta_t
\end{aligned}"""

_ADADELTA_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ \rho \text{ (rho)},\ \lambda \text{ (weight decay)},\ \epsilon\\
&\textbf{initialize: } v_0 \leftarrow 0,\ u_0 \leftarrow 0\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
&\quad v_t \leftarrow \rho\, v_{t-1} + (1 - \rho)\, g_t^2\\
&\quad \Delta_t \leftarrow \dfrac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t\\
&\quad u_t \leftarrow \rho\, u_{t-1} + (1 - \rho)\, \Delta_t^2\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \Delta_t\\
&\textbf{return } \theta_t
\end{aligned}"""

_RMSPROP_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ \alpha \text{ (alpha)},\ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},\ \text{centered},\ \epsilon\\
&\textbf{initialize: } v_0 \leftarrow 0,\ \bar g_0 \leftarrow 0,\ b_0 \leftarrow 0\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
&\quad v_t \leftarrow \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2\\
&\quad \tilde v_t \leftarrow v_t\\
&\quad \textbf{if } \text{centered} \textbf{: } \bar g_t \leftarrow \alpha\, \bar g_{t-1} + (1 - \alpha)\, g_t,\ \ \tilde v_t \leftarrow v_t - \bar g_t^2\\
&\quad \textbf{if } \mu > 0 \textbf{: } b_t \leftarrow \mu\, b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\ \ \theta_t \leftarrow \theta_{t-1} - \gamma\, b_t\\
&\quad \textbf{else: } \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="adagrad",
        title="Adagrad",
        rule=adagrad_step,
        hypers=ADAGRAD_HYPERS,
        algorithm=_ADAGRAD_BOX,
        source="torch.optim.Adagrad (PyTorch), after Duchi, Hazan & Singer 2011",
        summary="Divides by the root of all past squared gradients: steep directions are "
        "tamed at once, but every step keeps shrinking, so it can stall before the minimum.",
        state_rows=lambda values: ADAGRAD_STATE_ROWS,
        state=ADAGRAD_STATE,
    ),
    OptimizerSpec(
        name="adadelta",
        title="Adadelta",
        rule=adadelta_step,
        hypers=ADADELTA_HYPERS,
        algorithm=_ADADELTA_BOX,
        source="torch.optim.Adadelta (PyTorch), after Zeiler 2012",
        summary="Steps in units of its own past steps: it starts tiny (about sqrt(eps)) and "
        "accelerates by itself, so lr = 1 is the usual choice.",
        state_rows=lambda values: ADADELTA_STATE_ROWS,
        state=ADADELTA_STATE,
    ),
    OptimizerSpec(
        name="rmsprop",
        title="RMSprop",
        rule=rmsprop_step,
        hypers=RMSPROP_HYPERS,
        algorithm=_RMSPROP_BOX,
        source="torch.optim.RMSprop (PyTorch), after Hinton's Coursera lecture 6e (2012)",
        summary="Divides by a running RMS of the gradient: steps of about lr in every "
        "direction, with no bias correction, so the first steps are large (about "
        "lr / sqrt(1 - alpha)).",
        state_rows=lambda values: RMSPROP_STATE_ROWS,
        momentum_slot="momentum",
        state=RMSPROP_STATE,
    ),
)
