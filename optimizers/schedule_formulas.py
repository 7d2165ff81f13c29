"""The schedules' formulas and their catalogue (``SCHEDULES``); ``schedules`` is the interface.

Each formula maps the steps ``t`` (an int array, from 0, counted after any warmup), the
checked parameters ``p`` and the number of steps the schedule runs to the tables
``(A, B, M)`` with ``lr[t] = A[t] * lr + B[t]`` and ``M`` the momentum (or beta1) of each
step, None when the schedule leaves the momentum alone.

PyTorch computes most of its schedules recursively (``lr <- lr * ratio``); these are the
closed forms of those recursions, evaluated with PyTorch's own expressions where it has
them (``_get_closed_form_lr``), so they agree to rounding: about ``t`` units in the last
place after ``t`` steps (tested against PyTorch over long runs). One exception: past
``T_max`` with ``eta_min > 0``, PyTorch's cosine stores ``lr`` near ``eta_min`` and so loses
digits of ``lr - eta_min``, which its recursion then carries up the next period; that
error depends on the base rate, which the tables cannot (they serve any lr), and grows
like ``T_max**2 * eta_min / lr * 1e-16`` (7e-10 relative for T_max = 30000, eta_min =
lr / 33). Cyclic, one-cycle, warm restarts and everything before ``T_max`` are exact.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from parameters import Param


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule: its parameters (``parameters.Param`` by PyTorch's keyword names),
    formula and documentation.

    ``latex`` is the rule, ``symbols`` explains each of its symbols; ``check(p, steps)``
    raises ValueError for parameters that are invalid together (``steps``: the steps the
    schedule runs, None when unknown).
    """

    name: str
    title: str
    source: str
    params: dict
    tables: Callable  # (t: int array, params: dict, steps: int) -> (A, B, momentum or None)
    latex: str = ""
    summary: str = ""
    sets_lr: bool = False  # True when the schedule ignores the optimizer's lr
    symbols: dict = field(default_factory=dict)
    check: Callable | None = None
    extra: dict = field(default_factory=dict)
    # (params) -> the step from which the table stays constant; None: it may change to the end
    settles: Callable | None = None


def _zeros(t):
    return np.zeros(t.size)


def _constant(t, p, steps):
    return np.where(t < p["total_iters"], p["factor"], 1.0), _zeros(t), None


