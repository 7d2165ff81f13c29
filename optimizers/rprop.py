"""Resilient backpropagation (``torch.optim.Rprop``).

Only the sign of the gradient is used. Each coordinate keeps its own step size, which
starts at ``lr`` (at the first step, as PyTorch initialises its state) and is multiplied
by ``etaplus`` while the gradient keeps its sign and by ``etaminus`` when it flips, within
``step_sizes``. After a flip the coordinate does not move and its gradient is forgotten
(PyTorch's variant, iRprop-). A learning-rate schedule has no effect after the first step.
"""

from parameters import Param
from surfaces._jit import inline

from .recording import coordinates
from .specs import OptimizerSpec, lr_hyper, slots

HYPERS = (
    lr_hyper(1e-2),
    Param(
        "etas",
        (0.5, 1.2),
        "step-size factors (etaminus, etaplus) after a sign flip and after a repeat",
        low=0.0,
        open_low=True,
        ui=(0.1, 2.0),
        symbol=(r"\eta_-", r"\eta_+"),
    ),
    Param(
        "step_sizes",
        (1e-6, 50.0),
        "smallest and largest allowed step size",
        low=0.0,
        ui=(1e-8, 100.0),
        log=True,
        symbol=(r"\Gamma_{\min}", r"\Gamma_{\max}"),
    ),
)
ETAS, STEP_SIZES = slots(HYPERS, "etas", "step_sizes")
# Rows of state: the previous (masked) gradient, the per-coordinate step sizes.
PREVIOUS, SIZE = range(2)
STATE_ROWS = 2


@inline
def rprop_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Rprop`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        etaminus, etaplus = H[ETAS, j], H[ETAS + 1, j]
        step_size_min, step_size_max = H[STEP_SIZES, j], H[STEP_SIZES + 1, j]
        for i in range(2):
            g = G[i, j]
            if t == 1:
                prev, size = 0.0, LR[j]
            else:
                prev, size = S[PREVIOUS, i, j], S[SIZE, i, j]
            direction = g * prev
            if direction > 0.0:
                factor = etaplus
            elif direction < 0.0:
                factor = etaminus
            elif direction == 0.0:
                factor = 1.0
            else:  # NaN stays NaN, as torch's sign does
                factor = direction
            # torch.clamp(x, min, max) = min(max(x, min), max), NaN kept
            size = size * factor
            if size < step_size_min:
                size = step_size_min
            if size > step_size_max:
                size = step_size_max
            if factor == etaminus:
                g = 0.0
            S[PREVIOUS, i, j] = g
            S[SIZE, i, j] = size
            sign = 1.0 if g > 0.0 else (-1.0 if g < 0.0 else g)  # torch.sign (0 and NaN kept)
            P[i, j] = P[i, j] + (-1.0 * sign) * size


# State, by PyTorch's names. No ``scale``: the update is -step_size sign(g), whatever |g|.
STATE = (
    coordinates("prev", PREVIOUS, "g_t, this step's gradient, 0 where its sign flipped"),
    coordinates(
        "step_size", SIZE, "Delta_t, each coordinate's step: the update is -Delta_t sign(g_t)"
    ),
)


def _check_etas(name, values):
    etaminus, etaplus = values["etas"]
    if not 0.0 < etaminus < 1.0 < etaplus:
        raise ValueError(
            f"{name}: etas={tuple(values['etas'])!r} is out of range; "
            "allowed: 0 < etas[0] < 1 < etas[1]"
        )
    low, high = values["step_sizes"]
    if low > high:
        raise ValueError(
            f"{name}: step_sizes={tuple(values['step_sizes'])!r} is out of order; "
            "allowed: step_sizes[0] <= step_sizes[1]"
        )


_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\ \eta_-, \eta_+ \text{ (etas)},\ \Gamma_{\min}, \Gamma_{\max} \text{ (step sizes)}\\
&\textbf{initialize: } g_0 \leftarrow 0,\ \Delta_0 \leftarrow \gamma \text{ (per coordinate)}\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1})\\
&\quad \textbf{for each coordinate } i \textbf{:}\\
&\qquad \textbf{if } g^i_{t-1} g^i_t > 0 \textbf{: } \Delta^i_t \leftarrow \min(\eta_+ \Delta^i_{t-1},\ \Gamma_{\max})\\
&\qquad \textbf{else if } g^i_{t-1} g^i_t < 0 \textbf{: } \Delta^i_t \leftarrow \max(\eta_- \Delta^i_{t-1},\ \Gamma_{\min}),\ \ g^i_t \leftarrow 0\\
&\qquad \textbf{else: } \Delta^i_t \leftarrow \Delta^i_{t-1}\\
&\quad \theta_t \leftarrow \theta_{t-1} - \Delta_t\, \operatorname{sign}(g_t)\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="rprop",
        title="Rprop",
        rule=rprop_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source="torch.optim.Rprop (PyTorch), after Riedmiller & Braun 1993",
        summary="Ignores the gradient's size and uses only its sign: each coordinate's step "
        "grows by etaplus while the sign holds and shrinks by etaminus when it flips, so it "
        "moves in axis-aligned zig-zags and lr only sets the first step.",
        state_rows=lambda values: STATE_ROWS,
        check=_check_etas,
        state=STATE,
    ),
)
