"""Inspecting a step in a real browser: play, pause, pick a racer, drag the scrubber, and
the arrows and the numbers follow with no server rerun."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import scene as S
from scene import pipeline
from tests.test_browser import open_app
from viz import step_rule as SR

pytestmark = pytest.mark.browser

READ = """() => {
    const chart = document.querySelector('.st-key-race .js-plotly-plot');
    const arrow = chart && chart.data.find(t => (t.name || '').startsWith('update × '));
    const panel = document.querySelector('.gs-inspect');
    return {
        arrow: arrow ? [Array.from(arrow.x), Array.from(arrow.y)] : null,
        text: panel ? panel.innerText : null,
        step: panel ? panel.dataset.step : null,
    };
}"""


def pick_inspected(page, label):
    """Choose ``label`` in the inspector's racer choice. A click that lands while the page
    still settles after a run can be lost: the list is opened again until it shows."""
    box = page.locator("[data-testid=stSelectbox]").filter(
        has=page.get_by_role("combobox", name="Inspect the steps of")
    )
    option = page.get_by_role("option", name=label)
    for _ in range(5):
        if box.locator("input").get_attribute("aria-expanded") != "true":
            box.locator("button[aria-label=Open]").click()
        try:
            option.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            continue
    option.click()


def drag_scrubber(page, share):
    """Drag the scrubber's grip to ``share`` (0 to 1) of its rail, as a mouse would."""
    rail = page.locator(".st-key-race .slider-rail-rect").bounding_box()
    grip = page.locator(".st-key-race .slider-grip-rect").bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + share * rail["width"], rail["y"] + rail["height"] / 2, steps=8)
    page.mouse.up()


def test_pause_pick_a_racer_and_scrub_moves_arrows_and_numbers(browser, app_url, artifacts):
    page = open_app(browser, app_url)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_text("▶ play").first.click()
    page.wait_for_timeout(800)
    page.get_by_text("❚❚").first.click()
    pick_inspected(page, "2. Adam (lr 0.05)")
    page.wait_for_function("() => location.search.includes('inspect=2')", timeout=60_000)
    page.wait_for_selector(".gs-inspect", timeout=60_000)
    page.wait_for_function(
        """() => {
            const c = document.querySelector('.st-key-race .js-plotly-plot');
            return c && c.gradscapeInspectBound
                && c.data.some(t => (t.name || '').startsWith('update × '));
        }""",
        timeout=60_000,
    )
    before = page.evaluate(READ)
    assert before["text"].startswith("2. Adam (lr 0.05): the next step, t = 1")
    assert "mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ = 0.900 × (0, 0) + 0.100 × (" in before["text"]
    drag_scrubber(page, 0.6)
    page.wait_for_function(f"() => ({READ})().step !== '{before['step']}'", timeout=30_000)
    after = page.evaluate(READ)
    assert after["arrow"] != before["arrow"]
    assert after["text"] != before["text"]
    step = int(after["step"])
    assert 200 < step < 400
    assert f"the next step, t = {step + 1}" in after["text"]
    assert "0.900 × (0, 0)" not in after["text"]
    # the browser wrote the numbers as Python does for that step (viz.step_rule)
    scene = S.default_scene()
    rule = pipeline.draw(scene.replace(view=scene.view.replace(inspect=2))).step_rule
    frame = rule.steps.tolist().index(step)
    expected = [SR.line_text(rule, i, frame) for i in range(len(rule.lines))]
    assert after["text"].split("\n")[1:] == expected
    page.locator(".gs-inspect").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "inspector-scrubbed.png"))
    # playing moves them too
    page.get_by_text("▶ play").first.click()
    page.wait_for_function(f"() => ({READ})().step !== '{step}'", timeout=30_000)
    page.get_by_text("❚❚").first.click()
    assert errors == []
