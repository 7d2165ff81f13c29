"""Landscape computations: basin maps on surfaces whose basins are known, sweep regimes
against the theory of gradient descent on a quadratic, auto-tuning, caps and errors,
threads."""

import threading

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import landscape as L

# Himmelblau's minima in the order the surface lists them, and a far start in each basin.
HIMMELBLAU_BASINS = [((4.0, 4.0), 0), ((-4.0, 4.0), 1), ((-4.0, -4.0), 2), ((4.0, -4.0), 3)]


# ------------------------------------------------------------------ basin maps


@pytest.fixture(scope="module")
def himmelblau_map():
    return L.basin_map("himmelblau", "sgd", 300, lr=0.01, size=41)


def label_at(basin, x, y):
    return basin.labels[np.argmin(abs(basin.ys - y)), np.argmin(abs(basin.xs - x))]


def test_himmelblau_has_four_basins_labelled_by_minimum(himmelblau_map):
    surf = surfaces.get("himmelblau")
    for (x, y), index in HIMMELBLAU_BASINS:
        assert label_at(himmelblau_map, x, y) == index
    for index, (mx, my) in enumerate(surf.minima):  # the minima themselves, to the grid's step
        assert label_at(himmelblau_map, mx, my) == index
    shares = [himmelblau_map.share(i) for i in range(4)]
    assert all(0.1 < s < 0.5 for s in shares) and sum(shares) > 0.95


def test_basin_labels_agree_with_single_runs(himmelblau_map):
    rng = np.random.default_rng(0)
    surf = surfaces.get("himmelblau")
    for i, j in rng.integers(0, 41, size=(12, 2)):
        start = (himmelblau_map.xs[j], himmelblau_map.ys[i])
        end = optimizers.run(surf, "sgd", start, 300, lr=0.01).xy[-1]
        distances = np.hypot(*(np.array(surf.minima) - end).T)
        expected = np.argmin(distances) if distances.min() <= himmelblau_map.radius else -2
        assert himmelblau_map.labels[i, j] == expected


def test_steps_to_converge_grow_with_the_distance_to_the_minimum(himmelblau_map):
    steps = himmelblau_map.steps_to_converge
    assert (steps[himmelblau_map.labels >= 0] >= 0).all()
    assert label_at(himmelblau_map, 3.0, 2.0) == 0
    near = steps[np.argmin(abs(himmelblau_map.ys - 2.0)), np.argmin(abs(himmelblau_map.xs - 3.0))]
    far = steps[np.argmin(abs(himmelblau_map.ys - 5.0)), np.argmin(abs(himmelblau_map.xs - 5.0))]
    assert 0 <= near < far


def test_a_quadratic_has_a_single_basin():
    basin = L.basin_map("quadratic", "momentum", 400, lr=0.02, size=25)
    assert (basin.labels == 0).all()
    assert basin.xs[12] == basin.ys[12] == 0.0  # the one start at the minimum
    assert basin.steps_to_converge[12, 12] == 0
    assert (np.delete(basin.steps_to_converge.ravel(), 12 * 25 + 12) > 0).all()


def test_too_large_a_step_diverges_everywhere_but_on_the_flat_axis():
    # lr = 0.3 > 2 / 10: the steep coordinate y explodes unless it starts at exactly 0
    basin = L.basin_map("quadratic", "sgd", 200, lr=0.3, size=21)
    on_axis = basin.ys == 0.0
    assert on_axis.sum() == 1
    assert (basin.labels[on_axis] == 0).all()
    assert (basin.labels[~on_axis] == L.DIVERGED).all()


def test_runs_still_travelling_are_not_converged():
    basin = L.basin_map("rosenbrock", "sgd", 20, lr=1e-6, size=10)  # moves < 0.1
    assert (basin.labels == L.NOT_CONVERGED).all()
    assert (basin.steps_to_converge == -1).all()


def test_runs_ending_at_unlisted_local_minima_say_so():
    # the six-hump camel lists its two global minima; its four other minima are found
    camel = L.basin_map("six_hump_camel", "sgd", 800, lr=0.01, size=41)
    assert len(camel.minima) == 2 and len(camel.local_minima) == 4
    for x, y in camel.local_minima:
        gx, gy = surfaces.get("six_hump_camel").grad(x, y)
        assert abs(gx) < 1e-6 and abs(gy) < 1e-6
        assert label_at(camel, x, y) == L.LOCAL_MINIMUM  # a start at one stays there
    assert camel.share(L.LOCAL_MINIMUM) > 0.2 and camel.share(L.NOT_CONVERGED) < 0.05
    assert "the 4 local minima found" in camel.criterion
    # Rastrigin: from almost every start, gradient descent stops at a local minimum
    rastrigin = L.basin_map("rastrigin", "sgd", 300, lr=0.002, size=40)
    assert rastrigin.share(L.LOCAL_MINIMUM) > 0.9 and len(rastrigin.local_minima) >= 100


