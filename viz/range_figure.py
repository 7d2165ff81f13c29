"""The learning-rate range test's chart: loss against lr on a log axis, as fast.ai's
``lr_find`` plots it, with the suggested rates and the racer's own rate marked."""

import math

import numpy as np
import plotly.graph_objects as go

from i18n import t

from .figures import axis_text, font_size, legend_text
from .landscape_figures import run_title

RAW_COLOR = "#b0b0b0"  # each step's loss, faint: the smoothed line is what is read
SMOOTHED_COLOR = "#0072b2"
SUGGESTION_STYLE = {"steepest": ("#d55e00", "triangle-down"), "minimum/10": ("#009e73", "diamond")}
SPAN_FOR_LOG = 100.0  # a loss axis whose values span more than this is drawn in log


def range_test_figure(test, view, current_lr=None):
    """A Figure of ``test`` (an ``optimizers.landscape.RangeTest``) in ``view``'s type
    size and language; ``current_lr``, the racer's rate, as a dashed vertical line.

    The loss axis is logarithmic when the losses are positive and span more than
    ``SPAN_FOR_LOG`` (Rosenbrock's fall from 10^3 to 10^-3 would be a flat line in a
    linear axis). The axis spans the smoothed loss: a raw loss that plunges to 1e-50
    on a quadratic, or explodes at the divergence, would flatten the curve that is read.
    """
    size, lang = font_size(view), view.lang
    rates = test.rates.astype(np.float64)
    traces = [
        go.Scatter(
            x=rates,
            y=losses,
            mode="lines",
            name=t(key, lang),
            line=line,
            hovertemplate="lr %{x:.3g}: %{y:.4g}<extra></extra>",
        )
        for losses, key, line in (
            (test.losses, "range.raw", {"color": RAW_COLOR, "width": 1}),
            (test.smoothed, "range.smoothed", {"color": SMOOTHED_COLOR, "width": 2.5}),
        )
    ]
    for suggestion in test.suggestions:
        if suggestion.lr is None:
            continue
        color, symbol = SUGGESTION_STYLE[suggestion.name]
        name = t(f"range.suggest.{suggestion.name}", lang, lr=suggestion.lr)
        traces.append(
            go.Scatter(
                x=[suggestion.lr],
                y=[_smoothed_at(test, suggestion.lr)],
                mode="markers",
                name=name,
                marker={"color": color, "symbol": symbol, "size": size + 3},
                hovertemplate=name + "<extra></extra>",
            )
        )
    if test.diverged_at is not None:
        name = t("range.diverged", lang, lr=float(rates[test.diverged_at]))
        traces.append(
            go.Scatter(
                x=[rates[test.diverged_at]],
                y=[test.smoothed[test.diverged_at]],
                mode="markers",
                name=name,
                marker={"color": "black", "symbol": "x", "size": size},
                hovertemplate=name + "<extra></extra>",
            )
        )
    finite = test.smoothed[np.isfinite(test.smoothed)]
    if current_lr is not None and finite.size:
        # a line trace, not a shape: a shape's label lands at the wrong place on a log axis
        name = t("range.current", lang, lr=current_lr)
        traces.append(
            go.Scatter(
                x=[current_lr, current_lr],
                y=[float(finite.min()), float(finite.max())],
                mode="lines",
                name=name,
                line={"color": "black", "dash": "dash", "width": 1},
                hovertemplate=name + "<extra></extra>",
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        xaxis={
            **axis_text(t("metrics.lr", lang), size),
            "type": "log",
            "exponentformat": "power",
            "dtick": 1,
        },
        yaxis={**axis_text(t("range.loss", lang), size), **_loss_axis(test)},
        title=run_title("range.title", test, size, lang),
        font={"size": size},
        legend={**legend_text(size), "orientation": "h", "y": -0.25},
        height=380 + 4 * (size - 13),
        margin={"l": 60, "r": 10, "t": 50, "b": 40},
    )
    return figure


def _smoothed_at(test, lr):
    """The smoothed loss at the recorded rate nearest to ``lr`` (a minimum/10 suggestion
    lies between recorded rates)."""
    index = int(np.argmin(np.abs(np.log(test.rates) - math.log(lr))))
    return float(test.smoothed[index])


def _loss_axis(test):
    """The smoothed loss's range (what is read; raw losses that fall far below it or
    explode at the divergence leave the chart), in log when it is positive and spans
    more than ``SPAN_FOR_LOG``."""
    values = test.smoothed[np.isfinite(test.smoothed)]
    if values.size == 0:
        return {}
    low, high = float(values.min()), float(values.max())
    if low > 0 and high / low > SPAN_FOR_LOG:
        pad = 0.05 * math.log10(high / low)
        return {
            "type": "log",
            "exponentformat": "power",
            "dtick": 1,
            "range": [math.log10(low) - pad, math.log10(high) + pad],
        }
    pad = 0.05 * (high - low or abs(high) or 1.0)
    return {"range": [low - pad, high + pad]}
