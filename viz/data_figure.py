"""The dataset of a surface made from data beside the race, with the model of one racer.

The surface's point (x, y) is the model's weights, so each step of a trajectory is a
model drawn over the data:

- ``linreg``: the line y = w x + b through the scatter of (x_i, y_i);
- ``logreg``: the decision boundary w1 x1 + w2 x2 = 0 (probability 1/2) through the two
  classes, a line through the origin perpendicular to (w1, w2);
- ``mlp_slice``: the network's decision regions and its boundary o(x) = 0 at the weights
  theta* + a d1 + b d2 (``surfaces.network.weights``).

A line needs two points per step: the figure carries Plotly frames of its own (its own
step slider), one per shown step of the race. The network's boundary is a contour over a
grid, drawn at the final step only.
"""

import numpy as np

from i18n import t
from surfaces import network

from . import figures as F

AXIS_NAMES = {"linreg": ("w", "b"), "logreg": ("w₁", "w₂"), "mlp_slice": ("a", "b")}
DATA_AXES = {"linreg": ("x", "y"), "logreg": ("x₁", "x₂"), "mlp_slice": ("x₁", "x₂")}
CLASS_COLORS = ("#56B4E9", "#E69F00")  # label 0, label 1 (Okabe & Ito)
MAX_STOPS = 100  # the slider's steps: a line per stop
FAINT_STEPS = 4  # earlier lines drawn faintly, evenly spaced from the start
REGION_GRID = 60  # the network's decision regions: points per side
DATA_CHART = "gradscape-data"  # the layout's meta: the page's script makes it follow the race


def axis_names(surface):
    """The names of the surface's coordinates: the model's weights on a data surface."""
    return AXIS_NAMES.get(surface.name, ("x", "y"))


def model_line(surface, weights, box):
    """``(xs, ys)``: two points of the chosen model's line over the data's ``box``
    ((x0, x1), (y0, y1)): the fitted line (linreg) or the decision boundary (logreg)."""
    (x0, x1), (y0, y1) = box
    w1, w2 = weights
    if surface.name == "linreg":
        return [x0, x1], [w1 * x0 + w2, w1 * x1 + w2]
    # the boundary through the origin, along (-w2, w1), long enough to cross the box
    norm = float(np.hypot(w1, w2)) or 1.0
    reach = 2.0 * max(abs(x0), abs(x1), abs(y0), abs(y1))
    dx, dy = -w2 / norm * reach, w1 / norm * reach
    return [-dx, dx], [-dy, dy]


def data_box(surface):
    """The data's extent with a margin: ((x0, x1), (y0, y1))."""
    a, b = (np.asarray(v, dtype=float) for v in _columns(surface))
    pad_a, pad_b = 0.08 * np.ptp(a) + 1e-9, 0.08 * np.ptp(b) + 1e-9
    return (a.min() - pad_a, a.max() + pad_a), (b.min() - pad_b, b.max() + pad_b)


def _columns(surface):
    data = surface.data
    return (data["x"], data["y"]) if surface.name == "linreg" else (data["x1"], data["x2"])


