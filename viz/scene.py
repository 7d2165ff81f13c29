"""The scene: everything a race shows, as plain JSON-able data.

A scene is a dict::

    {
        "surface": {"name": "rosenbrock", "params": {"a": 1.0, "b": 100.0}},
        "optimizers": [{"name": "adam", "hyper": {"lr": 0.05, "betas": [0.9, 0.999], ...}}],
        "schedule": {"name": "step", "step_size": 100, "gamma": 0.5, "warmup_steps": 0},
        "start": [-1.5, 2.5],
        "steps": 500,
        "options": {"noise_std": 0.0, "seed": 0, "clip_norm": None, "clip_value": None},
        "view": {"large_font": False, "palette": "okabe-ito", "tolerance": 0.001, "grid": 200,
                 "surface3d": False},
        "landscape": {"overlay": "basin", "color": "minimum", "grid": 100, "racer": 0,
                      "curvature": True, "sweep": "momentum", "sweep_color": "loss"},
    }

``landscape`` holds the batch views of one racer (``racer``: its index): the basin map
drawn under the contour (``overlay`` "none" or "basin", coloured by the ``color``
"minimum" reached or the "steps" to converge, over a ``grid`` x ``grid`` grid of starts),
the Hessian's eigen-directions (``curvature``), and the sweep below the race (``sweep``:
"off", "lr" alone, or lr x a float hyperparameter such as "momentum" or "betas[0]",
coloured by ``sweep_color`` "loss", "steps" or "regime").

A schedule that sets the rates itself (cyclic, one-cycle) also carries ``relative_lr``:
when True, its ``base_lr`` and ``max_lr`` are multiples of each racer's lr (the app's
default), when False the rates themselves, as in PyTorch (links from before it was added).
A Lookahead racer also carries ``"inner"`` (its inner optimizer). ``validate`` turns any
input (URL, preset file, hand-written JSON) into a runnable scene plus warnings, and never
raises; ``to_query``/``from_query`` put a scene in a URL query string and back, exactly.
"""

import copy
import functools
import json
import math
import re

import numpy as np

import optimizers
import surfaces
from optimizers import landscape, schedules

CUSTOM = "expression"  # the surface name of a typed formula
MAX_OPTIMIZERS = 6
MAX_STEPS = 5000
GRID_RANGE = (50, 300)
PALETTES = ("okabe-ito", "plotly")
MAX_VALUE_CHARS = 400  # longer query values are ignored, not parsed

_DEFAULT_RACERS = (("momentum", {"lr": 0.001}), ("adam", {"lr": 0.05}), ("sgd", {"lr": 0.001}))
_DEFAULT_VIEW = {
    "large_font": False,
    "palette": "okabe-ito",
    "tolerance": 1e-3,
    "grid": 200,
    "surface3d": False,  # off by default: a WebGL chart delays the page's first picture
}
_DEFAULT_LANDSCAPE = {
    "overlay": "none",
    "color": "minimum",
    "grid": 100,
    "racer": 0,
    "curvature": False,
    "sweep": "off",
    "sweep_color": "loss",
}
OVERLAYS = ("none", "basin")
BASIN_COLORS = ("minimum", "steps")
SWEEP_COLORS = ("loss", "steps", "regime")
MAP_GRID_RANGE = (20, landscape.MAX_GRID)
_DEFAULT_OPTIONS = {"noise_std": 0.0, "seed": 0, "clip_norm": None, "clip_value": None}


def default_surface():
    names = surfaces.names()
    return "rosenbrock" if "rosenbrock" in names else names[0]


def view_box(surface):
    """``((xmin, xmax), (ymin, ymax))`` the charts show for ``surface``."""
    return getattr(surface, "view", None) or surface.domain


def default_racer(name, inner="sgd"):
    """A racer entry for optimizer ``name`` with its default hyperparameters."""
    spec = optimizers.spec(name, inner)
    racer = {"name": name, "hyper": {h.name: _plain(h.default) for h in spec.controls()}}
    return {**racer, "inner": inner} if name == "lookahead" else racer


def available():
    """Optimizer names the engine can run right now (some may still be in progress)."""
    out = []
    for name in optimizers.names():
        try:
            optimizers.spec(name)
        except (ValueError, KeyError):
            continue
        out.append(name)
    return out


