"""Engine-wide behaviour of ``optimizers.run``: the Trajectory it returns, divergence,
gradient noise, clipping, SWA, convergence of every optimizer, and input checking."""

import math

import numpy as np
import pytest

import optimizers
import surfaces
from tests import naive

START = (-3.7, 2.9)  # off the grid, so sign-based steps cannot land on 0 by luck


# -------------------------------------------------------------------------- the Trajectory


@pytest.mark.parametrize(
    "surface, optimizer, start, hypers",
    [
        ("quadratic", "sgd", START, {"lr": 0.05}),
        ("rosenbrock", "adam", (-1.5, 2.5), {"lr": 0.02}),
        ("rosenbrock", "newton", (-1.5, 2.5), {"damping": 1.0}),
        ("quadratic", "lookahead", START, {"inner": "momentum", "lr": 0.02, "k": 3}),
    ],
)
def test_trajectory_shapes_and_contents(surface, optimizer, start, hypers):
    steps = 57
    surf = surfaces.get(surface)
    path = optimizers.run(surface, optimizer, start, steps, **hypers)
    assert path.xy.shape == (steps + 1, 2)
    assert path.loss.shape == (steps + 1,)
    assert path.lr.shape == (steps,)
    assert path.grad.shape == (steps, 2)
    # views of one block (runner._step_outputs), each C-contiguous as the kernel needs
    assert all(a.flags.c_contiguous for a in (path.xy, path.loss, path.lr, path.grad))
    assert path.steps == steps
    assert path.diverged_at is None and path.swa_xy is None
    assert (path.surface, path.optimizer) == (surface, optimizer)
    assert tuple(path.xy[0]) == start
    assert np.isfinite(path.xy).all()
    np.testing.assert_allclose(path.loss, surf.f(path.xy[:, 0], path.xy[:, 1]), rtol=1e-14)
    gx, gy = surf.grad(path.xy[:-1, 0], path.xy[:-1, 1])
    np.testing.assert_allclose(path.grad, np.stack([gx, gy], axis=1), rtol=1e-14)
    lr = hypers.get("lr", optimizers.spec(optimizer).default_values()["lr"])
    np.testing.assert_array_equal(path.lr, np.full(steps, lr))


@pytest.mark.parametrize("beta", [0.9, 0.999, 0.99, 0.5, 1e-3])
def test_bias_correction_is_one_minus_the_power_at_every_step(beta):
    """The guard without a logarithm changes no value: up to where it returns 1.0 the
    power is taken, and from there 1 - beta**t rounds to 1.0 (Python's float power, as
    PyTorch's)."""
    from optimizers._math import bias_correction

    limit = int(39 / (1 - beta)) + 50  # past the guard's switch
    for t in range(1, limit):
        assert bias_correction(beta, t) == 1.0 - beta ** float(t), t


def test_hyperparameters_are_reported_with_defaults():
    path = optimizers.run("quadratic", "adam", START, 3, lr=0.1, betas=(0.8, 0.9))
    assert path.hyperparameters["lr"] == 0.1
    assert tuple(path.hyperparameters["betas"]) == (0.8, 0.9)
    assert path.hyperparameters["eps"] == 1e-8


def test_schedule_sets_the_recorded_rates():
    path = optimizers.run(
        "quadratic", "sgd", START, 30, lr=0.1, schedule={"name": "step", "step_size": 10}
    )
    np.testing.assert_allclose(path.lr, np.repeat([0.1, 0.01, 0.001], 10), rtol=1e-12)


# ------------------------------------------------------------------------------ divergence


def _check_blanked(path, k):
    assert np.isfinite(path.xy[:k]).all() and np.isfinite(path.loss[:k]).all()
    assert np.isnan(path.xy[k + 1 :]).all() and np.isnan(path.loss[k + 1 :]).all()
    assert np.isfinite(path.lr[:k]).all() and np.isnan(path.lr[k:]).all()
    assert np.isfinite(path.grad[:k]).all() and np.isnan(path.grad[k:]).all()


def test_divergence_stops_the_run_without_raising():
    # lr = 1 on curvature 10: the y coordinate is multiplied by -9 per step
    steps = 50
    path = optimizers.run("quadratic", "sgd", START, steps, lr=1.0, swa_start=2)
    k = path.diverged_at
    assert k is not None and 1 <= k < steps
    _check_blanked(path, k)
    # the diverged point itself is kept: it left the domain (by the escape factor)
    x, y = path.xy[k]
    assert not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 5e3
    assert np.isnan(path.swa_xy[k + 1 :]).all() and np.isfinite(path.swa_xy[2 : k + 1]).all()


