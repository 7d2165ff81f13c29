"""Small numerical helpers shared by the update rules."""


from surfaces._jit import inner


@inner
def bias_correction(beta, t):
    """``1 - beta**t`` without denormals.

    Once ``beta**t`` drops below 2**-54 the result rounds to exactly 1.0, so it is returned
    directly: computing the power there yields denormal numbers that slow the loop ~7x.
    Since ``log(beta) <= beta - 1``, ``beta**t <= exp(-t (1 - beta))``, below e**-39 (under
    2**-55) once ``t (1 - beta) > 39``: a test with no logarithm (that cost a loop of Adam
    about as much as the rest of its step), a few steps later than the exact bound.
    """
    if beta <= 0.0 or t * (1.0 - beta) > 39.0:
        return 1.0
    return 1.0 - beta ** float(t)  # a float power, as Python's (and PyTorch's) pow


@inner
def lerp(start, end, weight):
    """``start + weight * (end - start)`` rounded as ``torch.lerp`` does on the CPU."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)
