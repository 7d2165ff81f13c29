"""What an optimizer is, for the runner and the app: hyperparameters, update rule, source.

Each kernel module declares its hyperparameters with ``Hyper`` in the order its kernel reads
them from the hyperparameter array, and one ``OptimizerSpec`` per public optimizer name.
Tuple hyperparameters (``betas``, ``etas``, ``step_sizes``) take one slot per element.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter, with PyTorch's keyword name where PyTorch has the optimizer.

    ``low``/``high`` bound the allowed values (``open_low``/``open_high`` exclude the bound),
    ``ui`` is the range a slider offers and ``log`` says whether it is log-scaled.
    ``symbol`` is the LaTeX symbol the update rule uses for it (one per element of a tuple).
    ``kind`` is "float", "int" or "bool". ``near_one`` marks decay rates whose useful values
    crowd near 1 (0.9, 0.99, 0.999): their control steps 1 - value on a log scale.
    """

    name: str
    default: object
    help: str
    symbol: object
    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False
    open_high: bool = False
    ui: tuple = (0.0, 1.0)
    log: bool = False
    kind: str = "float"
    near_one: bool = False

    @property
    def size(self):
        return len(self.default) if isinstance(self.default, tuple) else 1

    def allowed(self):
        """The allowed values in words, for error messages."""
        if self.kind == "bool":
            return "True or False"
        left = f"{self.low:g} {'<' if self.open_low else '<='} " if self.low > -math.inf else ""
        right = f" {'<' if self.open_high else '<='} {self.high:g}" if self.high < math.inf else ""
        kind = "an integer" if self.kind == "int" else "a number"
        return f"{kind}, {left}{self.name}{right}" if left or right else kind

    def check(self, optimizer, value):
        """``value`` as a tuple of floats for the kernel, or ValueError naming what is wrong."""
        return tuple(
            self._check_one(optimizer, v, i) for i, v in enumerate(self._elements(optimizer, value))
        )

    def check_lanes(self, optimizer, value, lanes):
        """Like ``check`` for a batch of ``lanes`` runs: a float element may also be an array
        of ``lanes`` numbers (one per run). Returns floats and (lanes,) float arrays."""
        parts = []
        for index, element in enumerate(self._elements(optimizer, value, lanes)):
            if isinstance(element, (list, tuple, np.ndarray)):
                parts.append(self.check_array(optimizer, element, index, lanes))
            else:
                parts.append(self._check_one(optimizer, element, index))
        return tuple(parts)

    def _elements(self, optimizer, value, lanes=None):
        """The ``size`` elements of ``value``; with ``lanes``, an array means one per run."""
        sequence = isinstance(value, (tuple, list, np.ndarray))
        if lanes is not None and self.size == 1 and sequence:
            return (value,)
        values = value if sequence else (value,)
        if isinstance(self.default, tuple) != sequence or len(values) != self.size:
            shape = f"a pair like {self.default}" if self.size > 1 else "a single value"
            per_run = f", each a number or an array of {lanes} (one per run)" if lanes else ""
            raise ValueError(f"{optimizer}: {self.name}={value!r} must be {shape}{per_run}")
        return tuple(values)

    def check_array(self, optimizer, element, index, lanes):
        """Element ``index`` given as ``lanes`` numbers, as a float array (ValueError naming
        the first bad one by its position)."""
        label = self._label(index)
        if self.kind != "float":
            kind = "an integer" if self.kind == "int" else "a flag"
            raise ValueError(
                f"{optimizer}: {label} is {kind}: one value for the whole batch, not one per run"
            )
        numbers = np.asarray(element)
        if numbers.shape != (lanes,) or numbers.dtype.kind not in "iuf":
            raise ValueError(
                f"{optimizer}: {label} must be a number or an array of {lanes} numbers "
                f"(one per run), not {type(element).__name__} of shape {numbers.shape} "
                f"and dtype {numbers.dtype}"
            )
        numbers = numbers.astype(float)
        bad = ~np.isfinite(numbers)
        bad |= (numbers < self.low) | (self.open_low & (numbers == self.low))
        bad |= (numbers > self.high) | (self.open_high & (numbers == self.high))
        if bad.any():
            run = int(np.argmax(bad))
            self._check_one(optimizer, float(numbers[run]), index, run)  # raises, naming the run
        return numbers

    def _label(self, index, run=None):
        label = f"{self.name}[{index}]" if self.size > 1 else self.name
        return label if run is None else f"{label}[{run}]"

    def _check_one(self, optimizer, value, index, run=None):
        label = self._label(index, run)
        if self.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{optimizer}: {label}={value!r} must be True or False")
            return float(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            raise ValueError(
                f"{optimizer}: {label}={value!r} is not a number; allowed: {self.allowed()}"
            )
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(
                f"{optimizer}: {label}={value!r} is not finite; allowed: {self.allowed()}"
            )
        if self.kind == "int" and number != int(number):
            raise ValueError(
                f"{optimizer}: {label}={value!r} is not an integer; allowed: {self.allowed()}"
            )
        too_low = number < self.low or (self.open_low and number == self.low)
        too_high = number > self.high or (self.open_high and number == self.high)
        if too_low or too_high:
            raise ValueError(
                f"{optimizer}: {label}={value!r} is out of range; allowed: {self.allowed()}"
            )
        return number


@dataclass(frozen=True)
class OptimizerSpec:
    """A public optimizer: a kernel plus defaults, fixed settings and its update rule.

    ``hypers`` lists every slot the kernel reads, ``lr`` first. ``defaults`` overrides
    some defaults of ``hypers`` (momentum = SGD with momentum 0.9); ``fixed`` pins slots
    the user may not set (Nesterov's flag). ``algorithm`` is the update rule as a LaTeX
    algorithm box whose symbols match the ``Hyper.symbol`` of the controls. ``momentum_slot``
    names the hyperparameter a cycling schedule drives ("momentum", or "betas" for beta1).
    ``state_rows`` gives the rows of (2,) state the kernel needs, from the hyperparameters.
    ``check`` raises ValueError for combinations that are invalid as a whole.
    ``lookahead`` marks Lookahead wrappers, whose last two hypers are k and alpha.
    """

    name: str
    title: str
    kernel: int
    hypers: tuple
    algorithm: str
    source: str
    summary: str
    state_rows: Callable
    defaults: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    momentum_slot: str | None = None
    check: Callable | None = None
    lookahead: bool = False  # k and alpha drive the runner's Lookahead synchronisation

    def controls(self):
        """The hyperparameters a user may set, with this optimizer's defaults."""
        return tuple(
            _with_default(h, self.defaults.get(h.name, h.default))
            for h in self.hypers
            if h.name not in self.fixed
        )

    def default_values(self):
        """``{name: default}`` of every settable hyperparameter."""
        return {h.name: h.default for h in self.controls()}

    def resolve(self, given):
        """Checked ``({name: value}, kernel array)`` from the user's keyword arguments."""
        values, slots = self._resolve(given, lambda hyper, value: hyper.check(self.name, value))
        if self.check is not None:
            self.check(self.name, values)
        return values, np.array(slots, dtype=float)

    def resolve_lanes(self, given, lanes):
        """``resolve`` for a batch of ``lanes`` runs: a float hyperparameter (or element of
        a tuple one) may be an array of ``lanes`` values, one per run. Returns
        ``({name: value}, (slots, lanes) kernel array)``; ``check`` is applied to every
        distinct combination of the values of one run.
        """
        values, slots = self._resolve(
            given, lambda hyper, value: hyper.check_lanes(self.name, value, lanes)
        )
        table = np.empty((len(slots), lanes))
        for row, part in enumerate(slots):
            table[row] = part
        if self.check is not None:
            self._check_runs(table)
        return values, table

    def _resolve(self, given, check):
        """``({name: value}, [slot values])`` with ``check(hyper, value)`` on each."""
        settable = {h.name: h for h in self.controls()}
        for name in given:
            if name in self.fixed:
                raise ValueError(
                    f"{self.name}: {name} is fixed to {self.fixed[name]!r} for this optimizer"
                )
            if name not in settable:
                raise ValueError(
                    f"{self.name}: unknown hyperparameter {name!r}; allowed: {', '.join(settable)}"
                )
        values = {}
        slots = []
        for hyper in self.hypers:
            if hyper.name in self.fixed:
                value = self.fixed[hyper.name]
            else:
                value = given.get(hyper.name, settable[hyper.name].default)
            slots.extend(check(hyper, value))
            values[hyper.name] = value
        return values, slots

    def _check_runs(self, table):
        """``check`` on each distinct run (column) of the kernel array ``table``."""
        varying = [row for row in range(table.shape[0]) if (table[row] != table[row, 0]).any()]
        runs = np.unique(table[varying], axis=1, return_index=True)[1] if varying else [0]
        for run in list(runs):
            try:
                self.check(self.name, self._values_of(table[:, run]))
            except ValueError as error:
                raise ValueError(f"{error} (run {run} of the batch)") from None

    def _values_of(self, column):
        """``{name: value}`` of one run from its column of the kernel array."""
        convert = {"bool": bool, "int": int, "float": float}
        values, offset = {}, 0
        for hyper in self.hypers:
            numbers = [convert[hyper.kind](v) for v in column[offset : offset + hyper.size]]
            values[hyper.name] = tuple(numbers) if hyper.size > 1 else numbers[0]
            offset += hyper.size
        return values

    def slot_index(self, name):
        """Position of hyperparameter ``name``'s first element in the kernel array."""
        index = 0
        for hyper in self.hypers:
            if hyper.name == name:
                return index
            index += hyper.size
        raise KeyError(name)


def _with_default(hyper, default):
    if default == hyper.default:
        return hyper
    return Hyper(**{**hyper.__dict__, "default": default})


def lr_hyper(default, ui=(1e-4, 1.0)):
    """The learning rate, first slot of every optimizer."""
    return Hyper("lr", default, "step size (learning rate)", r"\gamma", low=0.0, ui=ui, log=True)


def weight_decay_hyper(default=0.0, help="L2 penalty added to the gradient"):
    return Hyper("weight_decay", default, help, r"\lambda", low=0.0, ui=(0.0, 0.1))


def eps_hyper(default, help="added to the denominator for numerical stability"):
    return Hyper("eps", default, help, r"\epsilon", low=0.0, ui=(1e-10, 1e-2), log=True)


def betas_hyper(default=(0.9, 0.999), help="decay rates of the first and second moment averages"):
    return Hyper(
        "betas",
        default,
        help,
        (r"\beta_1", r"\beta_2"),
        low=0.0,
        high=1.0,
        open_high=True,
        ui=(0.0, 0.9999),
        near_one=True,
    )
