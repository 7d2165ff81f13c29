"""How a built-in surface is declared."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SurfaceDef:
    """How a built-in surface is declared (one per test function, in the family modules).

    ``value``, ``gradient`` and ``hessian`` are its jitted formulas ``(p, x, y)`` -> f,
    ``(fx, fy)``, ``(fxx, fxy, fyy)``, with ``p`` the kernel parameters. ``params`` maps
    each parameter's name to its ``parameters.Param`` (default and range). ``minima``, ``f_min`` and
    ``saddles`` are values, or functions of the parameters when they move with them (so may
    ``domain`` and ``default_start`` be). With ``refine_minima`` the minima are starting
    points that Newton's method refines on the built surface (minima found numerically);
    ``f_min`` None is the value at the minima (0, a loss's infimum, when there are none).
    ``kernel_params`` turns the parameters into the numbers the Numba formulas read
    (default: the parameters in declaration order). ``latex`` may hold ``{param}`` fields.
    ``view`` is a tighter plotting box for when the standard ``domain`` hides the
    interesting part (default None: the domain). ``data``, for a surface made from data,
    maps the parameters to the dataset's columns (``Surface.data``); its kernel parameters
    then hold the samples (``surfaces._samples``). ``cost`` (a number, or a function of the
    parameters) is what one evaluation of f and its gradient costs, in steps of Adam on
    Rosenbrock (measured in the batch kernel): 1 for a formula, more for a sum over data.
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
    data: Callable | None = None
    refine_minima: bool = False
    cost: object = 1.0
