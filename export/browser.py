"""One headless Chromium for many pictures: stills through kaleido, frames by screenshot.

Kaleido renders a still by loading its page, drawing the figure and reloading the page
(about 0.6 s a picture with the contour). An animation does not need that: the static part
of the race (contour, full paths, markers) is drawn once in one layer, the moving heads in a
transparent layer above it with the same plot area, and each frame only restyles the heads
and takes a screenshot. (Plotly's own ``animate`` cannot be used for this: it wipes the
contour of a subplot whose traces are not in the frame, plotly.js issue 4596.)

The browser runs on an asyncio loop in a background thread, so callers stay synchronous
(Streamlit's script thread, the command line) and progress callbacks run in their thread.
"""

import asyncio
import atexit
import base64
import json
import os
import tempfile
import threading
from pathlib import Path

import kaleido
import plotly
import plotly.io as pio
from kaleido.errors import (
    BrowserClosedError,
    BrowserFailedError,
    ChromeNotFoundError,
    JavascriptError,
    KaleidoError,
)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TIMEOUT = 120  # seconds for one picture

# The frames page. Each layer is its own compositor layer (will-change), so a frame repaints
# only the heads. The contour's shading is an SVG image whose data URL decodes
# asynchronously: setup waits for a decode of the same URL before the first screenshot.
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script src="{plotly}" charset="utf-8"></script>
<style>body {{margin: 0; overflow: hidden}} .layer {{position: absolute; left: 0; top: 0; will-change: transform}}</style>
<script>
const STATIC = {{staticPlot: true}};
function decoded(image) {{
  const copy = new Image();
  copy.src = image.getAttribute("href");
  return copy.decode();
}}
function painted() {{
  return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}}
