"""Pure Plotly builders for the race: contour + animation, 3D surface, metric panels, tables.

Nothing here calls Streamlit. Figures are plain dicts (see ``PlainFigure``); every numeric
array goes as a base64 typed array (float32 where a pixel's precision is enough).
"""

import base64
import math
import threading
import unicodedata

import numpy as np
import plotly.graph_objects as go

from i18n import t

from . import raster

PALETTES = {
    # Okabe & Ito (2008), colour-blind safe; yellow and black left out (contours, minima).
    "okabe-ito": ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"),
    "plotly": ("#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3"),
}
CONTOUR_SCALE = [[0.0, "#ffffff"], [0.35, "#d9e4ef"], [0.7, "#9fb3c8"], [1.0, "#52667d"]]
TRAIL = 4  # trail points behind each moving head
MAX_FRAMES = 1000  # above this many steps the animation shows every k-th step
MAX_LINE_POINTS = 500  # metric and 3D lines are thinned to about this many points
MAX_SCRUB_STOPS = 250  # scrubber positions (the animation itself plays every frame)
CLICK_GRID = 61  # click targets per side: a start lands within 1/70 of the view
CLICK_TARGETS = "start here"  # the name of their trace
PLAY_SPEEDS = (("slow", 120), ("play", 40), ("fast", 5))  # ms per frame, by catalogue key
PAUSE, RESTART = "❚❚", "↺"
# The ``meta`` of a path trace drawn only up to the race's current step (View.paths "grow"):
# the page's script (ui/step_follow.py) and the export cut the traces it marks.
GROWING = "growing path"
STEP_CURSOR = "step cursor"  # the name of the metric panels' vertical line at the step shown


class PlainFigure(go.Figure):
    """A go.Figure whose traces, layout and frames are plain dicts, never validated.

    Plotly validates every property it is given (about 0.1 s for the race, the 3D view
    and the panels together, measured; 0.9 s for 1000 ``go.Frame``), which would eat a
    rerun's budget. The builders here write correct dicts with typed arrays directly.
    Whatever is added later through Plotly's own API (``update_layout``, ``add_trace``)
    is validated as usual and laid over the plain parts by ``to_dict``, which is what
    ``st.plotly_chart``, ``to_json`` and ``write_image`` read.

    go.Figure's own parts are made only when that API is first used (``__getattr__``).
    They hold reference cycles (the layout points back at its figure), and a figure in a
    cycle takes its plain parts with it to the collector: a race's frames and scrubber
    stops, thousands of dicts and lists. A server's evicted races and the per-rerun copies
    made those 90% of the 80,000-100,000 objects each sweep's collection freed with the
    GIL held (``scene.cache.sweep``); without the cycle they go as soon as they are
    dropped.
    """

    def __init__(self, data=(), layout=None, frames=()):
        plain = {"data": list(data), "layout": dict(layout or {}), "frames": list(frames)}
        self.__dict__.update(_plain=plain, _made=False)

    def __getattr__(self, name):
        # reached when an attribute is missing: go.Figure's parts perhaps not made yet
        if name.startswith("__") or "_plain" not in self.__dict__:
            raise AttributeError(name)
        with _MAKING:  # re-entrant: go.Figure's own set-up looks for missing names too
            if self.__dict__.get("_making"):  # that set-up, in this thread
                raise AttributeError(name)
            if not self._made:
                self.__dict__["_making"] = True
                try:
                    # the empty template: Plotly's default is deep-copied by every to_dict
                    # (~1 ms), and Streamlit and the export lay their own themes over it
                    go.Figure.__init__(self, layout={"template": "none"})
                finally:
                    self.__dict__["_making"] = False
                self.__dict__["_made"] = True
        return object.__getattribute__(self, name)  # a thread that waited finds it made

    @property
    def plain(self):
        """The plain parts: ``{"data": [...], "layout": {...}, "frames": [...]}``."""
        return self._plain

    def to_dict(self):
        added = super().to_dict() if self._made else {"data": [], "layout": _empty_layout()}
        out = {  # traces copied one level deep: callers may edit them, the figure stays
            "data": [dict(trace) for trace in self.plain["data"]] + added["data"],
            "layout": _merged(self.plain["layout"], added["layout"]),
        }
        if self.plain["frames"]:
            out["frames"] = self.plain["frames"]
        return out


