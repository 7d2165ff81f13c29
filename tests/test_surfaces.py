"""The surfaces catalogue: names, errors, declared facts, and the hand-written derivatives.

The declared facts (minima, f_min, saddles) are checked against the formulas themselves,
the derivatives against finite differences and against sympy differentiating an
independent transcription of each textbook formula.
"""

import math
import re

import numpy as np
import pytest
import sympy as sp

import surfaces

NAMES = [
    "rosenbrock",
    "beale",
    "himmelblau",
    "booth",
    "matyas",
    "three_hump_camel",
    "six_hump_camel",
    "goldstein_price",
    "styblinski_tang",
    "levi13",
    "mccormick",
    "rastrigin",
    "ackley",
    "easom",
    "quadratic",
    "saddle",
    "monkey_saddle",
]
DATA_NAMES = ["linreg", "logreg", "mlp_slice"]  # surfaces made from data (more in tests/test_data_surfaces.py)

# Every surface with its defaults, plus non-default parameters where there are any.
CASES = [(name, {}) for name in NAMES] + [
    ("rosenbrock", {"a": -1.2, "b": 7.5}),
    ("rosenbrock", {"a": 1.5, "b": 1000.0}),
    ("quadratic", {"condition": 250.0, "angle": 30.0}),
    ("quadratic", {"condition": 1.0, "angle": -90.0}),
]
DATA_CASES = [(name, {}) for name in DATA_NAMES] + [
    ("linreg", {"x_center": 5.0, "x_spread": 0.3, "outliers": 0.2, "seed": 3}),
    ("logreg", {"separation": 4.0, "l2": 0.1, "points": 50}),
    ("mlp_slice", {"points": 40, "noise": 0.3, "hidden": 6, "seed": 1}),
]


def _case_ids(cases):
    return [name + "".join(f"-{k}={v:g}" for k, v in params.items()) for name, params in cases]


DEGENERATE_SADDLES = {"monkey_saddle"}  # gradient and Hessian both vanish at the saddle

X, Y = sp.symbols("x y", real=True)
PI = sp.pi


# Each formula as the literature writes it (not as the kernels factor it), for sympy.
TEXTBOOK = {
    "rosenbrock": lambda x, y, a, b: (a - x) ** 2 + b * (y - x**2) ** 2,
    "beale": lambda x, y: (
        (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    ),
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "matyas": lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y,
    "three_hump_camel": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "six_hump_camel": lambda x, y: (
        (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2
    ),
    "goldstein_price": lambda x, y: (
        (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
        * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2))
    ),
    "styblinski_tang": lambda x, y: sum((t**4 - 16 * t**2 + 5 * t) / 2 for t in (x, y)),
    "levi13": lambda x, y: (
        sp.sin(3 * PI * x) ** 2
        + (x - 1) ** 2 * (1 + sp.sin(3 * PI * y) ** 2)
        + (y - 1) ** 2 * (1 + sp.sin(2 * PI * y) ** 2)
    ),
    "mccormick": lambda x, y: sp.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1,
    "rastrigin": lambda x, y: 20 + sum(t**2 - 10 * sp.cos(2 * PI * t) for t in (x, y)),
    "ackley": lambda x, y: (
        -20 * sp.exp(-0.2 * sp.sqrt((x**2 + y**2) / 2))
        - sp.exp((sp.cos(2 * PI * x) + sp.cos(2 * PI * y)) / 2)
        + sp.E
        + 20
    ),
    "easom": lambda x, y: -sp.cos(x) * sp.cos(y) * sp.exp(-((x - PI) ** 2) - (y - PI) ** 2),
    # curvature 1 along the direction `angle` (degrees), `condition` across it
    "quadratic": lambda x, y, condition, angle: (
        (
            (sp.cos(angle * PI / 180) * x + sp.sin(angle * PI / 180) * y) ** 2
            + condition * (-sp.sin(angle * PI / 180) * x + sp.cos(angle * PI / 180) * y) ** 2
        )
        / 2
    ),
    "saddle": lambda x, y: x**2 - y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
}


def _inside(point, box):
    (x0, x1), (y0, y1) = box
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def _samples(surf, n, seed):
    """n random points in the domain and n in the view (they differ for the wide domains)."""
    rng = np.random.default_rng(seed)
    boxes = [surf.domain, surf.view]
    pts = [rng.uniform([b[0][0], b[1][0]], [b[0][1], b[1][1]], size=(n, 2)) for b in boxes]
    xy = np.concatenate(pts)
    return xy[:, 0], xy[:, 1]


def _grid(box, n):
    (x0, x1), (y0, y1) = box
    return np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n), indexing="ij")


