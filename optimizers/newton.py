"""Damped Newton with the surface's analytic Hessian.

``theta <- theta - lr * (H + damping * I)^-1 g``: Newton's method with the Hessian shifted
by a multiple of the identity (Levenberg's damping; Nocedal & Wright, "Numerical
Optimization", 2nd ed. 2006, section 3.4, "adding a multiple of the identity"), with a
fixed shift and a fixed step length instead of a search for either. ``g`` is the gradient
the runner hands over (noise and clipping applied); the Hessian is the exact one at the
current point.

The default damping is 0: plain Newton, which lands on the minimum of a quadratic in one
step with lr = 1 and shows, unmodified, what Newton does where the Hessian is indefinite
(it heads for saddles and maxima). When the damped Hessian is singular the step is
undefined: the rule writes NaN, and the runner reports the divergence at that step.
"""

import math

from parameters import Param
from surfaces import _dispatch as surface
from surfaces._jit import inline

from .specs import OptimizerSpec, lr_hyper, slots

HYPERS = (
    lr_hyper(1.0, ui=(1e-3, 2.0)),
    Param(
        "damping",
        0.0,
        "added to the Hessian's diagonal (Levenberg damping): 0 is pure Newton, large "
        "values approach gradient descent with step lr / damping",
        low=0.0,
        ui=(0.0, 10.0),
        symbol=r"\delta",
    ),
)
(DAMPING,) = slots(HYPERS, "damping")
STATE_ROWS = 0  # no state: every step uses only the current gradient and Hessian


@inline
def newton_step(P, G, S, H, LR, t, sid, sp):
    """One damped Newton step on every lane (column) of ``P``."""
    for j in range(P.shape[1]):
        damping = H[DAMPING, j]
        lr = LR[j]
        fxx, fxy, fyy = surface.hessian(sid, sp, P[0, j], P[1, j])
        a = fxx + damping
        c = fyy + damping
        det = a * c - fxy * fxy
        gx, gy = G[0, j], G[1, j]
        if det == 0.0:
            # singular: no Newton step exists (NaN makes the runner stop here)
            P[0, j] = math.nan
            P[1, j] = math.nan
        else:
            # (H + damping I)^-1 g by the 2x2 adjugate
            dx = (c * gx - fxy * gy) / det
            dy = (a * gy - fxy * gx) / det
            P[0, j] = P[0, j] - lr * dx
            P[1, j] = P[1, j] - lr * dy


_BOX = r"""
\begin{aligned}
&\textbf{input: } \gamma \text{ (lr)},\ \delta \text{ (damping)},\ \theta_0,\ f(\theta)\\
&\textbf{for } t = 1, 2, \dots \textbf{ do}\\
&\quad g_t \leftarrow \nabla f(\theta_{t-1})\\
&\quad H_t \leftarrow \nabla^2 f(\theta_{t-1})\\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, (H_t + \delta I)^{-1} g_t
\quad (\text{undefined, the run stops, if } H_t + \delta I \text{ is singular})\\
&\textbf{return } \theta_t
\end{aligned}"""

SPECS = (
    OptimizerSpec(
        name="newton",
        title="Newton (damped)",
        rule=newton_step,
        hypers=HYPERS,
        algorithm=_BOX,
        source="Newton's method with Levenberg damping, the Hessian shifted by a multiple of "
        "the identity (Nocedal & Wright 2006, section 3.4), fixed shift and step length, "
        "exact Hessian of the surface",
        summary="Jumps to the minimum of the local quadratic model: one step on a quadratic, "
        "a handful on Rosenbrock. Where the Hessian is not positive definite it heads for "
        "saddles and maxima as readily as minima, and a singular Hessian stops it; damping "
        "blends it towards gradient descent.",
        state_rows=lambda values: STATE_ROWS,
    ),
)
