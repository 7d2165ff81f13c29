"""The app's layout in Chromium at 1366 x 768, 1920 x 1080 and a 390 x 844 phone: what is
on the first screen, what overlaps, projector mode, clicks and taps on the contour, and
the console while the race plays."""

import io
import itertools
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

import scene as S
from scene.run import surface_of, view_box

pytestmark = pytest.mark.browser

LOAD = 180_000  # ms; the first run may compile the engine
VIEWPORTS = {"1366": (1366, 768), "1920": (1920, 1080), "phone": (390, 844)}
RACE = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => d.layout && d.layout.images && d.layout.images.length)"""


def open_page(browser, url, query="", viewport="1366"):
    width, height = VIEWPORTS[viewport]
    phone = viewport == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda m: page.problems.append(f"{m.type}: {m.text}") if m.type == "error" else None,
    )
    page.goto(url + query)
    page.wait_for_selector(".js-plotly-plot .imagelayer image", state="attached", timeout=LOAD)
    page.wait_for_timeout(1500)
    return page


def box(page, selector, index=0):
    """The bounding box of the ``index``-th match of ``selector``, as x, y, right, bottom."""
    r = page.locator(selector).nth(index).bounding_box()
    return r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"]


def race_box(page, part):
    """Boxes of the race chart's ``part`` (a CSS selector inside it), as above."""
    return page.evaluate(
        f"""(part) => {{
            const div = ({RACE})();
            return [...div.querySelectorAll(part)].map(e => {{
                const r = e.getBoundingClientRect();
                return [r.x, r.y, r.right, r.bottom];
            }});
        }}""",
        part,
    )


def overlaps(a, b):
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


def press(page, label, phone=False):
    """Click (tap, on a phone) the race's button whose text is ``label``."""
    button = page.locator(".updatemenu-button").filter(has_text=label).first
    button.scroll_into_view_if_needed()
    x, y, right, bottom = button.bounding_box().values()
    centre = (x + right / 2, y + bottom / 2)
    page.touchscreen.tap(*centre) if phone else page.mouse.click(*centre)
    page.wait_for_timeout(400)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_play_pause_restart_leave_no_error_in_the_console(browser, app_url, viewport):
    page = open_page(browser, app_url, "", viewport)
    for label in ("▶ play", "❚❚", "↺", "▶ fast", "▶ slow", "↺", "▶ play", "❚❚"):
        press(page, label, phone=viewport == "phone")
    page.wait_for_timeout(1000)
    # the lr preview in a phone's hidden sidebar wrote -Infinity positions before
    assert page.problems == []
    page.context.close()


def test_at_1366_the_play_buttons_are_on_the_first_screen(browser, app_url, artifacts):
    page = open_page(browser, app_url, "", "1366")
    buttons = race_box(page, ".updatemenu-button")
    assert len(buttons) == 5 and max(b[3] for b in buttons) <= 768
    title = race_box(page, ".xtitle")[0]
    assert all(not overlaps(title, b) for b in buttons)
    page.screenshot(path=str(artifacts / "layout-1366.png"))
    page.context.close()


@pytest.mark.parametrize("viewport", ["1366", "1920"])
def test_the_results_table_shows_every_column_and_no_none(browser, app_url, viewport):
    page = open_page(browser, app_url, "?o1=sgd,lr:1&steps=100", viewport)  # one diverges
    table = page.locator("[data-testid=stTable]")
    table.scroll_into_view_if_needed()
    frame = box(page, "[data-testid=stTable]")
    count = page.locator("[data-testid=stTable] th").count()
    headers = [box(page, "[data-testid=stTable] th", i) for i in range(count)]
    assert count >= 6
    assert all(frame[0] - 0.5 <= h[0] and h[2] <= frame[2] + 0.5 for h in headers)
    width = page.evaluate(
        "() => { const t = document.querySelector('[data-testid=stTable] table');"
        " return [t.scrollWidth, t.parentElement.clientWidth]; }"
    )
    assert width[0] <= width[1] + 1
    text = table.inner_text()
    assert "None" not in text and "nan" not in text.lower()
    assert "not reached" in text and "-" in text.split()
    page.context.close()


