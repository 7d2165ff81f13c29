"""The panels that show a scene: header, share link, the race chart, results, downloads
and the export."""

import base64
import contextlib
import html
import math
import threading
from urllib.parse import urlencode

import streamlit as st
from streamlit import runtime

import i18n
from export.options import PARAMS as EXPORT_PARAMS
from scene.cache import Store
from scene.run import surface_of, view_box
from viz import figures as F
from viz import tables as T

from .controls import surface_key
from .rule_box import top_level_parts
from .step_follow import STEP_SCRIPT
from .widgets import init_key, labelled_choice, param_widget, plain
from .words import data, lang, say, tr


def surface_header(surface):
    """The surface's formula and what it teaches, above the charts. A data surface's long
    formula is set one part a line (a phone's 390 pixels would cut it off)."""
    formula, note = st.columns([3, 2], vertical_alignment="center")
    latex = i18n.algorithm(surface.latex, lang())  # its words ("hidden units") translated
    formula.latex(latex if surface.data is None else stacked(latex))
    note.caption(f"**{data(surface.title)}**: {say(surface.note)}")


def stacked(latex):
    """``latex`` with its top-level parts (separated by ``,\\ ``) one per line, centred."""
    parts = top_level_parts(latex, ",\\ ")
    if len(parts) == 1:
        return latex
    return "\\begin{gathered}" + " \\\\ ".join(p.strip() for p in parts) + "\\end{gathered}"


# One click copies: the Clipboard API where the page is a secure context (https, localhost),
# else a selected text field and the browser's copy command (a class's server on plain http).
# The script binds every copy button it finds, so it survives reruns that redraw the button.
_COPY_SCRIPT = """
<script>
for (const button of document.querySelectorAll("button.gs-copy")) {
  button.onclick = async () => {
    const link = button.dataset.link, status = button.nextElementSibling;
    let copied = false;
    try { await navigator.clipboard.writeText(link); copied = true; } catch (e) {}
    if (!copied) {
      const field = document.createElement("textarea");
      field.value = link; document.body.appendChild(field); field.select();
      try { copied = document.execCommand("copy"); } catch (e) {}
      field.remove();
    }
    status.textContent = copied ? button.dataset.copied : button.dataset.blocked;
  };
}
</script>
"""


SHARE_WORDS = ("button", "tip", "copied", "blocked")


def share_link(query):
    """A button that copies a link to this exact scene in one click or tap, and says so."""
    base = (st.context.url or "").split("?")[0]
    link = html.escape(base + "?" + urlencode(query, safe=",:/"), quote=True)
    words = {name: html.escape(tr(f"share.{name}"), quote=True) for name in SHARE_WORDS}
    st.html(
        f'<div class="gs-share"><button class="gs-copy" data-link="{link}" '
        f'data-copied="{words["copied"]}" data-blocked="{words["blocked"]}" '
        f'title="{words["tip"]}">{words["button"]}</button>'
        '<span class="gs-copied" role="status" aria-live="polite"></span></div>'
        "<style>.gs-share{display:flex;gap:.75em;align-items:center;flex-wrap:wrap}"
        ".gs-copy{font:inherit;padding:.3em .9em;border-radius:.5em;cursor:pointer;"
        "border:1px solid #0072B2;background:#fff;color:#0072B2}"
        ".gs-copy:active{background:#0072B2;color:#fff}.gs-copied{color:#2e7d32}</style>"
        + _COPY_SCRIPT,
        unsafe_allow_javascript=True,
    )


