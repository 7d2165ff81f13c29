"""Every optimizer by public name, in the order the app lists them, and the update rules'
kernel ids.

The registry is the kernel modules' specs in order, then the Lookahead wrappers. An update
rule's kernel id is its place among the distinct rules in that order; the dispatch
(``_dispatch``) is built from the same list, so an id always reaches its rule.
"""

from dataclasses import replace

from . import adam, adaptive, asgd, lbfgs, lion, lookahead, newton, rprop, sgd, yellowfin

_DECLARED = (
    *sgd.SPECS,
    *adaptive.SPECS,
    *adam.SPECS,
    *rprop.SPECS,
    *asgd.SPECS,
    *lbfgs.SPECS,
    *lion.SPECS,
    *newton.SPECS,
    *yellowfin.SPECS,
)
_WRAPPERS = {wrapper.name: wrapper for wrapper in (lookahead.LOOKAHEAD, lookahead.RANGER)}

# The update rules in registry order: a rule's kernel id is its position.
RULES = tuple(dict.fromkeys(spec.rule for spec in _DECLARED))
_SPECS = {spec.name: replace(spec, kernel=RULES.index(spec.rule)) for spec in _DECLARED}


def rule_title(kid):
    """The title of the first optimizer that runs update rule ``kid`` ("Adam")."""
    return next(spec.title for spec in _SPECS.values() if spec.kernel == kid)


def names():
    """Every optimizer name."""
    return [*_SPECS, *_WRAPPERS]


def inner_choices():
    """The optimizers Lookahead may wrap: every one that is not itself a wrapper."""
    return list(_SPECS)


def chooses_inner(name):
    """True when optimizer ``name`` runs around an inner optimizer the caller picks
    (``inner=``, one of ``inner_choices()``): Lookahead."""
    return name in _WRAPPERS and _WRAPPERS[name].wraps is None


def get(name, inner="sgd"):
    """The OptimizerSpec of ``name``; ``inner`` is the inner optimizer of a wrapper that
    lets the caller choose it (Lookahead; Ranger always wraps RAdam)."""
    if name in _WRAPPERS:
        wrapper = _WRAPPERS[name]
        inner = wrapper.wraps or inner
        if inner not in _SPECS:
            raise ValueError(
                f"{name}: unknown inner optimizer {inner!r}; allowed: {', '.join(_SPECS)}"
            )
        return wrapper.around(_SPECS[inner])
    if name not in _SPECS:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(names())}")
    return _SPECS[name]
