"""The sidebar and racer controls: the widgets that describe a scene.

Every widget has a key and takes its first value from the current scene (the URL's on a
fresh session), so the widgets and the scene never disagree. ``read_scene`` returns the
scene's JSON form as the widgets describe it; ``scene.validate`` makes it a Scene. Keys of
per-choice widgets include the choice (``o1.adam.sgd.lr``) so switching optimizer or
surface starts from defaults. Racers are numbered from 1, as people count them.
"""

import hashlib
import math

import streamlit as st

import optimizers
import surfaces
from optimizers import schedules
from parameters import Param
from scene import presets
from scene.defaults import INNER, follow_steps, schedule_params, surface_choice
from scene.defaults import racer as default_racer
from scene.link import MAX_VALUE_CHARS
from scene.model import CUSTOM, MAX_RACERS, PALETTES, RELATIVE, STEPS, Options, Racer, View
from scene.run import custom_surface, surface_of, view_box
from scene.text import clean, numbered, racer_label
from scene.validate import resolve_surface

from .landscape import controls as landscape_controls
from .widgets import hyper_key, hyper_widget, init_key, labelled_choice, param_widget, plain

NEW_RACER = "sgd"  # what a racer added by the count starts as


def read_scene(current):
    """``(raw scene, lr preview slot)``: the scene's JSON form as the widgets describe it,
    starting from ``current`` (a validated Scene), and the sidebar's place for the
    schedule's preview."""
    raw = {}
    with st.sidebar:
        _lessons()
        st.header("Surface")
        raw["surface"] = _surface(current)
        surface = resolve_surface(raw["surface"])
        raw["start"], raw["steps"] = _start_and_steps(current, surface)
        st.header("Schedule")
        raw["schedule"] = _schedule(current, raw["steps"])
        lr_slot = st.container()
        st.header("Options")
        raw["options"] = _options(current)
        st.header("View")
        raw["view"] = _view(current)
        grid = View.param("grid").high
        st.caption(
            f"Caps: {MAX_RACERS} optimizers, {STEPS.high} steps, contour grid "
            f"{grid} x {grid}; above 1000 steps the animation shows every k-th step."
        )
    racers = _racers(current)
    raw["optimizers"] = [racer.to_dict() for racer in racers]
    with st.sidebar:
        raw["landscape"] = landscape_controls(current, racers)
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
    names = [*surfaces.names(), CUSTOM]
    key = init_key("surface", current.surface.name)
    name = st.selectbox(
        "Test function",
        names,
        key=key,
        format_func=lambda n: "Custom formula f(x, y)" if n == CUSTOM else surfaces.get(n).title,
    )
    if name == CUSTOM:
        return _formula(current)
    given = current.surface.params if name == current.surface.name else {}
    params = {}
    for key, param in surfaces.parameters(name).items():
        value = float(given.get(key, param.default))
        params[key] = param_widget(f"surface.{name}.{key}", key, param, value)
    return {"name": name, "params": params}


FORMULA_EXAMPLES = (
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x^2 - y^2 + 0.1*y^4",
    "sin(3*x)*cos(3*y) + 0.1*(x^2 + y^2)",
)


