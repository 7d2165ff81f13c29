"""Small numerical helpers shared by the update rules."""

import math

from surfaces._jit import inline, inner


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


@inline
def bias_corrections(betas, t, out, root):
    """``1 - betas[j]**t`` for every lane ``j`` (its square root when ``root``).

    Returns ``(True, value)`` when every lane has the same beta, else ``(False, 1.0)``
    with the values in ``out``. Each distinct beta is computed once: the power and the
    logarithm inside do not vectorize, and per lane they would cost more than the rest
    of the step. The values are those of ``bias_correction``.
    """
    first = betas[0]
    shared = True
    for j in range(betas.size):
        shared &= betas[j] == first
    if shared:
        value = bias_correction(first, t)
        return True, math.sqrt(value) if root else value
    beta = math.nan
    value = 1.0
    for j in range(betas.size):
        if betas[j] != beta:
            beta = betas[j]
            value = bias_correction(beta, t)
            value = math.sqrt(value) if root else value
        out[j] = value
    return False, 1.0
