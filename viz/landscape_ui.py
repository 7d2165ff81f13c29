"""Streamlit controls and panels of the landscape views: the basin map under the race,
the curvature arrows, the sweep heatmap and the auto-tune button.

The computations are ``viz.landscape_view``'s; results it has not stored yet are
computed here under a progress bar. Loading values into a racer (a sweep cell, a tuned
rate) sets both the racer's widget and the session's scene, so that a log slider's
stops (``ui.log_options``) include the new value on the next run.
"""

import streamlit as st

from optimizers import landscape as L

from . import landscape_view as LV
from . import scene as S
from .landscape_figures import basin_categories
from .ui import hyper_key, init_key, labelled_choice, plain

OVERLAY_NAMES = {"none": "none", "basin": "basin map"}
BASIN_COLOR_NAMES = {"minimum": "minimum reached", "steps": "steps to converge"}
SWEEP_COLOR_NAMES = {"loss": "final loss", "steps": "steps to tolerance", "regime": "regime"}


def caps_text():
    return (
        f"Caps: basin grid {L.MAX_GRID} x {L.MAX_GRID} starts; at most "
        f"{L.MAX_WORK / 1e6:.0f} M run steps per map, sweep or tuning (starts x steps; "
        f"long-state optimizers such as L-BFGS count more); sweeps {L.MAX_SWEEP_CELLS} "
        f"cells; auto-tune {len(L.TUNE_RATES)} rates."
    )


def controls(current, racers):
    """The sidebar's Landscape section; returns the scene's raw ``landscape`` entry.

    ``racers`` are this run's raw racers: the racer choice and the sweep parameter are
    reset here, before their widgets are drawn, when the racers no longer allow them.
    """
    land = current["landscape"]
    st.header("Landscape")
    overlay = st.selectbox(
        "Draw under the contour",
        S.OVERLAYS,
        key=init_key("map", land["overlay"]),
        format_func=OVERLAY_NAMES.get,
        help="Basin map: every start of a grid over the view, run with the chosen racer's "
        "settings and the scene's steps, coloured by where it ends.",
    )
    color, grid = land["color"], land["grid"]
    if overlay == "basin":  # hidden otherwise: each widget costs rerun time
        color = st.radio(
            "Colour the basins by",
            S.BASIN_COLORS,
            key=init_key("mapby", color),
            format_func=BASIN_COLOR_NAMES.get,
            horizontal=True,
        )
        low, high = S.MAP_GRID_RANGE
        grid = st.slider(
            f"Basin grid (starts per side, {low} to {high})",
            low,
            high,
            key=init_key("mapn", grid),
            step=10,
        )
    init_key("mapr", land["racer"])
    racer = labelled_choice(
        st.selectbox,
        "Racer of the basin map and the sweep",
        range(len(racers)),
        "mapr",
        [S.racer_label(r, i) for i, r in enumerate(racers)],
    )
    curv = st.toggle(
        "Curvature arrows (Hessian eigen-directions)",
        key=init_key("curv", land["curvature"]),
        help="At the start and at the chosen racer's last point: the eigen-directions, the "
        "condition number κ and the largest stable gradient-descent step 2/λmax.",
    )
    st.caption(caps_text())
    init_key("sweep", land["sweep"])
    if st.session_state.sweep not in S.sweep_choices(racers[racer]):
        st.session_state.sweep = "off"
    return {
        "overlay": overlay,
        "color": color,
        "grid": int(grid),
        "racer": racer,
        "curvature": curv,
        "sweep": st.session_state.sweep,
        "sweep_color": st.session_state.get("sweepby", land["sweep_color"]),
    }


