"""Mini-batch gradients on surfaces made from data: the batches PyTorch's DataLoader
would draw, batch means against NumPy, the full batch, every optimizer in ``run`` and
``run_batch``, and the errors.

(The runs against ``torch.optim`` stepping on the same batches are in
tests/test_optimizers_torch.py, from the fixtures of tests/golden/make_optimizer_goldens.py.)
"""

import re

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import minibatch


def reference_batches(n, batch_size, steps, seed):
    """The index arrays of ``steps`` batches: DataLoader(shuffle=True, drop_last=False)
    with each epoch's order from one numpy.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    batches = []
    while len(batches) < steps:
        order = rng.permutation(n)
        batches += [order[i : i + batch_size] for i in range(0, n, batch_size)]
    return batches[:steps]


def reference_gradient(surf, w, rows):
    """The mean gradient over ``rows`` of the samples, in NumPy."""
    d = surf.data
    if surf.name == "linreg":
        r = w[0] * d["x"][rows] + w[1] - d["y"][rows]
        return np.array([2 * np.mean(r * d["x"][rows]), 2 * np.mean(r)])
    x = np.column_stack([d["x1"][rows], d["x2"][rows]])
    s = 1 / (1 + np.exp(-(x @ w)))
    return x.T @ (s - d["label"][rows]) / len(rows) + surf.params["l2"] * w


def reference_loss(surf, w, rows):
    d = surf.data
    if surf.name == "linreg":
        return np.mean((w[0] * d["x"][rows] + w[1] - d["y"][rows]) ** 2)
    o = w[0] * d["x1"][rows] + w[1] * d["x2"][rows]
    bce = np.mean(np.logaddexp(0, o) - d["label"][rows] * o)
    return bce + 0.5 * surf.params["l2"] * (w @ w)


def reference_sgd(surf, start, steps, lr, batch_size, seed):
    """Plain SGD on the reference batches: the path and each batch's loss."""
    n = len(next(iter(surf.data.values())))
    w = np.array(start, dtype=float)
    path, losses = [w.copy()], []
    for rows in reference_batches(n, batch_size, steps, seed):
        losses.append(reference_loss(surf, w, rows))
        w = w - lr * reference_gradient(surf, w, rows)
        path.append(w.copy())
    return np.array(path), np.array(losses)


CASES = [
    ("linreg", {"points": 50, "outliers": 0.1}, (-2.0, 2.5), 0.05, 7),
    ("logreg", {"points": 41, "l2": 0.05}, (-4.5, 4.5), 0.5, 4),
]


