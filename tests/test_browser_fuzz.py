"""Random student sessions in a real browser: nothing a class clicks breaks the app.

A session is a list of actions, each plain data (what a student touches, found by its
label): keys on a slider's thumb, an option of a selectbox, the +/- of a number input,
typed text, a toggle, a racer button, a click on the race chart or the sweep, the play
buttons, the path style (whole or growing paths). After every action the test waits for the script run to finish and asserts: no
exception box, the race chart present, no error in the browser console.

The fuzzer draws actions at random from the widgets on screen (a fixed seed and a bounded
number of steps per viewport in CI; ``GRADSCAPE_FUZZ_SEED`` and ``GRADSCAPE_FUZZ_STEPS``
run others). A failure prints the seed and the action log, a list that ``replay`` runs
again exactly; every sequence it ever found is kept below as a plain regression test.

AppTest cannot find these bugs: it sends each widget's current value afresh, while the
browser sends back the option label it displayed (issue 11).
"""

import os
import pprint
import random
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import optimizers
import scene as S

pytestmark = pytest.mark.browser

SEED = int(os.environ.get("GRADSCAPE_FUZZ_SEED", "11"))
STEPS = int(os.environ.get("GRADSCAPE_FUZZ_STEPS", "25"))

LOAD = 600_000  # ms; the first page of a server may wait for the engine to compile
RUN = 120_000  # ms; one script run (a basin map or a sweep of the caps' size included)
QUIET = 1_500  # ms without a run starting after which an action is taken to change nothing

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)
VIEWPORTS = {
    "1366x768": {"viewport": {"width": 1366, "height": 768}},
    "1920x1080": {"viewport": {"width": 1920, "height": 1080}},
    "390x844": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": PHONE_AGENT,
    },
}

# Console errors and uncaught page errors (as Session records them: "console.error: ...",
# "pageerror: ...") that are not the app's and that a student cannot avoid; each exact
# text with the reason it is allowed. (None so far.)
ALLOWED_CONSOLE = frozenset()

# Counts the script runs the page has seen: a run started after an action is the one
# that action caused (a counter is not fooled by runs that end between two polls).
COUNT_RUNS = """
window.__gradscapeRuns = 0;
new MutationObserver(changes => {
    for (const change of changes)
        if (change.target.getAttribute('data-test-script-state') === 'running')
            window.__gradscapeRuns++;
}).observe(document, {subtree: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
"""
IDLE = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && !document.querySelector('[data-stale=true]')
        // widgets whose code is still loading show a skeleton
        && !document.querySelector('[data-testid^=stSkeleton], [data-testid=stAppSkeleton]');
}"""
RACE = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => d.layout && d.layout.images && d.layout.images.length) || null"""

# What a student touches, by Streamlit test id, with how often the fuzzer picks each kind.
KINDS = {
    "slider": ("stSlider", 4),
    "select": ("stSelectbox", 4),
    "number": ("stNumberInput", 3),
    "type": ("stNumberInput stTextInput", 1.5),
    "check": ("stCheckbox", 2),
    "segment": ("stButtonGroup", 2),
    "radio": ("stRadio", 1),
    "button": ("stButton", 0.3),
    "expander": ("stExpander", 0.5),
    "chart": (None, 1.5),
    "sweep": (None, 1),
    "play": (None, 1.5),
    "inspect": ("stSelectbox", 1),  # the inspector's racer, more often than any one select
    "scrub": (None, 1),
    "paths": (None, 1),  # the path style (a radio, drawn as such): growing paths play too
}
INSPECT_LABEL = "Inspect the steps of"
PATHS_LABEL, PATH_STYLES = "Paths", ("whole", "growing")
NOT_TOUCHED = {"Render"}  # the export starts Chromium processes in the server: not a click
# the language: the fuzz reads the English labels (tests/test_browser.py switches it)
NOT_TOUCHED.add("Language · 语言")
SLIDER_KEYS = ("ArrowLeft", "ArrowRight", "ArrowLeft", "ArrowRight", "Home", "End")
FORMULAS = (
    "x^2 + 3*y^2",
    "sin(3*x)*cos(3*y) + 0.1*(x^2 + y^2)",
    "x^2 - y^2 + 0.1*y^4",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x^2 +",
    "__import__('os')",
    "x <= y",
    "",
)

