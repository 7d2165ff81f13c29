"""Inspecting a step: the scene setting and its link key, the arrows in the race's frames,
the update rule's numbers against the recorded state, and the payload's size."""

import numpy as np
import pytest

import i18n
import optimizers
import scene as S
from scene import pipeline, run
from ui.inspector import payload_bytes
from viz import figures as F
from viz import step_rule as SR
from viz.inspector import inspector_parts, round_factor

START = (-1.5, 2.5)


def _scene(query):
    scene, warnings = S.from_query(query)
    return scene, warnings


# ---------------------------------------------------------------- scene and link


def test_the_link_holds_racer_and_step_and_round_trips():
    scene, warnings = _scene({"inspect": "2:150"})
    assert warnings == []
    assert (scene.view.inspect, scene.view.inspect_step) == (2, 150)
    query = S.to_query(scene)
    assert query["inspect"] == "2:150"
    assert S.from_query(query) == (scene, [])


def test_no_racer_inspected_writes_no_key():
    scene, _ = _scene({})
    assert scene.view.inspect == 0
    assert "inspect" not in S.to_query(scene)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2", "inspect='2' ignored; allowed: RACER:STEP, two whole numbers such as 2:150"),
        ("a:b", "inspect='a:b' ignored; allowed: RACER:STEP, two whole numbers such as 2:150"),
        ("1:-5", "inspect='1:-5' ignored; allowed: RACER:STEP, two whole numbers such as 2:150"),
        (
            "5:10",
            "view setting: inspect=5 is not a racer of this scene; allowed: 0 (none) to 3; "
            "using inspect=0",
        ),
        (
            "9:10",
            "view setting: inspect=9 is out of range; allowed: an integer, 0 <= inspect <= 6; "
            "using inspect=0",
        ),
        (
            "1:600",
            "view setting: inspect_step=600 is beyond the race's 500 steps; allowed: 0 to 500; "
            "using inspect_step=500",
        ),
    ],
)
def test_a_bad_inspect_value_falls_back_with_a_warning(value, expected):
    scene, warnings = _scene({"inspect": value})
    assert warnings == [expected]
    assert scene.view.inspect_step <= scene.steps
    assert scene.view.inspect in (0, 1)
    assert i18n.message(expected, "zh") != expected  # said in Chinese too
    assert "ignored" not in i18n.message(expected, "zh")


def test_the_settings_are_declared_params():
    assert S.View.param("inspect").high == S.MAX_RACERS
    assert S.View.param("inspect_step").high == S.MAX_STEPS


# ---------------------------------------------------------------- the update rule's numbers


def _run(name, steps=300, **hyper):
    return optimizers.run("rosenbrock", name, START, steps, record_state=True, **hyper)


SHOWN = np.array([0, 1, 2, 150, 299, 300])