def test_basin_labels_of_local_minima_agree_with_single_runs():
    basin = L.basin_map("styblinski_tang", "adam", 400, lr=0.1, size=15)
    surf = surfaces.get("styblinski_tang")
    local = np.array(basin.local_minima)
    assert (basin.labels == L.LOCAL_MINIMUM).sum() > 10
    for i, j in np.ndindex(basin.labels.shape):
        if basin.labels[i, j] != L.LOCAL_MINIMUM:
            continue
        end = optimizers.run(surf, "adam", (basin.xs[j], basin.ys[i]), 400, lr=0.1).xy[-1]
        assert np.hypot(*(local - end).T).min() <= basin.radius


def test_basin_map_box_and_radius():
    basin = L.basin_map("quadratic", "sgd", 10, lr=0.1, size=5, box=((0, 1), (2, 4)), radius=3.0)
    assert basin.xs.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0] and basin.ys[-1] == 4.0
    assert basin.radius == 3.0 and "3" in basin.criterion


# ------------------------------------------------------------------ sweeps


def test_gradient_descent_regimes_on_the_quadratic_match_theory():
    # curvatures 1 and 10: GD converges iff lr < 2 / 10; below 1e-3 it is too slow for 2000
    # steps; just below 2 / 10 the steep coordinate flips sign every step
    lrs = np.array([1e-4, 1e-3, 0.01, 0.05, 0.1, 0.15, 0.19, 0.198, 0.202, 0.21, 0.3, 1.0])
    result = L.sweep("quadratic", "sgd", (-4.0, 3.0), 2000, lrs)
    regime = result.regime[0]
    expected = np.where(lrs > 0.2, L.DIVERGED_REGIME, L.CONVERGED)
    expected[lrs <= 1e-3] = L.TOO_SLOW
    np.testing.assert_array_equal(regime, expected)
    converged = result.converged_step[0][regime == L.CONVERGED]
    fastest = lrs[regime == L.CONVERGED][np.argmin(converged)]
    assert 0.1 <= fastest <= 0.19  # theory: 2 / (1 + 10) = 0.18


def test_a_short_budget_shows_the_oscillating_regime():
    result = L.sweep("quadratic", "sgd", (-4.0, 3.0), 300, [0.05, 0.1995, 0.2005])
    assert [L.REGIMES[r] for r in result.regime[0]] == ["converged", "oscillating", "diverged"]


def test_heavy_ball_diverges_above_two_times_one_plus_momentum_over_lambda_max():
    # heavy ball on a quadratic is stable iff lr * lambda < 2 (1 + momentum)
    momenta = np.array([0.0, 0.5, 0.8])
    lrs = np.geomspace(0.05, 0.6, 23)
    result = L.sweep("quadratic", "momentum", (-4.0, 3.0), 3000, lrs, "momentum", momenta)
    assert result.final_loss.shape == (3, 23)
    bound = 2 * (1 + momenta[:, None]) / 10
    clear = abs(lrs[None, :] / bound - 1) > 0.03
    diverged = result.regime == L.DIVERGED_REGIME
    np.testing.assert_array_equal(diverged[clear], (lrs[None, :] > bound)[clear])


def test_sweep_over_one_element_of_betas_matches_single_runs():
    betas1 = np.array([0.0, 0.5, 0.9])
    lrs = np.array([0.01, 0.1])
    result = L.sweep(
        "rosenbrock", "adam", (-1.5, 2.5), 200, lrs, "betas[0]", betas1, betas=(0.8, 0.99)
    )
    for i, beta1 in enumerate(betas1):
        for j, lr in enumerate(lrs):
            path = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 200, lr, betas=(beta1, 0.99))
            assert result.final_loss[i, j] == pytest.approx(path.loss[-1], rel=1e-9)


def test_default_axes_follow_the_sliders():
    spec = optimizers.spec("momentum")
    controls = {h.name: h for h in spec.controls()}
    result = L.sweep("booth", "momentum", (0.0, 0.0), 20, param="momentum")
    assert result.lrs[0] == pytest.approx(controls["lr"].slider[0])
    assert result.lrs[-1] == pytest.approx(controls["lr"].slider[1])
    assert result.values[-1] == pytest.approx(controls["momentum"].slider[1])
    assert result.regime.shape == (32, 32)


