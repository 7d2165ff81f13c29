"""What a surface looks like in a box: minima, saddles, a start, found numerically (for
typed formulas, which list none, and for the local minima of basin maps).

1. f and its gradient on a ``GRID`` x ``GRID`` grid over the box.
2. Candidates: the cells no higher than their 8 neighbours (for minima) and the cells
   where |grad f| is no higher than around them (for saddles), the lowest first, at
   most ``CANDIDATES`` (or as asked) of each kind, at least 3 cells apart.
3. Refinement with the exact gradient and Hessian, every candidate at once: for minima,
   Newton's method on |H| (the Hessian with its eigenvalues made positive, so every step
   goes downhill), halving steps until f decreases enough; for saddles, Newton steps on
   grad f = 0, halved until |grad f| decreases (plain Newton steps can cycle). Steps are
   capped to a tenth of the box; a point stops when its step is negligible.
4. A refined point counts when it stays in the box, Newton has converged there (the next
   Newton step would be shorter than ``CONVERGED`` of the box's diagonal: a measure that
   does not depend on the scale of f), and its Hessian is positive semidefinite (a
   minimum) or has eigenvalues of both signs (a saddle). At a kink (abs, min, max) the
   gradient never vanishes: a point where f is lower at none of 8 points around it, a
   millionth of the diagonal away, is a minimum too. Points closer than ``SAME_POINT``
   of the diagonal are one point.

The global minima are the minima within ``VALUE_TOLERANCE`` of the lowest, relative to
the larger of 1, |f_min| and the 10th percentile of f - f_min on the grid (the scale of f
near its minima, whatever it does far away). A formula whose minimum is reached along a curve (x^2 has a
line of minima) gives many points: at most ``MAX_SHOWN`` of them are kept, spread out.
"""

import math
from dataclasses import dataclass

import numpy as np

GRID = 201
CANDIDATES = 48
NEWTON_STEPS = 60
CONVERGED = 1e-9
VALUE_TOLERANCE = 1e-9
SAME_POINT = 1e-4
MAX_SHOWN = 8


@dataclass(frozen=True)
class Landscape:
    """What the search found in a box.

    ``minima`` are the global minima (at most ``MAX_SHOWN``; ``more_minima`` when the
    minimum value is reached at more points), ``f_min`` their value (-inf when no minimum
    was found), ``local_minima`` every minimum found, lowest first, ``saddles`` the
    nondegenerate saddle points found. ``lowest_on_grid`` is the lowest finite grid value
    (below ``f_min`` when f falls toward the edge of the box), ``highest_point`` the grid
    point where f is highest and finite, and ``undefined`` the fraction of the grid where
    f is not finite.
    """

    minima: tuple
    f_min: float
    local_minima: tuple
    more_minima: bool
    saddles: tuple
    lowest_on_grid: float
    highest_point: tuple
    undefined: float


def explore(surface, box, size=GRID, candidates=CANDIDATES):
    """The Landscape of ``surface`` (anything with vectorised f, grad, hessian) in ``box``,
    refining at most ``candidates`` candidate minima (and as many saddles).

    Raises ValueError when f has no finite value on the grid.
    """
    with np.errstate(all="ignore"):  # NaN and inf are expected where f is undefined
        return _explore(surface, box, size, candidates)


def _explore(surface, box, size, candidates):
    (x0, x1), (y0, y1) = box
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = surface.f(grid_x, grid_y)
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(
            f"formula has no finite value in the domain x in [{x0:g}, {x1:g}], "
            f"y in [{y0:g}, {y1:g}]"
        )
    gx, gy = surface.grad(grid_x, grid_y)
    slope = np.hypot(gx, gy)
    search = _Search(surface, box)

    def points(rows, cols):
        return np.column_stack([xs[cols], ys[rows]])

    minima = search.refine(points(*_candidates(values, candidates)), descend=True)
    minima = [p for p, kind in minima if kind == "minimum"]
    saddles = search.refine(points(*_candidates(slope, candidates)), descend=False)
    saddles = [p for p, kind in saddles if kind == "saddle"]

    local = _distinct(minima, surface, search.diagonal)
    lowest = float(np.min(values[finite]))
    if local:
        f_min = local[0][1]
        near = float(np.percentile(values[finite] - lowest, 10))
        best = [p for p, v in local if v <= f_min + VALUE_TOLERANCE * max(1, abs(f_min), near)]
    else:
        f_min, best = -math.inf, []
    shown = _spread(best, MAX_SHOWN)
    return Landscape(
        minima=tuple(shown),
        f_min=f_min,
        local_minima=tuple(p for p, _ in local),
        more_minima=len(best) > len(shown),
        saddles=tuple(
            _spread([p for p, _ in _distinct(saddles, surface, search.diagonal)], MAX_SHOWN)
        ),
        lowest_on_grid=lowest,
        highest_point=_highest(grid_x, grid_y, values),
        undefined=float(1.0 - finite.mean()),
    )