_MAKING = threading.RLock()  # figures are shared by sessions: go.Figure's parts made once


def _empty_layout():
    """What go.Figure's own ``to_dict`` gives for the layout of a figure with the empty
    template and nothing added (a new dict each time: callers may edit it)."""
    return {"template": {"data": {"scatter": [{"type": "scatter"}]}}}


def _merged(base, over):
    """``base`` with ``over`` laid on top, nested dicts merged key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            value = _merged(out[key], value)
        out[key] = value
    return out


def typed(values, dtype="f4"):
    """A Plotly typed array (base64 of little-endian ``dtype``), as plotly.js reads it."""
    array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    spec = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(map(str, array.shape))
    return spec


def compact(trace):
    """A trace dict with its NumPy arrays as typed arrays of their own dtype (int8 labels
    stay one byte a cell on the wire, where JSON lists would take several)."""
    return {
        k: typed(v, v.dtype.str[1:]) if isinstance(v, np.ndarray) else v for k, v in trace.items()
    }


def decode(spec):
    """The NumPy array behind a value of a built figure (typed array or list)."""
    if isinstance(spec, dict):
        array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])
        shape = spec.get("shape")
        return array.reshape([int(n) for n in shape.split(",")]) if shape else array
    return np.asarray(spec, dtype=float)


def font_size(view):
    return 20 if view.large_font else 13


def axis_text(title, size):
    """An axis's title and tick label fonts at ``size`` (ticks one smaller), given
    explicitly: Streamlit's chart theme sets its own sizes for them, which the layout's
    font would not override (projector mode would leave them small)."""
    return {"title": {"text": title, "font": {"size": size}}, "tickfont": {"size": size - 1}}


def legend_text(size):
    return {"font": {"size": size - 1}}


def colors(view, count):
    palette = PALETTES[view.palette]
    return [palette[i % len(palette)] for i in range(count)]


# ---------------------------------------------------------------- the surface grid


def surface_grid(surface, box, size):
    """``(xs, ys, Z)`` sampled on a ``size`` x ``size`` grid over ``box``."""
    (xmin, xmax), (ymin, ymax) = box
    xs = np.linspace(xmin, xmax, size)
    ys = np.linspace(ymin, ymax, size)
    z = surface.f(xs[None, :], ys[:, None])
    return xs, ys, np.asarray(z, dtype=float)


def uses_log_levels(z, f_min):
    """True when the values above the minimum span more than two decades."""
    gap = np.asarray(z, dtype=float) - f_min
    gap = gap[np.isfinite(gap) & (gap > 0)]
    if gap.size == 0:
        return False
    return math.log10(gap.max()) - math.log10(max(np.percentile(gap, 1), 1e-12)) > 2


def log_floor(z, f_min):
    """The smallest gap ``f - f*`` worth a colour: the grid's 1st percentile, in decades."""
    gap = np.asarray(z, dtype=float) - f_min
    gap = gap[np.isfinite(gap) & (gap > 0)]
    return 10.0 ** math.floor(math.log10(max(np.percentile(gap, 1), 1e-12))) if gap.size else 1e-12


def level_values(values, f_min, log, floor=1e-12):
    """What the contour colours: ``log10(f - f*)`` (from ``floor``) when ``log``, else ``f``."""
    values = np.asarray(values, dtype=float)
    if not log:
        return values
    return np.log10(np.maximum(values - f_min, floor))


def _colorbar(z, log, size):
    bar = {"title": {"text": "f − f*" if log else "f", "font": {"size": size}}, "thickness": 12}
    if log:
        finite = z[np.isfinite(z)]
        ticks = np.arange(math.floor(finite.min()), math.ceil(finite.max()) + 1)
        bar.update(tickvals=ticks.tolist(), ticktext=[f"1e{int(t)}" for t in ticks])
    return {**bar, "tickfont": {"size": size - 2}}


# ---------------------------------------------------------------- paths


