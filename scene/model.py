"""The scene as typed records: what a race shows, its defaults and its caps.

A ``Scene`` is plain data. Its JSON form (``Scene.to_dict``) is what a preset file holds::

    {
        "surface": {"name": "rosenbrock", "params": {"a": 1.0, "b": 100.0}},
        "optimizers": [{"name": "adam", "hyper": {"lr": 0.05, "betas": [0.9, 0.999], ...}},
                       {"name": "sgd", "hyper": {"lr": 0.05, ...}, "batch_size": 32}],
        "schedule": {"name": "step", "step_size": 100, "gamma": 0.5, "warmup_steps": 0},
        "start": [-1.5, 2.5],
        "steps": 500,
        "options": {"noise_std": 0.0, "seed": 0, "clip_norm": None, "clip_value": None,
                    "batch_size": None},
        "view": {"large_font": False, "palette": "okabe-ito", "tolerance": 0.001,
                 "grid": 200, "surface3d": False, "lang": "en", "paths": "full",
                 "inspect": 2, "inspect_step": 150},
        "landscape": {"overlay": "basin", "color": "minimum", "grid": 100, "racer": 1,
                      "curvature": True, "sweep": "momentum", "sweep_color": "loss"},
    }

Records are frozen: a change is a new record (``dataclasses.replace``), so a validated
scene is never edited behind its validation. The settings of ``Options``, ``View`` and
``Landscape`` are declared once as ``parameters.Param`` (default, bounds, kind); the
validation and the widgets read them from there.

``Landscape`` holds the batch views of one racer, ``racer`` (numbered from 1): the basin
map under the contour (``overlay`` "none" or "basin", coloured by the ``color``
"minimum" reached or the "steps" to converge, over a ``grid`` x ``grid`` grid of starts),
the Hessian's eigen-directions (``curvature``) and the sweep below the race (``sweep``:
"off", "lr" alone, or lr x a float hyperparameter such as "momentum" or "betas[0]",
coloured by ``sweep_color``).

A schedule that sets the rates itself (cyclic, one-cycle) also carries ``relative_lr``:
True when its ``base_lr`` and ``max_lr`` are multiples of each racer's lr (the app's
default), False when they are the rates themselves, as in PyTorch.
"""

import dataclasses
import json
from dataclasses import asdict, dataclass, field, fields

import optimizers
import surfaces
from i18n import DEFAULT as DEFAULT_LANG
from i18n import LANGUAGES
from optimizers import landscape, schedules
from parameters import Param

CUSTOM = "expression"  # the surface name of a typed formula
RELATIVE = "relative_lr"  # the schedule key: rates as multiples of each racer's lr
FULL_BATCH = "full"  # a racer's batch size: the full batch, whatever the scene's

# Caps: what one scene may ask of a shared server.
MAX_RACERS = 6
MAX_STEPS = optimizers.MAX_SHARED_STEPS
STEPS = Param("steps", 500, "steps of the race", low=1, high=MAX_STEPS, kind="int")
# the most samples a surface made from data may have: the bound of a batch size
MAX_BATCH = int(
    max(p["points"].high for p in map(surfaces.parameters, surfaces.names()) if "points" in p)
)
PALETTES = ("okabe-ito", "plotly")
OVERLAYS = ("none", "basin")
BASIN_COLORS = ("minimum", "steps")
SWEEP_COLORS = ("loss", "steps", "regime")
PATH_STYLES = ("full", "grow")  # each path drawn whole, or up to the race's current step


def _clip(name, what):
    return Param(name, None, what, low=0.0, high=1e6, open_low=True, none_means="no clipping")


def _flag(name, what):
    return Param(name, False, what, kind="bool")


@dataclass(frozen=True)
class Settings:
    """A record of plain settings, each declared as a ``Param`` in ``PARAMS``."""

    PARAMS = ()

    @classmethod
    def param(cls, name):
        return next(p for p in cls.PARAMS if p.name == name)

    def to_dict(self):
        return asdict(self)

    def replace(self, **values):
        return dataclasses.replace(self, **values)


@dataclass(frozen=True)
class Options(Settings):
    """What changes the plain algorithms for every racer: gradient noise, clipping and
    mini-batches (``batch_size``, None for the full batch; every racer's default, which
    a racer's own ``Racer.batch_size`` replaces)."""

    PARAMS = (
        Param("noise_std", 0.0, "std of Gaussian noise added to each gradient", low=0.0, high=1e3),
        Param("seed", 0, "seed of the gradient noise", low=0, high=2**31 - 1, kind="int"),
        _clip("clip_norm", "largest gradient norm (larger ones are scaled down)"),
        _clip("clip_value", "largest gradient element (larger ones are cut)"),
        # the samples of the surface bound it: checked again once the surface is known
        Param(
            "batch_size",
            None,
            "samples per mini-batch (a surface made from data)",
            low=1,
            high=MAX_BATCH,
            kind="int",
            none_means="the full batch",
        ),
    )
    noise_std: float = 0.0
    seed: int = 0
    clip_norm: float | None = None
    clip_value: float | None = None
    batch_size: int | None = None

    def engine(self):
        """The engine's keywords (``optimizers.run``): all five, as named here; ``seed``
        seeds both the noise and the batches."""
        return self.to_dict()


