"""A batch size per racer in a real browser: the lesson's link races the full batch, 32
and 1 as three labelled paths, and a racer's own batch slider changes the link."""

import urllib.parse

import numpy as np
import pytest

import scene as S
from scene import presets
from scene.run import run_scene
from tests.test_browser_fuzz import query_of

pytestmark = pytest.mark.browser

LOAD = 300_000  # ms; the first run may compile the engine
PATHS = """(names) => {
    const race = [...document.querySelectorAll('.js-plotly-plot')]
        .find(d => d.layout && d.layout.images && d.layout.images.length);
    if (!race) return null;
    const out = {};
    for (const name of names) {
        const path = race._fullData.find(t => t.name === name);
        if (!path) return null;
        out[name] = {x: Array.from(path.x), y: Array.from(path.y)};
    }
    return out;
}"""


OWN_LABEL = "Batch size of this racer"
OWN_BATCH = f"""(value) => {{
    const own = [...document.querySelectorAll('[data-testid="stSlider"]')]
        .filter(s => s.innerText.includes('{OWN_LABEL}'));
    return own.length === 1
        && own[0].querySelector('[data-testid="stSliderThumbValue"]').innerText === value;
}}"""


def lesson_link(app_url):
    scene, _ = presets.load("batch_size_and_noise")
    return scene, app_url + "?" + urllib.parse.urlencode(S.to_query(scene))


def test_three_racers_race_with_their_own_batches_and_a_slider_changes_one(
    browser, app_url, artifacts
):
    scene, link = lesson_link(app_url)
    labels = [
        "1. SGD (lr 0.05, full batch)",
        "2. SGD (lr 0.05, batch 32)",
        "3. SGD (lr 0.05, batch 1)",
    ]
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(link)
    page.wait_for_function(PATHS, arg=labels, timeout=LOAD)
    paths = page.evaluate(PATHS, labels)
    for label, trajectory in zip(labels, run_scene(scene), strict=True):
        sent = trajectory.xy.astype(np.float32)  # the page's paths are float32
        np.testing.assert_array_equal(paths[label]["x"], sent[:, 0])
        np.testing.assert_array_equal(paths[label]["y"], sent[:, 1])
    assert not np.allclose(paths[labels[1]]["x"], paths[labels[2]]["x"])
    page.screenshot(path=str(artifacts / "racer-batch-lesson.png"), full_page=True)

    edit = page.get_by_test_id("stButtonGroup").filter(has_text=labels[2])
    edit.locator("button").nth(2).click()  # edit racer 3
    page.wait_for_function(OWN_BATCH, arg="1", timeout=LOAD)  # racer 3's controls only
    slider = page.get_by_test_id("stSlider").filter(has_text=OWN_LABEL)
    slider.get_by_role("slider").press("End")  # its full batch
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('o3').endsWith('batch:full')",
        timeout=LOAD,
    )
    changed, warnings = S.from_query(query_of(page.url))
    assert warnings == []
    assert [changed.batch_of(r) for r in changed.racers] == [None, 32, None]
    assert changed.racers[:2] == scene.racers[:2]
    new = "3. SGD (lr 0.05, full batch)"
    page.wait_for_function(PATHS, arg=[labels[0], labels[1], new], timeout=LOAD)
    paths = page.evaluate(PATHS, [labels[0], new])
    np.testing.assert_array_equal(paths[new]["x"], paths[labels[0]]["x"])
    assert errors == []
    page.close()
