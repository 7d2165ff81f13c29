"""The torch-backed optimizers against PyTorch's own trajectories, and their specs.

Fixtures come from ``python -m tests.golden.make_optimizer_goldens`` (real torch.optim
stepping on the same analytic gradients in float64); PyTorch is not needed here.
"""

import math
import re

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import registry
from tests import golden

TORCH_BACKED = (
    "sgd",
    "momentum",
    "nesterov",
    "adam",
    "amsgrad",
    "adamw",
    "adamax",
    "nadam",
    "radam",
    "adagrad",
    "adadelta",
    "rmsprop",
    "rprop",
    "asgd",
    "lbfgs",
)
FIXTURES = golden.names("optimizers")
RTOL = 1e-9
ATOL = 1e-12
# L-BFGS's direction near the minimum on Rosenbrock is built from differences of tiny
# gradients (y = g_t - g_{t-1}) over y.s barely above 1e-10: rounding reaches 2e-7 of d
# at a few steps, where the step t d it makes is below 1e-12 (the paths agree to RTOL).
STATE_RTOL = {"d": 1e-6}


def _run(data, steps=None, record_state=False):
    surface = surfaces.get(data["surface"], **data["surface_params"])
    return optimizers.run(
        surface,
        data["optimizer"],
        data["start"],
        steps or data["steps"],
        clip_norm=data["clip_norm"],
        clip_value=data["clip_value"],
        record_state=record_state,
        **data["hyperparameters"],
    )


