"""Losses of models fitted to data, in the model's two weights: least squares for a line,
logistic regression for two classes.

Each is a mean over the samples packed in the parameter array (``surfaces._samples``), so
the same formulas give the loss of the whole dataset or of one mini-batch.
"""

import math

import numpy as np

from parameters import Param

from . import _samples, datasets
from ._jit import inner
from .definition import SurfaceDef

SEED = Param("seed", 0, "the seed the dataset is generated from", low=0, high=2**31 - 1, kind="int")


def points_param(default, high):
    """The number of samples (``high`` keeps a 300 x 300 contour grid within seconds)."""
    return Param(
        "points", default, "samples in the dataset", low=2, high=high, kind="int", log=True
    )


# ---------------------------------------------------------------- the shared formulas
#
# Both surfaces are linear models in two weights: sample i is a row (u_i, v_i, y_i), the
# model's output o_i = w1 u_i + w2 v_i (for a line u = x and v = 1, so (w1, w2) = (w, b))
# and f = mean_i loss(o_i, y_i) + l2/2 (w1^2 + w2^2). The chain rule gives
#     grad f = mean_i loss'(o_i) (u_i, v_i) + l2 w,
#     Hess f = mean_i loss''(o_i) (u_i, v_i)(u_i, v_i)^T + l2 I,
# with loss' and loss'' its derivatives in o. The header holds (loss kind, l2).

SQUARED, LOGISTIC = 0.0, 1.0  # loss kinds: (o - y)^2, and log(1 + e^o) - y o
_KIND, _L2 = _samples.CONSTANTS, _samples.CONSTANTS + 1


@inner
def _softplus(o):
    """log(1 + e^o) without overflow."""
    return max(o, 0.0) + math.log1p(math.exp(-abs(o)))


@inner
def _sigmoid(o):
    if o >= 0.0:
        return 1.0 / (1.0 + math.exp(-o))
    e = math.exp(o)
    return e / (1.0 + e)


@inner
def loss(kind, o, y):
    """The loss of output ``o`` for target ``y``."""
    if kind == SQUARED:
        return (o - y) * (o - y)
    return _softplus(o) - y * o


@inner
def slope(kind, o, y):
    """d loss / d o."""
    if kind == SQUARED:
        return 2.0 * (o - y)
    return _sigmoid(o) - y


@inner
def curvature(kind, o):
    """d^2 loss / d o^2."""
    if kind == SQUARED:
        return 2.0
    s = _sigmoid(o)
    return s * (1.0 - s)


@inner
def linear_value(p, w1, w2):
    n, width, first = _samples.layout(p)
    kind = p[_KIND]
    total = 0.0
    for k in range(first, first + n * width, width):
        total += loss(kind, w1 * p[k] + w2 * p[k + 1], p[k + 2])
    return total / n + 0.5 * p[_L2] * (w1 * w1 + w2 * w2)


@inner
def linear_grad(p, w1, w2):
    n, width, first = _samples.layout(p)
    kind = p[_KIND]
    g1 = g2 = 0.0
    for k in range(first, first + n * width, width):
        r = slope(kind, w1 * p[k] + w2 * p[k + 1], p[k + 2])
        g1 += r * p[k]
        g2 += r * p[k + 1]
    return g1 / n + p[_L2] * w1, g2 / n + p[_L2] * w2


@inner
def linear_hessian(p, w1, w2):
    n, width, first = _samples.layout(p)
    kind = p[_KIND]
    h11 = h12 = h22 = 0.0
    for k in range(first, first + n * width, width):
        u, v = p[k], p[k + 1]
        c = curvature(kind, w1 * u + w2 * v)
        h11 += c * u * u
        h12 += c * u * v
        h22 += c * v * v
    return h11 / n + p[_L2], h12 / n, h22 / n + p[_L2]


# ---------------------------------------------------------------- least squares


def _line_data(points, noise, true_w, true_b, outliers, x_center, x_spread, seed):
    return datasets.line_points(points, noise, true_w, true_b, outliers, seed, x_center, x_spread)


def _line_kernel_params(**params):
    data = _line_data(**params)
    rows = np.column_stack([data["x"], np.ones_like(data["x"]), data["y"]])
    return _samples.pack((SQUARED, 0.0), rows)


