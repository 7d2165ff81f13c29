"""Toy datasets generated from a seed with NumPy (nothing downloaded), cached per
parameter set.

Each function returns the dataset's columns as read-only arrays, one row per sample, in
the order the data surfaces pack them (``surfaces._samples``).
"""

from functools import lru_cache

import numpy as np

# The direction of the class means of ``gaussian_classes`` (a unit vector).
CLASS_DIRECTION = (0.8, 0.6)
# How far an outlier of ``line_points`` lies off the line: uniform in this range, either side.
OUTLIER_OFFSET = (5.0, 10.0)


def _frozen(**columns):
    for column in columns.values():
        column.setflags(write=False)
    return columns


@lru_cache(maxsize=32)
def line_points(points, noise, true_w, true_b, outliers, seed, x_center, x_spread):
    """``{"x", "y"}``: x ~ N(x_center, x_spread^2), y = true_w x + true_b + N(0, noise^2);
    then ``round(outliers * points)`` samples, chosen at random, move off the line by
    ``OUTLIER_OFFSET`` up or down."""
    rng = np.random.default_rng(seed)
    x = x_center + x_spread * rng.standard_normal(points)
    y = true_w * x + true_b + noise * rng.standard_normal(points)
    moved = rng.choice(points, size=round(outliers * points), replace=False)
    sign = rng.choice((-1.0, 1.0), size=moved.size)
    y[moved] += sign * rng.uniform(*OUTLIER_OFFSET, size=moved.size)
    return _frozen(x=x, y=y)


@lru_cache(maxsize=32)
def gaussian_classes(points, separation, seed):
    """``{"x1", "x2", "label"}``: labels 0 and 1 alternate (balanced classes); a sample of
    class c is N(mean_c, I) with mean_1 = -mean_0 = separation / 2 * ``CLASS_DIRECTION``."""
    rng = np.random.default_rng(seed)
    label = (np.arange(points) % 2).astype(float)
    side = (2.0 * label - 1.0)[:, None] * (0.5 * separation) * np.array(CLASS_DIRECTION)
    features = rng.standard_normal((points, 2)) + side
    return _frozen(x1=features[:, 0].copy(), x2=features[:, 1].copy(), label=label)


@lru_cache(maxsize=32)
def two_moons(points, noise, seed):
    """``{"x1", "x2", "label"}``: two interleaved half circles of radius 1, the upper one
    (label 0) centred at (0, 0) and the lower one (label 1) at (1, 0.5), with Gaussian
    noise of standard deviation ``noise`` on both coordinates; angles evenly spaced on each
    half circle, labels alternating."""
    rng = np.random.default_rng(seed)
    label = (np.arange(points) % 2).astype(float)
    upper = label == 0
    angle = np.empty(points)
    angle[upper] = np.linspace(0.0, np.pi, int(upper.sum()))
    angle[~upper] = np.linspace(0.0, np.pi, int((~upper).sum()))
    x1 = np.where(upper, np.cos(angle), 1.0 - np.cos(angle))
    x2 = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    x1 = x1 + noise * rng.standard_normal(points)
    x2 = x2 + noise * rng.standard_normal(points)
    return _frozen(x1=x1, x2=x2, label=label)


def rows(columns):
    """The columns as an (n, k) array of rows, in the columns' order."""
    return np.column_stack(list(columns.values()))