def visible_path(xy, box):
    """``xy`` with points far outside the view (diverging runs) replaced by NaN."""
    (xmin, xmax), (ymin, ymax) = box
    span = max(xmax - xmin, ymax - ymin)
    out = np.array(xy, dtype=float)
    far = ~(
        (out[:, 0] >= xmin - span)
        & (out[:, 0] <= xmax + span)
        & (out[:, 1] >= ymin - span)
        & (out[:, 1] <= ymax + span)
    )
    out[far] = np.nan
    return out


def held_positions(xy, box):
    """Every step's head position: the last visible point once a run leaves the view."""
    out = visible_path(xy, box)
    valid = np.isfinite(out).all(axis=1)
    index = np.where(valid, np.arange(len(out)), 0)
    np.maximum.accumulate(index, out=index)
    held = out[index]
    (xmin, xmax), (ymin, ymax) = box
    held[:, 0] = np.clip(held[:, 0], xmin, xmax)
    held[:, 1] = np.clip(held[:, 1], ymin, ymax)
    return held


def cut_path(trace, step):
    """A copy of path ``trace`` (typed or plain ``x``, ``y``) ending at ``step``: its
    first ``step + 1`` points, the path drawn so far when the heads are at ``step``."""
    return {
        **trace,
        "x": typed(decode(trace["x"])[: step + 1]),
        "y": typed(decode(trace["y"])[: step + 1]),
    }


def frame_steps(steps):
    """The steps the animation shows: all of them, or every k-th above MAX_FRAMES."""
    stride = max(1, math.ceil(steps / MAX_FRAMES))
    shown = np.arange(0, steps + 1, stride)
    return shown if shown[-1] == steps else np.append(shown, steps)


def decimals(box):
    span = max(box[0][1] - box[0][0], box[1][1] - box[1][0])
    return max(0, 3 - math.floor(math.log10(span)))


def racer_frames(trajectories, box, trace_index, shown=None):
    """Frame dicts moving the heads and trails (one trace) over ``shown`` steps.

    ``shown`` defaults to ``frame_steps``: every step, or every k-th for long runs.
    """
    held = np.stack([held_positions(t.xy, box) for t in trajectories])  # (racers, steps+1, 2)
    shown = frame_steps(held.shape[1] - 1) if shown is None else np.asarray(shown, dtype=int)
    window = np.clip(shown[:, None] + np.arange(-TRAIL, 1)[None, :], 0, None)
    points = held[:, window]  # (racers, frames, TRAIL + 1, 2)
    points = np.round(points.transpose(3, 1, 0, 2).reshape(2, len(shown), -1), decimals(box))
    xs, ys = np.ascontiguousarray(points[0]), np.ascontiguousarray(points[1])
    return [
        {"name": str(step), "data": [{"x": x, "y": y}], "traces": [trace_index]}
        for step, x, y in zip(shown.tolist(), xs, ys, strict=True)
    ]


def _racer_trace(frames, palette, count):
    sizes = np.concatenate([np.linspace(3, 7, TRAIL), [14]])
    opacity = np.concatenate([np.linspace(0.25, 0.8, TRAIL), [1.0]])
    first = frames[0]["data"][0]
    return {
        "type": "scatter",
        "x": first["x"],
        "y": first["y"],
        "mode": "markers",
        "name": "heads",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {
            "size": typed(np.tile(sizes, count)),
            "opacity": typed(np.tile(opacity, count)),
            "color": np.repeat(palette[:count], TRAIL + 1).tolist(),
            "line": {"color": "white", "width": 1},
        },
    }


# ---------------------------------------------------------------- race figure


