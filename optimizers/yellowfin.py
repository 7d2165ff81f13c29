"""YellowFin (Zhang & Mitliagkas 2017, "YellowFin and the Art of Momentum Tuning").

Momentum SGD whose learning rate and momentum are tuned at every step from measurements of
the gradients (Algorithms 1-4 of the paper, the synchronous "open-loop" tuner):

* curvature range (Algorithm 2): ``h_t = ||g_t||^2``; its largest and smallest value over
  the last ``window`` steps, each smoothed with an exponential moving average;
* gradient variance ``C`` (Algorithm 3): ``sum(avg(g^2) - avg(g)^2)``;
* distance to the optimum ``D`` (Algorithm 4): the average of ``avg(||g||) / avg(||g||^2)``;
* SingleStep (Algorithm 1): ``sqrt(mu)`` minimises ``mu D^2 + alpha^2 C`` with
  ``alpha = (1 - sqrt(mu))^2 / h_min``, the real root ``x = 1 + y`` of the paper's cubic
  ``y^3 + p y + p = 0``, ``p = D^2 h_min^2 / (2 C)``; then ``mu`` is raised to at least
  ``((sqrt(h_max / h_min) - 1) / (sqrt(h_max / h_min) + 1))^2`` and
  ``alpha = (1 - sqrt(mu))^2 / h_min``;
* ``mu`` and ``alpha`` are smoothed with the same moving average, and the step is
  ``theta_{t+1} = theta_t - lr * alpha * g_t + mu * (theta_t - theta_{t-1})``.

Details taken here:

* every moving average (the curvature extremes, the gradient moments, the distance terms,
  and the smoothing of ``mu`` and ``alpha``) starts at zero and is read zero-debiased,
  ``avg / (1 - beta^t)``, as the paper does with Adam's correction; so the first step uses
  the first measurements (``mu = 0``, ``alpha = 1 / ||g_1||^2``);
* the window holds the last ``window`` values of ``h`` (the current one included);
* ``lr`` multiplies the tuned rate (1: YellowFin as published); a schedule scales it;
* the cubic's root is computed with the hyperbolic form of its Vieta/Cardano solution,
  ``y = -2 sqrt(p/3) sinh(asinh(1.5 sqrt(3/p)) / 3)``, equal to the paper's but without
  its cancellation when ``p`` is large (``C`` near 0), then polished by two Newton steps
  (``x = 1 + y`` is tiny there); ``C`` is clipped at 0 against rounding, and ``C = 0``
  (as at the first step) gives the root's limit ``sqrt(mu) = 0``;
* guard (not in the paper): until some gradient in the window is non-zero (``h_min = 0``)
  the tuner keeps its previous ``mu`` and ``alpha`` (zero at the start), so a run started
  at a stationary point stays there instead of dividing by zero;
* not included: the paper's adaptive gradient clipping and the closed-loop momentum
  control for asynchronous training (the runner's ``clip_norm`` is available);
* the momentum term is kept as the velocity ``v_t = theta_t - theta_{t-1}`` of the rule's
  own last step, so Lookahead's synchronisation does not count as a step.
"""

import math

from parameters import Param
from surfaces._jit import inline, inner

from ._math import bias_correction
from .recording import StateEntry, unbias
from .specs import OptimizerSpec, lr_hyper, slots

HYPERS = (
    lr_hyper(1.0, ui=(1e-2, 10.0)),
    Param(
        "beta",
        0.999,
        "decay of every moving average of the tuner",
        low=0.0,
        high=1.0,
        open_high=True,
        ui=(0.9, 0.9999),
        near_one=True,
        symbol=r"\beta",
    ),
    Param(
        "window",
        20,
        "width of the sliding window of the curvature range",
        low=1,
        high=1000,
        ui=(1, 100),
        kind="int",
        symbol="w",
    ),
)

BETA, WINDOW = slots(HYPERS, "beta", "window")
# Rows of state: the velocity v; the averages of (h_max, h_min); avg(g^2) and avg(g) per
# coordinate; the averages of (||g||, ||g||^2); the average of D (column 0); the smoothed
# (mu, alpha); from row _WINDOW on, column 0: the window of the last w values of h.
VELOCITY, CURVATURE, SQUARES, MEANS, NORMS, DISTANCE, TUNED = range(7)
_WINDOW = 7


def _state_rows(values):
    return _WINDOW + int(values["window"])


