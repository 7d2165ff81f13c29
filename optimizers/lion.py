"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2).

The update is the sign of an interpolation between the momentum and the new gradient, so
every coordinate moves by exactly the learning rate (plus decoupled weight decay); the
momentum is updated afterwards with its own, slower rate beta2.
"""

from surfaces._jit import inline, inner

from .recording import coordinates
from .specs import OptimizerSpec, betas_hyper, lr_hyper, slots, weight_decay_hyper

HYPERS = (
    lr_hyper(1e-4, ui=(1e-5, 0.1)),
    betas_hyper(
        (0.9, 0.99),
        help="interpolation weight of the momentum in the update (beta1) and decay of the "
        "momentum (beta2)",
    ),
    weight_decay_hyper(help="decoupled weight decay, scaled by the learning rate"),
)
BETAS, WEIGHT_DECAY = slots(HYPERS, "betas", "weight_decay")
M = 0  # the one row of state: the momentum m
STATE_ROWS = 1


@inner
def _sign(c):
    """``sign(c)`` with sign(0) = 0 and NaN kept, as ``torch.sign``."""
    if c > 0.0:
        return 1.0
    if c < 0.0:
        return -1.0
    if c == 0.0:
        return 0.0
    return c


@inline
def lion_step(P, G, S, H, LR, t, sid, sp):
    """One Lion step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        beta1, beta2, weight_decay = H[BETAS, j], H[BETAS + 1, j], H[WEIGHT_DECAY, j]
        lr = LR[j]
        for i in range(2):
            g = G[i, j]
            m = S[M, i, j]
            c = beta1 * m + (1.0 - beta1) * g
            P[i, j] = P[i, j] - lr * (_sign(c) + weight_decay * P[i, j])
            S[M, i, j] = beta2 * m + (1.0 - beta2) * g


# State, by the paper's name (and that of its PyTorch implementations). No ``scale``: the
# update is -lr (sign(c_t) + lambda theta), whatever |g|.
STATE = (
    coordinates("exp_avg", M, "m_t = beta2 m_{t-1} + (1 - beta2) g_t, updated after the step"),
)


_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0,\ f(\theta),\ \lambda \text{ (weight decay)}\\
&\textbf{initialize: } m_0 \leftarrow 0\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1})\\
&\quad c_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \big(\operatorname{sign}(c_t) + \lambda\, \theta_{t-1}\big)\\
&\quad m_t \leftarrow \beta_2 m_{t-1} + (1 - \beta_2)\, g_t\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="lion",
        title="Lion",
        rule=lion_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source='Lion, Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", '
        "Algorithm 2 (decoupled weight decay; sign(0) = 0)",
        summary="Moves every coordinate by exactly lr per step (the sign of the momentum): "
        "fast and scale-free far away, but it never settles; near the minimum it hops "
        "back and forth at a distance of about lr, so it needs a decaying schedule.",
        state_rows=lambda values: STATE_ROWS,
        momentum_slot="betas",
        state=STATE,
    ),
)
