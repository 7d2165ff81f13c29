"""Local curvature of a surface at a point, from its analytic Hessian.

Near a point ``p``, ``f(p + d) ~ f(p) + g.d + d.H d / 2``. Along an eigenvector ``v`` of
``H`` with eigenvalue ``lambda`` gradient descent with step ``lr`` multiplies the distance
to the (local) minimum by ``1 - lr lambda`` per step: it converges along ``v`` only if
``0 < lr < 2 / lambda``, so ``2 / lambda_max`` is the largest stable step, and the
condition number ``lambda_max / lambda_min`` says how much slower the flattest direction
is than the steepest one at that step.

>>> import surfaces
>>> c = curvature(surfaces.get("quadratic", condition=10, angle=0), 1.0, 2.0)
>>> c.eigenvalues.tolist(), c.condition_number, c.max_stable_lr
([1.0, 10.0], 10.0, 0.2)
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Curvature:
    """The Hessian at ``point`` and what it says about step sizes.

    ``eigenvalues`` ascend; column ``i`` of ``eigenvectors`` is the unit eigenvector of
    ``eigenvalues[i]``, signed so that its first non-zero component is positive.
    ``condition_number`` is ``lambda_max / lambda_min`` where the Hessian is positive
    definite and inf elsewhere; ``max_stable_lr`` is ``2 / lambda_max`` when
    ``lambda_max > 0``, else None (no step size is stable along a direction of negative
    or zero curvature). ``kind`` is "minimum-like" (both eigenvalues > 0), "saddle"
    (opposite signs), "maximum-like" (both < 0) or "flat" (an eigenvalue is 0).
    """

    point: tuple
    hessian: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    condition_number: float
    max_stable_lr: float | None
    kind: str


def curvature(surface, x, y):
    """The Curvature of ``surface`` (a Surface) at ``(x, y)``; ValueError for a bad point."""
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"{name}={value!r} is not a number; allowed: a finite number")
        if not math.isfinite(value):
            raise ValueError(f"{name}={value!r} is not finite; allowed: a finite number")
    hessian = np.asarray(surface.hessian(float(x), float(y)), dtype=float)
    if not np.isfinite(hessian).all():
        raise ValueError(f"the Hessian of {surface.name} at ({x:g}, {y:g}) is not finite")
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    for i in range(2):
        column = eigenvectors[:, i]
        leading = column[np.flatnonzero(np.abs(column) > 1e-12)[0]]
        eigenvectors[:, i] = column * np.sign(leading)
    low, high = float(eigenvalues[0]), float(eigenvalues[1])
    return Curvature(
        point=(float(x), float(y)),
        hessian=hessian,
        eigenvalues=eigenvalues,
        eigenvectors=eigenvectors,
        condition_number=high / low if low > 0 else math.inf,
        max_stable_lr=2.0 / high if high > 0 else None,
        kind=_kind(low, high),
    )


def _kind(low, high):
    if low > 0:
        return "minimum-like"
    if high < 0:
        return "maximum-like"
    if low < 0 < high:
        return "saddle"
    return "flat"
