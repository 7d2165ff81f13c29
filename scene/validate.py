"""Any input (a link, a preset file, hand-written JSON) as a runnable Scene, never raising.

``validate(raw)`` returns ``(scene, warnings)``: every part that is missing or bad takes its
default, and each warning names what was ignored and what is used instead. Values are
judged by their ``parameters.Param`` (the engine's for hyperparameters, schedule and
surface parameters; the records' for the scene's own settings); combinations the engine
refuses as a whole are found by running each racer for two steps.
"""

import dataclasses
import json

import optimizers
import surfaces
from optimizers import minibatch, schedules
from parameters import is_number

from . import defaults as D
from .cache import Store
from .model import (
    CUSTOM,
    FULL_BATCH,
    MAX_RACERS,
    RACER_BATCH,
    RELATIVE,
    STEPS,
    Landscape,
    Options,
    Racer,
    Scene,
    Schedule,
    SurfaceChoice,
    View,
    plain,
)
from .run import custom_surface, run_racer, sweep_choices, view_box
from .text import clean, show


def validate(raw):
    """``(scene, warnings)``: a runnable Scene from ``raw`` (a scene's JSON form, or a
    Scene to check again)."""
    warnings = []
    if isinstance(raw, Scene):
        raw = raw.to_dict()
    if not isinstance(raw, dict):
        warnings.append("the scene is not a mapping; using the default scene")
        raw = {}
    surface = _surface(raw.get("surface"), warnings)
    steps = _steps(raw.get("steps", STEPS.default), warnings)
    scene = Scene(
        surface=D.surface_choice(surface),
        racers=_racer_batches_on(surface, _racers(raw.get("optimizers"), warnings), warnings),
        schedule=_schedule(raw.get("schedule"), steps, warnings),
        start=_start(raw.get("start"), surface, warnings),
        steps=steps,
        options=_batch_on(
            surface, _settings(Options, raw.get("options"), "option", warnings), warnings
        ),
        view=_settings(View, raw.get("view"), "view setting", warnings),
    )
    scene = _inspected(_runnable_racers(scene, warnings), warnings)
    return _with_landscape(scene, raw.get("landscape"), warnings), warnings


# ---------------------------------------------------------------- surface, start, steps


def resolve_surface(raw):
    """The Surface a raw surface entry describes (the default one if it is bad)."""
    return _surface(raw, [])


def _surface(raw, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw} if raw is not None else {}
    name = raw.get("name", D.SURFACE)
    if name == CUSTOM:
        surface = _custom(raw, warnings)
        if surface is not None:
            return surface
        name, raw = D.SURFACE, {}
    if name not in surfaces.names():
        warnings.append(f"unknown surface {show(name)} ignored; using {D.SURFACE}")
        name, raw = D.SURFACE, {}
    given = raw.get("params") if isinstance(raw.get("params"), dict) else {}
    params = {}
    for key, param in surfaces.parameters(name).items():
        params[key] = _checked(param, given.get(key, param.default), f"surface {name}", warnings)
    for key in sorted(set(given) - set(params)):
        warnings.append(f"unknown surface parameter {show(key)} ignored")
    return surfaces.get(name, **params)


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
        warnings.append(f"custom formula ignored ({clean(str(error))}); using {D.SURFACE}")
        return None


def _steps(value, warnings):
    if not is_number(value) or value != int(value):
        warnings.append(f"steps={show(value)} is not a whole number; using {STEPS.default}")
        return STEPS.default
    if not STEPS.low <= value <= STEPS.high:
        clamped = int(min(max(value, STEPS.low), STEPS.high))
        warnings.append(
            f"steps={show(value)} is outside {STEPS.low} to {STEPS.high}; using {clamped}"
        )
        return clamped
    return int(value)


def _start(value, surface, warnings):
    (xmin, xmax), (ymin, ymax) = view_box(surface)
    ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(map(is_number, value))
    if ok and xmin <= value[0] <= xmax and ymin <= value[1] <= ymax:
        return (float(value[0]), float(value[1]))
    if value is not None:
        warnings.append(
            f"start={show(value)} ignored (must be x, y inside [{xmin:g}, {xmax:g}] x "
            f"[{ymin:g}, {ymax:g}]); using the surface's default start"
        )
    return tuple(surface.default_start)


# ---------------------------------------------------------------- plain settings


def _checked(param, value, owner, warnings):
    """``value`` checked by ``param`` (URL numbers 0/1 taken as flags), or its default with
    a warning naming the owner, the setting, the value and what is allowed."""
    if param.kind == "bool" and value in (0, 1) and not isinstance(value, bool):
        value = bool(value)
    try:
        return param.check(value, owner)
    except ValueError as error:
        warnings.append(f"{clean(str(error))}; using {param.name}={plain(param.default)}")
        return param.default


