"""The benchmarks' hand-fused references compute what PyTorch computes (rtol 1e-9).

A reference that cut corners would flatter or shame the engine; these hold the hand
kernels of ``bench/handfused.py`` to the fidelity the engine is held to.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import optimizers
from tests import golden

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import handfused  # noqa: E402

ADAM = golden.load("optimizers", "adam_rosenbrock")  # torch.optim.Adam, lr=0.01, 300 steps
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


@pytest.mark.parametrize("kernel", [handfused.adam_rosenbrock, handfused.adam_rosenbrock_power])
def test_single_trajectory_references_match_torch(kernel):
    steps = ADAM["steps"]
    xy, loss = np.empty((steps + 1, 2)), np.empty(steps + 1)
    kernel(*ADAM["start"], ADAM["hyperparameters"]["lr"], BETA1, BETA2, EPS, steps, xy, loss)
    np.testing.assert_allclose(xy, ADAM["xy"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(loss, (1 - xy[:, 0]) ** 2 + 100 * (xy[:, 1] - xy[:, 0] ** 2) ** 2)


def test_running_products_reach_the_point_the_engine_reaches_after_many_steps():
    """Past the fixture's 300 steps, through the flush of beta1**t to 0 (t ~ 400) and
    beyond: the engine follows PyTorch operation by operation."""
    steps = 5000
    xy, loss = np.empty((steps + 1, 2)), np.empty(steps + 1)
    handfused.adam_rosenbrock(-1.5, 2.5, 1e-3, BETA1, BETA2, EPS, steps, xy, loss)
    engine = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), steps, lr=1e-3)
    np.testing.assert_allclose(xy, engine.xy, rtol=1e-9, atol=1e-12)


def test_batch_reference_ends_where_torch_ends():
    steps = ADAM["steps"]
    starts = np.array([ADAM["start"]] * 3)
    final_xy, final_loss = np.empty((3, 2)), np.empty(3)
    diverged_at, converged, unsteady = (np.empty(3, np.int64) for _ in range(3))
    box = np.array([-2e3, 2e3, -2e3, 2e3])
    lr = ADAM["hyperparameters"]["lr"]
    handfused.adam_rosenbrock_batch(
        starts, lr, BETA1, BETA2, EPS, steps, 1e-6, box, 0, 3,
        final_xy, final_loss, diverged_at, converged, unsteady,
    )  # fmt: skip
    np.testing.assert_allclose(final_xy, [ADAM["xy"][-1]] * 3, rtol=1e-9, atol=1e-12)
    assert (diverged_at == -1).all()
