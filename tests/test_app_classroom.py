"""What a class touches, in AppTest: choices whose labels change, decay rates near 1,
exact starts, typed formulas and messages shown as typed (issue 11)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

import scene as S
from scene import presets
from scene.run import surface_of
from tests.apptest_tools import labelled
from ui.controls import surface_key
from ui.widgets import near_one_options, plain

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(query=None):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def scene_in_url(at):
    return S.from_query({k: v for k, v in at.query_params.items()})[0]


def test_edit_racer_buttons_show_the_new_lr_in_the_same_run_and_keep_the_choice():
    at = start()
    labelled(at.segmented_control, "editing").set_value(2).run()
    old_key = labelled(at.segmented_control, "editing").key
    at.select_slider(key="o2.adam.sgd.lr").set_value(0.02).run()
    buttons = labelled(at.segmented_control, "editing")
    assert not at.exception
    assert buttons.options[1] == "2. Adam (lr 0.02)"  # not one rerun late
    # new labels, new widget: a label the browser showed before can never come back
    assert buttons.key != old_key and buttons.value == 2
    at.select_slider(key="o2.adam.sgd.lr").set_value(0.01).run()  # the racer stays chosen
    assert not at.exception and at.query_params["o2"].startswith("adam,lr:0.01,")


def test_the_map_racer_and_the_csv_choice_survive_lr_changes():
    at = start({"surface": "himmelblau", "steps": "60"})
    labelled(at.selectbox, "mapracer").set_value(1).run()
    labelled(at.selectbox, "csv.which").set_value(1).run()
    for lr in (0.002, 0.005, 0.01):  # each change relabels both choices
        at.select_slider(key="o1.momentum.sgd.lr").set_value(lr).run()
        assert not at.exception
        assert labelled(at.selectbox, "mapracer").value == 1
        assert labelled(at.selectbox, "csv.which").value == 1
        assert labelled(at.selectbox, "csv.which").options[1] == f"1. SGD + momentum (lr {lr:g})"


def test_a_choice_kept_past_fewer_racers_falls_back_to_the_first():
    at = start()
    labelled(at.selectbox, "mapracer").set_value(3).run()
    at.number_input(key="racers").set_value(2).run()
    assert not at.exception
    assert labelled(at.selectbox, "mapracer").value == 1
    assert scene_in_url(at).landscape.racer == 1


def test_beta2_reaches_0_99_and_back_to_exactly_0_999():
    at = start({"o1": "adam,lr:0.05"})
    key = "o1.adam.sgd.betas.1"
    slider = at.select_slider(key=key)
    assert slider.label.startswith("$\\beta_2$ · betas[1]")
    for stop in (0.9, 0.99, 0.999, 0.9999):
        assert stop in slider.options or f"{stop:g}" in slider.options
    for value in (0.99, 0.9999, 0.999):
        at.select_slider(key=key).set_value(value).run()
        assert not at.exception
        assert scene_in_url(at).racers[0].hyper["betas"][1] == value


def test_near_one_stops_are_exact_and_keep_the_current_value():
    assert near_one_options(0.0, 0.99, 0.9) == [0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99]
    assert near_one_options(0.9, 0.9999, 0.97)[:4] == [0.9, 0.95, 0.97, 0.98]
    assert near_one_options(0.0, 0.9999, 0.999)[-3:] == [0.9995, 0.9998, 0.9999]


def test_the_saddle_lesson_start_is_shown_exactly():
    scene, _ = presets.load("saddle_escape")
    at = start(S.to_query(scene))
    name = surface_key(surface_of(scene.surface))
    field = at.number_input(key=f"start.{name}.y")
    assert field.value == 0.001 and field.proto.format == "%g"
    assert scene_in_url(at).start == scene.start


def test_a_typo_in_a_formula_keeps_the_last_valid_one_and_says_so_as_typed():
    at = start({"surface": "expression", "f": "x^2 + 3*y^2"})
    valid = scene_in_url(at).surface
    assert valid.name == S.CUSTOM and valid.expression == "x ** 2 + 3 * y ** 2"
    at.text_input(key="formula").input("x^2 + 3*y**").run()
    assert not at.exception
    assert scene_in_url(at).surface == valid  # kept, not Rosenbrock
    assert at.selectbox(key="surface").value == S.CUSTOM
    error = at.error[0].value
    assert "The charts keep showing the last valid formula" in error
    assert error.startswith("x\\^2 \\+ 3\\*y\\*\\*\\:")  # as typed, through Markdown
    at.text_input(key="formula").input("__import__('os') <= y").run()
    error = at.error[0].value
    assert "\\_\\_import\\_\\_" in error and "`<=`" in error
    assert "\\^ \\(or \\*\\*\\)" in error  # the allowed signs, as written
    at.text_input(key="formula").input("x^2 + y^2").run()  # fixed: the new formula shows
    assert not at.error and scene_in_url(at).surface.expression == "x ** 2 + y ** 2"


def test_link_warnings_show_hostile_text_as_typed():
    at = start({"surface": "<b>__import__</b>", "steps": "2^9"})
    shown = [w.value for w in at.warning]
    assert any("\\<b\\>\\_\\_import\\_\\_\\</b\\>" in text for text in shown), shown
    assert any("2\\^9" in text for text in shown), shown


def test_plain_escapes_markdown_and_quotes_what_streamlit_would_turn_into_symbols():
    assert plain("x**2 <= y_1 $a$ [b]") == "x\\*\\*2 `<=` y\\_1 \\$a\\$ \\[b\\]"
    assert plain("a -> b :smile: :red[c]") == "a `->` b `:smile:` `:red[`c\\]"


def test_schedule_number_inputs_stop_at_their_bounds():
    at = start({"schedule": "exponential"})
    gamma = at.number_input(key="schedule.exponential.gamma")
    assert (gamma.min, gamma.max) == (0.0, 1.0)
    gamma.increment().increment().run()  # "+" twice from 0.99081: stops at 1, no warning
    assert not at.exception and not at.warning
    assert at.number_input(key="schedule.exponential.gamma").value == 1.0