def _settings(record, raw, what, warnings):
    """A ``record`` (Options, View, Landscape) from its raw mapping."""
    raw = raw if isinstance(raw, dict) else {}
    values = {}
    for key, value in raw.items():
        if key not in record.__dataclass_fields__:
            warnings.append(f"unknown {what} {show(key)} ignored")
        else:
            values[key] = _checked(record.param(key), value, what, warnings)
    return record(**values)


def _batch_on(surface, options, warnings):
    """``options`` with a batch size ``surface`` allows (1 to its samples, on a surface made
    from data), else the full batch with the engine's reason as a warning."""
    try:
        minibatch.check_batch_size(surface, options.batch_size)
    except ValueError as error:
        warnings.append(f"option: {clean(str(error))}; using the full batch")
        return options.replace(batch_size=None)
    return options


def _racer_batches_on(surface, racers, warnings):
    """``racers`` with batch sizes ``surface`` allows (each racer's is judged as the
    scene's is, ``_batch_on``), else following the scene's, with a warning."""
    out = []
    for number, racer in enumerate(racers, start=1):
        own = racer.batch_size
        if own is not None and (own != FULL_BATCH or surface.data is None):
            try:
                minibatch.check_batch_size(surface, racer.batch_size)
            except ValueError as error:
                warnings.append(
                    f"racer {number} ({racer.name}): {clean(str(error))}; "
                    "using the scene's batch size"
                )
                racer = dataclasses.replace(racer, batch_size=None)
        out.append(racer)
    return tuple(out)


# ---------------------------------------------------------------- schedule


def _schedule(raw, steps, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw} if raw is not None else {}
    name = raw.get("name", "constant")
    if name not in schedules.names():
        warnings.append(f"unknown schedule {show(name)} ignored; using constant")
        name, raw = "constant", {}
    out = {**D.schedule_params(name, steps), "warmup_steps": 0}
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
            trial = {k: v for k, v in {**out, key: value}.items() if k != "warmup_steps"}
            schedules.resolve(Schedule(name, trial, out["warmup_steps"]).engine(1.0), steps)
        except (ValueError, TypeError, OverflowError) as error:
            warnings.append(f"{clean(str(error))}; using {key}={out[key]}")
            continue
        out[key] = plain(value)
    warmup = out.pop("warmup_steps")
    if warmup > steps:
        warnings.append(f"warmup_steps={warmup} is longer than the run; using 0")
        warmup = 0
    return Schedule(name, out, warmup)


def _schedule_value(param, key, value):
    """A schedule parameter as a link writes it, in its kind: a number for a list of
    steps, 0/1 for True/False, "None" for a value the schedule works out."""
    if param is not None and param.kind == "ints" and is_number(value):
        return [value]
    if (key == RELATIVE or (param is not None and param.kind == "bool")) and value in (0, 1):
        return bool(value)
    if param is not None and param.none_means and value == "None":
        return None
    return value


# ---------------------------------------------------------------- racers


def _racers(raw, warnings):
    if raw is None:
        return D.racers()
    if not isinstance(raw, list) or not raw:
        warnings.append("no valid optimizer list; using the default racers")
        return D.racers()
    if len(raw) > MAX_RACERS:
        warnings.append(f"{len(raw)} optimizers given; only the first {MAX_RACERS} race")
    racers = [r for r in (_racer(item, warnings) for item in raw[:MAX_RACERS]) if r]
    return tuple(racers) or D.racers()


def _racer(raw, warnings):
    raw = raw if isinstance(raw, dict) else {"name": raw}
    name = raw.get("name")
    if name not in optimizers.names():
        warnings.append(f"unknown optimizer {show(name)} ignored")
        return None
    inner = None
    if optimizers.chooses_inner(name):
        inner = raw.get("inner", D.INNER)
        if inner not in optimizers.inner_choices():
            warnings.append(f"unknown inner optimizer {show(inner)} ignored; using {D.INNER}")
            inner = D.INNER
    given = raw.get("hyper") if isinstance(raw.get("hyper"), dict) else {}
    hyper = {}
    for param in optimizers.spec(name, inner).controls():
        value = given.get(param.name, param.default)
        if param.kind == "int" and is_number(value) and value == int(value):
            value = int(value)
        hyper[param.name] = _checked(param, value, name, warnings)
    for key in sorted(set(given) - set(hyper)):
        warnings.append(f"{name}: unknown hyperparameter {show(key)} ignored")
    return Racer(name, hyper, inner, _racer_batch(raw.get("batch_size"), name, warnings))


def _racer_batch(value, name, warnings):
    """A racer's own batch size: ``FULL_BATCH``, a whole number within ``RACER_BATCH``'s
    bounds (the surface's samples are judged later), or None (the scene's)."""
    if value == FULL_BATCH:
        return value
    try:
        return RACER_BATCH.check(value, name)
    except ValueError as error:
        warnings.append(f"{clean(str(error))}; using the scene's batch size")
        return None


