"""Streamlit controls and panels of the landscape views: the basin map under the race,
the curvature arrows, the sweep heatmap and the auto-tune button.

The computations are ``scene.landscape``'s; results it has not stored yet are computed
here under a progress bar. Loading values into a racer (a sweep cell, a tuned rate) sets
both the racer's widget and the session's scene (a new Scene with that racer changed), so
that a log slider's stops (``ui.widgets.log_options``) include the new value on the next
run.
"""

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from optimizers import landscape as L
from scene import landscape as SL
from scene import pipeline
from scene.cache import Busy
from scene.model import BASIN_COLORS, OVERLAYS, SWEEP_COLORS, Landscape
from scene.run import sweep_choices
from scene.text import clean, numbered, racer_label, racer_title
from viz.landscape_figures import basin_categories
from viz.numbers import significant

from .widgets import hyper_key, init_key, labelled_choice, plain

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

    ``racers`` are this run's racers (Racer records, before validation): the racer choice
    and the sweep parameter are reset here, before their widgets are drawn, when the
    racers no longer allow them.
    """
    land = current.landscape
    st.header("Landscape")
    overlay = st.selectbox(
        "Draw under the contour",
        OVERLAYS,
        key=init_key("map", land.overlay),
        format_func=OVERLAY_NAMES.get,
        help="Basin map: every start of a grid over the view, run with the chosen racer's "
        "settings and the scene's steps, coloured by where it ends.",
    )
    color, grid = land.color, land.grid
    if overlay == "basin":  # hidden otherwise: each widget costs rerun time
        color = st.radio(
            "Colour the basins by",
            BASIN_COLORS,
            key=init_key("mapby", color),
            format_func=BASIN_COLOR_NAMES.get,
            horizontal=True,
        )
        low, high = Landscape.param("grid").low, Landscape.param("grid").high
        grid = st.slider(
            f"Basin grid (starts per side, {low} to {high})",
            low,
            high,
            key=init_key("mapn", grid),
            step=10,
        )
    init_key("mapracer", land.racer)
    racer = labelled_choice(
        st.selectbox,
        "Racer of the basin map and the sweep",
        range(1, len(racers) + 1),
        "mapracer",
        [racer_label(r, number) for number, r in numbered(racers)],
    )
    curv = st.toggle(
        "Curvature arrows (Hessian eigen-directions)",
        key=init_key("curv", land.curvature),
        help="At the start and at the chosen racer's last point: the eigen-directions, the "
        "condition number κ and the largest stable gradient-descent step 2/λmax.",
    )
    st.caption(caps_text())
    init_key("sweep", land.sweep)
    if st.session_state.sweep not in sweep_choices(racers[racer - 1]):
        st.session_state.sweep = "off"
    return {
        "overlay": overlay,
        "color": color,
        "grid": int(grid),
        "racer": racer,
        "curvature": curv,
        "sweep": st.session_state.sweep,
        "sweep_color": st.session_state.get("sweepby", land.sweep_color),
    }


def _session():
    """This session's id: its heavy computations are counted against its own limit."""
    return get_script_run_ctx().session_id


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
    land = scene.landscape
    if land.overlay != "basin" or SL.stored_basin(scene) is not None:
        return
    size = land.grid
    text = f"Basin map: {size} x {size} starts x {scene.steps} steps..."
    try:
        _with_progress(text, lambda progress: SL.basin(scene, progress, _session()))
    except Busy as busy:
        st.info(plain(f"{busy}."), icon=":material/hourglass_top:")
    except ValueError as error:
        st.warning(
            plain(
                f"Basin map not drawn: {clean(str(error), 300)}. Lower the basin grid or "
                f"the steps. {caps_text()}"
            ),
            icon=":material/warning:",
        )


def basin_caption(scene):
    """Under the race: what the basin map shows, and the share of each outcome."""
    basin = SL.stored_basin(scene) if scene.landscape.overlay == "basin" else None
    if basin is None:
        return
    shares = [
        f"{name}: {basin.share(label):.0%}"
        for label, name, _ in basin_categories(basin)
        if basin.share(label) > 0
    ]
    size = len(basin.xs)
    st.caption(
        f"Basin map of {racer_label(scene.chosen, scene.landscape.racer)}: "
        f"{size} x {size} starts, {basin.steps} steps; a start reaches a minimum when it "
        f"{basin.criterion}"
        + ("; small rings mark those local minima. " if basin.local_minima else ". ")
        + " · ".join(shares)
    )


def curvature_caption(drawing):
    """Under the race: the curvature at the start and at the chosen racer's end."""
    if drawing.scene.landscape.curvature:
        st.caption("Curvature: " + " | ".join(drawing.curvature_lines()))