def _formula(current):
    """A typed formula with its domain (suggested, or typed); errors shown as they come."""
    entry = current.surface
    typed_before = entry.name == CUSTOM
    text = st.text_input(
        "f(x, y) =",
        key=init_key("formula", entry.expression if typed_before else FORMULA_EXAMPLES[0]),
        max_chars=MAX_VALUE_CHARS,
        help="Numbers, x, y, pi, e, + - * / ^, sin cos tan exp log sqrt abs tanh ... "
        "The text is parsed against that list, never run as Python.",
    )
    st.caption("Try: " + " · ".join(f"`{example}`" for example in FORMULA_EXAMPLES))
    auto = st.checkbox("Suggest the domain", key=init_key("domain.auto", not typed_before))
    domain = None
    if not auto:
        start = entry.domain if typed_before else [[-3.0, 3.0], [-3.0, 3.0]]
        cells = st.columns(4)
        labels = ("x min", "x max", "y min", "y max")
        values = [
            cell.number_input(label, key=init_key(f"domain.{i}", float(start[i // 2][i % 2])))
            for i, (cell, label) in enumerate(zip(cells, labels, strict=True))
        ]
        domain = [values[:2], values[2:]]
    try:
        custom_surface(text, None if domain is None else tuple(map(tuple, domain)))
    except ValueError as error:
        kept = "the last valid formula" if typed_before else surface_of(entry).title
        st.error(
            plain(f"{clean(text, 80)}: {clean(str(error), 300)}. The charts keep showing {kept}."),
            icon=":material/error:",
        )
        return entry.to_dict()  # the last valid surface stays on screen and in the link
    return {"name": CUSTOM, "params": {}, "expression": text, "domain": domain}


def surface_key(surface):
    """A name for widget keys that changes whenever the surface does (typed formulas)."""
    if surface.name != CUSTOM:
        return surface.name
    digest = hashlib.sha1(repr((surface.expression, surface.domain)).encode()).hexdigest()
    return f"{surface.name}.{digest[:10]}"


def _start_and_steps(current, surface):
    (xmin, xmax), (ymin, ymax) = view_box(surface)
    same = surface_choice(surface) == current.surface
    start = current.start if same else surface.default_start
    # "%g" shows a lesson's exact start (the saddle's y = 0.001, not "0.00"); the +/- step
    # is a round hundredth of the view
    step = 10.0 ** math.floor(math.log10(min(xmax - xmin, ymax - ymin) / 100))
    point = [
        column.number_input(
            f"start {axis}",
            float(low),
            float(high),
            key=init_key(f"start.{surface_key(surface)}.{axis}", float(value)),
            step=step,
            format="%g",
        )
        for column, axis, (low, high), value in zip(
            st.columns(2), "xy", ((xmin, xmax), (ymin, ymax)), start, strict=True
        )
    ]
    steps = param_widget("steps", f"Steps (1 to {STEPS.high})", STEPS, current.steps)
    return point, int(steps)


def _schedule(current, steps):
    """The schedule and its parameters.

    Defaults follow the race: when Steps changes, a parameter still at its default for the
    old length (T_max, total_iters...) takes the default for the new one, and an edited
    value stays (``scene.defaults.follow_steps``).
    """
    key = init_key("schedule", current.schedule.name)
    name = st.selectbox(
        "Learning-rate schedule",
        schedules.names(),
        key=key,
        format_func=lambda n: schedules.spec(n).title,
    )
    spec = schedules.spec(name)
    st.caption(spec.summary)
    given = current.schedule.params if name == current.schedule.name else {}
    if given and steps != current.steps:
        followed = follow_steps(current.schedule, current.steps, steps).params
        for param in followed:
            if followed[param] != given[param]:  # the widget starts again from the new value
                st.session_state.pop(f"schedule.{name}.{param}", None)
        given = followed
    out = {"name": name}
    defaults = schedule_params(name, steps)
    if spec.sets_lr:
        relative = st.checkbox(
            "Rates relative to each racer's lr",
            key=init_key(f"schedule.{name}.{RELATIVE}", given.get(RELATIVE, True)),
        )
        out[RELATIVE] = relative
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
        out[param] = param_widget(f"schedule.{name}.{param}", param, meta, value)
    warmup = Param("warmup_steps", 0, low=0, high=STEPS.high, kind="int")
    out["warmup_steps"] = param_widget(
        "warmup", "Warmup steps (0: off)", warmup, current.schedule.warmup_steps
    )
    return out


def _options(current):
    """Noise and clipping. A setting that is off hides its value's widget (each widget costs
    the rerun time; the value passes through from the scene meanwhile)."""
    options = current.options
    noise_std = Options.param("noise_std")
    noise = param_widget("noise", "Gradient noise σ (0: off)", noise_std, options.noise_std)
    seed = options.seed
    if noise > 0:
        seed = param_widget("seed", "Noise seed", Options.param("seed"), seed)
    out = {"noise_std": noise, "seed": int(seed)}
    for name, label in (
        ("clip_norm", "Clip gradient norm"),
        ("clip_value", "Clip gradient values"),
    ):
        value = getattr(options, name)
        on = st.checkbox(label, key=init_key(f"{name}.on", value is not None))
        out[name] = None
        if on:
            out[name] = param_widget(name, f"{label} at", Options.param(name), value or 1.0)
    return out


def _view(current):
    view = current.view
    grid = View.param("grid")
    return {
        "large_font": st.toggle("Large fonts (projector)", key=init_key("big", view.large_font)),
        "surface3d": st.toggle("3D surface view", key=init_key("3d", view.surface3d)),
        "palette": st.selectbox("Palette", PALETTES, key=init_key("palette", view.palette)),
        "tolerance": param_widget(
            "tol", "Tolerance for f − f*", View.param("tolerance"), view.tolerance
        ),
        "grid": st.slider(
            "Contour grid", grid.low, grid.high, key=init_key("grid", view.grid), step=10
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
        f"How many optimizers race (1 to {MAX_RACERS})",
        1,
        MAX_RACERS,
        key=init_key("racers", len(current.racers)),
    )
    racers = current.racers
    numbers = range(1, count + 1)
    out = [racers[n - 1] if n <= len(racers) else default_racer(NEW_RACER) for n in numbers]
    buttons = st.container()  # drawn after the edited racer, so its label is current
    editing = st.session_state.get("editing", 1)
    editing = editing if editing in numbers else 1
    out[editing - 1] = _racer(editing, out[editing - 1])
    with buttons:
        labelled_choice(
            st.segmented_control,
            "Edit racer",
            numbers,
            "editing",
            [racer_label(racer, number) for number, racer in numbered(out)],
        )
    return out


def _racer(number, previous):
    """Racer ``number``'s controls (a Racer from them) beside its update rule."""
    left, right = st.columns([2, 3])
    with left:
        name = st.selectbox(
            "Optimizer",
            optimizers.names(),
            key=init_key(f"o{number}", previous.name),
            format_func=lambda n: optimizers.spec(n).title,
        )
        inner = None
        if optimizers.chooses_inner(name):
            inner = st.selectbox(
                "Inner optimizer",
                optimizers.inner_choices(),
                key=init_key(f"o{number}.inner", previous.inner or INNER),
            )
        spec = optimizers.spec(name, inner or INNER)
        given = previous.hyper if previous.name == name else {}
        hyper = {
            h.name: hyper_widget(
                hyper_key(number, name, inner, h.name), h, given.get(h.name, h.default)
            )
            for h in spec.controls()
        }
    with right:
        st.markdown(f"**{spec.title}**: {spec.summary}")
        st.latex(spec.algorithm)
        st.caption(spec.source)
    return Racer(name, hyper, inner)