def test_divergence_by_overflow():
    path = optimizers.run("rosenbrock", "sgd", (-1.5, 2.5), 100, lr=1.0)
    assert path.diverged_at is not None
    _check_blanked(path, path.diverged_at)


def test_start_outside_the_escape_box_diverges_at_zero():
    path = optimizers.run("quadratic", "sgd", (1e5, 0.0), 5)
    assert path.diverged_at == 0
    assert tuple(path.xy[0]) == (1e5, 0.0)
    assert np.isnan(path.xy[1:]).all() and np.isnan(path.lr).all() and np.isnan(path.grad).all()


# --------------------------------------------------------------------------- gradient noise


def test_noise_same_seed_same_path():
    a = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 200, lr=0.01, noise_std=0.5, seed=7)
    b = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 200, lr=0.01, noise_std=0.5, seed=7)
    np.testing.assert_array_equal(a.xy, b.xy)


def test_noise_different_seeds_differ():
    a = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 50, lr=0.01, noise_std=0.5, seed=1)
    b = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 50, lr=0.01, noise_std=0.5, seed=2)
    assert not np.array_equal(a.xy, b.xy)
    assert (a.xy[1:] != b.xy[1:]).all(axis=1).all()


def test_zero_noise_is_no_noise():
    plain = optimizers.run("rosenbrock", "momentum", (-1.5, 2.5), 100, lr=1e-4)
    zero = optimizers.run(
        "rosenbrock", "momentum", (-1.5, 2.5), 100, lr=1e-4, noise_std=0.0, seed=123
    )
    np.testing.assert_array_equal(plain.xy, zero.xy)


def _noise_seen_by_sgd(std, seed, steps=20_000, lr=1e-3):
    # plain SGD: xy[t+1] = xy[t] - lr (grad[t] + noise[t]), and grad[t] is the exact gradient
    path = optimizers.run("quadratic", "sgd", START, steps, lr=lr, noise_std=std, seed=seed)
    assert path.diverged_at is None
    return -np.diff(path.xy, axis=0) / lr - path.grad


def test_noise_is_gaussian_with_the_given_std():
    std, n = 0.5, 20_000
    noise = _noise_seen_by_sgd(std, seed=3, steps=n)
    for component in noise.T:
        assert abs(component.mean()) < 4 * std / math.sqrt(n)
        assert component.std() == pytest.approx(std, rel=0.03)
        # Gaussian tails: about 4.55% beyond 2 std, 0.27% beyond 3 std
        assert np.mean(np.abs(component) > 2 * std) == pytest.approx(0.0455, abs=0.006)
        assert np.mean(np.abs(component) > 3 * std) == pytest.approx(0.0027, abs=0.0015)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.03
    assert abs(np.corrcoef(noise[1:, 0], noise[:-1, 0])[0, 1]) < 0.03  # independent steps


def test_noise_scales_with_std_and_depends_only_on_seed():
    small = _noise_seen_by_sgd(0.1, seed=11, steps=200)
    large = _noise_seen_by_sgd(2.0, seed=11, steps=200)
    np.testing.assert_allclose(large, 20 * small, rtol=1e-6, atol=1e-6)


# -------------------------------------------------------------------------------- clipping


