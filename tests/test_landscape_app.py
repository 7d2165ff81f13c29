"""The landscape views in the app (AppTest) and in the scene and its link."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import scene as S
from optimizers import landscape as L
from scene import landscape as SL
from scene import pipeline
from tests.apptest_tools import labelled
from ui.landscape import tuning_rows
from viz import figures as F

TIMEOUT = 180
APP = str(Path(__file__).resolve().parent.parent / "app.py")
HIMMELBLAU = {"surface": "himmelblau", "steps": "200", "o1": "sgd,lr:0.01", "o2": "adam,lr:0.05"}


def start(query):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def race_traces(at):
    """The race chart's traces (the chart whose layout has the contour picture)."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"].get("images"):
            return spec["data"]
    raise AssertionError("no race chart")


def scene_in_url(at):
    return S.from_query(dict(at.query_params.items()))


# ---------------------------------------------------------------- scene and link


def test_landscape_settings_round_trip_through_the_link_with_short_keys():
    scene = S.default_scene()
    assert not {"map", "mapby", "mapn", "mapracer", "curv", "sweep"} & set(S.to_query(scene))
    land = S.Landscape("basin", "steps", 60, 2, True, "betas[0]", "regime")
    scene = scene.replace(landscape=land)
    query = S.to_query(scene)
    assert query["map"] == "basin" and query["mapracer"] == "2" and query["sweep"] == "betas[0]"
    restored, warnings = S.from_query(query)
    assert warnings == [] and restored == scene


@pytest.mark.parametrize(
    "given, message",
    [
        ({"map": "lava"}, "overlay='lava' is not a choice; allowed: one of 'none', 'basin'"),
        ({"mapn": "5"}, "grid=5 is out of range; allowed: an integer, 20 <= grid <= 300"),
        ({"mapracer": "4"}, "racer=4 is not a racer of this scene; allowed: 1 to 3; using racer=1"),
        ({"mapracer": "0"}, "racer=0 is out of range; allowed: an integer, 1 <= racer <= 6"),
        ({"mapr": "8"}, "racer=9 is out of range; allowed: an integer, 1 <= racer <= 6"),
        ({"mapby": "age"}, "color='age' is not a choice; allowed: one of 'minimum', 'steps'"),
        ({"sweep": "nope"}, "sweep='nope' is not a choice for racer 1; allowed: off, lr, momentum"),
        ({"sweepby": "x"}, "sweep_color='x' is not a choice; allowed: one of 'loss', 'steps'"),
    ],
)
def test_bad_landscape_values_in_a_link_warn_and_fall_back(given, message):
    scene, warnings = S.from_query(given)
    assert any(message in w for w in warnings), warnings
    assert scene.landscape == S.default_scene().landscape


# ---------------------------------------------------------------- basin map


def test_basin_overlay_draws_himmelblaus_four_basins_under_the_paths():
    at = start({**HIMMELBLAU, "map": "basin", "mapn": "60"})
    assert not at.exception and not at.warning
    traces = race_traces(at)
    names = [t.get("name") for t in traces]
    layer = traces[names.index("basins")]
    # over the contour picture, under the click targets and the paths
    assert names.index("basins") < names.index(F.CLICK_TARGETS) < names.index("1. SGD (lr 0.01)")
    assert layer["type"] == "heatmap" and layer["z"]["dtype"] == "i1"
    z = F.decode(layer["z"])
    assert z.shape == (60, 60)
    assert len(layer["colorbar"]["ticktext"]) == 6  # four minima, not converged, diverged
    assert layer["colorbar"]["x"] == pipeline.BASIN_COLORBAR_X  # beside the contour's bar
    counts = np.bincount(z.ravel(), minlength=6)
    assert (counts[:4] > 0.1 * z.size).all()  # each minimum has a sizeable basin
    # the corner (-6, -6) runs to the minimum near (-3.78, -3.28)
    minima = layer["colorbar"]["ticktext"]
    assert minima[z[0, 0]] == "minimum (-3.78, -3.28)"
    assert any("minimum (3, 2): " in c.value for c in at.caption)


