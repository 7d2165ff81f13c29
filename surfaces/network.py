"""The loss of a small neural network on a plane through its trained weights.

A 2-H-1 multilayer perceptron, o(x) = w2 . tanh(W1 x + b1) + c, is trained (full-batch
Adam, seeded, in NumPy, once per parameter set) on two moons with binary cross-entropy
with logits, to weights theta*. The surface is

    f(a, b) = L(theta* + a d1 + b d2),

L the mean BCE over the samples, d1 and d2 random directions normalised filter by filter
(Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): each neuron's incoming
weights in d get the norm they have in theta*, and biases get no direction. Along the
plane every pre-activation is linear in (a, b), z = z0 + a u + b v, as is each output
weight, so the exact derivatives follow by the chain rule (``_output``): grad f = mean
loss'(o) (o_a, o_b), Hess f = mean [loss''(o) (o_a, o_b)(o_a, o_b)^T + loss'(o) Hess o].

A weight vector is ``[W1 (H x 2, row-major), b1 (H), w2 (H), c]``, ``4H + 1`` numbers. The
parameter array (``surfaces._samples``) holds what the plane needs: constants ``[H, w2 of
theta*, d1, d2, then c of theta*, d1, d2]`` and a row per sample ``(z0 (H), u (H), v (H),
label)`` (``plane_features``): the first layer is applied once, when the surface is built,
so a point of the plane costs H tanh per sample (3x faster than from x).
"""

import math
from functools import lru_cache

import numpy as np

from parameters import Param

from . import _samples, datasets
from ._jit import inner
from .definition import SurfaceDef
from .regression import LOGISTIC, SEED, curvature, loss, points_param, slope

_HIDDEN = _samples.CONSTANTS  # H, then theta*, d1, d2 from the next index
TRAIN_STEPS = 3000
TRAIN_LR = 0.02


@inner
def _tanh(x):
    """tanh as 1 - 2 / (e^2x + 1): one exp and no branch (2.5x faster than libm's tanh
    here), within about 1e-16 of it (an absolute error, which is what the loss sees);
    e^2x overflowing to inf gives 1, as it should."""
    return 1.0 - 2.0 / (math.exp(2.0 * x) + 1.0)


@inner
def _output(p, k, a, b, order):
    """The output o at the sample of row ``k`` for theta* + a d1 + b d2 and, up to
    ``order`` (0, 1 or 2), its derivatives: ``(o, o_a, o_b, o_aa, o_ab, o_bb)``."""
    hidden = np.int64(p[_HIDDEN])
    w0, last = _HIDDEN + 1, _HIDDEN + 1 + 3 * hidden  # output weights, then c's
    o = p[last] + a * p[last + 1] + b * p[last + 2]
    oa, ob = p[last + 1], p[last + 2]
    oaa = oab = obb = 0.0
    for h in range(hidden):
        u, v = p[k + hidden + h], p[k + 2 * hidden + h]  # dz/da, dz/db
        s = _tanh(p[k + h] + a * u + b * v)
        pw, qw = p[w0 + hidden + h], p[w0 + 2 * hidden + h]  # dw/da, dw/db
        w = p[w0 + h] + a * pw + b * qw
        o += w * s
        if order > 0:
            ds = 1.0 - s * s
            oa += pw * s + w * ds * u
            ob += qw * s + w * ds * v
            if order > 1:
                d2s = -2.0 * s * ds
                oaa += 2.0 * pw * ds * u + w * d2s * u * u
                oab += pw * ds * v + qw * ds * u + w * d2s * u * v
                obb += 2.0 * qw * ds * v + w * d2s * v * v
    return o, oa, ob, oaa, oab, obb


@inner
def mlp_value(p, a, b):
    n, width, first = _samples.layout(p)
    total = 0.0
    for k in range(first, first + n * width, width):
        total += loss(LOGISTIC, _output(p, k, a, b, 0)[0], p[k + width - 1])
    return total / n


@inner
def mlp_grad(p, a, b):
    n, width, first = _samples.layout(p)
    ga = gb = 0.0
    for k in range(first, first + n * width, width):
        o, oa, ob, _, _, _ = _output(p, k, a, b, 1)
        r = slope(LOGISTIC, o, p[k + width - 1])
        ga += r * oa
        gb += r * ob
    return ga / n, gb / n


@inner
def mlp_hessian(p, a, b):
    n, width, first = _samples.layout(p)
    haa = hab = hbb = 0.0
    for k in range(first, first + n * width, width):
        o, oa, ob, oaa, oab, obb = _output(p, k, a, b, 2)
        r, c = slope(LOGISTIC, o, p[k + width - 1]), curvature(LOGISTIC, o)
        haa += c * oa * oa + r * oaa
        hab += c * oa * ob + r * oab
        hbb += c * ob * ob + r * obb
    return haa / n, hab / n, hbb / n


# ---------------------------------------------------------------- the network in NumPy


def _layers(theta, hidden):
    """``(W1, b1, w2, c)`` views of a weight vector."""
    h = hidden
    return theta[: 2 * h].reshape(h, 2), theta[2 * h : 3 * h], theta[3 * h : 4 * h], theta[4 * h]


def logits(theta, hidden, x1, x2):
    """The network's outputs o(x) for weights ``theta`` at the points (x1, x2)."""
    w1, b1, w2, c = _layers(np.asarray(theta, dtype=float), hidden)
    return np.tanh(np.column_stack([x1, x2]) @ w1.T + b1) @ w2 + c