def surface_layers(surface, grid, view, box, max_3d=80):
    """What the charts draw of the surface itself, the same for every race on it.

    ``{"image"``: the filled-contour picture (log-spaced levels when values span decades),
    ``"colorbar"``, ``"targets"``: the click targets, ``"surface3d"``: the 3D surface on a
    grid of at most ``max_3d`` points a side, ``"log"``, ``"floor"``: the level scale``}``.
    """
    xs, ys, z = grid
    log = uses_log_levels(z, surface.f_min)
    floor = log_floor(z, surface.f_min)
    zplot = level_values(z, surface.f_min, log, floor)
    finite = zplot[np.isfinite(zplot)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    edges = raster.band_edges(low, high, 30 if log else 25)
    png = raster.contour_png(zplot, edges, CONTOUR_SCALE)
    image = {
        "source": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "xref": "x",
        "yref": "y",
        "x": float(xs[0]),
        "y": float(ys[-1]),
        "sizex": float(xs[-1] - xs[0]),
        "sizey": float(ys[-1] - ys[0]),
        "sizing": "stretch",
        "layer": "below",
    }
    colorbar = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": "levels",
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {
            "color": [low, high],
            "cmin": low,
            "cmax": high,
            "colorscale": CONTOUR_SCALE,
            "showscale": True,
            "colorbar": _colorbar(finite if finite.size else np.zeros(1), log, font_size(view)),
        },
    }
    stride = max(1, math.ceil(len(xs) / max_3d))
    surface3d = {
        "type": "surface",
        "x": typed(xs[::stride]),
        "y": typed(ys[::stride]),
        "z": typed(zplot[::stride, ::stride]),
        "colorscale": CONTOUR_SCALE,
        "showscale": False,
        "opacity": 0.9,
        "name": t("surface3d.name", view.lang),
    }
    return {
        "image": image,
        "colorbar": colorbar,
        "targets": click_targets(box, view.lang),
        "surface3d": surface3d,
        "log": log,
        "floor": floor,
    }


def click_targets(box, lang="en", count=CLICK_GRID):
    """Invisible points over ``box``, ``count`` per side: a click on one is a selection the
    app reads as a new start point (a picture takes no clicks).

    Point ``i`` of ``n = count**2`` sits at ``x_i = xmin + i (xmax - xmin) / (n - 1)``,
    ``y_i = ymin + (i mod count) (ymax - ymin) / (count - 1)``: columns of ``count`` points,
    each leaning by one column's width. Any point of the box is within 0.85 of a column's
    width of a target (about 1/70 of the view at 61 a side), as on a square grid, but x is
    a linear space (Plotly's ``x0``, ``dx``) and only y goes on the wire: 4 bytes a point
    (x as well would double that). Each target is an SVG node in the browser: 121 a side
    (1/150 of the view) made a new chart take a second longer to draw.
    """
    (xmin, xmax), (ymin, ymax) = box
    n = count * count
    rows = np.tile(np.linspace(ymin, ymax, count), count)
    return {
        "type": "scatter",
        "x0": xmin,
        "dx": (xmax - xmin) / (n - 1),
        "y": typed(rows),
        "mode": "markers",
        "name": CLICK_TARGETS,
        "showlegend": False,
        # small: Plotly hovers the first target within a marker radius, not the nearest
        "marker": {"size": 2, "opacity": 0},
        "selected": {"marker": {"opacity": 0}},
        "unselected": {"marker": {"opacity": 0}},
        "hovertemplate": "(%{x:.3f}, %{y:.3f})<br>"
        + t("race.click_here", lang)
        + "<extra></extra>",
    }


def race_figure(
    surface, box, grid, trajectories, labels, view, badge=(), layers=None, under=(), over=()
):
    """Contour with every full path (static), markers, and the animated heads.

    With ``view.paths`` "grow" the path traces still hold the whole paths (sent once) and
    are marked ``meta = GROWING``: the page cuts them to the step shown as the race plays.

    ``layers`` is ``surface_layers(surface, grid, view, box)`` when the caller has it cached.
    ``under`` are trace dicts drawn over the contour but under the click targets and paths
    (a basin map); ``over`` are drawn over the paths and markers, under the heads.
    """
    size = font_size(view)
    palette = colors(view, len(trajectories))
    layers = layers or surface_layers(surface, grid, view, box)
    traces = [layers["colorbar"], *under, layers["targets"]]
    for traj, label, color in zip(trajectories, labels, palette, strict=True):
        path = visible_path(traj.xy, box)
        traces.append(
            {
                "type": "scatter",
                "x": typed(path[:, 0]),
                "y": typed(path[:, 1]),
                "mode": "lines",
                "name": label,
                "legendgroup": label,
                "line": {"color": color, "width": 2},
                # no hover: a click near a path goes to the click targets under it
                "hoverinfo": "skip",
                **({"meta": GROWING} if view.paths == "grow" else {}),
            }
        )
    traces += _point_markers(surface, trajectories, box, palette, size, view.lang)
    traces += over
    frames = racer_frames(trajectories, box, len(traces))
    traces.append(_racer_trace(frames, palette, len(trajectories)))
    layout = {**_race_layout(box, size, badge), **_play_controls(frames, size, view.lang)}
    layout["images"] = [layers["image"]]
    return PlainFigure(traces, layout, frames)


