"""A scene's landscape views: its basin map, sweep and auto-tuning, run the way the race runs.

Everything here goes from a validated scene (``viz.scene``) to ``optimizers.landscape``
with the chosen racer's optimizer, hyperparameters and the scene's schedule, options and
step budget, and from the results to figure parts (``viz.landscape_figures``). Basin maps
and sweeps are remembered per scene in small in-process LRU stores keyed by JSON strings
of the settings they depend on: the app shows a progress bar only when a result is not
stored yet, which ``st.cache_*`` cannot do (it would replay the bar's updates on every
hit). Nothing here calls Streamlit.
"""

import json
from collections import OrderedDict
from threading import Lock

import numpy as np

from optimizers import landscape as L
from surfaces.curvature import curvature

from . import figures as F
from . import landscape_figures as LF
from . import scene as S

BASIN_COLORBAR_X = 1.16  # the basin layer's colour bar, right of the contour's (x = 1.02)


class Store:
    """A thread-safe LRU mapping of at most ``size`` entries (sessions share it)."""

    def __init__(self, size):
        self._size, self._items, self._lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
            return self._items.get(key)

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


BASINS = Store(16)
SWEEPS = Store(16)


def chosen_racer(scene):
    return scene["optimizers"][scene["landscape"]["racer"]]


def _key(*parts):
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


# ---------------------------------------------------------------- basin map


def basin_key(scene):
    """What the chosen racer's basin map depends on (not the start, not the colouring)."""
    land = scene["landscape"]
    parts = (scene["surface"], chosen_racer(scene), scene["schedule"], scene["options"])
    return _key(*parts, scene["steps"], land["grid"])


def basin(scene, progress=None):
    """The chosen racer's BasinMap over the view, computed once per ``basin_key``.

    ValueError (from the engine's caps) when the grid x steps is too much work.
    """
    key = basin_key(scene)
    found = BASINS.get(key)
    if found is not None:
        return found
    racer = chosen_racer(scene)
    surface = S.surface_of(scene)
    settings = S.engine_settings(scene, racer)
    result = L.basin_map(
        surface,
        racer["name"],
        scene["steps"],
        size=scene["landscape"]["grid"],
        box=S.view_box(surface),
        progress=progress,
        **settings,
    )
    return BASINS.put(key, result)


def stored_basin(scene):
    """The basin map of ``scene`` if it was computed already, else None."""
    return BASINS.get(basin_key(scene))


def overlay(scene, trajectories, basin_map=None):
    """``(under, over)``: race-figure traces for under the paths (the basin layer and the
    local minima it found) and over them (the curvature arrows at the start and at the
    chosen racer's final point)."""
    land, view = scene["landscape"], scene["view"]
    under, over = [], []
    if land["overlay"] == "basin" and basin_map is not None:
        layer = LF.basin_layer(basin_map, view, land["color"], colorbar_x=BASIN_COLORBAR_X)
        under.append(_compact(layer.to_plotly_json()))
        if basin_map.local_minima:
            under.append(LF.local_minima_markers(basin_map, view))
    if land["curvature"]:
        surface = S.surface_of(scene)
        box = S.view_box(surface)
        for point in curvature_points(scene, trajectories):
            try:
                curv = curvature(surface, *point)
            except ValueError:  # a Hessian that is not finite there: nothing to draw
                continue
            for trace in LF.curvature_traces(curv, box, view):
                # named in the caption below the chart: the legend keeps to the racers
                over.append({**trace.to_plotly_json(), "showlegend": False})
            over[-1]["textfont"] = {**over[-1]["textfont"], "color": "#111"}
    return under, over


def _compact(trace):
    """A trace dict with its NumPy arrays as typed arrays of their own dtype (int8 labels
    stay one byte a cell on the wire, where JSON lists would take several)."""
    return {
        k: F.typed(v, v.dtype.str[1:]) if isinstance(v, np.ndarray) else v for k, v in trace.items()
    }


def curvature_points(scene, trajectories):
    """The start, and the chosen racer's final point when it ended inside the view."""
    points = [tuple(scene["start"])]
    (xmin, xmax), (ymin, ymax) = S.view_box(S.surface_of(scene))
    x, y = trajectories[scene["landscape"]["racer"]].xy[-1]
    if xmin <= x <= xmax and ymin <= y <= ymax and (x, y) != points[0]:
        points.append((float(x), float(y)))
    return points


def curvature_lines(scene, trajectories):
    """One sentence per curvature point: where, eigenvalues, condition number, 2/λmax."""
    surface = S.surface_of(scene)
    (xmin, xmax), (ymin, ymax) = S.view_box(surface)
    span = max(xmax - xmin, ymax - ymin)
    out = []
    for name, point in zip(("start", "end"), curvature_points(scene, trajectories), strict=False):
        try:
            curv = curvature(surface, *point)
        except ValueError as error:
            out.append(f"{name} ({point[0]:.3g}, {point[1]:.3g}): {error}")
            continue
        low, high = curv.eigenvalues.tolist()
        out.append(
            f"{name} ({point[0]:.3g}, {point[1]:.3g}): λ = {low:.4g}, {high:.4g}; "
            + LF.curvature_text(curv, surface.grad(*point), span)
        )
    return out