def _least_squares(**params):
    """The minimum in closed form: the least-squares solution of [x 1] (w, b) = y."""
    data = _line_data(**params)
    design = np.column_stack([data["x"], np.ones_like(data["x"])])
    solution = np.linalg.lstsq(design, data["y"], rcond=None)[0]
    return [tuple(solution)]


LINREG_HALF_WIDTH = 5.0  # the domain: true (w, b) plus or minus this


def _line_domain(true_w, true_b, **_):
    h = LINREG_HALF_WIDTH
    return ((true_w - h, true_w + h), (true_b - h, true_b + h))


def linear_model(**declaration):
    """The SurfaceDef of a linear model in two weights (the formulas above)."""
    return SurfaceDef(
        value=linear_value, gradient=linear_grad, hessian=linear_hessian, **declaration
    )


LINREG = linear_model(
    name="linreg",
    title="Fit a line (least squares)",
    params={
        "points": points_param(100, 5000),
        "noise": Param("noise", 0.5, "standard deviation of the noise on y", low=0.0, high=5.0),
        "true_w": Param("true_w", 2.0, "slope of the line the data come from", low=-5.0, high=5.0),
        "true_b": Param("true_b", -1.0, "intercept of that line", low=-5.0, high=5.0),
        "outliers": Param(
            "outliers", 0.0, "share of samples moved 5 to 10 off the line", low=0.0, high=0.5
        ),
        "x_center": Param(
            "x_center",
            0.0,
            "mean of x: away from 0 the valley tilts and thins",
            low=-10.0,
            high=10.0,
        ),
        "x_spread": Param(
            "x_spread",
            1.0,
            "standard deviation of x: away from 1 the valley stretches",
            low=0.01,
            high=10.0,
            log=True,
        ),
        "seed": SEED,
    },
    kernel_params=_line_kernel_params,
    cost=lambda points, **_: 1.0 + 0.3 * points,  # measured: 29 for 100 samples
    data=_line_data,
    latex=r"f(w, b) = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} (w x_i + b - y_i)^2,\ "
    r"n = {points}",
    domain=_line_domain,
    minima=_least_squares,
    f_min=None,
    saddles=(),
    default_start=lambda true_w, true_b, **_: (true_w - 4.0, true_b + 3.5),
    note="Mean squared error of the line y = w x + b (PyTorch's MSELoss): a quadratic bowl "
    "whose curvatures are 2 E[x^2] along w and 2 along b, coupled by 2 E[x]. Move the x "
    "centre away from 0, or their spread away from 1, and the bowl becomes a long thin "
    "valley: the reason features are standardised.",
)


# ---------------------------------------------------------------- logistic regression


def _class_data(points, separation, l2, seed):
    return datasets.gaussian_classes(points, separation, seed)


def _class_kernel_params(l2, **params):
    return _samples.pack((LOGISTIC, l2), datasets.rows(_class_data(l2=l2, **params)))


LOGREG = linear_model(
    name="logreg",
    title="Logistic regression",
    params={
        "points": points_param(200, 2000),
        "separation": Param(
            "separation", 2.0, "distance between the two class means", low=0.0, high=6.0
        ),
        "l2": Param(
            "l2", 0.0, "L2 penalty l2/2 |w|^2 (PyTorch's weight_decay = l2)", low=0.0, high=1.0
        ),
        "seed": SEED,
    },
    kernel_params=_class_kernel_params,
    cost=lambda points, **_: 1.0 + 2.5 * points,  # measured: 230 for 100 samples (exp, log)
    data=_class_data,
    latex=r"f(w_1, w_2) = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} \left[\log(1 + e^{{o_i}}) - "
    r"y_i o_i\right] + \frac{{{l2:g}}}{{2}}(w_1^2 + w_2^2),\ o_i = w_1 x_{{i1}} + w_2 x_{{i2}}",
    domain=((-6.0, 6.0), (-6.0, 6.0)),
    minima=((0.0, 0.0),),  # Newton's method from here (the loss is convex)
    refine_minima=True,
    f_min=None,
    saddles=(),
    default_start=(-4.5, 4.5),
    note="Binary cross-entropy with logits (PyTorch's BCEWithLogitsLoss) of a linear "
    "classifier without bias on two overlapping Gaussian classes: convex, flat far out "
    "where the model is confidently wrong or right. Without L2 and with classes a line "
    "through the origin separates, the loss keeps falling towards 0 as |w| grows: no "
    "minimum (none is listed then).",
)
