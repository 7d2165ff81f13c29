"""Every optimizer by public name."""

from . import adam, adaptive, asgd, lbfgs, lion, lookahead, newton, rprop, sgd, yellowfin

_KERNEL_MODULES = (sgd, adam, adaptive, rprop, asgd, lbfgs, lion, newton, yellowfin)
_SPECS = {spec.name: spec for module in _KERNEL_MODULES for spec in module.SPECS}

# Names in the order the app lists them.
_ORDER = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "amsgrad",
    "adamw",
    "adamax",
    "nadam",
    "radam",
    "rprop",
    "asgd",
    "lbfgs",
    "lion",
    "newton",
    "yellowfin",
    "lookahead",
    "ranger",
)


def names():
    """Every optimizer name."""
    return [name for name in _ORDER if name in _SPECS or name in ("lookahead", "ranger")]


def get(name, inner="sgd"):
    """The OptimizerSpec of ``name``; ``inner`` is Lookahead's inner optimizer."""
    if name == "lookahead":
        if inner in ("lookahead", "ranger") or inner not in _SPECS:
            allowed = ", ".join(n for n in names() if n not in ("lookahead", "ranger"))
            raise ValueError(f"lookahead: unknown inner optimizer {inner!r}; allowed: {allowed}")
        return lookahead.wrap(_SPECS[inner], "lookahead", f"Lookahead({_SPECS[inner].title})")
    if name == "ranger":
        return lookahead.wrap(
            _SPECS["radam"],
            "ranger",
            "Ranger",
            defaults={"betas": (0.95, 0.999), "eps": 1e-5, "k": 6},
            source="Ranger (Wright 2019): RAdam (torch.optim.RAdam) inside Lookahead "
            "(Zhang et al. 2019), with Ranger's defaults",
            summary="RAdam's warmup-free adaptivity plus Lookahead's averaging: steady and "
            "hard to derail.",
        )
    if name not in _SPECS:
        raise ValueError(f"unknown optimizer {name!r}; allowed: {', '.join(names())}")
    return _SPECS[name]
