"""Surfaces made from data: their losses against PyTorch's formulas written in NumPy,
their datasets, minima and parameter errors, and the parameter-array layout batches use.

(The properties every surface has, derivatives against finite differences, minima
stationary and lowest, boxes, are checked for these too in tests/test_surfaces.py.)
"""

import re

import numpy as np
import pytest

import optimizers
import surfaces
from surfaces import _dispatch, _samples, datasets, network


def mse_loss(w, b, x, y):
    """torch.nn.MSELoss()(w * x + b, y): the mean of the squared errors."""
    return np.mean((w * x + b - y) ** 2)


def bce_with_logits(o, target):
    """torch.nn.BCEWithLogitsLoss()(o, target) as PyTorch computes it (mean reduction)."""
    max_val = np.clip(-o, 0.0, None)
    return np.mean((1 - target) * o + max_val + np.log(np.exp(-max_val) + np.exp(-o - max_val)))


def _points(surf, n=40, seed=5):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surf.domain
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


@pytest.mark.parametrize("params", [{}, {"x_center": -3.0, "outliers": 0.3, "points": 37}])
def test_linreg_is_torch_mse_loss(params):
    surf = surfaces.get("linreg", **params)
    x, y = surf.data["x"], surf.data["y"]
    for w, b in zip(*_points(surf), strict=True):
        assert surf.f(w, b) == pytest.approx(mse_loss(w, b, x, y), rel=1e-13)


@pytest.mark.parametrize("params", [{}, {"l2": 0.25, "separation": 0.5, "points": 31}])
def test_logreg_is_torch_bce_with_logits_plus_half_l2(params):
    surf = surfaces.get("logreg", **params)
    d = surf.data
    l2 = surf.params["l2"]
    for w1, w2 in zip(*_points(surf), strict=True):
        expected = bce_with_logits(w1 * d["x1"] + w2 * d["x2"], d["label"])
        expected += 0.5 * l2 * (w1 * w1 + w2 * w2)
        assert surf.f(w1, w2) == pytest.approx(expected, rel=1e-12)


def test_logreg_is_finite_where_the_logits_are_huge():
    surf = surfaces.get("logreg", separation=6.0)
    d = surf.data
    w = (900.0, -700.0)  # logits of thousands: exp would overflow in a naive formula
    value = surf.f(*w)
    assert np.isfinite(value) and np.isfinite(surf.grad(*w)).all()
    assert value == pytest.approx(bce_with_logits(w[0] * d["x1"] + w[1] * d["x2"], d["label"]))


def test_linreg_minimum_is_the_least_squares_solution():
    surf = surfaces.get("linreg", points=50, noise=2.0, outliers=0.1, seed=9)
    x, y = surf.data["x"], surf.data["y"]
    xm, ym = x.mean(), y.mean()
    slope = np.sum((x - xm) * (y - ym)) / np.sum((x - xm) ** 2)
    ((w, b),) = surf.minima
    assert (w, b) == pytest.approx((slope, ym - slope * xm), rel=1e-12)
    assert surf.f_min == pytest.approx(mse_loss(w, b, x, y), rel=1e-12)


def test_logreg_minimum_is_stationary_and_moves_with_l2():
    plain, ridge = surfaces.get("logreg"), surfaces.get("logreg", l2=0.5)
    for surf in (plain, ridge):
        (w,) = surf.minima
        assert np.hypot(*surf.grad(*w)) < 1e-12
        assert np.linalg.eigvalsh(surf.hessian(*w)).min() > 0
    assert np.hypot(*ridge.minima[0]) < np.hypot(*plain.minima[0])  # L2 pulls towards 0


def test_separable_classes_without_l2_have_no_minimum():
    surf = surfaces.get("logreg", separation=6.0, points=10)
    d = surf.data
    margin = (2 * d["label"] - 1) * (0.8 * d["x1"] + 0.6 * d["x2"])
    assert margin.min() > 0  # the data are separable by the direction of the class means
    assert surf.minima == () and surf.f_min == 0.0
    assert surfaces.get("logreg", separation=6.0, points=10, l2=0.01).minima


def test_datasets_are_seeded_read_only_and_sized():
    a = surfaces.get("linreg", seed=4, points=30)
    again = surfaces.get("linreg", seed=4, points=30)
    other = surfaces.get("linreg", seed=5, points=30)
    assert list(a.data) == ["x", "y"] and a.data["x"].shape == (30,)
    np.testing.assert_array_equal(a.data["y"], again.data["y"])
    assert not np.array_equal(a.data["y"], other.data["y"])
    with pytest.raises(ValueError, match="read-only"):
        a.data["x"][0] = 1.0
    logreg = surfaces.get("logreg", points=11)
    assert list(logreg.data) == ["x1", "x2", "label"]
    assert logreg.data["label"].sum() == 5  # balanced: labels alternate 0, 1, 0, ...
    assert surfaces.get("rosenbrock").data is None


def test_linreg_data_follow_their_parameters():
    surf = surfaces.get(
        "linreg", points=4000, noise=0.0, x_center=3.0, x_spread=0.5, true_w=-1.5, true_b=2.0
    )
    x, y = surf.data["x"], surf.data["y"]
    assert x.mean() == pytest.approx(3.0, abs=0.05) and x.std() == pytest.approx(0.5, rel=0.05)
    np.testing.assert_allclose(y, -1.5 * x + 2.0, atol=1e-12)
    assert surf.minima[0] == pytest.approx((-1.5, 2.0), abs=1e-9)
    moved = surfaces.get("linreg", points=200, noise=0.0, outliers=0.25)
    off = np.abs(moved.data["y"] - (2.0 * moved.data["x"] - 1.0))
    assert np.sum(off > 1e-9) == 50 and off.max() <= 10.0 and off[off > 1e-9].min() >= 5.0


