"""``ReduceLROnPlateau``'s rule and the options-array entries it reads.

Plain Python: ``schedules.evaluate`` replays the rule over given losses as it is, and the
runners compile it into their loops (``_kernel``), so the schedules import no kernel.
"""

import numpy as np

from . import _options as O


def plateau_update(state, metric, current_lr, opts):
    """One ``ReduceLROnPlateau.step(metric)`` (mode "min"); returns the new learning rate.

    ``state`` holds ``[best, bad_steps, cooldown_left]``, starting at ``[inf, 0, 0]``.
    """
    threshold = opts[O.PLATEAU_THRESHOLD]
    best = state[0]
    if opts[O.PLATEAU_RELATIVE] != 0.0:
        better = metric < best * (1.0 - threshold)
    else:
        better = metric < best - threshold
    if better:
        state[0] = metric
        state[1] = 0.0
    else:
        state[1] += 1.0
    if state[2] > 0.0:
        state[2] -= 1.0
        state[1] = 0.0
    if state[1] > opts[O.PLATEAU_PATIENCE]:
        reduced = max(current_lr * opts[O.PLATEAU_FACTOR], opts[O.PLATEAU_MIN_LR])
        if current_lr - reduced > opts[O.PLATEAU_EPS]:
            current_lr = reduced
        state[2] = opts[O.PLATEAU_COOLDOWN]
        state[1] = 0.0
    return current_lr


def plateau_options(params):
    """The options-array entries of the plateau rule (full-size array, other slots zero)."""
    opts = np.zeros(O.SIZE)
    if params is None:
        return opts
    opts[O.PLATEAU] = 1.0
    opts[O.PLATEAU_FACTOR] = params["factor"]
    opts[O.PLATEAU_PATIENCE] = params["patience"]
    opts[O.PLATEAU_THRESHOLD] = params["threshold"]
    opts[O.PLATEAU_RELATIVE] = 1.0 if params["threshold_mode"] == "rel" else 0.0
    opts[O.PLATEAU_COOLDOWN] = params["cooldown"]
    opts[O.PLATEAU_MIN_LR] = params["min_lr"]
    opts[O.PLATEAU_EPS] = params["eps"]
    return opts
