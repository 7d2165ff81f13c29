"""One racer's update rule with the numbers of each step substituted, line by line.

    gₜ = ∇f(θₜ₋₁) = (3.10, 0.200)
    mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ = 0.900 × (0.120, −0.400) + 0.100 × (3.10, 0.200) = (0.418, −0.340)

A ``StepRule`` holds the lines once, as templates (text and the names of series), and the
series' values at the frame steps of the race: the browser fills the lines of the frame it
shows from them (``ui.inspector``), and ``line_text`` does the same in Python (the export,
the page before its script runs, the tests). Both write numbers with three significant
digits (``number_text``).

Step ``s`` of the race (its frame) shows the step that leaves the point ``xy[s]``: row
``r = min(s, steps - 1)`` of ``Trajectory.state`` (the state after step ``t = r + 1``), the
gradient ``grad[r]`` at ``θₜ₋₁ = xy[r]`` and the update ``xy[r + 1] - xy[r]``. The rules
use the exact gradient (plus weight decay when the rule adds it): with gradient noise or
clipping on, the gradient the optimizer used differed, which the panel says.

The symbols are those of the controls and the algorithm boxes: γ (lr), μ, τ, λ, β₁, β₂, ε,
α, η. SGD (momentum, Nesterov, weight decay as set), Adam, AMSGrad, AdamW, RMSprop and
Adagrad have their whole rule; the others show the gradient, their state by its PyTorch
name and the update.
"""

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

DIGITS = 6  # significant digits sent: enough that the browser's rounding to 3 agrees
MINUS = "−"
T, T1 = "ₜ", "ₜ₋₁"


@dataclass(frozen=True)
class StepRule:
    """``lines``: each a list of parts, a text or ``{"v": name}`` (a series' value);
    ``series``: ``{name: (frames, 2) or (frames,) array}`` at the frame steps ``steps``;
    ``t``: the step number (from 1) each frame shows."""

    steps: np.ndarray
    t: np.ndarray
    series: dict
    lines: list

    @cached_property
    def sent(self):
        """``{name: flat list}`` of the series the lines use, rounded to ``DIGITS``
        significant digits, None where not finite: what the browser receives."""
        used = {part["v"] for line in self.lines for part in line if isinstance(part, dict)}
        return {name: _sent(self.series[name]) for name in self.series if name in used}

    def to_json(self):
        """The browser's table: steps, lines, the ``sent`` series and the width of each."""
        return {
            "steps": self.steps.tolist(),
            "t": self.t.tolist(),
            "lines": self.lines,
            "series": self.sent,
            "width": {name: 1 if self.series[name].ndim == 1 else 2 for name in self.sent},
        }


def _sent(values):
    flat = np.asarray(values, dtype=float).reshape(-1).tolist()
    return [float(f"{v:.{DIGITS - 1}e}") if math.isfinite(v) else None for v in flat]


def number_text(value):
    """``value`` to three significant digits: fixed from 0.001 to 9999, else as 1.23e-5;
    a minus sign, not a hyphen. The browser's script writes the same."""
    if value is None or not math.isfinite(value):
        return "NaN"
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.2e}".split("e")
    exponent = int(exponent)
    if -3 <= exponent < 4:
        text = f"{float(mantissa) * 10.0**exponent:.{max(0, 2 - exponent)}f}"
    else:
        text = f"{mantissa}e{exponent}"
    return text.replace("-", MINUS)


def value_text(values):
    """A scalar as ``number_text``, a pair as ``(a, b)``."""
    values = np.atleast_1d(values)
    if values.size == 1:
        return number_text(float(values[0]))
    return "(" + ", ".join(number_text(float(v)) for v in values) + ")"


def line_text(rule, line, frame):
    """Line ``line`` of ``rule`` with the values of frame ``frame`` (its index)."""
    parts = []
    for part in rule.lines[line]:
        if isinstance(part, str):
            parts.append(part)
        else:
            sent = rule.sent[part["v"]]
            width = len(sent) // len(rule.steps)
            values = [
                math.nan if v is None else v for v in sent[frame * width : (frame + 1) * width]
            ]
            parts.append(value_text(np.asarray(values, dtype=float)))
    return "".join(parts)


def frame_rows(shown, steps):
    """The state row each frame step shows: the step leaving ``xy[s]`` (the last step's
    at the end)."""
    return np.minimum(np.asarray(shown, dtype=int), steps - 1)


def step_rule(traj, shown):
    """The ``StepRule`` of ``traj`` (run with ``record_state=True``) at the frame steps
    ``shown``."""
    steps = len(traj.grad)
    rows = frame_rows(shown, steps)
    values = traj.hyperparameters
    state = traj.state
    series = {
        "theta": traj.xy[rows],
        "grad": traj.grad[rows],
        "lr": traj.lr[rows],
        "update": state["update"][rows],
    }

    def before(name):
        out = np.zeros_like(state[name])
        out[1:] = state[name][:-1]
        return out[rows]

    build = _RULES.get(traj.optimizer, _generic)
    lines = build(series, values, state, rows, before)
    return StepRule(np.asarray(shown, dtype=int), rows + 1, series, lines)


