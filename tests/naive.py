"""Plain NumPy references, float64, one step at a time, written from the papers' equations.

They are deliberately simple and share no code with the kernels, so the tests can hold the
compiled update rules and the runner's options against them. Gradients and Hessians come
from the surface's analytic formulas (``Surface.grad``/``Surface.hessian``): the thing
under test is the optimizer, not the surface.

An optimizer here is a factory returning ``step(theta, g, t, surface) -> new theta`` (t from
1) that keeps its own state, and shows it by name with ``step.state()`` (the names of
``Trajectory.state``); ``run`` drives one like the runner does, with the runner's options
(gradient clipping, Lookahead, SWA).
"""

import math
from collections import deque

import numpy as np

# ---------------------------------------------------------------------------- the runner


def clip(g, clip_norm=None, clip_value=None):
    """The gradient after clipping: each component to [-v, v], then the norm (as
    ``torch.nn.utils.clip_grad_value_`` then ``clip_grad_norm_``, which scales by
    ``min(1, max_norm / (norm + 1e-6))``)."""
    g = np.array(g, dtype=float)
    if clip_value is not None:
        g = np.clip(g, -clip_value, clip_value)
    if clip_norm is not None:
        g = g * min(clip_norm / (np.linalg.norm(g) + 1e-6), 1.0)
    return g


def swa_average(xy, swa_start):
    """Row k: the mean of ``xy[swa_start..k]`` for k >= swa_start, NaN before."""
    xy = np.asarray(xy, dtype=float)
    out = np.full_like(xy, np.nan)
    for k in range(swa_start, len(xy)):
        out[k] = xy[swa_start : k + 1].mean(axis=0)
    return out


def run(surface, step, start, steps, *, clip_norm=None, clip_value=None, swa_start=None):
    """``{"xy", "loss", "grad", "swa", "state"}`` of ``steps`` steps of ``step`` from ``start``.

    ``grad[t]`` is the exact gradient at ``xy[t]``; the optimizer sees it clipped.
    ``state[name][t]`` is ``step.state()[name]`` after step ``t``.
    """
    theta = np.array(start, dtype=float)
    xy, grads, states = [theta.copy()], [], []
    for t in range(1, steps + 1):
        g = np.array(surface.grad(theta[0], theta[1]), dtype=float)
        grads.append(g)
        theta = np.array(step(theta.copy(), clip(g, clip_norm, clip_value), t, surface))
        xy.append(theta.copy())
        states.append(step.state())
    xy = np.array(xy)
    return {
        "xy": xy,
        "loss": np.array([surface.f(x, y) for x, y in xy]),
        "grad": np.array(grads),
        "swa": swa_average(xy, swa_start) if swa_start is not None else None,
        "state": {name: np.array([s[name] for s in states], dtype=float) for name in states[0]},
    }


# ------------------------------------------------------------------- first-order methods


def sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """SGD as torch.optim.SGD documents it (heavy ball; b_1 = g_1)."""
    buf = None

    def step(theta, g, t, surface):
        nonlocal buf
        g = g + weight_decay * theta
        if momentum != 0.0:
            buf = g.copy() if buf is None else momentum * buf + (1.0 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        return theta - lr * g

    step.state = lambda: {"momentum_buffer": buf.copy()} if momentum != 0.0 else {}
    return step


def adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """Adam (Kingma & Ba 2015) as torch.optim.Adam documents it, L2 weight decay."""
    beta1, beta2 = betas
    m = np.zeros(2)
    v = np.zeros(2)

    def step(theta, g, t, surface):
        nonlocal m, v
        g = g + weight_decay * theta
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1**t)
        v_hat = v / (1.0 - beta2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)

    step.state = lambda: {"exp_avg": m, "exp_avg_sq": v}
    return step


def radam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False):
    """RAdam (Liu et al. 2020, Algorithm 2) as torch.optim.RAdam documents it.

    The variance rectification ``r_t`` applies once ``rho_t > 5``; before, the step is the
    bias-corrected momentum alone.
    """
    beta1, beta2 = betas
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    m = np.zeros(2)
    v = np.zeros(2)

    def step(theta, g, t, surface):
        nonlocal m, v
        if decoupled_weight_decay:
            theta = theta * (1.0 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * g * g
        m_hat = m / (1.0 - beta1**t)
        rho_t = rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)
        if rho_t > 5.0:
            adaptive = math.sqrt(1.0 - beta2**t) / (np.sqrt(v) + eps)
            rect = math.sqrt(
                (rho_t - 4.0)
                * (rho_t - 2.0)
                * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
            )
            return theta - lr * m_hat * rect * adaptive
        return theta - lr * m_hat

    step.state = lambda: {"exp_avg": m, "exp_avg_sq": v}
    return step