def test_condition_knob_stretches_the_valley():
    def condition(surf):
        eig = np.linalg.eigvalsh(surf.hessian(0.0, 0.0))  # constant: f is quadratic
        return eig.max() / eig.min()

    base = condition(surfaces.get("linreg", points=2000))
    assert base == pytest.approx(1.0, abs=0.2)
    assert condition(surfaces.get("linreg", points=2000, x_center=5.0)) > 500
    assert condition(surfaces.get("linreg", points=2000, x_spread=0.1)) > 50


@pytest.mark.parametrize(
    "name, params, message",
    [
        (
            "linreg",
            {"points": 1},
            "surface 'linreg': points=1 is out of range; allowed: an integer, 2 <= points <= 5000",
        ),
        ("linreg", {"points": 10.5}, "points=10.5 is not an integer"),
        (
            "linreg",
            {"outliers": 0.9},
            "outliers=0.9 is out of range; allowed: a number, 0 <= outliers <= 0.5",
        ),
        ("linreg", {"x_spread": 0.0}, "x_spread=0.0 is out of range"),
        ("logreg", {"l2": -1.0}, "surface 'logreg': l2=-1.0 is out of range"),
        ("logreg", {"seed": -3}, "seed=-3 is out of range; allowed: an integer, 0 <= seed"),
        ("logreg", {"noise": 1.0}, "surface 'logreg' has no parameter 'noise'"),
        (
            "mlp_slice",
            {"points": 301},
            "points=301 is out of range; allowed: an integer, 2 <= points <= 300",
        ),
        (
            "mlp_slice",
            {"hidden": 17},
            "hidden=17 is out of range; allowed: an integer, 2 <= hidden <= 16",
        ),
    ],
)
def test_bad_parameters_name_the_value_and_what_is_allowed(name, params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        surfaces.get(name, **params)


def test_a_subset_of_rows_is_the_surface_of_those_samples():
    """``select`` writes the batch's samples into a copy of the parameter array: the same
    formulas then give the batch's mean loss, gradient and Hessian."""
    surf = surfaces.get("logreg", l2=0.1, points=20)
    sp = surf.kernel_params
    order = np.array([7, 3, 19, 0, 3, 12], dtype=np.int64)
    out = sp.copy()
    _samples.select(sp, order, 1, 5, out)  # samples 3, 19, 0, 3
    rows = datasets.rows(surf.data)[order[1:5]]
    expected = _samples.pack((1.0, 0.1), rows)  # (logistic loss, l2)
    assert _samples.count(out) == 4
    np.testing.assert_array_equal(out[: expected.size], expected)
    w = (0.3, -1.2)
    o = w[0] * rows[:, 0] + w[1] * rows[:, 1]
    batch_value = bce_with_logits(o, rows[:, 2]) + 0.05 * (w[0] ** 2 + w[1] ** 2)
    values = np.empty((1, 1))
    _dispatch.values_many(surf.sid, out, np.array([w[0]]), np.array([w[1]]), values)
    assert values[0, 0] == pytest.approx(batch_value, rel=1e-13)


# ---------------------------------------------------------------- a slice of a network


def test_mlp_slice_is_the_network_loss_on_the_plane():
    """f(a, b) is the mean BCE with logits of the NumPy network with weights
    theta* + a d1 + b d2 (the kernel reads precomputed pre-activations instead)."""
    surf = surfaces.get("mlp_slice", points=60, hidden=8, seed=4)
    d = surf.data
    for a, b in [(0.0, 0.0), *zip(*_points(surf, 10), strict=True)]:
        o = network.logits(network.weights(surf, a, b), 8, d["x1"], d["x2"])
        assert surf.f(a, b) == pytest.approx(bce_with_logits(o, d["label"]), rel=1e-12)


def test_mlp_slice_directions_are_filter_normalised():
    theta, d1, d2 = network.trained(100, 0.15, 16, 0)
    assert network.trained(100, 0.15, 16, 0)[0] is theta  # trained once, then cached
    for direction in (d1, d2):
        w1, b1, w2, c = network._layers(direction, 16)
        t1, _, t2, _ = network._layers(theta, 16)
        np.testing.assert_allclose(np.linalg.norm(w1, axis=1), np.linalg.norm(t1, axis=1))
        assert np.linalg.norm(w2) == pytest.approx(np.linalg.norm(t2))
        assert not b1.any() and c == 0.0
    assert abs(d1 @ d2) < 0.5 * np.linalg.norm(d1) * np.linalg.norm(d2)  # two directions


def test_mlp_slice_minimum_is_next_to_the_trained_weights():
    surf = surfaces.get("mlp_slice")
    ((a, b),) = surf.minima
    assert np.hypot(a, b) < 0.01
    assert surf.f_min <= surf.f(0.0, 0.0) < 0.01  # the two moons are learned
    assert surf.f(*surf.default_start) > 100 * surf.f_min


def test_a_mini_batch_step_on_the_network_slice():
    surf = surfaces.get("mlp_slice", points=30, hidden=6)
    path = optimizers.run(surf, "sgd", (-0.8, 0.7), 1, lr=0.1, batch_size=4, seed=2)
    rows = np.random.default_rng(2).permutation(30)[:4]
    batch = surf.kernel_params.copy()
    _samples.select(surf.kernel_params, rows.astype(np.int64), 0, 4, batch)
    grad = np.empty((1, 3))
    _dispatch.gradients_many(surf.sid, batch, np.array([-0.8]), np.array([0.7]), grad)
    np.testing.assert_allclose(path.xy[1], np.array([-0.8, 0.7]) - 0.1 * grad[0, :2], rtol=1e-14)
