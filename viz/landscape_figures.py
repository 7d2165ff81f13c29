"""Pure Plotly builders for the landscape views: basin map, sweep heatmap, curvature overlay.

They draw the results of ``optimizers.landscape`` and ``surfaces.curvature`` with the
scene's view dict (palette, font size), in the style of ``viz.figures``; nothing calls
Streamlit. Grids go out as int8/int16/float32 typed arrays, so a 200 x 200 basin map
costs tens of kilobytes.
"""

import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale, qualitative

from i18n import data_text, message, t
from optimizers import landscape as L

from .figures import axis_text, font_size, markers

# Light tints for the basins, unlike the racers' saturated colours: a basin's colour must
# not read as "the basin of the racer drawn in that colour". (Pastel1's last is a grey.)
BASIN_PALETTE = tuple(qualitative.Pastel1[:8])
DIVERGED_COLOR = "#3d3d3d"
LOCAL_MINIMUM_COLOR = "#a89f91"  # a warm grey: settled, but not at a listed minimum
CELL_TARGETS = "cells"  # the sweep's click targets
ARROW_COLORS = ("black", "#808080")  # curvature arrows: largest, smallest eigenvalue
NOT_CONVERGED_COLOR = "#d0d0d0"
# Light tints in the order of optimizers.landscape.REGIMES (too slow, converged,
# oscillating, diverged): pale blue, green, yellow, rose. None is a racer's colour (of
# either palette), so a regime never reads as "where that racer went".
REGIME_COLORS = ("#c6dbef", "#c7e9c0", "#fff2ae", "#f9d3da")
STEPS_SCALE = "Viridis"
LOSS_SCALE = "Viridis"
LABEL_PLOT_PX = 300  # the smallest plot side a sweep is drawn at (phones), for its labels
TRANSPARENT = "rgba(0,0,0,0)"


def _categorical(codes, names, palette, size, title, colorbar_x=None, **heatmap):
    """A heatmap of integer ``codes`` 0..C-1 in flat colours, named on its colour bar."""
    count = len(names)
    scale = []
    for i, color in enumerate(palette):
        scale += [[i / count, color], [(i + 1) / count, color]]
    return go.Heatmap(
        z=codes.astype(np.int8),
        zmin=-0.5,
        zmax=count - 0.5,
        colorscale=scale,
        colorbar={
            "title": {"text": title, "font": {"size": size}},
            "tickvals": list(range(count)),
            "ticktext": list(names),
            "thickness": 12,
            "tickfont": {"size": size - 2},
            **({} if colorbar_x is None else {"x": colorbar_x}),
        },
        **heatmap,
    )


def _counts(values, size, title, scale, colorbar_x=None):
    """A heatmap of step counts, -1 (never) left transparent; int16 on the wire."""
    top = max(int(values.max()), 1)
    edge = 0.5 / (top + 1)  # the colour scale's share below 0, where -1 sits
    colours = [[0.0, TRANSPARENT], [edge, TRANSPARENT]]
    colours += [[edge + (1 - edge) * s, c] for s, c in get_colorscale(scale)]
    return dict(
        z=values.astype(np.int16),
        zmin=-1,
        zmax=top,
        colorscale=colours,
        colorbar={
            "title": {"text": title, "font": {"size": size}},
            "thickness": 12,
            "tickfont": {"size": size - 2},
            **({} if colorbar_x is None else {"x": colorbar_x}),
        },
    )


# ---------------------------------------------------------------- basin map


def basin_categories(basin, lang="en"):
    """``(label, name, colour)`` of each category of a basin map, in colour-bar order: the
    listed minima, the local minima found (when any), not converged, diverged; names in
    ``lang``."""
    colours = basin_colors(len(basin.minima))
    out = [
        (i, t("basin.minimum_at", lang, x=x, y=y), colours[i])
        for i, (x, y) in enumerate(basin.minima)
    ]
    if basin.local_minima:
        out.append((L.LOCAL_MINIMUM, t("basin.local_minimum", lang), LOCAL_MINIMUM_COLOR))
    out.append((L.NOT_CONVERGED, t("basin.not_converged", lang), NOT_CONVERGED_COLOR))
    out.append((L.DIVERGED, t("basin.diverged", lang), DIVERGED_COLOR))
    return out