def v(name):
    return {"v": name}


def _gradient(series, values, decay):
    """The line of gₜ; with ``decay`` (coupled weight decay λ ≠ 0) it adds λ θₜ₋₁."""
    if decay:
        lam = values["weight_decay"]
        series["g"] = series["grad"] + lam * series["theta"]
        return [
            f"g{T} = ∇f(θ{T1}) + λ θ{T1} = ",
            v("grad"),
            f" + {number_text(lam)} × ",
            v("theta"),
            " = ",
            v("g"),
        ]
    series["g"] = series["grad"]
    return [f"g{T} = ∇f(θ{T1}) = ", v("g")]


def _update(symbols, *middle):
    """The update line: ``θₜ − θₜ₋₁ = symbols = middle... = (update)``."""
    return [f"θ{T} − θ{T1} = {symbols} = ", *middle, " = ", v("update")]


def _sgd(series, values, state, rows, before):
    lines = [_gradient(series, values, values["weight_decay"] != 0.0)]
    mu = values["momentum"]
    if mu == 0.0:
        return [*lines, _update(f"{MINUS}γ g{T}", MINUS, v("lr"), " × ", v("g"))]
    series["b_prev"], series["b"] = before("momentum_buffer"), state["momentum_buffer"][rows]
    damp = 1.0 - values["dampening"]
    lines.append(
        [
            f"b{T} = μ b{T1} + (1 − τ) g{T} = {number_text(mu)} × ",
            v("b_prev"),
            f" + {number_text(damp)} × ",
            v("g"),
            " = ",
            v("b"),
            "   (b₁ = g₁)",
        ]
    )
    if values["nesterov"]:
        update = _update(
            f"{MINUS}γ (g{T} + μ b{T})",
            MINUS,
            v("lr"),
            " × (",
            v("g"),
            f" + {number_text(mu)} × ",
            v("b"),
            ")",
        )
    else:
        update = _update(f"{MINUS}γ b{T}", MINUS, v("lr"), " × ", v("b"))
    return [*lines, update]


def _average(series, state, rows, before, name, words, decay, g):
    """The line ``words = decay × prev + (1 − decay) × g = now`` of state ``name``, whose
    previous value is ``<name>_prev``; ``g`` the series averaged ("g" or "g2")."""
    series[f"{name}_prev"], series[name] = before(name), state[name][rows]
    if g == "g2":
        series["g2"] = series["g"] ** 2
    return [
        f"{words} = {number_text(decay)} × ",
        v(f"{name}_prev"),
        f" + {number_text(1.0 - decay)} × ",
        v(g),
        " = ",
        v(name),
    ]


def _adam(series, values, state, rows, before):
    """Adam, AMSGrad and AdamW (``torch.optim.Adam``/``AdamW``):
    m̂ₜ = mₜ / (1 − β₁ᵗ), v̂ₜ = vₜ / (1 − β₂ᵗ), θₜ = θₜ₋₁ − γ m̂ₜ / (√v̂ₜ + ε)."""
    beta1, beta2 = values["betas"]
    decoupled = values.get("decoupled_weight_decay", False)
    lam = values["weight_decay"]
    lines = [_gradient(series, values, lam != 0.0 and not decoupled)]
    m_words = f"m{T} = β₁ m{T1} + (1 − β₁) g{T}"
    v_words = f"v{T} = β₂ v{T1} + (1 − β₂) g{T}²"
    lines.append(_average(series, state, rows, before, "exp_avg", m_words, beta1, "g"))
    lines.append(_average(series, state, rows, before, "exp_avg_sq", v_words, beta2, "g2"))
    t = (rows + 1).astype(float)
    series["bc1"], series["bc2"] = -np.expm1(t * np.log(beta1)), -np.expm1(t * np.log(beta2))
    second, kept = "v", "exp_avg_sq"
    if values.get("amsgrad"):
        series["max_exp_avg_sq"] = state["max_exp_avg_sq"][rows]
        lines.append([f"vᵐᵃˣ{T} = max(vᵐᵃˣ{T1}, v{T}) = ", v("max_exp_avg_sq")])
        second, kept = "vᵐᵃˣ", "max_exp_avg_sq"
    series["m_hat"] = series["exp_avg"] / series["bc1"][:, None]
    series["v_hat"] = series[kept] / series["bc2"][:, None]
    series["den"] = np.sqrt(series["v_hat"]) + values["eps"]
    lines.append([f"m̂{T} = m{T} / (1 − β₁ᵗ) = ", v("exp_avg"), " / ", v("bc1"), " = ", v("m_hat")])
    lines.append(
        [f"v̂{T} = {second}{T} / (1 − β₂ᵗ) = ", v(kept), " / ", v("bc2"), " = ", v("v_hat")]
    )
    lines.append([f"√v̂{T} + ε = ", v("den")])
    step = [MINUS, v("lr"), " × ", v("m_hat"), " / ", v("den")]
    if decoupled and lam != 0.0:
        decay = [MINUS, v("lr"), f" × {number_text(lam)} × ", v("theta"), f" {MINUS} "]
        words = f"{MINUS}γ λ θ{T1} {MINUS} γ m̂{T} / (√v̂{T} + ε)"
        lines.append(_update(words, *decay, *step[1:]))
    else:
        lines.append(_update(f"{MINUS}γ m̂{T} / (√v̂{T} + ε)", *step))
    return lines


