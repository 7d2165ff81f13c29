"""Learning-rate schedules: PyTorch goldens, evaluate() against run(), validation, docs."""

import math
import re

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import schedules
from tests.golden import load
from tests.golden import names as golden_names

FIXTURES = golden_names("schedules")
TRAJECTORIES = [n for n in FIXTURES if not n.startswith("long_")]
LONG = [n for n in FIXTURES if n.startswith("long_")]

# One valid parameter set per schedule (required parameters filled in).
EXAMPLES = {
    "constant": {"name": "constant", "factor": 0.5, "total_iters": 7},
    "step": {"name": "step", "step_size": 5, "gamma": 0.5},
    "multistep": {"name": "multistep", "milestones": [3, 9, 9], "gamma": 0.5},
    "exponential": {"name": "exponential", "gamma": 0.95},
    "cosine": {"name": "cosine", "T_max": 12, "eta_min": 1e-3},
    "cosine_restarts": {"name": "cosine_restarts", "T_0": 4, "T_mult": 2, "eta_min": 1e-3},
    "cyclic": {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.01, "step_size_up": 4},
    "onecycle": {"name": "onecycle", "max_lr": 0.01, "three_phase": True},
    "linear": {"name": "linear", "start_factor": 0.2, "total_iters": 8},
    "polynomial": {"name": "polynomial", "total_iters": 20, "power": 2.0},
    "plateau": {"name": "plateau", "patience": 1, "threshold": 0.05, "factor": 0.5},
    "invscaling": {"name": "invscaling", "power_t": 0.3},
}


def test_examples_cover_every_schedule():
    assert sorted(EXAMPLES) == sorted(schedules.names())


