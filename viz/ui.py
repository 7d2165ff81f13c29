"""Streamlit widgets that read a scene, and the panels that show one.

Every widget has a key and takes its first value from the current scene (the URL's on
a fresh session), so the widgets and the scene never disagree. Keys of per-choice widgets
include the choice (``o1.adam.lr``) so switching optimizer or surface starts from defaults.
"""

import gc
import hashlib
import html
import math
import re
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import optimizers
import surfaces
from optimizers import schedules

from . import figures as F
from . import landscape_view as LV
from . import presets
from . import scene as S
from . import tables as T

# What is loaded by now (Numba, Plotly, pandas, Streamlit: about 200,000 objects) lives as
# long as the server. Moving it out of the collector's reach spares reruns the full passes
# that scan it all (measured: 127 ms, once every few reruns).
gc.freeze()


def init_key(key, value):
    """``key``, with ``value`` as its widget's first value unless the session has one."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def labelled_choice(widget, label, options, key, labels, **kwargs):
    """``widget`` (selectbox, radio, segmented control) over ``options`` shown as ``labels``,
    labels that change with the settings (a racer shown with its lr); returns the choice.

    Streamlit's browser sends back the label it displayed, and a label that no longer
    exists comes back as a plain string. So the widget's key carries a digest of the
    labels: new labels make a new widget, which starts from the choice kept under ``key``.
    The choice is copied to ``key`` when the widget changes (before the script runs), so
    code above the widget reads the current choice from ``st.session_state[key]``.
    """
    options = list(options)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    digest = hashlib.sha1("\x1f".join(labels).encode()).hexdigest()[:10]
    widget_key = init_key(f"{key}@{digest}", st.session_state[key])
    names = dict(zip(options, labels, strict=True))
    widget(
        label,
        options,
        key=widget_key,
        format_func=names.get,
        on_change=_keep_choice,
        args=(key, widget_key, options),
        **kwargs,
    )
    return st.session_state[key]


def _keep_choice(key, widget_key, options):
    chosen = st.session_state[widget_key]
    if chosen in options:  # a segmented control clicked off gives None: keep the choice
        st.session_state[key] = chosen
    else:
        st.session_state[widget_key] = st.session_state[key]


def read_scene(current):
    """The raw scene the widgets describe, starting from ``current`` (a validated scene)."""
    raw = {}
    with st.sidebar:
        _lessons()
        st.header("Surface")
        raw["surface"] = _surface(current)
        surface = S.resolve_surface(raw["surface"])
        raw["start"], raw["steps"] = _start_and_steps(current, surface)
        st.header("Schedule")
        raw["schedule"] = _schedule(current, raw["steps"])
        lr_slot = st.container()
        st.header("Options")
        raw["options"] = _options(current)
        st.header("View")
        raw["view"] = _view(current)
        st.caption(
            f"Caps: {S.MAX_OPTIMIZERS} optimizers, {S.MAX_STEPS} steps, contour grid "
            f"{S.GRID_RANGE[1]} x {S.GRID_RANGE[1]}; above 1000 steps the animation shows "
            "every k-th step."
        )
    raw["optimizers"] = _racers(current)
    return raw, lr_slot


def _lessons():
    """The lessons menu: choosing one replaces the whole scene with that preset's."""
    st.header("Lessons")
    name = st.selectbox(
        "Recreate a classic scene",
        presets.names(),
        index=None,
        placeholder="Choose a lesson",
        key="lesson",
        format_func=presets.title,
        on_change=_load_lesson,
    )
    if name:
        st.caption(presets.describe(name))


def _load_lesson():
    name = st.session_state.lesson
    if name is None:
        return
    scene, warnings = presets.load(name)
    for key in list(st.session_state):  # every widget starts again from the lesson's scene
        if key not in ("lesson", "url_warnings"):
            del st.session_state[key]
    st.session_state.scene, st.session_state.url_warnings = scene, warnings