def _assert_close(actual, expected, rtol, atol, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
    worst = np.unravel_index(np.argmax(excess), excess.shape)
    assert excess[worst] <= 0, f"{what}: {actual[worst]!r} vs {expected[worst]!r} at {worst}"


def _grad_array(surf, x, y):
    return np.stack(surf.grad(x, y), axis=-1)


# ---------------------------------------------------------------- catalogue and errors


def test_names_are_the_catalogue_in_order():
    assert surfaces.names() == NAMES + DATA_NAMES
    assert NAMES == list(TEXTBOOK)


@pytest.mark.parametrize("name", NAMES + DATA_NAMES)
def test_get_builds_each_surface(name):
    surf = surfaces.get(name)
    assert isinstance(surf, surfaces.Surface)
    assert surf.name == name
    assert surf.title and surf.latex.startswith("f") and surf.note
    assert surfaces.get(surf) is surf
    assert list(surf.params) == list(surfaces.parameters(name))
    assert surfaces.title(name) == surf.title


def test_ids_follow_the_catalogue_order():
    names = NAMES + DATA_NAMES
    assert [surfaces.get(name).sid for name in names] == list(range(len(names)))


def test_every_surface_id_is_unique_and_dispatched():
    """Ids are the catalogue's positions (the typed formula's next), and each id reaches
    its own surface's formulas; an unknown id gives NaN."""
    from surfaces import _dispatch

    ids = [entry[0] for entry in _dispatch.FORMULAS]
    assert ids == list(_dispatch.IDS) == list(range(len(_dispatch.DEFINITIONS) + 1))
    assert _dispatch.EXPRESSION == len(_dispatch.DEFINITIONS)
    xs, ys = np.array([0.3, -1.2, 2.1]), np.array([0.7, 0.4, -0.9])
    evaluators = (_dispatch.values_many, _dispatch.gradients_many, _dispatch.hessians_many)
    for sid, definition in enumerate(_dispatch.DEFINITIONS):
        p = surfaces.get(definition.name).kernel_params
        formulas = (definition.value, definition.gradient, definition.hessian)
        for many, formula in zip(evaluators, formulas, strict=True):
            expected = np.array([formula.py_func(p, x, y) for x, y in zip(xs, ys, strict=True)])
            out = np.empty((xs.size, 3))
            many(sid, p, xs, ys, out)
            width = 1 if expected.ndim == 1 else expected.shape[1]
            np.testing.assert_allclose(
                out[:, :width], expected.reshape(xs.size, width), rtol=1e-13, atol=1e-300
            )
    for unknown in (-1, _dispatch.EXPRESSION + 1):
        for many in evaluators:
            out = np.zeros((xs.size, 3))
            many(unknown, np.zeros(1), xs, ys, out)
            width = 1 if many is _dispatch.values_many else 2 if many is evaluators[1] else 3
            assert np.isnan(out[:, :width]).all() and (out[:, width:] == 0).all()


def test_parameters_are_applied():
    surf = surfaces.get("rosenbrock", a=-1.2, b=7.5)
    assert surf.params == {"a": -1.2, "b": 7.5}
    assert surf.minima == ((-1.2, 1.44),)
    assert surf.latex == r"f(x, y) = (-1.2 - x)^2 + 7.5\,(y - x^2)^2"
    assert surf.f(0.0, 0.0) == pytest.approx(1.44)
    condition, angle = surfaces.parameters("quadratic").values()
    assert (condition.name, condition.default, condition.low, condition.high) == (
        "condition",
        10.0,
        1.0,
        1e4,
    )
    assert (angle.name, angle.default, angle.low, angle.high) == ("angle", 0.0, -90.0, 90.0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: surfaces.get("nope"), "unknown surface 'nope'; allowed: rosenbrock, beale, "),
        (lambda: surfaces.parameters("nope"), "unknown surface 'nope'; allowed: rosenbrock, "),
        (lambda: surfaces.title("nope"), "unknown surface 'nope'; allowed: rosenbrock, "),
        (
            lambda: surfaces.get("rosenbrock", c=1.0),
            "surface 'rosenbrock' has no parameter 'c' (given c=1.0); allowed: a, b",
        ),
        (
            lambda: surfaces.get("easom", a=1.0),
            "surface 'easom' has no parameter 'a' (given a=1.0); allowed: none",
        ),
        (
            lambda: surfaces.get("rosenbrock", b=5000),
            "surface 'rosenbrock': b=5000 is out of range; allowed: a number, 0.1 <= b <= 1000",
        ),
        (
            lambda: surfaces.get("rosenbrock", a=float("nan")),
            "surface 'rosenbrock': a=nan is not a finite number; allowed: a number, -1.5 <= a <= 1.5",
        ),
        (
            lambda: surfaces.get("quadratic", angle="steep"),
            "surface 'quadratic': angle='steep' is not a finite number; allowed: a number, "
            "-90 <= angle <= 90",
        ),
        (
            lambda: surfaces.get("quadratic", condition=None),
            "surface 'quadratic': condition=None is not a finite number; allowed: a number, "
            "1 <= condition <= 10000",
        ),
        (
            lambda: surfaces.get(surfaces.get("rosenbrock"), a=1.0),
            "surface parameters go with a surface name",
        ),
    ],
)
def test_bad_requests_raise_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# ---------------------------------------------------------------- declared facts