@dataclass(frozen=True)
class View(Settings):
    """How the charts look: type size, colours, the tolerance they measure, contour grid,
    language, and the path style (``paths``: "full" draws each racer's whole path at
    once, "grow" draws it up to the step the race shows, as it plays or is scrubbed); and
    the racer whose steps are inspected (``inspect``, numbered from 1, 0 for none), the
    race opening paused at step ``inspect_step`` (its point after that many steps)."""

    PARAMS = (
        _flag("large_font", "projector type"),
        Param("palette", "okabe-ito", "racer colours", kind=PALETTES),
        Param("tolerance", 1e-3, "f - f* counted as reached", low=0.0, high=1e6, open_low=True),
        Param("grid", 200, "contour grid points per side", low=50, high=300, kind="int"),
        # off by default: a WebGL chart delays the page's first picture
        _flag("surface3d", "the 3D surface beside the race"),
        Param("lang", DEFAULT_LANG, "language of every text", kind=tuple(LANGUAGES)),
        Param("paths", "full", "how the race draws the paths", kind=PATH_STYLES),
        Param(
            "inspect",
            0,
            "the racer whose steps are inspected (0: none)",
            low=0,
            high=MAX_RACERS,
            kind="int",
        ),
        Param(
            "inspect_step",
            0,
            "the step the inspected race opens at",
            low=0,
            high=MAX_STEPS,
            kind="int",
        ),
    )
    large_font: bool = False
    palette: str = "okabe-ito"
    tolerance: float = 1e-3
    grid: int = 200
    surface3d: bool = False
    lang: str = DEFAULT_LANG
    paths: str = "full"
    inspect: int = 0
    inspect_step: int = 0


@dataclass(frozen=True)
class Landscape(Settings):
    """The batch views of one racer: basin map, curvature arrows, sweep and the
    learning-rate range test (its rates from ``range_min`` to ``range_max`` over
    ``range_steps`` steps)."""

    PARAMS = (
        Param("overlay", "none", "what is drawn under the contour", kind=OVERLAYS),
        Param("color", "minimum", "what colours the basins", kind=BASIN_COLORS),
        Param("grid", 100, "basin starts per side", low=20, high=landscape.MAX_GRID, kind="int"),
        Param("racer", 1, "the racer of the map and sweep", low=1, high=MAX_RACERS, kind="int"),
        _flag("curvature", "the Hessian's eigen-directions"),
        # checked per racer (what it may vary depends on its optimizer)
        Param("sweep", "off", "what the sweep varies besides lr", kind="str"),
        Param("sweep_color", "loss", "what colours the sweep", kind=SWEEP_COLORS),
        _flag("lr_range", "the learning-rate range test"),
        Param("range_min", 1e-6, "the range test's first rate", low=0.0, high=1.0, open_low=True),
        Param("range_max", 10.0, "the range test's last rate", low=1e-4, high=1e3),
        Param("range_steps", 1000, "the range test's steps", low=10, high=MAX_STEPS, kind="int"),
    )
    overlay: str = "none"
    color: str = "minimum"
    grid: int = 100
    racer: int = 1
    curvature: bool = False
    sweep: str = "off"
    sweep_color: str = "loss"
    lr_range: bool = False
    range_min: float = 1e-6
    range_max: float = 10.0
    range_steps: int = 1000


@dataclass(frozen=True)
class SurfaceChoice:
    """A surface: a built-in ``name`` with its ``params``, or a typed formula (``name`` is
    ``CUSTOM``) with its ``expression`` and ``domain`` ((xmin, xmax), (ymin, ymax))."""

    name: str
    params: dict = field(default_factory=dict)
    expression: str | None = None
    domain: tuple | None = None

    def to_dict(self):
        out = {"name": self.name, "params": dict(self.params)}
        if self.name == CUSTOM:
            out.update(expression=self.expression, domain=[list(pair) for pair in self.domain])
        return out


# a racer's own mini-batch size on a surface made from data: None follows the scene's
# (Options.batch_size); the samples of the surface bound it, checked once it is known
RACER_BATCH = Param(
    "batch_size",
    None,
    "this racer's samples per mini-batch (a surface made from data)",
    low=1,
    high=MAX_BATCH,
    kind="int",
    none_means="the scene's batch size; 'full': the full batch",
)


