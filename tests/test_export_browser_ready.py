"""The export browser's first picture waits for kaleido's page to have run its scripts.

On a busy machine kaleido 1.5 can hand out its tab while it holds the JavaScript context
of its freshly committed page but plotly.js and kaleido's own script have not run yet (it
took a stale load event for the page's). These tests put the tab in exactly that state,
by holding the page's request for plotly.js (DevTools' Fetch domain), and check that the
wait holds the picture until the scripts ran, then draws it.
"""

import asyncio
import time

import pytest

from export.browser import Browser, _kaleido_page_ready

pytestmark = pytest.mark.browser
BLANK = {"data": [], "layout": {"width": 60, "height": 40}}


async def _reload_held_before_its_scripts(kaleido):
    """Reload kaleido's tab holding its request for plotly.js; point kaleido at the new
    page's context, as its own navigation does at commit. Returns the tab, a coroutine
    function that lets the request go, and what ``typeof kaleido_scopes`` is meanwhile."""
    tab = await kaleido.tabs_ready.get()
    try:
        await tab.tab.send_command(
            "Fetch.enable", params={"patterns": [{"urlPattern": "*plotly*"}]}
        )
        created = tab.tab.subscribe_once("Runtime.executionContextCreated")
        held = tab.tab.subscribe_once("Fetch.requestPaused")
        await tab.tab.send_command("Page.reload")
        tab._current_js_id = (await created)["params"]["context"]["id"]
        request = (await held)["params"]["requestId"]
        reply = await tab.tab.send_command(
            "Runtime.evaluate",
            params={"expression": "typeof kaleido_scopes", "contextId": tab._current_js_id},
        )

        async def release():
            await tab.tab.send_command("Fetch.continueRequest", params={"requestId": request})
            await tab.tab.send_command("Fetch.disable")

        return tab, release, reply["result"]["result"]["value"]
    finally:
        kaleido.tabs_ready.put_nowait(tab)


def test_the_first_picture_waits_until_kaleidos_scripts_ran():
    with Browser() as browser:
        kaleido = browser._kaleido
        _, release, before = browser._run(_reload_held_before_its_scripts(kaleido))
        assert before == "undefined"  # the state CI met: a picture now fails

        ready = asyncio.run_coroutine_threadsafe(_kaleido_page_ready(kaleido), browser._loop)
        time.sleep(0.5)
        assert not ready.done()  # plotly.js is still held

        browser._run(release())
        ready.result(timeout=60)
        assert browser.still(BLANK, "png", 60, 40, 1).startswith(b"\x89PNG")


def test_a_tab_whose_context_is_gone_is_reloaded_before_the_first_picture():
    with Browser() as browser:
        kaleido = browser._kaleido
        tab, release, _ = browser._run(_reload_held_before_its_scripts(kaleido))
        browser._run(release())
        tab._current_js_id = 10**6  # no such context

        browser._run(_kaleido_page_ready(kaleido))
        assert tab._current_js_id != 10**6
        assert browser.still(BLANK, "png", 60, 40, 1).startswith(b"\x89PNG")