# ------------------------------------------------------------------ auto-tune


def test_auto_tune_picks_a_fast_stable_rate_and_states_its_criterion():
    tuning = L.auto_tune("quadratic", "sgd", (-4.0, 3.0), 100)
    assert 0.1 <= tuning.lr < 0.2
    assert not tuning.diverged[tuning.lrs == tuning.lr][0]
    best = tuning.converged_step[tuning.lrs == tuning.lr][0]
    others = tuning.converged_step[(tuning.converged_step >= 0) & (tuning.lrs != tuning.lr)]
    assert best >= 0 and (others >= best).all()
    assert "100 steps" in tuning.criterion and "diverge" in tuning.criterion
    assert "the same budget" in tuning.criterion


def test_auto_tune_prefers_the_lowest_final_loss_when_none_converges():
    tuning = L.auto_tune("rosenbrock", "sgd", (-1.5, 2.5), 50, np.geomspace(1e-5, 1e-3, 9))
    assert (tuning.converged_step == -1).all()
    finite = np.where(tuning.diverged, np.inf, tuning.final_gap)
    assert tuning.lr == tuning.lrs[np.argmin(finite)]


def test_auto_tune_reports_when_every_rate_diverges():
    tuning = L.auto_tune("quadratic", "sgd", (-4.0, 3.0), 500, [0.3, 1.0, 3.0])
    assert tuning.lr is None and "every run diverged" in tuning.criterion


# ------------------------------------------------------------------ caps and errors


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: L.basin_map("himmelblau", "sgd", 10, size=L.MAX_GRID + 1), "size=301"),
        (lambda: L.basin_map("himmelblau", "sgd", L.MAX_SHARED_STEPS + 1, size=10), "steps=5001"),
        (lambda: L.basin_map("himmelblau", "sgd", 2000, size=300), "at most 100,000,000 per call"),
        (
            lambda: L.basin_map("himmelblau", "lbfgs", 500, size=100),
            "lbfgs: 10000 runs x 500 steps x 76.25 (the cost of one of its steps, from 305 rows",
        ),
        (lambda: L.basin_map("himmelblau", "sgd", 10, size=10, box=((1, 0), (0, 1))), "box="),
        (lambda: L.basin_map("himmelblau", "sgd", 10, size=10, radius=0), "radius=0"),
        (
            lambda: L.sweep(
                "booth",
                "sgd",
                (0, 0),
                10,
                np.geomspace(1e-3, 1, 65),
                "momentum",
                np.linspace(0, 0.9, 65),
            ),
            "cells",
        ),
        (lambda: L.sweep("booth", "adam", (0, 0), 10, param="betas"), "must name one element"),
        (lambda: L.sweep("booth", "adam", (0, 0), 10, param="betas[2]"), "must name one element"),
        (lambda: L.sweep("booth", "adam", (0, 0), 10, param="amsgrad"), "cannot be swept"),
        (lambda: L.sweep("booth", "adam", (0, 0), 10, param="lr"), "cannot be swept"),
        (lambda: L.sweep("booth", "sgd", (0, 0), 10, [0.1, 0.01]), "must increase"),
        (lambda: L.sweep("booth", "sgd", (0, 0), 10, [0.0, 0.01]), "must be > 0"),
        (
            lambda: L.sweep("booth", "sgd", (0, 0), 10, [0.01], "momentum", [-1.0]),
            "values: momentum[0]=-1.0",
        ),
        (lambda: L.sweep("booth", "sgd", (0, 0), 10, values=[0.1]), "values go with a param"),
        (lambda: L.sweep("booth", "sgd", (0, "a"), 10), "start="),
        (
            lambda: L.auto_tune("booth", "sgd", (0, 0), 10, np.geomspace(1e-3, 1, 101)),
            "at most 100",
        ),
    ],
)
def test_caps_and_bad_inputs_raise_with_messages(call, words):
    with pytest.raises(ValueError) as error:
        call()
    assert words in str(error.value)


def test_two_threads_computing_maps_at_once_get_identical_results():
    expected = L.basin_map("himmelblau", "adam", 150, lr=0.05, size=120)
    results, errors = [], []

    def compute():
        try:
            results.append(L.basin_map("himmelblau", "adam", 150, lr=0.05, size=120))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=compute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 2
    for result in results:
        np.testing.assert_array_equal(result.labels, expected.labels)
        np.testing.assert_array_equal(result.steps_to_converge, expected.steps_to_converge)
