"""A scene in a share link's query string, and back, exactly.

    surface=rosenbrock,a:1.0,b:100.0   o1=adam,lr:0.05,betas:0.9/0.999   o2=...
    schedule=step,step_size:100,gamma:0.5,warmup_steps:0   start=-1.5,2.5   steps=500
    noise=0.0  seed=0  clip_norm=1.0  batch=32  palette=okabe-ito  big=1  tol=0.001  grid=200  3d=0  lang=zh
    paths=grow
    map=basin  mapby=steps  mapn=60  mapracer=2  curv=1  sweep=momentum  sweepby=regime
    lrrange=1  lrmin=1e-05  lrmax=1.0  lrsteps=500
    inspect=2:150

``batch`` is the mini-batch size on a surface made from data (``batch=full`` or no key:
the full batch), the default of every racer; a racer with its own says so in its item,
``o2=sgd,lr:0.05,batch:32`` or ``batch:full`` (written only when it has one). Racers are
numbered from 1 (``o1``, ``mapracer=1``). ``inspect=RACER:STEP`` opens the race paused
at step STEP with racer RACER inspected; it is written only when a racer is. Links made
before the scene package wrote ``mapr=K`` for racer K + 1; they still open the same scene.
The landscape keys and ``paths`` (the path style, "full" or "grow") are written only when
they differ from the defaults, to keep links short.
"""

from .defaults import RACERS, SURFACE
from .model import CUSTOM, FULL_BATCH, Landscape, View
from .text import show
from .validate import validate

MAX_VALUE_CHARS = 400  # longer query values are ignored, not parsed
MAX_KEY_CHARS = 40

OPTION_KEYS = {"noise": "noise_std", "seed": "seed", "clip_norm": "clip_norm"}
OPTION_KEYS.update(clip_value="clip_value", batch="batch_size")
RACER_BATCH_KEY = "batch"  # o2=sgd,lr:0.05,batch:32: a racer's own batch size
VIEW_KEYS = {"big": "large_font", "palette": "palette", "tol": "tolerance", "grid": "grid"}
VIEW_KEYS.update({"3d": "surface3d", "lang": "lang", "paths": "paths"})
SPARSE_VIEW = {"paths"}  # view settings written only when not at their defaults
LANDSCAPE_KEYS = {"map": "overlay", "mapby": "color", "mapn": "grid", "mapracer": "racer"}
LANDSCAPE_KEYS.update(curv="curvature", sweep="sweep", sweepby="sweep_color")
LANDSCAPE_KEYS.update(lrrange="lr_range", lrmin="range_min", lrmax="range_max")
LANDSCAPE_KEYS["lrsteps"] = "range_steps"
INSPECT_KEY = "inspect"  # RACER:STEP, View.inspect and View.inspect_step
INSPECT_FORM = "RACER:STEP, two whole numbers such as 2:150"
OLD_RACER_KEY = "mapr"  # before the scene package: the landscape racer counted from 0
RACER_KEYS = {f"o{number}": number for number in range(1, 100)}


def to_query(scene):
    """``{key: str}`` for ``st.query_params``; ``from_query`` restores the scene exactly."""
    surface = scene.surface
    query = {"surface": _item(surface.name, surface.params)}
    if surface.name == CUSTOM:
        query["f"] = surface.expression
        query["domain"] = ",".join(_text(v) for pair in surface.domain for v in pair)
    for number, racer in enumerate(scene.racers, start=1):
        inner = {"inner": racer.inner} if racer.inner else {}
        own = {} if racer.batch_size is None else {RACER_BATCH_KEY: racer.batch_size}
        query[f"o{number}"] = _item(racer.name, {**inner, **racer.hyper, **own})
    schedule = scene.schedule.to_dict()
    query["schedule"] = _item(schedule.pop("name"), schedule)
    query["start"] = ",".join(_text(v) for v in scene.start)
    query["steps"] = str(scene.steps)
    options = scene.options.to_dict()
    for key, name in OPTION_KEYS.items():
        if options[name] is not None:
            query[key] = _text(options[name])
    view = scene.view.to_dict()
    for key, name in VIEW_KEYS.items():
        if name not in SPARSE_VIEW or view[name] != View.param(name).default:
            query[key] = _text(view[name])
    if scene.view.inspect:
        query[INSPECT_KEY] = f"{scene.view.inspect}:{scene.view.inspect_step}"
    land, default = scene.landscape.to_dict(), Landscape().to_dict()
    for key, name in LANDSCAPE_KEYS.items():
        if land[name] != default[name]:
            query[key] = _text(land[name])
    return query