@inner
def sqrt_mu_root(p):
    """The root in [0, 1] of ``p x = (1 - x)^3``, i.e. ``1 + y`` with ``y^3 + p y + p = 0``."""
    if p == math.inf:
        return 0.0
    if not p > 1e-200:  # p -> 0: x -> 1 (below this, 1 - x rounds away)
        return 1.0
    y = -2.0 * math.sqrt(p / 3.0) * math.sinh(math.asinh(1.5 * math.sqrt(3.0 / p)) / 3.0)
    x = min(max(1.0 + y, 0.0), 1.0)
    if p > 1.0:
        # x < 0.32 and 1 + y loses its relative precision as p grows: Newton steps on
        # p x - (1 - x)^3 (slope >= p, curvature <= 6 on [0, 1]) restore it
        for _ in range(2):
            rest = 1.0 - x
            x -= (p * x - rest * rest * rest) / (p + 3.0 * rest * rest)
    return min(max(x, 0.0), 1.0)


@inline
def yellowfin_step(P, G, S, H, LR, t, sid, sp):
    """One YellowFin step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        beta = H[BETA, j]
        width = int(H[WINDOW, j])
        keep = 1.0 - beta
        debias = bias_correction(beta, t)
        gx, gy = G[0, j], G[1, j]
        h = gx * gx + gy * gy

        # Algorithm 2: curvature range over the sliding window, then smoothed
        S[_WINDOW + (t - 1) % width, 0, j] = h
        h_max_t = h
        h_min_t = h
        for k in range(min(t, width)):
            value = S[_WINDOW + k, 0, j]
            h_max_t = max(h_max_t, value)
            h_min_t = min(h_min_t, value)
        S[CURVATURE, 0, j] = beta * S[CURVATURE, 0, j] + keep * h_max_t
        S[CURVATURE, 1, j] = beta * S[CURVATURE, 1, j] + keep * h_min_t
        h_max = S[CURVATURE, 0, j] / debias
        h_min = S[CURVATURE, 1, j] / debias

        # Algorithm 3: gradient variance
        variance = 0.0
        for i in range(2):
            g = G[i, j]
            S[SQUARES, i, j] = beta * S[SQUARES, i, j] + keep * g * g
            S[MEANS, i, j] = beta * S[MEANS, i, j] + keep * g
            mean = S[MEANS, i, j] / debias
            variance += S[SQUARES, i, j] / debias - mean * mean
        variance = max(variance, 0.0)

        # Algorithm 4: distance to the optimum (the debias factors of the ratio cancel)
        S[NORMS, 0, j] = beta * S[NORMS, 0, j] + keep * math.sqrt(h)
        S[NORMS, 1, j] = beta * S[NORMS, 1, j] + keep * h
        ratio = S[NORMS, 0, j] / S[NORMS, 1, j] if S[NORMS, 1, j] > 0.0 else 0.0
        S[DISTANCE, 0, j] = beta * S[DISTANCE, 0, j] + keep * ratio
        distance = S[DISTANCE, 0, j] / debias

        # Algorithm 1: SingleStep and the robust-region bound
        if h_min > 0.0:
            if variance > 0.0:
                x = sqrt_mu_root(distance * distance * h_min * h_min / (2.0 * variance))
            else:
                x = 0.0
            root_kappa = math.sqrt(h_max / h_min)
            bound = (root_kappa - 1.0) / (root_kappa + 1.0)
            mu_t = max(x * x, bound * bound)
            one_minus = 1.0 - math.sqrt(mu_t)
            alpha_t = one_minus * one_minus / h_min
        elif t > 1:  # no curvature seen yet: keep the previous values
            previous = bias_correction(beta, t - 1)
            mu_t = S[TUNED, 0, j] / previous
            alpha_t = S[TUNED, 1, j] / previous
        else:
            mu_t = 0.0
            alpha_t = 0.0
        S[TUNED, 0, j] = beta * S[TUNED, 0, j] + keep * mu_t
        S[TUNED, 1, j] = beta * S[TUNED, 1, j] + keep * alpha_t
        mu = S[TUNED, 0, j] / debias
        rate = LR[j] * S[TUNED, 1, j] / debias

        # momentum SGD with the tuned values
        for i in range(2):
            v = mu * S[VELOCITY, i, j] - rate * G[i, j]
            S[VELOCITY, i, j] = v
            P[i, j] = P[i, j] + v


# State, by the paper's names: the tuned values this step used (the smoothed averages of
# row TUNED, debiased).


def _tuned(rec, column):
    return unbias(rec.rows[TUNED, :, column].copy(), rec.values["beta"])


STATE = (
    StateEntry(
        "lr",
        "lr alpha_bar_t, the tuned learning rate of this step (the schedule's lr times the "
        "smoothed alpha)",
        lambda rec: rec.lr * _tuned(rec, 1),
        TUNED + 1,
    ),
    StateEntry(
        "momentum",
        "mu_bar_t, the tuned momentum of this step: v_t = mu_bar_t v_{t-1} - lr alpha_bar_t g_t",
        lambda rec: _tuned(rec, 0),
        TUNED + 1,
    ),
)

_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr, multiplies the tuned rate)},\ \beta,\ w \text{ (window)},\ \theta_0,\ f(\theta)\\
&\textbf{initialize: } v_0 \leftarrow 0, \text{ every average } \overline{\,\cdot\,} \leftarrow 0;\ \ \overline{a}_t \text{ below means } \overline{a}_t / (1 - \beta^t)\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1}),\quad h_t \leftarrow \lVert g_t \rVert^2\\
&\quad \overline{h_{\max}}_t \leftarrow \beta\, \overline{h_{\max}}_{t-1} + (1 - \beta) \max_{t-w < i \le t} h_i,\quad
\overline{h_{\min}}_t \leftarrow \beta\, \overline{h_{\min}}_{t-1} + (1 - \beta) \min_{t-w < i \le t} h_i\\
&\quad \overline{g}_t \leftarrow \beta\, \overline{g}_{t-1} + (1 - \beta)\, g_t,\quad
\overline{g^2}_t \leftarrow \beta\, \overline{g^2}_{t-1} + (1 - \beta)\, g_t^2,\quad
C_t \leftarrow \textstyle\sum \big(\overline{g^2}_t - \overline{g}_t^{\,2}\big)\\
&\quad \overline{\lVert g \rVert}_t \leftarrow \beta\, \overline{\lVert g \rVert}_{t-1} + (1 - \beta) \lVert g_t \rVert,\quad
\overline{h}_t \leftarrow \beta\, \overline{h}_{t-1} + (1 - \beta)\, h_t,\quad
D_t \leftarrow \beta\, D_{t-1} + (1 - \beta)\, \overline{\lVert g \rVert}_t / \overline{h}_t\\
&\quad x_t \leftarrow 1 + y, \text{ the real root of } y^3 + p\,y + p = 0,\ \ p = D_t^2\, h_{\min}^2 / (2 C_t)
\quad (\sqrt{\mu} \text{ minimising } \mu D_t^2 + \alpha^2 C_t)\\
&\quad \mu_t \leftarrow \max\!\Big(x_t^2,\ \Big(\tfrac{\sqrt{h_{\max}/h_{\min}} - 1}{\sqrt{h_{\max}/h_{\min}} + 1}\Big)^2\Big),\quad
\alpha_t \leftarrow (1 - \sqrt{\mu_t})^2 / h_{\min}\\
&\quad \overline{\mu}_t \leftarrow \beta\, \overline{\mu}_{t-1} + (1 - \beta)\, \mu_t,\quad
\overline{\alpha}_t \leftarrow \beta\, \overline{\alpha}_{t-1} + (1 - \beta)\, \alpha_t\\
&\quad v_t \leftarrow \overline{\mu}_t\, v_{t-1} - \gamma\, \overline{\alpha}_t\, g_t\\
&\quad \theta_t \leftarrow \theta_{t-1} + v_t
\quad (= \theta_{t-1} - \gamma \overline{\alpha}_t\, g_t + \overline{\mu}_t (\theta_{t-1} - \theta_{t-2}))\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="yellowfin",
        title="YellowFin",
        rule=yellowfin_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source='YellowFin, Zhang & Mitliagkas 2017, "YellowFin and the Art of Momentum '
        'Tuning", Algorithms 1-4 (synchronous tuner; zero-debiased averages; no adaptive '
        "clipping or closed-loop control)",
        summary="Momentum SGD that sets its own learning rate and momentum from the "
        "gradients it sees. Its curvature estimate is the squared gradient norm, so it "
        "starts cautiously where the slope is steep, speeds up as the slope flattens, and "
        "its slow (beta = 0.999) averages make it react late when the terrain changes.",
        state_rows=_state_rows,
        state=STATE,
    ),
)
