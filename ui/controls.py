"""The sidebar and racer controls: the widgets that describe a scene.

Every widget has a key and takes its first value from the current scene (the URL's on a
fresh session), so the widgets and the scene never disagree. ``read_scene`` returns the
scene's JSON form as the widgets describe it; ``scene.validate`` makes it a Scene. Keys of
per-choice widgets include the choice (``o1.adam.sgd.lr``) so switching optimizer or
surface starts from defaults. Racers are numbered from 1, as people count them.
"""

import hashlib
import math
from dataclasses import replace

import streamlit as st

import i18n
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

from . import rule_box
from .batch_control import batch_control, carried, racer_batch_control
from .inspector import controls as inspector_controls
from .landscape import controls as landscape_controls
from .widgets import hyper_key, hyper_widget, init_key, labelled_choice, param_widget, plain
from .words import LANG_KEY, data, keyed, lang, say, titled, tr

NEW_RACER = "sgd"  # what a racer added by the count starts as
CUSTOM_TITLE = "Custom formula f(x, y)"  # the typed formula among the test functions


def read_scene(current):
    """``(raw scene, lr preview slot)``: the scene's JSON form as the widgets describe it,
    starting from ``current`` (a validated Scene), and the sidebar's place for the
    schedule's preview."""
    raw = {}
    with st.sidebar:
        raw["lang"] = _language(current)
        _lessons()
        st.header(tr("sidebar.surface"))
        raw["surface"] = _surface(current)
        surface = resolve_surface(raw["surface"])
        raw["start"], raw["steps"] = _start_and_steps(current, surface)
        st.header(tr("sidebar.schedule"))
        raw["schedule"] = _schedule(current, raw["steps"])
        lr_slot = st.container()
        st.header(tr("sidebar.options"))
        raw["options"] = _options(current, surface)
        st.header(tr("sidebar.view"))
        raw["view"] = _view(current)
        grid = View.param("grid").high
        st.caption(tr("sidebar.caps", racers=MAX_RACERS, steps=STEPS.high, grid=grid))
    racers = _racers(current, surface, raw["options"]["batch_size"])
    raw["optimizers"] = [racer.to_dict() for racer in racers]
    raw["view"]["lang"] = raw.pop("lang")
    with st.sidebar:
        raw["view"].update(inspector_controls(current, racers, raw["steps"]))
        raw["landscape"] = landscape_controls(current, racers)
    return raw, lr_slot


def _language(current):
    """The language choice (English / 简体中文): a change keeps the scene and draws every
    widget again from it, with labels in the new language."""
    key = init_key(LANG_KEY, current.view.lang)  # before the first text in that language
    choice = st.selectbox(
        tr("sidebar.language"),
        list(i18n.LANGUAGES),
        key=key,
        format_func=i18n.LANGUAGES.get,
        on_change=_switch_language,
    )
    return choice


def _switch_language():
    scene = st.session_state.scene
    view = scene.view.replace(lang=st.session_state[LANG_KEY])
    _restart_widgets(scene.replace(view=view), st.session_state.url_warnings, LANG_KEY)


def _restart_widgets(scene, warnings, *kept):
    """Make ``scene`` the session's, every widget but ``kept`` starting again from it."""
    for key in list(st.session_state):
        if key not in (*kept, "url_warnings"):
            del st.session_state[key]
    st.session_state.scene, st.session_state.url_warnings = scene, warnings


def _lessons():
    """The lessons menu: choosing one replaces the whole scene with that preset's."""
    st.header(tr("sidebar.lessons"))
    name = st.selectbox(
        tr("lessons.label"),
        presets.names(),
        index=None,
        placeholder=tr("lessons.placeholder"),
        key="lesson",
        format_func=titled(presets.title),
        on_change=_load_lesson,
    )
    if name:
        st.caption(data(presets.describe(name)))