def _with_progress(text, compute):
    """``compute(progress)`` under a progress bar that goes away when it is done."""
    bar = st.progress(0.0, text=text)
    try:
        return compute(lambda fraction: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
    finally:
        bar.empty()


# ---------------------------------------------------------------- basin map, curvature


def prepare_basin(scene):
    """Compute the scene's basin map (progress bar) unless stored; say why when it cannot."""
    land = scene["landscape"]
    if land["overlay"] != "basin" or LV.stored_basin(scene) is not None:
        return
    size = land["grid"]
    text = f"Basin map: {size} x {size} starts x {scene['steps']} steps..."
    try:
        _with_progress(text, lambda progress: LV.basin(scene, progress))
    except ValueError as error:
        st.warning(
            plain(
                f"Basin map not drawn: {S.clean(str(error), 300)}. Lower the basin grid or "
                f"the steps. {caps_text()}"
            ),
            icon=":material/warning:",
        )


def basin_caption(scene):
    """Under the race: what the basin map shows, and the share of each outcome."""
    basin = LV.stored_basin(scene) if scene["landscape"]["overlay"] == "basin" else None
    if basin is None:
        return
    shares = [
        f"{name}: {basin.share(label):.0%}"
        for label, name, _ in basin_categories(basin)
        if basin.share(label) > 0
    ]
    size = len(basin.xs)
    st.caption(
        f"Basin map of {S.racer_label(LV.chosen_racer(scene), scene['landscape']['racer'])}: "
        f"{size} x {size} starts, {basin.steps} steps; a start reaches a minimum when it "
        f"{basin.criterion}"
        + ("; small rings mark those local minima. " if basin.local_minima else ". ")
        + " · ".join(shares)
    )


def curvature_caption(scene, trajectories):
    if scene["landscape"]["curvature"]:
        st.caption("Curvature: " + " | ".join(LV.curvature_lines(scene, trajectories)))


# ---------------------------------------------------------------- sweep


def sweep_panel(scene):
    """The sweep heatmap of the chosen racer; a click on a cell loads its values."""
    land = scene["landscape"]
    index = land["racer"]
    racer = scene["optimizers"][index]
    label = S.racer_label(racer, index)
    with st.expander(f"Sweep: learning rate x a hyperparameter of {label}", expanded=True):
        left, right = st.columns(2)
        left.selectbox(
            "Sweep lr against",
            S.sweep_choices(racer),
            key="sweep",
            format_func=lambda p: {"off": "off (no sweep)", "lr": "nothing (lr alone)"}.get(p, p),
            help="The racer is chosen in the sidebar's Landscape section.",
        )
        if land["sweep"] == "off":
            st.caption("Choose what to sweep: the runs start from the race's start point.")
            return
        right.radio(
            "Colour by",
            S.SWEEP_COLORS,
            key=init_key("sweepby", land["sweep_color"]),
            format_func=SWEEP_COLOR_NAMES.get,
            horizontal=True,
        )
        result = LV.stored_sweep(scene)
        if result is None:
            try:
                result = _with_progress("Sweep...", lambda progress: LV.sweep(scene, progress))
            except ValueError as error:
                st.warning(
                    plain(f"Sweep not run: {S.clean(str(error), 300)}"), icon=":material/warning:"
                )
                return
        st.plotly_chart(
            LV.sweep_figure(scene, result),
            key="sweep_chart",
            on_select=lambda: load_cell(st.session_state.sweep_chart.selection.points),
            selection_mode="points",
        )
        st.caption(
            f"{len(result.values) * len(result.lrs)} runs of {result.steps} steps; converged: "
            f"{result.criterion}. The white dot marks racer {index + 1}'s current settings; "
            "click a cell to load its values into the racer."
        )


def load_cell(points):
    """Load the sweep cell of the first clicked point (a plotly selection) into the racer."""
    points = [p for p in points if "x" in p]
    scene = st.session_state.scene
    result = LV.stored_sweep(scene)
    if not points or result is None:
        return
    lr, value = LV.sweep_cell(result, float(points[0]["x"]), float(points[0].get("y", 0.0)))
    index = scene["landscape"]["racer"]
    set_hyper(scene, index, "lr", lr)
    if value is not None:
        set_hyper(scene, index, result.param, value)


def set_hyper(scene, index, param, value):
    """Put ``value``, to 3 significant digits, in racer ``index``'s hyperparameter ``param``
    ("lr", "betas[0]"): in its widget and in the session's scene (whose values the widgets'
    choices include). A sweep's or a tuning's grid value such as 0.5109677419354839 is no
    more telling than 0.511, and reads far better on a slider and in a link."""
    value = LV.significant(value)
    racer = scene["optimizers"][index]
    name, position = LV.split_param(param)
    if position is None:
        racer["hyper"][name] = value
    else:
        racer["hyper"][name][position] = value
    st.session_state[hyper_key(index, racer, name, position)] = value


# ---------------------------------------------------------------- auto-tune


def tune_panel(scene):
    """The auto-tune button, the criterion it used and what it chose."""
    with st.expander("Fair comparison: auto-tune every racer's learning rate", expanded=True):
        st.button("Auto-tune", key="tune", on_click=_auto_tune, icon=":material/tune:")
        done = st.session_state.get("tuned")
        if not done:
            st.caption(
                f"Tries {len(L.TUNE_RATES)} learning rates from {L.TUNE_RATES[0]:g} to "
                f"{L.TUNE_RATES[-1]:g} for every racer, with the scene's steps, start, "
                "schedule and options, and applies the best."
            )
            return
        if "error" in done:
            st.warning(plain(f"Auto-tune not run: {done['error']}"), icon=":material/warning:")
            return
        st.info("Criterion: " + done["criterion"], icon=":material/rule:")
        st.dataframe(done["rows"], hide_index=True)
        for row in done["rows"]:
            if row["note"]:
                st.warning(f"{row['racer']}: every rate diverged; its lr was kept.")


def _auto_tune():
    scene = st.session_state.scene
    try:
        tunings = LV.tune(scene)
    except ValueError as error:
        st.session_state.tuned = {"error": S.clean(str(error), 300)}
        return
    for index, tuning in enumerate(tunings):
        if tuning.lr is not None:
            set_hyper(scene, index, "lr", tuning.lr)
    chosen = [t for t in tunings if t.lr is not None] or tunings
    st.session_state.tuned = {
        "criterion": chosen[0].criterion,
        "rows": LV.tuning_rows(scene, tunings),
    }
