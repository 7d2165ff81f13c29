"""``run(..., record_state=True)``: the state's shape, its documented names, ``update`` and
what ``scale`` means for each adaptive optimizer (the values themselves are checked
against PyTorch in test_optimizers_torch and against tests/naive.py in
test_optimizers_papers)."""

import numpy as np
import pytest

import optimizers
from optimizers import recording

START = (-3.0, 2.0)
STEPS = 60


def _run(name, steps=STEPS, **kwargs):
    return optimizers.run("quadratic", name, START, steps, record_state=True, **kwargs)


def test_off_by_default():
    assert optimizers.run("quadratic", "adam", START, 5).state is None
    assert optimizers.run("quadratic", "adam", START, 5, record_state=False).state is None


@pytest.mark.parametrize("value", [1, "yes", None, np.bool_(True)])
def test_record_state_must_be_a_bool(value):
    with pytest.raises(ValueError, match=r"record_state=.* must be True or False"):
        optimizers.run("quadratic", "adam", START, 5, record_state=value)


def test_recording_leaves_the_path_unchanged():
    for name in optimizers.names():
        plain = optimizers.run("rosenbrock", name, (-1.5, 2.0), 50)
        recorded = optimizers.run("rosenbrock", name, (-1.5, 2.0), 50, record_state=True)
        np.testing.assert_array_equal(plain.xy, recorded.xy, err_msg=name)
        np.testing.assert_array_equal(plain.lr, recorded.lr, err_msg=name)


@pytest.mark.parametrize("name", optimizers.names())
def test_every_name_is_documented_and_shaped(name):
    spec = optimizers.spec(name)
    documented = {entry.name for entry in spec.state}
    assert all(entry.meaning.strip() for entry in spec.state)
    path = _run(name)
    assert set(path.state) - {"update"} <= documented
    for key, values in path.state.items():
        assert values.dtype == np.float64 and values.shape[0] == STEPS, (name, key)
        assert values.shape[1:] in ((), (2,)), (name, key)
    np.testing.assert_array_equal(path.state["update"], np.diff(path.xy, axis=0))


def test_update_includes_schedule_noise_and_clipping():
    path = _run(
        "sgd",
        lr=0.05,
        schedule={"name": "cosine", "T_max": STEPS},
        noise_std=0.5,
        seed=3,
        clip_norm=2.0,
    )
    np.testing.assert_array_equal(path.state["update"], np.diff(path.xy, axis=0))
    assert not np.allclose(path.state["update"], -path.lr[:, None] * path.grad)


def test_rows_after_a_divergence_are_nan():
    path = _run("momentum", steps=40, lr=5.0)  # far above 2 / condition: it escapes
    k = path.diverged_at
    assert k is not None and k < 40
    assert np.isnan(path.state["momentum_buffer"][k:]).all()
    assert np.isfinite(path.state["momentum_buffer"][:k]).all()


def test_presence_follows_pytorch():
    assert "momentum_buffer" not in _run("sgd").state
    assert "momentum_buffer" in _run("sgd", momentum=0.5).state
    assert "max_exp_avg_sq" not in _run("adam").state
    assert "max_exp_avg_sq" in _run("amsgrad").state
    plain = _run("rmsprop")
    assert "grad_avg" not in plain.state and "momentum_buffer" not in plain.state
    both = _run("rmsprop", centered=True, momentum=0.5)
    assert "grad_avg" in both.state and "momentum_buffer" in both.state


def test_lookahead_reports_slow_weights_and_the_inner_state():
    path = _run("lookahead", inner="adam", lr=0.1, k=4, alpha=0.5)
    assert {"exp_avg", "exp_avg_sq", "scale", "slow_weights"} <= set(path.state)
    slow = path.state["slow_weights"]
    np.testing.assert_array_equal(slow[:3], np.tile(START, (3, 1)))  # before the first sync
    np.testing.assert_array_equal(slow[3::4], path.xy[4::4])  # the fast weights restart there


# ----------------------------------------------------------- what ``scale`` means, per rule