def from_query(params):
    """``(scene, warnings)`` from a query mapping (values str or lists of str); never raises."""
    flat, ignored = {}, []
    for key, value in dict(params).items():
        value = value[-1] if isinstance(value, list) and value else value
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
            ignored.append(key)
        elif len(str(key)) > MAX_KEY_CHARS:
            ignored.append(key)
        else:
            flat[str(key)] = value
    raw, racers, formula = {"options": {}, "view": {}, "landscape": {}}, {}, {}
    warnings = []
    groups = (
        (OPTION_KEYS, raw["options"]),
        (VIEW_KEYS, raw["view"]),
        (LANDSCAPE_KEYS, raw["landscape"]),
    )
    for key, value in flat.items():
        group = next((g for g in groups if key in g[0]), None)
        if key in RACER_KEYS:
            racers[RACER_KEYS[key]] = _racer(_parse_item(value))
        elif group is not None:
            full = key == "batch" and value == FULL_BATCH
            group[1][group[0][key]] = None if full else _parse_value(value)
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
        elif key == INSPECT_KEY:
            raw["view"].update(_inspect(value, warnings))
        elif key == OLD_RACER_KEY:
            old = _parse_value(value)
            raw["landscape"].setdefault("racer", old + 1 if isinstance(old, int) else old)
        else:
            ignored.append(key)
    if ignored:
        shown = ", ".join(show(k, 20) for k in ignored[:5]) + (" ..." if len(ignored) > 5 else "")
        warnings.insert(
            0, f"{len(ignored)} unknown, empty or too long query parameter(s) ignored: {shown}"
        )
    if racers:
        raw["optimizers"] = [racers[i] for i in sorted(racers)]
    if isinstance(raw.get("surface"), dict):
        raw["surface"] = {"name": raw["surface"].pop("name"), "params": raw["surface"], **formula}
    scene, more = validate(raw)
    return scene, warnings + more


def racers_of(params):
    """``[(name, inner)]`` of the racers a query mapping names (the default race's when it
    names none), unchecked and without running anything: what its page will race, known
    before ``from_query`` validates it (which runs each racer)."""
    racers = []
    for key in sorted((k for k in params if k in RACER_KEYS), key=RACER_KEYS.get):
        value = params[key]
        value = value[-1] if isinstance(value, list) and value else value
        if isinstance(value, str) and len(value) <= MAX_VALUE_CHARS:
            racer = _racer(_parse_item(value))
            inner = racer.get("inner")
            racers.append((racer["name"], inner if isinstance(inner, str) else None))
    return racers or [(name, None) for name, _ in RACERS]


def surface_of_link(params):
    """The name of the surface a query mapping names (the default scene's when it names
    none), unchecked: what its page will draw, known before ``from_query`` validates it."""
    value = params.get("surface")
    value = value[-1] if isinstance(value, list) and value else value
    if isinstance(value, str) and value and len(value) <= MAX_VALUE_CHARS:
        return _parse_item(value)["name"]
    return SURFACE


def inspect_values(text):
    """``{"inspect": racer, "inspect_step": step}`` from ``RACER:STEP``, or None when it
    is not two whole numbers (their ranges are judged by ``validate``)."""
    parts = text.split(":")
    if len(parts) == 2 and all(part.strip().isdigit() for part in parts):
        return {"inspect": int(parts[0]), "inspect_step": int(parts[1])}
    return None


def _inspect(value, warnings):
    values = inspect_values(value)
    if values is None:
        warnings.append(f"{INSPECT_KEY}={show(value)} ignored; allowed: {INSPECT_FORM}")
    return values or {}


def _racer(item):
    racer = {"name": item.pop("name")}
    if "inner" in item:
        racer["inner"] = item.pop("inner")
    if RACER_BATCH_KEY in item:
        racer["batch_size"] = item.pop(RACER_BATCH_KEY)
    return {**racer, "hyper": item}


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
