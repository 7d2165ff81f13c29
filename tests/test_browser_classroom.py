"""Issue 11 in a real browser: what AppTest cannot see (clipboard, Markdown as rendered,
the label the browser sends back)."""

import pytest

pytestmark = pytest.mark.browser

LOAD = 180_000  # ms; the first run may compile the engine


def open_app(browser, url, query="", **context):
    page = browser.new_context(**context).new_page()
    page.goto(url + query)
    page.wait_for_selector(".js-plotly-plot .imagelayer image", state="attached", timeout=LOAD)
    settle(page)
    return page


def settle(page):
    """Wait until the script run that the last action started has finished."""
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=LOAD)
    page.wait_for_timeout(500)


def test_one_click_copies_the_link_and_says_so(browser, app_url, artifacts):
    origin = app_url.rstrip("/")
    page = open_app(browser, app_url, "?steps=40", viewport={"width": 390, "height": 844})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page.locator("button.gs-copy").click()
    page.wait_for_function("() => document.querySelector('.gs-copied').textContent !== ''")
    assert page.locator(".gs-copied").inner_text().startswith("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(origin) and "steps=40" in copied and "o1=momentum" in copied
    page.screenshot(path=str(artifacts / "copied-phone.png"))


def test_a_typed_formula_error_reads_as_typed(browser, app_url, artifacts):
    page = open_app(browser, app_url, "?surface=expression&f=x^2%2By^2")
    field = page.get_by_label("f(x, y) =", exact=True).and_(page.get_by_role("textbox"))
    field.fill("x^2 + 3*y <= __import__")
    field.press("Enter")
    settle(page)
    error = page.locator(
        '[data-testid="stAlertContentError"] [data-testid="stMarkdownContainer"]'
    ).first.inner_text()
    assert error.startswith("x^2 + 3*y <= __import__: comparisons")
    assert "^ (or **)" in error
    assert "f=x" in page.url and "surface=expression" in page.url  # the last valid one
    page.screenshot(path=str(artifacts / "formula-error.png"))


@pytest.mark.parametrize("pause_first", [True, False])
def test_a_click_after_or_during_play_moves_the_start(browser, app_url, artifacts, pause_first):
    """Frames drawn without a redraw left Plotly's click handler throwing: no new start."""
    page = open_app(browser, app_url, "", viewport={"width": 1366, "height": 768})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.get_by_text("▶ play").first.click()
    page.wait_for_timeout(800)
    if pause_first:
        page.get_by_text("❚❚").first.click()
        page.wait_for_timeout(500)
    chart = page.locator(".js-plotly-plot").filter(has=page.locator(".imagelayer image")).first
    box = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + 0.6 * box["width"], box["y"] + 0.7 * box["height"])
    page.wait_for_function("() => !location.search.includes('start=-1.5')", timeout=60_000)
    settle(page)
    assert errors == []
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(artifacts / f"click-after-play-{pause_first}.png"))