@pytest.fixture(params=CASES + DATA_CASES, ids=_case_ids(CASES + DATA_CASES))
def surf(request):
    name, params = request.param
    return surfaces.get(name, **params)


@pytest.fixture(params=CASES, ids=_case_ids(CASES))
def analytic(request):
    """The analytic surfaces only (they have a textbook formula)."""
    name, params = request.param
    return surfaces.get(name, **params)


def test_boxes_contain_everything_declared(surf):
    (x0, x1), (y0, y1) = surf.domain
    (vx0, vx1), (vy0, vy1) = surf.view
    assert x0 < x1 and y0 < y1
    assert x0 <= vx0 < vx1 <= x1 and y0 <= vy0 < vy1 <= y1
    for point in surf.minima + surf.saddles + (surf.default_start,):
        assert _inside(point, surf.view), point


def test_view_defaults_to_the_domain():
    assert surfaces.get("rosenbrock").view == surfaces.get("rosenbrock").domain
    easom = surfaces.get("easom")
    assert easom.domain == ((-100.0, 100.0), (-100.0, 100.0))
    assert easom.view == ((-1.0, 7.0), (-1.0, 7.0))


def test_default_start_is_somewhere_to_go_from(surf):
    span = min(hi - lo for lo, hi in surf.view)
    for minimum in surf.minima:
        assert math.dist(surf.default_start, minimum) > 0.05 * span
    assert surf.f(*surf.default_start) > surf.f_min
    assert np.hypot(*surf.grad(*surf.default_start)) > 1e-6


def test_f_min_is_attained_at_every_listed_minimum(surf):
    if surf.name in ("saddle", "monkey_saddle"):
        assert surf.minima == () and surf.f_min == -math.inf
        return
    assert surf.minima and math.isfinite(surf.f_min)
    for minimum in surf.minima:
        assert surf.f(*minimum) == pytest.approx(surf.f_min, rel=1e-14, abs=1e-14)


def test_minima_are_strict_critical_points(surf):
    for minimum in surf.minima:
        hess = surf.hessian(*minimum)
        eig = np.linalg.eigvalsh(hess)
        assert np.hypot(*surf.grad(*minimum)) <= 1e-10 * (1.0 + eig.max()), minimum
        assert eig.min() > 1e-6 * eig.max(), (minimum, eig)


def test_saddles_are_saddles(surf):
    for saddle in surf.saddles:
        eig = np.linalg.eigvalsh(surf.hessian(*saddle))
        assert np.hypot(*surf.grad(*saddle)) <= 1e-10 * (1.0 + np.abs(eig).max()), saddle
        if surf.name in DEGENERATE_SADDLES:
            np.testing.assert_array_equal(eig, 0.0)
        else:
            assert eig.min() < 0.0 < eig.max(), (saddle, eig)
        # f goes both up and down on a small circle around it
        theta = np.linspace(0.0, 2.0 * np.pi, 64, endpoint=False)
        ring = surf.f(saddle[0] + 1e-3 * np.cos(theta), saddle[1] + 1e-3 * np.sin(theta))
        assert ring.min() < surf.f(*saddle) < ring.max(), saddle


def test_nothing_in_the_domain_is_below_f_min(surf):
    for box in (surf.domain, surf.view):
        values = surf.f(*_grid(box, 400))
        assert np.all(np.isfinite(values))
        assert values.min() >= surf.f_min - 1e-12 * (1.0 + abs(surf.f_min))


def _newton_polish(surf, x, y, steps=30):
    """Newton's method on grad f = 0 from many points at once (nan where it breaks down)."""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            gx, gy = surf.grad(x, y)
            h = surf.hessian(x, y)
            fxx, fxy, fyy = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
            det = fxx * fyy - fxy * fxy
            x, y = x - (fyy * gx - fxy * gy) / det, y - (fxx * gy - fxy * gx) / det
    return x, y


