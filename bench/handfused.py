"""Hand-fused Numba kernels: the speed references the engine is measured against.

Each fuses one optimizer and one surface into a single loop with nothing generic left.
The single-trajectory Adam takes its bias corrections ``1 - beta**t`` from running
products of the betas (one multiplication per step instead of a power: 1.3-1.5x faster),
flushed to 0 below ``NEGLIGIBLE`` where ``1 - beta**t`` rounds to 1 anyway (no
denormals); its path still equals PyTorch's to rtol 1e-9 (``tests/test_handfused.py``).
``adam_rosenbrock_power`` is the earlier reference with a power every step, kept to show
what that costs.
"""

import math

import numpy as np
from numba import njit

NEGLIGIBLE = 2.0**-60  # below this, 1 - x == 1.0 exactly


@njit(cache=True, nogil=True, error_model="numpy")
def adam_rosenbrock(x, y, lr, beta1, beta2, eps, steps, xy, loss):
    """Adam on Rosenbrock (a=1, b=100), recording the path and the loss like ``run``."""
    mx = my = vx = vy = 0.0
    power1 = power2 = 1.0  # beta1**t, beta2**t
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
        power1 = power1 * beta1 if power1 > NEGLIGIBLE else 0.0
        power2 = power2 * beta2 if power2 > NEGLIGIBLE else 0.0
        bc1 = 1.0 - power1
        bc2 = math.sqrt(1.0 - power2)
        x -= lr / bc1 * mx / (math.sqrt(vx) / bc2 + eps)
        y -= lr / bc1 * my / (math.sqrt(vy) / bc2 + eps)
        xy[t, 0], xy[t, 1] = x, y
        loss[t] = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
    return x, y


@njit(cache=True, nogil=True, error_model="numpy")
def adam_rosenbrock_power(x, y, lr, beta1, beta2, eps, steps, xy, loss):
    """``adam_rosenbrock`` with ``beta**t`` taken as a power every step."""
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


CHUNK = 256


@njit(cache=True, nogil=True, error_model="numpy")
def adam_rosenbrock_batch(
    starts,
    lr,
    beta1,
    beta2,
    eps,
    steps,
    tol,
    box,
    lo,
    hi,
    final_xy,
    final_loss,
    diverged_at,
    converged_step,
    unsteady,
):
    """Adam on Rosenbrock (a=1, b=100) for runs ``lo`` to ``hi``, structure of arrays.

    The outputs of ``run_batch`` with the same meaning: the final point and loss (NaN once
    diverged), where it diverged (leaving ``box`` = (xmin, xmax, ymin, ymax), or a
    non-finite value), the step from which f stayed <= tol, and the unsteady steps of
    the second half.
    """
    half = steps // 2
    for first in range(lo, hi, CHUNK):
        n = min(CHUNK, hi - first)
        x, y = starts[first : first + n, 0].copy(), starts[first : first + n, 1].copy()
        mx, my, vx, vy = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
        dx, dy = np.zeros(n), np.zeros(n)
        f = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2
        last_bad = np.where(f <= tol, -1, 0)
        gone = np.full(n, -1)
        count = np.zeros(n, dtype=np.int64)
        for t in range(1, steps + 1):
            # a power per step, shared by a chunk's lanes: as cheap as a running product
            # here, and rounded as PyTorch rounds (running products changed the final
            # point of 9 of 40,000 chaotic runs beyond rtol 1e-9)
            bc1 = 1.0 - beta1 ** float(t)
            bc2 = math.sqrt(1.0 - beta2 ** float(t))
            step = lr / bc1
            counting = t - 1 >= half
            for j in range(n):
                xj, yj = x[j], y[j]
                r = yj - xj * xj
                gx = -2.0 * (1.0 - xj) - 400.0 * xj * r
                gy = 200.0 * r
                mx[j] = mx[j] + (1.0 - beta1) * (gx - mx[j])  # torch.lerp, as the engine
                my[j] = my[j] + (1.0 - beta1) * (gy - my[j])
                vx[j] = vx[j] * beta2 + (1.0 - beta2) * gx * gx
                vy[j] = vy[j] * beta2 + (1.0 - beta2) * gy * gy
                xn = xj - step * mx[j] / (math.sqrt(vx[j]) / bc2 + eps)
                yn = yj - step * my[j] / (math.sqrt(vy[j]) / bc2 + eps)
                fn = (1.0 - xn) ** 2 + 100.0 * (yn - xn * xn) ** 2
                ddx, ddy = xn - xj, yn - yj
                bounce = (ddx * dx[j] + ddy * dy[j] < 0.0) | (fn > f[j])
                count[j] += 1 if counting and bounce else 0
                dx[j], dy[j] = ddx, ddy
                x[j], y[j], f[j] = xn, yn, fn
                inside = (box[0] <= xn) & (xn <= box[1]) & (box[2] <= yn) & (yn <= box[3])
                ok = inside & (abs(fn) < math.inf)
                gone[j] = t if not ok and gone[j] < 0 else gone[j]
                last_bad[j] = last_bad[j] if fn <= tol else t
        for j in range(n):
            k = first + j
            diverged_at[k] = gone[j]
            unsteady[k] = count[j]
            if gone[j] >= 0:
                final_xy[k, 0] = final_xy[k, 1] = final_loss[k] = np.nan
                converged_step[k] = -1
            else:
                final_xy[k, 0], final_xy[k, 1], final_loss[k] = x[j], y[j], f[j]
                converged_step[k] = last_bad[j] + 1 if last_bad[j] < steps else -1