def _loss_and_gradient(theta, hidden, x, label):
    """Mean BCE with logits over the samples and its gradient in theta (backpropagation)."""
    w1, b1, w2, c = _layers(theta, hidden)
    z = np.tanh(x @ w1.T + b1)
    o = z @ w2 + c
    value = np.mean(np.logaddexp(0.0, o) - label * o)
    g = (0.5 * (1.0 + np.tanh(0.5 * o)) - label) / len(o)  # sigmoid(o) - label, / n
    dz = np.outer(g, w2) * (1.0 - z * z)
    gradient = np.concatenate([(dz.T @ x).ravel(), dz.sum(axis=0), z.T @ g, [g.sum()]])
    return value, gradient


def train(hidden, x1, x2, label, rng):
    """Weights theta* after ``TRAIN_STEPS`` steps of full-batch Adam from a Glorot-style
    start drawn from ``rng``."""
    theta = np.concatenate(
        [
            rng.standard_normal(2 * hidden) * math.sqrt(2.0 / (2 + hidden)),
            np.zeros(hidden),
            rng.standard_normal(hidden) * math.sqrt(2.0 / (hidden + 1)),
            [0.0],
        ]
    )
    x = np.column_stack([x1, x2])
    m, s = np.zeros_like(theta), np.zeros_like(theta)
    beta1, beta2 = 0.9, 0.999
    for t in range(1, TRAIN_STEPS + 1):
        g = _loss_and_gradient(theta, hidden, x, label)[1]
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        step = m / (1 - beta1**t) / (np.sqrt(s / (1 - beta2**t)) + 1e-8)
        theta = theta - TRAIN_LR * step
    return theta


def filter_normalised_direction(theta, hidden, rng):
    """A Gaussian direction whose every neuron's incoming weights have the norm they have
    in ``theta`` (the rows of W1, and w2), with no bias components."""
    direction = rng.standard_normal(theta.size)
    w1, b1, w2, c = _layers(direction, hidden)
    t1, _, t2, _ = _layers(theta, hidden)
    w1 *= (np.linalg.norm(t1, axis=1) / np.linalg.norm(w1, axis=1))[:, None]
    w2 *= np.linalg.norm(t2) / np.linalg.norm(w2)
    b1[:] = 0.0
    direction[-1] = 0.0
    return direction


@lru_cache(maxsize=16)
def trained(points, noise, hidden, seed):
    """``(theta*, d1, d2)`` for the two moons of these parameters (cached)."""
    data = datasets.two_moons(points, noise, seed)
    rng = np.random.default_rng([seed, 1])  # a stream apart from the dataset's
    theta = train(hidden, data["x1"], data["x2"], data["label"], rng)
    d1 = filter_normalised_direction(theta, hidden, rng)
    d2 = filter_normalised_direction(theta, hidden, rng)
    for vector in (theta, d1, d2):
        vector.setflags(write=False)
    return theta, d1, d2


def weights(surface, a, b):
    """The network's weight vector at the point (a, b) of an ``mlp_slice`` surface."""
    theta, d1, d2 = trained(**surface.params)
    return theta + a * d1 + b * d2


def _moons(points, noise, hidden, seed):
    return datasets.two_moons(points, noise, seed)


def plane_features(theta, d1, d2, hidden, x1, x2):
    """Each sample's row on the plane: the hidden pre-activations z0 at theta* and their
    rates u = dz/da, v = dz/db ((n, H) each), as one (n, 3H) array."""
    parts = []
    for vector in (theta, d1, d2):
        w1, b1, _, _ = _layers(vector, hidden)
        parts.append(np.column_stack([x1, x2]) @ w1.T + b1)
    return np.hstack(parts)


def _kernel_params(points, noise, hidden, seed):
    theta, d1, d2 = trained(points, noise, hidden, seed)
    outputs = [_layers(vector, hidden)[2] for vector in (theta, d1, d2)]
    constants = np.concatenate([[hidden], *outputs, [theta[-1], d1[-1], d2[-1]]])
    data = _moons(points, noise, hidden, seed)
    features = plane_features(theta, d1, d2, hidden, data["x1"], data["x2"])
    return _samples.pack(constants, np.column_stack([features, data["label"]]))


MLP_SLICE = SurfaceDef(
    name="mlp_slice",
    value=mlp_value,
    gradient=mlp_grad,
    hessian=mlp_hessian,
    title="A slice of a neural network's loss",
    params={
        "points": points_param(100, 300),
        "noise": Param("noise", 0.15, "noise on the two moons", low=0.0, high=0.5),
        "hidden": Param("hidden", 16, "hidden tanh units", low=2, high=16, kind="int"),
        "seed": SEED,
    },
    kernel_params=_kernel_params,
    # measured: 3700 for 100 samples and 16 hidden units (a tanh each, twice)
    cost=lambda points, hidden, **_: 1.0 + 2.3 * points * hidden,
    data=_moons,
    latex=r"f(a, b) = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} \mathrm{{BCE}}\left(o_{{\theta^* + a d_1 "
    r"+ b d_2}}(x_i), y_i\right),\ o_\theta(x) = w_2^\top \tanh(W_1 x + b_1) + c,\ "
    r"{hidden} \text{{ hidden units}}",
    domain=((-1.0, 1.0), (-1.0, 1.0)),
    minima=((0.0, 0.0),),  # Newton's method from the trained weights
    refine_minima=True,
    f_min=None,
    saddles=(),
    default_start=(-0.8, 0.7),
    note="The loss of a small tanh network trained on two moons, on the plane through its "
    "trained weights spanned by two random filter-normalised directions (Li et al. 2018). "
    "(a, b) = (0, 0) is the trained network; a = 1 adds a direction as large as the "
    "weights themselves. A real loss: non-convex, flat in places, steep in others.",
)
