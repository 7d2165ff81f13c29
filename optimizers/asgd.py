"""Averaged SGD (``torch.optim.ASGD``), as PyTorch's single-tensor (CPU) code computes it.

The path drawn is the parameters themselves, which take SGD steps with the decaying rate
eta_t (and a shrink by ``1 - lambd * eta_t``). PyTorch also keeps the running average of
the iterates (``ax``, from step ``t0`` on) in its state but never moves the parameters to
it; the kernel keeps it likewise, so its state is PyTorch's.

Note that eta for step t is computed at the end of step t - 1 from that step's lr (the
first step uses lr itself), exactly as PyTorch does, so a schedule acts one step late.
"""

from parameters import Param
from surfaces._jit import inline

from .recording import coordinates, scalar
from .specs import OptimizerSpec, lr_hyper, slots

HYPERS = (
    lr_hyper(1e-2),
    Param(
        "lambd",
        1e-4,
        "decay term: eta_t = lr / (1 + lambd lr t)^alpha",
        low=0.0,
        ui=(0.0, 1.0),
        symbol=r"\lambda",
    ),
    Param("alpha", 0.75, "power of the eta decay", low=0.0, ui=(0.0, 1.0), symbol=r"\alpha"),
    Param("t0", 1e6, "step at which averaging starts", low=0.0, ui=(0.0, 1000.0), symbol=r"t_0"),
    Param(
        "weight_decay",
        0.0,
        "L2 penalty added to the gradient",
        low=0.0,
        ui=(0.0, 0.1),
        symbol=r"\omega",
    ),
)
LAMBD, ALPHA, T0, WEIGHT_DECAY = slots(HYPERS, "lambd", "alpha", "t0", "weight_decay")
# Rows of state: the averaged iterate ax; (eta, mu), mu the averaging weight.
AVERAGE, RATES = range(2)
STATE_ROWS = 2


@inline
def asgd_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.ASGD`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        lambd, alpha, t0, weight_decay = H[LAMBD, j], H[ALPHA, j], H[T0, j], H[WEIGHT_DECAY, j]
        lr = LR[j]
        if t == 1:
            eta, mu = lr, 1.0
        else:
            eta, mu = S[RATES, 0, j], S[RATES, 1, j]
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * p
            p = p * (1.0 - lambd * eta)
            p = p + (-eta) * g
            P[i, j] = p
            if mu != 1.0:
                S[AVERAGE, i, j] = S[AVERAGE, i, j] + (p - S[AVERAGE, i, j]) * mu
            else:
                S[AVERAGE, i, j] = p
        step = float(t)
        S[RATES, 0, j] = lr / ((1.0 + lambd * lr * step) ** alpha)
        S[RATES, 1, j] = 1.0 / max(1.0, step - t0)


# State, by PyTorch's names: eta and mu are those of the next step, as PyTorch keeps them.
STATE = (
    scalar("eta", RATES, 0, "eta_{t+1} = lr / (1 + lambda lr t)^alpha, the next step's rate"),
    scalar("mu", RATES, 1, "mu_{t+1} = 1 / max(1, t - t0), the next averaging weight"),
    coordinates("ax", AVERAGE, "theta_bar_t, the averaged iterate (theta_t itself while mu_t = 1)"),
)


_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ \lambda \text{ (lambd)},\ \alpha \text{ (alpha)},\ t_0 \text{ (t0)},\ \omega \text{ (weight decay)}\\
&\textbf{initialize: } \eta_1 \leftarrow \gamma,\ \mu_1 \leftarrow 1,\ \bar\theta_0 \leftarrow 0\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega\,\theta_{t-1}\\
&\quad \theta_t \leftarrow (1 - \lambda \eta_t)\, \theta_{t-1} - \eta_t\, g_t\\
&\quad \bar\theta_t \leftarrow \bar\theta_{t-1} + \mu_t (\theta_t - \bar\theta_{t-1}) \quad (\bar\theta_t \leftarrow \theta_t \text{ while } \mu_t = 1)\\
&\quad \eta_{t+1} \leftarrow \gamma / (1 + \lambda \gamma t)^{\alpha},\ \ \mu_{t+1} \leftarrow 1 / \max(1,\ t - t_0)\\
&\textbf{return } \theta_t \text{ (the path; PyTorch keeps } \bar\theta_t \text{ in its state)}
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="asgd",
        title="ASGD",
        rule=asgd_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source="torch.optim.ASGD (PyTorch), after Polyak & Juditsky 1992",
        summary="SGD with a slowly decaying rate and a shrink towards the origin; the "
        "averaged iterate PyTorch computes from step t0 on is not the path shown, so it "
        "looks like plain SGD.",
        state_rows=lambda values: STATE_ROWS,
        state=STATE,
    ),
)