@pytest.mark.parametrize("name", FIXTURES)
def test_matches_torch(name):
    data = golden.load("optimizers", name)
    path = _run(data)
    assert path.diverged_at is None
    np.testing.assert_allclose(path.xy, data["xy"], rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("name", FIXTURES)
def test_state_matches_torch(name):
    """Every entry of torch's ``optimizer.state[p]`` after every step, by the same name
    (but the step counter and L-BFGS's history: ``torch_loop.UNREPORTED``)."""
    data = golden.load("optimizers", name)
    path = _run(data, record_state=True)
    reported = {k for k in path.state if k not in ("update", "scale")}
    assert reported == set(data["state"]), name
    for key, rows in data["state"].items():
        expected = np.array(rows, dtype=float)
        np.testing.assert_allclose(
            path.state[key],
            expected,
            rtol=STATE_RTOL.get(key, RTOL),
            atol=ATOL,
            err_msg=f"{name}: {key}",
        )
    np.testing.assert_array_equal(path.state["update"], np.diff(path.xy, axis=0))


def test_every_torch_backed_optimizer_has_fixtures():
    covered = {golden.load("optimizers", name)["optimizer"] for name in FIXTURES}
    assert set(TORCH_BACKED) <= covered
    for optimizer in TORCH_BACKED:
        cases = [n for n in FIXTURES if golden.load("optimizers", n)["optimizer"] == optimizer]
        surfaces_used = {golden.load("optimizers", n)["surface"] for n in cases}
        assert {"rosenbrock", "quadratic"} <= surfaces_used, optimizer
        assert len(cases) >= 2, optimizer


def test_fixtures_cover_clipping():
    flags = [golden.load("optimizers", n) for n in FIXTURES]
    assert any(d["clip_norm"] is not None for d in flags)
    assert any(d["clip_value"] is not None for d in flags)


def test_lbfgs_fixtures_exercise_eviction_and_early_exits():
    """The history-3 runs store more than 3 pairs; the tolerance exits happen."""
    data = golden.load("optimizers", "lbfgs_history3_quadratic50")
    xy = np.asarray(data["xy"])
    still = np.all(xy[1:] == xy[:-1], axis=1)
    assert still.any()  # max |g| <= tolerance_grad (or g.d > -tolerance_change): no move
    assert (~still).sum() > 10  # many moving steps, so many pairs: the oldest were dropped


def test_lanes_are_independent():
    """A rule steps every lane on its own (the batch runner relies on it)."""
    from optimizers import _dispatch

    rules = dict(_dispatch.RULES)
    for name in (
        "adagrad",
        "adadelta",
        "rmsprop",
        "adamax",
        "nadam",
        "radam",
        "rprop",
        "asgd",
        "lbfgs",
    ):
        spec = registry.get(name)
        values, slots = spec.resolve({})
        rule = rules[spec.kernel]
        H = np.repeat(slots.reshape(-1, 1), 3, axis=1)
        P = np.array([[-1.5, 0.5, 1.2], [2.0, -0.5, 0.3]])
        S = np.zeros((spec.state_rows(values), 2, 3))
        LR = np.array([1e-3, 2e-3, 5e-3])
        singles = []
        for j in range(3):
            p = P[:, j : j + 1].copy()
            s = np.zeros((spec.state_rows(values), 2, 1))
            for t in range(1, 6):
                g = np.array([[2.0 * p[0, 0] + 0.3], [4.0 * p[1, 0] - 1.0]])
                rule(p, g, s, H[:, j : j + 1].copy(), LR[j : j + 1], t, 0, np.zeros(1))
            singles.append(p[:, 0])
        for t in range(1, 6):
            G = np.vstack([2.0 * P[0] + 0.3, 4.0 * P[1] - 1.0])
            rule(P, G, S, H, LR, t, 0, np.zeros(1))
        np.testing.assert_array_equal(P, np.array(singles).T, err_msg=name)


# --- specs --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", optimizers.names())
def test_spec_is_documented(name):
    spec = registry.get(name)
    assert spec.algorithm.strip() and spec.source.strip() and spec.summary.strip()
    assert r"\begin{aligned}" in spec.algorithm
    assert spec.controls()[0].name == "lr"


@pytest.mark.parametrize("name", TORCH_BACKED)
def test_spec_names_torch_and_its_symbols(name):
    spec = registry.get(name)
    assert "torch.optim." in spec.source
    for word in ("input", "for ", "return"):
        assert word in spec.algorithm
    for hyper in spec.controls():
        symbols = hyper.symbol if isinstance(hyper.symbol, tuple) else (hyper.symbol,)
        if hyper.kind == "bool" and name in ("adam", "adamw", "sgd"):
            continue  # their boxes show the flag's other setting as its own optimizer
        for symbol in symbols:
            assert symbol in spec.algorithm, (name, hyper.name, symbol)


MINE = ("adagrad", "adadelta", "rmsprop", "adamax", "nadam", "radam", "rprop", "asgd", "lbfgs")


def _bad_values(hyper):
    """(bad value, reason) pairs for one control."""
    if hyper.kind == "bool":
        return [("yes", "True or False")]
    bad = ["many"]
    if hyper.low > -math.inf:
        bad.append(hyper.low if hyper.open_low else hyper.low - 1.0)
    if hyper.high < math.inf:
        bad.append(hyper.high if hyper.open_high else hyper.high + 1.0)
    if hyper.kind == "int":
        bad.append(2.5)
    else:  # int kinds: see test_int_hyperparameter_rejects_nan_and_inf
        bad += [float("nan"), float("inf")] if hyper.high < math.inf else [float("nan")]
    return [(value, "allowed") for value in bad]


@pytest.mark.parametrize("name", MINE)
def test_bad_hyperparameters_raise_naming_them(name):
    spec = registry.get(name)
    for hyper in spec.controls():
        for value, word in _bad_values(hyper):
            given = value
            if hyper.size > 1:  # put the bad value in each element of the tuple
                for index in range(hyper.size):
                    given = list(hyper.default)
                    given[index] = value
                    _expect_error(spec, hyper.name, given, f"{hyper.name}[{index}]", value, word)
            else:
                _expect_error(spec, hyper.name, given, hyper.name, value, word)


def _expect_error(spec, name, given, label, value, word):
    with pytest.raises(ValueError) as info:
        spec.resolve({name: given})
    message = str(info.value)
    assert message.startswith(f"{spec.name}: "), message
    assert label in message and repr(value) in message and word in message, message


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_int_hyperparameter_rejects_nan_and_inf(value):
    spec = registry.get("lbfgs")
    _expect_error(spec, "history_size", value, "history_size", value, "allowed")


@pytest.mark.parametrize("name", MINE)
def test_bad_shapes_and_unknown_names(name):
    spec = registry.get(name)
    with pytest.raises(ValueError, match=r"unknown hyperparameter 'nope'; allowed: lr"):
        spec.resolve({"nope": 1.0})
    for hyper in spec.controls():
        if hyper.size > 1:
            with pytest.raises(ValueError, match=re.escape(f"{hyper.name}=0.5 must be a pair")):
                spec.resolve({hyper.name: 0.5})
        else:
            with pytest.raises(ValueError, match=re.escape(f"{hyper.name}=(1, 2) must be")):
                spec.resolve({hyper.name: (1, 2)})


@pytest.mark.parametrize(
    "given, words",
    [
        ({"etas": (1.2, 0.5)}, ["etas=(1.2, 0.5)", "allowed: 0 < etas[0] < 1 < etas[1]"]),
        ({"etas": (0.5, 0.9)}, ["etas=(0.5, 0.9)", "allowed: 0 < etas[0] < 1 < etas[1]"]),
        ({"etas": (1.0, 1.2)}, ["etas=(1.0, 1.2)", "allowed: 0 < etas[0] < 1 < etas[1]"]),
        ({"step_sizes": (1.0, 0.5)}, ["step_sizes=(1.0, 0.5)", "step_sizes[0] <= step_sizes[1]"]),
    ],
)
def test_rprop_combinations(given, words):
    with pytest.raises(ValueError) as info:
        optimizers.run("quadratic", "rprop", (1.0, 1.0), 3, **given)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "name, given, words",
    [
        ("adamax", {"betas": (1.0, 0.9)}, ["betas[0]=1.0", "allowed"]),
        ("nadam", {"betas": (0.9, 1.2)}, ["betas[1]=1.2", "allowed"]),
        ("radam", {"betas": (-0.1, 0.9)}, ["betas[0]=-0.1", "allowed"]),
        ("adadelta", {"rho": 1.5}, ["rho=1.5", "allowed: a number, 0 <= rho <= 1"]),
        ("rmsprop", {"momentum": -0.5}, ["momentum=-0.5", "allowed"]),
        ("adagrad", {"lr_decay": -1}, ["lr_decay=-1", "allowed"]),
        ("adagrad", {"initial_accumulator_value": -1.0}, ["initial_accumulator_value=-1.0"]),
        ("nadam", {"momentum_decay": -1e-3}, ["momentum_decay=-0.001", "allowed"]),
        ("lbfgs", {"history_size": 0}, ["history_size=0", "allowed: an integer, 1 <= "]),
        ("lbfgs", {"history_size": 2.5}, ["history_size=2.5", "not an integer"]),
        ("asgd", {"weight_decay": -0.1}, ["weight_decay=-0.1", "allowed"]),
        ("rmsprop", {"centered": 1}, ["centered=1", "True or False"]),
    ],
)
def test_torch_range_checks(name, given, words):
    with pytest.raises(ValueError) as info:
        optimizers.run("quadratic", name, (1.0, 1.0), 3, **given)
    for word in words:
        assert word in str(info.value)