def _point_markers(surface, trajectories, box, palette, size, lang):
    start = trajectories[0].xy[0]
    out = [markers(surface.minima, t("race.minimum", lang), "star", "black", size + 3)]
    if surface.saddles:
        out.append(markers(surface.saddles, t("race.saddle", lang), "x-thin-open", "#333", size))
    out.append(markers([start], t("race.start", lang), "circle-open", "black", size + 1))
    diverged = [(i, t) for i, t in enumerate(trajectories) if t.diverged_at is not None]
    if diverged:
        where = [held_positions(t.xy, box)[-1] for _, t in diverged]
        (_, _), (ymin, ymax) = box
        out.append(
            {
                "type": "scatter",
                "x": [float(p[0]) for p in where],
                "y": [float(p[1]) for p in where],
                "mode": "markers+text",
                "name": t("race.diverged", lang),
                "text": [t("race.diverged_at", lang, step=j.diverged_at) for _, j in diverged],
                # below the mark near the top edge, above it elsewhere: never cut off
                "textposition": [
                    "bottom center" if p[1] > (ymin + ymax) / 2 else "top center" for p in where
                ],
                "cliponaxis": False,
                "textfont": {"size": size, "color": [palette[i] for i, _ in diverged]},
                "marker": {
                    "symbol": "x",
                    "size": size + 4,
                    "color": [palette[i] for i, _ in diverged],
                },
            }
        )
    return out


def markers(points, name, symbol, color, size):
    """A scatter trace of ``points`` (x, y) as outlined markers, named for the legend."""
    points = list(points)
    return {
        "type": "scatter",
        "x": [float(p[0]) for p in points],
        "y": [float(p[1]) for p in points],
        "mode": "markers",
        "name": name,
        "marker": {"symbol": symbol, "size": size, "color": color, "line": {"width": 1.5}},
        "hovertemplate": f"{name} (%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
    }


def below_plot(size):
    """Pixels under the plot area taken by the x tick labels and the x-axis title at font
    ``size`` (measured in Chromium: 46 at 13, 70 at 20), with a few to spare."""
    return round(3.2 * size) + 10


def _play_controls(frames, size, lang):
    """Play/pause/restart buttons and the step scrubber, as plain layout dicts: the buttons
    under the x-axis title, the scrubber under the buttons, both spaced by the font size so
    that nothing overlaps in projector mode either."""
    play = {"frame": {"redraw": False}, "transition": {"duration": 0}, "mode": "immediate"}
    buttons = [
        {
            "label": "▶ " + t(f"race.{speed}", lang),
            "method": "animate",
            "args": [
                None,
                {**play, "frame": {"duration": ms, "redraw": False}, "fromcurrent": True},
            ],
        }
        for speed, ms in PLAY_SPEEDS
    ]
    # pause and restart as bare symbols: the row of five fits a phone's 300-pixel plot
    buttons.append({"label": PAUSE, "method": "animate", "args": [[None], play]})
    buttons.append({"label": RESTART, "method": "animate", "args": [[frames[0]["name"]], play]})
    seek = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    top = below_plot(size)
    menu = {
        "type": "buttons",
        "direction": "left",
        "buttons": buttons,
        "x": 0,
        "y": 0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": top},
        "showactive": False,
        "font": {"size": size},
    }
    slider = {
        "active": 0,
        "currentvalue": {
            "prefix": t("race.scrubber", lang),
            "font": {"size": size, "color": "#31333F"},
        },
        "ticklen": 0,
        "tickcolor": "rgba(0,0,0,0)",
        "font": {"color": "rgba(0,0,0,0)"},
        "x": 0.0,
        "len": 1.0,
        "y": 0,
        "yanchor": "top",
        "pad": {"t": top + 2 * size + 12},  # under the buttons (about 1.6 size + 8 tall)
        "steps": [
            {"label": f["name"], "method": "animate", "args": [[f["name"]], seek]}
            for f in _scrubber_stops(frames)
        ],
    }
    return {"updatemenus": [menu], "sliders": [slider]}


