"""Growing paths and the metric charts' step cursor in a real browser: they follow the
race as it plays, pauses and is scrubbed, with no server run per step."""

import pytest

from .test_browser import open_app

pytestmark = pytest.mark.browser

# What the page shows: the race's step (the frame last drawn, else the scrubber's), the
# number of points of each path trace, and each metric panel's cursor.
STATE = """() => {
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    const race = charts.find(d => d.layout && d.layout.images && d.layout.images.length);
    const metrics = charts.find(d => d.layout && (d.layout.shapes || [])
        .some(s => s.name === 'step cursor'));
    if (!race || !metrics || !race._fullLayout || !metrics._fullLayout) {
        return null;  // a rerun is replacing the charts
    }
    const full = race._fullLayout, slider = full.sliders[0];
    const frame = full._currentFrame;
    const step = frame === undefined || frame === null
        ? Number(slider.steps[slider.active || 0].label) : Number(frame);
    const xa = metrics._fullLayout.xaxis;
    const line = metrics.querySelector('.shapelayer path[data-index="0"]');
    return {
        step,
        scrubber: Number(slider.steps[slider.active || 0].label),
        growing: race.data.filter(t => t.meta === 'growing path').map(t => t.x.length),
        paths: race.data.filter(t => t.mode === 'lines').length,
        cursors: metrics.layout.shapes.filter(s => s.name === 'step cursor').map(s => s.x0),
        drawn: line ? Number(line.getAttribute('d').split(',')[0].slice(1)) : null,
        at: xa._offset + xa.c2p(step),
        playing: !!(race._transitionData && race._transitionData._animationRaf),
    };
}"""


def state(page):
    return page.evaluate(STATE)


def assert_follows(now, racers=3):
    """Every growing path ends at the race's step; every cursor stands at it."""
    assert now["growing"] == [now["step"] + 1] * racers
    assert now["cursors"] == [now["step"]] * 4
    assert now["drawn"] == pytest.approx(now["at"], abs=0.5)


def wait_for(page, condition):
    """Wait until the JavaScript ``condition`` on the page's state ``s`` holds (while a
    rerun replaces the charts there is no state yet)."""
    page.wait_for_function(
        f"() => {{ const s = ({STATE})(); return s !== null && ({condition}); }}"
    )


def wait_until_cut(page, racers):
    """A drawn race's growing paths are cut to the scrubber's step just after the draw."""
    wait_for(page, f"s.growing.length === {racers} && s.growing.every(n => n === s.step + 1)")


def rail(page):
    box = page.locator(".js-plotly-plot .slider-rail-rect").first.bounding_box()
    return box["x"], box["y"] + box["height"] / 2, box["width"]


def test_growing_paths_and_the_cursor_follow_the_scrubber_and_the_animation(
    browser, app_url, artifacts
):
    page = open_app(browser, app_url, "?steps=120&paths=grow")
    wait_until_cut(page, racers=3)
    before = state(page)
    assert before["step"] == 0 and before["paths"] == 3
    assert_follows(before)  # before PLAY: the paths are not drawn yet, the heads at the start
    x, y, width = rail(page)
    page.mouse.click(x + 0.5 * width, y)  # scrub to the middle
    wait_for(page, "s.growing[0] > 1")
    middle = state(page)
    assert 30 < middle["step"] < 90 and middle["step"] == middle["scrubber"]
    assert_follows(middle)
    page.screenshot(path=str(artifacts / "grow-scrubbed.png"), full_page=True)
    page.get_by_text("▶ slow").first.click()
    wait_for(page, f"s.step > {middle['step'] + 5}")
    page.get_by_text("❚❚").first.click()
    wait_for(page, "!s.playing")
    paused = state(page)
    assert paused["step"] > middle["step"]
    assert_follows(paused)
    page.get_by_text("▶ fast").first.click()
    wait_for(page, "s.step === 120 && !s.playing")
    end = state(page)
    assert_follows(end)  # the whole paths once the race has ended
    page.get_by_text("↺").first.click()
    wait_for(page, "s.step === 0")
    assert_follows(state(page))


def test_the_cursor_follows_whole_paths_too(browser, app_url):
    page = open_app(browser, app_url, "?steps=80")
    x, y, width = rail(page)
    page.mouse.click(x + 0.75 * width, y)
    wait_for(page, "s.cursors[0] > 0")
    now = state(page)
    assert now["growing"] == [] and now["step"] == now["scrubber"] > 40
    assert now["cursors"] == [now["step"]] * 4


def test_a_click_on_the_contour_of_a_growing_race_moves_the_start(browser, app_url, artifacts):
    page = open_app(browser, app_url, "?steps=60&o1=adam,lr:0.05&paths=grow")
    page.get_by_text("▶ fast").first.click()
    wait_for(page, "s.step === 60 && !s.playing")
    x, y, width, height = page.evaluate(
        """() => {
            const race = [...document.querySelectorAll('.js-plotly-plot')]
                .find(d => d.layout && d.layout.images && d.layout.images.length);
            const r = race.querySelector('.nsewdrag').getBoundingClientRect();
            return [r.x, r.y, r.width, r.height];
        }"""
    )
    page.mouse.click(x + 0.75 * width, y + 0.25 * height)
    page.wait_for_function("() => !location.search.includes('start=-1.5')", timeout=60_000)
    # the new race is drawn from its first step: paths cut to it again (the link changes
    # while the rerun runs, so the race played to step 60 may still be the one shown)
    wait_for(page, "s.step === 0 && s.growing.length === 1 && s.growing[0] === 1")
    assert_follows(state(page), racers=1)
    assert "paths=grow" in page.url
    page.screenshot(path=str(artifacts / "grow-clicked.png"), full_page=True)


def test_the_sidebar_switches_the_path_style_and_the_link_keeps_it(browser, app_url):
    page = open_app(browser, app_url, "?steps=90")
    assert state(page)["growing"] == []
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("growing", exact=True).click()
    page.wait_for_function("() => location.search.includes('paths=grow')", timeout=60_000)
    wait_until_cut(page, racers=3)
    assert_follows(state(page))
    sidebar.get_by_text("whole", exact=True).click()
    page.wait_for_function("() => !location.search.includes('paths=')", timeout=60_000)
    wait_for(page, "s.growing.length === 0")