@pytest.mark.parametrize(
    "clip",
    [
        {"clip_norm": 5.0},
        {"clip_value": 3.0},
        {"clip_norm": 2.0, "clip_value": 1.5},
        {"clip_norm": 1e6},  # larger than every gradient: no effect
    ],
)
@pytest.mark.parametrize(
    "optimizer, hypers, make_reference",
    [
        ("momentum", {"lr": 1e-3}, lambda: naive.sgd(1e-3, momentum=0.9)),
        ("adam", {"lr": 0.02}, lambda: naive.adam(0.02)),
    ],
)
def test_clipping_matches_reference(clip, optimizer, hypers, make_reference):
    surf = surfaces.get("rosenbrock")
    steps = 200
    path = optimizers.run(surf, optimizer, (-1.5, 2.5), steps, **hypers, **clip)
    expected = naive.run(surf, make_reference(), (-1.5, 2.5), steps, **clip)
    assert path.diverged_at is None
    np.testing.assert_allclose(path.xy, expected["xy"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(path.grad, expected["grad"], rtol=1e-9)


def test_clipping_changes_the_path():
    plain = optimizers.run("rosenbrock", "sgd", (-1.5, 2.5), 20, lr=1e-3)
    clipped = optimizers.run("rosenbrock", "sgd", (-1.5, 2.5), 20, lr=1e-3, clip_norm=1.0)
    # the first gradient has norm ~153: the first step shrinks to length lr * 1
    assert np.linalg.norm(clipped.xy[1] - clipped.xy[0]) == pytest.approx(1e-3, rel=1e-5)
    assert not np.allclose(plain.xy, clipped.xy)


def test_clip_value_then_norm_with_noise():
    # clipping applies to the noisy gradient: every SGD step is at most lr * clip_value
    path = optimizers.run(
        "quadratic", "sgd", START, 300, lr=0.01, noise_std=5.0, seed=4, clip_value=0.5
    )
    assert np.abs(np.diff(path.xy, axis=0)).max() <= 0.01 * 0.5 * (1 + 1e-12)


# ------------------------------------------------------------------------------------- SWA


@pytest.mark.parametrize("swa_start", [1, 37, 200, 201, 500])
def test_swa_is_the_running_mean_from_swa_start(swa_start):
    steps = 200
    path = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), steps, lr=0.05, swa_start=swa_start)
    assert path.swa_xy.shape == (steps + 1, 2)
    expected = naive.swa_average(path.xy, swa_start)
    np.testing.assert_allclose(path.swa_xy, expected, rtol=1e-12, atol=1e-14)
    assert np.isnan(path.swa_xy[: min(swa_start, steps + 1)]).all()


def test_swa_does_not_change_the_path():
    plain = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 100, lr=0.05)
    averaged = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 100, lr=0.05, swa_start=10)
    np.testing.assert_array_equal(plain.xy, averaged.xy)


# ---------------------------------------------------------- every optimizer converges


# Settings for ~1000 steps on the default quadratic (condition 10) from START.
CONVERGE = {
    "sgd": {"lr": 0.15},
    "momentum": {"lr": 0.05},
    "nesterov": {"lr": 0.05},
    "adagrad": {"lr": 1.0},
    # Adadelta's own step keeps oscillating on a deterministic bowl: a decaying rate settles it
    "adadelta": {"lr": 10.0, "schedule": {"name": "exponential", "gamma": 0.995}},
    "rmsprop": {"lr": 0.01},
    "adam": {"lr": 0.05},
    "amsgrad": {"lr": 0.05},
    "adamw": {"lr": 0.05, "weight_decay": 0.0},
    "adamax": {"lr": 0.05},
    "nadam": {"lr": 0.05},
    "radam": {"lr": 0.05},
    "rprop": {"lr": 0.01},
    "asgd": {"lr": 0.15},
    "lbfgs": {"lr": 1.0},
    # Lion hops at a distance of about lr from the minimum: anneal the rate
    "lion": {"lr": 0.05, "schedule": {"name": "cosine", "T_max": 1000}},
    "newton": {},
    "yellowfin": {"lr": 3.0},
    "lookahead": {"lr": 0.15, "inner": "sgd"},
    "ranger": {"lr": 0.1},
}


def test_every_optimizer_has_convergence_settings():
    assert set(CONVERGE) == set(optimizers.names())


@pytest.mark.parametrize("name", optimizers.names())
@pytest.mark.parametrize("start", [START, (4.2, -1.3)])
def test_every_optimizer_converges_on_the_quadratic(name, start):
    path = optimizers.run("quadratic", name, start, 1000, **CONVERGE[name])
    assert path.diverged_at is None
    assert path.loss[-1] < 1e-8, (name, path.loss[-1])


# ------------------------------------------------------------------------------ bad input


def _raises(call, *fragments):
    """``call`` raises ValueError whose message contains every fragment."""
    with pytest.raises(ValueError) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def _run(*args, **kwargs):
    return lambda: optimizers.run(*args, **kwargs)


Q = ("quadratic", "sgd", START, 10)