def refine_minima(surface, guesses, box):
    """The minima Newton's method reaches from ``guesses`` in ``box`` (step 3 above; the
    guesses that do not reach a minimum inside the box are dropped)."""
    if not guesses:
        return []
    with np.errstate(all="ignore"):
        found = _Search(surface, box).refine(np.asarray(guesses, dtype=float), descend=True)
    return [point for point, kind in found if kind == "minimum"]


def _highest(grid_x, grid_y, values):
    k = np.argmax(np.where(np.isfinite(values), values, -np.inf))
    return (float(grid_x.flat[k]), float(grid_y.flat[k]))


def default_start(surface, box, landscape):
    """A start worth racing from: on a ring at 70% of the way from the box's centre to its
    edge (else 50%, 90%, 30%, else anywhere on a 21 x 21 grid), the point farthest from
    every minimum (or, without minima, the highest; ties go to the higher), rounded to a
    thousandth of the box, where f and its gradient are finite and the gradient is not
    zero (else where they are finite: a formula flat around its minima; else where f
    is; else the landscape's highest grid point: f is finite on a thin strip only)."""
    with np.errstate(all="ignore"):
        return _default_start(surface, box, landscape.minima, landscape.highest_point)


def _default_start(surface, box, minima, fallback):
    (x0, x1), (y0, y1) = box
    width, height = x1 - x0, y1 - y0
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False) + 1.25 * np.pi  # lower left first
    places = [
        (
            _tidy((x0 + x1) / 2 + ring * width / 2 * np.cos(angles), width),
            _tidy((y0 + y1) / 2 + ring * height / 2 * np.sin(angles), height),
        )
        for ring in (0.7, 0.5, 0.9, 0.3)
    ]
    grid = np.meshgrid(np.linspace(x0, x1, 21), np.linspace(y0, y1, 21))
    places.append((_tidy(grid[0].ravel(), width), _tidy(grid[1].ravel(), height)))
    for need in ("slope", "gradient", "value"):
        for px, py in places:
            values = surface.f(px, py)
            gx, gy = surface.grad(px, py)
            usable = np.isfinite(values)
            if need != "value":
                usable &= np.isfinite(gx) & np.isfinite(gy)
            if need == "slope":
                usable &= np.hypot(gx, gy) > 0
            if usable.any():
                return _farthest(px, py, values, usable, minima, math.hypot(width, height))
    return fallback


def _farthest(px, py, values, usable, minima, diagonal):
    """The usable point farthest from the minima (to a millionth of the diagonal), the
    highest of those."""
    if minima:
        m = np.asarray(minima)
        distance = np.min(np.hypot(px[:, None] - m[:, 0], py[:, None] - m[:, 1]), axis=1)
        farther = np.round(distance / diagonal, 6)
    else:
        farther = np.zeros(len(px))
    order = np.lexsort((np.where(usable, values, -np.inf), np.where(usable, farther, -1.0)))
    return (float(px[order[-1]]), float(py[order[-1]]))


def _tidy(values, width):
    """``values`` rounded to about a thousandth of ``width`` (a start that reads well)."""
    step = 10.0 ** math.floor(math.log10(width / 1000))
    return np.round(np.round(values / step) * step, 12) + 0.0  # + 0.0: no -0.0