# ---------------------------------------------------------------- sweep


def sweep_panel(scene):
    """The sweep heatmap of the chosen racer; a click on a cell loads its values."""
    land = scene.landscape
    racer = scene.chosen
    label = racer_label(racer, land.racer)
    with st.expander(f"Sweep: learning rate x a hyperparameter of {label}", expanded=True):
        left, right = st.columns(2)
        left.selectbox(
            "Sweep lr against",
            sweep_choices(racer),
            key="sweep",
            format_func=lambda p: {"off": "off (no sweep)", "lr": "nothing (lr alone)"}.get(p, p),
            help="The racer is chosen in the sidebar's Landscape section.",
        )
        if land.sweep == "off":
            st.caption("Choose what to sweep: the runs start from the race's start point.")
            return
        right.radio(
            "Colour by",
            SWEEP_COLORS,
            key=init_key("sweepby", land.sweep_color),
            format_func=SWEEP_COLOR_NAMES.get,
            horizontal=True,
        )
        result = SL.stored_sweep(scene)
        if result is None:
            try:
                result = _with_progress(
                    "Sweep...", lambda progress: SL.sweep(scene, progress, _session())
                )
            except Busy as busy:
                st.info(plain(f"{busy}."), icon=":material/hourglass_top:")
                return
            except ValueError as error:
                st.warning(
                    plain(f"Sweep not run: {clean(str(error), 300)}"), icon=":material/warning:"
                )
                return
        st.plotly_chart(
            pipeline.sweep_figure(scene, result),
            key="sweep_chart",
            on_select=lambda: load_cell(st.session_state.sweep_chart.selection.points),
            selection_mode="points",
        )
        st.caption(
            f"{len(result.values) * len(result.lrs)} runs of {result.steps} steps; converged: "
            f"{result.criterion}. The white dot marks racer {land.racer}'s current settings; "
            "click a cell to load its values into the racer."
        )


def load_cell(points):
    """Load the sweep cell of the first clicked point (a plotly selection) into the racer."""
    points = [p for p in points if "x" in p]
    scene = st.session_state.scene
    result = SL.stored_sweep(scene)
    if not points or result is None:
        return
    lr, value = SL.sweep_cell(result, float(points[0]["x"]), float(points[0].get("y", 0.0)))
    set_hyper(scene.landscape.racer, "lr", lr)
    if value is not None:
        set_hyper(scene.landscape.racer, result.param, value)


def set_hyper(number, param, value):
    """Put ``value``, to 3 significant digits, in racer ``number``'s hyperparameter
    ``param`` ("lr", "betas[0]"): in its widget and in the session's scene (whose values
    the widgets' choices include). A sweep's or a tuning's grid value such as
    0.5109677419354839 is no more telling than 0.511, and reads far better on a slider and
    in a link."""
    value = significant(value)
    scene = st.session_state.scene
    racers = list(scene.racers)
    racers[number - 1] = racer = SL.with_value(racers[number - 1], param, value)
    st.session_state.scene = scene.replace(racers=tuple(racers))
    name, position = SL.split_param(param)
    st.session_state[hyper_key(number, racer.name, racer.inner, name, position)] = value


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
        tunings = SL.tune(scene, owner=_session())
    except ValueError as error:
        st.session_state.tuned = {"error": clean(str(error), 300)}
        return
    for number, tuning in numbered(tunings):
        if tuning.lr is not None:
            set_hyper(number, "lr", tuning.lr)
    chosen = [t for t in tunings if t.lr is not None] or tunings
    st.session_state.tuned = {
        "criterion": chosen[0].criterion,
        "rows": tuning_rows(scene, tunings),
    }


def tuning_rows(scene, tunings):
    """The auto-tune table: one row per racer, as shown (3 significant digits, as applied)."""
    rows = []
    for (number, racer), tuning in zip(numbered(scene.racers), tunings, strict=True):
        lr, gap, step = "kept", "-", "not reached"
        if tuning.lr is not None:
            best = int(np.flatnonzero(tuning.lrs == tuning.lr)[0])
            lr, gap = f"{significant(tuning.lr):g}", f"{tuning.final_gap[best]:.3g}"
            if tuning.converged_step[best] >= 0:
                step = str(int(tuning.converged_step[best]))
        rows.append(
            {
                "racer": racer_title(racer, number),
                "chosen lr": lr,
                "final gap": gap,
                "steps to tolerance": step,
                "diverged runs": f"{int(tuning.diverged.sum())} / {len(tuning.lrs)}",
                "note": "" if tuning.lr is not None else "every rate diverged: lr kept",
            }
        )
    return rows