def default_scene():
    surface = surfaces.get(default_surface())
    racers = []
    for name, hyper in _DEFAULT_RACERS:
        if name in available():
            racer = default_racer(name)
            racer["hyper"].update(hyper)
            racers.append(racer)
    return {
        "surface": {"name": surface.name, "params": dict(surface.params)},
        "optimizers": racers or [default_racer(available()[0])],
        "schedule": {"name": "constant", **schedule_defaults("constant", 500), "warmup_steps": 0},
        "start": list(surface.default_start),
        "steps": 500,
        "options": dict(_DEFAULT_OPTIONS),
        "view": dict(_DEFAULT_VIEW),
        "landscape": dict(_DEFAULT_LANDSCAPE),
    }


# ---------------------------------------------------------------- validation


def validate(raw):
    """``(scene, warnings)``: a runnable scene from ``raw``, defaults for every bad part.

    Never raises; each warning names what was ignored and what is used instead.
    """
    warnings = []
    if not isinstance(raw, dict):
        warnings.append("the scene is not a mapping; using the default scene")
        raw = {}
    base = default_scene()
    surface = _surface(raw.get("surface"), warnings)
    scene = {"surface": surface_entry(surface)}
    scene["steps"] = _steps(raw.get("steps", base["steps"]), warnings)
    scene["start"] = _start(raw.get("start"), surface, warnings)
    scene["schedule"] = _schedule(raw.get("schedule"), scene["steps"], warnings)
    scene["options"] = _options(raw.get("options"), warnings)
    scene["view"] = _view(raw.get("view"), warnings)
    racers = raw.get("optimizers", base["optimizers"])
    scene["optimizers"] = _racers(racers, base["optimizers"], warnings)
    _check_runnable(scene, warnings)
    scene["landscape"] = _landscape(raw.get("landscape"), scene["optimizers"], warnings)
    return scene, warnings


def surface_entry(surface):
    """The scene's record of ``surface``: name and parameters, and a typed formula's text
    and domain."""
    entry = {"name": surface.name, "params": dict(surface.params)}
    if surface.name == CUSTOM:
        entry["expression"] = surface.expression
        entry["domain"] = [list(surface.domain[0]), list(surface.domain[1])]
    return entry


@functools.lru_cache(maxsize=32)
def custom_surface(text, domain=None):
    """``surfaces.from_expression`` remembered: every rerun and chart asks for it again.

    ``domain`` is ``((xmin, xmax), (ymin, ymax))`` or None for the suggested one.
    """
    return surfaces.from_expression(text, domain)


def _custom(raw, warnings):
    """A typed-formula surface from its scene entry, or None with a warning."""
    text, domain = raw.get("expression"), raw.get("domain")
    try:
        if not isinstance(text, str):
            raise ValueError("the formula is missing")
        if domain is not None:
            domain = tuple(tuple(float(v) for v in pair) for pair in domain)
        return custom_surface(text, domain)
    except (ValueError, TypeError) as error:
        warnings.append(f"custom formula ignored ({clean(str(error))}); using {default_surface()}")
        return None


def resolve_surface(raw):
    """The Surface a scene's surface entry describes (the default one if it is bad)."""
    return _surface(raw, [])


def _surface(raw, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw} if raw is not None else {}
    name = raw.get("name", default_surface())
    if name == CUSTOM:
        surface = _custom(raw, warnings)
        if surface is not None:
            return surface
        name, raw = default_surface(), {}
    if name not in surfaces.names():
        warnings.append(f"unknown surface {show(name)} ignored; using {default_surface()}")
        name, given = default_surface(), {}
    else:
        given = raw.get("params") if isinstance(raw.get("params"), dict) else {}
    params = {}
    for key, param in surfaces.parameters(name).items():
        try:
            params[key] = param.check(given.get(key, param.default))
        except ValueError:
            warnings.append(
                f"surface parameter {key}={show(given[key])} ignored (allowed {param.low:g} to"
                f" {param.high:g}); using {param.default:g}"
            )
            params[key] = param.default
    for key in sorted(set(given) - set(params)):
        warnings.append(f"unknown surface parameter {show(key)} ignored")
    return surfaces.get(name, **params)