# Three fixes to Plotly's behaviour in the page, installed once:
# - Plotly rejects the promise of an animation that another one interrupts (pause,
#   restart, a faster play, the scrubber) with no reason, and its buttons leave that
#   promise unhandled: an uncaught error in the console on every pause (Plotly's own
#   warning, "API call to Plotly.animate rejected", stays). Those rejections are expected.
# - After frames have played, a click threw in Plotly's click handler and started nothing:
#   a frame drawn without a redraw recomputes every trace's records but draws only the
#   heads, so the other traces' new records lose the link to their drawing that the
#   click's selection styling needs. The drawn groups still hold their old records, which
#   have it: before a press reaches Plotly the link is copied back (``relink``). A press
#   on a chart that is playing is held back: the race pauses, then the press is replayed.
# - On a touch screen Plotly takes the click at the end of a tap, before the browser's
#   emulated mouse move has hovered a point: the first tap only shows the hover, and a
#   second tap starts the race. A mouse move at the touch, sent as the tap begins, lets
#   the first tap select the click target under the finger.
RACE_SCRIPT = """<script>
if (!window.gradscapeRaceScript) {
    window.gradscapeRaceScript = true;
    window.addEventListener("unhandledrejection", (event) => {
        if (event.reason === undefined) event.preventDefault();
    });
    const send = (target, type, x, y) => target.dispatchEvent(new MouseEvent(type, {
        clientX: x, clientY: y, bubbles: true, cancelable: true, view: window,
    }));
    const relink = (chart) => {
        for (const group of chart.querySelectorAll(".scatterlayer .trace")) {
            const old = group.__data__;
            const fresh = old && old[0] && chart.calcdata[old[0].trace.index];
            if (fresh && fresh[0] && !fresh[0].node3) fresh[0].node3 = old[0].node3;
        }
    };
    const pressWhilePlaying = (event, x, y) => {
        const drag = event.target.closest && event.target.closest(".nsewdrag");
        const chart = drag && drag.closest(".js-plotly-plot");
        if (!chart || !chart.calcdata) return false;
        relink(chart);
        if (!chart._transitionData || !chart._transitionData._animationRaf) return false;
        event.stopPropagation();
        event.preventDefault();
        const pause = [...chart.querySelectorAll(".updatemenu-button")]
            .find((button) => button.textContent.trim() === "PAUSE");
        if (pause) send(pause, "click", 0, 0);
        setTimeout(() => send(drag, "mousemove", x, y), 80);
        setTimeout(() => {
            relink(chart);
            send(drag, "mousedown", x, y);
            send(drag, "mouseup", x, y);
        }, 200);
        return true;
    };
    document.addEventListener("mousedown", (event) => {
        if (event.isTrusted) pressWhilePlaying(event, event.clientX, event.clientY);
    }, {capture: true});
    document.addEventListener("touchstart", (event) => {
        const target = event.target;
        if (event.touches.length !== 1 || !target.closest || !target.closest(".nsewdrag")) return;
        const touch = event.touches[0];
        if (!pressWhilePlaying(event, touch.clientX, touch.clientY)) {
            send(target, "mousemove", touch.clientX, touch.clientY);
        }
    }, {capture: true, passive: false});
}
</script>""".replace("PAUSE", F.PAUSE)


def race_chart(figure):
    """The animated race; a click (a tap) on the contour moves the start point there."""
    st.plotly_chart(
        with_contour_url(figure), key="race", on_select=_start_from_click, selection_mode="points"
    )
    st.html(RACE_SCRIPT + STEP_SCRIPT, unsafe_allow_javascript=True)
    st.caption(tr("race.click"))


CONTOUR_PLACE = "gradscape.race.contour"  # the picture's place among the session's media
PREVIOUS_CONTOUR_PLACE = "gradscape.race.previous_contour"
SHOWN_CONTOUR = "race.contour_png"  # session state: the PNG the session's last run showed
DATA_PNG = "data:image/png;base64,"
CONTOUR_PNGS = Store(32)  # a data URI's PNG bytes, by the URI (hashed once)


def with_contour_url(figure):
    """The race with its contour picture (300-600 kB of PNG, the same for every race on a
    surface) as a URL of Streamlit's media files instead of a data URI inside the figure:
    the browser fetches and caches it once per surface, and the websocket no longer
    carries it on every rerun. The file's name is a hash of its content, so every session
    on a surface shares one file; Streamlit keeps it while a session's last run used it.
    The URL is relative (no leading slash): it resolves under a proxy's path prefix too.
    The figure itself keeps its data URI for the export, which draws outside the app.

    The picture the session's last run showed stays one more run when this one shows
    another: the browser fetches a picture after the run that sent it has ended, and when
    a student moves the contour grid twice in quick succession, the second run would drop
    the first picture's file before that fetch (a 404 in the console, seen in Chromium)."""
    layout = figure.plain["layout"]
    image = layout["images"][0]
    png = CONTOUR_PNGS.remember(
        image["source"], lambda: base64.b64decode(image["source"].removeprefix(DATA_PNG))
    )
    media = runtime.get_instance().media_file_mgr
    url = media.add(png, "image/png", CONTOUR_PLACE)
    shown = st.session_state.get(SHOWN_CONTOUR)
    if shown is not None and shown != png:
        media.add(shown, "image/png", PREVIOUS_CONTOUR_PLACE)
    st.session_state[SHOWN_CONTOUR] = png
    served = {**layout, "images": [{**image, "source": url.lstrip("/")}]}
    return F.PlainFigure(figure.plain["data"], served, figure.plain["frames"])


def _start_from_click():
    points = [p for p in st.session_state.race.selection.points if "x" in p and "y" in p]
    if not points:
        return
    surface = surface_of(st.session_state.scene.surface)
    box = view_box(surface)
    (xmin, xmax), (ymin, ymax) = box
    digits = F.decimals(box)  # the click targets are float32: round off their noise
    x = round(min(max(float(points[0]["x"]), xmin), xmax), digits)
    y = round(min(max(float(points[0]["y"]), ymin), ymax), digits)
    name = surface_key(surface)
    st.session_state[f"start.{name}.x"], st.session_state[f"start.{name}.y"] = x, y


def results_table(table):
    """The results as a static table, numbers to 4 significant digits (the CSVs carry
    every digit) and "-" where a racer has no value.

    A static table wraps its headers and cells to the width it is given, so every column
    shows beside the race at 1366 pixels (an interactive grid scrolls sideways there), and
    its text follows the page's font size in projector mode.
    """
    st.table(table.map(_table_cell))