def test_lbfgs_state_grows_with_history():
    spec = registry.get("lbfgs")
    small = spec.state_rows(spec.resolve({"history_size": 3})[0])
    large = spec.state_rows(spec.resolve({})[0])
    assert large - small == 3 * 97


def test_momentum_slots():
    assert registry.get("rmsprop").momentum_slot == "momentum"
    for name in ("adamax", "nadam", "radam"):
        assert registry.get(name).momentum_slot == "betas"
    for name in ("adagrad", "adadelta", "rprop", "asgd", "lbfgs"):
        assert registry.get(name).momentum_slot is None


def test_long_runs_stay_fast_and_finite():
    """Powers of beta and NAdam's mu product underflow without denormals or NaN."""
    for name, kwargs in [
        ("nadam", {"lr": 0.05, "betas": (0.5, 0.6), "momentum_decay": 2.0}),
        ("radam", {"lr": 0.05, "betas": (0.5, 0.6)}),
        ("adamax", {"lr": 0.05, "betas": (0.5, 0.6)}),
    ]:
        path = optimizers.run("quadratic", name, (-4.0, 3.0), 20_000, **kwargs)
        assert path.diverged_at is None and np.isfinite(path.xy).all(), name


@pytest.mark.parametrize("name", golden.names("minibatch"))
def test_minibatch_runs_match_torch_training(name):
    """A PyTorch model trained with autograd on DataLoader batches (the same epochs'
    permutations) takes the same path, and reports the same batch losses."""
    data = golden.load("minibatch", name)
    path = optimizers.run(
        surfaces.get(data["surface"], **data["surface_params"]),
        data["optimizer"],
        data["start"],
        data["steps"],
        batch_size=data["batch_size"],
        seed=data["seed"],
        **data["hyperparameters"],
    )
    np.testing.assert_allclose(path.xy, data["xy"], rtol=RTOL, atol=ATOL, err_msg=name)
    np.testing.assert_allclose(path.batch_loss, data["batch_loss"], rtol=1e-12, err_msg=name)


def test_minibatch_fixtures_cover_both_losses_and_three_optimizers():
    cases = [golden.load("minibatch", name) for name in golden.names("minibatch")]
    assert {c["surface"] for c in cases} == {"linreg", "logreg"}
    for surface in ("linreg", "logreg"):
        used = {c["optimizer"] for c in cases if c["surface"] == surface}
        assert {"sgd", "momentum", "adam"} <= used, surface
    assert any(c["batch_size"] == 1 for c in cases)
    assert all(c["steps"] > c["surface_params"]["points"] // c["batch_size"] for c in cases)
