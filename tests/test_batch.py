"""``optimizers.run_batch``: each run ends where ``optimizers.run`` ends (every optimizer,
per-run hyperparameters, schedules, noise, clipping, divergence), the convergence and
motion statistics against the recorded paths, threads, and input checking."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import optimizers
import surfaces
from optimizers import _batch
from surfaces import _jit

ROOT = Path(__file__).resolve().parent.parent
RTOL = 1e-6  # the documented agreement; the kernels share every formula, so it is exact


def reference(surface, optimizer, starts, steps, tol=1e-6, per_run=(), **common):
    """What run_batch should return, from ``optimizers.run`` once per start.

    ``per_run`` names keywords of ``common`` holding one value per start (for tuples:
    elements that are arrays).
    """
    surf = surfaces.get(surface)
    rows = []
    for i, start in enumerate(starts):
        kwargs = {k: _pick(v, i) if k in per_run else v for k, v in common.items()}
        path = optimizers.run(surface, optimizer, start, steps, **kwargs)
        rows.append(_outcome(surf, path, steps, tol))
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


def _pick(value, i):
    if isinstance(value, tuple):
        return tuple(_pick(v, i) for v in value)
    return value[i] if isinstance(value, np.ndarray) else value


def _outcome(surf, path, steps, tol):
    diverged = path.diverged_at is not None
    if np.isfinite(surf.f_min):
        ok = path.loss - surf.f_min <= tol
    else:
        ok = np.hypot(*surf.grad(path.xy[:, 0], path.xy[:, 1])) <= tol
    bad = np.flatnonzero(~ok)
    converged = -1 if diverged or ok.size - 1 in bad else (bad[-1] + 1 if bad.size else 0)
    moves = np.diff(path.xy, axis=0)
    previous = np.vstack([np.zeros((1, 2)), moves[:-1]])
    unsteady = (np.einsum("ti,ti->t", moves, previous) < 0) | (path.loss[1:] > path.loss[:-1])
    return {
        "final_xy": np.full(2, np.nan) if diverged else path.xy[-1],
        "final_loss": np.nan if diverged else path.loss[-1],
        "diverged_at": -1 if not diverged else path.diverged_at,
        "converged_step": converged,
        "unsteady": int(unsteady[steps // 2 :].sum()) if not diverged else None,
    }


def check_agrees(result, expected):
    np.testing.assert_allclose(result.final_xy, expected["final_xy"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(result.final_loss, expected["final_loss"], rtol=RTOL, atol=1e-12)
    np.testing.assert_array_equal(result.diverged_at, expected["diverged_at"])
    np.testing.assert_array_equal(result.diverged, expected["diverged_at"] >= 0)
    np.testing.assert_array_equal(result.converged_step, expected["converged_step"])
    alive = expected["diverged_at"] < 0
    np.testing.assert_array_equal(result.unsteady[alive], expected["unsteady"][alive].astype(int))


def starts_in(surface, count, seed=0):
    """``count`` starts spread over the view, the default start first."""
    surf = surfaces.get(surface)
    (xmin, xmax), (ymin, ymax) = surf.view
    rng = np.random.default_rng(seed)
    spread = np.column_stack(
        [rng.uniform(xmin, xmax, count - 1), rng.uniform(ymin, ymax, count - 1)]
    )
    return np.vstack([surf.default_start, spread])


def _inner(name):
    return {"inner": "momentum"} if name == "lookahead" else {}


# ------------------------------------------------------------------ agreement with run


@pytest.mark.parametrize("surface", surfaces.names())
def test_every_optimizer_on_every_surface_matches_run(surface):
    starts = starts_in(surface, 4)
    for name in optimizers.names():
        result = optimizers.run_batch(surface, name, starts, 60, **_inner(name))
        check_agrees(result, reference(surface, name, starts, 60, **_inner(name)))


@pytest.mark.parametrize(
    "optimizer, hypers, per_run",
    [
        ("sgd", {"lr": np.geomspace(1e-4, 0.3, 7)}, ("lr",)),
        ("momentum", {"lr": 0.01, "momentum": np.linspace(0.0, 0.95, 7)}, ("momentum",)),
        ("nesterov", {"lr": np.geomspace(1e-3, 0.1, 7), "momentum": 0.8}, ("lr",)),
        (
            "adam",
            {"lr": np.geomspace(1e-3, 1.0, 7), "betas": (np.linspace(0.5, 0.99, 7), 0.999)},
            ("lr", "betas"),
        ),
        ("adamw", {"lr": 0.05, "weight_decay": np.linspace(0.0, 0.5, 7)}, ("weight_decay",)),
        ("amsgrad", {"lr": 0.1, "betas": (0.9, np.linspace(0.9, 0.9999, 7))}, ("betas",)),
        ("nadam", {"lr": 0.05, "momentum_decay": np.linspace(0.0, 0.05, 7)}, ("momentum_decay",)),
        ("radam", {"lr": np.geomspace(1e-3, 0.5, 7)}, ("lr",)),
        ("adamax", {"lr": 0.05, "betas": (np.linspace(0.1, 0.9, 7), 0.99)}, ("betas",)),
        ("rmsprop", {"lr": 0.01, "alpha": np.linspace(0.5, 0.99, 7)}, ("alpha",)),
        ("adagrad", {"lr": 0.5, "lr_decay": np.linspace(0.0, 0.1, 7)}, ("lr_decay",)),
        ("adadelta", {"rho": np.linspace(0.5, 0.95, 7)}, ("rho",)),
        ("rprop", {"lr": 0.01, "etas": (np.linspace(0.3, 0.7, 7), 1.2)}, ("etas",)),
        ("asgd", {"lr": 0.01, "lambd": np.geomspace(1e-5, 1e-2, 7)}, ("lambd",)),
        ("lion", {"lr": np.geomspace(1e-3, 0.1, 7)}, ("lr",)),
        ("newton", {"lr": 0.5, "damping": np.linspace(0.0, 5.0, 7)}, ("damping",)),
        ("yellowfin", {"beta": np.linspace(0.9, 0.999, 7)}, ("beta",)),
        ("lbfgs", {"lr": np.geomspace(0.05, 1.0, 7)}, ("lr",)),
        (
            "lookahead",
            {"inner": "momentum", "lr": 0.01, "alpha": np.linspace(0.1, 1.0, 7), "k": 3},
            ("alpha",),
        ),
        ("ranger", {"lr": np.geomspace(1e-3, 0.3, 7)}, ("lr",)),
    ],
)
def test_per_run_hyperparameters_match_run(optimizer, hypers, per_run):
    starts = starts_in("rosenbrock", 7, seed=1)
    result = optimizers.run_batch("rosenbrock", optimizer, starts, 150, **hypers)
    check_agrees(result, reference("rosenbrock", optimizer, starts, 150, per_run=per_run, **hypers))


@pytest.mark.parametrize(
    "optimizer, schedule",
    [
        ("sgd", {"name": "cosine", "T_max": 100, "eta_min": 1e-4, "warmup_steps": 10}),
        ("momentum", {"name": "onecycle", "max_lr": 0.02}),  # cycles the momentum
        ("adam", {"name": "onecycle", "max_lr": 0.1}),  # cycles beta1
        ("adam", {"name": "plateau", "patience": 3, "factor": 0.5, "warmup_steps": 5}),
        ("sgd", {"name": "cyclic", "base_lr": 1e-4, "max_lr": 0.01, "step_size_up": 20}),
    ],
)
def test_schedules_match_run(optimizer, schedule):
    starts = starts_in("himmelblau", 6, seed=2)
    lrs = np.geomspace(1e-3, 0.05, 6)
    result = optimizers.run_batch("himmelblau", optimizer, starts, 200, lrs, schedule)
    expected = reference(
        "himmelblau", optimizer, starts, 200, per_run=("lr",), lr=lrs, schedule=schedule
    )
    check_agrees(result, expected)


def test_noise_and_clipping_match_run():
    starts = starts_in("rosenbrock", 5, seed=3)
    options = {"noise_std": 2.0, "seed": 7, "clip_norm": 5.0, "clip_value": 3.0, "lr": 0.01}
    result = optimizers.run_batch("rosenbrock", "momentum", starts, 200, **options)
    check_agrees(result, reference("rosenbrock", "momentum", starts, 200, **options))


def test_diverging_runs_stop_like_run():
    lrs = np.array([0.05, 0.19, 0.21, 0.5, 2.0])  # 2 / lambda_max = 0.2
    starts = np.tile([-4.0, 3.0], (5, 1))
    result = optimizers.run_batch("quadratic", "sgd", starts, 400, lrs)
    np.testing.assert_array_equal(result.diverged, lrs > 0.2)
    assert np.isnan(result.final_xy[lrs > 0.2]).all()
    check_agrees(result, reference("quadratic", "sgd", starts, 400, per_run=("lr",), lr=lrs))


def test_a_start_outside_the_escape_box_diverges_at_once():
    result = optimizers.run_batch("quadratic", "sgd", [(1e5, 0.0), (1.0, 0.0)], 10, lr=0.1)
    np.testing.assert_array_equal(result.diverged_at, [0, -1])


def test_gradient_criterion_on_a_surface_unbounded_below():
    starts = np.array([[1.0, 0.0], [1.0, 1e-3]])  # on the stable line it reaches the saddle
    result = optimizers.run_batch("saddle", "sgd", starts, 200, lr=0.1, tol=1e-6)
    assert result.criterion == "‖∇f‖ ≤ 1e-06"
    assert result.converged_step[0] > 0 and result.diverged_at[1] > 0
    check_agrees(result, reference("saddle", "sgd", starts, 200, lr=0.1))


def test_distance_criterion_names_the_first_step_from_which_the_run_stays_close():
    start = np.array([[-4.0, 3.0]])
    result = optimizers.run_batch(
        "quadratic", "sgd", start, 300, lr=0.05, targets=[(0, 0)], tol=0.01
    )
    path = optimizers.run("quadratic", "sgd", start[0], 300, lr=0.05)
    far = np.flatnonzero(np.hypot(path.xy[:, 0], path.xy[:, 1]) > 0.01)
    assert result.converged_step[0] == far[-1] + 1
    assert "distance" in result.criterion


def test_result_fields():
    result = optimizers.run_batch("quadratic", "adam", [(1.0, 1.0)] * 3, 20, lr=[0.1, 0.2, 0.3])
    assert (result.surface, result.optimizer, result.steps, result.runs) == (
        "quadratic",
        "adam",
        20,
        3,
    )
    assert result.final_xy.shape == (3, 2) and result.diverged.dtype == bool
    assert list(result.hyperparameters["lr"]) == [0.1, 0.2, 0.3]


# ------------------------------------------------------------------ threads and the cache


def test_large_batches_split_over_threads_give_the_same_result():
    starts = starts_in("rosenbrock", 3000, seed=4)
    whole = optimizers.run_batch("rosenbrock", "adam", starts, 100, lr=0.02)
    parts = [
        optimizers.run_batch("rosenbrock", "adam", starts[i : i + 1000], 100, lr=0.02)
        for i in range(0, 3000, 1000)
    ]
    np.testing.assert_array_equal(whole.final_xy, np.vstack([p.final_xy for p in parts]))


def test_concurrent_calls_from_two_threads_are_identical():
    starts = starts_in("himmelblau", 20_000, seed=5)
    expected = optimizers.run_batch("himmelblau", "adam", starts, 200, lr=0.05)
    results, errors = {}, []

    def call(key):
        try:
            for repeat in range(3):
                results[key, repeat] = optimizers.run_batch(
                    "himmelblau", "adam", starts, 200, lr=0.05
                )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=call, args=(key,)) for key in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result in results.values():
        np.testing.assert_array_equal(result.final_xy, expected.final_xy)
        np.testing.assert_array_equal(result.converged_step, expected.converged_step)
    assert len(results) == 6


def test_progress_reports_fractions_up_to_one():
    seen = []
    starts = starts_in("booth", 5000, seed=6)
    optimizers.run_batch("booth", "sgd", starts, 50, lr=0.01, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and all(0 < f <= 1 for f in seen)


def test_an_error_in_progress_propagates():
    def stop(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        optimizers.run_batch("booth", "sgd", starts_in("booth", 5000), 50, progress=stop)


def test_a_new_process_loads_the_batch_kernel_from_the_cache():
    for name in optimizers.names():  # each rule's kernel compiled (or loaded) and cached here
        optimizers.run_batch("rosenbrock", name, [(0.0, 0.0)], 5)
    code = (
        "import optimizers, surfaces\n"
        "from optimizers import _batch\n"
        "for s in surfaces.names():\n"
        "    for o in optimizers.names():\n"
        "        optimizers.run_batch(s, o, [surfaces.get(s).default_start] * 300, 20)\n"
        "kernels = [k.dispatcher for k in _batch.BATCHES]\n"
        "print(sum(len(k.signatures) for k in kernels), "
        "sum(sum(k.stats.cache_misses.values()) for k in kernels))\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(_jit.CACHE_DIR.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True, check=True
    ).stdout.split()
    assert out == [str(len(_batch.BATCHES)), "0"]


# ------------------------------------------------------------------ input checking


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"starts": [1.0, 2.0]}, "starts has shape (2,); allowed: (M, 2)"),
        ({"starts": np.zeros((0, 2))}, "starts has shape (0, 2)"),
        ({"starts": [(0.0, 0.0), (np.nan, 1.0)]}, "starts[1]=[nan, 1.0] must be finite"),
        ({"starts": "ab"}, "starts must be an array of (x, y) rows"),
        ({"lr": [0.1, 0.2]}, "adam: lr must be a number or an array of 3 numbers"),
        ({"lr": [0.1, -0.2, 0.3]}, "adam: lr[1]=-0.2 is out of range"),
        ({"betas": (0.9, [0.9, 0.99, 1.5])}, "adam: betas[1][2]=1.5 is out of range"),
        ({"optimizer": "lbfgs", "history_size": [1, 2, 3]}, "history_size is an integer"),
        ({"optimizer": "adam", "amsgrad": [True] * 3}, "amsgrad is fixed"),
        ({"optimizer": "rmsprop", "centered": [True, False, True]}, "centered is a flag"),
        ({"optimizer": "nesterov", "momentum": [0.9, 0.0, 0.9]}, "(run 1 of the batch)"),
        ({"swa_start": 3}, "swa_start is not available in run_batch"),
        ({"tol": -1.0}, "tol=-1.0 is out of range; allowed: a number >= 0"),
        ({"targets": [1.0, 2.0]}, "targets has shape (2,)"),
        ({"targets": [(0.0, np.inf)]}, "targets must be finite"),
        ({"steps": 0}, "steps=0 is out of range"),
        ({"noise_std": -1.0}, "noise_std=-1.0 is out of range"),
        ({"optimizer": "nope"}, "unknown optimizer 'nope'"),
        ({"max_work": 10}, "adam: 3 runs x 5 steps x 1 (the cost of one of its steps"),
    ],
)
def test_bad_inputs_raise_naming_the_parameter(kwargs, words):
    call = {"surface": "quadratic", "optimizer": "adam", "starts": [(1.0, 1.0)] * 3, "steps": 5}
    call.update(kwargs)
    with pytest.raises(ValueError) as error:
        optimizers.run_batch(**call)
    assert words in str(error.value)