def _load_lesson():
    name = st.session_state.lesson
    if name is None:
        return
    scene, warnings = presets.load(name)
    language = st.session_state.get(LANG_KEY, scene.view.lang)
    scene = scene.replace(view=scene.view.replace(lang=language))  # the reader's language
    _restart_widgets(scene, warnings, "lesson", LANG_KEY)


def _surface(current):
    names = [*surfaces.names(), CUSTOM]
    key = init_key("surface", current.surface.name)
    name = st.selectbox(
        tr("surface.label"),
        names,
        key=key,
        format_func=titled(lambda n: CUSTOM_TITLE if n == CUSTOM else surfaces.title(n)),
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
        help=tr("formula.help"),
    )
    st.caption(tr("formula.try") + " · ".join(f"`{example}`" for example in FORMULA_EXAMPLES))
    auto = st.checkbox(tr("formula.auto_domain"), key=init_key("domain.auto", not typed_before))
    domain = None
    if not auto:
        start = entry.domain if typed_before else [[-3.0, 3.0], [-3.0, 3.0]]
        cells = st.columns(4)
        labels = [tr(f"formula.{bound}") for bound in ("xmin", "xmax", "ymin", "ymax")]
        values = [
            cell.number_input(label, key=init_key(f"domain.{i}", float(start[i // 2][i % 2])))
            for i, (cell, label) in enumerate(zip(cells, labels, strict=True))
        ]
        domain = [values[:2], values[2:]]
    try:
        custom_surface(text, None if domain is None else tuple(map(tuple, domain)))
    except ValueError as error:
        kept = tr("formula.last_valid") if typed_before else data(surface_of(entry).title)
        problem = say(clean(str(error), 300))
        st.error(
            plain(tr("formula.error", text=clean(text, 80), problem=problem, kept=kept)),
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
            tr("start.label", axis=axis),
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
    steps = param_widget("steps", tr("steps.label", most=STEPS.high), STEPS, current.steps)
    return point, int(steps)


def _schedule(current, steps):
    """The schedule and its parameters.

    Defaults follow the race: when Steps changes, a parameter still at its default for the
    old length (T_max, total_iters...) takes the default for the new one, and an edited
    value stays (``scene.defaults.follow_steps``).
    """
    key = init_key("schedule", current.schedule.name)
    name = st.selectbox(
        tr("schedule.label"),
        schedules.names(),
        key=key,
        format_func=titled(lambda n: schedules.spec(n).title),
    )
    spec = schedules.spec(name)
    st.caption(data(spec.summary))
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
            tr("schedule.relative"),
            key=init_key(f"schedule.{name}.{RELATIVE}", given.get(RELATIVE, True)),
        )
        out[RELATIVE] = relative
        rates = tr("schedule.rates_both" if "base_lr" in spec.params else "schedule.rates_max")
        meaning = "schedule.relative_on" if relative else "schedule.relative_off"
        st.caption(tr(meaning, rates=rates) + " " + tr("schedule.cycle_momentum"))
    for param, meta in spec.params.items():
        value = given.get(param, defaults[param])
        if value is None:  # worked out by the schedule, e.g. onecycle's total_steps
            st.caption(tr("schedule.automatic", param=param, means=data(meta.none_means)))
            continue
        out[param] = param_widget(f"schedule.{name}.{param}", param, meta, value)
    warmup = Param("warmup_steps", 0, low=0, high=STEPS.high, kind="int")
    out["warmup_steps"] = param_widget(
        "warmup", tr("schedule.warmup"), warmup, current.schedule.warmup_steps
    )
    return out


def _options(current, surface):
    """Noise, the mini-batch size (a surface made from data) and clipping. A setting that
    is off hides its value's widget (each widget costs the rerun time; the value passes
    through from the scene meanwhile); the seed shows when noise or batches use it."""
    options = current.options
    noise_std = Options.param("noise_std")
    noise = param_widget("noise", tr("options.noise"), noise_std, options.noise_std)
    batch = batch_control(surface, options.batch_size)
    if surface.data is not None:
        st.caption(tr("options.batch.default"))
    seed = options.seed
    if noise > 0 or batch is not None:
        seed = param_widget("seed", tr("options.seed"), Options.param("seed"), seed)
    out = {"noise_std": noise, "seed": int(seed), "batch_size": batch}
    for name in ("clip_norm", "clip_value"):
        value = getattr(options, name)
        on = st.checkbox(tr(f"options.{name}"), key=init_key(f"{name}.on", value is not None))
        out[name] = None
        if on:
            label = tr(f"options.{name}.at")
            out[name] = param_widget(name, label, Options.param(name), value or 1.0)
    return out


def _view(current):
    view = current.view
    grid = View.param("grid")
    return {
        "large_font": st.toggle(tr("view.large_font"), key=init_key("big", view.large_font)),
        "surface3d": st.toggle(tr("view.surface3d"), key=init_key("3d", view.surface3d)),
        "palette": st.selectbox(
            tr("view.palette"),
            PALETTES,
            key=init_key("palette", view.palette),
            format_func=keyed("palette."),
        ),
        "tolerance": param_widget(
            "tol", tr("view.tolerance"), View.param("tolerance"), view.tolerance
        ),
        "grid": st.slider(
            tr("view.grid"), grid.low, grid.high, key=init_key("grid", view.grid), step=10
        ),
        "paths": st.radio(
            tr("grow.paths"),
            View.param("paths").kind,
            key=init_key("paths", view.paths),
            format_func=keyed("grow.style."),
            horizontal=True,
            help=tr("grow.help"),
        ),
    }


# ---------------------------------------------------------------- racers


def _racers(current, surface, scene_batch):
    """Every racer of the scene; only the one being edited draws its controls.

    The others pass through from the current scene: drawing six racers' sliders on every
    rerun would cost more than the whole race (Streamlit scans the session per widget).
    A racer's own batch size is kept as far as the surface allows (``carried``).
    """
    st.subheader(tr("racers.header"))
    count = st.number_input(
        tr("racers.count", most=MAX_RACERS),
        1,
        MAX_RACERS,
        key=init_key("racers", len(current.racers)),
    )
    racers = current.racers
    numbers = range(1, count + 1)
    out = [racers[n - 1] if n <= len(racers) else default_racer(NEW_RACER) for n in numbers]
    out = [replace(racer, batch_size=carried(surface, racer.batch_size)) for racer in out]
    buttons = st.container()  # drawn after the edited racer, so its label is current
    editing = st.session_state.get("editing", 1)
    editing = editing if editing in numbers else 1
    out[editing - 1] = _racer(editing, out[editing - 1], surface, scene_batch)
    with buttons:
        labelled_choice(
            st.segmented_control,
            tr("racers.edit"),
            numbers,
            "editing",
            [racer_label(racer, number, lang=lang()) for number, racer in numbered(out)],
        )
    return out


def _racer(number, previous, surface, scene_batch):
    """Racer ``number``'s controls (a Racer from them) beside its update rule, with its
    own batch size on a surface made from data (the scene's is ``scene_batch``)."""
    left, right = st.columns([2, 3])
    with left:
        name = st.selectbox(
            tr("racer.optimizer"),
            optimizers.names(),
            key=init_key(f"o{number}", previous.name),
            format_func=titled(lambda n: optimizers.spec(n).title),
        )
        inner = None
        if optimizers.chooses_inner(name):
            inner = st.selectbox(
                tr("racer.inner"),
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
        batch = racer_batch_control(surface, number, previous.batch_size, scene_batch)
    with right:
        st.markdown(f"**{data(spec.title)}**: {data(spec.summary)}")
        for block in rule_box.blocks(i18n.algorithm(spec.algorithm, lang())):
            st.latex(block)
        st.caption(data(spec.source))
    return Racer(name, hyper, inner, batch)