WIDGETS = """kinds => {
    const out = [];
    for (const kind of kinds) {
        const seen = {};
        for (const el of document.querySelectorAll(`[data-testid=${kind}]`)) {
            const label = kind === 'stExpander' ? el.querySelector('summary')
                : el.querySelector('[data-testid=stWidgetLabel]') || el;
            // the text after an icon's name ("tune\\n\\nAuto-tune"), even when hidden
            const text = (label.innerText || label.textContent).trim().split('\\n').pop();
            const nth = seen[text] = (seen[text] ?? -1) + 1;
            const box = el.getBoundingClientRect();
            // the +/- a number input shows (none when it is narrow; greyed at a limit)
            const signs = [['+', 'Up'], ['-', 'Down']].filter(([, way]) => {
                const button = el.querySelector(`[data-testid=stNumberInputStep${way}]`);
                return button && !button.disabled;
            }).map(([sign]) => sign);
            out.push({kind, label: text, nth, signs,
                      sidebar: !!el.closest('[data-testid=stSidebar]'),
                      shown: el.checkVisibility({visibilityProperty: true})
                             && box.width > 0 && box.height > 0});
        }
    }
    return out;
}"""


def query_of(url):
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


class Session:
    """One student's tab at one viewport: actions, waits and the checks after each."""

    def __init__(self, browser, url, viewport, artifacts):
        self.context = browser.new_context(**VIEWPORTS[viewport])
        self.page = self.context.new_page()
        self.page.add_init_script(COUNT_RUNS)
        self.viewport, self.url, self.artifacts = viewport, url, artifacts
        self.phone = VIEWPORTS[viewport].get("has_touch", False)
        self.errors, self.log = [], []
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)

    def _console(self, message):
        if message.type == "error":
            self._error(f"console.error: {message.text}")

    def _page_error(self, error):
        self._error(f"pageerror: {error.message}" + (f"\n{error.stack}" if error.stack else ""))

    def _error(self, text):
        if text not in ALLOWED_CONSOLE:
            self.errors.append(text)

    def open(self, query=""):
        self.page.goto(self.url + query)
        self.page.wait_for_function(RACE, timeout=LOAD)
        self.page.wait_for_function(IDLE, timeout=LOAD)
        self.check("open " + (query or "(default scene)"))

    def close(self):
        self.context.close()

    # ------------------------------------------------------------ waiting and checking

    def runs(self):
        return self.page.evaluate("window.__gradscapeRuns")

    def settle(self, runs_before):
        """Wait for the run the last action started (if any) to finish and be drawn."""
        try:
            self.page.wait_for_function(
                "n => window.__gradscapeRuns > n", arg=runs_before, timeout=QUIET
            )
        except PlaywrightTimeout:
            pass  # no run started: the action changed nothing the script reads
        try:
            self.page.wait_for_function(IDLE, timeout=RUN)
        except PlaywrightTimeout:
            self.fail(f"the script run did not finish within {RUN / 1000:.0f} s")

    def check(self, what):
        boxes = self.page.locator("[data-testid=stException]")
        if boxes.count():
            self.fail(f"exception box after {what}:\n{boxes.first.inner_text()}")
        try:
            self.page.wait_for_function(RACE, timeout=30_000)
        except PlaywrightTimeout:
            self.fail(f"no race chart after {what}")
        if self.errors:
            self.fail(f"browser console after {what}:\n" + "\n".join(self.errors))

    def fail(self, message):
        name = f"fuzz-failure-{self.viewport}.png"
        self.page.screenshot(path=str(self.artifacts / name), full_page=True)
        pytest.fail(
            f"{message}\n\nviewport {self.viewport}, seed {SEED}; screenshot "
            f"tmp/artifacts/{name}; replay with\n"
            f"with replay(browser, app_url, artifacts, {self.viewport!r}, "
            f"{pprint.pformat(self.log, width=90)}): ...",
            pytrace=False,
        )

    def do(self, action):
        """Perform ``action``, wait for its run, check the page."""
        self.log.append(action)
        before = self.runs()
        try:
            PERFORM[action[0]](self, *action[1:])
        except PlaywrightError as error:
            self.fail(f"could not perform {action}: {error.message[:1500]}")
        self.settle(before)
        self.check(f"step {len(self.log)} {action}")

    # ------------------------------------------------------------ finding things

    def widget(self, testids, label, nth):
        """The ``nth`` widget of one of ``testids`` labelled ``label`` (a Locator)."""
        listed = self.widgets(testids.split())
        found = [w for w in listed if w["label"] == label]
        if len(found) <= nth:
            self.fail(f"no widget {label!r} (#{nth}) among {testids}")
        target = found[nth]
        index = [w for w in listed if w["kind"] == target["kind"]].index(target)
        self.show_sidebar(target["sidebar"])
        return self.page.locator(f"[data-testid={target['kind']}]").nth(index)

    def widgets(self, testids):
        return self.page.evaluate(WIDGETS, testids)

    def show_sidebar(self, wanted):
        """Open the sidebar for a widget in it; on a phone, where it covers the page,
        close it for one outside it."""
        sidebar = self.page.locator("[data-testid=stSidebar]")
        if not sidebar.count():
            return
        shown = sidebar.get_attribute("data-collapsed") == "false"
        if wanted and not shown:
            self.page.locator("[data-testid=stExpandSidebarButton]").click()
        elif not wanted and shown and self.phone:
            self.page.locator("[data-testid=stSidebarCollapseButton] button").click()
        else:
            return
        self.page.wait_for_function(
            "want => document.querySelector('[data-testid=stSidebar]')"
            ".getAttribute('data-collapsed') === String(!want)",
            arg=wanted,
        )
        self.page.wait_for_timeout(400)  # the sidebar slides in or out

    def race_area(self):
        return self.chart_area(RACE)

    def chart_area(self, finder):
        return self.page.evaluate(
            f"""() => {{
                const div = ({finder})();
                if (!div) return null;
                div.scrollIntoView({{block: 'center'}});
                const r = div.querySelector('.nsewdrag').getBoundingClientRect();
                return [r.x, r.y, r.width, r.height];
            }}"""
        )

    def click_at(self, area, fx, fy):
        x, y = area[0] + fx * area[2], area[1] + fy * area[3]
        if self.phone:
            self.page.touchscreen.tap(x, y)
        else:
            self.page.mouse.click(x, y)


