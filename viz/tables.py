"""The racers' results as tables: the app's results table and each trajectory as CSV.

Kept apart from the figure builders so that drawing (the export command) never loads pandas.
"""

import io
import math

import numpy as np
import pandas as pd

from .figures import metric_series


def results_table(surface, trajectories, labels, tolerance):
    """One row per racer: final loss, gap, distance, steps to tolerance, divergence."""
    rows = []
    for traj, label in zip(trajectories, labels, strict=True):
        distance_title, (distance, _) = list(metric_series(surface, traj).items())[1]
        reached = np.flatnonzero(traj.loss - surface.f_min <= tolerance)
        last = traj.loss[np.isfinite(traj.loss)]
        bounded = math.isfinite(surface.f_min)
        rows.append(
            {
                "racer": label,
                "final f": float(last[-1]) if last.size else math.nan,
                "f − f*": float(last[-1] - surface.f_min) if last.size and bounded else math.nan,
                distance_title: float(distance[-1]),
                f"steps to f − f* ≤ {tolerance:g}": int(reached[0]) if reached.size else None,
                "diverged at step": traj.diverged_at,
            }
        )
    return pd.DataFrame(rows)


def trajectories_csv(trajectories, labels):
    """Every racer's run as one CSV, a row per racer and step: racer, step, x, y, f, gx,
    gy, lr (a run's last point has no step taken: its gx, gy and lr are empty)."""
    tables = []
    for traj, label in zip(trajectories, labels, strict=True):
        pad = np.full(1, np.nan)
        tables.append(
            pd.DataFrame(
                {
                    "racer": label,
                    "step": np.arange(traj.steps + 1),
                    "x": traj.xy[:, 0],
                    "y": traj.xy[:, 1],
                    "f": traj.loss,
                    "gx": np.concatenate([traj.grad[:, 0], pad]),
                    "gy": np.concatenate([traj.grad[:, 1], pad]),
                    "lr": np.concatenate([traj.lr, pad]),
                }
            )
        )
    out = io.StringIO()
    pd.concat(tables).to_csv(out, index=False, float_format="%.17g")
    return out.getvalue()