async function setup(base, heads) {{
  await Plotly.newPlot("base", base.data, base.layout, STATIC);
  await Promise.all([...document.querySelectorAll("#base image")].map(decoded));
  const size = document.getElementById("base")._fullLayout._size;
  heads.layout.margin = {{l: size.l, r: size.r, t: size.t, b: size.b, pad: size.p,
                         autoexpand: false}};
  await Plotly.newPlot("heads", heads.data, heads.layout, STATIC);
  await keepPaths();
  await painted();
}}
// the growing paths (every trace of the heads layer but the last), whole; each frame
// shows their first step + 1 points
let paths = [];
function upTo(values, n) {{
  return values.subarray ? values.subarray(0, n) : values.slice(0, n);
}}
async function keepPaths() {{
  paths = document.getElementById("heads")._fullData.slice(0, -1).map((t) => [t.x, t.y]);
}}
async function show(x, y, text, step) {{
  const xs = paths.map((p) => upTo(p[0], step + 1)), ys = paths.map((p) => upTo(p[1], step + 1));
  await Plotly.update("heads", {{x: [...xs, x], y: [...ys, y]}}, {{"annotations[0].text": text}});
}}
</script></head>
<body><div id="base" class="layer"></div><div id="heads" class="layer"></div></body></html>
"""


async def _until_defined(tab, name, context=None):
    """Wait until the page in ``tab`` has run the script defining ``name``.

    A load event is not proof of that: a tab that starts blank and is then sent to a page
    can report the blank page's load after the navigation began, and on a busy machine that
    comes before the new page's scripts ran. (Seen in CI: the first picture failed with
    "kaleido_scopes is not defined"; reproduced here in 4 first pictures of 40 with the two
    cores oversubscribed.) Evaluates in ``context`` (a Runtime context id) if given, and
    returns False if that context is gone; else in whichever page the tab has now.
    """
    params = {"expression": f"typeof {name}", "returnByValue": True}
    if context is not None:
        params["contextId"] = context
    while True:
        reply = await tab.send_command("Runtime.evaluate", params=params)
        if "error" not in reply:
            if reply["result"]["result"].get("value") != "undefined":
                return True
        elif context is not None:
            return False
        await asyncio.sleep(0.02)


async def _kaleido_page_ready(browser):
    """Hold kaleido's first picture until its page's scripts ran in the context it uses.

    kaleido 1.5 keeps the JavaScript context made when its page commits and then waits for
    a load event, which may be the blank page's (see ``_until_defined``). If that context
    is already gone, kaleido's own reload takes the page's new one.
    """
    tab = await browser.tabs_ready.get()
    try:
        while not await _until_defined(tab.tab, "kaleido_scopes", tab._current_js_id):
            await tab.reload()
    finally:
        browser.tabs_ready.put_nowait(tab)


class BrowserError(RuntimeError):
    """Chromium is missing, failed to start, or failed to draw a picture."""


class Browser:
    """A Chromium session; use as a context manager, or call ``close()``.

    Chromium starts in the background as soon as the session is made, so a caller can
    prepare its figures meanwhile; the first picture waits for it.

    >>> with Browser() as browser:  # doctest: +SKIP
    ...     png = browser.still(figure_dict, "png", 800, 640, 1)
    """

    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="gradscape-browser", daemon=True
        )
        self._thread.start()
        self._folder = tempfile.TemporaryDirectory(prefix="gradscape-export-")
        self._tab = None
        self._lock = threading.Lock()
        self._closed = False
        self._opening = asyncio.run_coroutine_threadsafe(self._open(), self._loop)
        atexit.register(self.close)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def close(self):
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        try:
            self._run(self._kaleido.close())
        except BrowserError:
            pass  # it never started, or is already gone: nothing left to close
        finally:
            self._stop()

    @property
    def _kaleido(self):
        """The kaleido browser, once open (raises BrowserError if it failed to start)."""
        return self._result(self._opening)

    # ------------------------------------------------------------ pictures

    def still(self, figure, fmt, width, height, scale):
        """``fmt`` ("png", "svg" or "pdf") bytes of a plain figure dict, through kaleido."""
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        with self._lock:
            return self._run(self._kaleido.calc_fig(figure, opts=opts))

    def frames(self, base, heads, updates, width, height, scale, progress=None):
        """PNG screenshots of ``heads`` over ``base``, one per ``(x, y, text, step)`` update.

        ``base`` and ``heads`` are figure dicts of one size; ``heads`` has one annotation
        and the heads trace last, which each update moves and relabels; any traces before
        it are growing paths, drawn up to each update's ``step``. ``progress(done,
        total)`` is called after every frame.
        """
        with self._lock:
            self._run(self._setup(self._kaleido, base, heads, width, height, scale))
            shots = []
            for update in updates:
                shots.append(self._run(self._shot(update, width, height)))
                if progress:
                    progress(len(shots), len(updates))
            return shots

    # ------------------------------------------------------------ the loop thread

    def _run(self, coroutine):
        return self._result(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    @staticmethod
    def _result(future):
        try:
            return future.result()
        except (BrowserClosedError, BrowserFailedError) as error:
            raise BrowserError(f"Chromium stopped unexpectedly ({error})") from None
        except (KaleidoError, JavascriptError) as error:
            raise BrowserError(f"Chromium could not draw the figure ({error})") from None
        except TimeoutError:
            raise BrowserError(f"Chromium took longer than {TIMEOUT} s for one picture") from None

    def _stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._folder.cleanup()

    async def _open(self):
        try:
            browser = kaleido.Kaleido(n=1, timeout=TIMEOUT, mathjax=False)
        except ChromeNotFoundError:
            where = os.environ.get("BROWSER_PATH")
            found = f"no browser at BROWSER_PATH={where}" if where else "Chromium was not found"
            raise BrowserError(
                f"{found}: install Chromium (apt-get install -y chromium) "
                "or set BROWSER_PATH to a Chromium or Chrome executable"
            ) from None
        try:
            await browser.open()
            await asyncio.wait_for(_kaleido_page_ready(browser), TIMEOUT)
        except (BrowserFailedError, BrowserClosedError, OSError) as error:
            raise BrowserError(f"Chromium failed to start ({error})") from None
        return browser

    async def _setup(self, browser, base, heads, width, height, scale):
        if self._tab is None:
            await self._open_page(browser)
        metrics = {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False}
        await self._command("Emulation.setDeviceMetricsOverride", metrics)
        figures = (pio.to_json(f, validate=False, engine="json") for f in (base, heads))
        await self._evaluate("setup({}, {})".format(*figures))

    async def _open_page(self, browser):
        page = Path(self._folder.name) / "frames.html"
        page.write_text(_PAGE.format(plotly=PLOTLY_JS.as_uri()), encoding="utf-8")
        self._tab = await browser.create_tab("")
        await self._command("Page.navigate", {"url": page.as_uri()})
        await asyncio.wait_for(_until_defined(self._tab, "setup"), TIMEOUT)

    async def _shot(self, update, width, height):
        await self._evaluate(f"show({', '.join(json.dumps(part) for part in update)})")
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        params = {"format": "png", "clip": clip, "optimizeForSpeed": True}
        result = await self._command("Page.captureScreenshot", params)
        return base64.b64decode(result["data"])

    async def _evaluate(self, expression):
        params = {"expression": expression, "awaitPromise": True, "returnByValue": True}
        result = await self._command("Runtime.evaluate", params)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            message = details.get("exception", {}).get("description", details.get("text"))
            raise BrowserError(f"Chromium could not draw the animation ({message})")
        return result.get("result", {}).get("value")

    async def _command(self, name, params=None):
        response = await asyncio.wait_for(self._tab.send_command(name, params=params), TIMEOUT)
        if "error" in response:
            raise BrowserError(f"Chromium refused {name} ({response['error'].get('message')})")
        return response["result"]