@pytest.mark.parametrize("name", TRAJECTORIES)
def test_torch_golden_trajectory(name):
    g = load("schedules", name)
    steps = int(g["steps"])
    surface = surfaces.get(g["surface"], **g["surface_params"])
    path = optimizers.run(
        surface, g["optimizer"], g["start"], steps, lr=g["lr"], schedule=g["schedule"]
    )
    assert path.diverged_at is None
    np.testing.assert_allclose(path.lr, g["rates"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(path.xy, g["xy"], rtol=1e-9, atol=1e-12)
    momentum = schedules.tables(g["schedule"], steps).momentum
    if momentum is None:  # the optimizer's own momentum / beta1, untouched
        np.testing.assert_array_equal(g["momentum"], g["momentum"][0])
    else:
        np.testing.assert_allclose(momentum, g["momentum"], rtol=1e-12, atol=0)


# PyTorch's CosineAnnealingLR with eta_min > 0 loses digits of (lr - eta_min) near the
# minimum (cancellation in its recursion); past T_max = 30000 that is ~7e-10 relative.
LONG_RTOL = {"long_cosine_eta_min": 1e-9}


@pytest.mark.parametrize("name", LONG)
def test_torch_golden_long_run(name):
    g = load("schedules", name)
    rates = schedules.evaluate(g["schedule"], g["lr"], int(g["steps"]))
    index = g["index"].astype(int)
    np.testing.assert_allclose(rates[index], g["rates"], rtol=LONG_RTOL.get(name, 1e-12), atol=0)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("warmup", [0, 5])
def test_evaluate_equals_run(name, warmup):
    schedule = {**EXAMPLES[name], "warmup_steps": warmup}
    path = optimizers.run("quadratic", "momentum", (-4.0, 3.0), 40, lr=0.02, schedule=schedule)
    assert path.diverged_at is None
    losses = path.loss if name == "plateau" else None
    rates = schedules.evaluate(schedule, 0.02, 40, losses=losses)
    np.testing.assert_allclose(rates, path.lr, rtol=1e-15, atol=0)
    if name == "plateau":  # the example does cut the rate
        assert len(set(path.lr[warmup:])) > 1


@pytest.mark.parametrize(
    ("schedule", "length"),
    [
        (None, 1),
        ({"name": "constant", "factor": 0.5, "total_iters": 7}, 8),
        ({"name": "linear", "total_iters": 10, "warmup_steps": 5}, 16),
        ({"name": "polynomial", "total_iters": 20}, 21),
        ({"name": "plateau"}, 1),
        ({"name": "cosine", "T_max": 50}, 1000),
    ],
)
def test_settled_schedules_end_their_tables_early(schedule, length):
    """Past a settled schedule's last entry the rate holds, in evaluate and in the kernel."""
    table = schedules.tables(schedule, 1000)
    assert table.scale.size == table.offset.size == length
    rates = schedules.evaluate(schedule, 0.01, 1000)
    np.testing.assert_array_equal(rates[length - 1 :], rates[length - 1])
    path = optimizers.run("quadratic", "sgd", (-4.0, 3.0), 1000, lr=0.01, schedule=schedule)
    np.testing.assert_array_equal(path.lr, rates)


def test_invscaling_formula():
    t = np.arange(500)
    rates = schedules.evaluate({"name": "invscaling", "power_t": 0.7}, 0.3, 500)
    np.testing.assert_allclose(rates, 0.3 / (t + 1.0) ** 0.7, rtol=1e-15)
    default = schedules.evaluate({"name": "invscaling"}, 0.3, 500)
    np.testing.assert_allclose(default, 0.3 / np.sqrt(t + 1.0), rtol=1e-15)


def test_constant_default_is_constant():
    np.testing.assert_array_equal(schedules.evaluate(None, 0.1, 50), 0.1)
    np.testing.assert_array_equal(schedules.evaluate({"name": "constant"}, 0.1, 50), 0.1)


def test_warmup_by_hand():
    rates = schedules.evaluate(
        {"name": "step", "step_size": 4, "gamma": 0.5, "warmup_steps": 3}, 0.3, 12
    )
    expected = [0.1, 0.2, 0.3] + [0.3] * 4 + [0.15] * 4 + [0.075]
    np.testing.assert_allclose(rates, expected, rtol=1e-15)
    # the ramp goes to the schedule's first rate (here start_factor * lr)
    rates = schedules.evaluate(
        {"name": "linear", "start_factor": 0.5, "total_iters": 2, "warmup_steps": 2}, 1.0, 6
    )
    np.testing.assert_allclose(rates, [0.25, 0.5, 0.5, 0.75, 1.0, 1.0], rtol=1e-15)


def test_warmup_of_cycling_schedule_holds_the_momentum():
    schedule = {"name": "onecycle", "max_lr": 0.1, "warmup_steps": 4}
    table = schedules.tables(schedule, 20)
    rates = table.scale * 123.0 + table.offset  # the optimizer's lr does not matter
    np.testing.assert_allclose(rates[:4], 0.1 / 25 * np.arange(1, 5) / 4, rtol=1e-15)
    np.testing.assert_allclose(table.momentum[:5], 0.95, rtol=1e-15)
    # total_steps defaults to the 16 steps after warmup: the cycle ends at its last step
    np.testing.assert_allclose(rates[-1], 0.1 / 25 / 1e4, rtol=1e-12)
    assert table.momentum[-1] == pytest.approx(0.95)


def test_warmup_then_plateau_starts_from_lr():
    losses = np.array([5.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0])
    schedule = {"name": "plateau", "patience": 1, "factor": 0.5, "warmup_steps": 3}
    rates = schedules.evaluate(schedule, 0.2, 8, losses=losses)
    # steps 0-2 ramp; the rule starts at step 3 with lr and sees 3.0 (the best), then no
    # improvement at steps 4 and 5: 2 bad steps > patience 1, so step 6 uses lr * 0.5
    np.testing.assert_allclose(rates, [0.2 / 3, 0.4 / 3, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1])
    flat = schedules.evaluate(schedule, 0.2, 8)  # no losses: drawn flat after the ramp
    np.testing.assert_allclose(flat[3:], 0.2)


def test_set_lr_schedules_ignore_the_optimizer_lr():
    for name in ("cyclic", "onecycle"):
        assert schedules.spec(name).sets_lr
        table = schedules.tables(EXAMPLES[name], 30)
        np.testing.assert_array_equal(table.scale, 0.0)
        assert table.momentum is not None
    for name in set(EXAMPLES) - {"cyclic", "onecycle"}:
        assert not schedules.spec(name).sets_lr
        assert schedules.tables(EXAMPLES[name], 30).momentum is None


def test_cycle_momentum_needs_momentum():
    schedule = {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.01}
    with pytest.raises(ValueError, match="cycles the momentum, but adagrad has no momentum"):
        optimizers.run("quadratic", "adagrad", (1.0, 1.0), 10, schedule=schedule)
    path = optimizers.run(
        "quadratic", "sgd", (1.0, 1.0), 10, schedule={**schedule, "cycle_momentum": False}
    )
    assert path.diverged_at is None


def test_cosine_restarts_periods():
    rates = schedules.evaluate({"name": "cosine_restarts", "T_0": 2, "T_mult": 3}, 1.0, 12)
    # periods of 2, 6, 18 steps starting at 0, 2, 8
    t_cur = [0, 1, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3]
    period = [2, 2, 6, 6, 6, 6, 6, 6, 18, 18, 18, 18]
    expected = [(1 + math.cos(math.pi * c / p)) / 2 for c, p in zip(t_cur, period, strict=True)]
    np.testing.assert_allclose(rates, expected, rtol=1e-15, atol=1e-17)


def test_resolve_fills_defaults():
    _, params = schedules.resolve({"name": "onecycle", "max_lr": 0.1, "warmup_steps": 10}, 110)
    assert params["total_steps"] == 100 and params["pct_start"] == 0.3
    _, params = schedules.resolve({"name": "cyclic", "base_lr": 0.1, "max_lr": 0.2})
    assert params["step_size_down"] is None and params["step_size_up"] == 2000
    _, params = schedules.resolve({"name": "multistep", "milestones": [2, 4]})
    assert params["milestones"] == [2, 4] and params["gamma"] == 0.1


BAD = [
    ({"name": "nope"}, "unknown schedule 'nope'; allowed: constant, step"),
    ("cosine", "schedule='cosine' must be None or a dict with a 'name'"),
    ({"T_max": 3}, "must be None or a dict with a 'name'"),
    (
        {"name": "cosine", "T_max": 9, "Tmax": 3},
        "schedule 'cosine': unknown parameter 'Tmax'; allowed: T_max, eta_min, warmup_steps",
    ),
    ({"name": "cosine"}, "parameter 'T_max' is required"),
    ({"name": "exponential"}, "parameter 'gamma' is required"),
    ({"name": "cyclic", "base_lr": 0.1}, "parameter 'max_lr' is required"),
    ({"name": "cosine", "T_max": "10"}, "T_max='10' is not a finite number; allowed: an integer"),
    ({"name": "cosine", "T_max": True}, "T_max=True is not a finite number"),
    (
        {"name": "cosine", "T_max": 2.5},
        "T_max=2.5 is not an integer; allowed: an integer, 1 <= T_max",
    ),
    ({"name": "cosine", "T_max": 0}, "T_max=0 is out of range; allowed: an integer, 1 <= T_max"),
    (
        {"name": "cosine", "T_max": 9, "eta_min": -1},
        "eta_min=-1 is out of range; allowed: a number, 0 <= eta_min",
    ),
    (
        {"name": "cosine", "T_max": 9, "eta_min": math.nan},
        "eta_min=nan is not a finite number; allowed: a number, 0 <= eta_min",
    ),
    (
        {"name": "step", "step_size": 3, "gamma": 1.5},
        "gamma=1.5 is out of range; allowed: a number, 0 <= gamma <= 1",
    ),
    (
        {"name": "multistep", "milestones": [5, 3]},
        "milestones=[5, 3] is not increasing from the lowest step; allowed: an increasing list",
    ),
    (
        {"name": "multistep", "milestones": [-1, 3]},
        "milestones=[-1, 3] is not increasing from the lowest step",
    ),
    ({"name": "multistep", "milestones": 5}, "milestones=5 is not a list of whole steps"),
    ({"name": "multistep", "milestones": [1.5]}, "milestones=[1.5] is not a list of whole steps"),
    (
        {"name": "cyclic", "base_lr": 0.1, "max_lr": 0.2, "mode": "triangle"},
        "mode='triangle' is not a choice; allowed: one of 'triangular', 'triangular2', 'exp_range'",
    ),
    (
        {"name": "cyclic", "base_lr": 0.1, "max_lr": 0.2, "cycle_momentum": "yes"},
        "cycle_momentum='yes' is not True or False; allowed: True or False",
    ),
    (
        {"name": "cyclic", "base_lr": 0.1, "max_lr": 0.2, "base_momentum": 1.0},
        "base_momentum=1.0 is out of range; allowed: a number, 0 <= base_momentum < 1",
    ),
    (
        {"name": "cyclic", "base_lr": 0.1, "max_lr": 0.2, "step_size_down": 0},
        "step_size_down=0 is out of range; allowed: an integer, 1 <= step_size_down, or None",
    ),
    ({"name": "cyclic", "base_lr": -0.1, "max_lr": 0.2}, "base_lr=-0.1 is out of range"),
    (
        {"name": "onecycle", "max_lr": 0.1, "total_steps": 50},
        "total_steps=50 is out of range; allowed: total_steps >= 100",
    ),
    (
        {"name": "onecycle", "max_lr": 0.1, "total_steps": 60, "warmup_steps": 30},
        "total_steps=60 is out of range; allowed: total_steps >= 70",
    ),
    (
        {"name": "onecycle", "max_lr": 0.1, "total_steps": 1000, "pct_start": 0.001},
        "pct_start=0.001 with total_steps=1000 gives a warm-up phase of length",
    ),
    ({"name": "onecycle", "max_lr": 0.1, "pct_start": 1.5}, "pct_start=1.5 is out of range"),
    (
        {"name": "onecycle", "max_lr": 0.1, "div_factor": 0},
        "div_factor=0 is out of range; allowed: a number, 0 < div_factor",
    ),
    (
        {"name": "onecycle", "max_lr": 0.1, "anneal_strategy": "cosine"},
        "anneal_strategy='cosine' is not a choice; allowed: one of 'cos', 'linear'",
    ),
    ({"name": "onecycle", "max_lr": 0.1, "three_phase": 1}, "three_phase=1 is not True or False"),
    (
        {"name": "linear", "start_factor": 0},
        "start_factor=0 is out of range; allowed: a number, 0 < start_factor <= 1",
    ),
    ({"name": "linear", "total_iters": 0}, "total_iters=0 is out of range"),
    ({"name": "polynomial", "power": -1}, "power=-1 is out of range"),
    ({"name": "plateau", "mode": "max"}, "mode='max' is not a choice; allowed: one of 'min'"),
    (
        {"name": "plateau", "factor": 1.0},
        "factor=1.0 is out of range; allowed: a number, 0 <= factor < 1",
    ),
    (
        {"name": "plateau", "threshold_mode": "relative"},
        "threshold_mode='relative' is not a choice",
    ),
    ({"name": "plateau", "patience": -1}, "patience=-1 is out of range"),
    ({"name": "constant", "factor": 2}, "factor=2 is out of range"),
    ({"name": "invscaling", "power_t": -0.5}, "power_t=-0.5 is out of range"),
    ({"name": "step", "step_size": 3, "warmup_steps": -1}, "warmup_steps=-1 is out of range"),
    ({"name": "step", "step_size": 3, "warmup_steps": 1.5}, "warmup_steps=1.5 is not an integer"),
]


@pytest.mark.parametrize(("schedule", "message"), BAD)
def test_bad_schedule(schedule, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        schedules.tables(schedule, 100)
    if isinstance(schedule, dict) and "name" in schedule:
        with pytest.raises(ValueError, match=re.escape(message)):
            optimizers.run("quadratic", "momentum", (1.0, 1.0), 100, schedule=schedule)


def test_evaluate_needs_enough_losses():
    with pytest.raises(ValueError, match="losses must be a list of at least steps=10"):
        schedules.evaluate({"name": "plateau"}, 0.1, 10, losses=[1.0] * 5)


@pytest.mark.parametrize("name", schedules.names())
def test_documented(name):
    found = schedules.spec(name)
    assert found.latex and found.summary and found.source and found.title
    assert "torch.optim.lr_scheduler." in found.source or name == "invscaling"
    for symbol, meaning in found.symbols.items():
        assert symbol in found.latex, f"{name}: symbol {symbol} not in the formula"
        assert meaning
    for key, param in found.params.items():
        assert param.help, key
        assert isinstance(param.kind, tuple) or param.kind in ("float", "int", "bool", "ints")
        if not param.required and param.default is not None:
            schedules.resolve({"name": name, **_required(name), key: param.default}, 1000)
    assert set(_required(name)) == {k for k, p in found.params.items() if p.required}


REQUIRED = {
    "step": {"step_size": 5},
    "multistep": {"milestones": [3]},
    "exponential": {"gamma": 0.9},
    "cosine": {"T_max": 10},
    "cosine_restarts": {"T_0": 5},
    "cyclic": {"base_lr": 0.01, "max_lr": 0.1},
    "onecycle": {"max_lr": 0.1},
}


def _required(name):
    return REQUIRED.get(name, {})


def test_warmup_documented():
    for symbol in schedules.WARMUP_SYMBOLS:
        assert symbol in schedules.WARMUP_LATEX
