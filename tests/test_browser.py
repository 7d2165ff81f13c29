"""The app in a real browser: paths drawn, animation plays, shared links restore scenes."""

import re

import pytest

import scene as S
from scene.run import surface_of, view_box

pytestmark = pytest.mark.browser

LOAD = 180_000  # ms; the first run may compile the engine


def open_app(browser, url, query=""):
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(url + query)
    page.wait_for_selector(".js-plotly-plot .imagelayer image", state="attached", timeout=LOAD)
    page.wait_for_timeout(1000)
    return page


def race_data(page):
    return page.evaluate(
        """() => {
            const div = [...document.querySelectorAll('.js-plotly-plot')]
                .find(d => d.layout && d.layout.images && d.layout.images.length);
            const heads = div.data[div.data.length - 1];
            return {
                paths: div.data.filter(t => t.mode === 'lines').map(t => t.name),
                head: [heads.x[heads.x.length - 1], heads.y[heads.y.length - 1]],
                frames: (div._transitionData._frames || []).length,
            };
        }"""
    )


def test_one_path_per_optimizer_and_play_moves_the_heads(browser, app_url, artifacts):
    page = open_app(browser, app_url)
    before = race_data(page)
    scene = S.default_scene()
    assert len(before["paths"]) == len(scene.racers)
    assert before["frames"] == scene.steps + 1
    page.get_by_text("▶ play").first.click()
    page.wait_for_timeout(1500)
    after = race_data(page)
    assert after["head"] != before["head"]
    # the contour picture survives playing (a contour trace was wiped: plotly.js #4491)
    assert page.locator(".js-plotly-plot .imagelayer image").count() >= 1
    page.screenshot(path=str(artifacts / "race.png"), full_page=True)


def test_copied_link_restores_the_scene(browser, app_url, artifacts):
    scene = S.default_scene()
    racers = (scene.racers[0].with_hyper(lr=0.002), scene.racers[1])
    scene = scene.replace(steps=150, racers=racers)
    query = "?" + "&".join(f"{k}={v}" for k, v in S.to_query(scene).items())
    page = open_app(browser, app_url, query)
    page.wait_for_timeout(1500)
    copied = page.url
    restored, warnings = S.from_query(_query_of(copied))
    assert warnings == [] and restored == scene
    second = open_app(browser, copied, "")
    assert race_data(second)["frames"] == 151
    assert len(race_data(second)["paths"]) == 2
    second.screenshot(path=str(artifacts / "restored.png"), full_page=True)


def _query_of(url):
    from urllib.parse import parse_qs, urlsplit

    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def test_click_on_the_contour_moves_the_start(browser, app_url, artifacts):
    page = open_app(browser, app_url, "?steps=60&o1=adam,lr:0.05")
    area = page.evaluate(
        """() => {
            const div = [...document.querySelectorAll('.js-plotly-plot')]
                .find(d => d.layout && d.layout.images && d.layout.images.length);
            const r = div.querySelector('.nsewdrag').getBoundingClientRect();
            return [r.x, r.y, r.width, r.height];
        }"""
    )
    page.mouse.click(area[0] + 0.75 * area[2], area[1] + 0.25 * area[3])
    page.wait_for_function("() => !location.search.includes('start=-1.5')", timeout=60_000)
    page.wait_for_timeout(1500)
    start = [float(v) for v in _query_of(page.url)["start"].split(",")]
    (xmin, xmax), (ymin, ymax) = view_box(surface_of(S.default_scene().surface))
    assert start[0] == pytest.approx(xmin + 0.75 * (xmax - xmin), abs=0.1)
    assert start[1] == pytest.approx(ymax - 0.25 * (ymax - ymin), abs=0.1)
    assert race_data(page)["paths"]  # the race was run again from there
    page.screenshot(path=str(artifacts / "clicked-start.png"), full_page=True)


def test_lesson_menu_and_png_export(browser, app_url, artifacts):
    page = open_app(browser, app_url)
    lessons = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]")
    lessons.filter(has_text="Recreate a classic scene").click()
    page.get_by_role("option", name="Escaping a saddle point").click()
    page.wait_for_function("() => location.search.includes('surface=saddle')", timeout=60_000)
    page.get_by_text("Export this race").click()
    page.get_by_role("button", name="Render").click()
    download = page.get_by_role("button", name=re.compile("Download PNG"))
    download.wait_for(timeout=LOAD)
    with page.expect_download() as info:
        download.click()
    png = info.value.path().read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    page.screenshot(path=str(artifacts / "lesson-export.png"), full_page=True)


def test_basin_map_renders_under_the_paths_and_a_click_on_it_moves_the_start(
    browser, app_url, artifacts
):
    page = open_app(browser, app_url, "?surface=himmelblau&steps=200&map=basin&mapn=60")
    drawn = page.evaluate(
        """() => {
            const div = [...document.querySelectorAll('.js-plotly-plot')]
                .find(d => d.layout && d.layout.images && d.layout.images.length);
            const names = div.data.map(t => t.name);
            const r = div.querySelector('.nsewdrag').getBoundingClientRect();
            return {
                names: names,
                heatmaps: div.querySelectorAll('.heatmaplayer image, .hm image').length,
                bars: div.querySelectorAll('.colorbar').length,
                area: [r.x, r.y, r.width, r.height],
            };
        }"""
    )
    names = drawn["names"]
    assert names.index("basins") < names.index("start here") < names.index("heads")
    assert drawn["heatmaps"] >= 1 and drawn["bars"] == 2  # the contour's and the basins'
    x, y, width, height = drawn["area"]
    page.mouse.click(x + 0.8 * width, y + 0.2 * height)
    page.wait_for_function("() => location.search.includes('start=')", timeout=60_000)
    page.wait_for_function(
        "() => !new URLSearchParams(location.search).get('start').startsWith('-0.3')",
        timeout=60_000,
    )
    page.wait_for_timeout(1500)
    start = [float(v) for v in _query_of(page.url)["start"].split(",")]
    (xmin, xmax), (ymin, ymax) = view_box(
        surface_of(S.validate({"surface": "himmelblau"})[0].surface)
    )
    assert start[0] == pytest.approx(xmin + 0.8 * (xmax - xmin), abs=0.3)
    assert start[1] == pytest.approx(ymax - 0.2 * (ymax - ymin), abs=0.3)
    assert "map=basin" in page.url
    page.screenshot(path=str(artifacts / "basin-click.png"), full_page=True)


