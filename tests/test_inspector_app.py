"""Inspecting a step in the app (AppTest): the control, the panel, the link, Chinese."""

import json
import re

import pytest

from tests.apptest_tools import labelled
from tests.test_app import start
from tests.test_app_zh import english_left
from tests.test_app_zh import start as start_zh


def panel_html(at):
    """The inspector panel's HTML, or None when the page has none."""
    bodies = [h.proto.body for h in at.get("html") if "gs-inspect" in h.proto.body]
    return bodies[0] if bodies else None


def panel_lines(body):
    return re.findall(r'<div class="gs-line">(.*?)</div>', body)


def race_names(at):
    race = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [trace.get("name") for trace in race["data"]]


def test_the_inspector_appears_and_disappears_with_its_control():
    at = start()
    assert panel_html(at) is None
    labelled(at.selectbox, "inspect").set_value(2).run()
    assert not at.exception
    assert at.query_params["inspect"] == "2:0"
    body = panel_html(at)
    assert body is not None and "2. Adam" in body
    lines = panel_lines(body)
    assert lines[1].startswith("mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ = 0.900 × (0, 0) + 0.100 × (")
    assert any(name and name.startswith("−∇f × ") for name in race_names(at))
    at.number_input(key="inspect_step").set_value(120).run()
    assert at.query_params["inspect"] == "2:120"
    assert 'class="gs-t">121<' in panel_html(at)
    labelled(at.selectbox, "inspect").set_value(0).run()
    assert panel_html(at) is None
    assert "inspect" not in at.query_params
    assert not any(name and name.startswith("−∇f") for name in race_names(at))


def test_a_link_opens_the_inspector_at_its_step():
    at = start({"inspect": "1:40"})
    assert not at.exception and not at.warning
    assert 'class="gs-t">41<' in panel_html(at)
    assert at.number_input(key="inspect_step").value == 40


@pytest.mark.parametrize(
    "value, words",
    [("7:1", "inspect=7"), ("1:99999", "inspect_step=99999"), ("two", "inspect='two'")],
)
def test_a_bad_link_value_warns_naming_it(value, words):
    at = start({"inspect": value})
    assert not at.exception
    shown = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]  # Markdown escapes off
    assert any(words in text for text in shown), shown


def test_fewer_racers_than_the_inspected_one_turns_it_off_quietly():
    at = start({"inspect": "3:10"})
    at.number_input(key="racers").set_value(2).run()
    assert not at.exception and not at.warning
    assert "inspect" not in at.query_params


def test_the_inspector_in_chinese_has_no_english_word():
    at = start_zh({"inspect": "2:100"})
    assert english_left(at) == {}
    assert "下一步" in panel_html(at)