def basin_codes(basin):
    """The labels as category numbers 0, 1, ..., in the order of ``basin_categories``."""
    codes = np.empty(basin.labels.shape, dtype=np.int8)
    for code, (label, _, _) in enumerate(basin_categories(basin)):
        codes[basin.labels == label] = code
    return codes


def basin_layer(basin, view, color_by="minimum", opacity=0.6, colorbar_x=None):
    """The basin map as one heatmap trace, to lay over the race's contour fill (and under
    its lines and paths), translucent.

    ``color_by`` "minimum": a flat colour per minimum reached (``basin_colors``), warm
    grey for a local minimum the surface does not list, grey for not converged, dark for
    diverged; "steps": steps to converge (transparent where
    none). ``colorbar_x`` moves its colour bar (e.g. 1.15, beside the contour's).
    """
    size = font_size(view)
    common = dict(
        x=basin.xs.astype(np.float32),
        y=basin.ys.astype(np.float32),
        opacity=opacity,
        name=t("basin.layer", view.lang),
        zsmooth=False,
        hovertemplate=t("race.start", view.lang) + " (%{x:.3f}, %{y:.3f})<extra></extra>",
    )
    if color_by == "minimum":
        _, names, palette = zip(*basin_categories(basin, view.lang), strict=True)
        reaches = t("basin.reaches", view.lang)
        return _categorical(basin_codes(basin), names, palette, size, reaches, colorbar_x, **common)
    if color_by == "steps":
        title = t("basin_color.steps", view.lang)
        steps = _counts(basin.steps_to_converge, size, title, STEPS_SCALE, colorbar_x)
        return go.Heatmap(**common, **steps)
    raise ValueError(f"color_by={color_by!r} is not allowed; allowed: 'minimum', 'steps'")


def basin_colors(count):
    """``count`` basin colours, cycling through BASIN_PALETTE."""
    return [BASIN_PALETTE[i % len(BASIN_PALETTE)] for i in range(count)]


def local_minima_markers(basin, view):
    """Small rings at the local minima the map found (those the surface does not list),
    to draw with the basin layer; not in the legend, which keeps to the racers."""
    trace = markers(
        basin.local_minima,
        t("race.local_minimum", view.lang),
        "circle-open",
        "#4d4540",
        font_size(view) - 6,
    )
    return {**trace, "showlegend": False}


def basin_figure(surface, basin, view, color_by="minimum"):
    """The basin map alone: the layer at full opacity, the minima, axes over its box."""
    size = font_size(view)
    traces = [basin_layer(basin, view, color_by, opacity=1.0)]
    if basin.minima:
        traces.append(
            markers(basin.minima, t("race.minimum", view.lang), "star", "black", size + 3)
        )
    title = t(
        "basin.title",
        view.lang,
        optimizer=basin.optimizer,
        surface=data_text(surface.title, view.lang),
        steps=basin.steps,
        criterion=message(basin.criterion, view.lang),
    )
    layout = {
        "title": {"text": title, "font": {"size": size}},
        "xaxis": {"range": _edges(basin.xs), **axis_text("x", size), "constrain": "domain"},
        "yaxis": {"range": _edges(basin.ys), **axis_text("y", size)},
        "font": {"size": size},
        "height": 620 + 4 * (size - 13),
        "margin": {"l": 50, "r": 10, "t": 60, "b": 50},
        "showlegend": False,
        "clickmode": "event",
    }
    return go.Figure(data=traces, layout=layout)


def _edges(centres):
    """The axis range covering every cell around ``centres`` (evenly spaced)."""
    half = (centres[1] - centres[0]) / 2 if len(centres) > 1 else 0.5
    return [float(centres[0] - half), float(centres[-1] + half)]


# ---------------------------------------------------------------- sweep