def test_adam_recomputes_its_moments_from_the_previous_ones_and_the_gradient():
    traj = _run("adam", lr=0.05)
    rule = SR.step_rule(traj, SHOWN)
    s = rule.series
    np.testing.assert_allclose(s["g"], traj.grad[[0, 1, 2, 150, 299, 299]])
    m = 0.9 * s["exp_avg_prev"] + 0.1 * s["g"]
    np.testing.assert_allclose(m, s["exp_avg"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(s["exp_avg"], traj.state["exp_avg"][[0, 1, 2, 150, 299, 299]])
    v = 0.999 * s["exp_avg_sq_prev"] + 0.001 * s["g"] ** 2
    np.testing.assert_allclose(v, s["exp_avg_sq"], rtol=1e-9)
    t = rule.t[:, None]
    m_hat, v_hat = s["exp_avg"] / (1 - 0.9**t), s["exp_avg_sq"] / (1 - 0.999**t)
    step = -s["lr"][:, None] * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(step, s["update"], rtol=1e-6)
    np.testing.assert_allclose(s["update"], np.diff(traj.xy, axis=0)[rule.t - 1])


def test_the_adam_line_shows_the_numbers_substituted():
    traj = _run("adam", lr=0.05)
    rule = SR.step_rule(traj, SHOWN)
    frame = 3  # step 150
    m_line = SR.line_text(rule, 1, frame)
    m_prev, g, m = traj.state["exp_avg"][149], traj.grad[150], traj.state["exp_avg"][150]
    expected = (
        f"mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ = 0.900 × {SR.value_text(m_prev)} + 0.100 × "
        f"{SR.value_text(g)} = {SR.value_text(m)}"
    )
    assert m_line == expected
    assert SR.line_text(rule, 3, frame).startswith("m̂ₜ = mₜ / (1 − β₁ᵗ) = ")
    assert SR.line_text(rule, 0, 0) == f"gₜ = ∇f(θₜ₋₁) = {SR.value_text(traj.grad[0])}"


def test_sgd_with_momentum_nesterov_and_weight_decay_recomputes_its_update():
    traj = _run("nesterov", lr=1e-4, momentum=0.8, weight_decay=0.01)
    rule = SR.step_rule(traj, SHOWN)
    s = rule.series
    np.testing.assert_allclose(s["g"], s["grad"] + 0.01 * s["theta"])
    later = rule.t > 1
    b = 0.8 * s["b_prev"] + s["g"]
    np.testing.assert_allclose(b[later], s["b"][later], rtol=1e-9)
    step = -s["lr"][:, None] * (s["g"] + 0.8 * s["b"])
    np.testing.assert_allclose(step, s["update"], rtol=1e-6, atol=1e-15)
    texts = [SR.line_text(rule, i, 3) for i in range(len(rule.lines))]
    assert texts[0].startswith("gₜ = ∇f(θₜ₋₁) + λ θₜ₋₁ = ")
    assert texts[1].startswith("bₜ = μ bₜ₋₁ + (1 − τ) gₜ = 0.800 × ")
    assert texts[2].startswith("θₜ − θₜ₋₁ = −γ (gₜ + μ bₜ) = −1.00e−4 × (")


@pytest.mark.parametrize(
    "name, hyper, first",
    [
        ("rmsprop", {"lr": 1e-3, "centered": True, "momentum": 0.5}, "vₜ = α vₜ₋₁"),
        ("adagrad", {"lr": 0.1, "lr_decay": 0.01}, "sₜ = sₜ₋₁ + gₜ² = "),
        ("adamw", {"lr": 0.01, "weight_decay": 0.1}, "mₜ = β₁ mₜ₋₁"),
        ("amsgrad", {"lr": 0.01}, "mₜ = β₁ mₜ₋₁"),
    ],
)
def test_the_adaptive_rules_end_in_the_recorded_update(name, hyper, first):
    traj = _run(name, **hyper)
    rule = SR.step_rule(traj, SHOWN)
    s = rule.series
    assert SR.line_text(rule, 1, 3).startswith(first)
    if name == "adagrad":
        rate = s["lr_t"][:, None]
        np.testing.assert_allclose(s["sum"], s["sum_prev"] + s["g"] ** 2, rtol=1e-9)
        np.testing.assert_allclose(-rate * s["g"] / s["den"], s["update"], rtol=1e-6)
    elif name == "rmsprop":
        b = 0.5 * s["b_prev"] + s["g"] / s["den"]
        np.testing.assert_allclose(b, s["b"], rtol=1e-9)
        np.testing.assert_allclose(-s["lr"][:, None] * s["b"], s["update"], rtol=1e-6)
    else:
        step = -s["lr"][:, None] * s["m_hat"] / s["den"]
        if name == "adamw":
            step = step - s["lr"][:, None] * 0.1 * s["theta"]
        np.testing.assert_allclose(step, s["update"], rtol=1e-6)


def test_other_optimizers_show_gradient_state_and_update_by_name():
    traj = _run("lion", lr=1e-3)
    rule = SR.step_rule(traj, SHOWN)
    texts = [SR.line_text(rule, i, 3) for i in range(len(rule.lines))]
    assert texts[0] == f"∇f(θₜ₋₁) = {SR.value_text(traj.grad[150])}"
    assert texts[1] == f"exp_avg = {SR.value_text(traj.state['exp_avg'][150])}"
    assert texts[-1] == f"θₜ − θₜ₋₁ = {SR.value_text(traj.state['update'][150])}"


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0, "0"),
        (0.12345, "0.123"),
        (-0.4, "−0.400"),
        (3.1, "3.10"),
        (1234.5, "1230"),
        (12345.0, "1.23e4"),
        (0.00012345, "1.23e−4"),
        (float("nan"), "NaN"),
        (0.9999, "1.00"),
        (9999.9, "1.00e4"),
    ],
)
def test_numbers_have_three_significant_digits(value, text):
    assert SR.number_text(value) == text


