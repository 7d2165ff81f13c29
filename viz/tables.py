"""The racers' results as tables: the app's results table and each trajectory as CSV.

Kept apart from the figure builders so that drawing (the export command) never loads pandas.
"""

import io
import math

import numpy as np
import pandas as pd

from i18n import t

from .figures import BREAK, metric_series
from .numbers import rate_range


def results_table(surface, trajectories, labels, tolerance, lang="en"):
    """One row per racer: the rates it ran with, final loss, gap, distance, steps to
    tolerance ("not reached"), divergence ("-" for none).

    "lr used" is the lowest to the highest rate of the run's steps, so a schedule's effect
    shows: "0.001" for a constant rate, "4e-09–0.001" for a one-cycle. Headers and words
    are in ``lang``.
    """
    rows = []
    for traj, label in zip(trajectories, labels, strict=True):
        distance_title, (distance, _) = list(metric_series(surface, traj, lang).items())[1]
        reached = np.flatnonzero(traj.loss - surface.f_min <= tolerance)
        last = traj.loss[np.isfinite(traj.loss)]
        bounded = math.isfinite(surface.f_min)
        rows.append(
            {
                t("table.racer", lang): label,
                t("table.lr_used", lang): rate_range(traj.lr),
                t("table.final_f", lang): float(last[-1]) if last.size else math.nan,
                "f − f*": float(last[-1] - surface.f_min) if last.size and bounded else math.nan,
                distance_title.replace(BREAK, ""): float(distance[-1]),
                t("table.steps_to", lang, tolerance=tolerance): int(reached[0])
                if reached.size
                else t("table.not_reached", lang),
                t("table.diverged_at", lang): "-" if traj.diverged_at is None else traj.diverged_at,
            }
        )
    return pd.DataFrame(rows)


STEP_COLUMNS = ("step", "x", "y", "f", "gx", "gy", "lr")


def trajectory_csv(traj):
    """One run as CSV, a row per step: step, x, y, f, gx, gy, lr (the last point has no
    step taken: its gx, gy and lr are empty)."""
    return _csv(_steps_table(traj))


def trajectories_csv(trajectories, labels):
    """Every racer's run as one CSV: ``trajectory_csv``'s rows, each led by its racer."""
    tables = [
        _steps_table(traj).assign(racer=label)[["racer", *STEP_COLUMNS]]
        for traj, label in zip(trajectories, labels, strict=True)
    ]
    return _csv(pd.concat(tables))


def _steps_table(traj):
    pad = np.full(1, np.nan)
    columns = (
        np.arange(traj.steps + 1),
        traj.xy[:, 0],
        traj.xy[:, 1],
        traj.loss,
        np.concatenate([traj.grad[:, 0], pad]),
        np.concatenate([traj.grad[:, 1], pad]),
        np.concatenate([traj.lr, pad]),
    )
    return pd.DataFrame(dict(zip(STEP_COLUMNS, columns, strict=True)))


def _csv(table):
    out = io.StringIO()
    table.to_csv(out, index=False, float_format="%.17g")
    return out.getvalue()