def _table_cell(value):
    """A cell's text as written: ``st.table`` reads cells as Markdown, where "-" is a
    bullet and "1. SGD" a numbered list."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = "-"
    else:
        text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return plain(text)


# Projector mode: Streamlit's text sizes (14 px text, 32 px title, 28 px subheaders,
# 20 px sidebar headers, equations at 1.21 em) times 1.5. Layout sizes stay (a root font
# 1.5 times larger would widen every padding and squeeze the charts).
LARGE_FONT_CSS = """<style>
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] p,
[data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stTable"] td *,
input, textarea, [data-baseweb="select"] div, button p, .gs-copy, .gs-copied {
    font-size: 1.3125rem !important;
}
[data-testid="stMain"] h1 { font-size: 3rem !important; }
[data-testid="stMain"] h3 { font-size: 2.625rem !important; }
[data-testid="stSidebar"] h2 { font-size: 1.875rem !important; }
.katex { font-size: 1.815em !important; }
</style>"""


def large_font_css():
    """Projector mode for the page's text (``LARGE_FONT_CSS``); the charts enlarge their
    own fonts (``figures.font_size``)."""
    st.html(LARGE_FONT_CSS)


EVERY_RACER = -1  # the CSV choice of one file with every racer's rows


def download_trajectories(trajectories, labels):
    """A trajectory as CSV: one racer's, or every racer's in one file (one choice and one
    button rather than a button per racer: each widget costs rerun time)."""
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        which = labelled_choice(
            st.selectbox,
            tr("csv.label"),
            [EVERY_RACER, *range(1, len(labels) + 1)],
            "csv.which",
            [tr("csv.every"), *labels],
        )
    if which == EVERY_RACER:
        data, name = (lambda: T.trajectories_csv(trajectories, labels)), "trajectories"
    else:
        traj = trajectories[which - 1]
        data, name = (lambda: T.trajectory_csv(traj)), f"{which}-{traj.optimizer}"
    right.download_button(
        tr("csv.download"),
        data=data,
        file_name=f"gradscape-{name}.csv",
        mime="text/csv",
        key="csv",
        on_click="ignore",
        icon=":material/download:",
    )


EXPORT_FORMATS = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "gif": "image/gif",
    "mp4": "video/mp4",
}


class IdleBrowser:
    """One Chromium for the whole server, shared by the sessions' exports (it draws one at
    a time), started by the first export and closed ``idle`` seconds after the last one
    ended: a served app does not keep Chromium's processes (about 0.5 GB) between exports.

    ``make()`` starts a browser (``export.browser.Browser`` unless a test gives its own).
    """

    def __init__(self, idle, make=None):
        self._idle, self._make = idle, make
        self._lock, self._browser, self._users, self._timer = threading.Lock(), None, 0, None

    @contextlib.contextmanager
    def use(self):
        """The shared browser for the duration of one export."""
        with self._lock:
            if self._browser is None:
                self._browser = self._start()
            self._users += 1
            self._timer = None  # a pending close sees it is no longer the latest
            browser = self._browser
        try:
            yield browser
        finally:
            with self._lock:
                self._users -= 1
                if not self._users:
                    timer = threading.Timer(self._idle, lambda: self._close(timer))
                    timer.daemon = True
                    self._timer = timer
                    timer.start()

    @property
    def running(self):
        with self._lock:
            return self._browser is not None

    def _start(self):
        if self._make is not None:
            return self._make()
        from export.browser import Browser

        return Browser()

    def _close(self, timer):
        with self._lock:
            if timer is not self._timer or self._users or self._browser is None:
                return  # an export came since
            browser, self._browser, self._timer = self._browser, None, None
        browser.close()


EXPORT_BROWSER = IdleBrowser(idle=120.0)


def export_panel(scene):
    """Render this race as a picture or an animation (the export command's code path)."""
    with st.expander(tr("export.header")):
        left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
        fmt = left.segmented_control(
            tr("export.format"), list(EXPORT_FORMATS), key=init_key("export.format", "png")
        )
        fmt = fmt or "png"
        frames = param_widget("export.frames", tr("export.frames"), EXPORT_PARAMS["frames"], 60)
        key = (scene.key(), fmt, frames)
        if right.button(tr("export.render"), key="export.go", icon=":material/movie:"):
            from export import render  # imageio and the encoders: on the first export only

            bar = st.progress(0.0, text=tr("export.rendering", format=fmt.upper()))
            with EXPORT_BROWSER.use() as browser:
                data = render.render(
                    scene,
                    fmt,
                    render.Options(frames=int(frames)),
                    browser=browser,
                    progress=lambda done, total: bar.progress(
                        done / total, tr("export.frame", done=done, total=total)
                    ),
                )
            bar.empty()
            st.session_state.export = key, data
        done = st.session_state.get("export")
        if done and done[0] == key:
            st.download_button(
                tr("export.download", format=fmt.upper(), size=len(done[1]) / 1e3),
                data=done[1],
                file_name=f"gradscape-race.{fmt}",
                mime=EXPORT_FORMATS[fmt],
                key="export.download",
                on_click="ignore",
            )
        st.caption(tr("export.caption"))
