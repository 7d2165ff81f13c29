"""Marks that a surface made from data adds to the race's charts: the weights' names on
the axes, and on the metric panels the epochs and each step's mini-batch loss."""

import numpy as np

from . import figures as F

MAX_EPOCH_LINES = 60  # more epochs than this: every k-th is marked
BATCH_LOSS_OPACITY = 0.3
EPOCH = "epoch"  # the name of the lines at the epochs' first steps
EPOCH_COLOR = "rgba(0,0,0,0.15)"  # the epochs every racer shares
EPOCH_ROW = 0.06  # the height of a racer's row of epoch ticks, a share of its panel's


def with_axis_names(figure, names, scene3d=False):
    """``figure`` (a PlainFigure) with its x and y axes titled ``names``."""
    layout = figure.plain["layout"]
    holder = layout.setdefault("scene", {}) if scene3d else layout
    for axis, name in zip(("xaxis", "yaxis"), names, strict=True):
        entry = holder.setdefault(axis, {})
        entry["title"] = {**entry.get("title", {}), "text": name}
    return figure


def epoch_lines(trajectory):
    """The steps that begin an epoch after the first (at most ``MAX_EPOCH_LINES``); none
    for a full-batch run (every step is an epoch there)."""
    if trajectory.batch_size is None:
        return np.empty(0, dtype=int)
    starts = np.asarray(trajectory.epoch_starts)[1:]
    stride = max(1, -(-len(starts) // MAX_EPOCH_LINES))
    return starts[::stride]


def with_epochs(figure, trajectories, surface, panels=4):
    """The metric panels of ``figure`` with the epochs' starts marked and, on the loss
    panel, each step's mini-batch loss drawn lightly beside the full loss (of the same
    colour, in the racer's legend group).

    When every mini-batch racer has the same batch size they share the epochs: a thin grey
    line across each panel. When their sizes differ, each racer's epochs are short ticks
    of its colour along the top of each panel, one row per racer (``EPOCH_ROW`` of the
    panel's height each), so a class sees whose epoch is whose.
    """
    layout, data = figure.plain["layout"], figure.plain["data"]
    loss_panel = [trace for trace in data if trace.get("xaxis") == "x"]
    runs = [
        (traj, trace["line"]["color"])
        for traj, trace in zip(trajectories, loss_panel, strict=True)
        if traj.batch_size is not None
    ]
    if not runs:
        return figure
    shared = len({traj.batch_size for traj, _ in runs}) == 1
    if shared:  # every racer shares the batches
        rows = [(runs[0][0], EPOCH_COLOR, 0.0, 1.0)]
    else:
        rows = [
            (traj, color, 1.0 - (row + 1) * EPOCH_ROW, 1.0 - row * EPOCH_ROW)
            for row, (traj, color) in enumerate(runs)
        ]
    shapes = list(layout.get("shapes", []))
    for traj, color, low, high in rows:
        for step in epoch_lines(traj):
            for panel in range(1, panels + 1):
                shapes.append(_epoch_line(int(step), panel, color, low, high, shared))
    layout["shapes"] = shapes
    log = layout["yaxis"].get("type") == "log"
    for trace, traj in zip(loss_panel, trajectories, strict=True):
        if traj.batch_size is None:  # a full-batch racer's batch loss is its loss
            continue
        values = traj.batch_loss - (surface.f_min if log else 0.0)
        if log:  # a batch's loss may lie below the full minimum: a gap on a log axis
            values = np.where(values > 0, values, np.nan)
        every = max(1, len(values) // F.MAX_LINE_POINTS)
        data.append(
            {
                **trace,
                "y": F.typed(np.clip(values[::every], -1e30, 1e30)),
                "dx": every,
                "showlegend": False,
                "opacity": BATCH_LOSS_OPACITY,
                "line": {**trace["line"], "width": 1},
                "hoverinfo": "skip",
            }
        )
    return figure


def _epoch_line(step, panel, color, low, high, shared):
    """A vertical line at ``step`` on metric ``panel`` (1 to 4) from ``low`` to ``high`` of
    its height: thin and behind the curves when ``shared``, else a racer's tick above them."""
    suffix = "" if panel == 1 else str(panel)
    return {
        "type": "line",
        "xref": f"x{suffix}",
        "yref": f"y{suffix} domain",
        "x0": step,
        "x1": step,
        "y0": low,
        "y1": high,
        "line": {"color": color, "width": 1 if shared else 1.5},
        "layer": "below" if shared else "above",
        "name": EPOCH,
        "showlegend": False,
    }
