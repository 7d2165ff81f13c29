"""Adam and its variants (``torch.optim.Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam``)."""

import math

import numpy as np

from parameters import Param
from surfaces._jit import inline, inner

from ._math import bias_correction, lerp
from .recording import StateEntry, bias_corrections, coordinates, inverse_rms, scalar
from .specs import OptimizerSpec, betas_hyper, eps_hyper, flag, lr_hyper, slots, weight_decay_hyper


def _decoupled(help):
    return flag("decoupled_weight_decay", help, r"\text{decoupled}")


# Rows of state of every rule here: the first moment m, the second moment v (Adamax: the
# infinity norm u).
M, V = range(2)

ADAM_HYPERS = (
    lr_hyper(1e-3),
    betas_hyper(),
    eps_hyper(1e-8),
    weight_decay_hyper(),
    flag("amsgrad", "keep the running maximum of v (AMSGrad)"),
    _decoupled("decay the weights directly (AdamW)"),
)
ADAM_BETAS, ADAM_EPS, ADAM_WEIGHT_DECAY, ADAM_AMSGRAD, ADAM_DECOUPLED = slots(
    ADAM_HYPERS, "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay"
)
# Rows of state after m and v: the running maximum of v (AMSGrad); this step's
# (1 - beta1^t, sqrt(1 - beta2^t)) per lane when the lanes' betas differ.
V_MAX, CORRECTIONS = 2, 3
ADAM_STATE_ROWS = 4

# Adam's rule is written so that its loop over lanes vectorizes (SIMD): branches inside
# the loop choose between values, or depend on flags that are the same in every lane
# (run_batch takes one value of a bool hyperparameter per batch), and the powers of the
# betas are computed once per stretch of lanes that share them.


@inner
def _decay_factors(lr, weight_decay, decoupled):
    """``(l2, shrink)``: weight decay as L2 (``g + l2 theta``) or decoupled (``shrink theta``)."""
    if decoupled:
        return 0.0, 1.0 - lr * weight_decay
    return weight_decay, 1.0


@inner
def _decay_and_moments(p, g, m, v, l2, shrink, beta1, beta2):
    """Weight decay, then Adam's moment averages, for one coordinate.

    Decay is L2 (``g + lambda theta``) or decoupled (``theta (1 - gamma lambda)``), from
    ``_decay_factors``; then ``m = beta1 m + (1 - beta1) g`` and ``v = beta2 v + (1 - beta2)
    g^2``. Returns ``(theta, g, m, v)``. Scalars in and out: a helper taking the arrays
    would keep the loop over lanes from vectorizing (reference counting in the loop).
    """
    if l2 != 0.0:
        g = g + l2 * p
    if shrink != 1.0:
        p = p * shrink
    return p, g, lerp(m, g, 1.0 - beta1), v * beta2 + (1.0 - beta2) * g * g


@inline
def _bias_corrections(H, S, t):
    """``(shared, 1 - beta1^t, sqrt(1 - beta2^t))`` when every lane has the same betas;
    otherwise ``shared`` is False and each lane's values are in ``S[CORRECTIONS]``.

    A value is computed once per stretch of lanes with the same beta: the power and the
    logarithm inside do not vectorize, and per lane they would cost more than the rest of
    the step. Indexing the arrays (no row views) keeps the one-lane runner free of
    reference counting (views made it 1.6x slower).
    """
    beta1, beta2 = H[ADAM_BETAS, 0], H[ADAM_BETAS + 1, 0]
    shared = True
    for j in range(H.shape[1]):
        shared &= (H[ADAM_BETAS, j] == beta1) & (H[ADAM_BETAS + 1, j] == beta2)
    correction1 = bias_correction(beta1, t)
    correction2 = math.sqrt(bias_correction(beta2, t))
    if not shared:
        for j in range(H.shape[1]):
            if H[ADAM_BETAS, j] != beta1:
                beta1 = H[ADAM_BETAS, j]
                correction1 = bias_correction(beta1, t)
            if H[ADAM_BETAS + 1, j] != beta2:
                beta2 = H[ADAM_BETAS + 1, j]
                correction2 = math.sqrt(bias_correction(beta2, t))
            S[CORRECTIONS, 0, j], S[CORRECTIONS, 1, j] = correction1, correction2
    return shared, correction1, correction2


