"""The 2D surfaces Gradscape's optimizers race on: analytic test functions, and losses
of models fitted to data (``linreg``, ``logreg``, ``mlp_slice``: ``Surface.data``).

>>> import surfaces
>>> s = surfaces.get("rosenbrock")
>>> s.f(1.0, 1.0), s.minima
(0.0, ((1.0, 1.0),))

Typed formulas: ``surfaces.from_expression("x^2 + 3*y^2", domain=((-2, 2), (-2, 2)))`` and
``surfaces.suggest_domain(text)`` (see ``surfaces.formula``; sympy loads on first use).
"""

import functools

from . import _jit  # noqa: F401  (sets up the Numba cache before any kernel is defined)
from ._dispatch import DEFINITIONS, EXPRESSION
from .surface import Surface, build, checked_params

_BY_NAME = {definition.name: (sid, definition) for sid, definition in enumerate(DEFINITIONS)}


def names():
    """Every built-in surface name, in catalogue order."""
    return list(_BY_NAME)


def get(name, **params):
    """The built-in surface ``name``, with optional parameter overrides.

    A Surface passed in is returned as it is. Raises ValueError for an unknown name or
    parameter, or a parameter value out of its range.
    """
    if isinstance(name, Surface):
        if params:
            raise ValueError("surface parameters go with a surface name, not a Surface")
        return name
    checked = checked_params(_definition(name), params)
    return _built(name, tuple(checked.items()))


@functools.lru_cache(maxsize=64)
def _built(name, params):
    """The Surface ``name`` with its checked ``params`` (``(name, value)`` pairs), built
    once: building refines numerical minima and generates a dataset, and every rerun of
    the app asks for its surfaces again. A Surface is frozen and shared: never edit its
    arrays."""
    sid, definition = _BY_NAME[name]
    return build(definition, sid, dict(params))


def kernel_id(name):
    """The id the kernels know surface ``name`` by (a typed formula's for "expression");
    None for a name that is neither."""
    if name == "expression":
        return EXPRESSION
    return _BY_NAME[name][0] if name in _BY_NAME else None


def title(name):
    """The built-in surface ``name``'s title, from its definition: a surface list need not
    build twenty surfaces (on an empty Numba cache, building the data surfaces compiles
    their losses: 11 s)."""
    return _definition(name).title


def parameters(name):
    """``{param: parameters.Param}`` of the built-in surface ``name`` (default, range)."""
    return dict(_definition(name).params)


def _definition(name):
    if name not in _BY_NAME:
        raise ValueError(f"unknown surface {name!r}; allowed: {', '.join(_BY_NAME)}")
    return _BY_NAME[name][1]


def __getattr__(name):
    """``from_expression`` and ``suggest_domain``, imported on first use (sympy takes a
    good part of a second to import, which a run on the built-ins need not pay)."""
    if name in ("from_expression", "suggest_domain"):
        from . import formula

        return getattr(formula, name)
    raise AttributeError(f"module 'surfaces' has no attribute {name!r}")


__all__ = ["Surface", "from_expression", "get", "names", "parameters", "suggest_domain", "title"]
