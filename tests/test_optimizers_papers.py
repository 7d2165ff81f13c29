"""The paper-based optimizers (Lion, Newton, YellowFin, Lookahead, Ranger) against the
NumPy references of ``tests/naive.py``, written from the papers' equations."""

import numpy as np
import pytest

import optimizers
import surfaces
from tests import naive

RTOL = 1e-9
ATOL = 1e-12  # coordinates that converge to 0 on the quadratic
STEPS = 300
STARTS = {"rosenbrock": (-1.5, 2.5), "quadratic": (-3.7, 2.9)}


def compare(surface, name, reference, steps=STEPS, start=None, **kwargs):
    """Run ``name`` through the engine and ``reference`` in NumPy; same path expected, and
    the same state after every step under the same names (``scale`` and ``update`` aside)."""
    surf = surfaces.get(surface)
    start = start or STARTS[surface]
    path = optimizers.run(surf, name, start, steps, record_state=True, **kwargs)
    expected = naive.run(surf, reference, start, steps)
    assert path.diverged_at is None
    np.testing.assert_allclose(path.xy, expected["xy"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(path.grad, expected["grad"], rtol=RTOL, atol=ATOL)
    assert set(path.state) - {"scale", "update"} == set(expected["state"])
    for key, values in expected["state"].items():
        np.testing.assert_allclose(path.state[key], values, rtol=RTOL, atol=ATOL, err_msg=key)
    return path


# ------------------------------------------------------------------------------------ Lion


@pytest.mark.parametrize(
    "surface, hypers",
    [
        ("rosenbrock", {"lr": 1e-2}),
        ("quadratic", {"lr": 3e-2, "betas": (0.8, 0.95)}),
        ("rosenbrock", {"lr": 5e-3, "betas": (0.95, 0.98), "weight_decay": 0.1}),
    ],
)
def test_lion_matches_reference(surface, hypers):
    compare(surface, "lion", naive.lion(**hypers), **hypers)


def test_lion_moves_each_coordinate_by_lr():
    path = optimizers.run("quadratic", "lion", (-3.7, 2.9), 20, lr=0.01)
    steps = np.abs(np.diff(path.xy, axis=0))
    np.testing.assert_allclose(steps[steps > 0], 0.01, rtol=1e-9)


def test_lion_defaults_are_the_papers():
    assert optimizers.spec("lion").default_values() == {
        "lr": 1e-4,
        "betas": (0.9, 0.99),
        "weight_decay": 0.0,
    }


# ---------------------------------------------------------------------------------- Newton


@pytest.mark.parametrize(
    "surface, hypers",
    [
        ("rosenbrock", {}),
        ("rosenbrock", {"lr": 0.5, "damping": 2.0}),
        ("quadratic", {"lr": 0.3, "damping": 0.7}),
    ],
)
def test_newton_matches_reference(surface, hypers):
    compare(surface, "newton", naive.newton(**hypers), steps=60, **hypers)


@pytest.mark.parametrize("params", [{}, {"condition": 1000.0, "angle": 30.0}])
def test_newton_solves_a_quadratic_in_one_step(params):
    surf = surfaces.get("quadratic", **params)
    path = optimizers.run(surf, "newton", (-4.0, 3.0), 1, lr=1.0, damping=0.0)
    np.testing.assert_allclose(path.xy[1], (0.0, 0.0), atol=1e-12)
    assert path.loss[1] < 1e-24


def test_newton_large_damping_is_gradient_descent():
    lam = 1e6
    path = optimizers.run("quadratic", "newton", (-4.0, 3.0), 5, lr=1.0, damping=lam)
    sgd = optimizers.run("quadratic", "sgd", (-4.0, 3.0), 5, lr=1.0 / lam)
    np.testing.assert_allclose(path.xy, sgd.xy, rtol=1e-4)


def test_newton_singular_hessian_is_a_divergence():
    # Rosenbrock with b = 0.5 at (0, 1): fxx = 2 - 4b(y - 3x^2) = 0 and fxy = 0, so H is singular
    surf = surfaces.get("rosenbrock", b=0.5)
    path = optimizers.run(surf, "newton", (0.0, 1.0), 10)
    assert path.diverged_at == 1
    assert np.isnan(path.xy[1:]).all() and np.isfinite(path.xy[0]).all()


# ------------------------------------------------------------------------------- YellowFin


@pytest.mark.parametrize(
    "surface, hypers, steps",
    [
        ("quadratic", {}, 400),
        ("rosenbrock", {}, 400),
        ("quadratic", {"lr": 3.0, "beta": 0.99, "window": 7}, 300),
        ("rosenbrock", {"lr": 1.0, "beta": 0.99, "window": 5}, 300),
    ],
)
def test_yellowfin_matches_reference(surface, hypers, steps):
    compare(surface, "yellowfin", naive.yellowfin(**hypers), steps=steps, **hypers)


def test_yellowfin_stays_at_a_stationary_point():
    path = optimizers.run("quadratic", "yellowfin", (0.0, 0.0), 50)
    assert path.diverged_at is None
    assert (path.xy == 0.0).all()


def test_yellowfin_cubic_root():
    from optimizers.yellowfin import sqrt_mu_root

    for p in (1e-150, 1e-12, 1e-3, 0.5, 1.0, 7.0, 1e3, 1e9, 1e30, 1e200):
        x = sqrt_mu_root(p)
        assert 0.0 <= x <= 1.0
        # p x = (1 - x)^3, relative to the size of the terms
        assert abs(p * x - (1.0 - x) ** 3) <= 1e-12 * max(p * x, 1.0), p
    assert sqrt_mu_root(np.inf) == 0.0 and sqrt_mu_root(0.0) == 1.0


def test_yellowfin_window_sizes_the_state():
    spec = optimizers.spec("yellowfin")
    assert spec.state_rows({"window": 20}) - spec.state_rows({"window": 5}) == 15


# ------------------------------------------------------------------------------- Lookahead


@pytest.mark.parametrize(
    "surface, inner, hypers, reference",
    [
        ("rosenbrock", "sgd", {"lr": 1e-3, "k": 3, "alpha": 0.3}, naive.sgd(1e-3)),
        (
            "quadratic",
            "momentum",
            {"lr": 0.02, "k": 7, "alpha": 0.8},
            naive.sgd(0.02, momentum=0.9),
        ),
        (
            "rosenbrock",
            "momentum",
            {"lr": 1e-4, "momentum": 0.8, "dampening": 0.1, "k": 4, "alpha": 0.6},
            naive.sgd(1e-4, momentum=0.8, dampening=0.1),
        ),
        (
            "rosenbrock",
            "adam",
            {"lr": 0.02, "betas": (0.8, 0.99), "k": 10, "alpha": 0.25},
            naive.adam(0.02, betas=(0.8, 0.99)),
        ),
        ("quadratic", "adam", {"lr": 0.1, "k": 2, "alpha": 1.0}, naive.adam(0.1)),
    ],
)
def test_lookahead_matches_reference(surface, inner, hypers, reference):
    wrapped = naive.lookahead(reference, hypers["k"], hypers["alpha"])
    compare(surface, "lookahead", wrapped, inner=inner, **hypers)


def test_lookahead_alpha_one_is_the_inner_optimizer():
    inner = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 100, lr=0.01)
    wrapped = optimizers.run(
        "rosenbrock", "lookahead", (-1.5, 2.5), 100, inner="adam", lr=0.01, k=3, alpha=1.0
    )
    np.testing.assert_array_equal(wrapped.xy, inner.xy)


@pytest.mark.parametrize(
    "surface, hypers",
    [
        # RAdam's first steps (rho_t <= 5) are plain momentum steps: small lr on Rosenbrock
        ("rosenbrock", {"lr": 5e-4}),
        ("quadratic", {"lr": 0.05, "betas": (0.9, 0.99), "eps": 1e-8, "k": 4, "alpha": 0.7}),
        ("rosenbrock", {"lr": 3e-4, "weight_decay": 0.01, "k": 5}),
    ],
)
def test_ranger_matches_reference(surface, hypers):
    compare(surface, "ranger", naive.ranger(**hypers), **hypers)


def test_ranger_defaults():
    defaults = optimizers.spec("ranger").default_values()
    assert defaults["betas"] == (0.95, 0.999)
    assert defaults["eps"] == 1e-5
    assert (defaults["k"], defaults["alpha"]) == (6, 0.5)
