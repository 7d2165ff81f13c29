"""The schedule's sidebar in the app: defaults that follow Steps, rates per racer."""

from scene.defaults import schedule_params
from scene.model import RELATIVE
from tests.apptest_tools import results_table
from tests.test_app import scene_in_url, start


def url_schedule(at):
    scene, warnings = scene_in_url(at)
    assert warnings == []
    return scene.schedule.params


def test_untouched_defaults_follow_steps_and_edited_ones_stay():
    at = start({"steps": "200"})
    at.selectbox(key="schedule").set_value("cosine").run()
    assert at.number_input(key="schedule.cosine.T_max").value == 200
    at.number_input(key="steps").set_value(400).run()
    assert not at.exception
    assert at.number_input(key="schedule.cosine.T_max").value == 400
    assert url_schedule(at)["T_max"] == 400
    at.number_input(key="schedule.cosine.T_max").set_value(150).run()
    at.number_input(key="steps").set_value(300).run()
    assert at.number_input(key="schedule.cosine.T_max").value == 150  # the teacher's value
    assert url_schedule(at)["T_max"] == 150
    at.selectbox(key="schedule").set_value("exponential").run()  # a new pick: for 300 steps
    assert url_schedule(at)["gamma"] == schedule_params("exponential", 300)["gamma"]


def test_cyclic_rates_per_racer_in_the_caption_table_and_link():
    at = start({"steps": "120"})
    at.selectbox(key="schedule").set_value("cyclic").run()
    assert not at.exception and not at.warning
    assert at.checkbox(key=f"schedule.cyclic.{RELATIVE}").value is True
    assert any(
        "base_lr and max_lr are in multiples of each racer's own lr" in c.value for c in at.caption
    )
    table = results_table(at)
    assert list(table["lr used"]) == ["0.0001–0.001", "0.005–0.05", "0.0001–0.001"]
    assert (table["diverged at step"] == "-").all()
    at.checkbox(key=f"schedule.cyclic.{RELATIVE}").uncheck().run()
    assert any("the racers' own lr is not used" in c.value for c in at.caption)
    assert url_schedule(at)[RELATIVE] is False
