"""A surface made from data in a real browser: the batch-size slider changes the race,
and the data beside it shows the chosen racer's fitted line."""

import numpy as np
import pytest

import scene as S
from scene.run import run_scene
from tests.test_browser_fuzz import query_of

pytestmark = pytest.mark.browser

LOAD = 300_000  # ms; the first run may compile the engine
DATA_CHART = """() => {
    const div = [...document.querySelectorAll('.js-plotly-plot')]
        .find(d => d.data && d.data.some(t => t.name === 'data'));
    if (!div) return null;
    const line = div.data.find(t => t.name === 'model');
    return {points: div._fullData.find(t => t.name === 'data')._length,
            x: Array.from(line.x), y: Array.from(line.y)};
}"""


def test_a_batch_size_slider_and_the_data_with_the_fitted_line(browser, app_url, artifacts):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(app_url + "?surface=linreg&o1=sgd,lr:0.05&steps=100&lang=en")
    page.wait_for_function(DATA_CHART, timeout=LOAD)
    assert "batch" not in query_of(page.url)
    slider = page.get_by_test_id("stSlider").filter(has_text="mini-batch size")
    slider.get_by_role("slider").press("Home")  # the smallest batch: one sample a step
    page.wait_for_function("() => location.search.includes('batch=1')", timeout=LOAD)
    page.wait_for_timeout(1500)
    scene, warnings = S.from_query(query_of(page.url))
    assert warnings == [] and scene.options.batch_size == 1
    (trajectory,) = run_scene(scene)
    w, b = (float(v) for v in trajectory.xy[-1])
    page.wait_for_function(  # the chart of the new run: its line is the final (w, b)
        f"() => {{ const c = ({DATA_CHART})(); "
        f"return c && Math.abs(c.y[0] - ({w!r} * c.x[0] + {b!r})) < 1e-9; }}",
        timeout=LOAD,
    )
    chart = page.evaluate(DATA_CHART)
    assert chart["points"] == 100
    np.testing.assert_allclose(chart["y"], w * np.array(chart["x"]) + b, rtol=1e-9)
    page.screenshot(path=str(artifacts / "data-batch.png"), full_page=True)
    assert errors == []
    page.close()


RACE_STEP = """() => {
    const race = [...document.querySelectorAll('.js-plotly-plot')]
        .find(d => d.layout && d.layout.images && d.layout.images.length);
    const slider = race._fullLayout.sliders[0], frame = race._fullLayout._currentFrame;
    return frame === undefined || frame === null
        ? Number(slider.steps[slider.active || 0].label) : Number(frame);
}"""


def fits(page, w, b):
    """True when the data chart's line is y = w x + b."""
    w, b = float(w), float(b)
    return page.evaluate(
        f"() => {{ const c = ({DATA_CHART})(); "
        f"return !!c && Math.abs(c.y[0] - ({w!r} * c.x[0] + {b!r})) < 1e-6 "
        f"&& Math.abs(c.y[1] - ({w!r} * c.x[1] + {b!r})) < 1e-6; }}"
    )


def test_the_data_chart_follows_the_race_scrubber(browser, app_url, artifacts):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    link = "?surface=linreg&o1=sgd,lr:0.05&steps=100&lang=en"
    page.goto(app_url + link)
    page.wait_for_function(DATA_CHART, timeout=LOAD)
    page.wait_for_timeout(1500)
    scene, _ = S.from_query(query_of(app_url + link))
    (trajectory,) = run_scene(scene)
    assert fits(page, *trajectory.xy[-1])  # before the race moves: the final model
    rail = page.locator(".js-plotly-plot .slider-rail-rect").first.bounding_box()
    page.mouse.click(rail["x"] + 0.4 * rail["width"], rail["y"] + rail["height"] / 2)
    page.wait_for_function(f"() => ({RACE_STEP})() > 0", timeout=LOAD)
    page.wait_for_timeout(500)
    step = page.evaluate(RACE_STEP)
    assert 20 < step < 60
    assert fits(page, *trajectory.xy[step])  # 100 steps: the data chart has every step
    page.get_by_text("▶ fast").first.click()
    page.wait_for_function(f"() => ({RACE_STEP})() === 100", timeout=LOAD)
    page.wait_for_timeout(500)
    assert fits(page, *trajectory.xy[100])
    page.screenshot(path=str(artifacts / "data-follows.png"), full_page=True)
    assert errors == []
    page.close()