@dataclass(frozen=True)
class Racer:
    """One optimizer in the race: its name, hyperparameters (PyTorch's keyword names; pairs
    as tuples), for a wrapper such as Lookahead the ``inner`` optimizer it wraps, and its
    own mini-batch size on a surface made from data (``batch_size``: a whole number,
    ``FULL_BATCH`` for the full batch, None to follow the scene's ``Options.batch_size``)."""

    name: str
    hyper: dict
    inner: str | None = None
    batch_size: int | str | None = None

    @property
    def lr(self):
        return self.hyper["lr"]

    def with_hyper(self, **values):
        """This racer with some hyperparameters changed."""
        return dataclasses.replace(self, hyper={**self.hyper, **values})

    def engine(self):
        """The engine's keywords for this racer: its hyperparameters and inner optimizer
        (its batch size is the scene's to resolve: ``Scene.batch_of``)."""
        return {"inner": self.inner, **self.hyper}

    def to_dict(self):
        out = {"name": self.name, "hyper": {k: plain(v) for k, v in self.hyper.items()}}
        out = {**out, "inner": self.inner} if self.inner else out
        return out if self.batch_size is None else {**out, "batch_size": self.batch_size}


@dataclass(frozen=True)
class Schedule:
    """The learning-rate schedule every racer follows: PyTorch's scheduler ``name`` and its
    keyword ``params`` (plus ``relative_lr`` for cyclic and one-cycle), and a linear
    warmup of ``warmup_steps`` steps before it."""

    name: str
    params: dict
    warmup_steps: int = 0

    def to_dict(self):
        params = {k: plain(v) for k, v in self.params.items()}
        return {"name": self.name, **params, "warmup_steps": self.warmup_steps}

    def engine(self, lr):
        """The engine's schedule for a racer whose lr is ``lr``: lists as tuples and, when
        the rates are relative (``relative_lr``), ``base_lr`` and ``max_lr`` times ``lr``
        (the engine's cyclic and one-cycle take absolute rates, as PyTorch's do)."""
        out = {"name": self.name, "warmup_steps": self.warmup_steps}
        out.update({k: tuple(v) if isinstance(v, list) else v for k, v in self.params.items()})
        if out.pop(RELATIVE, False):
            out.update({k: out[k] * lr for k in ("base_lr", "max_lr") if k in out})
        return out

    @property
    def sets_lr(self):
        """True for a schedule that sets the rates itself (cyclic, one-cycle)."""
        return schedules.spec(self.name).sets_lr


@dataclass(frozen=True)
class Scene:
    surface: SurfaceChoice
    racers: tuple
    schedule: Schedule
    start: tuple
    steps: int
    options: Options = Options()
    view: View = View()
    landscape: Landscape = Landscape()

    def replace(self, **values):
        return dataclasses.replace(self, **values)

    def engine(self, racer):
        """The engine's keywords (``optimizers.run``, ``run_batch``) for ``racer`` here:
        schedule, noise, clipping, the racer's batch size, the inner optimizer and the
        hyperparameters."""
        return {
            "schedule": self.schedule.engine(racer.lr),
            **self.options.engine(),
            "batch_size": self.batch_of(racer),
            **racer.engine(),
        }

    def batch_of(self, racer):
        """The mini-batch size ``racer`` runs with (None: the full batch): its own, else
        the scene's."""
        if racer.batch_size is None:
            return self.options.batch_size
        return None if racer.batch_size == FULL_BATCH else racer.batch_size

    @property
    def batches_differ(self):
        """True when the racers do not all run with the same batch size."""
        return len({self.batch_of(racer) for racer in self.racers}) > 1

    @property
    def chosen(self):
        """The racer of the landscape views."""
        return self.racers[self.landscape.racer - 1]

    def to_dict(self):
        """The scene as JSON-able data (the preset files' form)."""
        return {
            "surface": self.surface.to_dict(),
            "optimizers": [racer.to_dict() for racer in self.racers],
            "schedule": self.schedule.to_dict(),
            "start": list(self.start),
            "steps": self.steps,
            "options": self.options.to_dict(),
            "view": self.view.to_dict(),
            "landscape": self.landscape.to_dict(),
        }

    def key(self, *parts):
        """A canonical string of the scene's ``parts`` (field names; all by default): equal
        settings give equal keys, for caching."""
        data = self.to_dict()
        names = {f.name: f.name for f in fields(self)} | {"racers": "optimizers"}
        chosen = {names[p]: data[names[p]] for p in parts} if parts else data
        return json.dumps(chosen, sort_keys=True, separators=(",", ":"))


def plain(value):
    """A JSON-friendly copy: tuples as lists, NumPy scalars as Python numbers."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value