@pytest.mark.parametrize(
    "call, fragments",
    [
        (_run("nope", "sgd", START, 10), ("surface", "'nope'", "allowed", "rosenbrock")),
        (_run("quadratic", "nope", START, 10), ("optimizer", "'nope'", "allowed", "adam")),
        (_run(*Q, foo=1), ("hyperparameter", "'foo'", "allowed", "momentum")),
        (_run("quadratic", "lion", START, 10, momentum=0.9), ("'momentum'", "allowed", "betas")),
        (
            _run("quadratic", "momentum", START, 10, momentum=-1),
            ("momentum=-1", "out of range", "0 <= momentum"),
        ),
        (
            _run("quadratic", "adam", START, 10, betas=(1.2, 0.9)),
            ("betas[0]=1.2", "out of range", "betas < 1"),
        ),
        (_run("quadratic", "adam", START, 10, betas=(0.9, -0.1)), ("betas[1]=-0.1", "0 <= betas")),
        (_run("quadratic", "adam", START, 10, betas=0.9), ("betas=0.9", "pair")),
        (_run(*Q, lr=-1), ("lr=-1", "out of range", "0 <= lr")),
        (_run(*Q, lr=float("nan")), ("lr=nan", "0 <= lr")),
        (_run(*Q, lr=float("inf")), ("lr=inf", "0 <= lr")),
        (_run(*Q, lr="0.1"), ("lr='0.1'", "not a finite number", "allowed")),
        (_run(*Q, lr=[0.1]), ("lr=[0.1]", "single value")),
        (_run(*Q, nesterov="yes"), ("nesterov='yes'", "True or False")),
        (_run(*Q, momentum=True), ("momentum=True", "not a finite number")),
        (
            _run("quadratic", "lookahead", START, 10, k=2.5),
            ("k=2.5", "not an integer", "1 <= k <= 1000"),
        ),
        (_run("quadratic", "lookahead", START, 10, alpha=0), ("alpha=0", "0 < alpha <= 1")),
        (_run("quadratic", "yellowfin", START, 10, window=0), ("window=0", "1 <= window")),
        (_run("quadratic", "yellowfin", START, 10, beta=1.0), ("beta=1", "beta < 1")),
        (_run("quadratic", "newton", START, 10, damping=-1), ("damping=-1", "0 <= damping")),
        (_run("quadratic", "lion", START, 10, weight_decay=-0.1), ("weight_decay=-0.1", "0 <=")),
        (_run("quadratic", "sgd", (math.nan, 0.0), 10), ("start=(nan, 0.0)", "finite")),
        (_run("quadratic", "sgd", (0.0, math.inf), 10), ("start=(0.0, inf)", "finite")),
        (_run("quadratic", "sgd", (0.0, 0.0, 0.0), 10), ("start=(0.0, 0.0, 0.0)", "pair")),
        (_run("quadratic", "sgd", 1.0, 10), ("start=1.0", "pair")),
        (_run("quadratic", "sgd", ("a", 0.0), 10), ("start=('a', 0.0)", "pair")),
        (_run("quadratic", "sgd", START, 0), ("steps=0", "1 to 1000000")),
        (
            _run("quadratic", "sgd", START, optimizers.MAX_STEPS + 1),
            (f"steps={optimizers.MAX_STEPS + 1}", f"1 to {optimizers.MAX_STEPS}"),
        ),
        (_run("quadratic", "sgd", START, 10.0), ("steps=10.0", "integer")),
        (_run("quadratic", "sgd", START, True), ("steps=True", "integer")),
        (_run(*Q, noise_std=-0.1), ("noise_std=-0.1", ">= 0")),
        (_run(*Q, noise_std=math.nan), ("noise_std=nan", ">= 0")),
        (_run(*Q, noise_std="big"), ("noise_std='big'", "not a number")),
        (_run(*Q, seed=-1), ("seed=-1", "integer from 0")),
        (_run(*Q, seed=1.5), ("seed=1.5", "integer from 0")),
        (_run(*Q, clip_norm=0), ("clip_norm=0", "> 0")),
        (_run(*Q, clip_norm=-1.0), ("clip_norm=-1.0", "> 0")),
        (_run(*Q, clip_norm=math.inf), ("clip_norm=inf", "> 0")),
        (_run(*Q, clip_value="1"), ("clip_value='1'", "not a number")),
        (_run(*Q, clip_value=0.0), ("clip_value=0.0", "> 0")),
        (_run(*Q, swa_start=0), ("swa_start=0", ">= 1")),
        (_run(*Q, swa_start=2.0), ("swa_start=2.0", "integer")),
        (
            _run("quadratic", "lookahead", START, 10, inner="nope"),
            ("inner optimizer 'nope'", "allowed", "sgd"),
        ),
        (
            _run("quadratic", "lookahead", START, 10, inner="ranger"),
            ("inner optimizer 'ranger'", "allowed"),
        ),
        (
            _run("quadratic", "lookahead", START, 10, inner="lookahead"),
            ("inner optimizer 'lookahead'", "allowed"),
        ),
        (_run("quadratic", "momentum", START, 10, nesterov=True), ("nesterov", "fixed", "False")),
        (_run("quadratic", "amsgrad", START, 10, amsgrad=False), ("amsgrad", "fixed", "True")),
        (_run(*Q, schedule={"name": "nope"}), ("schedule", "'nope'", "allowed", "cosine")),
        (_run(*Q, schedule="cosine"), ("schedule='cosine'", "dict")),
        (
            _run(*Q, schedule={"name": "cosine", "T_max": 10, "bogus": 1}),
            ("'bogus'", "allowed", "T_max"),
        ),
        (
            _run("quadratic", "newton", START, 10, schedule={"name": "onecycle", "max_lr": 0.1}),
            ("newton", "cycle_momentum=False"),
        ),
    ],
)
def test_bad_input_raises_value_error_naming_it(call, fragments):
    _raises(call, *fragments)