@inline
def adam_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Adam`` step (AMSGrad and decoupled decay by flag) on every lane."""
    shared, correction1, correction2 = _bias_corrections(H, S, t)
    # flags: the same in every lane
    amsgrad, decoupled = H[ADAM_AMSGRAD, 0] != 0.0, H[ADAM_DECOUPLED, 0] != 0.0
    for j in range(P.shape[1]):
        beta1, beta2 = H[ADAM_BETAS, j], H[ADAM_BETAS + 1, j]
        eps, weight_decay = H[ADAM_EPS, j], H[ADAM_WEIGHT_DECAY, j]
        lr = LR[j]
        step_size = lr / (correction1 if shared else S[CORRECTIONS, 0, j])
        bias_correction2_sqrt = correction2 if shared else S[CORRECTIONS, 1, j]
        l2, shrink = _decay_factors(lr, weight_decay, decoupled)
        for i in range(2):
            p, g, m, v = _decay_and_moments(
                P[i, j], G[i, j], S[M, i, j], S[V, i, j], l2, shrink, beta1, beta2
            )
            S[M, i, j], S[V, i, j] = m, v
            if amsgrad:
                v = max(S[V_MAX, i, j], v)
                S[V_MAX, i, j] = v
            denom = math.sqrt(v) / bias_correction2_sqrt + eps
            P[i, j] = p + (-step_size) * m / denom


# Adamax, NAdam and RAdam follow the single-tensor (CPU) code path of PyTorch operation by
# operation. Powers ``beta**t`` are taken with a float exponent as Python does (Numba's
# integer power rounds differently) and replaced by 0 before they turn denormal.

# Below this, 1 - x == 1.0 exactly, so NAdam's running product of mu can be set to 0.
_NEGLIGIBLE = 2.0**-60

ADAMAX_HYPERS = (
    lr_hyper(2e-3),
    betas_hyper(help="decay rates of the first moment and of the infinity norm"),
    eps_hyper(1e-8, "added to |g| inside the running maximum"),
    weight_decay_hyper(),
)
ADAMAX_BETAS, ADAMAX_EPS, ADAMAX_WEIGHT_DECAY = slots(ADAMAX_HYPERS, "betas", "eps", "weight_decay")
# Rows of state: m, and the exponentially weighted infinity norm u in the row of v.
ADAMAX_STATE_ROWS = 2

NADAM_HYPERS = (
    lr_hyper(2e-3),
    betas_hyper(),
    eps_hyper(1e-8),
    weight_decay_hyper(),
    Param(
        "momentum_decay",
        4e-3,
        "how fast the momentum factor mu_t rises towards beta1",
        low=0.0,
        symbol=r"\psi",
        ui=(0.0, 0.1),
    ),
    _decoupled("decay the weights directly (as AdamW)"),
)
NADAM_BETAS, NADAM_EPS, NADAM_WEIGHT_DECAY, NADAM_MOMENTUM_DECAY, NADAM_DECOUPLED = slots(
    NADAM_HYPERS, "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay"
)
# Rows of state after m and v: (column 0) the product of mu_1..mu_t.
MU_PRODUCT = 2
NADAM_STATE_ROWS = 3

RADAM_HYPERS = (
    lr_hyper(1e-3),
    betas_hyper(),
    eps_hyper(1e-8),
    weight_decay_hyper(),
    _decoupled("decay the weights directly (as AdamW)"),
)
RADAM_BETAS, RADAM_EPS, RADAM_WEIGHT_DECAY, RADAM_DECOUPLED = slots(
    RADAM_HYPERS, "betas", "eps", "weight_decay", "decoupled_weight_decay"
)
RADAM_STATE_ROWS = 2  # m and v


@inner
def _power(base, exponent):
    """``base**exponent`` for ``0 <= base < 1``, ``exponent > 0``, as Python's float power.

    Returns 0.0 where the power drops below about 1e-300 (no denormals, ~7x slower): every
    use adds it to or subtracts it from numbers of order 1, so the results do not change.
    """
    if base <= 0.0 or exponent * math.log(base) < -690.0:
        return 0.0
    return base**exponent


@inline
def adamax_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.Adamax`` step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        beta1, beta2 = H[ADAMAX_BETAS, j], H[ADAMAX_BETAS + 1, j]
        eps, weight_decay = H[ADAMAX_EPS, j], H[ADAMAX_WEIGHT_DECAY, j]
        clr = LR[j] / (1.0 - _power(beta1, float(t)))
        for i in range(2):
            g = G[i, j]
            p = P[i, j]
            if weight_decay != 0.0:
                g = g + weight_decay * p
            m = lerp(S[M, i, j], g, 1.0 - beta1)
            decayed = S[V, i, j] * beta2
            floor = abs(g) + eps
            u = decayed if decayed >= floor or decayed != decayed else floor  # torch.maximum
            S[M, i, j] = m
            S[V, i, j] = u
            P[i, j] = p + (-clr) * m / u


@inline
def nadam_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.NAdam`` step (decoupled decay by flag) on every lane."""
    for j in range(P.shape[1]):
        beta1, beta2 = H[NADAM_BETAS, j], H[NADAM_BETAS + 1, j]
        eps, weight_decay = H[NADAM_EPS, j], H[NADAM_WEIGHT_DECAY, j]
        momentum_decay, decoupled = H[NADAM_MOMENTUM_DECAY, j], H[NADAM_DECOUPLED, j] != 0.0
        lr = LR[j]
        step = float(t)
        bias_correction2 = 1.0 - _power(beta2, step)
        mu = beta1 * (1.0 - 0.5 * _power(0.96, step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * _power(0.96, (step + 1.0) * momentum_decay))
        mu_product = (S[MU_PRODUCT, 0, j] if t > 1 else 1.0) * mu
        if mu_product < _NEGLIGIBLE:
            mu_product = 0.0
        S[MU_PRODUCT, 0, j] = mu_product
        mu_product_next = mu_product * mu_next
        grad_scale = -lr * (1.0 - mu) / (1.0 - mu_product)
        momentum_scale = (-lr * mu_next) / (1.0 - mu_product_next)
        l2, shrink = _decay_factors(lr, weight_decay, decoupled)
        for i in range(2):
            p, g, m, v = _decay_and_moments(
                P[i, j], G[i, j], S[M, i, j], S[V, i, j], l2, shrink, beta1, beta2
            )
            S[M, i, j], S[V, i, j] = m, v
            denom = math.sqrt(v / bias_correction2) + eps
            p = p + grad_scale * g / denom
            P[i, j] = p + momentum_scale * m / denom


@inline
def radam_step(P, G, S, H, LR, t, sid, sp):
    """One ``torch.optim.RAdam`` step (decoupled decay by flag) on every lane."""
    for j in range(P.shape[1]):
        beta1, beta2 = H[RADAM_BETAS, j], H[RADAM_BETAS + 1, j]
        eps, weight_decay = H[RADAM_EPS, j], H[RADAM_WEIGHT_DECAY, j]
        decoupled = H[RADAM_DECOUPLED, j] != 0.0
        lr = LR[j]
        step = float(t)
        beta2_t = _power(beta2, step)
        bias_correction1 = 1.0 - _power(beta1, step)
        bias_correction2 = 1.0 - beta2_t
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * step * beta2_t / bias_correction2
        rectified = rho_t > 5.0
        rect = 0.0
        bias_correction2_sqrt = 0.0
        if rectified:
            rect = (
                (rho_t - 4.0)
                * (rho_t - 2.0)
                * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            ) ** 0.5
            bias_correction2_sqrt = bias_correction2**0.5
        l2, shrink = _decay_factors(lr, weight_decay, decoupled)
        for i in range(2):
            p, g, m, v = _decay_and_moments(
                P[i, j], G[i, j], S[M, i, j], S[V, i, j], l2, shrink, beta1, beta2
            )
            S[M, i, j], S[V, i, j] = m, v
            m_hat = m / bias_correction1
            if rectified:
                adaptive = bias_correction2_sqrt / (math.sqrt(v) + eps)
                P[i, j] = p + (-1.0) * (m_hat * lr * adaptive * rect)
            else:
                P[i, j] = p + (-1.0) * (m_hat * lr)


# ---------------------------------------------------------------- state, by PyTorch's names
# ``scale``: the per-coordinate factor of the (bias-corrected) first moment in the update,
# the learning rate left out; computed from the recorded moments as the rules compute it.


def _adam_scale(rec):
    v = rec.rows[V_MAX if rec.values["amsgrad"] else V]
    return inverse_rms(v, rec.values["eps"], rec.out, beta=rec.values["betas"][1])


def _adamax_scale(rec):
    return np.reciprocal(rec.rows[V], out=rec.out)


def _nadam_scale(rec):
    return inverse_rms(rec.rows[V], rec.values["eps"], rec.out, beta=rec.values["betas"][1])


def _radam_scale(rec):
    beta2, t = rec.values["betas"][1], np.arange(1.0, rec.steps + 1)[:, None]
    correction = bias_corrections(beta2, rec.steps)[:, None]
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * (1.0 - correction) / correction
    rectified = rho_t > 5.0
    rho = np.where(rectified, rho_t, 5.0)  # no square root of a negative where unused
    rect = np.sqrt((rho - 4.0) * (rho - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho))
    adaptive = np.sqrt(correction) / (np.sqrt(rec.rows[V]) + rec.values["eps"])
    return np.where(rectified, rect * adaptive, 1.0)


_EXP_AVG = coordinates("exp_avg", M, "m_t, the first moment: beta1 m_{t-1} + (1 - beta1) g_t")
_EXP_AVG_SQ = coordinates(
    "exp_avg_sq", V, "v_t, the second moment: beta2 v_{t-1} + (1 - beta2) g_t^2"
)
ADAM_STATE = (
    _EXP_AVG,
    _EXP_AVG_SQ,
    coordinates(
        "max_exp_avg_sq",
        V_MAX,
        "v_t^max = max(v_{t-1}^max, v_t), AMSGrad only",
        present=lambda values: values["amsgrad"],
    ),
    StateEntry(
        "scale",
        "1 / (sqrt(v_t / (1 - beta2^t)) + eps), with v_t^max for AMSGrad: the update is "
        "-lr m_hat_t scale, m_hat_t = m_t / (1 - beta1^t) (AdamW first shrinks theta by "
        "lr lambda theta)",
        _adam_scale,
        V + 1,  # AMSGrad's V_MAX is recorded for max_exp_avg_sq, present then
    ),
)
ADAMAX_STATE = (
    _EXP_AVG,
    coordinates("exp_inf", V, "u_t, the infinity norm: max(beta2 u_{t-1}, |g_t| + eps)"),
    StateEntry(
        "scale",
        "1 / u_t: the update is -lr m_t / (1 - beta1^t) scale",
        _adamax_scale,
        V + 1,
    ),
)
NADAM_STATE = (
    _EXP_AVG,
    _EXP_AVG_SQ,
    scalar(
        "mu_product",
        MU_PRODUCT,
        0,
        "Pi_t = mu_1 ... mu_t (0 once below 2^-60, where 1 - Pi_t is exactly 1)",
    ),
    StateEntry(
        "scale",
        "1 / (sqrt(v_t / (1 - beta2^t)) + eps): the update is -lr m_hat_t scale, with "
        "NAdam's m_hat_t of the algorithm (decoupled decay shrinks theta first)",
        _nadam_scale,
        V + 1,
    ),
)
RADAM_STATE = (
    _EXP_AVG,
    _EXP_AVG_SQ,
    StateEntry(
        "scale",
        "r_t sqrt(1 - beta2^t) / (sqrt(v_t) + eps) once rho_t > 5, else 1: the update is "
        "-lr m_hat_t scale, m_hat_t = m_t / (1 - beta1^t) (decoupled decay shrinks theta "
        "first)",
        _radam_scale,
        V + 1,
    ),
)


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


_ADAMAX_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0,\ f(\theta),\ \lambda \text{ (weight decay)},\ \epsilon\\
&\textbf{initialize: } m_0 \leftarrow 0,\ u_0 \leftarrow 0\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda\,\theta_{t-1}\\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
&\quad u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon)\\
&\quad \theta_t \leftarrow \theta_{t-1} - \dfrac{\gamma\, m_t}{(1 - \beta_1^t)\, u_t}\\
&\textbf{return } \theta_t
\end{aligned}"""

_NADAM_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0,\ f(\theta),\ \lambda \text{ (weight decay)},\ \psi \text{ (momentum decay)},\ \text{decoupled},\ \epsilon\\
&\textbf{initialize: } m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ \Pi_0 \leftarrow 1\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1})\\
&\quad \textbf{if } \text{decoupled} \textbf{: } \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda\, \theta_{t-1} \quad \textbf{else: } g_t \leftarrow g_t + \lambda\, \theta_{t-1}\\
&\quad \mu_t \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{t \psi}\big),\ \ \mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac12\, 0.96^{(t+1) \psi}\big)\\
&\quad \Pi_t \leftarrow \Pi_{t-1}\, \mu_t\\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2\\
&\quad \hat m_t \leftarrow \dfrac{\mu_{t+1}\, m_t}{1 - \Pi_t\, \mu_{t+1}} + \dfrac{(1 - \mu_t)\, g_t}{1 - \Pi_t}\\
&\quad \hat v_t \leftarrow v_t / (1 - \beta_2^t)\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)\\
&\textbf{return } \theta_t
\end{aligned}"""

