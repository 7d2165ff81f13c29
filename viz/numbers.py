"""How the app writes numbers that people read: rate ranges and rounded values."""

import numpy as np


def rate_range(rates):
    """ "0.0001–0.001": the lowest and highest of ``rates`` (one number if they agree)."""
    rates = np.asarray(rates, dtype=float)
    rates = rates[np.isfinite(rates)]
    if not rates.size:
        return "-"
    low, high = f"{rates.min():.3g}", f"{rates.max():.3g}"
    return high if low == high else f"{low}–{high}"


def significant(value, digits=3):
    """``value`` rounded to ``digits`` significant digits, as loaded into a racer."""
    return float(f"{value:.{digits}g}")
