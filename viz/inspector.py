"""The inspector on the race chart: one racer's step drawn where it stands, frame by frame.

At frame ``s`` (the point ``xy[s]``) the inspected racer's next step (``step_rule``'s row
``r = min(s, steps - 1)``, drawn from ``xy[r]``) shows as

- the negative gradient ``−∇f(xy[r])`` and the negative momentum or first moment (the first
  of ``momentum_buffer``, ``exp_avg``, ``grad_avg``, ``d`` the optimizer keeps: the way it
  pushes), both times one factor ``k_g`` (set by the longer of the two), so that their
  lengths compare;
- the update taken, ``xy[r + 1] − xy[r]``, at its true length when the median update is at
  least 2% of the view, else times a factor ``k_u``;
- for adaptive methods an axis-aligned ellipse whose half-widths are ``k_s · scale_i``, the
  per-coordinate factor the gradient is multiplied by: narrow across a steep direction,
  wide along a flat one, which is why both move alike.

Each factor is a round number (1, 2 or 5 times a power of ten) putting the median length
over the frames at about ``SHARE`` of the view's larger side (``ELLIPSE_SHARE`` for the
ellipse); the legend names it
("−∇f × 0.01"). The data are the inspected racer's only, at the frame steps: four short
traces per frame (2 points per arrow, ``ELLIPSE_POINTS`` for the ellipse), linear in the
steps, as short JSON lists rounded to a tenth of the heads' precision. They ride in
the race's Plotly frames, so the scrubber, the play buttons and the
export move them with the heads, with no server round trip.
"""

import math

import numpy as np

from i18n import t

from .figures import decimals
from .step_rule import frame_rows

SHARE = 0.25  # the median arrow's length, as a share of the view's larger side: long
# enough to show beside the racer's marker on a phone's 200-pixel plot
ELLIPSE_SHARE = 0.15  # the median ellipse's larger half-width, likewise
TRUE_LENGTH = 0.02  # updates at least this share long are drawn at their true length
META = "inspector"  # the ``meta`` of its traces, so that a static picture can leave them out
ELLIPSE_POINTS = 17  # a 16-gon: round enough at the ellipse's size, 4 bytes a point less
MOMENTA = ("momentum_buffer", "exp_avg", "grad_avg", "d")
COLORS = {"gradient": "#B2182B", "momentum": "#6A3D9A", "update": "#111111", "scale": "#555555"}


def round_factor(target, length):
    """The largest of 1, 2, 5 × 10^k at most ``target / length`` (1 without a length)."""
    if not (length > 0 and math.isfinite(length)):
        return 1.0
    ratio = target / length
    power = 10.0 ** math.floor(math.log10(ratio))
    return max(m * power for m in (1, 2, 5) if m * power <= ratio * (1 + 1e-12))


def factor_text(factor):
    return f"{factor:g}"


def _median_length(vectors):
    lengths = np.hypot(vectors[:, 0], vectors[:, 1])
    lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
    return float(np.median(lengths)) if lengths.size else 0.0


def momentum_name(state):
    """The state entry drawn as momentum, or None."""
    return next((name for name in MOMENTA if name in state), None)


def inspector_parts(traj, shown, box):
    """``(anchors, {kind: (vectors, factor)}, scale or None)`` at the frame steps
    ``shown``: vectors already multiplied by their factor; ``scale`` as ``(half-widths,
    factor)``."""
    (xmin, xmax), (ymin, ymax) = box
    span = max(xmax - xmin, ymax - ymin)
    rows = frame_rows(shown, len(traj.grad))
    state = traj.state
    raw = {"gradient": -traj.grad[rows]}
    name = momentum_name(state)
    if name is not None:
        raw["momentum"] = -state[name][rows]
    k_g = round_factor(SHARE * span, max(_median_length(vectors) for vectors in raw.values()))
    parts = {kind: (vectors * k_g, k_g) for kind, vectors in raw.items()}
    update = state["update"][rows]
    typical = _median_length(update)
    k_u = 1.0 if typical >= TRUE_LENGTH * span else round_factor(SHARE * span, typical)
    parts["update"] = (update * k_u, k_u)
    scale = None
    if "scale" in state:
        widths = state["scale"][rows]
        largest = np.abs(widths).max(axis=1)
        largest = largest[np.isfinite(largest) & (largest > 0)]
        typical = float(np.median(largest)) if largest.size else 0.0
        k_s = round_factor(ELLIPSE_SHARE * span, typical)
        scale = (np.abs(widths) * k_s, k_s)
    return traj.xy[rows], parts, scale