def controls_margin(size):
    """The bottom margin that holds the axis title, the buttons and the scrubber."""
    return below_plot(size) + 5 * size + 36


def _scrubber_stops(frames):
    """At most MAX_SCRUB_STOPS evenly spaced frames, the last included: the scrubber
    cannot be placed finer than a pixel or two anyway, and each stop costs payload."""
    stride = max(1, math.ceil(len(frames) / MAX_SCRUB_STOPS))
    stops = frames[::stride]
    return stops if stops[-1] is frames[-1] else [*stops, frames[-1]]


_BARE = {"showgrid": False, "zeroline": False}  # the contour picture fills the plot
# Log axes label every tick in full (0.05), not with plotly's bare digit between decades (5).
LOG_TICKS = {"tickformat": "~g"}


def log_ticks(values, most=5):
    """Tick values for a log axis over the positive ``values``: the coarsest of the powers
    of ten, 1-2-5 and 1-2-...-9 of each decade that puts at least two ticks inside the
    range, thinned to at most ``most`` (a short panel cannot hold more labels without
    printing them over each other, as Plotly's every-digit ticks did). ``{}`` (Plotly's
    own ticks) when no such set has two ticks in the range (less than a digit's span).
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return {}
    low, high = float(values.min()), float(values.max())
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for mantissas in ((1,), (1, 2, 5), range(1, 10)):
        ticks = [m * 10.0**e for e in decades for m in mantissas]
        ticks = [float(f"{t:.1g}") for t in ticks if low * (1 - 1e-9) <= t <= high * (1 + 1e-9)]
        if len(ticks) >= 2:
            return {"tickvals": ticks[:: math.ceil(len(ticks) / most)]}
    return {}


def _race_layout(box, size, badge):
    (xmin, xmax), (ymin, ymax) = box
    layout = {
        "xaxis": {"range": [xmin, xmax], **axis_text("x", size), "autorange": False, **_BARE},
        "yaxis": {"range": [ymin, ymax], **axis_text("y", size), "autorange": False, **_BARE},
        "font": {"size": size},
        # a plot area about 400 pixels tall (more in projector mode) above the controls:
        # the play buttons stay on a 1366 x 768 screen with the title and formula above
        "height": 440 + 4 * (size - 13) + controls_margin(size),
        "margin": {"l": 50, "r": 10, "t": 40, "b": controls_margin(size)},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, **legend_text(size)},
        "uirevision": "race",
    }
    if badge:
        layout["annotations"] = [
            {
                "text": "⚠ " + " · ".join(badge),
                "xref": "paper",
                "yref": "paper",
                "x": 0.01,
                "y": 0.99,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "bgcolor": "#FFF3B0",
                "bordercolor": "#B58900",
                "borderwidth": 1,
                "font": {"size": size, "color": "#333"},  # dark on yellow in any theme
            }
        ]
    return layout


# ---------------------------------------------------------------- 3D surface


def surface3d_figure(surface, grid, trajectories, labels, view, box, layers=None):
    """The surface in 3D (coarser grid) with the full paths lying on it; its title says
    that the heads move in the race chart (this figure has no animation of its own)."""
    layers = layers or surface_layers(surface, grid, view, box)
    log, floor = layers["log"], layers["floor"]
    size = font_size(view)
    traces = [layers["surface3d"]]
    for traj, label, color in zip(trajectories, labels, colors(view, len(labels)), strict=True):
        every = max(1, len(traj.loss) // MAX_LINE_POINTS)
        path = visible_path(traj.xy, box)[::every]
        height = level_values(traj.loss[::every], surface.f_min, log, floor)
        height[~np.isfinite(path[:, 0])] = np.nan
        traces.append(
            {
                "type": "scatter3d",
                "x": typed(path[:, 0]),
                "y": typed(path[:, 1]),
                "z": typed(height),
                "mode": "lines",
                "name": label,
                "line": {"color": color, "width": 5},
                "showlegend": False,
            }
        )
    title = "log10(f − f*)" if log else "f"
    layout = {
        "height": 560 + 4 * (size - 13),
        "font": {"size": size},
        "margin": {"l": 10, "r": 10, "t": 10 + 3 * size, "b": 10},
        "title": {
            "text": t("surface3d.title", view.lang),
            "font": {"size": size},
            "x": 0.02,
            "xref": "container",
            "y": 0.99,
            "yref": "container",
            "yanchor": "top",
        },
        "scene": {
            "xaxis": axis_text("x", size),
            "yaxis": axis_text("y", size),
            "zaxis": axis_text(title, size),
            # the default eye (1.25, 1.25, 1.25) puts the corners' tick labels outside
            "camera": {"eye": {"x": 2.1, "y": 2.1, "z": 1.4}},
        },
        "uirevision": "surface3d",
    }
    return PlainFigure(traces, layout)


# ---------------------------------------------------------------- metric panels


def metric_series(surface, traj, lang="en"):
    """Per-step metrics of one run, ``{panel title: (values, axis type)}``.

    The loss panel shows the gap ``f - f*`` on a log axis, or ``f`` itself on a linear
    one when the surface is unbounded below (saddles); the distance panel measures to the
    nearest minimum, or else to the nearest saddle point.
    """
    if math.isfinite(surface.f_min):
        loss = ("f − f*", (np.maximum(traj.loss - surface.f_min, 1e-16), "log"))
    else:
        loss = (t("metrics.unbounded", lang), (traj.loss, "linear"))
    name = "minimum" if surface.minima else "saddle"
    points = surface.minima or surface.saddles
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points):
        gaps = np.linalg.norm(traj.xy[:, None, :] - points[None, :, :], axis=2)
        dist = np.min(gaps, axis=1)
    else:
        dist = np.full(len(traj.xy), np.nan)
    return dict(
        [
            loss,
            (t(f"metrics.distance_{name}", lang), (dist, "log")),
            (t("metrics.lr", lang), (traj.lr, "log")),
            (t("metrics.grad_norm", lang), (np.hypot(traj.grad[:, 0], traj.grad[:, 1]), "log")),
        ]
    )


# panel domains (x, y) in the order of metric_series
_PANELS = (
    ((0.0, 0.46), (0.6, 0.94)),
    ((0.54, 1.0), (0.6, 0.94)),
    ((0.0, 0.46), (0.0, 0.4)),
    ((0.54, 1.0), (0.0, 0.4)),
)


def metrics_figure(surface, trajectories, labels, view):
    """Loss gap, distance, lr and gradient norm against the step, one colour per racer,
    with a ``step_cursor`` in each panel."""
    size = font_size(view)
    layout = {
        "height": 520 + 8 * (size - 13),
        "font": {"size": size},
        "margin": {"l": 60, "r": 10, "t": 30, "b": 40},
        "legend": {"orientation": "h", "y": -0.12, **legend_text(size)},
        "annotations": [],
        "shapes": [],
    }
    series = [metric_series(surface, traj, view.lang) for traj in trajectories]
    titles = list(series[0])
    traces = []
    for panel, (title, (xdom, ydom)) in enumerate(zip(titles, _PANELS, strict=True), start=1):
        scale = series[0][title][1]
        suffix = "" if panel == 1 else str(panel)
        title_x = t("metrics.step", view.lang) if ydom[0] == 0.0 else ""
        layout[f"xaxis{suffix}"] = {
            "domain": xdom,
            "anchor": f"y{suffix}",
            **axis_text(title_x, size),
        }
        layout[f"yaxis{suffix}"] = {
            "domain": ydom,
            "anchor": f"x{suffix}",
            "type": scale,
            **axis_text("", size),
        }
        if scale == "log":
            shown = np.concatenate([data[title][0] for data in series])
            layout[f"yaxis{suffix}"].update(LOG_TICKS, **log_ticks(shown))
        layout["shapes"].append(step_cursor(suffix))
        layout["annotations"].append(
            {
                "text": _two_lines(title),
                "xref": "paper",
                "yref": "paper",
                "x": (xdom[0] + xdom[1]) / 2,
                "y": ydom[1],
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": size},
            }
        )
        for data, label, color in zip(series, labels, colors(view, len(labels)), strict=True):
            values = data[title][0]
            every = max(1, len(values) // MAX_LINE_POINTS)
            low = 0 if scale == "log" else -1e30
            traces.append(
                {
                    "type": "scatter",
                    "x0": 0,
                    "dx": every,
                    "y": typed(np.clip(values[::every], low, 1e30)),
                    "mode": "lines",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": panel == 1,
                    "line": {"color": color, "width": 1.5},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
    return PlainFigure(traces, layout)


def step_cursor(suffix, step=0):
    """A vertical line across panel ``x{suffix}`` at ``step``: the page's script moves it
    to the step the race shows (the heads start at step 0)."""
    return {
        "type": "line",
        "name": STEP_CURSOR,  # found by it, never shown
        "showlegend": False,
        "xref": f"x{suffix}",
        "yref": f"y{suffix} domain",
        "x0": step,
        "x1": step,
        "y0": 0,
        "y1": 1,
        "line": {"color": "#555", "width": 1, "dash": "dot"},
        "layer": "above",
    }


BREAK = "\u200b"  # a zero-width space: where a title without spaces (Chinese) may break


def _two_lines(title, longest=12):
    """``title`` broken at the space or ``BREAK`` nearest its middle when wider than
    ``longest`` Latin letters (a Chinese character counts two): side by side on a phone, a
    panel is about 120 pixels wide."""
    widths = [
        0 if c == BREAK else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in title
    ]
    breaks = [i for i, c in enumerate(title) if c in (" ", BREAK)]
    if sum(widths) > longest and breaks:
        middle = sum(widths) / 2
        cut = min(breaks, key=lambda i: abs(sum(widths[:i]) - middle))
        title = title[:cut] + "<br>" + title[cut + 1 :]
    return title.replace(BREAK, "")


def lr_preview_figure(rates, labels, view):
    """A small lr-vs-step plot of the schedule, one line per racer's base rate.

    Rates of 0 (a schedule's end) are left out: a log axis has no place for them. In a
    collapsed sidebar (a phone's) the figure is laid out at zero width: no x tick labels,
    under which Plotly would place an x-axis title at -Infinity.
    """
    rates = [np.where(np.asarray(rate) > 0, rate, np.nan) for rate in rates]
    traces = [
        {"type": "scatter", "y": typed(rate), "mode": "lines", "name": label, "line": {"color": c}}
        for rate, label, c in zip(rates, labels, colors(view, len(labels)), strict=True)
    ]
    size = font_size(view) - 2
    layout = {
        "height": 180 + 4 * (size - 11),
        # margins wide enough for the labels, not worked out from their boxes (of zero
        # size in a hidden sidebar)
        "margin": {"l": round(4.6 * size) + 8, "r": 5, "t": 5, "b": round(2.8 * size) + 6},
        "showlegend": False,
        "yaxis": {
            "type": "log",
            **axis_text("lr", size),
            "automargin": False,
            **LOG_TICKS,
            **log_ticks(np.concatenate(rates)),
        },
        "xaxis": {"automargin": False, "tickfont": {"size": size - 1}},
        # the x axis named by an annotation: an axis title is placed under the tick
        # labels, and with no tick labels (zero width) at -Infinity
        "annotations": [
            {
                "text": t("metrics.step", view.lang),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 0,
                "xanchor": "right",
                "yanchor": "top",
                "yshift": -round(1.3 * size),
                "showarrow": False,
            }
        ],
        "font": {"size": size},
    }
    return PlainFigure(traces, layout)