def _grid_local_minima(surf, box, n=401):
    """Grid points lower than their eight neighbours."""
    gx, gy = _grid(box, n)
    f = surf.f(gx, gy)
    inner = (slice(1, -1), slice(1, -1))
    lower = np.ones((n - 2, n - 2), dtype=bool)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if dx or dy:
                lower &= f[inner] < f[1 + dx : n - 1 + dx, 1 + dy : n - 1 + dy]
    return gx[inner][lower], gy[inner][lower]


def test_every_global_minimum_is_listed(surf):
    """Newton-polish the grid's local minima: those reaching f_min are exactly the listed ones."""
    found = []
    for box in (surf.domain, surf.view):
        x, y = _newton_polish(surf, *_grid_local_minima(surf, box))
        for point in zip(x, y, strict=True):
            if _inside(point, surf.domain) and abs(surf.f(*point) - surf.f_min) <= 1e-9:
                assert min(math.dist(point, m) for m in surf.minima) < 1e-6, point
                found.append(point)
    if surf.name != "ackley":  # Newton cannot converge on Ackley's cone tip
        for minimum in surf.minima:
            assert min(math.dist(minimum, p) for p in found) < 1e-6, minimum


# ---------------------------------------------------------------- derivatives


def test_gradient_matches_central_differences(surf):
    x, y = _samples(surf, 100, seed=1)
    h = 1e-5
    fd = np.stack(
        [
            (surf.f(x + h, y) - surf.f(x - h, y)) / (2 * h),
            (surf.f(x, y + h) - surf.f(x, y - h)) / (2 * h),
        ],
        axis=-1,
    )
    scale = 1.0 + np.abs(surf.f(x, y))[:, None]
    _assert_close(_grad_array(surf, x, y), fd, rtol=1e-5, atol=1e-7 * scale, what="gradient")


def test_hessian_matches_central_differences_of_the_gradient(surf):
    x, y = _samples(surf, 100, seed=2)
    h = 1e-5
    fd = np.stack(
        [
            (_grad_array(surf, x + h, y) - _grad_array(surf, x - h, y)) / (2 * h),
            (_grad_array(surf, x, y + h) - _grad_array(surf, x, y - h)) / (2 * h),
        ],
        axis=-2,
    )
    hess = surf.hessian(x, y)
    np.testing.assert_array_equal(hess[..., 0, 1], hess[..., 1, 0])
    scale = 1.0 + np.abs(_grad_array(surf, x, y)).max(axis=-1)[:, None, None]
    _assert_close(hess, fd, rtol=1e-5, atol=1e-7 * scale, what="hessian")


def test_formulas_match_sympy_on_the_textbook_formula(analytic):
    surf = analytic
    x, y = _samples(surf, 25, seed=3)

    def exact(expr):  # sympy's expression evaluated at the samples
        return np.broadcast_to(sp.lambdify((X, Y), expr, "numpy")(x, y), x.shape).astype(float)

    expr = TEXTBOOK[surf.name](X, Y, **surf.params)
    grad = [sp.diff(expr, v) for v in (X, Y)]
    for what, ours, reference in [
        ("f", surf.f(x, y), exact(expr)),
        ("gradient", _grad_array(surf, x, y), np.stack([exact(g) for g in grad], -1)),
        (
            "hessian",
            surf.hessian(x, y),
            np.stack([np.stack([exact(sp.diff(g, v)) for v in (X, Y)], -1) for g in grad], -2),
        ),
    ]:
        atol = 1e-10 * (1.0 + np.abs(reference).max())
        _assert_close(ours, reference, 1e-9, atol, f"{surf.name} {what}")


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("name", NAMES + DATA_NAMES)
def test_broadcasting_and_scalars(name):
    surf = surfaces.get(name)
    xs = np.linspace(-1.0, 1.0, 3)[:, None]
    ys = np.linspace(-0.5, 0.5, 4)[None, :]
    assert surf.f(xs, ys).shape == (3, 4)
    gx, gy = surf.grad(xs, ys)
    assert gx.shape == gy.shape == (3, 4)
    assert surf.hessian(xs, ys).shape == (3, 4, 2, 2)
    assert isinstance(surf.f(0.25, -0.5), float)
    assert all(isinstance(g, float) for g in surf.grad(0.25, -0.5))
    assert surf.hessian(0.25, -0.5).shape == (2, 2)
    assert surf.f(xs, ys)[2, 1] == surf.f(1.0, ys[0, 1])
