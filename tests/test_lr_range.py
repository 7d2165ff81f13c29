"""The learning-rate range test: exact rates, fast.ai's smoothing and stop, the suggestions
on a quadratic whose stable limit is known, and bad input."""

import math

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import landscape
from optimizers.lr_range import divergence, smooth

QUADRATIC = surfaces.get("quadratic", condition=10.0, angle=0.0)  # curvatures 1 and 10
LIMIT = 2.0 / 10.0  # gradient descent is stable for lr < 2 / lambda_max


def reference_smoothing(losses, beta=0.98):
    """fast.ai's AvgSmoothLoss as the issue states it, in plain Python."""
    out, avg = [], 0.0
    for t, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta ** (t + 1)))
    return np.array(out)


def test_rates_are_exact_and_the_losses_follow_the_run():
    test = landscape.lr_range_test("rosenbrock", "adam", (-1.5, 2.0), 300, 1e-5, 0.1)
    assert test.diverged_at is None and test.rates.size == 300
    t = np.arange(300)
    np.testing.assert_array_equal(test.rates, 1e-5 * (0.1 / 1e-5) ** (t / 299))
    assert test.rates[0] == 1e-5 and math.isclose(test.rates[-1], 0.1, rel_tol=1e-15)
    path = optimizers.run("rosenbrock", "adam", (-1.5, 2.0), 1, lr=1e-5)
    assert test.losses[0] == path.loss[1]  # the first rate is lr_min: the same first step
    np.testing.assert_allclose(test.smoothed, reference_smoothing(test.losses), rtol=1e-14)


def test_smoothing_against_the_reference():
    losses = np.random.default_rng(4).lognormal(size=500)
    np.testing.assert_allclose(smooth(losses), reference_smoothing(losses), rtol=1e-14)
    assert smooth(np.array([3.0]))[0] == pytest.approx(3.0)  # bias correction: no pull to 0


def test_stops_when_the_smoothed_loss_passes_four_times_its_best():
    losses = np.array([8.0, 4.0, 2.0, 1.0, 1.0, 30.0, 400.0, 1e4])
    smoothed = reference_smoothing(losses)
    expected = next(t for t in range(len(losses)) if smoothed[t] > 4 * np.min(smoothed[: t + 1]))
    assert divergence(smoothed, losses, 0.0) == expected
    assert divergence(smoothed, losses, -math.inf) is None  # the rule is off, all finite
    # measured above f*: the same losses shifted by f* stop at the same step
    assert divergence(smoothed + 3.0, losses + 3.0, 3.0) == expected
    nan = losses.copy()
    nan[2] = np.nan
    assert divergence(reference_smoothing(nan), nan, -math.inf) == 2
    assert divergence(smoothed[:5], losses[:5], 0.0, escaped_at=3) == 2


def test_quadratic_suggestions_are_stable_and_the_divergence_is_not():
    test = landscape.lr_range_test(QUADRATIC, "sgd", (-4.0, 3.0), 400, 1e-4, 10.0)
    k = test.diverged_at
    assert k is not None and k == test.rates.size - 1
    assert test.rates[k] > LIMIT  # it can only blow up above the stable limit
    smoothed = test.smoothed
    assert smoothed[k] > 4 * smoothed[:k].min() or not np.isfinite(test.losses[k])
    steepest, tenth = test.suggestions
    assert (steepest.name, tenth.name) == ("steepest", "minimum/10")
    assert 0 < steepest.lr < LIMIT and 0 < tenth.lr < LIMIT
    slope = np.gradient(smoothed, np.log(test.rates))
    assert steepest.lr == test.rates[np.argmin(slope)]
    assert tenth.lr == test.rates[np.argmin(smoothed)] / 10
    assert "steepest" not in tenth.rule and "divided by 10" in tenth.rule
    assert "log(lr)" in steepest.rule and "4x" in test.stop_rule


def test_never_diverging_keeps_every_step():
    test = landscape.lr_range_test(QUADRATIC, "adam", (-4.0, 3.0), 100, 1e-6, 1e-3)
    assert test.diverged_at is None and test.losses.size == 100
    assert test.suggestions[0].lr is not None


def test_unbounded_surface_stops_only_on_escape():
    test = landscape.lr_range_test("saddle", "sgd", (0.5, 0.01), 500)
    assert test.diverged_at is not None
    assert "unbounded below" in test.stop_rule


def test_wrapper_options_pass_through():
    test = landscape.lr_range_test(
        QUADRATIC, "lookahead", (-4.0, 3.0), 50, inner="adam", k=3, betas=(0.8, 0.9)
    )
    assert test.optimizer == "lookahead" and test.rates.size >= 2


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"lr_min": 0.0}, ["lr_min=0.0", "allowed: a number > 0"]),
        ({"lr_min": -1e-3}, ["lr_min=-0.001", "allowed: a number > 0"]),
        ({"lr_min": "small"}, ["lr_min='small'", "not a number"]),
        ({"lr_max": 1e-6}, ["lr_max=1e-06", "allowed: a number > lr_min=1e-06"]),
        ({"lr_min": 1.0, "lr_max": 0.5}, ["lr_max=0.5", "> lr_min=1"]),
        ({"lr_max": math.inf}, ["lr_max=inf", "allowed"]),
        ({"steps": 1}, ["steps=1 is out of range", "allowed: an integer, 2 <= steps <= 5000"]),
        ({"steps": 6000}, ["steps=6000 is out of range", "2 <= steps <= 5000"]),
        ({"steps": 2.5}, ["steps=2.5 is not an integer", "2 <= steps <= 5000"]),
        ({"lr": 0.1}, ["lr=0.1 cannot be given", "lr_min to lr_max"]),
        ({"schedule": {"name": "cosine"}}, ["schedule=", "cannot be given"]),
        ({"nope": 1.0}, ["unknown hyperparameter 'nope'", "allowed"]),
        ({"betas": (1.5, 0.9)}, ["betas[0]=1.5", "allowed"]),
        ({"optimizer": "nope"}, ["unknown optimizer 'nope'", "allowed"]),
        ({"surface": "nope"}, ["nope", "allowed"]),
        ({"start": (1.0,)}, ["start=(1.0,)", "pair"]),
    ],
)
def test_bad_input_names_the_parameter(kwargs, words):
    args = {"surface": "quadratic", "optimizer": "adam", "start": (1.0, 1.0), "steps": 50}
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        landscape.lr_range_test(**args)
    for word in words:
        assert word in str(info.value), str(info.value)
