"""The app's schedule defaults: any schedule picked as it comes keeps the race a race.

On the default scene and on every lesson, with every lesson's racers: each racer still
makes visible progress, no racer diverges that the constant rate does not diverge, the
defaults follow the race's length, and schedules that set the rates themselves give each
racer rates relative to its own lr, shown in the legend and the results table.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scene as S
from optimizers import schedules
from scene import presets
from scene.defaults import follow_steps, schedule_params
from scene.link import _parse_value
from scene.model import RELATIVE, Schedule
from scene.run import run_scene, schedule_rates, surface_of
from scene.text import racer_label, racer_labels, racer_title
from viz import tables as T

SCENES = ["default", *presets.names()]
# the least share of its starting loss gap a racer must remove under any default schedule
# (every racer of these scenes removes at least 61% with the constant rate)
LEAST_PROGRESS = 0.4


def lesson(name):
    return S.default_scene() if name == "default" else presets.load(name)[0]


def with_schedule(scene, name, steps=None):
    """``scene`` with schedule ``name`` at the app's defaults, as picking it in the sidebar
    gives (the warmup stays)."""
    steps = steps or scene.steps
    schedule = Schedule(name, schedule_params(name, steps), scene.schedule.warmup_steps)
    out, warnings = S.validate(scene.replace(schedule=schedule, steps=steps))
    assert warnings == []
    return out


def progress(surface, run):
    """The share of the starting gap f - f* the run removed; on a surface unbounded below,
    the fall of f over max(|f_0|, 1)."""
    final = run.loss[np.isfinite(run.loss)][-1]
    if math.isfinite(surface.f_min):
        return 1.0 - (final - surface.f_min) / (run.loss[0] - surface.f_min)
    return (run.loss[0] - final) / max(abs(run.loss[0]), 1.0)


@pytest.mark.parametrize("name", schedules.names())
@pytest.mark.parametrize("where", SCENES)
def test_default_schedule_keeps_every_racer_racing(where, name):
    scene = lesson(where)
    surface = surface_of(scene.surface)
    constant = run_scene(with_schedule(scene, "constant"))
    scheduled = with_schedule(scene, name)
    assert scheduled.racers == scene.racers  # nobody left out
    runs = run_scene(scheduled)
    for label, plain, run in zip(racer_labels(scheduled), constant, runs, strict=True):
        if plain.diverged_at is not None:
            continue  # diverging is this racer's lesson (test_presets: the lesson says so)
        assert progress(surface, plain) > 0.6, label  # the lesson itself races
        assert run.diverged_at is None, f"{label} diverges under {name}"
        assert progress(surface, run) >= LEAST_PROGRESS, (label, progress(surface, run))


@pytest.mark.parametrize("steps", [30, 500, 5000])
def test_decays_span_the_race_and_cut_the_rate_about_100x(steps):
    def rates(name):
        schedule = Schedule(name, schedule_params(name, steps)).engine(1.0)
        return schedules.evaluate(schedule, 1.0, steps)

    for name in ("step", "multistep", "exponential"):
        assert np.all(np.diff(rates(name)) <= 0), name
        assert 0.008 <= rates(name)[-1] <= 0.0125, (name, rates(name)[-1])
    for name in ("cosine", "polynomial"):  # down to almost 0 at the end, never back up
        assert np.all(np.diff(rates(name)) < 0), name
        assert 0 < rates(name)[-1] <= 1.000001 / steps  # polynomial's last: lr / steps
    linear = rates("linear")  # PyTorch's ramp from lr/3, over the whole race
    assert np.all(np.diff(linear) > 0) and linear[0] == pytest.approx(1 / 3)
    quarter = -(-steps // 4)  # warm restarts every quarter; two cycles of the cyclical rate
    restarts = rates("cosine_restarts")
    assert list(np.flatnonzero(np.diff(restarts) > 0) + 1) == [quarter, 2 * quarter, 3 * quarter]
    cyclic = rates("cyclic")
    assert list(np.flatnonzero(cyclic == cyclic.max())) == [quarter, 3 * quarter]
    assert schedule_params("plateau", steps)["patience"] == steps // 10


@pytest.mark.parametrize("name", schedules.names())
@settings(max_examples=40, deadline=None)
@given(steps=st.integers(1, S.MAX_STEPS))
def test_defaults_are_valid_at_any_length(name, steps):
    scene = S.default_scene().replace(
        steps=steps, schedule=Schedule(name, schedule_params(name, steps))
    )
    assert S.validate(scene) == (scene, [])


@pytest.mark.parametrize("name", schedules.names())
def test_untouched_defaults_follow_the_steps(name):
    for old, new in ((500, 1000), (500, 37), (1, 5000)):
        start = Schedule(name, schedule_params(name, old), 7)
        assert follow_steps(start, old, new) == Schedule(name, schedule_params(name, new), 7)


def test_edited_values_stay_when_the_steps_change():
    edited = Schedule("cosine", {"T_max": 200, "eta_min": 0.0})
    assert follow_steps(edited, 500, 1000) == edited
    exponential = Schedule("exponential", {"gamma": 0.95})
    assert follow_steps(exponential, 500, 1000) == exponential
    linear = Schedule("linear", {**schedule_params("linear", 500), "end_factor": 0.5})
    followed = follow_steps(linear, 500, 800).params
    assert followed["total_iters"] == 800 and followed["end_factor"] == 0.5


def test_exponential_default_falls_100x_whatever_the_length():
    for steps in (2, 3, 10, 77, 500, 4999, 5000):
        gamma = schedule_params("exponential", steps)["gamma"]
        assert 0.0095 <= gamma ** max(steps - 1, 1) <= 0.0105, steps
        assert len(repr(1 - gamma).replace("0.", "").lstrip("0")) <= 20  # a short number


def test_cyclic_runs_each_racer_from_a_tenth_of_its_lr_up_to_it():
    scene = with_schedule(S.default_scene(), "cyclic")
    runs = run_scene(scene)
    for racer, run in zip(scene.racers, runs, strict=True):
        lr = racer.lr
        assert run.lr.max() == pytest.approx(lr, rel=1e-12)
        assert run.lr.min() == pytest.approx(lr / 10, rel=1e-12)
        np.testing.assert_array_equal(run.lr, schedule_rates(scene, lr))
    titles = [racer_title(r, i) for i, r in enumerate(scene.racers, start=1)]
    assert racer_labels(scene) == [
        f"{titles[0]} (lr 0.001 → 0.0001–0.001)",
        f"{titles[1]} (lr 0.05 → 0.005–0.05)",
        f"{titles[2]} (lr 0.001 → 0.0001–0.001)",
    ]
    table = T.results_table(surface_of(scene.surface), runs, racer_labels(scene), 1e-3)
    assert list(table["racer"]) == racer_labels(scene)
    assert list(table["lr used"]) == ["0.0001–0.001", "0.005–0.05", "0.0001–0.001"]


def test_one_cycle_peaks_at_each_racers_lr():
    scene = with_schedule(S.default_scene(), "onecycle")
    for racer, run in zip(scene.racers, run_scene(scene), strict=True):
        lr = racer.lr
        assert run.lr.max() == pytest.approx(lr, rel=1e-12)
        assert int(np.argmax(run.lr)) == round(0.3 * scene.steps) - 1
        assert run.lr[0] == pytest.approx(lr / 25, rel=1e-12)  # div_factor
        assert run.lr[-1] == pytest.approx(lr / 25 / 1e4, rel=1e-9)  # final_div_factor
    assert racer_label(scene.racers[1], 2, scene).endswith("(lr 0.05 → 2e-07–0.05)")


def test_absolute_rates_are_the_same_for_every_racer_and_say_so():
    scene = with_schedule(S.default_scene(), "cyclic")
    params = {**scene.schedule.params, "relative_lr": False, "base_lr": 0.0002, "max_lr": 0.0004}
    scene = scene.replace(schedule=Schedule("cyclic", params))
    assert S.validate(scene) == (scene, [])
    for run in run_scene(scene):
        assert (run.lr.min(), run.lr.max()) == pytest.approx((0.0002, 0.0004), rel=1e-12)
    label = racer_label(scene.racers[1], 2, scene)
    assert label.endswith("(lr 0.05 → 0.0002–0.0004)")


def test_multiplying_schedules_keep_the_plain_label_and_the_table_shows_the_rates():
    scene = with_schedule(S.default_scene(), "exponential")
    runs = run_scene(scene)
    assert racer_labels(scene)[1].endswith("(lr 0.05)")
    surface = surface_of(scene.surface)
    table = T.results_table(surface, runs, racer_labels(scene), 1e-3)
    assert table["lr used"][1] == f"{runs[1].lr[-1]:.3g}–0.05"
    assert racer_labels(S.default_scene())[1].endswith("(lr 0.05)")
    plain = T.results_table(surface, run_scene(S.default_scene()), ["a"] * 3, 1e-3)
    assert list(plain["lr used"]) == ["0.001", "0.05", "0.001"]


# Links written before relative rates: every parameter explicit, rates absolute, booleans
# as 0/1 and worked-out values as None (those two came back with warnings then).
OLD_LINKS = {
    "cyclic": "cyclic,base_lr:1.0,max_lr:1.0,step_size_up:2000,step_size_down:None,"
    "mode:triangular,gamma:1.0,cycle_momentum:1,base_momentum:0.8,max_momentum:0.9,"
    "warmup_steps:0",
    "onecycle": "onecycle,max_lr:1.0,total_steps:None,pct_start:0.3,anneal_strategy:cos,"
    "cycle_momentum:1,base_momentum:0.85,max_momentum:0.95,div_factor:25.0,"
    "final_div_factor:10000.0,three_phase:0,warmup_steps:0",
    "exponential": "exponential,gamma:0.5,warmup_steps:0",
    "linear": "linear,start_factor:0.3333333333333333,end_factor:1.0,total_iters:5,warmup_steps:0",
}


@pytest.mark.parametrize("name", sorted(OLD_LINKS))
def test_old_links_open_the_same_scene(name):
    old = S.to_query(S.default_scene())
    old["schedule"] = OLD_LINKS[name]
    scene, warnings = S.from_query(old)
    assert warnings == []
    _, *fields = OLD_LINKS[name].split(",")
    expected = {k: _parse_value(v) for k, v in (f.split(":") for f in fields)}
    expected = {k: None if v == "None" else v for k, v in expected.items()}
    engine = scene.schedule.engine(0.123)  # any racer's lr: the same rates
    assert engine == {"name": name, **expected}
    assert scene.schedule.params.get(RELATIVE, False) is False
    assert S.from_query(S.to_query(scene)) == (scene, [])


def test_sets_lr_links_without_rates_get_relative_defaults():
    scene, warnings = S.from_query({"schedule": "onecycle,pct_start:0.25", "steps": "200"})
    assert warnings == []
    assert scene.schedule.params[RELATIVE] is True and scene.schedule.params["max_lr"] == 1.0
    bad, warnings = S.from_query({"schedule": "cyclic,relative_lr:maybe"})
    assert bad.schedule.params[RELATIVE] is True
    assert warnings == [
        "schedule 'cyclic': relative_lr='maybe' must be True or False; using relative_lr=True"
    ]
    _, warnings = S.from_query({"schedule": "cosine,relative_lr:1"})
    assert warnings == ["unknown parameter 'relative_lr' of schedule cosine ignored"]


@pytest.mark.parametrize("name", schedules.names())
def test_every_default_schedule_round_trips_through_a_link(name):
    scene = with_schedule(S.default_scene(), name, steps=321)
    assert S.from_query(S.to_query(scene)) == (scene, [])
