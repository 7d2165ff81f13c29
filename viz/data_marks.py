"""Marks that a surface made from data adds to the race's charts: the weights' names on
the axes, and on the metric panels the epochs and each step's mini-batch loss."""

import numpy as np

from . import figures as F

MAX_EPOCH_LINES = 60  # more epochs than this: every k-th is marked
BATCH_LOSS_OPACITY = 0.3
EPOCH = "epoch"  # the name of the lines at the epochs' first steps


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
    """The metric panels of ``figure`` with a thin vertical line at each epoch's start and,
    on the loss panel, each step's mini-batch loss drawn lightly beside the full loss (of
    the same colour, in the racer's legend group)."""
    layout, data = figure.plain["layout"], figure.plain["data"]
    runs = [t for t in trajectories if t.batch_size is not None]
    if not runs:
        return figure
    shapes = list(layout.get("shapes", []))
    for step in epoch_lines(runs[0]):  # every racer shares the batches
        for panel in range(1, panels + 1):
            suffix = "" if panel == 1 else str(panel)
            shapes.append(
                {
                    "type": "line",
                    "xref": f"x{suffix}",
                    "yref": f"y{suffix} domain",
                    "x0": int(step),
                    "x1": int(step),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "rgba(0,0,0,0.15)", "width": 1},
                    "layer": "below",
                    "name": EPOCH,
                    "showlegend": False,
                }
            )
    layout["shapes"] = shapes
    loss_panel = [trace for trace in data if trace.get("xaxis") == "x"]
    log = layout["yaxis"].get("type") == "log"
    for trace, traj in zip(loss_panel, trajectories, strict=True):
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