def _candidates(values, limit):
    """``(rows, cols)`` of the cells no higher than their 8 neighbours, lowest first, at
    most ``limit`` of them and at least 3 cells apart."""
    v = np.where(np.isfinite(values), values, np.inf)
    padded = np.pad(v, 1, constant_values=np.inf)
    n, m = v.shape
    low = np.isfinite(v)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                low &= v <= padded[1 + di : 1 + di + n, 1 + dj : 1 + dj + m]
    rows, cols = np.nonzero(low)
    order = np.argsort(v[rows, cols], kind="stable")
    taken = np.zeros((n, m), dtype=bool)
    kept = []
    for r, c in zip(rows[order], cols[order], strict=True):
        if not taken[r, c]:
            kept.append((r, c))
            taken[max(r - 2, 0) : r + 3, max(c - 2, 0) : c + 3] = True
            if len(kept) == limit:
                break
    kept = np.array(kept, dtype=int).reshape(-1, 2)
    return kept[:, 0], kept[:, 1]


class _Search:
    """Newton refinement of many points at once, in a box."""

    def __init__(self, surface, box):
        self.surface = surface
        (self.x0, self.x1), (self.y0, self.y1) = box
        self.diagonal = math.hypot(self.x1 - self.x0, self.y1 - self.y0)

    def refine(self, points, descend):
        """``[(point, kind)]`` for each point: kind is "minimum", "saddle" or None."""
        if len(points) == 0:
            return []
        p = points.astype(float).copy()
        moving = np.arange(len(p))  # the points still moving, and near the box
        scale = np.ones(len(p))  # the fraction of the Newton step last taken
        for _ in range(NEWTON_STEPS):
            q = p[moving]
            step = self._direction(q, descend)
            tried = np.minimum(1.0, 4.0 * scale[moving])  # a kink shrinks steps for good
            scale[moving] = self._line_search(q, step, descend, tried)
            step *= scale[moving, None]
            p[moving] = q + step
            moved = np.hypot(step[:, 0], step[:, 1]) > 1e-13 * self.diagonal
            moving = moving[moved & self._near_box(p[moving])]
            if moving.size == 0:
                break
        return [(tuple(map(float, q)), kind) for q, kind in zip(p, self._kinds(p), strict=True)]

    def _near_box(self, p):
        """True where ``p`` is inside the box widened by a tenth on every side."""
        wx, wy = 0.1 * (self.x1 - self.x0), 0.1 * (self.y1 - self.y0)
        return (
            (p[:, 0] >= self.x0 - wx)
            & (p[:, 0] <= self.x1 + wx)
            & (p[:, 1] >= self.y0 - wy)
            & (p[:, 1] <= self.y1 + wy)
        )

    def _direction(self, p, descend):
        """The Newton step at each point, capped to a tenth of the diagonal (0 where the
        step is not finite)."""
        gx, gy = self.surface.grad(p[:, 0], p[:, 1])
        low, high, (ux, uy), (vx, vy) = _eigen(self.surface.hessian(p[:, 0], p[:, 1]))
        floor = 1e-12 * np.maximum(np.abs(low), np.abs(high)) + 1e-300
        if descend:
            low, high = np.abs(low), np.abs(high)
        low = np.where(np.abs(low) < floor, np.copysign(floor, low), low)
        high = np.where(np.abs(high) < floor, np.copysign(floor, high), high)
        along_u = (ux * gx + uy * gy) / low
        along_v = (vx * gx + vy * gy) / high
        step = -np.column_stack([along_u * ux + along_v * vx, along_u * uy + along_v * vy])
        step[~np.isfinite(step).all(axis=1)] = 0.0
        length = np.hypot(step[:, 0], step[:, 1])
        cap = 0.1 * self.diagonal
        return step * np.minimum(1.0, cap / np.maximum(length, 1e-300))[:, None]

    def _merit(self, p, descend):
        """What a step must lower: f for minima, |grad f|^2 for other critical points."""
        if descend:
            return self.surface.f(p[:, 0], p[:, 1])
        gx, gy = self.surface.grad(p[:, 0], p[:, 1])
        return gx * gx + gy * gy

    def _line_search(self, p, step, descend, scale):
        """The fractions of ``step`` to take from ``scale`` on, halved until the merit
        decreases enough (Armijo's rule for f, any decrease for |grad f|^2); 0 where
        none above 2^-40 does for f (closing in on a kink) or 2^-20 for |grad f|^2 (a
        minimum of |grad f| that is not 0)."""
        smallest = 2.0 ** (-40 if descend else -20)
        start = self._merit(p, descend)
        if descend:
            gx, gy = self.surface.grad(p[:, 0], p[:, 1])
            slope = 1e-4 * (gx * step[:, 0] + gy * step[:, 1])
        else:
            slope = np.zeros(len(p))
        scale = scale.copy()
        pending = np.ones(len(p), dtype=bool)
        while pending.any():
            k = np.flatnonzero(pending)
            value = self._merit(p[k] + scale[k, None] * step[k], descend)
            pending[k[value <= start[k] + scale[k] * slope[k]]] = False
            scale[pending] /= 2
            stuck = pending & (scale < smallest)
            scale[stuck] = 0.0
            pending &= ~stuck
        return scale

    def _kinds(self, p):
        newton = self._direction(p, descend=False)
        low, high, _, _ = _eigen(self.surface.hessian(p[:, 0], p[:, 1]))
        values = self.surface.f(p[:, 0], p[:, 1])
        size = np.maximum(np.abs(low), np.abs(high))
        margin = 1e-9 * self.diagonal
        inside = (
            (p[:, 0] >= self.x0 - margin)
            & (p[:, 0] <= self.x1 + margin)
            & (p[:, 1] >= self.y0 - margin)
            & (p[:, 1] <= self.y1 + margin)
            & np.isfinite(values)
        )
        converged = np.hypot(newton[:, 0], newton[:, 1]) <= CONVERGED * self.diagonal
        gx, gy = self.surface.grad(p[:, 0], p[:, 1])
        critical = inside & converged & np.isfinite(gx + gy) & np.isfinite(size)
        minimum = critical & (low >= -1e-6 * size)
        saddle = critical & (low < -1e-6 * size) & (high > 1e-6 * size)
        # a kink (abs, min, max, a cone such as Ackley's tip) has no zero gradient: there,
        # a minimum is a point that no nearby point goes below
        minimum |= inside & ~critical & self._nothing_lower_around(p, values)
        return [
            "minimum" if m else "saddle" if s else None
            for m, s in zip(minimum, saddle, strict=True)
        ]

    def _nothing_lower_around(self, p, values):
        """True where f at 8 points a millionth of the diagonal away is not lower."""
        radius = 1e-6 * self.diagonal
        lowest = np.full(len(p), np.inf)
        for angle in np.linspace(0.0, 2 * np.pi, 8, endpoint=False):
            around = self.surface.f(
                p[:, 0] + radius * np.cos(angle), p[:, 1] + radius * np.sin(angle)
            )
            lowest = np.fmin(lowest, around)  # NaN (outside f's domain of definition) is not lower
        return lowest >= values


