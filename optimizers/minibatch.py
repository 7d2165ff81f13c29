"""Mini-batches on a surface made from data, as PyTorch's ``DataLoader(shuffle=True,
drop_last=False)`` draws them.

One ``numpy.random.default_rng(seed)`` serves the whole run: each epoch takes
``rng.permutation(n)`` and cuts it into consecutive batches of ``batch_size`` samples, the
last one shorter when ``batch_size`` does not divide ``n``; step ``t`` uses the ``t``-th
batch of that sequence. The seed is the run's ``seed`` keyword, which also seeds the
Gaussian gradient noise (a generator of its own, so either can be on without changing the
other).

The kernels read the epochs' permutations one after the other (``order``) and find step
``t``'s batch with ``batch_bounds``; the batch's gradient is the surface's own gradient on
a parameter array that holds the batch's samples only (``surfaces._samples.select``).
With ``batch_size = n`` every batch is the whole dataset: the run is the full-batch run
(the order of the samples would change only the rounding of the mean).
"""

import numpy as np

from parameters import Param
from surfaces import _samples
from surfaces._jit import inner

# Sample indices one run may hold (epochs x n, 8 bytes each: 80 MB at most).
MAX_ORDER = 10_000_000


def check_batch_size(surface, batch_size):
    """``batch_size`` as an int in 1..n for a surface made from data (None: full batch);
    ValueError otherwise."""
    if batch_size is None:
        return None
    if surface.data is None:
        raise ValueError(
            f"batch_size={batch_size!r} needs a surface made from data; surface "
            f"{surface.name!r} is analytic (allowed: batch_size=None)"
        )
    n = samples(surface)
    allowed = Param("batch_size", None, low=1, high=n, kind="int", none_means="the full batch")
    return allowed.check(batch_size, f"surface {surface.name!r} ({n} samples)")


def samples(surface):
    """The number of samples of a surface made from data."""
    return _samples.count(surface.kernel_params)


def batches_per_epoch(n, batch_size):
    return -(-n // batch_size)


def epoch_starts(n, batch_size, steps):
    """The steps that begin an epoch (every step for the full batch)."""
    per_epoch = 1 if batch_size is None else batches_per_epoch(n, batch_size)
    return np.arange(0, steps, per_epoch)


def batch_order(surface, batch_size, steps, seed):
    """The permutations of every epoch that ``steps`` steps reach, one after the other
    (an empty array for the full batch, ``batch_size`` None or n)."""
    n = samples(surface) if batch_size is not None else 0
    if batch_size is None or batch_size == n:
        return np.empty(0, dtype=np.int64)
    epochs = -(-steps // batches_per_epoch(n, batch_size))
    if epochs * n > MAX_ORDER:
        raise ValueError(
            f"batch_size={batch_size} for {steps} steps over {n} samples needs {epochs * n:,} "
            f"sample indices; allowed: at most {MAX_ORDER:,} (fewer steps or a smaller batch)"
        )
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(n) for _ in range(epochs)]).astype(np.int64)


@inner
def batch_bounds(t, n, batch_size):
    """``(lo, hi)``: step ``t``'s batch is ``order[lo:hi]``."""
    per_epoch = (n + batch_size - 1) // batch_size
    epoch, k = t // per_epoch, t % per_epoch
    lo = epoch * n + k * batch_size
    return lo, epoch * n + min((k + 1) * batch_size, n)


@inner
def load_batch(t, sp, order, batch_size, out):
    """Make ``out`` the parameter array of step ``t``'s batch (``out`` starts as a copy of
    ``sp``)."""
    n = _samples.layout(sp)[0]
    lo, hi = batch_bounds(t, n, batch_size)
    _samples.select(sp, order, lo, hi, out)