def test_nesterov_needs_momentum():
    _raises(_run("quadratic", "sgd", START, 10, nesterov=True), "Nesterov", "momentum")


def test_bad_input_in_a_lookahead_inner_optimizer():
    _raises(
        _run("quadratic", "lookahead", START, 10, inner="adam", betas=(1.5, 0.9)),
        "betas[0]=1.5",
        "out of range",
    )
    _raises(
        _run("quadratic", "lookahead", START, 10, inner="sgd", betas=(0.9, 0.9)),
        "'betas'",
        "allowed",
    )


def _runner_with_id(prep, kid):
    """``(answer, xy)`` of the compiled runner given kernel id ``kid`` and ``prep``'s inputs."""
    from optimizers import _kernel

    steps = prep.steps
    xy = np.empty((steps + 1, 2))
    answer = _kernel.trajectory(
        prep.surface.sid,
        prep.surface.kernel_params,
        kid,
        prep.table.copy(),
        np.zeros((prep.state_rows, 2, 1)),
        np.array(START),
        prep.schedule.scale,
        prep.schedule.offset,
        prep.momentum,
        prep.opts,
        xy,
        np.empty(steps + 1),
        np.empty(steps),
        np.empty((steps, 2)),
        np.empty((0, 2)),
        np.empty((0, 0, 2)),
        prep.order,
        np.empty(0),
    )
    return answer, xy


def test_every_rule_id_is_unique_and_dispatched():
    """Kernel ids are the registry's order of the distinct rules, every spec's id reaches
    its own rule (three steps of the compiled runner equal three calls of the rule's
    Python source), and an unknown id gives the runner's "missing" answer, -2."""
    from optimizers import _dispatch, registry
    from optimizers._prepare import prepare

    assert len(set(registry.RULES)) == len(registry.RULES)
    assert [kid for kid, _ in _dispatch.RULES] == list(range(len(registry.RULES)))
    assert {optimizers.spec(n).rule for n in optimizers.names()} == set(registry.RULES)
    options = {"noise_std": 0.0, "seed": 0, "clip_norm": None, "clip_value": None}
    for name in optimizers.inner_choices():
        spec = optimizers.spec(name)
        assert spec.hypers[0].name == "lr" and _dispatch.RULES[spec.kernel][1] is spec.rule
        prep = prepare("quadratic", name, 3, None, None, {}, swa_start=None, inner=None, **options)
        answer, xy = _runner_with_id(prep, spec.kernel)
        assert answer == -1
        surf = prep.surface
        P, S = np.array(START).reshape(2, 1), np.zeros((prep.state_rows, 2, 1))
        for t in range(1, prep.steps + 1):
            G = np.array(surf.grad(P[0, 0], P[1, 0])).reshape(2, 1)
            LR = np.array([prep.values["lr"]])
            spec.rule.py_func(P, G, S, prep.table.copy(), LR, t, surf.sid, surf.kernel_params)
            np.testing.assert_allclose(xy[t], P[:, 0], rtol=1e-13, err_msg=name)
        assert _runner_with_id(prep, len(registry.RULES))[0] == -2


def test_two_threads_run_at_once_with_the_results_of_one():
    """Two sessions' runs: the kernel releases the GIL and shares no state between calls."""
    from concurrent.futures import ThreadPoolExecutor

    from optimizers import _kernel

    assert all(k.dispatcher.targetoptions["nogil"] for k in _kernel.TRAJECTORIES)
    jobs = [("rosenbrock", "adam", 0.01), ("beale", "momentum", 0.001)] * 4
    alone = [optimizers.run(s, o, (1.0, 1.5), 3000, lr=lr).xy for s, o, lr in jobs]
    with ThreadPoolExecutor(2) as pool:
        together = list(
            pool.map(lambda j: optimizers.run(j[0], j[1], (1.0, 1.5), 3000, lr=j[2]).xy, jobs)
        )
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)
