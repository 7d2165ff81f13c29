"""How a built-in surface is declared."""

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class SurfaceDef:
    """How a built-in surface is declared (one per test function, in the family modules).

    ``params`` maps each parameter to ``(default, low, high)``. ``minima``, ``f_min`` and
    ``saddles`` are values, or functions of the parameters when they move with them.
    ``kernel_params`` turns the parameters into the numbers the Numba formulas read
    (default: the parameters in declaration order). ``latex`` may hold ``{param}`` fields.
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
    params: dict = field(default_factory=dict)
    kernel_params: Callable | None = None