def test_the_update_rule_scrolls_rather_than_being_cut_off(browser, app_url):
    page = open_page(browser, app_url, "", "1366")
    rules = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain] .katex-display')].map("
        "e => [getComputedStyle(e).overflowX, e.scrollWidth, e.clientWidth])"
    )
    assert len(rules) >= 2  # the surface's formula and the racer's algorithm
    for overflow, scroll, client in rules:
        assert overflow == "auto" or scroll <= client
    page.context.close()


RULE_BOXES = """() => [...document.querySelectorAll('[data-testid=stMain] .katex-display')]
    .filter(e => /input|输入/.test(e.innerText))
    .map(e => { const r = e.getBoundingClientRect();
                return [e.scrollWidth, e.clientWidth, r.top, r.bottom]; })"""


@pytest.mark.parametrize("viewport", ["1366", "1920"])
@pytest.mark.parametrize(
    "query",
    ["", "?lang=zh", "?o1=nadam&o2=adagrad&o3=rmsprop", "?o1=lookahead,inner:radam&o2=ranger"],
)
def test_the_update_rules_fit_their_column(browser, app_url, viewport, query):
    """Their inputs wrap and a rule holding another's (Lookahead, Ranger) shows the two
    blocks one above the other: the default scene's rules and these fit beside their
    controls on a laptop and a projector (they were up to 1,098 pixels in a column of
    536), no scrolling."""
    big = f"big={int(viewport == '1920')}"
    page = open_page(browser, app_url, f"{query}&{big}" if query else f"?{big}", viewport)
    boxes = []
    racers = page.get_by_test_id("stButtonGroup").filter(has_text="1. ").locator("button")
    for racer in range(racers.count()):
        racers.nth(racer).click()
        page.wait_for_timeout(1500)
        boxes = page.evaluate(RULE_BOXES)
        assert boxes, f"no update rule shown for racer {racer + 1}"
        # padding aside (2 pixels), every box as wide as its column or narrower
        assert all(scroll <= client + 2 for scroll, client, _, _ in boxes), boxes
        assert all(a[3] <= b[2] for a, b in itertools.pairwise(boxes)), boxes  # stacked
    assert "lookahead" not in query or len(boxes) == 2
    page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_metric_tick_labels_and_titles_do_not_overlap(browser, app_url, viewport):
    page = open_page(browser, app_url, "", viewport)
    labels = page.evaluate(
        """() => {
            const div = [...document.querySelectorAll('.js-plotly-plot')]
                .find(d => d.layout && d.layout.yaxis4);
            div.scrollIntoView();
            const boxes = (sel) => [...div.querySelectorAll(sel)].map(e => {
                const r = e.getBoundingClientRect(); return [r.x, r.y, r.right, r.bottom];
            });
            return {
                ticks: ['y', 'y2', 'y3', 'y4'].map(a => boxes(`.${a}tick text`)),
                titles: boxes('.annotation-text'),
            };
        }"""
    )
    for ticks in labels["ticks"]:
        assert len(ticks) >= 2
        for i, a in enumerate(ticks):
            assert all(not overlaps(a, b) for b in ticks[i + 1 :])
    titles = labels["titles"]
    for i, a in enumerate(titles):
        assert all(not overlaps(a, b) for b in titles[i + 1 :])
    page.context.close()


def test_a_phone_shows_a_compact_title_the_race_and_every_button(browser, app_url, artifacts):
    page = open_page(browser, app_url, "", "phone")
    title = box(page, "h1")
    assert title[3] - title[1] <= 70  # two short lines at most
    plot = race_box(page, ".nsewdrag")[0]
    assert plot[1] < 844 * 0.75  # the contour on the first screen
    assert page.locator(".modebar-container").first.is_hidden()  # not over the legend
    buttons = race_box(page, ".updatemenu-button")
    assert len(buttons) == 5 and max(b[2] for b in buttons) <= 390
    page.screenshot(path=str(artifacts / "layout-phone.png"))
    page.context.close()


