"""Adam and its variants (``torch.optim.Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam``)."""

import math

from surfaces._jit import inline

from ._math import bias_correction, lerp
from .specs import Hyper, OptimizerSpec, betas_hyper, eps_hyper, lr_hyper, weight_decay_hyper

ADAM = 1  # kernel ids, see _dispatch
ADAMAX = 2
NADAM = 3
RADAM = 4

ADAM_HYPERS = (
    lr_hyper(1e-3),
    betas_hyper(),
    eps_hyper(1e-8),
    weight_decay_hyper(),
    Hyper("amsgrad", False, "keep the running maximum of v (AMSGrad)", r"\text{amsgrad}",
          kind="bool"),
    Hyper("decoupled_weight_decay", False, "decay the weights directly (AdamW)",
          r"\text{decoupled}", kind="bool"),
)
# Rows of state: 0 first moment m, 1 second moment v, 2 running maximum of v.
ADAM_STATE_ROWS = 3


@inline
def adam_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Adam`` step (AMSGrad and decoupled decay by flag) on every lane."""
    for j in range(P.shape[1]):
        beta1, beta2, eps, weight_decay = H[1, j], H[2, j], H[3, j], H[4, j]
        amsgrad, decoupled = H[5, j] != 0.0, H[6, j] != 0.0
        lr = LR[j]
        step_size = lr / bias_correction(beta1, t)
        bias_correction2_sqrt = math.sqrt(bias_correction(beta2, t))
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                if decoupled:
                    p = p * (1.0 - lr * weight_decay)
                else:
                    g = g + weight_decay * p
            m = lerp(S[0, i, j], g, 1.0 - beta1)
            v = S[1, i, j] * beta2 + (1.0 - beta2) * g * g
            S[0, i, j] = m
            S[1, i, j] = v
            if amsgrad:
                v = max(S[2, i, j], v)
                S[2, i, j] = v
            denom = math.sqrt(v) / bias_correction2_sqrt + eps
            P[i, j] = p + (-step_size) * m / denom


@inline
def adamax_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


@inline
def nadam_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


@inline
def radam_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


_ADAM_BOX = r"""
\begin{{aligned}}
&\textbf{{input: }} \gamma \text{{ (lr)}},\ \beta_1, \beta_2 \text{{ (betas)}},\ \theta_0,\ f(\theta),\ \lambda \text{{ (weight decay)}},\ \epsilon\\
&\textbf{{initialize: }} m_0 \leftarrow 0,\ v_0 \leftarrow 0{init}\\
&\textbf{{for }} t = 1, 2, \dots \textbf{{ do}}\\
&\quad g_t \leftarrow \nabla f(\theta_{{t-1}})\\
{decay}
&\quad m_t \leftarrow \beta_1 m_{{t-1}} + (1 - \beta_1)\, g_t\\
&\quad v_t \leftarrow \beta_2 v_{{t-1}} + (1 - \beta_2)\, g_t^2\\
&\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t)\\
{second}
&\quad \theta_t \leftarrow \theta_{{t-1}} - \gamma\, \hat m_t / (\sqrt{{\hat v_t}} + \epsilon)\\
&\textbf{{return }} \theta_t
\end{{aligned}}"""
_L2 = r"&\quad g_t \leftarrow g_t + \lambda\,\theta_{t-1}\\"
_DECOUPLED = r"&\quad \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda\, \theta_{t-1}\\"
_PLAIN_V = r"&\quad \hat v_t \leftarrow v_t / (1 - \beta_2^t)\\"
_MAX_V = r"""&\quad v_t^{\max} \leftarrow \max(v_{t-1}^{\max}, v_t)\\
&\quad \hat v_t \leftarrow v_t^{\max} / (1 - \beta_2^t)\\"""


def _adam_box(decoupled, amsgrad):
    return _ADAM_BOX.format(
        init=r",\ v_0^{\max} \leftarrow 0" if amsgrad else "",
        decay=_DECOUPLED if decoupled else _L2,
        second=_MAX_V if amsgrad else _PLAIN_V,
    )


SPECS = (
    OptimizerSpec(
        name="adam",
        title="Adam",
        kernel=ADAM,
        hypers=ADAM_HYPERS,
        fixed={"decoupled_weight_decay": False},
        algorithm=_adam_box(decoupled=False, amsgrad=False),
        source="torch.optim.Adam (PyTorch), after Kingma & Ba 2015",
        summary="Momentum divided by a running RMS of the gradient: steps of about lr in "
        "every direction, whatever the scale of the slope.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="amsgrad",
        title="AMSGrad",
        kernel=ADAM,
        hypers=ADAM_HYPERS,
        fixed={"amsgrad": True, "decoupled_weight_decay": False},
        algorithm=_adam_box(decoupled=False, amsgrad=True),
        source="torch.optim.Adam(amsgrad=True) (PyTorch), after Reddi et al. 2018",
        summary="Adam whose denominator never shrinks: steps can only get smaller, which "
        "tames Adam's late bursts.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="adamw",
        title="AdamW",
        kernel=ADAM,
        hypers=ADAM_HYPERS,
        defaults={"weight_decay": 1e-2},
        fixed={"decoupled_weight_decay": True},
        algorithm=_adam_box(decoupled=True, amsgrad=False),
        source="torch.optim.AdamW (PyTorch), after Loshchilov & Hutter 2019",
        summary="Adam with weight decay applied to the weights directly, not mixed into "
        "the adaptive gradient: pulls towards the origin at a steady rate.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        momentum_slot="betas",
    ),
)
