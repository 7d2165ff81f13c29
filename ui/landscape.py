"""Streamlit controls and panels of the landscape views: the basin map under the race,
the curvature arrows, the sweep heatmap, the learning-rate range test and the auto-tune
button.

The computations are ``scene.landscape``'s; results it has not stored yet are computed
here under a progress bar. Loading values into a racer (a sweep cell, a tuned rate) sets
both the racer's widget and the session's scene (a new Scene with that racer changed), so
that a log slider's stops (``ui.widgets.log_options``) include the new value on the next
run.
"""

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from i18n import message, t
from optimizers import landscape as L
from scene import landscape as SL
from scene import pipeline
from scene.cache import Busy
from scene.model import BASIN_COLORS, OVERLAYS, SWEEP_COLORS, Landscape
from scene.run import sweep_choices
from scene.text import clean, numbered, racer_label, racer_title
from viz.landscape_figures import basin_categories
from viz.numbers import significant

from .widgets import hyper_key, init_key, labelled_choice, param_widget, plain
from .words import keyed, lang, say, tr

# the range test's settings: (Landscape field, widget and link key)
RANGE_WIDGETS = (("range_min", "lrmin"), ("range_max", "lrmax"), ("range_steps", "lrsteps"))


def caps_text():
    return tr(
        "landscape.caps",
        grid=L.MAX_GRID,
        work=L.MAX_WORK / 1e6,
        cells=L.MAX_SWEEP_CELLS,
        rates=len(L.TUNE_RATES),
    )