_RADAM_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0,\ f(\theta),\ \lambda \text{ (weight decay)},\ \text{decoupled},\ \epsilon\\
&\textbf{initialize: } m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ \rho_\infty \leftarrow 2 / (1 - \beta_2) - 1\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1})\\
&\quad \textbf{if } \text{decoupled} \textbf{: } \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda\, \theta_{t-1} \quad \textbf{else: } g_t \leftarrow g_t + \lambda\, \theta_{t-1}\\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1)\, g_t\\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2\\
&\quad \hat m_t \leftarrow m_t / (1 - \beta_1^t)\\
&\quad \rho_t \leftarrow \rho_\infty - 2 t\, \beta_2^t / (1 - \beta_2^t)\\
&\quad \textbf{if } \rho_t > 5 \textbf{ then}\\
&\qquad l_t \leftarrow \sqrt{1 - \beta_2^t} / (\sqrt{v_t} + \epsilon)\\
&\qquad r_t \leftarrow \sqrt{\dfrac{(\rho_t - 4)(\rho_t - 2)\, \rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\, \rho_t}}\\
&\qquad \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t\, r_t\, l_t\\
&\quad \textbf{else: } \theta_t \leftarrow \theta_{t-1} - \gamma\, \hat m_t\\
&\textbf{return } \theta_t
\end{aligned}"""


SPECS = (
    OptimizerSpec(
        name="adam",
        title="Adam",
        rule=adam_step,
        hypers=ADAM_HYPERS,
        fixed={"amsgrad": False, "decoupled_weight_decay": False},
        algorithm=_adam_box(decoupled=False, amsgrad=False),
        source="torch.optim.Adam (PyTorch), after Kingma & Ba 2015",
        summary="Momentum divided by a running RMS of the gradient: steps of about lr in "
        "every direction, whatever the scale of the slope.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        state=ADAM_STATE,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="amsgrad",
        title="AMSGrad",
        rule=adam_step,
        hypers=ADAM_HYPERS,
        fixed={"amsgrad": True, "decoupled_weight_decay": False},
        algorithm=_adam_box(decoupled=False, amsgrad=True),
        source="torch.optim.Adam(amsgrad=True) (PyTorch), after Reddi et al. 2018",
        summary="Adam whose denominator never shrinks: steps can only get smaller, which "
        "tames Adam's late bursts.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        state=ADAM_STATE,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="adamw",
        title="AdamW",
        rule=adam_step,
        hypers=ADAM_HYPERS,
        defaults={"weight_decay": 1e-2},
        fixed={"amsgrad": False, "decoupled_weight_decay": True},
        algorithm=_adam_box(decoupled=True, amsgrad=False),
        source="torch.optim.AdamW (PyTorch), after Loshchilov & Hutter 2019",
        summary="Adam with weight decay applied to the weights directly, not mixed into "
        "the adaptive gradient: pulls towards the origin at a steady rate.",
        state_rows=lambda values: ADAM_STATE_ROWS,
        state=ADAM_STATE,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="adamax",
        title="Adamax",
        rule=adamax_step,
        hypers=ADAMAX_HYPERS,
        algorithm=_ADAMAX_BOX,
        source="torch.optim.Adamax (PyTorch), after Kingma & Ba 2015 (section 7.1)",
        summary="Adam with the RMS replaced by a slowly decaying maximum of |g|: one steep "
        "gradient keeps the steps small for a long while afterwards.",
        state_rows=lambda values: ADAMAX_STATE_ROWS,
        state=ADAMAX_STATE,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="nadam",
        title="NAdam",
        rule=nadam_step,
        hypers=NADAM_HYPERS,
        algorithm=_NADAM_BOX,
        source="torch.optim.NAdam (PyTorch), after Dozat 2016",
        summary="Adam with Nesterov look-ahead momentum; the momentum factor starts near "
        "beta1 / 2 and creeps up to beta1 only over thousands of steps (momentum_decay), so "
        "it overshoots less than Adam.",
        state_rows=lambda values: NADAM_STATE_ROWS,
        state=NADAM_STATE,
        momentum_slot="betas",
    ),
    OptimizerSpec(
        name="radam",
        title="RAdam",
        rule=radam_step,
        hypers=RADAM_HYPERS,
        algorithm=_RADAM_BOX,
        source="torch.optim.RAdam (PyTorch), after Liu et al. 2020",
        summary="Adam that skips the division by the RMS while too few gradients have been "
        "seen (rho_t <= 5: the first 5 steps with beta2 = 0.999): those steps are lr times "
        "the raw averaged gradient, so a steep start jumps far.",
        state_rows=lambda values: RADAM_STATE_ROWS,
        state=RADAM_STATE,
        momentum_slot="betas",
    ),
)