def sweep_figure(sweep, view, color_by="loss", current=None):
    """The sweep as a heatmap over log10(lr) x the swept value, regimes outlined and named.

    ``color_by``: "loss" (log10 of the final f - f*; blank where diverged), "steps"
    (steps to tolerance; blank where never) or "regime" (a flat colour per regime).
    Thin lines separate the regimes in every mode, and each regime present is named.
    ``current``, ``(lr, value)`` (value None for a sweep over lr alone), is marked.
    """
    size = font_size(view)
    x = np.log10(sweep.lrs).astype(np.float32)
    y = sweep.values.astype(np.float32) if sweep.param else np.zeros(1, np.float32)
    # the cells' hover and clicks are the targets' (a heatmap cell takes no clicks)
    common = dict(x=x, y=y, zsmooth=False, name="sweep", xgap=0, ygap=0, hoverinfo="skip")
    lang = view.lang
    if color_by == "regime":
        names = [data_text(name, lang) for name in L.REGIMES]
        regime = t("sweep_color.regime", lang)
        trace = _categorical(sweep.regime, names, REGIME_COLORS, size, regime, **common)
    elif color_by == "steps":
        title = t("sweep.steps_title", lang, criterion=message(sweep.criterion, lang))
        trace = go.Heatmap(**common, **_counts(sweep.converged_step, size, title, STEPS_SCALE))
    elif color_by == "loss":
        trace = go.Heatmap(**common, **_loss_heat(sweep, size, lang))
    else:
        raise ValueError(
            f"color_by={color_by!r} is not allowed; allowed: 'loss', 'steps', 'regime'"
        )
    traces = [trace, _regime_borders(sweep, x, y), _cell_targets(sweep, x, y, lang)]
    dot = None
    if current is not None:
        dot = (math.log10(current[0]), current[1] if sweep.param else 0.0)
        traces.append(_current_marker(*dot, size, lang))
    layout = {
        "xaxis": {
            **axis_text(t("metrics.lr", lang), size),
            "range": _edges(x),
            "showgrid": False,
            "zeroline": False,
            **_decade_ticks(x),
        },
        "yaxis": {
            **axis_text(sweep.param or "", size),
            "range": _edges(y),
            "showgrid": False,
            "zeroline": False,
            "visible": sweep.param is not None,
        },
        "font": {"size": size},
        "height": (460 if sweep.param else 260) + 4 * (size - 13),
        "margin": {"l": 60, "r": 10, "t": 50, "b": 50},
        "title": run_title("sweep.title", sweep, size, lang),
        "annotations": _regime_names(sweep, x, y, size, lang, dot),
        "showlegend": False,  # the regimes are named in the plot, the colours on the bar
        "plot_bgcolor": NOT_CONVERGED_COLOR,
        "clickmode": "event",
    }
    return go.Figure(data=traces, layout=layout)


def _cell_targets(sweep, x, y, lang):
    """Invisible squares at the cells' centres, hovering with the cell's results: a click
    on one is a selection the app reads (Streamlit reports no points for heatmaps)."""
    columns, rows = np.meshgrid(x, y)
    lrs = np.broadcast_to(sweep.lrs, sweep.regime.shape)
    return go.Scatter(
        x=columns.ravel(),
        y=rows.ravel(),
        customdata=lrs.astype(np.float32).ravel(),
        text=_cell_results(sweep, lang).ravel().tolist(),
        mode="markers",
        name=CELL_TARGETS,
        marker={"symbol": "square", "size": 14, "opacity": 0},
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
        hovertemplate="lr=%{customdata:.3g}<br>"
        + (f"{sweep.param}=%{{y:.3g}}<br>" if sweep.param else "")
        + "%{text}<br>"
        + t("sweep.click", lang)
        + "<extra></extra>",
        showlegend=False,
    )


def _cell_results(sweep, lang):
    """Per cell: its regime, the final gap (or f) and the steps to tolerance, in words."""
    bounded = math.isfinite(sweep.f_min)
    gap = sweep.final_loss - sweep.f_min if bounded else sweep.final_loss
    out = np.empty(sweep.regime.shape, dtype=object)
    for (i, j), code in np.ndenumerate(sweep.regime):
        words = [data_text(L.REGIMES[code], lang)]
        if np.isfinite(gap[i, j]):
            what = "f − f*" if bounded else "f"
            words.append(t("sweep.cell_end", lang, what=what, value=gap[i, j]))
        step = sweep.converged_step[i, j]
        words.append(
            t("sweep.cell_within", lang, step=step) if step >= 0 else t("sweep.cell_never", lang)
        )
        out[i, j] = "<br>".join(words)
    return out