def _steps(value, warnings):
    if not _is_number(value) or value != int(value):
        warnings.append(f"steps={show(value)} is not a whole number; using 500")
        return 500
    if not 1 <= value <= MAX_STEPS:
        clamped = min(max(int(value), 1), MAX_STEPS)
        warnings.append(f"steps={show(value)} is outside 1 to {MAX_STEPS}; using {clamped}")
        return clamped
    return int(value)


def _start(value, surface, warnings):
    (xmin, xmax), (ymin, ymax) = view_box(surface)
    ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_is_number, value))
    if ok and xmin <= value[0] <= xmax and ymin <= value[1] <= ymax:
        return [float(value[0]), float(value[1])]
    if value is not None:
        warnings.append(
            f"start={show(value)} ignored (must be x, y inside [{xmin:g}, {xmax:g}] x "
            f"[{ymin:g}, {ymax:g}]); using the surface's default start"
        )
    return list(surface.default_start)


RELATIVE = "relative_lr"  # the scene's own schedule key: rates as multiples of each racer's lr


def _race_lengths(steps):
    """The defaults that follow a race of ``steps`` steps, by schedule.

    PyTorch's defaults are sized for epochs of training (a 5-step LinearLR, a 2000-step
    half-cycle), which in a race of a few hundred steps either end at once or never start.
    Here every decay spans the race and cuts the rate about 100x by its end: step decay
    by gamma 0.1 every ceil(steps / 3) steps, multi-step at steps / 3 and 2 steps / 3,
    exponential by ``g = 0.01^(1 / (steps - 1))`` per step; cosine's ``T_max`` and the
    ``total_iters`` of linear and polynomial are ``steps`` (so cosine never climbs back);
    warm restarts come every quarter of the race and a cyclical rate makes two cycles
    (quarters rounded up). Reduce on plateau waits a tenth of the race (PyTorch's 10
    steps cut the rate of a momentum run on Rosenbrock 1000x while it still progressed).
    """
    quarter = -(-steps // 4)  # rounded up: never a fifth, short period at the end
    return {
        "step": {"step_size": -(-steps // 3)},
        "multistep": {"milestones": sorted({max(1, steps // 3), max(2, 2 * steps // 3)})},
        "exponential": {"gamma": _hundredfold(steps)},
        "cosine": {"T_max": steps},
        "cosine_restarts": {"T_0": quarter},
        "cyclic": {"step_size_up": quarter},
        "linear": {"total_iters": steps},
        "polynomial": {"total_iters": steps},
        "plateau": {"patience": steps // 10},
    }


def _hundredfold(steps):
    """The factor ``g`` with ``g^(steps - 1) = 0.01``, with 1 - g to 3 significant digits."""
    gamma = 0.01 ** (1.0 / max(steps - 1, 1))
    return round(gamma, 2 - math.floor(math.log10(1.0 - gamma)))


# Schedules that set the rates themselves get them relative to each racer's lr: cyclic runs
# from a tenth of the lr up to the lr, one-cycle peaks at the lr. The lr is each racer's
# largest rate, so a racer that is stable at its lr stays stable. Momentum cycling is off:
# each racer keeps its own momentum (plain SGD stays plain), and optimizers with neither
# momentum nor beta1 (Adagrad, Adadelta, Rprop...) can race too.
_SETS_LR = {
    "cyclic": {"base_lr": 0.1, "max_lr": 1.0, "cycle_momentum": False, RELATIVE: True},
    "onecycle": {"max_lr": 1.0, "cycle_momentum": False, RELATIVE: True},
}


def schedule_defaults(name, steps):
    """Every parameter of schedule ``name`` with the app's default for ``steps`` steps.

    PyTorch's defaults except where ``_race_lengths`` and ``_SETS_LR`` say otherwise (the
    lengths follow the race; cyclic and one-cycle rates are relative to each racer's lr);
    ``constant`` by default changes nothing.
    """
    out = {key: param.default for key, param in schedules.spec(name).params.items()}
    out.update(_race_lengths(steps).get(name, {}), **_SETS_LR.get(name, {}))
    return {k: _plain(v) for k, v in out.items()}


def follow_steps(schedule, old_steps, new_steps):
    """``schedule`` for a race of ``new_steps`` steps instead of ``old_steps``.

    A parameter still at its default for ``old_steps`` (not edited: a teacher who sets
    T_max = 200 keeps it) takes its default for ``new_steps``; every other value stays.
    """
    name = schedule["name"]
    old, new = schedule_defaults(name, old_steps), schedule_defaults(name, new_steps)
    return {k: new[k] if k in old and v == old[k] else v for k, v in schedule.items()}


def _schedule(raw, steps, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw} if raw is not None else {}
    name = raw.get("name", "constant")
    if name not in schedules.names():
        warnings.append(f"unknown schedule {show(name)} ignored; using constant")
        name, raw = "constant", {}
    out = {"name": name, **schedule_defaults(name, steps), "warmup_steps": 0}
    if RELATIVE in out and RELATIVE not in raw and {"base_lr", "max_lr"} & set(raw):
        out[RELATIVE] = False  # a link from before relative rates: its rates are absolute
    for key, value in raw.items():
        if key == "name":
            continue
        if key not in out:
            warnings.append(f"unknown parameter {show(key)} of schedule {name} ignored")
            continue
        value = _schedule_value(schedules.spec(name).params.get(key), key, value)
        try:
            if key == RELATIVE and not isinstance(value, bool):
                raise ValueError(f"schedule {name!r}: {RELATIVE}={value!r} must be True or False")
            schedules.resolve(engine_schedule({**out, key: value}, 1.0), steps)
        except (ValueError, TypeError, OverflowError) as error:
            warnings.append(f"{clean(str(error))}; using {key}={out[key]}")
            continue
        out[key] = _plain(value)
    if out["warmup_steps"] > steps:
        warnings.append(f"warmup_steps={out['warmup_steps']} is longer than the run; using 0")
        out["warmup_steps"] = 0
    return out


def _schedule_value(param, key, value):
    """A schedule parameter as a link writes it, in its kind: a number for a list of
    steps, 0/1 for True/False, "None" for a value the schedule works out."""
    if param is not None and _is_ints(param) and _is_number(value):
        return [value]
    if (key == RELATIVE or (param is not None and param.kind == "bool")) and value in (0, 1):
        return bool(value)
    if param is not None and param.none_means and value == "None":
        return None
    return value


def _options(raw, warnings):
    raw = raw if isinstance(raw, dict) else {}
    out = dict(_DEFAULT_OPTIONS)
    checks = {
        "noise_std": lambda v: _is_number(v) and 0 <= v <= 1e3,
        "seed": lambda v: _is_number(v) and v == int(v) and 0 <= v < 2**31,
        "clip_norm": lambda v: v is None or (_is_number(v) and 0 < v <= 1e6),
        "clip_value": lambda v: v is None or (_is_number(v) and 0 < v <= 1e6),
    }
    for key, value in raw.items():
        if key not in checks:
            warnings.append(f"unknown option {show(key)} ignored")
        elif not checks[key](value):
            warnings.append(f"option {key}={show(value)} is out of range; using {out[key]}")
        else:
            out[key] = int(value) if key == "seed" else _plain(value)
    return out


def _view(raw, warnings):
    raw = raw if isinstance(raw, dict) else {}
    out = dict(_DEFAULT_VIEW)
    checks = {
        "large_font": lambda v: isinstance(v, bool) or v in (0, 1),
        "surface3d": lambda v: isinstance(v, bool) or v in (0, 1),
        "palette": lambda v: v in PALETTES,
        "tolerance": lambda v: _is_number(v) and 0 < v <= 1e6,
        "grid": lambda v: _is_number(v) and v == int(v) and GRID_RANGE[0] <= v <= GRID_RANGE[1],
    }
    for key, value in raw.items():
        if key not in checks:
            warnings.append(f"unknown view setting {show(key)} ignored")
        elif not checks[key](value):
            warnings.append(f"view setting {key}={show(value)} ignored; using {out[key]}")
        else:
            out[key] = {"large_font": bool, "surface3d": bool, "grid": int}.get(key, _plain)(value)
    return out


def sweep_choices(racer):
    """What the sweep can do for ``racer``: "off", "lr" alone, or lr against one of its
    float hyperparameters, one element at a time for pairs ("betas[0]")."""
    spec = optimizers.spec(racer["name"], racer.get("inner", "sgd"))
    out = ["off", "lr"]
    for hyper in spec.controls():
        if hyper.kind != "float" or hyper.name == "lr":
            continue
        out += [f"{hyper.name}[{i}]" for i in range(hyper.size)] if hyper.size > 1 else [hyper.name]
    return out


def _landscape(raw, racers, warnings):
    raw = raw if isinstance(raw, dict) else {}
    out = dict(_DEFAULT_LANDSCAPE)
    low, high = MAP_GRID_RANGE

    def whole(v, first, last):
        return _is_number(v) and v == int(v) and first <= v <= last

    allowed = {
        "overlay": (lambda v: v in OVERLAYS, ", ".join(OVERLAYS)),
        "color": (lambda v: v in BASIN_COLORS, ", ".join(BASIN_COLORS)),
        "grid": (lambda v: whole(v, low, high), f"a whole number from {low} to {high}"),
        "racer": (lambda v: whole(v, 0, len(racers) - 1), f"0 to {len(racers) - 1}"),
        "curvature": (lambda v: isinstance(v, bool) or v in (0, 1), "0, 1"),
        "sweep": (lambda v: isinstance(v, str), "a name"),  # the racer's: checked below
        "sweep_color": (lambda v: v in SWEEP_COLORS, ", ".join(SWEEP_COLORS)),
    }
    for key, value in raw.items():
        if key not in allowed:
            warnings.append(f"unknown landscape setting {show(key)} ignored")
            continue
        accepts, words = allowed[key]
        if not accepts(value):
            warnings.append(
                f"landscape setting {key}={show(value)} ignored (allowed: {words}); "
                f"using {out[key]}"
            )
            continue
        out[key] = {"grid": int, "racer": int, "curvature": bool}.get(key, _plain)(value)
    choices = sweep_choices(racers[out["racer"]])
    if out["sweep"] not in choices:
        warnings.append(
            f"landscape setting sweep={show(out['sweep'])} ignored (allowed for racer "
            f"{out['racer']}: {', '.join(choices)}); using off"
        )
        out["sweep"] = "off"
    return out


def _racers(raw, fallback, warnings):
    if not isinstance(raw, list) or not raw:
        warnings.append("no valid optimizer list; using the default racers")
        return copy.deepcopy(fallback)
    if len(raw) > MAX_OPTIMIZERS:
        warnings.append(f"{len(raw)} optimizers given; only the first {MAX_OPTIMIZERS} race")
    racers = [r for r in (_racer(item, warnings) for item in raw[:MAX_OPTIMIZERS]) if r]
    return racers or copy.deepcopy(fallback)


def _racer(raw, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw}
    name = raw.get("name")
    if name not in available():
        warnings.append(f"unknown optimizer {show(name)} ignored")
        return None
    racer = {"name": name}
    inner = "sgd"
    if name == "lookahead":
        inner = raw.get("inner", "sgd")
        if inner not in inner_choices():
            warnings.append(f"unknown inner optimizer {show(inner)} ignored; using sgd")
            inner = "sgd"
        racer["inner"] = inner
    try:
        spec = optimizers.spec(name, inner)
    except (ValueError, KeyError) as error:
        warnings.append(f"optimizer {show(name)} is not available ({clean(str(error))})")
        return None
    given = raw.get("hyper") if isinstance(raw.get("hyper"), dict) else {}
    racer["hyper"] = {}
    for hyper in spec.controls():
        value = _as_kind(given.get(hyper.name, hyper.default), hyper)
        try:
            hyper.check(name, value)
            if not _all_finite(value):
                raise ValueError(f"{name}: {hyper.name}={show(value)} is not finite")
        except (ValueError, TypeError, OverflowError) as error:
            warnings.append(f"{clean(str(error))}; using {hyper.name}={_plain(hyper.default)}")
            value = hyper.default
        racer["hyper"][hyper.name] = _plain(value)
    for key in sorted(set(given) - set(racer["hyper"])):
        warnings.append(f"{name}: unknown hyperparameter {show(key)} ignored")
    return racer


def _is_ints(param):
    return param.kind == "ints"


def inner_choices():
    """Optimizers Lookahead may wrap."""
    return [n for n in available() if n not in ("lookahead", "ranger")]


def _as_kind(value, hyper):
    """URL numbers 0/1 for a bool hyperparameter, lists for tuples; anything else as given."""
    if hyper.kind == "bool" and value in (0, 1) and not isinstance(value, bool):
        return bool(value)
    if hyper.kind == "int" and _is_number(value) and value == int(value):
        return int(value)
    return value


def _check_runnable(scene, warnings):
    """Give up settings the engine refuses as a whole: one hyperparameter of a racer, else
    the racer's settings (``_runnable``), then the schedule."""
    kept = []
    for racer in scene["optimizers"]:
        runnable = _runnable(scene, racer, warnings)
        if runnable is None:
            warnings.append(f"{racer['name']} removed: it cannot run this scene")
        else:
            kept.append(runnable)
    if not kept:
        scene["schedule"] = {"name": "constant", **schedule_defaults("constant", 1)}
        scene["schedule"]["warmup_steps"] = 0
        kept = default_scene()["optimizers"]
    scene["optimizers"] = kept


def _runnable(scene, racer, warnings):
    """``racer`` if the engine runs it; else with the first hyperparameter whose default
    makes it run (Nesterov ticked on SGD without momentum: Nesterov off, the lr kept), the
    warning naming it; else its defaults; else None."""
    error = _dry_run(scene, racer)
    if error is None:
        return racer
    defaults = default_racer(racer["name"], racer.get("inner", "sgd"))
    for name, value in defaults["hyper"].items():
        if racer["hyper"][name] != value:
            candidate = {**racer, "hyper": {**racer["hyper"], name: value}}
            if _dry_run(scene, candidate) is None:
                warnings.append(f"{clean(error)}; using {name}={value}")
                return candidate
    warnings.append(f"{clean(error)}; resetting {racer['name']}")
    return defaults if _dry_run(scene, defaults) is None else None


def _inner(racer):
    return {"inner": racer["inner"]} if "inner" in racer else {}


def _dry_run(scene, racer):
    """The engine's error for ``racer`` in ``scene`` over two steps, or None."""
    setting = {k: scene[k] for k in ("surface", "start", "schedule", "options")}
    return _dry_run_error(json.dumps([setting, racer], sort_keys=True))


@functools.lru_cache(maxsize=1024)
def _dry_run_error(key):
    """``_dry_run`` by a JSON key: remembered, as every rerun validates its scene again."""
    setting, racer = json.loads(key)
    try:
        _run_one(setting, racer, steps=2)
    except (ValueError, TypeError, OverflowError, KeyError) as error:
        return str(error)
    return None


# ---------------------------------------------------------------- running


def surface_of(scene):
    entry = scene["surface"]
    if entry["name"] == CUSTOM:
        return custom_surface(entry["expression"], tuple(map(tuple, entry["domain"])))
    return surfaces.get(entry["name"], **entry["params"])


def engine_settings(scene, racer):
    """The engine's keywords for ``racer`` in ``scene`` (``optimizers.run``, ``run_batch``):
    schedule, noise, clipping, Lookahead's inner optimizer and the hyperparameters (pairs
    as tuples)."""
    options = scene["options"]
    hyper = {k: tuple(v) if isinstance(v, list) else v for k, v in racer["hyper"].items()}
    return {
        "schedule": engine_schedule(scene["schedule"], racer["hyper"]["lr"]),
        "noise_std": options["noise_std"],
        "seed": options["seed"],
        "clip_norm": options["clip_norm"],
        "clip_value": options["clip_value"],
        "inner": racer.get("inner"),
        **hyper,
    }


def _run_one(scene, racer, steps=None):
    return optimizers.run(
        surface_of(scene),
        racer["name"],
        tuple(scene["start"]),
        steps or scene["steps"],
        **engine_settings(scene, racer),
    )


def engine_schedule(schedule, lr):
    """The engine's schedule for a racer whose lr is ``lr``: lists as tuples and, when the
    scene's rates are relative (``relative_lr``), ``base_lr`` and ``max_lr`` times ``lr``
    (the engine's cyclic and one-cycle take absolute rates, as PyTorch's do)."""
    out = {k: tuple(v) if isinstance(v, list) else v for k, v in schedule.items()}
    if out.pop(RELATIVE, False):
        out.update({k: out[k] * lr for k in ("base_lr", "max_lr") if k in out})
    return out


def run_scene(scene):
    """One Trajectory per racer of a validated ``scene``."""
    return [_run_one(scene, racer) for racer in scene["optimizers"]]


def schedule_rates(scene, lr):
    """The lr of each step for a racer with rate ``lr`` under the scene's schedule."""
    schedule = engine_schedule(scene["schedule"], lr)
    return schedules.evaluate(schedule, lr, scene["steps"])


def racer_title(racer, index):
    """ "2. Adam": the racer's number and its optimizer's title."""
    spec = optimizers.spec(racer["name"], racer.get("inner", "sgd"))
    return f"{index + 1}. {spec.title}"


def racer_label(racer, index, scene=None):
    """ "2. Adam (lr 0.05)": the title and the learning rate, as the charts name racers.

    Given the ``scene``, a schedule that sets the rates itself (cyclic, one-cycle) adds
    the lowest to the highest rate the racer actually runs with: "1. SGD (lr 0.001 →
    0.0001–0.001)".
    """
    lr = racer["hyper"]["lr"]
    text = f"{racer_title(racer, index)} (lr {lr:g}"
    if scene is not None and schedules.spec(scene["schedule"]["name"]).sets_lr:
        text += " → " + rate_range(schedule_rates(scene, lr))
    return text + ")"


def racer_labels(scene):
    """Every racer's ``racer_label`` in ``scene``, as the legend and results table show them."""
    return [racer_label(racer, index, scene) for index, racer in enumerate(scene["optimizers"])]


def rate_range(rates):
    """ "0.0001–0.001": the lowest and highest of ``rates`` (one number if they agree)."""
    rates = np.asarray(rates, dtype=float)
    rates = rates[np.isfinite(rates)]
    if not rates.size:
        return "-"
    low, high = f"{rates.min():.3g}", f"{rates.max():.3g}"
    return high if low == high else f"{low}–{high}"


def active_options(scene):
    """Short descriptions of the options that change the plain algorithms, for a badge."""
    options, schedule = scene["options"], scene["schedule"]
    out = []
    if schedule["warmup_steps"]:
        out.append(f"warmup {schedule['warmup_steps']} steps")
    if options["noise_std"]:
        out.append(f"gradient noise σ={options['noise_std']:g} (seed {options['seed']})")
    if options["clip_norm"] is not None:
        out.append(f"clip ‖g‖ ≤ {options['clip_norm']:g}")
    if options["clip_value"] is not None:
        out.append(f"clip |g_i| ≤ {options['clip_value']:g}")
    decays = [r for r in scene["optimizers"] if r["hyper"].get("weight_decay")]
    if decays:
        out.append("weight decay on " + ", ".join(r["name"] for r in decays))
    return out


def scene_key(scene):
    """A canonical string for caching: equal scenes give equal keys."""
    return json.dumps(scene, sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------- URL query string
#
# surface=rosenbrock,a:1.0,b:100.0   o1=adam,lr:0.05,betas:0.9/0.999   o2=...
# schedule=step,step_size:100,gamma:0.5,warmup_steps:0   start=-1.5,2.5   steps=500
# noise=0.0  seed=0  clip_norm=1.0  clip_value=0.5  palette=okabe-ito  big=1  tol=0.001  grid=200

_OPTION_KEYS = {"noise": "noise_std", "seed": "seed", "clip_norm": "clip_norm"}
_OPTION_KEYS["clip_value"] = "clip_value"
_VIEW_KEYS = {"big": "large_font", "palette": "palette", "tol": "tolerance", "grid": "grid"}
_VIEW_KEYS["3d"] = "surface3d"
# the landscape views; written only when they differ from the defaults (short links)
_LANDSCAPE_KEYS = {"map": "overlay", "mapby": "color", "mapn": "grid", "mapr": "racer"}
_LANDSCAPE_KEYS.update(curv="curvature", sweep="sweep", sweepby="sweep_color")
_RACER_KEY = re.compile(r"o([1-9][0-9]?)")


def to_query(scene):
    """``{key: str}`` for ``st.query_params``; ``from_query`` restores the scene exactly."""
    surface = scene["surface"]
    query = {"surface": _item(surface["name"], surface["params"])}
    if surface["name"] == CUSTOM:
        query["f"] = surface["expression"]
        query["domain"] = ",".join(_text(v) for pair in surface["domain"] for v in pair)
    for index, racer in enumerate(scene["optimizers"]):
        query[f"o{index + 1}"] = _item(racer["name"], {**_inner(racer), **racer["hyper"]})
    schedule = scene["schedule"]
    query["schedule"] = _item(schedule["name"], {k: v for k, v in schedule.items() if k != "name"})
    query["start"] = ",".join(_text(v) for v in scene["start"])
    query["steps"] = str(scene["steps"])
    for key, name in _OPTION_KEYS.items():
        if scene["options"][name] is not None:
            query[key] = _text(scene["options"][name])
    for key, name in _VIEW_KEYS.items():
        query[key] = _text(scene["view"][name])
    for key, name in _LANDSCAPE_KEYS.items():
        if scene["landscape"][name] != _DEFAULT_LANDSCAPE[name]:
            query[key] = _text(scene["landscape"][name])
    return query


def from_query(params):
    """``(scene, warnings)`` from a query mapping (values str or lists of str); never raises."""
    warnings, ignored = [], []
    flat = {}
    for key, value in dict(params).items():
        value = value[-1] if isinstance(value, list) and value else value
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS or len(str(key)) > 40:
            ignored.append(key)
            continue
        flat[str(key)] = value
    raw = {"options": {}, "view": {}, "landscape": {}}
    racers, formula = {}, {}
    for key, value in flat.items():
        match = _RACER_KEY.fullmatch(key)
        if match:
            racers[int(match.group(1))] = _parse_item(value)
        elif key in ("surface", "schedule"):
            raw[key] = _parse_item(value)
        elif key == "f":
            formula["expression"] = value
        elif key == "domain":
            numbers = [_parse_value(v) for v in value.split(",")]
            formula["domain"] = [numbers[:2], numbers[2:]] if len(numbers) == 4 else numbers
        elif key == "start":
            raw["start"] = [_parse_value(v) for v in value.split(",")]
        elif key == "steps":
            raw["steps"] = _parse_value(value)
        elif key in _OPTION_KEYS:
            raw["options"][_OPTION_KEYS[key]] = _parse_value(value)
        elif key in _VIEW_KEYS:
            raw["view"][_VIEW_KEYS[key]] = _parse_value(value)
        elif key in _LANDSCAPE_KEYS:
            raw["landscape"][_LANDSCAPE_KEYS[key]] = _parse_value(value)
        else:
            ignored.append(key)
    if ignored:
        shown = ", ".join(show(k, 20) for k in ignored[:5]) + (" ..." if len(ignored) > 5 else "")
        warnings.append(
            f"{len(ignored)} unknown, empty or too long query parameter(s) ignored: {shown}"
        )
    if racers:
        raw["optimizers"] = [racers[i] for i in sorted(racers)]
    if isinstance(raw.get("surface"), dict):
        raw["surface"] = {"name": raw["surface"].pop("name"), "params": raw["surface"], **formula}
    if isinstance(raw.get("optimizers"), list):
        raw["optimizers"] = [_racer_from_item(item) for item in raw["optimizers"]]
    scene, more = validate(raw)
    return scene, warnings + more


def _racer_from_item(item):
    racer = {"name": item.pop("name")}
    if "inner" in item:
        racer["inner"] = item.pop("inner")
    racer["hyper"] = item
    return racer


def _item(name, fields):
    return ",".join([name] + [f"{k}:{_text(v)}" for k, v in fields.items()])


def _text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return "/".join(_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parse_item(text):
    name, *fields = text.split(",")
    item = {}
    for field in fields:
        key, sep, value = field.partition(":")
        item[key] = _parse_value(value) if sep else None
    return {**item, "name": name}


def _parse_value(text):
    """A URL string as a number, a list (``a/b``) or, failing those, the string itself."""
    if "/" in text:
        return [_parse_value(part) for part in text.split("/")]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# ---------------------------------------------------------------- small helpers


def _is_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _all_finite(value):
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(isinstance(v, bool) or _is_number(v) for v in values)


def _plain(value):
    """A JSON-friendly copy: tuples as lists, numpy scalars as Python numbers."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def show(value, limit=40):
    """``value`` safe to show in a message: short, and only harmless characters."""
    return clean(repr(value), limit)


def clean(text, limit=160):
    """``text`` on one line, at most ``limit`` characters: every printable character kept (a
    typed ``*``, ``^``, ``<=`` or ``__import__`` is shown as typed), control characters
    and line breaks as "?". Showing it as Markdown is the app's job (``ui.plain``)."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."
