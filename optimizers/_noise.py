"""Reproducible Gaussian gradient noise for the kernels.

A counter-based generator: the noise added at step ``t`` to component ``i`` depends only
on ``(seed, t, i)``. Runs are reproducible whatever thread or lane computes them, two
sessions never share generator state, and a batch lane gets the same noise as the single
run with the same seed.
"""

import math

import numpy as np

from surfaces._jit import inner

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53


@inner
def _splitmix(z):
    """The SplitMix64 finaliser (Steele, Lea & Flood 2014): a well-mixed 64-bit hash."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@inner
def gaussian(seed, t, i):
    """A standard normal number for ``(seed, t, i)`` by the Box-Muller transform."""
    key = _splitmix(np.uint64(seed) * _GOLDEN + np.uint64(2 * t + i))
    u1 = (np.float64(_splitmix(key) >> _S11) + 1.0) * _UNIT  # in (0, 1]
    u2 = np.float64(_splitmix(key + _GOLDEN) >> _S11) * _UNIT
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