def run_title(key, result, size, lang):
    """The title ``key`` of a view made of runs from one start (a sweep, a range test):
    the optimizer, the steps and the start."""
    x, y = result.start
    text = t(key, lang, optimizer=result.optimizer, steps=result.steps, x=x, y=y)
    return {"text": text, "font": {"size": size}}


def _current_marker(x, y, size, lang):
    """A white dot ringed in black (seen on dark and light cells) at the racer's current
    settings, which need not be a grid point."""
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers",
        name=t("sweep.current", lang),
        marker={"size": size - 1, "color": "white", "line": {"color": "black", "width": 2}},
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},  # not dimmed when a cell is clicked
        hovertemplate=t("sweep.current", lang) + "<extra></extra>",
        showlegend=False,
    )


def _loss_heat(sweep, size, lang):
    """Heatmap settings for log10(f - f*) (or f where f* = -inf); NaN where diverged."""
    bounded = math.isfinite(sweep.f_min)
    loss = sweep.final_loss - sweep.f_min if bounded else sweep.final_loss
    z = np.log10(np.maximum(loss, 1e-16)) if bounded else loss
    title = t("sweep.loss_title", lang, what="log10(f − f*)" if bounded else "f")
    bar = {
        "title": {"text": title, "font": {"size": size}},
        "thickness": 12,
        "tickfont": {"size": size - 2},
    }
    return dict(z=z.astype(np.float32), colorscale=LOSS_SCALE, colorbar=bar)


def _regime_borders(sweep, x, y):
    """Thin lines between cells of different regimes (a contour of the regime codes)."""
    return go.Contour(
        x=x,
        y=y,
        z=sweep.regime.astype(np.int8),
        contours={"start": 0.5, "end": 2.5, "size": 1, "coloring": "none"},
        line={"color": "rgba(20,20,20,0.8)", "width": 1.5},
        showscale=False,
        hoverinfo="skip",
        name="regime borders",
    )


def _regime_names(sweep, x, y, size, lang, current=None):
    """An annotation naming each regime present, at its cell nearest the region's middle
    among the cells whose label would not cover ``current`` (the settings dot, in axis
    units).

    A label is about ``0.6 size`` pixels a character wide and ``1.4 size`` tall; the plot
    is at least ``LABEL_PLOT_PX`` wide and tall, which gives a label's half-size in cells.
    A region with no such cell is named just above or below the dot.
    """
    out = []
    columns, rows = len(x), len(y)
    for code, english in enumerate(L.REGIMES):
        name = data_text(english, lang)
        rs, cs = np.nonzero(sweep.regime == code)
        if rs.size == 0:
            continue
        order = np.argsort((rs - rs.mean()) ** 2 + (cs - cs.mean()) ** 2, kind="stable")
        where = {"x": float(x[cs[order[0]]]), "y": float(y[rs[order[0]]])}
        if current is not None:
            col = np.interp(current[0], x, np.arange(columns)) if columns > 1 else 0.0
            row = np.interp(current[1], y, np.arange(rows)) if rows > 1 else 0.0
            half_w = (0.3 * size * len(name) + size) * columns / LABEL_PLOT_PX + 0.5
            half_h = 1.2 * size * rows / LABEL_PLOT_PX + 0.5
            clear = (np.abs(cs[order] - col) > half_w) | (np.abs(rs[order] - row) > half_h)
            if clear.any():
                best = order[np.argmax(clear)]
                where = {"x": float(x[cs[best]]), "y": float(y[rs[best]])}
            else:  # a region too small to avoid the dot: named just above or below it
                below = row >= (rows - 1) / 2
                where = {
                    "x": current[0],
                    "y": current[1],
                    "yshift": -1.5 * size if below else 1.5 * size,
                }
        out.append(
            {
                **where,
                "text": name,
                "showarrow": False,
                "font": {"size": size, "color": "black"},
                "bgcolor": "rgba(255,255,255,0.75)",
            }
        )
    return out


def _decade_ticks(log_x):
    """Ticks at the powers of ten inside the log10 axis ``log_x``."""
    low, high = math.floor(float(log_x.min())), math.ceil(float(log_x.max()))
    decades = list(range(low, high + 1))
    return {"tickvals": decades, "ticktext": [f"1e{d}" for d in decades]}