def lion(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
    """Lion, Chen et al. 2023, Algorithm 2."""
    beta1, beta2 = betas
    m = np.zeros(2)

    def step(theta, g, t, surface):
        nonlocal m
        c = beta1 * m + (1.0 - beta1) * g
        theta = theta - lr * (np.sign(c) + weight_decay * theta)
        m = beta2 * m + (1.0 - beta2) * g
        return theta

    step.state = lambda: {"exp_avg": m}
    return step


# -------------------------------------------------------------------------------- Newton


def newton(lr=1.0, damping=0.0):
    """theta - lr (H + damping I)^-1 g with the exact Hessian; NaN when singular."""

    def step(theta, g, t, surface):
        hessian = surface.hessian(theta[0], theta[1]) + damping * np.eye(2)
        if np.linalg.det(hessian) == 0.0:
            return np.full(2, np.nan)
        return theta - lr * np.linalg.solve(hessian, g)

    step.state = dict  # no state
    return step


# ----------------------------------------------------------------------------- YellowFin


def _yellowfin_sqrt_mu(distance, variance, h_min):
    """SingleStep: the x = sqrt(mu) in [0, 1] minimising ``x^2 D^2 + (1 - x)^4 C / h_min^2``
    (mu D^2 + alpha^2 C with alpha = (1 - sqrt(mu))^2 / h_min), by bisection on its
    derivative, which increases on [0, 1]: an independent check of the kernel's closed form.
    """

    def slope(x):
        return 2.0 * x * distance**2 - 4.0 * (1.0 - x) ** 3 * variance / h_min**2

    lo, hi = 0.0, 1.0
    if slope(lo) >= 0.0:
        return lo
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return mid
        if slope(mid) < 0.0:
            lo = mid
        else:
            hi = mid


def yellowfin(lr=1.0, beta=0.999, window=20):
    """YellowFin, Zhang & Mitliagkas 2017, Algorithms 1-4, every average zero-debiased.

    ``lr`` multiplies the tuned rate; until a non-zero curvature has been measured the
    previous mu and alpha are kept (zero at the start).
    """
    averages = {}
    recent = deque(maxlen=window)
    velocity = np.zeros(2)
    tuned = {"mu": 0.0, "alpha": 0.0}  # the smoothed values, debiased

    def average(name, value, t):
        averages[name] = beta * averages.get(name, 0.0 * value) + (1.0 - beta) * value
        return averages[name] / (1.0 - beta**t)

    def step(theta, g, t, surface):
        nonlocal velocity
        h = float(g @ g)
        recent.append(h)
        h_max = average("h_max", max(recent), t)
        h_min = average("h_min", min(recent), t)
        variance = max(float(np.sum(average("g2", g * g, t) - average("g", g, t) ** 2)), 0.0)
        norm_avg = average("norm", math.sqrt(h), t)
        h_avg = average("h", h, t)
        distance = average("D", norm_avg / h_avg if h_avg > 0 else 0.0, t)
        if h_min > 0.0:
            x = _yellowfin_sqrt_mu(distance, variance, h_min)
            ratio = math.sqrt(h_max / h_min)
            mu_t = max(x**2, ((ratio - 1.0) / (ratio + 1.0)) ** 2)
            alpha_t = (1.0 - math.sqrt(mu_t)) ** 2 / h_min
        else:
            mu_t, alpha_t = tuned["mu"], tuned["alpha"]
        tuned["mu"] = average("mu", mu_t, t)
        tuned["alpha"] = average("alpha", alpha_t, t)
        # theta_{t+1} = theta_t - lr alpha g_t + mu (theta_t - theta_{t-1})
        velocity = tuned["mu"] * velocity - lr * tuned["alpha"] * g
        return theta + velocity

    step.state = lambda: {"lr": lr * tuned["alpha"], "momentum": tuned["mu"]}
    return step


# ----------------------------------------------------------------------------- Lookahead


def lookahead(inner, k=5, alpha=0.5):
    """Lookahead (Zhang et al. 2019, Algorithm 1) around the step function ``inner``.

    The slow weights start at the first point; after every k inner steps they move
    ``alpha`` of the way to the fast weights, which restart from them. The inner
    optimizer's state is kept.
    """
    slow = None

    def step(theta, g, t, surface):
        nonlocal slow
        if slow is None:
            slow = theta.copy()
        theta = inner(theta, g, t, surface)
        if t % k == 0:
            slow = slow + alpha * (theta - slow)
            theta = slow.copy()
        return theta

    step.state = lambda: {**inner.state(), "slow_weights": slow}
    return step


def ranger(lr=1e-3, betas=(0.95, 0.999), eps=1e-5, weight_decay=0.0, k=6, alpha=0.5):
    """Ranger (Wright 2019): Lookahead around RAdam, with Ranger's defaults."""
    return lookahead(radam(lr, betas, eps, weight_decay), k, alpha)