def data_figure(surface, trajectory, label, color, view):
    """The data and ``trajectory``'s model (racer ``label`` in ``color``) at its last
    step, with a slider over the race's shown steps (linreg, logreg) and faint lines at a
    few earlier steps."""
    size = F.font_size(view)
    box = data_box(surface)
    traces = [*_scatter(surface)]
    xy = np.where(np.isfinite(trajectory.xy), trajectory.xy, 0.0)
    last = len(xy) - 1
    frames, sliders = [], []
    if surface.name == "mlp_slice":
        traces.append(_regions(surface, xy[last], box))
    else:
        for step in np.linspace(0, last, FAINT_STEPS + 1).astype(int)[:-1]:
            traces.append(_line(surface, xy[step], box, color, faint=True))
        traces.append(_line(surface, xy[last], box, color, faint=False))
        stops = _stops(last)
        index = len(traces) - 1
        frames = [
            {"name": str(s), "data": [_line_data(surface, xy[s], box)], "traces": [index]}
            for s in stops
        ]
        sliders = [_slider(stops, size, view.lang)]
    (x0, x1), (y0, y1) = box
    names = DATA_AXES[surface.name]
    layout = {
        "height": 340 + 8 * (size - 13),
        "font": {"size": size},
        "margin": {"l": 50, "r": 10, "t": 10 + 2 * size, "b": 40 + (4 * size if sliders else 0)},
        "title": {
            "text": t("data.title", view.lang, racer=label),
            "font": {"size": size},
            "x": 0.02,
            "xref": "container",
        },
        "xaxis": {"range": [x0, x1], **F.axis_text(names[0], size)},
        "yaxis": {"range": [y0, y1], **F.axis_text(names[1], size)},
        "showlegend": False,
        "sliders": sliders,
        "meta": DATA_CHART,
    }
    return F.PlainFigure(traces, layout, frames)


def _stops(last):
    """At most ``MAX_STOPS`` steps from 0 to ``last``, the last included."""
    stride = max(1, -(-last // MAX_STOPS))
    stops = list(range(0, last + 1, stride))
    return stops if stops[-1] == last else [*stops, last]


def _slider(stops, size, lang):
    seek = {"frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    return {
        "active": len(stops) - 1,
        "currentvalue": {
            "prefix": t("race.scrubber", lang),
            "font": {"size": size, "color": "#31333F"},
        },
        "ticklen": 0,
        "minorticklen": 0,
        "font": {"color": "rgba(0,0,0,0)"},
        "pad": {"t": 2 * size + 10},
        "steps": [{"label": str(s), "method": "animate", "args": [[str(s)], seek]} for s in stops],
    }


def _scatter(surface):
    """The samples: grey points (linreg), or coloured by class."""
    a, b = _columns(surface)
    marker = {"size": 5, "opacity": 0.75}
    if surface.name == "linreg":
        colors = "#777"
    else:
        colors = [CLASS_COLORS[int(v)] for v in surface.data["label"]]
    yield {
        "type": "scatter",
        "x": F.typed(a),
        "y": F.typed(b),
        "mode": "markers",
        "name": "data",
        "hoverinfo": "skip",
        "marker": {**marker, "color": colors},
    }


def _line_data(surface, weights, box):
    xs, ys = model_line(surface, weights, box)
    return {"x": [float(v) for v in xs], "y": [float(v) for v in ys]}


def _line(surface, weights, box, color, faint):
    """The model's line at ``weights``: bold, or faint and dotted for an earlier step."""
    line = {"color": color, "width": 1.5, "dash": "dot"} if faint else {"color": color, "width": 3}
    return {
        "type": "scatter",
        **_line_data(surface, weights, box),
        "mode": "lines",
        "name": "earlier" if faint else "model",
        "hoverinfo": "skip",
        "opacity": 0.35 if faint else 1.0,
        "line": line,
    }


def _regions(surface, weights, box):
    """The network's probability of class 1 over the box, its 1/2 contour drawn bold."""
    (x0, x1), (y0, y1) = box
    gx, gy = np.linspace(x0, x1, REGION_GRID), np.linspace(y0, y1, REGION_GRID)
    mx, my = np.meshgrid(gx, gy)
    theta = network.weights(surface, *weights)
    logits = network.logits(theta, surface.params["hidden"], mx.ravel(), my.ravel())
    return {
        "type": "contour",
        "x": F.typed(gx),
        "y": F.typed(gy),
        "z": F.typed(np.clip(logits, -30, 30).reshape(mx.shape)),
        "name": "model",
        "hoverinfo": "skip",
        "showscale": False,
        "opacity": 0.35,
        "colorscale": [[0.0, CLASS_COLORS[0]], [1.0, CLASS_COLORS[1]]],
        "contours": {"start": 0.0, "end": 0.0, "size": 1.0, "coloring": "fill"},
        "line": {"color": "#222", "width": 2},
    }
