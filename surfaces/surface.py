"""The Surface type: a test function with its derivatives and everything known about it."""

from dataclasses import dataclass, replace

import numpy as np

from . import _dispatch, analysis


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2D test function ready to use.

    ``f``, ``grad`` and ``hessian`` accept scalars or broadcastable arrays (contour grids)
    and run the same compiled formulas the optimizer kernels use. ``domain`` is the
    standard search box, ``view`` the box worth plotting (inside it, often equal).
    ``expression`` is the canonical text of a typed formula (None for the built-ins):
    ``surfaces.from_expression(s.expression, s.domain)`` rebuilds ``s``.
    ``data`` is the dataset of a surface made from data, ``{column: array}`` with one
    entry per sample (read-only), and None for the analytic surfaces. ``cost`` is the
    cost of one evaluation of f and its gradient in steps of Adam on Rosenbrock (1 for the
    analytic surfaces; it grows with the samples of a surface made from data).
    """

    name: str
    title: str
    sid: int
    kernel_params: np.ndarray
    params: dict
    latex: str
    domain: tuple
    view: tuple
    minima: tuple
    f_min: float
    saddles: tuple
    default_start: tuple
    note: str
    expression: str | None = None
    data: dict | None = None
    cost: float = 1.0

    def f(self, x, y):
        """f(x, y): a float for scalars, an array of the broadcast shape otherwise."""
        out = self._evaluate(_dispatch.values_kernel(self.sid), 1, x, y)[..., 0]
        return float(out) if out.ndim == 0 else out

    def grad(self, x, y):
        """Analytic gradient ``(df/dx, df/dy)``: floats, or arrays of the broadcast shape."""
        out = self._evaluate(_dispatch.gradients_many, 2, x, y)
        if out.ndim == 1:
            return float(out[0]), float(out[1])
        return out[..., 0], out[..., 1]

    def hessian(self, x, y):
        """Analytic Hessian ``[[fxx, fxy], [fxy, fyy]]`` with shape ``(..., 2, 2)``."""
        out = self._evaluate(_dispatch.hessians_many, 3, x, y)
        fxx, fxy, fyy = out[..., 0], out[..., 1], out[..., 2]
        return np.stack([np.stack([fxx, fxy], -1), np.stack([fxy, fyy], -1)], -2)

    def _evaluate(self, many, width, x, y):
        """Run a compiled evaluator over the broadcast inputs; shape ``(..., width)``."""
        xb, yb = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        xs = np.ascontiguousarray(xb).ravel()
        ys = np.ascontiguousarray(yb).ravel()
        out = np.empty((xs.size, width))
        many(self.sid, self.kernel_params, xs, ys, out)
        return out.reshape(xb.shape + (width,))

    def __repr__(self):
        if self.expression is not None:
            return f"Surface({self.name}: {self.expression}, domain={self.domain})"
        shown = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"Surface({self.name}{', ' + shown if shown else ''})"


def checked_params(definition, overrides):
    """Every parameter of the declaration, ``overrides`` checked against their ranges and
    the others at their defaults."""
    unknown = sorted(set(overrides) - set(definition.params))
    if unknown:
        allowed = ", ".join(definition.params) or "none"
        raise ValueError(
            f"surface {definition.name!r} has no parameter {unknown[0]!r} "
            f"(given {unknown[0]}={overrides[unknown[0]]!r}); allowed: {allowed}"
        )
    owner = f"surface {definition.name!r}"
    return {
        name: param.check(overrides.get(name, param.default), owner)
        for name, param in definition.params.items()
    }


def build(definition, sid, params):
    """A Surface from its declaration and its checked ``params`` (``checked_params``)."""

    def resolve(item):
        return item(**params) if callable(item) else item

    numbers = definition.kernel_params(**params) if definition.kernel_params else params.values()
    domain = tuple(tuple(map(float, side)) for side in resolve(definition.domain))
    surface = Surface(
        name=definition.name,
        title=definition.title,
        sid=sid,
        kernel_params=np.array(list(numbers) or [0.0], dtype=float),
        params=params,
        latex=definition.latex.format(**params),
        domain=domain,
        view=definition.view or domain,
        minima=tuple(tuple(map(float, m)) for m in resolve(definition.minima)),
        f_min=0.0 if definition.f_min is None else float(resolve(definition.f_min)),
        saddles=tuple(tuple(map(float, s)) for s in resolve(definition.saddles)),
        default_start=tuple(map(float, resolve(definition.default_start))),
        note=definition.note,
        data=None if definition.data is None else definition.data(**params),
        cost=float(resolve(definition.cost)),
    )
    if definition.refine_minima:
        found = analysis.refine_minima(surface, surface.minima, surface.domain)
        surface = replace(surface, minima=tuple(found))
    if definition.f_min is None and surface.minima:
        surface = replace(surface, f_min=min(surface.f(*m) for m in surface.minima))
    return surface