def test_projector_mode_enlarges_the_page_and_keeps_the_controls_apart(browser, app_url, artifacts):
    def sizes(page):
        return page.evaluate(
            """() => Object.fromEntries([
                ['title', 'h1'], ['heading', '[data-testid=stMain] h3'],
                ['text', '[data-testid=stCaptionContainer]'], ['equation', '.katex'],
                ['table', '[data-testid=stTable] td'],
            ].map(([k, s]) => [k, parseFloat(getComputedStyle(document.querySelector(s)).fontSize)]))"""
        )

    normal = open_page(browser, app_url, "", "1366")
    small = sizes(normal)
    normal.context.close()
    page = open_page(browser, app_url, "?big=1", "1366")
    large = sizes(page)
    for part, size in small.items():
        assert large[part] >= 1.5 * size - 0.1, part
    title = race_box(page, ".xtitle")[0]
    ticks = race_box(page, ".xtick text")
    buttons = race_box(page, ".updatemenu-button")
    slider = race_box(page, ".slider-rail-rect")
    for b in buttons:
        assert not overlaps(title, b) and all(not overlaps(t, b) for t in ticks)
        assert b[3] <= slider[0][1]
    page.screenshot(path=str(artifacts / "projector-1366.png"), full_page=True)
    page.context.close()


def data_to_pixels(page, x, y):
    plot = race_box(page, ".nsewdrag")[0]
    (xmin, xmax), (ymin, ymax) = view_box(surface_of(S.default_scene().surface))
    return (
        plot[0] + (x - xmin) / (xmax - xmin) * (plot[2] - plot[0]),
        plot[1] + (ymax - y) / (ymax - ymin) * (plot[3] - plot[1]),
    )


def start_of(page):
    query = {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}
    return [float(v) for v in query["start"].split(",")]


@pytest.mark.parametrize("viewport", ["1366", "phone"])
def test_a_click_or_tap_on_a_path_starts_the_race_right_there(
    browser, app_url, artifacts, viewport
):
    page = open_page(browser, app_url, "?steps=300", viewport)
    path = page.evaluate(
        f"() => {{ const d = ({RACE})(); const t = d._fullData.find(t => t.mode === 'lines');"
        " return [t.x[150], t.y[150]]; }"
    )
    before = start_of(page)
    px, py = data_to_pixels(page, *path)
    page.touchscreen.tap(px, py) if viewport == "phone" else page.mouse.click(px, py)
    page.wait_for_function(
        "(before) => new URLSearchParams(location.search).get('start') !== before",
        arg=",".join(f"{v:g}" for v in before),
        timeout=60_000,
    )
    page.wait_for_timeout(1000)
    # on the path itself, not snapped to a coarse grid: within 1/100 of the 4-wide view
    assert start_of(page) == [pytest.approx(path[0], abs=0.04), pytest.approx(path[1], abs=0.04)]
    page.screenshot(path=str(artifacts / f"path-click-{viewport}.png"))
    page.context.close()


@pytest.mark.parametrize("viewport", ["1366", "1920"])
def test_the_3d_view_fits_its_tick_labels_and_says_its_heads_stay(
    browser, app_url, artifacts, viewport
):
    page = open_page(browser, app_url, "?3d=1", viewport)
    page.wait_for_selector(".js-plotly-plot .gl-container", state="attached", timeout=LOAD)
    chart = page.locator(".js-plotly-plot").filter(has_text="Full paths only")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    assert "heads move in the race chart" in chart.locator(".g-gtitle").text_content()
    picture = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("L"))
    (artifacts / f"3d-{viewport}.png").write_bytes(chart.screenshot())
    # the axes' tick labels are drawn in WebGL: a label cut by the chart's edge leaves
    # dark pixels on the edge; the title is the only text along the top
    edges = [picture[-3:], picture[:, :3], picture[:, -3:]]
    assert all(edge.min() > 160 for edge in edges)
    page.context.close()