def _eigen(h):
    """Eigenvalues (low, high) and unit eigenvectors (u for low, v for high) of 2x2
    symmetric matrices ``h`` of shape (n, 2, 2)."""
    a, b, c = h[:, 0, 0], h[:, 0, 1], h[:, 1, 1]
    mean, radius = (a + c) / 2, np.hypot((a - c) / 2, b)
    angle = 0.5 * np.arctan2(2 * b, a - c)  # direction of the high eigenvector
    v = (np.cos(angle), np.sin(angle))
    u = (-v[1], v[0])
    return mean - radius, mean + radius, u, v


def _distinct(points, surface, diagonal):
    """``[(point, f)]``: the points, lowest f first, without near-duplicates."""
    if not points:
        return []
    p = np.array(points)
    values = surface.f(p[:, 0], p[:, 1])
    kept = []
    for k in np.argsort(values, kind="stable"):
        if all(math.dist(p[k], q) > SAME_POINT * diagonal for q, _ in kept):
            kept.append((tuple(map(float, p[k])), float(values[k])))
    return kept


def _spread(points, limit):
    """At most ``limit`` of ``points``: the first, then each time the one farthest from
    those kept (so a curve of minima is marked along its length)."""
    kept = list(points[:1])
    rest = list(points[1:])
    while rest and len(kept) < limit:
        far = max(range(len(rest)), key=lambda k: min(math.dist(rest[k], q) for q in kept))
        kept.append(rest.pop(far))
    return kept
