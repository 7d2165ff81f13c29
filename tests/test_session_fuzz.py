"""The session fuzzer of issue 11: random sequences of what a student touches, in AppTest.

A Hypothesis state machine drives one app session: every slider, select slider, number
input, selectbox, radio, toggle, checkbox and segmented control on screen (values from
the widget's own range or options, plus out-of-range ones where a number can be typed),
typed formulas and schedule milestones, auto-tune, clicks on sweep cells, and links
opened mid-session. After every step:

- no exception element, and the race chart is drawn;
- the URL holds the session's scene: ``from_query(URL) == (scene, [])``;
- every widget on screen shows that scene's value (``shown_mismatches``);
- a fresh session opened from the URL has the same scene (the copied link reopens it).

CI runs a fixed seed within a bounded budget; ``GRADSCAPE_FUZZ_EXAMPLES=n`` runs n
sequences from a random seed (``GRADSCAPE_FUZZ_STEPS`` steps each). Each failing sequence
it ever found is replayed as a plain test in tests/test_regressions.py.

AppTest sends each widget's current value afresh on every run, so stale-label bugs of a
real browser (issue 11's crash) need the browser fuzzer; this one finds the rest.
"""

import json
import math
import os
import re

from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as hs
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
)
from streamlit.proto.NumberInput_pb2 import NumberInput as NumberInputProto
from streamlit.proto.Slider_pb2 import Slider as SliderProto
from streamlit.testing.v1 import AppTest

import optimizers
import scene as S
import surfaces
from i18n import LANGUAGES
from optimizers import minibatch, schedules
from scene import landscape, presets
from scene.model import BASIN_COLORS, OVERLAYS, PALETTES, PATH_STYLES, SWEEP_COLORS
from scene.run import surface_of, sweep_choices
from ui.batch_control import FULL
from ui.controls import surface_key
from ui.panels import EVERY_RACER, EXPORT_FORMATS
from ui.widgets import hyper_key, log_options, near_one_options

TIMEOUT = 300  # the first run of a new worktree compiles the Numba kernels

# ---------------------------------------------------------------- one session, step by step


def _app_with_clicks():
    """app.py after the chart clicks queued in ``session_state["clicks"]``: what the sweep
    chart's on_select callback does before a rerun (AppTest cannot fire selection events)."""
    import runpy
    from pathlib import Path

    import streamlit as st

    import ui
    from ui import landscape

    for points in st.session_state.pop("clicks", []):
        landscape.load_cell(points)
    runpy.run_path(str(Path(ui.__file__).resolve().parent.parent / "app.py"))


class Session:
    """One app session in AppTest, driven by steps as a student takes them.

    A step is a tuple: ``("set", key, value)`` sets the widget ``key``; ``("click", key)``
    clicks a button; ``("cell", points)`` clicks the sweep chart (plotly selection
    points); ``("open", query)`` opens a link in a new session (the first step: ``query``,
    or the app's plain address). ``steps`` records them.
    """

    def __init__(self, query=None):
        self.steps = []
        self.at = None
        self.do(("open", query or {}))  # no query: the app's own address

    def do(self, step):
        self.steps.append(step)
        kind, *args = step
        if kind == "open":
            self.at = opened(args[0])
        elif kind == "set":
            widgets(self.at)[args[0]].set_value(args[1]).run()
        elif kind == "click":
            widgets(self.at)[args[0]].click().run()
        elif kind == "cell":
            self.at.session_state["clicks"] = [args[0]]
            self.at.run()
        else:
            raise ValueError(f"unknown step {step!r}")
        return self

    @property
    def scene(self):
        return self.at.session_state["scene"]


