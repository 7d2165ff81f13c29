"""The learning-rate range test in the scene, its link, its chart and the app's panel."""

import json

import numpy as np
import pytest

import scene as S
from optimizers import landscape as L
from scene import landscape as SL
from scene import pipeline
from tests.test_landscape_app import scene_in_url, start
from ui.landscape import range_sentence

QUADRATIC = {"surface": "quadratic", "steps": "60", "o1": "sgd,lr:0.001", "lrrange": "1"}


def test_range_settings_round_trip_through_the_link():
    query = {**QUADRATIC, "lrmin": "1e-05", "lrmax": "2.0", "lrsteps": "300"}
    scene, warnings = S.from_query(query)
    assert not warnings
    land = scene.landscape
    assert (land.lr_range, land.range_min, land.range_max, land.range_steps) == (
        True,
        1e-05,
        2.0,
        300,
    )
    written = S.to_query(scene)
    assert {k: written[k] for k in ("lrrange", "lrmin", "lrmax", "lrsteps")} == {
        "lrrange": "1",
        "lrmin": "1e-05",
        "lrmax": "2.0",
        "lrsteps": "300",
    }
    # defaults are not written: links stay short
    assert not {"lrrange", "lrmin", "lrmax", "lrsteps"} & set(S.to_query(S.default_scene()))


@pytest.mark.parametrize(
    "given, message",
    [
        ({"lrmin": "0"}, "range_min=0 is out of range; allowed: a number, 0 < range_min <= 1"),
        ({"lrmax": "1e9"}, "range_max=1000000000.0 is out of range"),
        ({"lrsteps": "3"}, "range_steps=3 is out of range; allowed: an integer, 10 <="),
        ({"lrrange": "maybe"}, "lr_range='maybe' is not True or False"),
    ],
)
def test_bad_range_settings_in_a_link_warn_and_fall_back(given, message):
    scene, warnings = S.from_query({**QUADRATIC, **given})
    assert any(message in w for w in warnings), warnings
    name = next(iter(given))
    field = S.link.LANDSCAPE_KEYS[name]
    assert getattr(scene.landscape, field) == getattr(S.Landscape(), field)


def test_the_scene_runs_the_engines_range_test_with_the_racers_other_settings():
    query = {**QUADRATIC, "o1": "momentum,lr:0.3,momentum:0.5", "lrsteps": "200"}
    scene, _ = S.from_query(query)
    result = SL.range_test(scene)
    expected = L.lr_range_test("quadratic", "momentum", scene.start, 200, momentum=0.5)
    np.testing.assert_array_equal(result.rates, expected.rates)
    np.testing.assert_array_equal(result.losses, expected.losses)
    # the racer's own lr plays no part: the same stored result
    other = scene.replace(racers=(scene.racers[0].with_hyper(lr=0.01),))
    assert SL.range_test(other) is result


def test_an_empty_range_is_refused_with_the_engines_message():
    scene, _ = S.from_query({**QUADRATIC, "lrmin": "0.5", "lrmax": "0.1"})
    with pytest.raises(
        ValueError, match=r"lr_max=0.1 is out of range; allowed: a number > lr_min=0.5"
    ):
        SL.range_test(scene)


def test_the_chart_marks_both_suggestions_the_divergence_and_the_racers_lr():
    scene, _ = S.from_query(QUADRATIC)
    result = SL.range_test(scene)
    assert result.diverged_at is not None  # sgd on the quadratic: unstable above 2/10
    figure = pipeline.range_figure(scene, result).to_dict()
    names = [trace["name"] for trace in figure["data"]]
    steepest, minimum = (s.lr for s in result.suggestions)
    assert names == [
        "loss after each step",
        "smoothed loss (moving average, β = 0.98)",
        f"steepest fall: lr {steepest:.3g}",
        f"minimum / 10: lr {minimum:.3g}",
        f"diverged at lr {result.rates[result.diverged_at]:.3g}",
        "racer's lr 0.001",
    ]
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert list(figure["data"][-1]["x"]) == [0.001, 0.001]  # the racer's lr, dashed
    assert list(figure["data"][2]["x"]) == [steepest]


def test_the_sentence_says_what_ran_where_it_stopped_and_each_rule():
    scene, _ = S.from_query(QUADRATIC)
    result = SL.range_test(scene)
    sentence = range_sentence(result)
    assert sentence.startswith("The rate grew exponentially from 1e-06 to 10 over 1000 steps.")
    assert f"diverged at step {result.diverged_at + 1}" in sentence
    assert "exceeds 4x its best so far" in sentence
    assert "Steepest fall, lr" in sentence and "divided by 10" in sentence
    chinese = range_sentence(result, "zh")
    assert "学习率在 1000 步内按指数从 1e-06 增长到 10。" in chinese
    assert "fast.ai 的规则" in chinese and "下降最快" in chinese


def test_the_panel_shows_the_chart_and_a_button_applies_a_suggestion():
    at = start(QUADRATIC)
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [c["layout"].get("title", {}).get("text", "") for c in charts]
    ranges = [t for t in titles if t.startswith("sgd: learning-rate range test, 1000 steps")]
    assert len(ranges) == 1
    scene, _ = scene_in_url(at)
    minimum = SL.range_test(scene).suggestions[1].lr
    at.button(key="range_use_minimum/10").click().run()
    assert not at.exception
    changed, _ = scene_in_url(at)
    assert changed.racers[0].lr == float(f"{minimum:.3g}")
    assert at.session_state["o1.sgd.sgd.lr"] == float(f"{minimum:.3g}")


def test_the_panels_settings_follow_its_widgets_into_the_link():
    at = start(QUADRATIC)
    at.number_input(key="lrsteps").set_value(400).run()
    assert not at.exception
    scene, _ = scene_in_url(at)
    assert scene.landscape.range_steps == 400
    assert at.query_params["lrsteps"] == "400"


def test_the_panel_is_hidden_until_the_toggle_is_on():
    at = start({k: v for k, v in QUADRATIC.items() if k != "lrrange"})
    assert not [b for b in at.button if b.key.startswith("range_use")]
    at.toggle(key="lrrange").set_value(True).run()
    assert [b.key for b in at.button if b.key.startswith("range_use")] == [
        "range_use_steepest",
        "range_use_minimum/10",
    ]


def test_the_lesson_races_the_suggested_rate_against_ten_times_it():
    scene, warnings = S.validate(S.presets.load("finding_a_learning_rate")[0])
    assert not warnings and scene.landscape.lr_range
    suggested = SL.range_test(scene).suggestions[1].lr  # minimum / 10
    slow, fast = (racer.lr for racer in scene.racers)
    assert slow == float(f"{suggested:.3g}") and fast == pytest.approx(10 * slow)
    drawing = pipeline.draw(scene)
    converged, diverged = drawing.trajectories
    assert converged.diverged_at is None and converged.loss[-1] < 1e-12
    assert diverged.diverged_at is not None and diverged.diverged_at < 10