TOP = """() => {
    const scrolled = '[data-testid=stMain], [data-testid=stAppViewContainer], '
        + '[data-testid=stSidebarContent]';
    for (const el of [document.scrollingElement, ...document.querySelectorAll(scrolled)])
        el.scrollTo(0, 0);
}"""
SWEEP = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => d.data && d.data[0] && d.data[0].name === 'sweep') || null"""


# ---------------------------------------------------------------- the actions


def press_slider(session, label, nth, key):
    thumb = session.widget("stSlider", label, nth).locator("input[type=range]")
    thumb.focus()
    thumb.press(key)


def pick_option(session, label, nth, option):
    box = session.widget("stSelectbox", label, nth)
    open_listbox(session, box)
    pattern = re.compile(f"^{re.escape(option)}$")
    session.page.locator("[role=listbox] [role=option]").filter(has_text=pattern).first.click()


def open_listbox(session, box):
    """Open a selectbox's list of options. A click that lands while the page is still
    settling after a run can be lost: retried until the list shows."""
    listbox = session.page.locator("[role=listbox] [role=option]").first
    for _ in range(5):
        if box.locator("input").get_attribute("aria-expanded") != "true":
            box.locator("button[aria-label=Open]").click()
        try:
            listbox.wait_for(timeout=2_000)
            return
        except PlaywrightTimeout:
            continue
    session.fail("a selectbox's options did not open")


def step_number(session, label, nth, sign):
    button = "stNumberInputStepUp" if sign == "+" else "stNumberInputStepDown"
    session.widget("stNumberInput", label, nth).locator(f"[data-testid={button}]").click()


def type_text(session, label, nth, text):
    field = session.widget("stNumberInput stTextInput", label, nth).locator("input")
    field.fill(text)
    field.press("Enter")


def toggle(session, label, nth):
    session.widget("stCheckbox", label, nth).locator("label").first.click()


def press_segment(session, label, nth, index):
    session.widget("stButtonGroup", label, nth).locator("button").nth(index).click()


def pick_radio(session, label, nth, option):
    pattern = re.compile(f"^{re.escape(option)}$")
    radio = session.widget("stRadio", label, nth)
    radio.locator("[role=radiogroup] label").filter(has_text=pattern).first.click()


def press_button(session, label, nth):
    session.widget("stButton", label, nth).locator("button").click()


def flip_expander(session, label, nth):
    session.widget("stExpander", label, nth).locator("summary").click()


def click_race(session, fx, fy):
    session.show_sidebar(False)
    session.click_at(session.race_area(), fx, fy)


# The step the scrubber shows, and the step the inspector's panel shows (null: no panel).
SCRUBBED = """() => {
    const chart = document.querySelector('.st-key-race .js-plotly-plot');
    const slider = chart._fullLayout.sliders[0];
    const panel = document.querySelector('.gs-inspect');
    return [slider.steps[slider.active].label, panel ? panel.dataset.step : null];
}"""


def scrub_race(session, share):
    """Drag the race's scrubber to ``share`` of its rail; the inspector's numbers, when
    shown, must then be those of the step the scrubber shows."""
    session.show_sidebar(False)
    session.race_area()  # scrolls the chart into view
    rail = session.page.locator(".st-key-race .slider-rail-rect").bounding_box()
    grip = session.page.locator(".st-key-race .slider-grip-rect").bounding_box()
    session.page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    session.page.mouse.down()
    x = rail["x"] + share * rail["width"]
    session.page.mouse.move(x, rail["y"] + rail["height"] / 2, steps=6)
    session.page.mouse.up()
    try:
        session.page.wait_for_function(
            f"() => {{ const [s, p] = ({SCRUBBED})(); return p === null || p === s; }}",
            timeout=10_000,
        )
    except PlaywrightTimeout:
        session.fail(
            f"the inspector does not show the scrubbed step: {session.page.evaluate(SCRUBBED)}"
        )


def click_sweep(session, fx, fy):
    session.show_sidebar(False)
    area = session.chart_area(SWEEP)
    if area is None:
        session.fail("no sweep chart to click")
    session.click_at(area, fx, fy)


def press_play(session, text):
    """Click a play button of the race chart (plotly's updatemenu buttons)."""
    session.show_sidebar(False)
    session.race_area()  # scrolls the chart into view
    buttons = session.page.locator(".js-plotly-plot .updatemenu-button")
    for i in range(buttons.count()):
        if buttons.nth(i).text_content() == text:
            box = buttons.nth(i).bounding_box()
            session.click_at([box["x"], box["y"], box["width"], box["height"]], 0.5, 0.5)
            return
    session.fail(f"no play button {text!r}")


PERFORM = {
    "slider": press_slider,
    "select": pick_option,
    "number": step_number,
    "type": type_text,
    "check": toggle,
    "segment": press_segment,
    "radio": pick_radio,
    "button": press_button,
    "expander": flip_expander,
    "chart": click_race,
    "sweep": click_sweep,
    "play": press_play,
    "inspect": pick_option,
    "scrub": scrub_race,
}


# ---------------------------------------------------------------- drawing actions


def draw_action(session, rng):
    """A random action among the widgets and charts on the page now."""
    widgets = session.widgets(sorted({t for t, _ in KINDS.values() if t for t in t.split()}))
    # on a phone the collapsed sidebar's widgets count: the student opens it
    widgets = [w for w in widgets if (w["shown"] or w["sidebar"]) and w["label"] not in NOT_TOUCHED]
    kinds = [k for k, (t, _) in KINDS.items() if t is None or candidates(k, widgets)]
    if session.page.evaluate(SWEEP) is None:
        kinds.remove("sweep")
    kind = rng.choices(kinds, [KINDS[k][1] for k in kinds])[0]
    if kind in ("chart", "sweep"):
        return (kind, round(rng.uniform(0.02, 0.98), 3), round(rng.uniform(0.02, 0.98), 3))
    if kind == "play":
        return ("play", rng.choice(["▶ slow", "▶ play", "▶ fast", "❚❚", "↺"]))
    if kind == "scrub":
        return ("scrub", round(rng.uniform(0.0, 1.0), 3))
    if kind == "paths":
        return ("radio", PATHS_LABEL, 0, rng.choice(PATH_STYLES))
    w = rng.choice(candidates(kind, widgets))
    target = (kind, w["label"], w["nth"])
    if kind == "slider":
        return (*target, rng.choice(SLIDER_KEYS))
    if kind == "number":
        return (*target, rng.choice(w["signs"]))
    if kind == "type":
        return (*target, typed_value(session, w, rng))
    if kind in ("select", "inspect"):
        box = session.widget("stSelectbox", w["label"], w["nth"])
        open_listbox(session, box)
        options = session.page.locator("[role=listbox] [role=option]").all_inner_texts()
        return (*target, rng.choice(options).strip())
    if kind == "segment":
        count = session.widget("stButtonGroup", w["label"], w["nth"]).locator("button").count()
        return (*target, rng.randrange(count))
    if kind == "radio":
        radio = session.widget("stRadio", w["label"], w["nth"])
        return (
            *target,
            rng.choice(radio.locator("[role=radiogroup] label").all_inner_texts()).strip(),
        )
    return target


def candidates(kind, widgets):
    """The widgets an action of ``kind`` can touch (a number input's +/- when shown)."""
    testids = KINDS[kind][0].split()
    found = [w for w in widgets if w["kind"] in testids and (kind != "number" or w["signs"])]
    return [w for w in found if w["label"] == INSPECT_LABEL] if kind == "inspect" else found


def typed_value(session, w, rng):
    if w["kind"] == "stTextInput":
        if w["label"].startswith("f(x, y)"):
            return rng.choice(FORMULAS)
        return rng.choice(["10, 20", "5", "a, 3", ""])
    field = session.widget("stNumberInput", w["label"], w["nth"]).locator("input")
    value = float(field.input_value() or 0)
    bounds = [field.get_attribute("min"), field.get_attribute("max")]
    choices = [value * 2, value / 2, -value, 0] + [float(b) for b in bounds if b]
    return f"{rng.choice(choices):.6g}"


# Where a session starts: the default scene, or a surface made from data in mini-batches
# (its batch-size slider and data chart then on screen to be touched).
START_PAGES = (
    "",
    "?surface=linreg&batch=8",
    "?surface=logreg&batch=32",
    "?surface=mlp_slice&batch=16",
)


def fuzz(browser, app_url, artifacts, viewport, seed, steps):
    rng = random.Random(f"{seed}-{viewport}")
    session = Session(browser, app_url, viewport, artifacts)
    try:
        session.open(rng.choice(START_PAGES))
        for _ in range(steps):
            try:
                action = draw_action(session, rng)
            except PlaywrightError as error:
                session.fail(f"could not draw an action: {error.message[:1500]}")
            session.do(action)
        session.show_sidebar(False)
        session.page.wait_for_timeout(1000)
        session.check("the last step")
        session.page.evaluate(TOP)  # the screenshot shows the top of the page the student left
        session.page.wait_for_timeout(500)
        session.page.screenshot(path=str(artifacts / f"fuzz-{viewport}.png"))
        return session.log
    finally:
        session.close()


@contextmanager
def replay(browser, app_url, artifacts, viewport, actions, query=""):
    """A session that ran ``actions`` (a fuzzer's log) again, checking after each."""
    session = Session(browser, app_url, viewport, artifacts)
    try:
        session.open(query)
        for action in actions:
            session.do(tuple(action))
        yield session
    finally:
        session.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_random_student_sessions_break_nothing(browser, app_url, artifacts, viewport):
    fuzz(browser, app_url, artifacts, viewport, SEED, STEPS)


# ---------------------------------------------------------------- the crash of issue 11


def race_legend(page):
    return page.evaluate(
        f"""() => {{
            const div = ({RACE})();
            return {{names: div.data.filter(t => t.mode === 'lines').map(t => t.name),
                     frames: (div._transitionData._frames || []).length}};
        }}"""
    )


def racer_of(url, index):
    name, *pairs = query_of(url)[f"o{index + 1}"].split(",")
    return name, dict(pair.split(":") for pair in pairs)


def test_racer_1_lr_two_notches_then_steps(browser, app_url, artifacts):
    with replay(browser, app_url, artifacts, "1366x768", []) as session:
        lr = ("slider", "γ · lr (log scale)", 0)
        session.do((*lr, "ArrowRight"))  # 0.001 -> 0.002
        assert racer_of(session.page.url, 0)[1]["lr"] == "0.002"
        assert race_legend(session.page)["names"][0] == "1. SGD + momentum (lr 0.002)"
        session.do((*lr, "ArrowRight"))  # 0.002 -> 0.005
        session.do(("number", f"Steps (1 to {S.MAX_STEPS})", 0, "+"))
        steps = S.default_scene().steps + 1
        assert query_of(session.page.url)["steps"] == str(steps)
        assert racer_of(session.page.url, 0)[1]["lr"] == "0.005"
        legend = race_legend(session.page)
        assert legend["names"][0] == "1. SGD + momentum (lr 0.005)"
        assert legend["frames"] == steps + 1


def test_racer_1_optimizer_changed_twice(browser, app_url, artifacts):
    with replay(browser, app_url, artifacts, "1366x768", []) as session:
        for name in ("adam", "rmsprop"):
            session.do(("select", "Optimizer", 0, optimizers.spec(name).title))
            racer, hyper = racer_of(session.page.url, 0)
            assert racer == name
            label = f"1. {optimizers.spec(name).title} (lr {float(hyper['lr']):g})"
            assert race_legend(session.page)["names"][0] == label


def test_two_clicks_on_sweep_cells(browser, app_url, artifacts):
    query = "?surface=himmelblau&steps=150&sweep=momentum"
    with replay(browser, app_url, artifacts, "1366x768", [], query) as session:
        loaded = []
        for fx in (0.45, 0.8):
            session.do(("sweep", fx, 0.5))
            loaded.append(racer_of(session.page.url, 0)[1])
        # the log lr axis runs 1e-4..1: the cells' lrs are about 10^-2.2 and 10^-0.8
        assert 10**-2.6 < float(loaded[0]["lr"]) < 10**-1.8
        assert 10**-1.2 < float(loaded[1]["lr"]) < 10**-0.4
        assert all(0.4 < float(racer["momentum"]) < 0.6 for racer in loaded)


# ---------------------------------------------------------------- sequences the fuzzer found

# name: (viewport, query of the first page, actions); each failed when found (the
# comment says what it showed and when it was found)
FOUND = {
    # TypeError '>=' between 'str' and 'int' at viz/landscape_ui.py controls (the basin-map racer
    # box labelled racers with their lr): the fuzzer's first find, seed 11, 2026-12-02
    "lr-notch-then-chart-click": (
        "1366x768",
        "",
        [("slider", "γ · lr (log scale)", 0, "ArrowRight"), ("chart", 0.782, 0.069)],
    ),
    # an uncaught promise rejection ("pageerror: undefined": Plotly.animate rejects when
    # a new animation interrupts one that is playing); seed 11 on the phone, 2026-12-02
    "play-while-playing": ("1366x768", "", [("play", "▶ fast"), ("play", "▶ play")]),
    # "pageerror: Cannot read properties of undefined (reading 'selectAll')" from plotly's
    # click handler: a click on the race chart while it plays; seed 4 at 1920x1080
    "click-while-playing": ("1366x768", "", [("play", "▶ play"), ("chart", 0.613, 0.686)]),
    # console.error 'Error: <text> attribute y: Expected length, "-Infinity".' on opening
    # the default scene on a phone (a chart drawn in the collapsed sidebar), 2026-12-02
    "phone-opens-the-default-scene": ("390x844", "", []),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_sequences_the_fuzzer_found(browser, app_url, artifacts, name):
    viewport, query, actions = FOUND[name]
    with replay(browser, app_url, artifacts, viewport, actions, query) as session:
        session.page.wait_for_timeout(3_000)  # a rejected animation or a late redraw reports late
        session.check("the last action")


# growing paths through what a student does with the race: play, pause, a click on the
# contour while it plays, a rerun, the style switched back while playing (phone and desktop)
GROWING = [
    ("radio", "Paths", 0, "growing"),
    ("play", "▶ fast"),
    ("play", "❚❚"),
    ("play", "▶ slow"),
    ("chart", 0.7, 0.3),
    ("play", "▶ play"),
    ("radio", "Paths", 0, "whole"),
    ("play", "↺"),
]


@pytest.mark.parametrize("viewport", ["1366x768", "390x844"])
def test_growing_paths_while_playing_break_nothing(browser, app_url, artifacts, viewport):
    with replay(browser, app_url, artifacts, viewport, GROWING, "?steps=150") as session:
        session.page.wait_for_timeout(3_000)
        session.check("the last action")