def inspector_traces(traj, shown, box, lang, size=13):
    """``(traces, per-frame data)``: the inspector's trace dicts and, for each frame step
    in ``shown``, the list of their ``{"x", "y"}`` at that frame."""
    anchors, parts, scale = inspector_parts(traj, shown, box)
    momentum = momentum_name(traj.state)
    digits = decimals(box) + 1  # a tenth of the heads' rounding: arrowheads point true
    traces, columns = [], []
    for kind, (vectors, factor) in parts.items():
        what = momentum if kind == "momentum" else ""
        name = t(f"inspect.{kind}", lang, name=what, factor=factor_text(factor))
        traces.append(_arrow_trace(name, COLORS[kind], size, kind == "update"))
        ends = anchors + vectors
        columns.append((np.c_[anchors[:, 0], ends[:, 0]], np.c_[anchors[:, 1], ends[:, 1]]))
    if scale is not None:
        widths, factor = scale
        traces.append(_ellipse_trace(t("inspect.scale", lang, factor=factor_text(factor))))
        angle = np.linspace(0.0, 2.0 * math.pi, ELLIPSE_POINTS)
        xs = anchors[:, :1] + widths[:, :1] * np.cos(angle)
        ys = anchors[:, 1:] + widths[:, 1:] * np.sin(angle)
        columns.append((xs, ys))
    listed = [(_rows(xs, digits), _rows(ys, digits)) for xs, ys in columns]
    frames = [
        [{"x": xs[frame], "y": ys[frame]} for xs, ys in listed] for frame in range(len(shown))
    ]
    return traces, frames


def _rows(values, digits):
    """Each row of ``values`` as a short JSON list, rounded to ``digits`` decimals (a typed
    array's wrapper outweighs a few numbers); None where not finite."""
    rounded = np.round(values, digits)
    if np.isfinite(rounded).all():
        return rounded.tolist()
    return np.where(np.isfinite(rounded), rounded, None).tolist()


def _arrow_trace(name, color, size, bold):
    return {
        "type": "scatter",
        "x": [None, None],
        "y": [None, None],
        "mode": "lines+markers",
        "name": name,
        "meta": META,
        "line": {"color": color, "width": 3.5 if bold else 2.5},
        # an arrowhead at the tip, pointing along the segment
        "marker": {"symbol": "arrow", "angleref": "previous", "size": [0, size], "color": color},
        "hoverinfo": "skip",
    }


def _ellipse_trace(name):
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "lines",
        "name": name,
        "meta": META,
        "line": {"color": COLORS["scale"], "width": 1.5, "dash": "dot"},
        "fill": "toself",
        "fillcolor": "rgba(85, 85, 85, 0.12)",
        "hoverinfo": "skip",
    }


def add_inspector(figure, traj, box, lang, opening_step=0, size=13):
    """Put the inspector of ``traj`` (recorded state) into the race ``figure``: its traces
    just under the heads (the last trace), their data in every frame, and the figure opened
    at the frame of ``opening_step`` (the last frame at or before it), scrubber included."""
    plain = figure.plain
    data, frames = plain["data"], plain["frames"]
    shown = [int(frame["name"]) for frame in frames]
    traces, per_frame = inspector_traces(traj, shown, box, lang, size)
    heads = len(data) - 1
    count = len(traces)
    data[heads:heads] = traces
    for frame, added in zip(frames, per_frame, strict=True):
        moved = [i + count if i >= heads else i for i in frame["traces"]]
        frame["data"] = [*frame["data"], *added]
        frame["traces"] = moved + list(range(heads, heads + count))
    opening = max(i for i, step in enumerate(shown) if step <= opening_step)
    open_at(figure, frames[opening])
    return figure


def open_at(figure, frame):
    """The figure drawn as ``frame`` shows it: each animated trace's first data, and the
    scrubber at the stop nearest that frame."""
    data = figure.plain["data"]
    for index, values in zip(frame["traces"], frame["data"], strict=True):
        data[index] = {**data[index], **values}
    slider = figure.plain["layout"]["sliders"][0]
    labels = [int(step["label"]) for step in slider["steps"]]
    step = int(frame["name"])
    slider["active"] = min(range(len(labels)), key=lambda i: abs(labels[i] - step))
