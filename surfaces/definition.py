"""How a built-in surface is declared."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SurfaceDef:
    """How a built-in surface is declared (one per test function, in the family modules).

    ``value``, ``gradient`` and ``hessian`` are its jitted formulas ``(p, x, y)`` -> f,
    ``(fx, fy)``, ``(fxx, fxy, fyy)``, with ``p`` the kernel parameters. ``params`` maps
    each parameter's name to its ``parameters.Param`` (default and range). ``minima``, ``f_min`` and
    ``saddles`` are values, or functions of the parameters when they move with them.
    ``kernel_params`` turns the parameters into the numbers the Numba formulas read
    (default: the parameters in declaration order). ``latex`` may hold ``{param}`` fields.
    ``view`` is a tighter plotting box for when the standard ``domain`` hides the
    interesting part (default None: the domain).
    """

    name: str
    title: str
    latex: str
    domain: tuple
    minima: object
    f_min: object
    saddles: object
    default_start: tuple
    note: str
    value: Callable
    gradient: Callable
    hessian: Callable
    params: dict = field(default_factory=dict)
    kernel_params: Callable | None = None
    view: tuple | None = None