def _runnable_racers(scene, warnings):
    """Give up settings the engine refuses as a whole: one hyperparameter of a racer, else
    the racer's settings (``_runnable``); with no racer left, the default racers and a
    constant schedule."""
    kept = []
    for racer in scene.racers:
        runnable = _runnable(scene, racer, warnings)
        if runnable is None:
            warnings.append(f"{racer.name} removed: it cannot run this scene")
        else:
            kept.append(runnable)
    if kept:
        return Scene(**{**scene.__dict__, "racers": tuple(kept)})
    schedule = Schedule("constant", D.schedule_params("constant", 1))
    return Scene(**{**scene.__dict__, "racers": D.racers(), "schedule": schedule})


def _runnable(scene, racer, warnings):
    """``racer`` if the engine runs it; else with the first hyperparameter whose default
    makes it run (Nesterov ticked on SGD without momentum: Nesterov off, the lr kept), the
    warning naming it; else its defaults; else None."""
    error = _dry_run(scene, racer)
    if error is None:
        return racer
    defaults = D.racer(racer.name, racer.inner)
    for name, value in defaults.hyper.items():
        if racer.hyper[name] != value:
            candidate = racer.with_hyper(**{name: value})
            if _dry_run(scene, candidate) is None:
                warnings.append(f"{clean(error)}; using {name}={plain(value)}")
                return candidate
    warnings.append(f"{clean(error)}; resetting {racer.name}")
    return defaults if _dry_run(scene, defaults) is None else None


def _dry_run(scene, racer):
    """The engine's error for ``racer`` in ``scene`` over two steps, or None."""
    setting = scene.key("surface", "start", "schedule", "options")
    return _dry_run_error(setting, json.dumps(racer.to_dict(), sort_keys=True)) or None


DRY_RUNS = Store(1024)


def _dry_run_error(setting, racer):
    """``_dry_run`` by JSON keys: remembered, as every rerun validates its scene again
    (an empty string: the racer runs)."""
    return DRY_RUNS.remember(f"{setting}|{racer}", lambda: _first_error(setting, racer))


def _first_error(setting, racer):
    setting, racer = json.loads(setting), json.loads(racer)
    scene = Scene(
        surface=_surface_choice(setting["surface"]),
        racers=(),
        schedule=Schedule(setting["schedule"].pop("name"), setting["schedule"]),
        start=tuple(setting["start"]),
        steps=2,
        options=Options(**setting["options"]),
    )
    try:
        hyper = _tuples(racer["hyper"])
        run_racer(scene, Racer(racer["name"], hyper, racer.get("inner"), racer.get("batch_size")))
    except (ValueError, TypeError, OverflowError, KeyError) as error:
        return str(error)
    return ""


# ---------------------------------------------------------------- inspector


def _inspected(scene, warnings):
    """``scene`` with its inspected racer one of its racers (else none) and the step the
    race opens at within its steps (else the last)."""
    view, count = scene.view, len(scene.racers)
    if view.inspect > count:
        warnings.append(
            f"view setting: inspect={view.inspect} is not a racer of this scene; allowed: "
            f"0 (none) to {count}; using inspect=0"
        )
        view = view.replace(inspect=0, inspect_step=0)
    if view.inspect_step > scene.steps:
        warnings.append(
            f"view setting: inspect_step={view.inspect_step} is beyond the race's "
            f"{scene.steps} steps; allowed: 0 to {scene.steps}; using inspect_step={scene.steps}"
        )
        view = view.replace(inspect_step=scene.steps)
    return scene.replace(view=view)


# ---------------------------------------------------------------- landscape


def _with_landscape(scene, raw, warnings):
    """``scene`` with its landscape settings from ``raw`` (the racer one of the scene's, the
    sweep one the chosen racer allows)."""
    land = _settings(Landscape, raw, "landscape setting", warnings)
    count = len(scene.racers)
    if land.racer > count:
        warnings.append(
            f"landscape setting: racer={land.racer} is not a racer of this scene; allowed: "
            f"1 to {count}; using racer=1"
        )
        land = Landscape(**{**land.__dict__, "racer": 1})
    choices = sweep_choices(scene.racers[land.racer - 1])
    if land.sweep not in choices:
        warnings.append(
            f"landscape setting: sweep={show(land.sweep)} is not a choice for racer "
            f"{land.racer}; allowed: {', '.join(choices)}; using sweep=off"
        )
        land = Landscape(**{**land.__dict__, "sweep": "off"})
    return Scene(**{**scene.__dict__, "landscape": land})


def _surface_choice(entry):
    domain = entry.get("domain")
    return SurfaceChoice(
        entry["name"],
        entry.get("params", {}),
        entry.get("expression"),
        tuple(map(tuple, domain)) if domain else None,
    )


def _tuples(hyper):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items()}
