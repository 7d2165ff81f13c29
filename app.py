"""Gradscape: optimizers racing on loss surfaces. Run with ``streamlit run app.py``."""

# Before any chart: Plotly's checks take numpy and pandas from sys.modules without importing
# them, and on a fresh server found them half-initialised while another session's first run
# was importing them (an exception element when a class arrives at once). An import here
# waits for a module another thread is still initialising.
import numpy  # noqa: F401
import pandas  # noqa: F401
import streamlit as st

# A blank chart, shown while a session's first run loads the engine: the browser loads
# plotly.js (about 2 s) meanwhile, rather than after the first real chart arrives.
BLANK_CHART = {
    "data": [{"type": "scatter", "x": [], "y": []}],
    "layout": {"height": 10, "xaxis": {"visible": False}, "yaxis": {"visible": False}},
}

st.set_page_config(page_title="Gradscape", page_icon="⛰️", layout="wide")
title = st.empty()  # in the session's language, known once the scene is
st.html(
    """<style>
    /* less room above the title: the race's play buttons fit a 1366 x 768 screen */
    [data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
    h1 { font-size: 2rem !important; padding: 0 0 0.5rem !important; }
    /* a long update rule scrolls in its own box instead of being cut off */
    .katex-display { overflow-x: auto; overflow-y: hidden; padding: 0.2em 0; }
    /* the results table fits its column: fixed column widths, long words broken */
    [data-testid="stTable"] table { table-layout: fixed; width: 100%; font-size: 0.85rem; }
    [data-testid="stTable"] th, [data-testid="stTable"] td {
        padding: 0.25rem 0.3rem; white-space: normal !important;
    }
    [data-testid="stTable"] th *, [data-testid="stTable"] td * {
        overflow-wrap: anywhere !important;
    }
    @media (max-width: 640px) {
        /* under the bar that holds the sidebar's button */
        [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; }
        h1 { font-size: 1.3rem !important; }
        /* a phone shows Plotly's toolbar over the legends and titles; pinch and drag
           zoom, a double tap resets */
        .modebar-container { display: none !important; }
    }
    </style>"""
)
header = st.container()
charts = st.container()  # above the racers' controls, which read_scene draws
preparing = charts.empty()  # what a fresh server compiles for this page, and how far along
loading = charts.empty()
if "scene" not in st.session_state:
    loading.plotly_chart(BLANK_CHART, config={"staticPlot": True, "displayModeBar": False})
    from i18n import preferred
    from scene.link import racers_of, surface_of_link
    from ui.engine import prepare_engine

    query = {key: st.query_params.get_all(key) for key in st.query_params}
    lang = st.query_params.get("lang") or preferred(
        st.context.headers.get("Accept-Language"), st.context.locale
    )
    prepare_engine(racers_of(query), surface_of_link(query), lang, preparing)

# imported after the blank chart is sent, on purpose (see above)
from i18n import t  # noqa: E402
from scene import pipeline, to_query  # noqa: E402
from scene.cache import also_at_sweep, settle_memory  # noqa: E402
from scene.run import surface_of  # noqa: E402
from scene.text import active_options  # noqa: E402
from ui import inspector, panels  # noqa: E402
from ui import landscape as landscape_panels  # noqa: E402
from ui.session_scene import current_scene  # noqa: E402
from ui.sessions import drop_expired_sessions  # noqa: E402
from ui.widgets import show_warnings  # noqa: E402

settle_memory()  # what is loaded by now lives as long as the server
also_at_sweep(drop_expired_sessions)  # closed tabs' sessions go when their time is up

scene, warnings, lr_slot = current_scene(preparing)
lang = scene.view.lang
title.title(t("app.title", lang))
if scene.view.large_font:
    panels.large_font_css()
with header:
    show_warnings(warnings)
    panels.surface_header(surface_of(scene.surface))
    panels.share_link(to_query(scene))
    landscape_panels.prepare_basin(scene)
drawing = pipeline.draw(scene)
with lr_slot:
    st.plotly_chart(drawing.lr_preview, key="lr_preview", config={"displayModeBar": False})

badge = active_options(scene)
with charts:
    if badge:
        st.info(t("badge.on", lang) + " · ".join(badge), icon=":material/label:")
    # beside the race: the 3D view when it is on, else the results; on a projector the
    # race takes the whole width and the results (in large type) go below it
    beside = scene.view.surface3d or not scene.view.large_font
    left, right = st.columns([3, 2]) if beside else (st.container(), None)
    with left:
        panels.race_chart(drawing.race)
        inspector.step_panel(drawing)
        landscape_panels.basin_caption(scene)
        landscape_panels.curvature_caption(drawing)
    if scene.view.surface3d:
        right.plotly_chart(drawing.surface3d, key="surface3d")
    if drawing.data is not None:  # a surface made from data: the data and the model
        (right or left).plotly_chart(drawing.data, key="data")
    results = st.container() if right is None or scene.view.surface3d else right
landscape_panels.sweep_panel(scene)
landscape_panels.range_panel(scene)
landscape_panels.tune_panel(scene)
st.plotly_chart(drawing.metrics, key="metrics")
with results:
    st.subheader(t("results.header", lang))
    panels.results_table(drawing.table)
panels.download_trajectories(drawing.trajectories, drawing.labels)
panels.export_panel(scene)
loading.empty()