def _rmsprop(series, values, state, rows, before):
    """RMSprop (``torch.optim.RMSprop``): vₜ = α vₜ₋₁ + (1 − α) gₜ², centered with
    ḡₜ = α ḡₜ₋₁ + (1 − α) gₜ; the step −γ gₜ / (√(vₜ − ḡₜ²) + ε), through bₜ with momentum."""
    alpha, mu = values["alpha"], values["momentum"]
    lines = [_gradient(series, values, values["weight_decay"] != 0.0)]
    v_words = f"v{T} = α v{T1} + (1 − α) g{T}²"
    lines.append(_average(series, state, rows, before, "square_avg", v_words, alpha, "g2"))
    root = f"√v{T} + ε"
    if values["centered"]:
        g_words = f"ḡ{T} = α ḡ{T1} + (1 − α) g{T}"
        lines.append(_average(series, state, rows, before, "grad_avg", g_words, alpha, "g"))
        root = f"√(v{T} − ḡ{T}²) + ε"
    series["den"] = 1.0 / state["scale"][rows]
    lines.append([f"{root} = ", v("den")])
    if mu > 0.0:
        series["b_prev"], series["b"] = before("momentum_buffer"), state["momentum_buffer"][rows]
        words = f"b{T} = μ b{T1} + g{T} / ({root}) = {number_text(mu)} × "
        lines.append([words, v("b_prev"), " + ", v("g"), " / ", v("den"), " = ", v("b")])
        return [*lines, _update(f"{MINUS}γ b{T}", MINUS, v("lr"), " × ", v("b"))]
    step = [MINUS, v("lr"), " × ", v("g"), " / ", v("den")]
    return [*lines, _update(f"{MINUS}γ g{T} / ({root})", *step)]


def _adagrad(series, values, state, rows, before):
    """Adagrad (``torch.optim.Adagrad``): sₜ = sₜ₋₁ + gₜ², γₜ = γ / (1 + (t − 1) η),
    θₜ = θₜ₋₁ − γₜ gₜ / (√sₜ + ε)."""
    lines = [_gradient(series, values, values["weight_decay"] != 0.0)]
    series["sum_prev"], series["sum"] = before("sum"), state["sum"][rows]
    series["sum_prev"][rows == 0] = values["initial_accumulator_value"]
    series["g2"] = series["g"] ** 2
    lines.append([f"s{T} = s{T1} + g{T}² = ", v("sum_prev"), " + ", v("g2"), " = ", v("sum")])
    series["den"] = 1.0 / state["scale"][rows]
    lines.append([f"√s{T} + ε = ", v("den")])
    rate, symbol = "lr", "γ"
    eta = values["lr_decay"]
    if eta != 0.0:
        series["lr_t"] = series["lr"] / (1.0 + rows * eta)
        words = f"γ{T} = γ / (1 + (t − 1) η) = "
        lines.append([words, v("lr"), f" / (1 + {number_text(eta)} (t − 1)) = ", v("lr_t")])
        rate, symbol = "lr_t", f"γ{T}"
    step = [MINUS, v(rate), " × ", v("g"), " / ", v("den")]
    return [*lines, _update(f"{MINUS}{symbol} g{T} / (√s{T} + ε)", *step)]


def _generic(series, values, state, rows, before):
    """Any other optimizer: the gradient, each state entry by its name, the update."""
    lines = [[f"∇f(θ{T1}) = ", v("grad")]]
    for name, array in state.items():
        if name != "update":
            series[name] = array[rows]
            lines.append([f"{name} = ", v(name)])
    return [*lines, [f"θ{T} − θ{T1} = ", v("update")]]


_RULES = {
    "sgd": _sgd,
    "momentum": _sgd,
    "nesterov": _sgd,
    "adam": _adam,
    "amsgrad": _adam,
    "adamw": _adam,
    "rmsprop": _rmsprop,
    "adagrad": _adagrad,
}