def _step(t, p, steps):
    return np.power(p["gamma"], (t // p["step_size"]).astype(float)), _zeros(t), None


def _multistep(t, p, steps):
    passed = np.searchsorted(np.array(p["milestones"], dtype=np.int64), t, side="right")
    return np.power(p["gamma"], passed.astype(float)), _zeros(t), None


def _exponential(t, p, steps):
    return np.power(p["gamma"], t.astype(float)), _zeros(t), None


def _cosine_factor(t_cur, period, eta_min):
    # eta_min + (lr - eta_min) * (1 + cos(pi * t_cur / period)) / 2, affine in lr
    scale = (1.0 + np.cos(math.pi * t_cur / period)) / 2.0
    return scale, eta_min * (1.0 - scale)


def _cosine(t, p, steps):
    """The cosine, with the rounding of PyTorch's recursion past ``T_max``.

    PyTorch reaches ``eta_min`` exactly at ``T_max`` (and ``3 T_max``...), then restarts its
    recursion from ``(1 - cos(pi / T_max)) / 2`` at ``T_max + 1`` (``3 T_max + 1``...) and
    multiplies by ratios of ``1 + cos``. Both ends of that restart are computed by
    cancellation, so PyTorch's rates of each rising period differ from the pure cosine by
    one factor, up to 1e-8 relative for T_max = 30000 and more beyond: we apply the same
    factor, and agree with PyTorch to rounding at any length.
    """
    T_max = p["T_max"]
    scale, _ = _cosine_factor(t.astype(float), float(T_max), 0.0)
    past = t > T_max
    if past.any():
        restart = t[past] - (t[past] - T_max - 1) % (2 * T_max)  # T_max + 1, 3 T_max + 1...
        at_restart = 1.0 + np.cos(math.pi * restart / T_max)
        scale[past] *= (1.0 - math.cos(math.pi / T_max)) / at_restart
    return scale, p["eta_min"] * (1.0 - scale), None


def _restart_periods(t, T_0, T_mult):
    """``(T_cur, T_i)`` for every step: steps since the last restart and current period."""
    if T_mult == 1:
        return t % T_0, np.full(t.size, T_0)
    t_cur, period = t.copy(), np.full(t.size, T_0)
    start, length, last = 0, T_0, int(t.max(initial=0))
    while start <= last:
        inside = (t >= start) & (t < start + length)
        t_cur[inside], period[inside] = t[inside] - start, length
        start, length = start + length, length * T_mult
    return t_cur, period


def _cosine_restarts(t, p, steps):
    t_cur, period = _restart_periods(t, p["T_0"], p["T_mult"])
    return (*_cosine_factor(t_cur.astype(float), period.astype(float), p["eta_min"]), None)


def _cyclic(t, p, steps):
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    cycle = np.floor(1.0 + t / total)
    x = 1.0 + t / total - cycle
    height = np.where(x <= ratio, x / ratio, (x - 1.0) / (ratio - 1.0))
    if p["mode"] == "triangular":
        scale = np.ones(t.size)
    elif p["mode"] == "triangular2":
        scale = 1.0 / np.power(2.0, cycle - 1.0)
    else:  # exp_range: scaled per iteration
        scale = np.power(p["gamma"], t.astype(float))
    rate = p["base_lr"] + (p["max_lr"] - p["base_lr"]) * height * scale
    momentum = None
    if p["cycle_momentum"]:
        low, high = p["base_momentum"], p["max_momentum"]
        momentum = high - (high - low) * height * scale
    return _zeros(t), rate, momentum


def _onecycle_phases(p):
    """``[(end_step, lr from, lr to, momentum from, momentum to)]`` as OneCycleLR has them."""
    total, pct = p["total_steps"], p["pct_start"]
    peak = p["max_lr"]
    initial = peak / p["div_factor"]
    final = initial / p["final_div_factor"]
    low, high = p["base_momentum"], p["max_momentum"]
    if p["three_phase"]:
        return [
            (float(pct * total) - 1, initial, peak, high, low),
            (float(2 * pct * total) - 2, peak, initial, low, high),
            (total - 1, initial, final, high, high),
        ]
    return [(float(pct * total) - 1, initial, peak, high, low), (total - 1, peak, final, low, high)]


def _anneal(strategy, start, end, pct):
    if strategy == "cos":
        return end + (start - end) / 2.0 * (np.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def _onecycle(t, p, steps):
    rate, momentum = np.empty(t.size), np.empty(t.size)
    todo = np.ones(t.size, dtype=bool)
    phases = _onecycle_phases(p)
    start = 0.0
    for i, (end, lr_from, lr_to, m_from, m_to) in enumerate(phases):
        here = todo & ((t <= end) | (i == len(phases) - 1))
        pct = (t[here] - start) / (end - start)
        rate[here] = _anneal(p["anneal_strategy"], lr_from, lr_to, pct)
        momentum[here] = _anneal(p["anneal_strategy"], m_from, m_to, pct)
        todo &= ~here
        start = end
    return _zeros(t), rate, momentum if p["cycle_momentum"] else None


def _check_onecycle(p, steps):
    if p["total_steps"] is None:  # known only with the run's steps
        return
    if steps is not None and p["total_steps"] < steps:
        raise ValueError(
            f"schedule 'onecycle': total_steps={p['total_steps']!r} is out of range; allowed: "
            f"total_steps >= {steps} (the steps after warmup; PyTorch's OneCycleLR raises when "
            "stepped past total_steps), or None for exactly that"
        )
    if float(p["pct_start"] * p["total_steps"]) - 1 == 0:
        raise ValueError(
            f"schedule 'onecycle': pct_start={p['pct_start']!r} with "
            f"total_steps={p['total_steps']} gives a warm-up phase of length "
            "pct_start * total_steps - 1 = 0 (PyTorch's OneCycleLR divides by zero); "
            "allowed: pct_start * total_steps != 1"
        )


def _linear(t, p, steps):
    start, end, total = p["start_factor"], p["end_factor"], p["total_iters"]
    return start + (end - start) * np.minimum(t, total) / total, _zeros(t), None


def _polynomial(t, p, steps):
    total = p["total_iters"]
    return np.power(1.0 - np.minimum(t, total) / total, p["power"]), _zeros(t), None


def _plateau(t, p, steps):
    return np.ones(t.size), _zeros(t), None  # the kernel applies the rule while running


def _invscaling(t, p, steps):
    return 1.0 / np.power(t + 1.0, p["power_t"]), _zeros(t), None


_GAMMA = Param("gamma", 0.1, "multiplicative factor of decay", low=0.0, high=1.0)
_ETA_MIN = Param("eta_min", 0.0, "minimum learning rate", low=0.0)
_LR = r"\gamma"
_BASE = {r"\gamma_t": "the rate step t uses", _LR: "the optimizer's lr", "t": "the step, from 0"}


def _momentum_params(cycle, base, high):
    return {
        "cycle_momentum": Param(
            "cycle_momentum",
            cycle,
            "cycle the momentum (or beta1) inversely to the lr",
            kind="bool",
        ),
        "base_momentum": Param(
            "base_momentum",
            base,
            "momentum (or beta1) at the lr's peak",
            low=0.0,
            high=1.0,
            open_high=True,
        ),
        "max_momentum": Param(
            "max_momentum",
            high,
            "momentum (or beta1) at the lr's lowest",
            low=0.0,
            high=1.0,
            open_high=True,
        ),
    }


_CYCLIC_LATEX = r"""\begin{aligned}
c &= \left\lfloor 1 + \tfrac{t}{s_u + s_d} \right\rfloor,\quad
x = 1 + \tfrac{t}{s_u + s_d} - c,\quad r = \tfrac{s_u}{s_u + s_d}\\
h &= \begin{cases} x / r & x \le r\\ (x - 1) / (r - 1) & x > r \end{cases},\quad
\sigma = \begin{cases} 1 & \text{triangular}\\ 2^{1 - c} & \text{triangular2}\\
g^{t} & \text{exp\_range}\end{cases}\\
\gamma_t &= \eta_{b} + (\eta_{m} - \eta_{b})\, h\, \sigma,\qquad
\mu_t = \mu_{m} - (\mu_{m} - \mu_{b})\, h\, \sigma
\end{aligned}"""

_ONECYCLE_LATEX = r"""\begin{aligned}
&\eta_0 = \eta_{\max} / d,\quad \eta_{e} = \eta_0 / d_f,\quad e_0 = 0,\quad e_1 = p\,T - 1\\
&\text{2 phases: } (\eta_0, \mu_m) \to (\eta_{\max}, \mu_b) \text{ at } e_1
\to (\eta_{e}, \mu_m) \text{ at } e_2 = T - 1\\
&\text{3 phases: } (\eta_0, \mu_m) \to (\eta_{\max}, \mu_b) \text{ at } e_1
\to (\eta_0, \mu_m) \text{ at } e_2 = 2 p\,T - 2 \to (\eta_{e}, \mu_m) \text{ at } e_3 = T - 1\\
&(\gamma_t, \mu_t) = \operatorname{anneal}\big(a_k, b_k, \tfrac{t - e_{k-1}}{e_k - e_{k-1}}\big)
\text{ in the first phase } k \text{ with } t \le e_k \text{ (else the last)}\\
&\operatorname{anneal}(a, b, q) = b + (a - b)\,\tfrac{1 + \cos \pi q}{2} \text{ (cos)}
\text{ or } a + (b - a)\, q \text{ (linear)}
\end{aligned}"""

_PLATEAU_LATEX = r"""\begin{aligned}
&\text{better}_t = \begin{cases} f(\theta_t) < f^{*} (1 - \tau) & \text{rel}\\
f(\theta_t) < f^{*} - \tau & \text{abs}\end{cases},\quad
n_t = \begin{cases} 0 & \text{better}_t \ (f^{*} \leftarrow f(\theta_t))\\
n_{t-1} + 1 & \text{otherwise}\end{cases}\\
&\gamma_{t+1} = \max(\phi\,\gamma_t,\ \gamma_{\min}) \text{ if } n_t > P \text{ (then }
n \leftarrow 0 \text{, } C \text{ steps of cooldown, skipped if the cut is } \le \epsilon
\text{)}, \text{ else } \gamma_t
\end{aligned}"""

_CATALOGUE = (
    ScheduleSpec(
        "constant",
        "Constant",
        "torch.optim.lr_scheduler.ConstantLR (defaults here: factor 1, total_iters 0, so no "
        "change; PyTorch's are 1/3 and 5)",
        {
            "factor": Param(
                "factor", 1.0, "multiplies the lr until total_iters", low=0.0, high=1.0
            ),
            "total_iters": Param("total_iters", 0, "steps the factor lasts", low=0, kind="int"),
        },
        _constant,
        latex=r"\gamma_t = \gamma \cdot \begin{cases} f & t < T\\ 1 & t \ge T \end{cases}",
        summary="The same rate at every step (optionally scaled by factor for the first "
        "total_iters steps).",
        symbols={**_BASE, "f": "factor", "T": "total_iters"},
        settles=lambda p: p["total_iters"],
    ),
    ScheduleSpec(
        "step",
        "Step decay",
        "torch.optim.lr_scheduler.StepLR",
        {
            "step_size": Param("step_size", None, "period of decay, in steps", low=1, kind="int"),
            "gamma": _GAMMA,
        },
        _step,
        latex=r"\gamma_t = \gamma\, g^{\lfloor t / s \rfloor}",
        summary="Multiply the rate by gamma every step_size steps.",
        symbols={**_BASE, "g": "gamma", "s": "step_size"},
    ),
    ScheduleSpec(
        "multistep",
        "Multi-step decay",
        "torch.optim.lr_scheduler.MultiStepLR",
        {
            "milestones": Param(
                "milestones",
                None,
                "steps at which the rate is multiplied by gamma",
                low=0,
                kind="ints",
                repeats=True,
            ),
            "gamma": _GAMMA,
        },
        _multistep,
        latex=r"\gamma_t = \gamma\, g^{\,\#\{i \,:\, m_i \le t\}}",
        summary="Multiply the rate by gamma at each milestone step.",
        symbols={**_BASE, "g": "gamma", "m_i": "the milestones (a repeated one counts twice)"},
    ),
    ScheduleSpec(
        "exponential",
        "Exponential decay",
        "torch.optim.lr_scheduler.ExponentialLR",
        {
            "gamma": Param(
                "gamma", None, "multiplicative factor of decay per step", low=0.0, high=1.0
            )
        },
        _exponential,
        latex=r"\gamma_t = \gamma\, g^{t}",
        summary="Multiply the rate by gamma at every step.",
        symbols={**_BASE, "g": "gamma"},
    ),
    ScheduleSpec(
        "cosine",
        "Cosine annealing",
        "torch.optim.lr_scheduler.CosineAnnealingLR",
        {
            "T_max": Param(
                "T_max",
                None,
                "steps from the lr down to eta_min (half a period)",
                low=1,
                kind="int",
            ),
            "eta_min": _ETA_MIN,
        },
        _cosine,
        latex=r"\gamma_t = \eta_{\min} + (\gamma - \eta_{\min})"
        r"\,\frac{1 + \cos(\pi t / T_{\max})}{2}",
        summary="Half a cosine from the lr down to eta_min over T_max steps; past T_max it "
        "rises again, as PyTorch's does.",
        symbols={**_BASE, r"\eta_{\min}": "eta_min", r"T_{\max}": "T_max"},
    ),
    ScheduleSpec(
        "cosine_restarts",
        "Cosine with warm restarts",
        "torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR, Loshchilov & Hutter 2017)",
        {
            "T_0": Param("T_0", None, "steps until the first restart", low=1, kind="int"),
            "T_mult": Param(
                "T_mult",
                1,
                "factor by which each period is longer than the last",
                low=1,
                kind="int",
            ),
            "eta_min": _ETA_MIN,
        },
        _cosine_restarts,
        latex=r"\gamma_t = \eta_{\min} + (\gamma - \eta_{\min})"
        r"\,\frac{1 + \cos(\pi T_{cur} / T_i)}{2},\quad T_i = T_0\, T_{mult}^{\,i}",
        summary="Cosine annealing that jumps back to the lr every T_i steps, each period "
        "T_mult times longer.",
        symbols={
            **_BASE,
            r"\eta_{\min}": "eta_min",
            "T_{cur}": "steps since the last restart",
            "T_i": "the length of the current period i (from 0)",
            "T_0": "T_0",
            "T_{mult}": "T_mult",
        },
    ),
    ScheduleSpec(
        "cyclic",
        "Cyclical (CLR)",
        "torch.optim.lr_scheduler.CyclicLR (Smith 2017), built-in modes (no custom scale_fn)",
        {
            "base_lr": Param("base_lr", None, "lower rate of the cycle", low=0.0),
            "max_lr": Param(
                "max_lr", None, "upper rate of the cycle (may be below base_lr)", low=0.0
            ),
            "step_size_up": Param(
                "step_size_up", 2000, "steps of the rising half-cycle", low=1, kind="int"
            ),
            "step_size_down": Param(
                "step_size_down",
                None,
                "steps of the falling half-cycle",
                low=1,
                kind="int",
                none_means="step_size_up",
            ),
            "mode": Param(
                "mode",
                "triangular",
                "amplitude scaling",
                kind=("triangular", "triangular2", "exp_range"),
            ),
            "gamma": Param("gamma", 1.0, "exp_range: amplitude factor per step", low=0.0, high=1.0),
            **_momentum_params(True, 0.8, 0.9),
        },
        _cyclic,
        latex=_CYCLIC_LATEX,
        summary="The rate climbs linearly from base_lr to max_lr and back, over and over; "
        "with cycle_momentum the momentum does the opposite.",
        sets_lr=True,
        symbols={
            r"\gamma_t": "the rate step t uses (the optimizer's lr is not used)",
            r"\mu_t": "the momentum (or beta1) step t uses",
            "t": "the step, from 0",
            r"\eta_{b}": "base_lr",
            r"\eta_{m}": "max_lr",
            r"\mu_{b}": "base_momentum",
            r"\mu_{m}": "max_momentum",
            "s_u": "step_size_up",
            "s_d": "step_size_down",
            "g": "gamma",
            "c": "the cycle, from 1",
            "h": "the position in the triangle, 0 to 1",
            r"\sigma": "the amplitude scale of the mode",
        },
    ),
    ScheduleSpec(
        "onecycle",
        "One-cycle",
        "torch.optim.lr_scheduler.OneCycleLR (Smith & Topin 2019); total_steps (not epochs)",
        {
            "max_lr": Param("max_lr", None, "peak rate", low=0.0),
            "total_steps": Param(
                "total_steps",
                None,
                "steps of the cycle",
                low=1,
                kind="int",
                none_means="the run's steps after warmup",
            ),
            "pct_start": Param(
                "pct_start", 0.3, "fraction of the cycle spent raising the rate", low=0.0, high=1.0
            ),
            "anneal_strategy": Param(
                "anneal_strategy", "cos", "shape of each phase", kind=("cos", "linear")
            ),
            **_momentum_params(True, 0.85, 0.95),
            "div_factor": Param(
                "div_factor", 25.0, "initial rate = max_lr / div_factor", low=0.0, open_low=True
            ),
            "final_div_factor": Param(
                "final_div_factor",
                1e4,
                "final rate = initial rate / final_div_factor",
                low=0.0,
                open_low=True,
            ),
            "three_phase": Param(
                "three_phase",
                False,
                "go back down to the initial rate before the final annealing (the paper's version)",
                kind="bool",
            ),
        },
        _onecycle,
        latex=_ONECYCLE_LATEX,
        summary="Warm up from max_lr / div_factor to max_lr, then anneal far below the start; "
        "with cycle_momentum the momentum moves the other way.",
        sets_lr=True,
        symbols={
            r"\gamma_t": "the rate step t uses (the optimizer's lr is not used)",
            r"\mu_t": "the momentum (or beta1) step t uses",
            "t": "the step, from 0",
            r"\eta_{\max}": "max_lr",
            "d": "div_factor",
            "d_f": "final_div_factor",
            "p": "pct_start",
            "T": "total_steps",
            r"\mu_b": "base_momentum",
            r"\mu_m": "max_momentum",
            r"\eta_0": "the initial rate",
            r"\eta_{e}": "the final rate",
            "e_k": "the last step of phase k (a phase boundary, not always an integer)",
            "a_k": "the (rate, momentum) phase k starts from",
            "b_k": "the (rate, momentum) phase k ends at",
        },
        check=_check_onecycle,
    ),
    ScheduleSpec(
        "linear",
        "Linear",
        "torch.optim.lr_scheduler.LinearLR",
        {
            "start_factor": Param(
                "start_factor",
                1.0 / 3,
                "multiplies the lr at step 0",
                low=0.0,
                high=1.0,
                open_low=True,
            ),
            "end_factor": Param(
                "end_factor", 1.0, "multiplies the lr from total_iters on", low=0.0, high=1.0
            ),
            "total_iters": Param("total_iters", 5, "steps of the linear change", low=1, kind="int"),
        },
        _linear,
        latex=r"\gamma_t = \gamma \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)",
        summary="Scale the rate linearly from start_factor to end_factor over total_iters steps.",
        symbols={**_BASE, "f_s": "start_factor", "f_e": "end_factor", "T": "total_iters"},
        settles=lambda p: p["total_iters"],
    ),
    ScheduleSpec(
        "polynomial",
        "Polynomial decay",
        "torch.optim.lr_scheduler.PolynomialLR",
        {
            "total_iters": Param(
                "total_iters", 5, "steps until the rate reaches 0", low=1, kind="int"
            ),
            "power": Param("power", 1.0, "power of the polynomial", low=0.0),
        },
        _polynomial,
        latex=r"\gamma_t = \gamma \left(1 - \frac{\min(t, T)}{T}\right)^{p}",
        summary="Decay the rate to 0 at total_iters along (1 - t/total_iters)^power.",
        symbols={**_BASE, "T": "total_iters", "p": "power"},
        settles=lambda p: p["total_iters"],
    ),
    ScheduleSpec(
        "plateau",
        "Reduce on plateau",
        "torch.optim.lr_scheduler.ReduceLROnPlateau (mode 'min', the loss before each step)",
        {
            "mode": Param("mode", "min", "the loss should decrease", kind=("min",)),
            "factor": Param(
                "factor", 0.1, "new lr = lr * factor", low=0.0, high=1.0, open_high=True
            ),
            "patience": Param(
                "patience", 10, "steps without improvement tolerated", low=0, kind="int"
            ),
            "threshold": Param("threshold", 1e-4, "least improvement that counts", low=0.0),
            "threshold_mode": Param(
                "threshold_mode",
                "rel",
                "threshold relative to the best loss or absolute",
                kind=("rel", "abs"),
            ),
            "cooldown": Param(
                "cooldown", 0, "steps after a cut during which nothing counts", low=0, kind="int"
            ),
            "min_lr": Param("min_lr", 0.0, "lower bound of the lr", low=0.0),
            "eps": Param("eps", 1e-8, "cuts smaller than this are skipped", low=0.0),
        },
        _plateau,
        latex=_PLATEAU_LATEX,
        summary="Cut the rate by factor when the loss has not improved for patience steps.",
        symbols={
            r"\gamma_t": "the rate step t uses (the optimizer's lr at first)",
            "t": "the step, from 0",
            r"f(\theta_t)": "the loss before step t",
            "f^{*}": "the best loss so far",
            r"\tau": "threshold",
            "n_t": "steps without improvement",
            "P": "patience",
            r"\phi": "factor",
            r"\gamma_{\min}": "min_lr",
            "C": "cooldown",
            r"\epsilon": "eps",
        },
        settles=lambda p: 0,
    ),
    ScheduleSpec(
        "invscaling",
        "Inverse scaling",
        "scikit-learn MLPClassifier/MLPRegressor learning_rate='invscaling' (its t starts "
        "at 1); no PyTorch class",
        {"power_t": Param("power_t", 0.5, "exponent of the inverse scaling", low=0.0)},
        _invscaling,
        latex=r"\gamma_t = \frac{\gamma}{(t + 1)^{p}}",
        summary="Divide the rate by (t + 1)^power_t: the classic stochastic-approximation decay.",
        symbols={**_BASE, "p": "power_t"},
    ),
)

SCHEDULES = {spec.name: spec for spec in _CATALOGUE}

WARMUP = Param("warmup_steps", 0, "linear warmup steps before the schedule", low=0, kind="int")
WARMUP_LATEX = (
    r"\gamma_t = \begin{cases} \frac{t + 1}{W}\, \gamma^{s}_0 & t < W\\"
    r" \gamma^{s}_{t - W} & t \ge W \end{cases}"
)
WARMUP_SYMBOLS = {
    "W": "warmup_steps",
    r"\gamma_t": "the rate step t uses",
    r"\gamma^{s}": "the schedule's rate, at its own step in the subscript (from 0)",
    "t": "the step of the run, from 0",
}
