"""One description of a setting, for every layer: its default, what it allows, and how a
control should offer it.

The same ``Param`` describes an optimizer's hyperparameters, a schedule's parameters, a
surface's parameters and the scene's own settings and caps. ``check`` is the one place a
value is judged; widgets read ``low``/``high``/``ui``/``log`` from the same record, so a
bound is written once.

``kind`` is "float", "int", "bool", "ints" (an increasing list of whole step numbers; with
``repeats`` a step may come twice, as PyTorch's milestones may) or a tuple of the allowed
choices, or "str" for a name checked where its choices are known (what a sweep may vary
depends on the racer). A tuple ``default`` (Adam's betas) makes a parameter of that
many elements, each checked against the bounds. ``none_means`` says what None stands for
when None is allowed (no clipping; a value worked out at run time).
"""

import math
from dataclasses import dataclass, replace

import numpy as np

BOOL_WORDS = "True or False"


@dataclass(frozen=True)
class Param:
    """A setting: ``name``, ``default``, bounds and kind; ``help``, ``symbol`` (LaTeX, one per
    element of a tuple), ``ui`` (the range a slider offers, default the bounds), ``log``
    (log-scaled control) and ``near_one`` (a decay rate whose control steps 1 - value on a
    log scale) for the controls."""

    name: str
    default: object
    help: str = ""
    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False
    open_high: bool = False
    kind: str | tuple = "float"
    none_means: str = ""
    symbol: object = None
    ui: tuple | None = None
    log: bool = False
    near_one: bool = False
    repeats: bool = False

    @property
    def required(self):
        """True when the setting has no default and None means nothing: it must be given."""
        return self.default is None and not self.none_means

    @property
    def size(self):
        """Elements of the value: 2 for a pair such as ``betas``, else 1."""
        return len(self.default) if isinstance(self.default, tuple) else 1

    @property
    def slider(self):
        """``(low, high)`` a control offers: ``ui`` if given, else the bounds."""
        return self.ui if self.ui is not None else (self.low, self.high)

    def with_default(self, default):
        """This parameter with another default (an optimizer that shares a kernel)."""
        return self if default == self.default else replace(self, default=default)

    def allowed(self):
        """The allowed values in words, for messages: "a number, 0 < lr", "one of 'a', 'b'"."""
        if isinstance(self.kind, tuple):
            return "one of " + ", ".join(repr(choice) for choice in self.kind)
        if self.kind == "str":
            return "a name"
        if self.kind == "bool":
            return BOOL_WORDS
        if self.kind == "ints":
            again = " (a step may repeat)" if self.repeats else ""
            return f"an increasing list of integer steps >= {self.low:g}{again}"
        left = f"{self.low:g} {'<' if self.open_low else '<='} " if self.low > -math.inf else ""
        right = f" {'<' if self.open_high else '<='} {self.high:g}" if self.high < math.inf else ""
        words = "an integer" if self.kind == "int" else "a number"
        words += f", {left}{self.name}{right}" if left or right else ""
        return words + (f", or None ({self.none_means})" if self.none_means else "")

    def check(self, value, owner=""):
        """``value`` in its kind (float, int, bool, list of ints, a choice, None, or a tuple of
        those for a pair), or ValueError naming the owner, the parameter, the value and what
        is allowed."""
        if value is None and self.none_means:
            return None
        if self.size > 1:
            if not isinstance(value, (tuple, list)) or len(value) != self.size:
                raise ValueError(
                    f"{self._prefix(owner)}{self.name}={value!r} must be a pair like {self.default}"
                )
            return tuple(
                self.check_element(v, owner, f"{self.name}[{i}]") for i, v in enumerate(value)
            )
        return self.check_element(value, owner)

    def _prefix(self, owner):
        return f"{owner}: " if owner else ""

    def check_element(self, value, owner="", label=None):
        """One element of the value (of a pair, or one run's of a batch) in its kind, or
        ValueError naming it by ``label`` (default the parameter's name)."""
        label = label or self.name
        reason = self._problem(value)
        if reason:
            raise ValueError(
                f"{self._prefix(owner)}{label}={value!r} {reason}; allowed: {self.allowed()}"
            )
        if isinstance(self.kind, tuple) or self.kind == "str":
            return value
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            return int(value)
        if self.kind == "ints":
            return [int(v) for v in value]
        return float(value)

    def _problem(self, value):
        """Why ``value`` is not allowed, or "" when it is."""
        if isinstance(self.kind, tuple):
            return "" if isinstance(value, str) and value in self.kind else "is not a choice"
        if self.kind == "str":
            return "" if isinstance(value, str) else "is not a name"
        if self.kind == "bool":
            return "" if isinstance(value, (bool, np.bool_)) else "is not True or False"
        if self.kind == "ints":
            return self._steps_problem(value)
        if not is_number(value):
            return "is not a finite number"
        if self.kind == "int" and value != int(value):
            return "is not an integer"
        too_low = value < self.low or (self.open_low and value == self.low)
        too_high = value > self.high or (self.open_high and value == self.high)
        return "is out of range" if too_low or too_high else ""

    def _steps_problem(self, value):
        if not isinstance(value, (list, tuple)) or not all(
            is_number(v) and v == int(v) for v in value
        ):
            return "is not a list of whole steps"
        if any(v < self.low for v in value) or any(
            b < a or (b == a and not self.repeats) for a, b in zip(value, value[1:], strict=False)
        ):
            return "is not increasing from the lowest step"
        return ""


def is_number(value):
    """True for a finite int or float (not a bool, not an int too large for a float)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