# ---------------------------------------------------------------- curvature


def curvature_traces(curv, box, view, scale=0.12):
    """Arrows along the Hessian's eigen-directions at ``curv.point``, and a label.

    Each direction is a double arrow of length ``scale`` times the smaller side of
    ``box`` (the sign of an eigenvector means nothing), in black for the largest
    eigenvalue and grey for the smallest (not the racers' colours). The label gives the
    condition number and ``2 / lambda_max`` (``curvature_text`` says more, for captions);
    it sits just past the arrows' vertical reach, on the side of the point with more room,
    so it stays beside its own arrows whatever their directions.
    """
    size = font_size(view)
    (xmin, xmax), (ymin, ymax) = box
    length = scale * min(xmax - xmin, ymax - ymin)
    px, py = curv.point
    traces = []
    for i, (color, role) in enumerate(zip(ARROW_COLORS, ("max", "min"), strict=True)):
        column = 1 - i  # eigenvalues ascend: column 1 is the largest
        value = float(curv.eigenvalues[column])
        dx, dy = length * curv.eigenvectors[:, column]
        traces.append(
            go.Scatter(
                x=[px, px + dx, None, px, px - dx],
                y=[py, py + dy, None, py, py - dy],
                mode="lines+markers",
                name=f"λ{role} = {value:.3g}",
                line={"color": color, "width": 3},
                marker={
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": [0, 14, 0, 0, 14],
                    "color": color,
                },
                hovertemplate=t("curvature.hover", view.lang, value=value) + "<extra></extra>",
            )
        )
    above = py < (ymin + ymax) / 2
    # the arrows reach |dy| of their eigenvector above and below the point (both directions)
    reach = length * float(np.abs(curv.eigenvectors[1]).max())
    traces.append(
        go.Scatter(
            x=[px],
            y=[py + reach if above else py - reach],
            mode="text",
            text=[curvature_label(curv, view.lang)],
            # towards the middle of the view: the label never runs off the plot
            textposition=("top " if above else "bottom ")
            + ("left" if px > (xmin + xmax) / 2 else "right"),
            textfont={"size": size},
            name="curvature",
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
        )
    )
    return traces


STATIONARY_SHARE = 0.01  # "near a stationary point": within 1% of the view's span


def point_kind(curv, gradient, span, lang="en"):
    """What the point is, in words, from its curvature and its gradient ``(gx, gy)``.

    The eigenvalues alone give the local shape; the point is stationary (a saddle, a
    minimum, a maximum) only if the gradient vanishes there. With ``g`` in the eigenbasis,
    ``g_i = v_i . g``, the quadratic model's stationary point lies at ``-sum g_i / l_i v_i``
    from the point: it counts as near when that distance is within ``STATIONARY_SHARE`` of
    ``span`` (the view's side). A zero eigenvalue (no such point) needs ``g = 0`` up to the
    same reach: ``|g| <= STATIONARY_SHARE * span * max |l_i|``.
    """
    along = curv.eigenvectors.T @ np.asarray(gradient, dtype=float)
    reach = STATIONARY_SHARE * span
    if curv.kind == "flat":
        near = np.linalg.norm(along) <= reach * float(np.abs(curv.eigenvalues).max())
    else:
        near = float(np.linalg.norm(along / curv.eigenvalues)) <= reach
    if near:
        return t(f"curvature.near.{curv.kind}", lang)
    return t("curvature.not_stationary", lang, shape=t(f"curvature.shape.{curv.kind}", lang))


def curvature_text(curv, gradient, span, lang="en"):
    """One line in ``lang``: what the point is (``point_kind``), the condition number and
    the largest stable gradient-descent step."""
    return f"{point_kind(curv, gradient, span, lang)}: {curvature_label(curv, lang)}"


def curvature_label(curv, lang="en"):
    """The condition number and the largest stable gradient-descent step, short."""
    kappa = "∞" if math.isinf(curv.condition_number) else f"{curv.condition_number:.3g}"
    step = t("curvature.none", lang) if curv.max_stable_lr is None else f"{curv.max_stable_lr:.3g}"
    return f"κ = {kappa}, 2/λmax = {step}"
