"""Stochastic gradient descent, with heavy-ball or Nesterov momentum (``torch.optim.SGD``)."""

from parameters import Param
from surfaces._jit import inline

from .recording import coordinates
from .specs import OptimizerSpec, flag, lr_hyper, slots, weight_decay_hyper

HYPERS = (
    lr_hyper(1e-3),
    Param(
        "momentum", 0.0, "momentum factor", low=0.0, symbol=r"\mu", ui=(0.0, 0.99), near_one=True
    ),
    Param(
        "dampening", 0.0, "dampening for momentum", low=0.0, high=1.0, symbol=r"\tau", ui=(0.0, 1.0)
    ),
    weight_decay_hyper(),
    flag("nesterov", "use Nesterov momentum"),
)
MOMENTUM, DAMPENING, WEIGHT_DECAY, NESTEROV = slots(
    HYPERS, "momentum", "dampening", "weight_decay", "nesterov"
)
# Rows of state: the momentum buffer b; (column 0) whether b has started.
BUFFER, STARTED = range(2)
STATE_ROWS = 2


@inline
def sgd_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.SGD`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        momentum, dampening = H[MOMENTUM, j], H[DAMPENING, j]
        weight_decay, nesterov = H[WEIGHT_DECAY, j], H[NESTEROV, j]
        lr = LR[j]
        started = S[STARTED, 0, j] != 0.0
        for i in range(2):
            g = G[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * P[i, j]
            if momentum != 0.0:
                buf = S[BUFFER, i, j] * momentum + (1.0 - dampening) * g if started else g
                S[BUFFER, i, j] = buf
                g = g + momentum * buf if nesterov != 0.0 else buf
            P[i, j] = P[i, j] - lr * g
        if momentum != 0.0:
            S[STARTED, 0, j] = 1.0


def _check_nesterov(name, values):
    if values["nesterov"] and (values["momentum"] <= 0 or values["dampening"] != 0):
        raise ValueError(
            f"{name}: Nesterov momentum needs momentum > 0 and dampening = 0 "
            f"(got momentum={values['momentum']}, dampening={values['dampening']})"
        )


_BOX = r"""
\begin{{aligned}}
&\textbf{{input: }} \gamma \text{{ (lr)}},\ \theta_0,\ f(\theta),\ \lambda \text{{ (weight decay)}}{inputs}\\
&\textbf{{for }} t = 1, 2, \dots \textbf{{ do}}\\
&\quad g_t \leftarrow \nabla f(\theta_{{t-1}}) + \lambda\,\theta_{{t-1}}\\
{body}
&\textbf{{return }} \theta_t
\end{{aligned}}"""

_PLAIN = r"&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t\\"
_MOMENTUM = r"""&\quad b_t \leftarrow \mu\, b_{t-1} + (1 - \tau)\, g_t \quad (b_1 = g_1)\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, b_t\\"""
_NESTEROV = r"""&\quad b_t \leftarrow \mu\, b_{t-1} + g_t \quad (b_1 = g_1)\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, (g_t + \mu\, b_t)\\"""

# PyTorch keeps a momentum buffer only when the momentum is not 0.
STATE = (
    coordinates(
        "momentum_buffer",
        BUFFER,
        "b_t, the momentum buffer: b_1 = g_1, then mu b_{t-1} + (1 - tau) g_t (g_t after "
        "weight decay); the update is -lr b_t, or -lr (g_t + mu b_t) with Nesterov",
        present=lambda values: values["momentum"] != 0.0,
    ),
)

_SOURCE = "torch.optim.SGD (PyTorch); Nesterov form of Sutskever et al. 2013 as PyTorch writes it"

SPECS = (
    OptimizerSpec(
        name="sgd",
        title="SGD",
        rule=sgd_step,
        hypers=HYPERS,
        algorithm=_BOX.format(
            inputs=r",\ \mu \text{ (momentum)},\ \tau \text{ (dampening)}",
            body=_PLAIN + "\n" + r"&\quad \text{(with } \mu > 0 \text{: the update of SGD + momentum)}\\",
        ),
        source=_SOURCE,
        summary="Steps straight down the gradient: slow along flat valleys, unstable across "
        "steep ones.",
        state_rows=lambda values: STATE_ROWS,
        state=STATE,
        momentum_slot="momentum",
        check=_check_nesterov,
    ),
    OptimizerSpec(
        name="momentum",
        title="SGD + momentum",
        rule=sgd_step,
        hypers=HYPERS,
        defaults={"momentum": 0.9},
        fixed={"nesterov": False},
        algorithm=_BOX.format(
            inputs=r",\ \mu \text{ (momentum)},\ \tau \text{ (dampening)}", body=_MOMENTUM
        ),
        source=_SOURCE,
        summary="A heavy ball: velocity builds up along consistent directions and "
        "overshoots where the valley bends.",
        state_rows=lambda values: STATE_ROWS,
        state=STATE,
        momentum_slot="momentum",
    ),
    OptimizerSpec(
        name="nesterov",
        title="SGD + Nesterov",
        rule=sgd_step,
        hypers=HYPERS,
        defaults={"momentum": 0.9},
        fixed={"nesterov": True, "dampening": 0.0},
        algorithm=_BOX.format(inputs=r",\ \mu \text{ (momentum)}", body=_NESTEROV),
        source=_SOURCE,
        summary="Momentum that looks ahead: it brakes before the overshoot, so it "
        "oscillates less than plain momentum.",
        state_rows=lambda values: STATE_ROWS,
        state=STATE,
        momentum_slot="momentum",
        check=_check_nesterov,
    ),
)