# ---------------------------------------------------------------- the arrows


def test_the_update_arrow_is_the_step_taken_and_frames_carry_the_arrows():
    scene, _ = _scene({"inspect": "2:150"})
    drawing = pipeline.draw(scene)
    figure = drawing.race.plain
    traj = drawing.inspected
    names = [trace.get("name") for trace in figure["data"]]
    assert names[-1] == "heads"
    label = next(n for n in names if n.startswith("update × "))
    arrows, factor = names.index(label), float(label.split("× ")[1])
    frame = figure["frames"][150]
    assert frame["name"] == "150"
    where = frame["traces"].index(arrows)
    x, y = (F.decode(frame["data"][where][k]) for k in ("x", "y"))
    digits = F.decimals(drawing.box) + 1  # the frames' rounding
    np.testing.assert_allclose([x[0], y[0]], traj.xy[150], atol=10.0**-digits)
    step = np.array([x[1] - x[0], y[1] - y[0]]) / factor
    np.testing.assert_allclose(step, traj.xy[151] - traj.xy[150], atol=2 * 10.0**-digits / factor)
    assert frame["traces"][0] == len(names) - 1  # the heads kept their trace
    # the figure opens at the inspected step: the scrubber there, the arrows drawn
    assert (
        figure["layout"]["sliders"][0]["steps"][figure["layout"]["sliders"][0]["active"]]["label"]
        == "150"
    )
    np.testing.assert_allclose(F.decode(figure["data"][arrows]["x"]), x)


def test_gradient_and_momentum_share_a_round_factor():
    traj = _run("adam", lr=0.05)
    box = ((-2.0, 2.0), (-1.0, 3.0))
    _, parts, scale = inspector_parts(traj, SHOWN, box)
    k = parts["gradient"][1]
    assert parts["momentum"][1] == k
    np.testing.assert_allclose(parts["gradient"][0], -traj.grad[[0, 1, 2, 150, 299, 299]] * k)
    np.testing.assert_allclose(parts["momentum"][0][3], -traj.state["exp_avg"][150] * k)
    widths, k_s = scale
    np.testing.assert_allclose(widths[3], traj.state["scale"][150] * k_s)
    assert round_factor(1.0, 0.3) == 2.0
    assert round_factor(1.0, 0.0) == 1.0
    assert round_factor(0.12, 0.001) == 100.0


def test_the_inspected_racer_is_run_once_with_its_state_and_the_others_without():
    scene, _ = _scene({"inspect": "2:150"})
    drawing = pipeline.draw(scene)
    assert drawing.inspected is drawing.trajectories[1]
    assert [t.state is not None for t in drawing.trajectories] == [False, True, False]
    plain = run.run_racer(scene, scene.racers[1])
    np.testing.assert_array_equal(drawing.inspected.xy, plain.xy)


def test_no_inspector_draws_no_arrow():
    scene, _ = _scene({})
    drawing = pipeline.draw(scene)
    assert drawing.inspected is None and drawing.step_rule is None
    assert all(len(frame["traces"]) == 1 for frame in drawing.race.plain["frames"])


# ---------------------------------------------------------------- payload


def test_six_racers_at_1000_steps_with_an_inspected_amsgrad_stay_within_1_5_mb():
    racers = [{"name": name} for name in ("sgd", "momentum", "adam", "rmsprop", "adagrad")]
    raw = {"optimizers": [{"name": "amsgrad"}, *racers], "steps": 1000}
    raw["view"] = {"inspect": 1, "inspect_step": 400}
    scene, warnings = S.validate(raw)
    assert warnings == []
    size = payload_bytes(pipeline.draw(scene))
    assert size < 1.5e6, size
