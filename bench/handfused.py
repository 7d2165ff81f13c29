"""Hand-fused Numba kernels: the speed references the engine is measured against.

Each fuses one optimizer and one surface into a single loop with nothing generic left.
"""

import math

from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def adam_rosenbrock(x, y, lr, beta1, beta2, eps, steps, xy, loss):
    """Adam on Rosenbrock (a=1, b=100), recording the path and the loss like ``run``."""
    mx = my = vx = vy = 0.0
    xy[0, 0], xy[0, 1] = x, y
    loss[0] = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    for t in range(1, steps + 1):
        r = y - x * x
        gx = -2.0 * (1.0 - x) - 400.0 * x * r
        gy = 200.0 * r
        mx = beta1 * mx + (1.0 - beta1) * gx
        my = beta1 * my + (1.0 - beta1) * gy
        vx = beta2 * vx + (1.0 - beta2) * gx * gx
        vy = beta2 * vy + (1.0 - beta2) * gy * gy
        bc1 = 1.0 - beta1**t
        bc2 = math.sqrt(1.0 - beta2**t)
        x -= lr / bc1 * mx / (math.sqrt(vx) / bc2 + eps)
        y -= lr / bc1 * my / (math.sqrt(vy) / bc2 + eps)
        xy[t, 0], xy[t, 1] = x, y
        loss[t] = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    return x, y