def test_local_minima_the_surface_does_not_list_are_ringed_and_counted():
    at = start({"surface": "six_hump_camel", "steps": "800", "o1": "sgd,lr:0.01", "map": "basin"})
    assert not at.exception
    traces = race_traces(at)
    names = [t.get("name") for t in traces]
    rings = traces[names.index("local minimum")]
    assert names.index("basins") < names.index("local minimum") < names.index("start here")
    scene, _ = scene_in_url(at)
    basin = SL.basin(scene)
    assert len(rings["x"]) == len(basin.local_minima) == 4 and rings["showlegend"] is False
    caption = next(c.value for c in at.caption if c.value.startswith("Basin map"))
    assert "small rings mark those local minima" in caption and "a local minimum: " in caption


def test_basin_colour_by_steps_and_the_racer_choice_follow_the_widgets():
    at = start({**HIMMELBLAU, "map": "basin", "mapn": "40"})
    at.radio(key="mapby").set_value("steps").run()
    labelled(at.selectbox, "mapracer").set_value(2).run()
    assert not at.exception
    layer = next(t for t in race_traces(at) if t.get("name") == "basins")
    assert layer["z"]["dtype"] == "i2" and layer["zmin"] == -1
    scene, _ = scene_in_url(at)
    assert scene.landscape.color == "steps" and scene.chosen.name == "adam"
    expected = SL.basin(scene).steps_to_converge  # Adam's, not SGD's
    assert np.array_equal(F.decode(layer["z"]), expected)
    # without a map its settings hide, and come back as they were
    at.selectbox(key="map").set_value("none").run()
    assert "mapby" not in {r.key for r in at.radio} and "mapn" not in {s.key for s in at.slider}
    assert at.query_params["mapby"] == "steps"
    at.selectbox(key="map").set_value("basin").run()
    assert at.radio(key="mapby").value == "steps" and at.slider(key="mapn").value == 40


def test_basin_map_over_the_work_cap_says_so_and_the_race_still_runs():
    at = start({"steps": "5000", "map": "basin", "mapn": "300"})
    assert not at.exception
    assert any("Basin map not drawn" in w.value and "allowed" in w.value for w in at.warning)
    names = [t.get("name") for t in race_traces(at)]
    assert "basins" not in names and F.CLICK_TARGETS in names


# ---------------------------------------------------------------- curvature


def test_curvature_toggle_adds_arrows_at_the_start_and_the_end():
    at = start({"surface": "quadratic", "steps": "100", "o1": "sgd,lr:0.1"})
    before = race_traces(at)
    at.toggle(key="curv").set_value(True).run()
    assert not at.exception
    after = race_traces(at)
    arrows = [t for t in after if t.get("marker", {}).get("symbol") == "arrow"]
    assert len(after) == len(before) + 6 and len(arrows) == 4  # two points, two directions
    scene, _ = scene_in_url(at)
    curv = pipeline.draw(scene).curvature_lines()
    assert any(c.value.startswith("Curvature: start") for c in at.caption)
    assert "2/λmax" in curv[0] and at.query_params["curv"] == "1"


# ---------------------------------------------------------------- sweep


def _click_then_app():
    """The app, after loading a sweep cell clicked at session_state["click"] (AppTest
    cannot fire a chart's selection events)."""
    import runpy

    import streamlit as st

    from ui import landscape

    if "click" in st.session_state:
        landscape.load_cell([st.session_state.pop("click")])
    runpy.run_path(st.session_state.app)