def controls(current, racers):
    """The sidebar's Landscape section; returns the scene's raw ``landscape`` entry.

    ``racers`` are this run's racers (Racer records, before validation): the racer choice
    and the sweep parameter are reset here, before their widgets are drawn, when the
    racers no longer allow them.
    """
    land = current.landscape
    st.header(tr("landscape.header"))
    overlay = st.selectbox(
        tr("landscape.overlay"),
        OVERLAYS,
        key=init_key("map", land.overlay),
        format_func=keyed("overlay."),
        help=tr("landscape.overlay_help"),
    )
    color, grid = land.color, land.grid
    if overlay == "basin":  # hidden otherwise: each widget costs rerun time
        color = st.radio(
            tr("landscape.basin_color"),
            BASIN_COLORS,
            key=init_key("mapby", color),
            format_func=keyed("basin_color."),
            horizontal=True,
        )
        low, high = Landscape.param("grid").low, Landscape.param("grid").high
        grid = st.slider(
            tr("landscape.basin_grid", low=low, high=high),
            low,
            high,
            key=init_key("mapn", grid),
            step=10,
        )
    init_key("mapracer", land.racer)
    racer = labelled_choice(
        st.selectbox,
        tr("landscape.racer"),
        range(1, len(racers) + 1),
        "mapracer",
        [racer_label(r, number, lang=lang()) for number, r in numbered(racers)],
    )
    curv = st.toggle(
        tr("landscape.curvature"),
        key=init_key("curv", land.curvature),
        help=tr("landscape.curvature_help"),
    )
    lr_range = st.toggle(
        tr("landscape.lr_range"),
        key=init_key("lrrange", land.lr_range),
        help=tr("landscape.lr_range_help"),
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
        "lr_range": lr_range,
        **{name: st.session_state.get(key, getattr(land, name)) for name, key in RANGE_WIDGETS},
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
    text = tr("basin.progress", size=size, steps=scene.steps)
    try:
        _with_progress(text, lambda progress: SL.basin(scene, progress, _session()))
    except Busy as busy:
        st.info(plain(say(f"{busy}.")), icon=":material/hourglass_top:")
    except ValueError as error:
        problem = say(clean(str(error), 300))
        st.warning(
            plain(tr("basin.failed", problem=problem) + " " + caps_text()),
            icon=":material/warning:",
        )


def basin_caption(scene):
    """Under the race: what the basin map shows, and the share of each outcome."""
    basin = SL.stored_basin(scene) if scene.landscape.overlay == "basin" else None
    if basin is None:
        return
    shares = [
        f"{name}: {basin.share(label):.0%}"
        for label, name, _ in basin_categories(basin, lang())
        if basin.share(label) > 0
    ]
    rings = tr("basin.rings") if basin.local_minima else tr("basin.end")
    st.caption(
        tr(
            "basin.caption",
            racer=racer_label(scene.chosen, scene.landscape.racer, lang=lang()),
            size=len(basin.xs),
            steps=basin.steps,
            criterion=say(basin.criterion),
        )
        + rings
        + " · ".join(shares)
    )


def curvature_caption(drawing):
    """Under the race: the curvature at the start and at the chosen racer's end."""
    if drawing.scene.landscape.curvature:
        st.caption(tr("curvature.caption") + " | ".join(drawing.curvature_lines()))


# ---------------------------------------------------------------- sweep


def sweep_panel(scene):
    """The sweep heatmap of the chosen racer; a click on a cell loads its values."""
    land = scene.landscape
    racer = scene.chosen
    label = racer_label(racer, land.racer, lang=lang())
    with st.expander(tr("sweep.header", racer=label), expanded=True):
        left, right = st.columns(2)
        left.selectbox(
            tr("sweep.against"),
            sweep_choices(racer),
            key="sweep",
            format_func=keyed("sweep.", kept=sweep_choices(racer)[2:]),
            help=tr("sweep.against_help"),
        )
        if land.sweep == "off":
            st.caption(tr("sweep.choose"))
            return
        right.radio(
            tr("sweep.color"),
            SWEEP_COLORS,
            key=init_key("sweepby", land.sweep_color),
            format_func=keyed("sweep_color."),
            horizontal=True,
        )
        result = SL.stored_sweep(scene)
        if result is None:
            try:
                result = _with_progress(
                    tr("sweep.progress"), lambda progress: SL.sweep(scene, progress, _session())
                )
            except Busy as busy:
                st.info(plain(say(f"{busy}.")), icon=":material/hourglass_top:")
                return
            except ValueError as error:
                problem = say(clean(str(error), 300))
                st.warning(plain(tr("sweep.failed", problem=problem)), icon=":material/warning:")
                return
        st.plotly_chart(
            pipeline.sweep_figure(scene, result),
            key="sweep_chart",
            on_select=lambda: load_cell(st.session_state.sweep_chart.selection.points),
            selection_mode="points",
        )
        st.caption(
            tr(
                "sweep.caption",
                runs=len(result.values) * len(result.lrs),
                steps=result.steps,
                criterion=say(result.criterion),
                racer=land.racer,
            )
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


# ---------------------------------------------------------------- learning-rate range test


def range_panel(scene):
    """The chosen racer's range test: its settings, its chart, the suggested rates in a
    sentence each, and a button per suggestion that puts it in the racer."""
    land = scene.landscape
    if not land.lr_range:
        return
    number = land.racer
    with st.expander(
        tr("range.header", racer=racer_label(scene.chosen, number, lang=lang())), True
    ):
        for column, (name, key) in zip(st.columns(3), RANGE_WIDGETS, strict=True):
            with column:
                param_widget(key, tr(f"range.{name}"), Landscape.param(name), getattr(land, name))
        try:
            result = SL.range_test(scene)
        except ValueError as error:
            problem = say(clean(str(error), 300))
            st.warning(plain(tr("range.failed", problem=problem)), icon=":material/warning:")
            return
        st.plotly_chart(pipeline.range_figure(scene, result), key="range_chart")
        st.caption(range_sentence(result, lang()))
        buttons = st.columns(len(result.suggestions))
        for column, suggestion in zip(buttons, result.suggestions, strict=True):
            if suggestion.lr is None:
                column.caption(tr(f"range.none.{suggestion.name}"))
                continue
            column.button(
                tr(f"range.use.{suggestion.name}", lr=significant(suggestion.lr)),
                key=f"range_use_{suggestion.name}",
                on_click=set_hyper,
                args=(number, "lr", suggestion.lr),
                help=say(suggestion.rule),
            )


def range_sentence(result, lang="en"):
    """What the test did and how each suggestion was found, in ``lang``."""
    stop = (
        t("range.stopped", lang, step=result.diverged_at + 1, lr=float(result.rates[-1]))
        if result.diverged_at is not None
        else t("range.went_on", lang)
    )
    parts = [
        t("range.did", lang, low=result.lr_min, high=result.lr_max, steps=result.steps),
        stop,
        t("range.stop_rule", lang, rule=message(result.stop_rule, lang)),
    ]
    for suggestion in result.suggestions:
        if suggestion.lr is not None:
            rule = message(suggestion.rule, lang)
            parts.append(t(f"range.why.{suggestion.name}", lang, lr=suggestion.lr, rule=rule))
    return t("range.gap", lang).join(parts)


# ---------------------------------------------------------------- auto-tune


def tune_panel(scene):
    """The auto-tune button, the criterion it used and what it chose."""
    with st.expander(tr("tune.header"), expanded=True):
        st.button(tr("tune.button"), key="tune", on_click=_auto_tune, icon=":material/tune:")
        done = st.session_state.get("tuned")
        if not done:
            rates = L.TUNE_RATES
            st.caption(tr("tune.caption", count=len(rates), low=rates[0], high=rates[-1]))
            return
        if "error" in done:
            problem = say(done["error"])
            st.warning(plain(tr("tune.failed", problem=problem)), icon=":material/warning:")
            return
        st.info(tr("tune.criterion") + say(done["criterion"]), icon=":material/rule:")
        rows = tuning_rows(done["scene"], done["tunings"], lang())
        st.dataframe(rows, hide_index=True)
        for row, tuning in zip(rows, done["tunings"], strict=True):
            if tuning.lr is None:
                st.warning(tr("tune.diverged", racer=row[tr("tune.col.racer")]))


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
    # the racers tuned, with their results: the table stays theirs when racers change
    st.session_state.tuned = {"criterion": chosen[0].criterion, "tunings": tunings, "scene": scene}


TUNE_COLUMNS = ("racer", "lr", "gap", "steps", "diverged", "note")


def tuning_rows(scene, tunings, lang="en"):
    """The auto-tune table in ``lang``: one row per racer, as shown (3 significant digits,
    as applied)."""
    rows = []
    for (number, racer), tuning in zip(numbered(scene.racers), tunings, strict=True):
        lr, gap, step = t("tune.kept", lang), "-", t("tune.not_reached", lang)
        if tuning.lr is not None:
            best = int(np.flatnonzero(tuning.lrs == tuning.lr)[0])
            lr, gap = f"{significant(tuning.lr):g}", f"{tuning.final_gap[best]:.3g}"
            if tuning.converged_step[best] >= 0:
                step = str(int(tuning.converged_step[best]))
        values = (
            racer_title(racer, number, lang),
            lr,
            gap,
            step,
            f"{int(tuning.diverged.sum())} / {len(tuning.lrs)}",
            "" if tuning.lr is not None else t("tune.note", lang),
        )
        names = [t(f"tune.col.{column}", lang) for column in TUNE_COLUMNS]
        rows.append(dict(zip(names, values, strict=True)))
    return rows
