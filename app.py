"""Gradscape: optimizers racing on loss surfaces. Run with ``streamlit run app.py``."""

import streamlit as st

# A blank chart, shown while a session's first run loads the engine: the browser loads
# plotly.js (about 2 s) meanwhile, rather than after the first real chart arrives.
BLANK_CHART = {
    "data": [{"type": "scatter", "x": [], "y": []}],
    "layout": {"height": 10, "xaxis": {"visible": False}, "yaxis": {"visible": False}},
}

st.set_page_config(page_title="Gradscape", page_icon="⛰️", layout="wide")
st.title("Gradscape: optimizers racing on loss surfaces")
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
loading = charts.empty()
if "scene" not in st.session_state:
    loading.plotly_chart(BLANK_CHART, config={"staticPlot": True, "displayModeBar": False})

# imported after the blank chart is sent, on purpose (see above)
from viz import landscape_ui as LU  # noqa: E402
from viz import scene as S  # noqa: E402
from viz import ui  # noqa: E402


def current_scene():
    """The scene of this session: from the URL on its first run, then from the widgets."""
    if "scene" not in st.session_state:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        st.session_state.scene, st.session_state.url_warnings = S.from_query(params)
    raw, lr_slot = ui.read_scene(st.session_state.scene)
    with st.sidebar:
        raw["landscape"] = LU.controls(st.session_state.scene, raw["optimizers"])
    scene, warnings = S.validate(raw)
    st.session_state.scene = scene
    query = S.to_query(scene)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return scene, st.session_state.url_warnings + warnings, lr_slot


scene, warnings, lr_slot = current_scene()
if scene["view"]["large_font"]:
    ui.large_font_css()
with header:
    ui.show_warnings(warnings)
    ui.surface_header(S.surface_of(scene))
    ui.share_link(S.to_query(scene))
    LU.prepare_basin(scene)
result = ui.race(ui.race_key(scene))
with lr_slot:
    st.plotly_chart(result["lr"], key="lr_preview", config={"displayModeBar": False})

badge = S.active_options(scene)
with charts:
    if badge:
        st.info("Options on: " + " · ".join(badge), icon=":material/label:")
    # beside the race: the 3D view when it is on, else the results; on a projector the
    # race takes the whole width and the results (in large type) go below it
    beside = result["surface3d"] or not scene["view"]["large_font"]
    left, right = st.columns([3, 2]) if beside else (st.container(), None)
    with left:
        ui.race_chart(result["race"], scene)
        LU.basin_caption(scene)
        LU.curvature_caption(scene, result["trajectories"])
    if result["surface3d"]:
        right.plotly_chart(result["surface3d"], key="surface3d")
    results = st.container() if right is None or result["surface3d"] else right
LU.sweep_panel(scene)
LU.tune_panel(scene)
st.plotly_chart(result["metrics"], key="metrics")
with results:
    st.subheader("Results")
    ui.results_table(result["table"])
ui.download_trajectories(result["trajectories"], result["labels"])
ui.export_panel(scene)
loading.empty()