def opened(query):
    """A new session of the app, opened from a link with ``query``."""
    at = AppTest.from_function(_app_with_clicks, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


WIDGET_KINDS = (
    "number_input",
    "slider",
    "select_slider",
    "selectbox",
    "radio",
    "toggle",
    "checkbox",
    "segmented_control",
    "text_input",
    "button",
)


def widgets(at):
    """``{key: widget}`` of every keyed widget on screen; a choice whose labels change
    (``ui.widgets.labelled_choice``: key "mapracer@<digest of its labels>") under its plain
    key."""
    return {base(w.key): w for kind in WIDGET_KINDS for w in getattr(at, kind) if w.key}


def base(key):
    return key.split("@")[0]


# ---------------------------------------------------------------- what must hold after a step


def race_chart(at):
    """The race chart's spec (the Plotly chart whose layout holds the contour picture)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next((spec for spec in specs if spec["layout"].get("images")), None)


def check(session):
    """Everything that must hold after any step (module docstring)."""
    at = session.at
    assert not at.exception, "\n".join(
        f"{e.message}\n{''.join(e.stack_trace)}" for e in at.exception
    )
    assert race_chart(at) is not None, "no race chart"
    scene = session.scene
    in_url, warnings = S.from_query(dict(at.query_params.items()))
    assert warnings == [], f"the URL's warnings: {warnings}"
    assert in_url == scene, f"the URL's scene differs: {_difference(in_url, scene)}"
    mismatches = shown_mismatches(at, scene)
    assert mismatches == {}, f"widgets that do not show the scene: {mismatches}"
    reopens(opened(dict(at.query_params.items())), scene)


def reopens(at, scene):
    """``at``, a new session opened from a link, shows ``scene`` with no warning."""
    assert at.session_state["url_warnings"] == []
    opened_scene = at.session_state["scene"]
    assert opened_scene == scene, (
        f"the link opens another scene: {_difference(opened_scene, scene)}"
    )


def check_link(session):
    """The session goes on in a new tab opened from its link (``check`` has checked that
    the link reopens its scene)."""
    before = session.scene
    session.do(("open", dict(session.at.query_params.items())))
    reopens(session.at, before)


def replay(steps, query=None):
    """A new session taking ``steps`` ("reopen": ``check_link``), checked after each one."""
    session = Session(query)
    check(session)
    for step in steps:
        if step == "reopen":
            check_link(session)
        else:
            session.do(step)
        check(session)
    return session


def _difference(got, expected):
    """The first keys where two scenes differ, for assertion messages."""
    got, expected = got.to_dict(), expected.to_dict()
    return {
        k: (got.get(k), expected.get(k)) for k in {*got, *expected} if got.get(k) != expected.get(k)
    }


def shown_values(at, scene):
    """``{widget key: the value it must show}`` for the widgets that show a part of
    ``scene`` (those not on screen are ignored by the caller)."""
    surface = surface_of(scene.surface)
    name = surface_key(surface)
    scene = scene.to_dict()
    racers, land = scene["optimizers"], scene["landscape"]
    view, options, schedule = scene["view"], scene["options"], scene["schedule"]
    shown = {
        "surface": surface.name,
        f"start.{name}.x": scene["start"][0],
        f"start.{name}.y": scene["start"][1],
        "steps": scene["steps"],
        "schedule": schedule["name"],
        "warmup": schedule["warmup_steps"],
        "noise": options["noise_std"],
        "seed": options["seed"],
        "big": view["large_font"],
        "3d": view["surface3d"],
        "palette": view["palette"],
        "tol": view["tolerance"],
        "grid": view["grid"],
        "inspect": view["inspect"],
        "inspect_step": view["inspect_step"],
        "paths": view["paths"],
        "racers": len(racers),
        "map": land["overlay"],
        "mapby": land["color"],
        "mapn": land["grid"],
        "mapracer": land["racer"],
        "curv": land["curvature"],
        "sweep": land["sweep"],
        "sweepby": land["sweep_color"],
    }
    if surface.data is not None:  # the batch-size control of a surface made from data
        key = f"batch.{surface.name}.{minibatch.samples(surface)}"
        shown[key] = FULL if options["batch_size"] is None else options["batch_size"]
    for clip in ("clip_norm", "clip_value"):
        shown[f"{clip}.on"] = options[clip] is not None
        shown[clip] = options[clip]
    for param, value in scene["surface"]["params"].items():
        shown[f"surface.{surface.name}.{param}"] = value
    for param, value in schedule.items():  # milestones: a text box may show a typo
        if param != "name":
            shown[f"schedule.{schedule['name']}.{param}"] = value
    for number, racer in enumerate(racers, start=1):
        shown[f"o{number}"] = racer["name"]
        inner = racer.get("inner")
        if inner:
            shown[f"o{number}.inner"] = inner
        for param, value in racer["hyper"].items():
            if isinstance(value, list):
                for position, element in enumerate(value):
                    key = hyper_key(number, racer["name"], inner, param, position)
                    shown[key] = element
            else:
                shown[hyper_key(number, racer["name"], inner, param)] = value
    return shown


def shown_mismatches(at, scene):
    """``{key: (shown, in the scene)}`` for widgets that do not show the scene's value and
    no warning on screen names their parameter (a value the scene refused, with a message
    that says so, may stay in its box: so may a typo in a text box)."""
    shown = shown_values(at, scene)
    # as shown: without the Markdown escapes (ui.widgets.plain)
    messages = re.sub(r"\\(.)", r"\1", " ".join(m.value for m in [*at.warning, *at.error]))
    return {
        key: (w.value, shown[key])
        for key, w in widgets(at).items()
        if key in shown
        and w.type != "text_input"
        and w.value != shown[key]
        and f"{message_name(key)}=" not in messages
        and not (key == "surface" and "The charts keep showing" in messages)
    }


# widget keys whose scene parameter is named otherwise in messages
MESSAGE_NAMES = {
    "warmup": "warmup_steps",
    "noise": "noise_std",
    "big": "large_font",
    "3d": "surface3d",
    "tol": "tolerance",
    "map": "overlay",
    "mapby": "color",
    "mapn": "grid",
    "mapracer": "racer",
    "curv": "curvature",
    "sweepby": "sweep_color",
}


def message_name(key):
    """The name a warning gives the parameter of widget ``key`` ("o1.adam.sgd.betas.1":
    betas, "start.beale.x": start)."""
    parts = key.split(".")
    if parts[0] in ("start", "batch"):
        return {"start": "start", "batch": "batch_size"}[parts[0]]
    if parts[-1].isdigit():
        return parts[-2]
    return MESSAGE_NAMES.get(key, parts[-1])


# ---------------------------------------------------------------- what a student can choose


def choices(scene, key):
    """The values behind the options of selectbox, radio or segmented control ``key``."""
    numbers = range(1, len(scene.racers) + 1)
    table = {
        "lesson": presets.names(),
        "surface": [*surfaces.names(), S.CUSTOM],
        "schedule": schedules.names(),
        "palette": PALETTES,
        "paths": PATH_STYLES,
        "map": OVERLAYS,
        "mapby": BASIN_COLORS,
        "mapracer": numbers,
        "sweep": sweep_choices(scene.chosen),
        "sweepby": SWEEP_COLORS,
        "editing": numbers,
        "csv.which": [EVERY_RACER, *numbers],
        "export.format": list(EXPORT_FORMATS),
        "lang": list(LANGUAGES),
        "inspect": [0, *numbers],
    }
    if key in table:
        return list(table[key])
    if key.startswith("schedule."):
        _, name, param = key.split(".")
        return list(schedules.spec(name).params[param].kind)
    if key.endswith(".inner"):
        return optimizers.inner_choices()
    return optimizers.names()  # o1, o2, ...: a racer's optimizer


FORMULAS = (
    "x^2 + y^2",
    "sin(x)*y",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "x^2 - y^2 + 0.1*y^4",
    "exp(-x^2 - y^2)",
    "sqrt(x^2 + y^2)",
    "log(x)",
    "1/x + y",
    "x**",
    "__import__('os')",
    "x <= y",
    "x.__class__",
    "",
    "y",
    "7",
    "x^2 + * y",
    "sin(x, y)",
    "z + x",
    "1e400*x",
    "(" * 50 + "x" + ")" * 50,
)
FORMULA = hs.one_of(
    hs.sampled_from(FORMULAS),
    hs.text(alphabet="xy0123456789.+-*/^() sincoexpltarq_'<=", max_size=24),
)
MILESTONES = ("100, 200", "5", "", "abc", "0", "-3, 4", "10,10", "99999", "1, 2, 3, 4, 5", " 7 ")
ODD_NUMBERS = (0.0, -1.0, 1e-9, 0.5, 1.0, 2.0, 1e3, -1e3, 1e9, 1e300, -1e300)


def number_value(widget):
    """A value a student may type or step to in number input ``widget``: inside its range
    mostly, sometimes just outside it or absurd."""
    low, high, step = widget.min, widget.max, widget.step
    whole = widget.proto.data_type == NumberInputProto.INT
    value = widget.value
    inside = []
    if low is not None and high is not None:
        inside.append(hs.integers(int(low), int(high)) if whole else hs.floats(low, high))
    if value is not None:
        nearby = [value + step, value - step, value * 2, value / 2]
        inside.append(hs.sampled_from([v for v in nearby if _within(v, low, high)] or [value]))
    outside = [v for v in ODD_NUMBERS if not _within(v, low, high)]
    if low is not None:
        outside.append(low - step)
    if high is not None:
        outside.append(high + step)
    strategy = hs.one_of(*inside, hs.sampled_from(ODD_NUMBERS + tuple(outside)))
    return strategy.map(lambda v: int(v) if whole else float(v))


def _within(value, low, high):
    return (low is None or value >= low) and (high is None or value <= high)


def slider_value(widget):
    """A stop of slider ``widget`` (a slider cannot leave its range)."""
    stops = round((widget.max - widget.min) / widget.step)
    whole = widget.proto.data_type == SliderProto.INT

    def at_stop(k):
        value = widget.min + k * widget.step
        return int(value) if whole else float(f"{value:.12g}")

    return hs.integers(0, stops).map(at_stop)


def stop_of(key, value, label):
    """The value of the stop labelled ``label`` (f"{v:g}") of the select slider of racer
    hyperparameter ``key`` (o1.adam.sgd.lr, o1.adam.sgd.betas.1), now at ``value``."""
    _, name, inner, param, *_ = key.split(".")
    hyper = next(h for h in optimizers.spec(name, inner).controls() if h.name == param)
    stops = (near_one_options if hyper.near_one else log_options)(*hyper.slider, value)
    # besides these, the slider keeps the value the run started from (3 digits at most)
    return next((v for v in stops if f"{v:g}" == label), float(label))


def plausible_points(result):
    """Plotly selection points on the sweep chart: on cells, between them, off the chart."""
    logs = [math.log10(lr) for lr in result.lrs]
    values = list(result.values) if result.param is not None else [0.0]
    x = hs.one_of(hs.sampled_from(logs), hs.floats(logs[0] - 1, logs[-1] + 1))
    y = hs.one_of(hs.sampled_from(values), hs.floats(min(values) - 1, max(values) + 1))
    point = hs.one_of(
        hs.fixed_dictionaries({"x": x, "y": y}),
        hs.fixed_dictionaries({"x": x}),
        hs.just({"curve_number": 0}),  # a selection without coordinates
    )
    return hs.lists(point, max_size=2).map(
        lambda ps: [{k: float(v) for k, v in p.items()} for p in ps]
    )


def link_of_a_lesson(name, drop):
    """A lesson's link, with the ``drop``-th of its parameters missing (-1: none)."""
    query = S.to_query(presets.load(name)[0])
    keys = sorted(query)
    return {k: query[k] for i, k in enumerate(keys) if i != drop % (len(keys) + 1)}


# ---------------------------------------------------------------- the state machine


SURFACE_KEYS = ("start.", "surface.", "domain.")
OPTION_AND_VIEW_KEYS = ("noise", "seed", "clip_norm", "clip_norm.on", "clip_value")
OPTION_AND_VIEW_KEYS += ("clip_value.on", "big", "3d", "palette", "tol", "grid", "paths")
DATA_SURFACES = [n for n in surfaces.names() if surfaces.get(n).data is not None]
DATA_PARAM_KEYS = tuple(f"surface.{name}." for name in DATA_SURFACES)
LANDSCAPE_KEYS = ("map", "mapby", "mapn", "mapracer", "curv", "sweep", "sweepby")


class StudentSession(RuleBasedStateMachine):
    """A student's session: each rule is one thing touched, then ``after_each_step``."""

    def __init__(self):
        super().__init__()
        self.session = Session()

    @property
    def at(self):
        return self.session.at

    def do(self, step):
        note(f"step {len(self.session.steps) + 1}: {step!r}")
        self.session.do(step)

    def value(self, key):
        """A strategy for what a student sets widget ``key`` to."""
        widget = widgets(self.at)[key]
        if widget.type == "number_input":
            return number_value(widget)
        if widget.type == "slider":
            return slider_value(widget)
        if widget.type == "select_slider" and key.startswith("batch."):
            return hs.sampled_from(widget.options).map(lambda s: int(s) if s.isdigit() else FULL)
        if widget.type == "select_slider":
            return hs.sampled_from(widget.options).map(lambda s: stop_of(key, widget.value, s))
        if widget.type in ("checkbox", "toggle"):
            return hs.just(not widget.value)
        if widget.type == "text_input":
            return FORMULA if key == "formula" else hs.sampled_from(MILESTONES)
        values = choices(self.session.scene, key)
        assert len(values) == len(widget.options), key
        if widget.type == "button_group":
            values.append(None)  # a click on the selected button deselects it
        return hs.sampled_from(values)

    def touch(self, data, group):
        """Set one widget on screen whose key is in ``group`` (a predicate)."""
        keys = sorted(k for k, w in widgets(self.at).items() if w.type != "button" and group(k))
        if keys:
            key = data.draw(hs.sampled_from(keys), label="widget")
            self.do(("set", key, data.draw(self.value(key), label=key)))

    @rule(data=hs.data())
    def touch_a_racer(self, data):
        self.touch(data, lambda k: k in ("racers", "editing") or re.match(r"o[0-9]", k))

    @rule(data=hs.data())
    def touch_the_surface(self, data):
        self.touch(data, lambda k: k in ("surface", "steps") or k.startswith(SURFACE_KEYS))

    @rule(data=hs.data())
    def touch_the_schedule(self, data):
        self.touch(data, lambda k: k in ("schedule", "warmup") or k.startswith("schedule."))

    @rule(data=hs.data())
    def touch_an_option_or_the_view(self, data):
        self.touch(data, lambda k: k in OPTION_AND_VIEW_KEYS)

    @rule(data=hs.data())
    def fit_data_in_batches(self, data):
        """A surface made from data, then its batch size or its data's settings."""
        if not any(k.startswith("batch.") for k in widgets(self.at)):
            self.do(("set", "surface", data.draw(hs.sampled_from(DATA_SURFACES))))
        self.touch(data, lambda k: k.startswith(("batch.", "seed", *DATA_PARAM_KEYS)))

    @rule(data=hs.data())
    def touch_the_landscape(self, data):
        self.touch(data, lambda k: k in LANDSCAPE_KEYS)

    @rule(data=hs.data())
    def inspect_a_racer(self, data):
        self.touch(data, lambda k: k in ("inspect", "inspect_step"))

    @rule(data=hs.data())
    def touch_anything(self, data):
        self.touch(data, lambda k: True)

    @rule(data=hs.data())
    def choose_a_lesson(self, data):
        self.do(("set", "lesson", data.draw(hs.sampled_from(presets.names()))))

    @rule(data=hs.data())
    def type_a_formula(self, data):
        if "formula" not in widgets(self.at):
            self.do(("set", "surface", S.CUSTOM))
        self.do(("set", "formula", data.draw(FORMULA, label="formula")))

    @rule()
    def switch_the_path_style(self):
        other = {"full": "grow", "grow": "full"}[self.session.scene.view.paths]
        self.do(("set", "paths", other))

    @rule()
    def auto_tune(self):
        self.do(("click", "tune"))

    @rule(data=hs.data())
    def click_a_sweep_cell(self, data):
        if self.session.scene.landscape.sweep == "off":
            swept = choices(self.session.scene, "sweep")[1:]
            self.do(("set", "sweep", data.draw(hs.sampled_from(swept), label="sweep")))
        result = landscape.stored_sweep(self.session.scene)
        if result is not None:  # None: over the sweep's cap, as its warning says
            self.do(("cell", data.draw(plausible_points(result), label="points")))

    @rule()
    def reopen_the_link(self):
        note(f"step {len(self.session.steps) + 1}: reopen the link")
        check_link(self.session)

    @rule(name=hs.sampled_from(presets.names()), drop=hs.integers(0, 40))
    def open_a_lessons_link(self, name, drop):
        query = link_of_a_lesson(name, drop)
        self.do(("open", query))
        assert self.session.scene == S.from_query(query)[0]

    @invariant()
    def after_each_step(self):
        check(self.session)


EXAMPLES = int(os.environ.get("GRADSCAPE_FUZZ_EXAMPLES", "0"))
StudentSession.TestCase.settings = settings(
    max_examples=EXAMPLES or 10,
    stateful_step_count=int(os.environ.get("GRADSCAPE_FUZZ_STEPS", "25")),
    deadline=None,
    derandomize=not EXAMPLES,  # CI: the same sequences every run
    database=None,
    suppress_health_check=list(HealthCheck),
    # shrinking replays sequences for many minutes: off unless asked for
    phases=[Phase.explicit, Phase.generate]
    + [Phase.shrink] * ("GRADSCAPE_FUZZ_SHRINK" in os.environ),
)
TestStudentSession = StudentSession.TestCase