def _surface(current):
    names = [*surfaces.names(), S.CUSTOM]
    key = init_key("surface", current["surface"]["name"])
    name = st.selectbox(
        "Test function",
        names,
        key=key,
        format_func=lambda n: "Custom formula f(x, y)" if n == S.CUSTOM else surfaces.get(n).title,
    )
    if name == S.CUSTOM:
        return _formula(current)
    given = current["surface"]["params"] if name == current["surface"]["name"] else {}
    params = {}
    for param, (default, low, high) in surfaces.parameters(name).items():
        pkey = init_key(f"surface.{name}.{param}", float(given.get(param, default)))
        params[param] = st.number_input(
            param, min_value=float(low), max_value=float(high), key=pkey
        )
    return {"name": name, "params": params}


FORMULA_EXAMPLES = (
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x^2 - y^2 + 0.1*y^4",
    "sin(3*x)*cos(3*y) + 0.1*(x^2 + y^2)",
)


def _formula(current):
    """A typed formula with its domain (suggested, or typed); errors shown as they come."""
    entry = current["surface"]
    typed_before = entry["name"] == S.CUSTOM
    text = st.text_input(
        "f(x, y) =",
        key=init_key("formula", entry["expression"] if typed_before else FORMULA_EXAMPLES[0]),
        max_chars=S.MAX_VALUE_CHARS,
        help="Numbers, x, y, pi, e, + - * / ^, sin cos tan exp log sqrt abs tanh ... "
        "The text is parsed against that list, never run as Python.",
    )
    st.caption("Try: " + " · ".join(f"`{example}`" for example in FORMULA_EXAMPLES))
    auto = st.checkbox("Suggest the domain", key=init_key("domain.auto", not typed_before))
    domain = None
    if not auto:
        start = entry["domain"] if typed_before else [[-3.0, 3.0], [-3.0, 3.0]]
        cells = st.columns(4)
        labels = ("x min", "x max", "y min", "y max")
        values = [
            cell.number_input(label, key=init_key(f"domain.{i}", float(start[i // 2][i % 2])))
            for i, (cell, label) in enumerate(zip(cells, labels, strict=True))
        ]
        domain = [values[:2], values[2:]]
    try:
        S.custom_surface(text, None if domain is None else tuple(map(tuple, domain)))
    except ValueError as error:
        kept = "the last valid formula" if typed_before else S.surface_of(current).title
        st.error(
            plain(
                f"{S.clean(text, 80)}: {S.clean(str(error), 300)}. The charts keep showing {kept}."
            ),
            icon=":material/error:",
        )
        return entry  # the last valid surface stays on screen and in the link
    return {"name": S.CUSTOM, "params": {}, "expression": text, "domain": domain}


def surface_key(surface):
    """A name for widget keys that changes whenever the surface does (typed formulas)."""
    if surface.name != S.CUSTOM:
        return surface.name
    digest = hashlib.sha1(repr((surface.expression, surface.domain)).encode()).hexdigest()
    return f"{surface.name}.{digest[:10]}"


def _start_and_steps(current, surface):
    (xmin, xmax), (ymin, ymax) = S.view_box(surface)
    same = S.surface_entry(surface) == current["surface"]
    start = current["start"] if same else surface.default_start
    # "%g" shows a lesson's exact start (the saddle's y = 0.001, not "0.00"); the +/- step
    # is a round hundredth of the view
    step = 10.0 ** math.floor(math.log10(min(xmax - xmin, ymax - ymin) / 100))
    left, right = st.columns(2)
    x = left.number_input(
        "start x",
        float(xmin),
        float(xmax),
        key=init_key(f"start.{surface_key(surface)}.x", float(start[0])),
        step=step,
        format="%g",
    )
    y = right.number_input(
        "start y",
        float(ymin),
        float(ymax),
        key=init_key(f"start.{surface_key(surface)}.y", float(start[1])),
        step=step,
        format="%g",
    )
    steps = st.number_input(
        f"Steps (1 to {S.MAX_STEPS})", 1, S.MAX_STEPS, key=init_key("steps", current["steps"])
    )
    return [x, y], int(steps)


def _schedule(current, steps):
    """The schedule and its parameters.

    Defaults follow the race: when Steps changes, a parameter still at its default for the
    old length (T_max, total_iters...) takes the default for the new one, and an edited
    value stays (``scene.follow_steps``).
    """
    key = init_key("schedule", current["schedule"]["name"])
    name = st.selectbox(
        "Learning-rate schedule",
        schedules.names(),
        key=key,
        format_func=lambda n: schedules.spec(n).title,
    )
    spec = schedules.spec(name)
    st.caption(spec.summary)
    given = current["schedule"] if name == current["schedule"]["name"] else {}
    if given and steps != current["steps"]:
        followed = S.follow_steps(given, current["steps"], steps)
        for param in followed:
            if followed[param] != given[param]:  # the widget starts again from the new value
                st.session_state.pop(f"schedule.{name}.{param}", None)
        given = followed
    out = {"name": name}
    defaults = S.schedule_defaults(name, steps)
    if spec.sets_lr:
        relative = st.checkbox(
            "Rates relative to each racer's lr",
            key=init_key(f"schedule.{name}.{S.RELATIVE}", given.get(S.RELATIVE, True)),
        )
        out[S.RELATIVE] = relative
        rates = "base_lr and max_lr are" if "base_lr" in spec.params else "max_lr is"
        st.caption(
            (
                f"{rates} in multiples of each racer's own lr (with max_lr 1 no racer runs "
                "faster than its lr); the legend and the table show each racer's rates."
                if relative
                else f"{rates} the same for every racer, in absolute terms (PyTorch's "
                "meaning): the racers' own lr is not used."
            )
            + " cycle_momentum (PyTorch's default) also cycles every racer's momentum or "
            "beta1, and leaves out racers with neither."
        )
    for param, meta in spec.params.items():
        value = given.get(param, defaults[param])
        if value is None:  # worked out by the schedule, e.g. onecycle's total_steps
            st.caption(f"{param}: automatic ({meta.none_means})")
            continue
        out[param] = _param_widget(f"schedule.{name}.{param}", param, meta, value)
    warm = init_key("warmup", int(current["schedule"]["warmup_steps"]))
    out["warmup_steps"] = st.number_input("Warmup steps (0: off)", 0, S.MAX_STEPS, key=warm)
    return out


def _param_widget(key, label, meta, value):
    if isinstance(meta.kind, tuple):
        return st.selectbox(label, meta.kind, key=init_key(key, value), help=meta.help)
    if meta.kind == "bool":
        return st.checkbox(label, key=init_key(key, bool(value)), help=meta.help)
    if meta.kind == "ints":
        text = st.text_input(label, key=init_key(key, ", ".join(map(str, value))), help=meta.help)
        return [int(v) if v.strip().isdigit() else v for v in text.split(",")]
    # the +/- buttons stop at the parameter's bounds (an open bound is still refused with a
    # warning by validation: a number input has no open bounds)
    kind = int if meta.kind == "int" else float
    bounds = {
        name: kind(bound)
        for name, bound in (("min_value", meta.low), ("max_value", meta.high))
        if math.isfinite(bound)
    }
    if meta.kind == "int":
        return st.number_input(
            label, step=1, key=init_key(key, int(value)), help=meta.help, **bounds
        )
    return st.number_input(
        label, key=init_key(key, float(value)), help=meta.help, format="%g", **bounds
    )


def _options(current):
    """Noise and clipping. A setting that is off hides its value's widget (each widget costs
    the rerun time; the value passes through from the scene meanwhile)."""
    options = current["options"]
    noise = st.number_input(
        "Gradient noise σ (0: off)",
        0.0,
        1e3,
        key=init_key("noise", options["noise_std"]),
        format="%g",
    )
    seed = options["seed"]
    if noise > 0:
        seed = st.number_input("Noise seed", 0, 2**31 - 1, key=init_key("seed", seed))
    out = {"noise_std": noise, "seed": int(seed)}
    for name, label in (
        ("clip_norm", "Clip gradient norm"),
        ("clip_value", "Clip gradient values"),
    ):
        on = st.checkbox(label, key=init_key(f"{name}.on", options[name] is not None))
        out[name] = None
        if on:
            out[name] = st.number_input(
                f"{label} at", 1e-6, 1e6, key=init_key(name, options[name] or 1.0), format="%g"
            )
    return out


def _view(current):
    view = current["view"]
    return {
        "large_font": st.toggle("Large fonts (projector)", key=init_key("big", view["large_font"])),
        "surface3d": st.toggle("3D surface view", key=init_key("3d", view["surface3d"])),
        "palette": st.selectbox("Palette", S.PALETTES, key=init_key("palette", view["palette"])),
        "tolerance": st.number_input(
            "Tolerance for f − f*", 1e-12, 1e6, key=init_key("tol", view["tolerance"]), format="%g"
        ),
        "grid": st.slider(
            "Contour grid", *S.GRID_RANGE, key=init_key("grid", view["grid"]), step=10
        ),
    }


# ---------------------------------------------------------------- racers


def _racers(current):
    """Every racer of the scene; only the one being edited draws its controls.

    The others pass through from the current scene: drawing six racers' sliders on every
    rerun would cost more than the whole race (Streamlit scans the session per widget).
    """
    st.subheader("Racers")
    count = st.number_input(
        f"How many optimizers race (1 to {S.MAX_OPTIMIZERS})",
        1,
        S.MAX_OPTIMIZERS,
        key=init_key("racers", len(current["optimizers"])),
    )
    racers = current["optimizers"]
    default = S.available()[0]
    out = [racers[i] if i < len(racers) else S.default_racer(default) for i in range(count)]
    buttons = st.container()  # drawn after the edited racer, so its label is current
    editing = st.session_state.get("editing", 0)
    editing = editing if editing in range(count) else 0
    out[editing] = _racer(editing, out[editing])
    with buttons:
        labelled_choice(
            st.segmented_control,
            "Edit racer",
            range(count),
            "editing",
            [S.racer_label(racer, i) for i, racer in enumerate(out)],
        )
    return out


def _racer(index, previous):
    names = S.available()
    left, right = st.columns([2, 3])
    with left:
        name = st.selectbox(
            "Optimizer",
            names,
            key=init_key(f"o{index}", previous["name"]),
            format_func=lambda n: optimizers.spec(n).title,
        )
        racer = {"name": name}
        inner = "sgd"
        if name == "lookahead":
            inner = st.selectbox(
                "Inner optimizer",
                S.inner_choices(),
                key=init_key(f"o{index}.inner", previous.get("inner", "sgd")),
            )
            racer["inner"] = inner
        spec = optimizers.spec(name, inner)
        given = previous["hyper"] if previous["name"] == name else {}
        racer["hyper"] = {
            h.name: _hyper_widget(hyper_key(index, racer, h.name), h, given.get(h.name, h.default))
            for h in spec.controls()
        }
    with right:
        st.markdown(f"**{spec.title}**: {spec.summary}")
        st.latex(spec.algorithm)
        st.caption(spec.source)
    return racer


def hyper_key(index, racer, param, position=None):
    """The session key of racer ``index``'s widget for ``param`` (or for element
    ``position`` of a pair): ``o0.adam.sgd.lr``, ``o0.adam.sgd.betas.1``."""
    key = f"o{index}.{racer['name']}.{racer.get('inner', 'sgd')}.{param}"
    return key if position is None else f"{key}.{position}"


def _hyper_widget(key, hyper, value):
    if isinstance(hyper.default, tuple):
        return [
            _one_hyper(f"{key}.{i}", hyper, hyper.symbol[i], f"{hyper.name}[{i}]", v)
            for i, v in enumerate(value)
        ]
    return _one_hyper(key, hyper, hyper.symbol, hyper.name, value)


def _one_hyper(key, hyper, symbol, name, value):
    """The control of one hyperparameter element, labelled with the update rule's symbol
    and the keyword (``β₂ · betas[1]``) that the link and the engine use."""
    label = f"${symbol}$ · {name}"
    help = f"{hyper.help} (`{name}`)"
    if hyper.kind == "bool":  # a flag's symbol is its name: "nesterov", once
        return st.checkbox(name, key=init_key(key, bool(value)), help=help)
    low, high = hyper.ui
    if hyper.kind == "int":
        low, high = int(min(low, value)), int(max(high, value))
        return st.slider(label, low, high, key=init_key(key, int(value)), help=help)
    if hyper.log or hyper.near_one:
        stops = near_one_options if hyper.near_one else log_options
        return st.select_slider(
            f"{label} ({'1 − value on a log scale' if hyper.near_one else 'log scale'})",
            stops(low, high, value),
            key=init_key(key, float(value)),
            help=help,
            format_func=lambda v: f"{v:g}",
        )
    low, high = float(min(low, value)), float(max(high, value))
    return st.slider(label, low, high, key=init_key(key, float(value)), help=help, format="%g")


def log_options(low, high, value):
    """Slider stops 1, 2, 5 per decade from ``low`` to ``high``, plus ``value`` itself."""
    low = max(low, 1e-12)
    stops = {
        float(f"{m * 10.0**e:.12g}")
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
    }
    stops = {v for v in stops if low <= v <= high}
    return sorted(stops | {float(value)})


def near_one_options(low, high, value):
    """Stops for a decay rate in [``low``, ``high``]: 1 - v at 1, 2, 5 per decade, so that
    0, 0.5, 0.9, 0.99, 0.999, 0.9999 are all exact stops; plus ``value`` itself."""
    gaps = log_options(max(_one_minus(high), 1e-12), _one_minus(low), _one_minus(low))
    stops = {_one_minus(gap) for gap in gaps}
    return sorted({v for v in stops if low <= v <= high} | {float(value)})


def _one_minus(value):
    """1 - ``value`` to 12 digits: 1 - 0.99 is 0.010000000000000009 in floating point."""
    return float(f"{1.0 - value:.12g}")


# ---------------------------------------------------------------- computing a scene
# (cached here, not in app.py: Streamlit hashes a cached function's source each time its
# decorator runs, and app.py runs on every rerun)


@st.cache_resource(max_entries=16, show_spinner=False)
def surface_layers(surface_key, size, large_font):
    """The grid and drawn layers of one surface; keyed by small arguments only."""
    surface = S.surface_of({"surface": S.json.loads(surface_key)})
    box = S.view_box(surface)
    grid = F.surface_grid(surface, box, size)
    return grid, F.surface_layers(surface, grid, {"large_font": large_font}, box)


def race_key(scene):
    """The key of ``race`` for ``scene``: its JSON without the sweep's settings, which the
    race does not draw (choosing what to sweep must not rebuild the race)."""
    landscape = {k: v for k, v in scene["landscape"].items() if not k.startswith("sweep")}
    return S.scene_key({**scene, "landscape": landscape})


@st.cache_resource(max_entries=32, show_spinner=False)
def race(scene_key):
    """Trajectories, figures and table of one scene, built once per distinct scene."""
    scene = S.json.loads(scene_key)
    surface, view = S.surface_of(scene), scene["view"]
    box = S.view_box(surface)
    trajectories = S.run_scene(scene)
    labels = S.racer_labels(scene)
    surface_key = S.json.dumps(scene["surface"], sort_keys=True)
    grid, layers = surface_layers(surface_key, view["grid"], view["large_font"])
    badge = S.active_options(scene)
    under, over = LV.overlay(scene, trajectories, LV.stored_basin(scene))
    return {
        "trajectories": trajectories,
        "labels": labels,
        "race": F.race_figure(
            surface, box, grid, trajectories, labels, view, badge, layers, under, over
        ),
        "surface3d": view["surface3d"]
        and F.surface3d_figure(surface, grid, trajectories, labels, view, box, layers),
        "metrics": F.metrics_figure(surface, trajectories, labels, view),
        "table": T.results_table(surface, trajectories, labels, view["tolerance"]),
        "lr": F.lr_preview_figure(lr_values(scene), labels, view),
    }


# ---------------------------------------------------------------- showing a scene


def surface_header(surface):
    """The surface's formula and what it teaches, above the charts."""
    formula, note = st.columns([3, 2], vertical_alignment="center")
    formula.latex(surface.latex)
    note.caption(f"**{surface.title}**: {surface.note}")


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
    status.textContent = copied ? "Copied: paste it anywhere to reopen this scene."
      : "Your browser blocked copying: the address bar holds the same link.";
  };
}
</script>
"""


def share_link(query):
    """A button that copies a link to this exact scene in one click or tap, and says so."""
    base = (st.context.url or "").split("?")[0]
    link = html.escape(base + "?" + urlencode(query, safe=",:/"), quote=True)
    st.html(
        f'<div class="gs-share"><button class="gs-copy" data-link="{link}" '
        'title="Copy a link that reopens every setting of this scene">'
        "Copy a link to this scene</button>"
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


def race_chart(figure, scene):
    """The animated race; a click (a tap) on the contour moves the start point there."""
    st.plotly_chart(figure, key="race", on_select=_start_from_click, selection_mode="points")
    st.html(RACE_SCRIPT, unsafe_allow_javascript=True)
    st.caption("Click anywhere on the contour to start the race from there.")


def _start_from_click():
    points = [p for p in st.session_state.race.selection.points if "x" in p and "y" in p]
    if not points:
        return
    surface = S.surface_of(st.session_state.scene)
    box = S.view_box(surface)
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


MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$^:=&])")
# Streamlit turns these into symbols (<= into ≤, :smile: into an emoji) even when every
# sign is escaped; only a code span shows them as written.
TYPOGRAPHIC = re.compile(r"(<=|>=|<-|->|~=|--|:[\w+-]+:|:[a-z]+\[)")


def plain(text):
    """``text`` to show through Streamlit's Markdown exactly as written: what a student
    typed (``x**``, ``2^x``, ``x <= y``, ``__import__``) must not turn into italics, bold,
    LaTeX, symbols or emoji, or vanish as an HTML tag."""
    parts = TYPOGRAPHIC.split(text)  # odd positions: the matches
    return "".join(
        f"`{part}`" if index % 2 else MARKDOWN_SIGNS.sub(r"\\\1", part)
        for index, part in enumerate(parts)
    )


def show_warnings(warnings, limit=8):
    for text in warnings[:limit]:
        st.warning(plain(text), icon=":material/warning:")
    if len(warnings) > limit:
        st.warning(f"... and {len(warnings) - limit} more problems in the input were ignored.")


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
            "Trajectories as CSV (step, x, y, f, gx, gy, lr)",
            [EVERY_RACER, *range(len(labels))],
            "csv.which",
            ["every racer, one file", *labels],
        )
    if which == EVERY_RACER:
        data, name = (lambda: T.trajectories_csv(trajectories, labels)), "trajectories"
    else:
        traj = trajectories[which]
        data, name = (lambda: T.trajectory_csv(traj)), f"{which + 1}-{traj.optimizer}"
    right.download_button(
        "Download CSV",
        data=data,
        file_name=f"gradscape-{name}.csv",
        mime="text/csv",
        key="csv",
        on_click="ignore",
        icon=":material/download:",
    )


ANIMATION_FRAMES = (2, 300)  # as render.FRAMES_RANGE, without importing the encoders
EXPORT_FORMATS = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "gif": "image/gif",
    "mp4": "video/mp4",
}


@st.cache_resource(show_spinner=False)
def _browser():
    """One Chromium for the whole server: sessions share it (it draws one at a time)."""
    from .browser import Browser

    return Browser()


def export_panel(scene):
    """Render this race as a picture or an animation (the export command's code path)."""
    with st.expander("Export this race: PNG, SVG, GIF or MP4"):
        left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
        fmt = left.segmented_control(
            "Format", list(EXPORT_FORMATS), key=init_key("export.format", "png")
        )
        fmt = fmt or "png"
        frames = middle.number_input(
            "Animation frames", *ANIMATION_FRAMES, key=init_key("export.frames", 60)
        )
        key = (S.scene_key(scene), fmt, frames)
        if right.button("Render", key="export.go", icon=":material/movie:"):
            from . import render  # imageio and the encoders: loaded on the first export only

            bar = st.progress(0.0, text=f"Rendering {fmt.upper()}...")
            data = render.render(
                scene,
                fmt,
                render.Options(frames=int(frames)),
                browser=_browser(),
                progress=lambda done, total: bar.progress(done / total, f"frame {done}/{total}"),
            )
            bar.empty()
            st.session_state.export = key, data
        done = st.session_state.get("export")
        if done and done[0] == key:
            st.download_button(
                f"Download {fmt.upper()} ({len(done[1]) / 1e3:.0f} kB)",
                data=done[1],
                file_name=f"gradscape-race.{fmt}",
                mime=EXPORT_FORMATS[fmt],
                key="export.download",
                on_click="ignore",
            )
        st.caption(
            "The same pictures as `python -m viz.export`; animations show every racer with "
            "a step counter."
        )


def lr_values(scene):
    """Each racer's learning rate over the steps, for the schedule preview."""
    return [np.asarray(S.schedule_rates(scene, r["hyper"]["lr"])) for r in scene["optimizers"]]