def test_a_click_on_a_sweep_cell_loads_its_values_into_the_racer(browser, app_url, artifacts):
    page = open_app(browser, app_url, "?surface=himmelblau&steps=150&sweep=momentum")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".some(d => d.data && d.data[0].name === 'sweep')",
        timeout=LOAD,
    )
    index = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".findIndex(d => d.data && d.data[0].name === 'sweep')"
    )
    sweep = page.locator(".js-plotly-plot").nth(index)
    sweep.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    x, y, width, height = sweep.locator(".nsewdrag").first.bounding_box().values()
    page.mouse.click(x + 0.45 * width, y + 0.5 * height)
    page.wait_for_function(
        "() => !new URLSearchParams(location.search).get('o1').includes('lr:0.001,')",
        timeout=60_000,
    )
    racer = dict(item.split(":") for item in _query_of(page.url)["o1"].split(",")[1:])
    # the middle of the plot: lr about 10^-2.2 of 1e-4..1 (log axis), momentum about 0.5,
    # loaded to 3 significant digits
    assert 10**-2.6 < float(racer["lr"]) < 10**-1.8
    assert 0.4 < float(racer["momentum"]) < 0.6 and len(racer["momentum"]) <= 5
    # the URL changes first; the redrawn sweep then marks the loaded settings
    page.wait_for_function(
        "momentum => [...document.querySelectorAll('.js-plotly-plot')]"
        ".find(d => d.data[0].name === 'sweep').data"
        ".find(t => t.name === 'current settings').y[0] === momentum",
        arg=float(racer["momentum"]),
        timeout=60_000,
    )
    page.screenshot(path=str(artifacts / "sweep-click.png"), full_page=True)


def test_switching_the_language_keeps_the_scene_and_every_widget_working(
    browser, app_url, artifacts
):
    """The sidebar's language choice redraws every label in the other language; the
    widgets then answer as before (a selectbox sends back the label it showed)."""
    page = open_app(browser, app_url, "?steps=300&lang=en")
    boxes = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]")
    for choice, title in (("简体中文", "优化器在损失曲面上赛跑"), ("English", "optimizers racing")):
        boxes.first.click()
        page.get_by_role("option", name=choice).click()
        page.wait_for_function(
            # the title is briefly absent while the page redraws in the other language
            f"() => document.querySelector('h1')?.innerText.includes('{title}')",
            timeout=LOAD,
        )
        page.wait_for_timeout(1500)
        lang = "zh" if choice == "简体中文" else "en"
        assert "steps=300" in page.url and f"lang={lang}" in page.url
    boxes.first.click()
    page.get_by_role("option", name="简体中文").click()
    page.wait_for_function("() => location.search.includes('lang=zh')", timeout=LOAD)
    boxes.filter(has_text="学习率调度").click()  # the schedule, by its Chinese label
    page.get_by_role("option", name="余弦退火", exact=True).click()
    page.wait_for_function("() => location.search.includes('schedule=cosine')", timeout=LOAD)
    assert page.locator("[data-testid=stException]").count() == 0
    assert "steps=300" in page.url
    page.screenshot(path=str(artifacts / "language-switch.png"), full_page=True)


IDLE_AGAIN = """() => document.querySelector('[data-testid=stApp]')
    ?.dataset.testScriptState === 'notRunning'"""


def test_a_contour_picture_fetched_after_the_next_run_is_still_served(browser, app_url):
    """A student moves the contour grid twice in quick succession: the browser's fetch of
    the first new picture can come after the second run has ended (held here until it
    has). It is served, not a 404 in the console."""
    page = open_app(browser, app_url, "?surface=easom&grid=130")  # pictures no other test draws
    errors, held, loaded = [], [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("response", lambda r: "/media/" in r.url and loaded.append((r.url, r.status)))
    page.route(
        "**/media/*.png", lambda route: held.append(route) if not held else route.continue_()
    )
    grid = page.get_by_test_id("stSlider").filter(has_text="Contour grid").locator("input")
    grid.focus()
    page.keyboard.press("ArrowRight")  # 140: its picture's fetch is held
    page.wait_for_function("() => location.search.includes('grid=140')", timeout=LOAD)
    while not held:
        page.wait_for_timeout(50)
    page.keyboard.press("ArrowRight")  # 150: drawn and fetched; its run ends
    page.wait_for_function("() => location.search.includes('grid=150')", timeout=LOAD)
    page.wait_for_function(IDLE_AGAIN, timeout=LOAD)
    while not loaded:
        page.wait_for_timeout(50)
    page.wait_for_timeout(1000)  # the server drops unused files just after a run ends
    first = held[0].request.url
    held[0].continue_()
    while first not in [url for url, _ in loaded]:
        page.wait_for_timeout(50)
    assert dict(loaded)[first] == 200
    assert len(set(loaded)) == 2 and errors == []
