"""What an optimizer is, for the runner and the app: hyperparameters, update rule, source.

Each kernel module declares its hyperparameters as ``parameters.Param`` records in the
order its kernel reads them from the hyperparameter array, and one ``OptimizerSpec`` per
public optimizer name. Tuple hyperparameters (``betas``, ``etas``, ``step_sizes``) take one
slot per element; ``slots`` gives a kernel module the slot of each by name.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from parameters import Param

LR_SLOT = 0  # the learning rate's slot in the kernel array: lr comes first in every spec


@dataclass(frozen=True)
class OptimizerSpec:
    """A public optimizer: an update rule plus defaults, fixed settings and its maths.

    ``rule`` is the kernel module's update rule; ``kernel`` its id, numbered by the
    registry (-1 until registered). ``hypers`` lists every slot the rule reads, ``lr``
    first. ``defaults`` overrides some defaults of ``hypers`` (momentum = SGD with momentum
    0.9); ``fixed`` pins slots the user may not set (Nesterov's flag). ``algorithm`` is the
    update rule as a LaTeX algorithm box whose symbols match the ``Param.symbol`` of the
    controls. ``momentum_slot`` names the hyperparameter a cycling schedule drives
    ("momentum", or "betas" for beta1). ``state_rows`` gives the rows of (2,) state the
    rule needs, from the hyperparameters. ``check`` raises ValueError for combinations
    that are invalid as a whole. ``wraps`` is the inner optimizer's name when this spec is
    Lookahead around it (its hypers then end with ``k`` and ``alpha``). ``state`` lists
    the names ``run(..., record_state=True)`` reports besides ``update``, each with its
    meaning (``recording.StateEntry``).
    """

    name: str
    title: str
    rule: Callable
    hypers: tuple
    algorithm: str
    source: str
    summary: str
    state_rows: Callable
    defaults: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    momentum_slot: str | None = None
    check: Callable | None = None
    kernel: int = -1
    wraps: str | None = None
    state: tuple = ()

    def controls(self):
        """The hyperparameters a user may set, with this optimizer's defaults."""
        return tuple(
            h.with_default(self.defaults.get(h.name, h.default))
            for h in self.hypers
            if h.name not in self.fixed
        )

    def default_values(self):
        """``{name: default}`` of every settable hyperparameter."""
        return {h.name: h.default for h in self.controls()}

    def resolve(self, given):
        """Checked ``({name: value}, kernel array)`` from the user's keyword arguments."""
        values, slots = self._resolve(
            given, lambda hyper, value: kernel_slots(hyper, value, self.name)
        )
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
            given, lambda hyper, value: lane_slots(hyper, value, self.name, lanes)
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
        return slots(self.hypers, name)[0]


def slots(hypers, *names):
    """The kernel-array position of the first element of each hyperparameter in ``names``
    (a pair's second element is the next slot): the named constants a rule reads with."""
    offsets, offset = {}, 0
    for hyper in hypers:
        offsets[hyper.name] = offset
        offset += hyper.size
    return tuple(offsets[name] for name in names)


# ------------------------------------------------------------------ the kernel array


def kernel_slots(hyper, value, owner):
    """``value`` checked against ``hyper``, as the kernel's floats (one per element), or
    ValueError naming ``owner``, the hyperparameter, the value and what is allowed."""
    return tuple(
        float(hyper.check_element(element, owner, _label(hyper, index)))
        for index, element in enumerate(_elements(hyper, value, owner))
    )


def lane_slots(hyper, value, owner, lanes):
    """``kernel_slots`` for a batch of ``lanes`` runs: a float element may also be an
    array of ``lanes`` numbers (one per run). Returns floats and (lanes,) float arrays."""
    parts = []
    for index, element in enumerate(_elements(hyper, value, owner, lanes)):
        if isinstance(element, (list, tuple, np.ndarray)):
            parts.append(check_array(hyper, owner, element, index, lanes))
        else:
            parts.append(float(hyper.check_element(element, owner, _label(hyper, index))))
    return tuple(parts)


def check_array(hyper, owner, element, index, lanes):
    """Element ``index`` of ``hyper`` given as ``lanes`` numbers, as a float array
    (ValueError naming the first bad one by its position)."""
    label = _label(hyper, index)
    if hyper.kind != "float":
        kind = "an integer" if hyper.kind == "int" else "a flag"
        raise ValueError(
            f"{owner}: {label} is {kind}: one value for the whole batch, not one per run"
        )
    numbers = np.asarray(element)
    if numbers.shape != (lanes,) or numbers.dtype.kind not in "iuf":
        raise ValueError(
            f"{owner}: {label} must be a number or an array of {lanes} numbers "
            f"(one per run), not {type(element).__name__} of shape {numbers.shape} "
            f"and dtype {numbers.dtype}"
        )
    numbers = numbers.astype(float)
    bad = ~np.isfinite(numbers)
    bad |= (numbers < hyper.low) | (hyper.open_low & (numbers == hyper.low))
    bad |= (numbers > hyper.high) | (hyper.open_high & (numbers == hyper.high))
    if bad.any():
        run = int(np.argmax(bad))
        hyper.check_element(float(numbers[run]), owner, f"{label}[{run}]")  # raises
    return numbers


def _elements(hyper, value, owner, lanes=None):
    """The ``size`` elements of ``value``; with ``lanes``, an array means one per run."""
    sequence = isinstance(value, (tuple, list, np.ndarray))
    if lanes is not None and hyper.size == 1 and sequence:
        return (value,)
    values = value if sequence else (value,)
    if (hyper.size > 1) != sequence or len(values) != hyper.size:
        shape = f"a pair like {hyper.default}" if hyper.size > 1 else "a single value"
        per_run = f", each a number or an array of {lanes} (one per run)" if lanes else ""
        raise ValueError(f"{owner}: {hyper.name}={value!r} must be {shape}{per_run}")
    return tuple(values)


def _label(hyper, index):
    return f"{hyper.name}[{index}]" if hyper.size > 1 else hyper.name


# ------------------------------------------------------------ hyperparameters shared


def lr_hyper(default, ui=(1e-4, 1.0)):
    """The learning rate, first slot of every optimizer."""
    return Param(
        "lr", default, "step size (learning rate)", low=0.0, symbol=r"\gamma", ui=ui, log=True
    )


def weight_decay_hyper(default=0.0, help="L2 penalty added to the gradient"):
    return Param("weight_decay", default, help, low=0.0, symbol=r"\lambda", ui=(0.0, 0.1))


def eps_hyper(default, help="added to the denominator for numerical stability"):
    return Param("eps", default, help, low=0.0, symbol=r"\epsilon", ui=(1e-10, 1e-2), log=True)


def betas_hyper(default=(0.9, 0.999), help="decay rates of the first and second moment averages"):
    return Param(
        "betas",
        default,
        help,
        low=0.0,
        high=1.0,
        open_high=True,
        symbol=(r"\beta_1", r"\beta_2"),
        ui=(0.0, 0.9999),
        near_one=True,
    )


def flag(name, help, symbol=None):
    """A True/False hyperparameter, off by default; its symbol is its name."""
    return Param(name, False, help, kind="bool", symbol=symbol or rf"\text{{{name}}}")
