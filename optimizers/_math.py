"""Small numerical helpers shared by the update rules."""

import math

from surfaces._jit import inner


@inner
def bias_correction(beta, t):
    """``1 - beta**t`` without denormals.

    Once ``beta**t`` drops below 2**-56 the result rounds to exactly 1.0, so it is returned
    directly: computing the power there yields denormal numbers that slow the loop ~7x.
    """
    if beta <= 0.0 or t * math.log(beta) < -39.0:
        return 1.0
    return 1.0 - beta ** float(t)  # a float power, as Python's (and PyTorch's) pow


@inner
def lerp(start, end, weight):
    """``start + weight * (end - start)`` rounded as ``torch.lerp`` does on the CPU."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)