def _bias(beta, path):
    return 1.0 - beta ** np.arange(1.0, path.steps + 1)[:, None]


def _same(update, expected):
    np.testing.assert_allclose(update, expected, rtol=1e-8, atol=1e-13)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adamax", "radam", "ranger"])
def test_scale_of_the_adam_family(name):
    """update = -lr m_t / (1 - beta1^t) scale (RAdam's unrectified steps: scale 1)."""
    kwargs = {"lr": 0.1, "betas": (0.8, 0.99)} if name != "ranger" else {"lr": 0.1, "k": 1000}
    path = _run(name, **kwargs)
    beta1 = path.hyperparameters["betas"][0]
    m_hat = path.state["exp_avg"] / _bias(beta1, path)
    _same(path.state["update"], -path.lr[:, None] * m_hat * path.state["scale"])
    if name == "radam":
        assert (path.state["scale"][:5] == 1.0).all() and (path.state["scale"][10:] != 1.0).all()


def test_scale_past_the_steps_whose_bias_correction_is_below_one():
    """With beta2 = 0.6, 1 - beta2^t is exactly 1 from step 79 on; the scale is computed
    for those steps without it and must still give the update taken."""
    path = _run("adam", steps=200, lr=0.05, betas=(0.5, 0.6))
    m_hat = path.state["exp_avg"] / _bias(0.5, path)
    _same(path.state["update"], -path.lr[:, None] * m_hat * path.state["scale"])
    v_hat = path.state["exp_avg_sq"] / _bias(0.6, path)
    np.testing.assert_array_equal(path.state["scale"][100:], 1.0 / (np.sqrt(v_hat[100:]) + 1e-8))


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9, 0.999, 0.99999])
def test_bias_corrections_equal_their_formula_at_every_step(beta):
    steps = 500_000
    exact = -np.expm1(np.arange(1.0, steps + 1) * np.log(beta)) if beta else np.ones(steps)
    np.testing.assert_array_equal(recording.bias_corrections(beta, steps), exact)
    rows = np.arange(2.0 * steps).reshape(steps, 2)
    np.testing.assert_array_equal(recording.unbias(rows.copy(), beta), rows / exact[:, None])


def test_scale_of_nadam():
    path = _run("nadam", lr=0.1, momentum_decay=0.05)
    (beta1, _), psi = path.hyperparameters["betas"], path.hyperparameters["momentum_decay"]
    t = np.arange(1.0, STEPS + 1)[:, None]
    mu, mu_next = (beta1 * (1.0 - 0.5 * 0.96 ** (s * psi)) for s in (t, t + 1.0))
    product = path.state["mu_product"][:, None]
    direction = (1.0 - mu) / (1.0 - product) * path.grad + mu_next / (
        1.0 - product * mu_next
    ) * path.state["exp_avg"]
    _same(path.state["update"], -path.lr[:, None] * direction * path.state["scale"])


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("adagrad", {"lr": 0.5, "lr_decay": 0.1}),
        ("adadelta", {"lr": 1.0}),
        ("rmsprop", {"lr": 0.01}),
        ("rmsprop", {"lr": 0.01, "centered": True}),
    ],
)
def test_scale_multiplies_the_gradient(name, kwargs):
    """update = -lr' g_t scale, lr' = lr / (1 + (t - 1) lr_decay) for Adagrad, else lr."""
    path = _run(name, **kwargs)
    t = np.arange(STEPS)[:, None]
    rate = path.lr[:, None] / (1.0 + t * kwargs.get("lr_decay", 0.0))
    _same(path.state["update"], -rate * path.grad * path.state["scale"])


def test_scale_enters_rmsprop_momentum():
    path = _run("rmsprop", lr=0.01, momentum=0.5)
    buffer = path.state["momentum_buffer"]
    previous = np.vstack([np.zeros((1, 2)), buffer[:-1]])
    _same(buffer - 0.5 * previous, path.grad * path.state["scale"])
    _same(path.state["update"], -0.01 * buffer)
