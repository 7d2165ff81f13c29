"""Inspecting a step in the app: the control that picks the racer and the opening step,
and the panel under the race with that racer's update rule, its numbers following the
race's frame in the browser.

The panel's table (``viz.step_rule.StepRule.to_json``: lines as templates and the values
of each frame step) is sent once with the page. A small script listens to the race
chart's ``plotly_animatingframe`` (play, restart, the scrubber's seeks) and
``plotly_sliderchange`` events and fills the lines of the frame shown, writing numbers to
three significant digits as ``step_rule.number_text`` does. The server is never asked.
"""

import html
import json

import plotly.io
import streamlit as st

from scene.model import View
from scene.text import numbered, racer_label
from viz import step_rule as SR

from .widgets import init_key, labelled_choice
from .words import lang, tr

STEP_KEY = "inspect_step"

# Binds every race chart once (a rerun may draw a new one) and fills the panel from the
# latest table; the chart is the Plotly div of the element keyed "race".
STEP_SCRIPT = """<script>
(() => {
    window.gradscapeInspect = TABLE;
    const number = (x) => {
        if (x === null || !isFinite(x)) return "NaN";
        if (x === 0) return "0";
        const [mantissa, power] = x.toExponential(2).split("e");
        const e = Number(power);
        const text = (-3 <= e && e < 4)
            ? (Number(mantissa) * 10 ** e).toFixed(Math.max(0, 2 - e))
            : mantissa + "e" + e;
        return text.replace(/-/g, "\\u2212");
    };
    const value = (table, name, frame) => {
        const width = table.width[name];
        const values = table.series[name].slice(frame * width, (frame + 1) * width);
        const texts = values.map(number);
        return width === 1 ? texts[0] : "(" + texts.join(", ") + ")";
    };
    const show = (step) => {
        const table = window.gradscapeInspect, panel = document.querySelector(".gs-inspect");
        if (!table || !panel) return;
        const frame = table.steps.indexOf(Number(step));
        if (frame < 0) return;
        panel.querySelector(".gs-t").textContent = table.t[frame];
        panel.dataset.step = step;
        panel.querySelectorAll(".gs-line").forEach((line, i) => {
            line.textContent = table.lines[i].map(
                (part) => typeof part === "string" ? part : value(table, part.v, frame)
            ).join("");
        });
    };
    const bind = () => {
        const chart = document.querySelector(".st-key-race .js-plotly-plot");
        if (!chart || !chart.on || chart.gradscapeInspectBound) return;
        chart.gradscapeInspectBound = true;
        chart.on("plotly_animatingframe", (event) => show(event.name));
        chart.on("plotly_sliderchange", (event) => show(event.step.label));
    };
    if (!window.gradscapeInspectTimer) window.gradscapeInspectTimer = setInterval(bind, 300);
    bind();
})();
</script>"""


def controls(current, racers, steps):
    """``{"inspect": racer or 0, "inspect_step": step}`` from the sidebar's control of the
    inspected racer (numbered from 1; its labels follow the racers) and, when one is
    chosen, of the step the race opens at (0 to ``steps``)."""
    labels = [tr("inspect.none")]
    labels += [racer_label(racer, number, lang=lang()) for number, racer in numbered(racers)]
    init_key("inspect", current.view.inspect)
    chosen = labelled_choice(
        st.selectbox,
        tr("inspect.label"),
        list(range(len(racers) + 1)),
        "inspect",
        labels,
        help=tr("inspect.help"),
    )
    step = min(current.view.inspect_step, steps)
    if not chosen:
        return {"inspect": 0, "inspect_step": 0}
    if st.session_state.get(STEP_KEY, 0) > steps:
        st.session_state[STEP_KEY] = steps
    step = st.number_input(
        tr("inspect.step"),
        View.param("inspect_step").low,
        steps,
        key=init_key(STEP_KEY, step),
        step=1,
    )
    return {"inspect": chosen, "inspect_step": int(step)}


def step_panel(drawing):
    """The inspected racer's update rule with the numbers of the frame shown (the opening
    step's until the race moves), or nothing when no racer is inspected."""
    rule, scene = drawing.step_rule, drawing.scene
    if rule is None:
        return
    view = scene.view
    frame = max(i for i, step in enumerate(rule.steps.tolist()) if step <= view.inspect_step)
    label = html.escape(drawing.labels[view.inspect - 1])
    lines = "".join(
        f'<div class="gs-line">{html.escape(SR.line_text(rule, i, frame))}</div>'
        for i in range(len(rule.lines))
    )
    head = (
        f"{html.escape(tr('inspect.header', racer=label))} "
        f'<span class="gs-t">{rule.t[frame]}</span>'
    )
    table = json.dumps(rule.to_json(), separators=(",", ":"), allow_nan=False)
    st.html(
        f'<div class="gs-inspect" data-step="{rule.steps[frame]}">'
        f'<div class="gs-head">{head}</div>{lines}</div>'
        "<style>.gs-inspect{font-size:.85rem;line-height:1.5;overflow-x:auto}"
        ".gs-head{font-weight:600;margin-bottom:.2em}"
        ".gs-line{padding-left:1.5em;text-indent:-1.5em;font-variant-numeric:tabular-nums}"
        "</style>" + STEP_SCRIPT.replace("TABLE", table),
        unsafe_allow_javascript=True,
    )
    options = scene.options
    noisy = options.noise_std or options.clip_norm is not None or options.clip_value is not None
    st.caption(tr("inspect.caption") + (" " + tr("inspect.noisy") if noisy else ""))


def payload_bytes(drawing):
    """Bytes the page receives for the race and the inspector: the race figure's JSON as
    ``st.plotly_chart`` encodes it, its contour picture as a media URL (``panels.
    with_contour_url``; a few dozen bytes), plus the step table (none without inspection)."""
    figure = drawing.race.to_dict()
    layout = figure["layout"]
    layout["images"] = [{**layout["images"][0], "source": "media/contour.png"}]
    size = len(plotly.io.to_json(figure, validate=False))
    rule = drawing.step_rule
    return size + (len(json.dumps(rule.to_json(), separators=(",", ":"))) if rule else 0)