@pytest.mark.parametrize("name, params, start, lr, batch_size", CASES)
def test_sgd_steps_on_batch_means(name, params, start, lr, batch_size):
    surf = surfaces.get(name, **params)
    path = optimizers.run(surf, "sgd", start, 40, lr=lr, batch_size=batch_size, seed=11)
    xy, losses = reference_sgd(surf, start, 40, lr, batch_size, seed=11)
    np.testing.assert_allclose(path.xy, xy, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(path.batch_loss, losses, rtol=1e-12)
    np.testing.assert_allclose(path.loss, surf.f(xy[:, 0], xy[:, 1]), rtol=1e-14)
    n = params["points"]
    per_epoch = -(-n // batch_size)
    np.testing.assert_array_equal(path.epoch_starts, np.arange(0, 40, per_epoch))
    assert path.batch_size == batch_size
    first = reference_batches(n, batch_size, 1, 11)[0]
    np.testing.assert_allclose(path.grad[0], reference_gradient(surf, xy[0], first), rtol=1e-12)


def test_the_seed_chooses_the_batches():
    one = optimizers.run("linreg", "sgd", (0.0, 0.0), 30, lr=0.05, batch_size=5, seed=1)
    two = optimizers.run("linreg", "sgd", (0.0, 0.0), 30, lr=0.05, batch_size=5, seed=2)
    again = optimizers.run("linreg", "sgd", (0.0, 0.0), 30, lr=0.05, batch_size=5, seed=1)
    np.testing.assert_array_equal(one.xy, again.xy)
    assert not np.array_equal(one.xy, two.xy)


@pytest.mark.parametrize("name", ["linreg", "logreg"])
def test_a_batch_of_every_sample_is_the_full_batch(name):
    surf = surfaces.get(name)
    n = minibatch.samples(surf)
    full = optimizers.run(surf, "adam", surf.default_start, 50, lr=0.1)
    whole = optimizers.run(surf, "adam", surf.default_start, 50, lr=0.1, batch_size=n, seed=5)
    np.testing.assert_array_equal(whole.xy, full.xy)
    np.testing.assert_array_equal(full.batch_loss, full.loss[:-1])
    np.testing.assert_array_equal(whole.batch_loss, full.loss[:-1])
    for path in (full, whole):
        np.testing.assert_array_equal(path.epoch_starts, np.arange(50))
    assert full.batch_size is None and whole.batch_size == n


def test_analytic_surfaces_have_no_batch_outputs():
    path = optimizers.run("rosenbrock", "sgd", (-1.0, 1.0), 5, lr=1e-3)
    assert path.batch_loss is None and path.epoch_starts is None and path.batch_size is None


@pytest.mark.parametrize("optimizer", optimizers.names())
def test_every_optimizer_takes_batches_in_run_and_run_batch(optimizer):
    """Each lane of run_batch sees the batches run sees: the same end points."""
    surf = surfaces.get("logreg", points=30, l2=0.01)
    starts = [(-4.5, 4.5), (2.0, -3.0), (0.5, 0.5)]
    options = {"batch_size": 4, "seed": 3, "clip_norm": 5.0, "noise_std": 0.01}
    if optimizers.chooses_inner(optimizer):
        options["inner"] = "adam"
    batch = optimizers.run_batch(surf, optimizer, starts, 25, **options)
    for start, end in zip(starts, batch.final_xy, strict=True):
        path = optimizers.run(surf, optimizer, start, 25, **options)
        assert np.isfinite(path.batch_loss).all() and np.isfinite(path.xy).all()
        np.testing.assert_allclose(end, path.xy[-1], rtol=1e-12, atol=1e-12)
    full = optimizers.run(surf, optimizer, starts[0], 25, **{**options, "batch_size": None})
    assert not np.array_equal(full.xy, optimizers.run(surf, optimizer, starts[0], 25, **options).xy)


def test_newton_uses_the_batch_hessian():
    """Newton's step on a batch of the least-squares loss lands on that batch's own
    least-squares solution (its Hessian and gradient are both the batch's)."""
    surf = surfaces.get("linreg", points=30, noise=1.0)
    path = optimizers.run(surf, "newton", (0.0, 0.0), 1, lr=1.0, batch_size=6, seed=8)
    rows = reference_batches(30, 6, 1, 8)[0]
    x, y = surf.data["x"][rows], surf.data["y"][rows]
    solution = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
    np.testing.assert_allclose(path.xy[1], solution, rtol=1e-10)


def test_a_diverged_run_blanks_its_batch_losses():
    path = optimizers.run("linreg", "sgd", (0.0, 0.0), 200, lr=5.0, batch_size=10, seed=0)
    k = path.diverged_at
    assert k is not None and np.isnan(path.batch_loss[k:]).all()
    assert np.isfinite(path.batch_loss[:k]).all()


@pytest.mark.parametrize(
    "surface, batch_size, message",
    [
        (
            "rosenbrock",
            4,
            "batch_size=4 needs a surface made from data; surface 'rosenbrock' "
            "is analytic (allowed: batch_size=None)",
        ),
        (
            "linreg",
            0,
            "surface 'linreg' (100 samples): batch_size=0 is out of range; allowed: an "
            "integer, 1 <= batch_size <= 100, or None (the full batch)",
        ),
        (
            "linreg",
            101,
            "batch_size=101 is out of range; allowed: an integer, 1 <= batch_size <= 100",
        ),
        ("linreg", 2.5, "batch_size=2.5 is not an integer"),
        ("linreg", True, "batch_size=True is not a finite number"),
        ("linreg", "abc", "batch_size='abc' is not a finite number"),
    ],
)
def test_bad_batch_sizes_are_refused(surface, batch_size, message):
    for call in (optimizers.run, optimizers.run_batch):
        start = (0.0, 0.0) if call is optimizers.run else [(0.0, 0.0)]
        with pytest.raises(ValueError, match=re.escape(message)):
            call(surface, "sgd", start, 10, batch_size=batch_size)


def test_the_sample_indices_of_one_run_are_capped():
    surf = surfaces.get("linreg", points=5000)
    message = (
        "batch_size=4999 for 10000 steps over 5000 samples needs 25,000,000 sample indices; "
        "allowed: at most 10,000,000 (fewer steps or a smaller batch)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizers.run(surf, "sgd", (0.0, 0.0), 10_000, batch_size=4999)


def test_a_step_on_data_costs_more_in_run_batch():
    """``max_work`` counts the surface's cost: 0.3 per sample of linreg beyond a formula's 1."""
    assert surfaces.get("linreg").cost == pytest.approx(31.0)
    message = (
        "adam: 3 runs x 5 steps x 31 (the cost of one of its steps, from 4 rows of state and "
        "linreg's data) = 465; allowed: at most 400 per call"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizers.run_batch("linreg", "adam", [(0.0, 0.0)] * 3, 5, max_work=400)
    assert optimizers.run_batch("linreg", "adam", [(0.0, 0.0)] * 3, 5, max_work=465).runs == 3