# ---------------------------------------------------------------- sweep


def sweep_key(scene):
    """What the sweep depends on: everything but the swept values themselves."""
    land = scene["landscape"]
    racer = chosen_racer(scene)
    kept = {k: v for k, v in racer["hyper"].items() if k != "lr"}
    param = land["sweep"]
    if param not in ("off", "lr"):
        name, position = split_param(param)
        if position is None:
            del kept[name]
        else:  # a pair: the other element still matters
            kept[name] = [None if i == position else v for i, v in enumerate(kept[name])]
    parts = (scene["surface"], racer["name"], racer.get("inner"), kept, scene["schedule"])
    parts += (scene["options"], scene["start"], scene["steps"], scene["view"]["tolerance"])
    return _key(*parts, land["sweep"])


def sweep(scene, progress=None):
    """The chosen racer's Sweep from the scene's start ("off" sweeps lr alone)."""
    key = sweep_key(scene)
    found = SWEEPS.get(key)
    if found is not None:
        return found
    param = scene["landscape"]["sweep"]
    settings = S.engine_settings(scene, chosen_racer(scene))  # sweep replaces lr and the param
    schedule = settings.pop("schedule")
    result = L.sweep(
        S.surface_of(scene),
        chosen_racer(scene)["name"],
        tuple(scene["start"]),
        scene["steps"],
        param=None if param in ("off", "lr") else param,
        schedule=schedule,
        tol=scene["view"]["tolerance"],
        progress=progress,
        **settings,
    )
    return SWEEPS.put(key, result)


def stored_sweep(scene):
    return SWEEPS.get(sweep_key(scene))


def sweep_cell(result, x, y):
    """``(lr, value)`` of the sweep cell nearest to a click at (log10 lr, value)."""
    lr = float(result.lrs[np.argmin(np.abs(np.log10(result.lrs) - x))])
    if result.param is None:
        return lr, None
    return lr, float(result.values[np.argmin(np.abs(result.values - y))])


def significant(value, digits=3):
    """``value`` rounded to ``digits`` significant digits, as loaded into a racer."""
    return float(f"{value:.{digits}g}")


def split_param(param):
    """``("betas", 0)`` for "betas[0]", ``("momentum", None)`` for "momentum"."""
    name, _, element = param.partition("[")
    return name, int(element.rstrip("]")) if element else None


def hyper_value(racer, param):
    """The value of ``param`` ("lr", "betas[0]") in ``racer``'s hyperparameters."""
    name, position = split_param(param)
    value = racer["hyper"][name]
    return value if position is None else value[position]


def sweep_figure(scene, result):
    """The sweep heatmap, with the chosen racer's current settings marked."""
    racer = chosen_racer(scene)
    current = (
        racer["hyper"]["lr"],
        hyper_value(racer, result.param) if result.param else None,
    )
    return LF.sweep_figure(
        result, scene["view"], scene["landscape"]["sweep_color"], current=current
    )


# ---------------------------------------------------------------- auto-tune


def tune(scene):
    """One ``landscape.Tuning`` per racer: the same rates, budget, start and settings."""
    out = []
    for racer in scene["optimizers"]:
        settings = S.engine_settings(scene, racer)  # auto_tune replaces lr
        schedule = settings.pop("schedule")
        out.append(
            L.auto_tune(
                S.surface_of(scene),
                racer["name"],
                tuple(scene["start"]),
                scene["steps"],
                schedule=schedule,
                tol=scene["view"]["tolerance"],
                **settings,
            )
        )
    return out


def tuning_rows(scene, tunings):
    """The auto-tune table: one row per racer, as shown (3 significant digits, as applied)."""
    rows = []
    for index, (racer, tuning) in enumerate(zip(scene["optimizers"], tunings, strict=True)):
        lr, gap, step = "kept", "-", "not reached"
        if tuning.lr is not None:
            best = int(np.flatnonzero(tuning.lrs == tuning.lr)[0])
            lr, gap = f"{significant(tuning.lr):g}", f"{tuning.final_gap[best]:.3g}"
            if tuning.converged_step[best] >= 0:
                step = str(int(tuning.converged_step[best]))
        rows.append(
            {
                "racer": S.racer_title(racer, index),
                "chosen lr": lr,
                "final gap": gap,
                "steps to tolerance": step,
                "diverged runs": f"{int(tuning.diverged.sum())} / {len(tuning.lrs)}",
                "note": "" if tuning.lr is not None else "every rate diverged: lr kept",
            }
        )
    return rows