def test_a_sweep_cell_click_loads_lr_and_momentum_into_the_racer():
    at = AppTest.from_function(_click_then_app, default_timeout=TIMEOUT)
    at.session_state["app"] = APP
    for key, value in {"surface": "himmelblau", "steps": "150", "sweep": "momentum"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    sweep_chart = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(spec["data"][0].get("name") == "sweep" for spec in sweep_chart)
    scene, _ = scene_in_url(at)
    result = SL.sweep(scene)  # stored: the app computed it
    lr, momentum = result.lrs[5], result.values[20]
    at.session_state["click"] = {"x": math.log10(lr) + 0.01, "y": momentum - 0.005}
    at.run()
    # loaded to 3 significant digits: the grid's 0.5109677419354839 reads 0.511
    lr, momentum = float(f"{lr:.3g}"), float(f"{momentum:.3g}")
    assert not at.exception
    assert at.session_state["o1.momentum.sgd.lr"] == lr
    assert at.session_state["o1.momentum.sgd.momentum"] == momentum
    scene, warnings = scene_in_url(at)
    assert warnings == []
    assert scene.racers[0].lr == lr
    assert scene.racers[0].hyper["momentum"] == momentum
    assert SL.stored_sweep(scene) is result  # the sweep stays: it does not depend on them
    at.select_slider(key="o1.momentum.sgd.lr").set_value(lr).run()  # a stop of the slider
    assert not at.exception


def test_a_click_on_a_betas_sweep_loads_one_element_of_the_pair():
    at = AppTest.from_function(_click_then_app, default_timeout=TIMEOUT)
    at.session_state["app"] = APP
    query = {"steps": "100", "o1": "adam,lr:0.05,betas:0.9/0.999", "sweep": "betas[0]"}
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    scene, _ = scene_in_url(at)
    result = SL.sweep(scene)
    at.session_state["click"] = {"x": math.log10(result.lrs[3]), "y": result.values[7]}
    at.run()
    assert not at.exception
    scene, _ = scene_in_url(at)
    assert scene.racers[0].hyper["betas"] == (float(f"{result.values[7]:.3g}"), 0.999)


def test_choosing_what_to_sweep_does_not_rebuild_the_race():
    plain = S.default_scene().replace(steps=30)
    swept = plain.replace(landscape=plain.landscape.replace(sweep="momentum", sweep_color="regime"))
    assert swept.key() != plain.key()
    assert pipeline.draw(swept) is pipeline.draw(plain)
    curved = plain.replace(landscape=plain.landscape.replace(curvature=True))
    assert pipeline.draw(curved) is not pipeline.draw(plain)  # the race draws the arrows


# ---------------------------------------------------------------- auto-tune


def test_auto_tune_applies_each_racers_best_rate_and_states_the_criterion():
    query = {"surface": "quadratic", "steps": "80", "o1": "sgd,lr:0.001", "o2": "adam,lr:0.001"}
    at = start(query)
    scene, _ = scene_in_url(at)
    expected = SL.tune(scene)
    at.button(key="tune").click().run()
    assert not at.exception
    criterion = next(i.value for i in at.info if i.value.startswith("Criterion"))
    assert "after 80 steps" in criterion and "41 learning rates" in criterion
    tuned, _ = scene_in_url(at)
    for racer, tuning in zip(tuned.racers, expected, strict=True):
        # applied and shown to 3 significant digits (the tuning grid is log-spaced)
        assert tuning.lr is not None and racer.lr == float(f"{tuning.lr:.3g}")
        assert abs(racer.lr / tuning.lr - 1) < 5e-3
    table = at.dataframe[-1].value
    assert list(table["chosen lr"]) == [f"{float(f'{t.lr:.3g}'):g}" for t in expected]
    assert list(table["diverged runs"]) == [f"{int(t.diverged.sum())} / 41" for t in expected]


def test_a_racer_whose_runs_all_diverge_is_reported_and_keeps_its_lr():
    diverged = L.Tuning(
        optimizer="sgd",
        lr=None,
        criterion="c",
        lrs=np.array([0.1, 1.0]),
        final_gap=np.array([math.nan, math.nan]),
        converged_step=np.array([-1, -1]),
        diverged=np.array([True, True]),
    )
    scene = S.default_scene()
    rows = tuning_rows(scene, [diverged] * len(scene.racers))
    assert rows[0] == {
        "racer": "1. SGD + momentum",
        "chosen lr": "kept",
        "final gap": "-",
        "steps to tolerance": "not reached",
        "diverged runs": "2 / 2",
        "note": "every rate diverged: lr kept",
    }


def test_a_link_keeps_lookaheads_inner_optimizer():
    at = start({"steps": "50", "o1": "lookahead,inner:adam,lr:0.01"})
    assert not at.exception and not at.warning
    assert at.query_params["o1"].startswith("lookahead,inner:adam,lr:0.01,betas:")
