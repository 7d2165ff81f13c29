"""The Streamlit app driven headless with AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import scene as S
from scene import presets
from scene.run import surface_of
from scene.text import numbered, racer_label
from tests.apptest_tools import labelled, results_table

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(query=None):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def scene_in_url(at):
    return S.from_query({k: v for k, v in at.query_params.items()})


def test_app_runs_and_shows_the_race():
    at = start()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 3
    assert at.query_params["surface"]


def test_widgets_change_the_scene_and_the_url():
    at = start()
    at.number_input(key="steps").set_value(123).run()
    assert not at.exception
    assert at.query_params["steps"] == "123"
    at.number_input(key="racers").set_value(4).run()
    assert "o4" in at.query_params
    # one racer's controls at a time: pick racer 4, switch its optimizer, set its lr
    labelled(at.segmented_control, "editing").set_value(4).run()
    at.selectbox(key="o4").set_value("rmsprop").run()
    at.select_slider(key="o4.rmsprop.sgd.lr").set_value(0.005).run()
    assert not at.exception
    assert at.query_params["o4"].startswith("rmsprop,lr:0.005,")
    assert at.query_params["o1"] == S.to_query(S.default_scene())["o1"]  # others unchanged


def test_query_round_trip_restores_the_scene():
    scene = S.default_scene()
    racers = (scene.racers[0], scene.racers[1].with_hyper(lr=0.02), *scene.racers[2:])
    scene = scene.replace(steps=77, racers=racers, options=S.Options(noise_std=0.25))
    at = start(S.to_query(scene))
    assert not at.exception
    assert not at.warning
    restored, warnings = scene_in_url(at)
    assert warnings == []
    assert restored == scene


@pytest.mark.parametrize(
    "query",
    [
        {"surface": "<b>nope</b>", "steps": "NaN"},
        {"o1": "adam,lr:letters,betas:1e999/x", "start": "inf,inf"},
        {"steps": "9" * 300, "grid": "-5", "noise": "1e400"},
        {"x" * 3000: "y" * 3000},
    ],
)
def test_hostile_query_strings_warn_and_never_crash(query):
    at = start(query)
    assert not at.exception
    assert at.warning
    assert len(at.get("plotly_chart")) >= 3


def test_diverging_optimizer_is_shown_as_diverged():
    at = start({"o1": "sgd,lr:1.0", "steps": "100"})
    assert not at.exception
    table = results_table(at)
    assert table["diverged at step"].iloc[0].isdigit()  # SGD at lr 1 leaves: its step


def test_settings_that_are_off_hide_their_values_and_keep_them():
    scene = S.default_scene().replace(options=S.Options(seed=7))
    at = start(S.to_query(scene))
    keys = {w.key for w in at.number_input}
    assert not {"seed", "clip_norm", "clip_value"} & keys  # noise and clipping are off
    assert at.query_params["seed"] == "7"  # the hidden seed stays in the scene
    at.number_input(key="noise").set_value(0.5).run()
    at.checkbox(key="clip_norm.on").check().run()
    assert at.number_input(key="seed").value == 7
    at.number_input(key="clip_norm").set_value(2.5).run()
    assert not at.exception
    assert at.query_params["clip_norm"] == "2.5" and at.query_params["noise"] == "0.5"
    at.checkbox(key="clip_norm.on").uncheck().run()
    assert "clip_norm" not in at.query_params


def test_each_racers_trajectory_or_all_of_them_as_csv():
    at = start()
    choice = labelled(at.selectbox, "csv.which")
    labels = [racer_label(r, n) for n, r in numbered(S.default_scene().racers)]
    assert choice.options == ["every racer, one file", *labels]
    choice.set_value(3).run()
    at.number_input(key="racers").set_value(2).run()  # racer 3 is gone: back to every racer
    assert not at.exception
    assert labelled(at.selectbox, "csv.which").value == -1


def test_option_badge_shows():
    at = start({"noise": "0.5"})
    assert any("noise" in i.value for i in at.info)


@pytest.mark.parametrize("name", presets.names())
def test_every_lesson_loads_from_the_menu(name):
    at = start({"steps": "50"})
    at.selectbox(key="lesson").set_value(name).run()
    assert not at.exception
    assert not at.warning
    scene, _ = presets.load(name)
    restored, warnings = scene_in_url(at)
    assert warnings == [] and restored == scene
    assert at.number_input(key="steps").value == scene.steps


def test_3d_view_is_a_toggle_kept_in_the_link():
    at = start({"steps": "40"})
    charts = len(at.get("plotly_chart"))
    at.toggle(key="3d").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == charts + 1
    assert at.query_params["3d"] == "1"


def test_typed_formula_runs_travels_in_the_link_and_reports_errors():
    at = start({"steps": "60"})
    at.selectbox(key="surface").set_value("expression").run()
    at.text_input(key="formula").set_value("(x + 2*y - 7)^2 + (2*x + y - 5)^2").run()
    assert not at.exception and not at.error
    assert at.query_params["surface"] == "expression"
    assert at.query_params["f"] == "(x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2"
    scene, warnings = scene_in_url(at)
    assert warnings == [] and surface_of(scene.surface).minima == ((1.0, 3.0),)
    again = start(dict(at.query_params))  # the link opens the same scene
    assert not again.exception and not again.warning
    at.text_input(key="formula").set_value("x.__class__").run()
    assert not at.exception
    assert "not allowed" in at.error[0].value


def test_hostile_formula_in_the_link_falls_back_with_a_warning():
    at = start({"surface": "expression", "f": "__import__('os').system('true')"})
    assert not at.exception
    assert any("custom formula ignored" in w.value for w in at.warning)
    assert at.query_params["surface"].startswith("rosenbrock")
