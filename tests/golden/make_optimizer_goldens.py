"""Regenerate ``tests/golden/optimizers/*.json``: torch.optim trajectories on our surfaces.

Run ``python -m tests.golden.make_optimizer_goldens`` (needs PyTorch; the tests do not).

Every case names our optimizer and its keywords, and separately the torch class and its
keywords, so the fixtures also check that our defaults are PyTorch's. The torch run uses
``torch.set_default_dtype(torch.float64)``: PyTorch keeps some scalar state in the default
dtype (NAdam's ``mu_product``, ASGD's ``eta`` and ``mu``), which would otherwise be float32
while the parameters are float64.

Each fixture also holds PyTorch's ``optimizer.state[p]`` after every step (``state``: name
-> one entry per step; ``torch_loop.UNREPORTED`` left out), which ``Trajectory.state``
must equal.

PyTorch's CPU kernels round differently on different processors: rerun on an AVX-512
machine, 7 of the committed paths (Adadelta, AdamW, NAdam, centered RMSprop) changed in
their last bits (at most 5e-13 relative), far inside the tests' 1e-9. When the state was
added (issue 14) those paths were kept as committed and only ``state`` was added.

The mini-batch cases (``MINIBATCH_CASES``, written to ``tests/golden/minibatch/``) train a
real PyTorch model instead: the surface's dataset as tensors, ``nn.MSELoss`` or
``nn.BCEWithLogitsLoss`` (+ l2/2 |w|^2) on each batch and autograd's gradient, the batches
drawn by a ``DataLoader`` whose sampler gives each epoch's ``rng.permutation(n)`` from one
``numpy.random.default_rng(seed)`` (what ``shuffle=True`` does, with our generator).

Each case is also run from a start moved by 1e-12 and rejected if the end point moves by
more than ``MAX_AMPLIFICATION`` times that: chaotic paths amplify rounding (PyTorch's CPU
kernels may use fused multiply-adds), and could not be compared to 1e-9.
"""

import math
import sys

import numpy as np
import torch

import surfaces

from . import save
from .torch_loop import minibatch_trajectory, trajectory

MAX_AMPLIFICATION = 1e4
PERTURBATION = 1e-12

ROSEN = ("rosenbrock", None, (-1.5, 2.0))
ROSEN_B = ("rosenbrock", None, (0.5, -0.5))
QUAD = ("quadratic", None, (-4.0, 3.0))
QUAD_50 = ("quadratic", {"condition": 50.0, "angle": 30.0}, (-4.0, 3.0))


def case(
    label,
    optimizer,
    where,
    steps=300,
    torch_class=None,
    torch_extra=None,
    clip_norm=None,
    clip_value=None,
    **hyperparameters,
):
    """One fixture: ``optimizer(**hyperparameters)`` here, ``torch_class(...)`` in PyTorch.

    PyTorch gets the same keywords plus ``torch_extra``; defaults are left to each side.
    """
    surface, surface_params, start = where
    return {
        "name": label,
        "optimizer": optimizer,
        "hyperparameters": hyperparameters,
        "torch_class": torch_class,
        "torch_kwargs": {**hyperparameters, **(torch_extra or {})},
        "surface": surface,
        "surface_params": surface_params or {},
        "start": list(start),
        "steps": steps,
        "clip_norm": clip_norm,
        "clip_value": clip_value,
    }


# fmt: off
CASES = [
    # SGD family
    case("sgd_rosenbrock", "sgd", ROSEN, torch_class="SGD", lr=5e-4),
    case("sgd_default_quadratic", "sgd", QUAD, torch_class="SGD"),
    case("sgd_wd_quadratic50", "sgd", QUAD_50, torch_class="SGD", lr=0.03, weight_decay=0.1),
    case("momentum_quadratic", "momentum", QUAD, torch_class="SGD",
         torch_extra={"momentum": 0.9}, lr=0.01),
    case("momentum_dampening_wd_quadratic50", "momentum", QUAD_50, torch_class="SGD",
         lr=0.01, momentum=0.8, dampening=0.3, weight_decay=0.05),
    case("momentum_rosenbrock", "momentum", ROSEN, torch_class="SGD",
         torch_extra={"momentum": 0.9}, lr=2e-4),
    case("sgd_momentum_flag_quadratic", "sgd", QUAD, torch_class="SGD", lr=0.02,
         momentum=0.5, dampening=0.1),
    case("nesterov_quadratic", "nesterov", QUAD, torch_class="SGD",
         torch_extra={"momentum": 0.9, "nesterov": True}, lr=0.02),
    case("nesterov_wd_rosenbrock", "nesterov", ROSEN, torch_class="SGD",
         torch_extra={"nesterov": True}, lr=2e-4, momentum=0.7, weight_decay=0.01),
    # Adam family
    case("adam_rosenbrock", "adam", ROSEN, torch_class="Adam", lr=0.01),
    case("adam_default_quadratic", "adam", QUAD, torch_class="Adam"),
    case("adam_custom_quadratic50", "adam", QUAD_50, torch_class="Adam", lr=0.05,
         betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01),
    case("amsgrad_rosenbrock", "amsgrad", ROSEN, torch_class="Adam",
         torch_extra={"amsgrad": True}, lr=0.01),
    case("amsgrad_custom_quadratic", "amsgrad", QUAD, torch_class="Adam",
         torch_extra={"amsgrad": True}, lr=0.1, betas=(0.5, 0.9), weight_decay=0.02),
    case("adamw_default_quadratic", "adamw", QUAD, torch_class="AdamW", lr=0.05),
    case("adamw_rosenbrock", "adamw", ROSEN, torch_class="AdamW", lr=0.01, weight_decay=0.1,
         betas=(0.85, 0.995)),
    case("adamax_default_rosenbrock", "adamax", ROSEN, torch_class="Adamax"),
    case("adamax_custom_quadratic50", "adamax", QUAD_50, torch_class="Adamax", lr=0.05,
         betas=(0.8, 0.99), eps=1e-4, weight_decay=0.02),
    case("nadam_default_rosenbrock", "nadam", ROSEN, torch_class="NAdam"),
    case("nadam_custom_quadratic", "nadam", QUAD, torch_class="NAdam", lr=0.05,
         betas=(0.85, 0.99), momentum_decay=0.05, weight_decay=0.01),
    case("nadam_decoupled_quadratic50", "nadam", QUAD_50, torch_class="NAdam", lr=0.05,
         weight_decay=0.05, decoupled_weight_decay=True),
    case("radam_default_quadratic", "radam", QUAD, torch_class="RAdam"),
    case("radam_rosenbrock", "radam", ROSEN, torch_class="RAdam", lr=2e-3),
    case("radam_custom_quadratic50", "radam", QUAD_50, torch_class="RAdam", lr=0.02,
         betas=(0.9, 0.99), eps=1e-6, weight_decay=0.01),
    case("radam_decoupled_rosenbrock", "radam", ROSEN_B, torch_class="RAdam", lr=3e-3,
         weight_decay=0.1, decoupled_weight_decay=True),
    # Adagrad, Adadelta, RMSprop
    case("adagrad_default_quadratic", "adagrad", QUAD, torch_class="Adagrad"),
    case("adagrad_custom_rosenbrock", "adagrad", ROSEN, torch_class="Adagrad", lr=0.1,
         lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-8),
    case("adagrad_wd_quadratic50", "adagrad", QUAD_50, torch_class="Adagrad", lr=0.5,
         weight_decay=0.01, initial_accumulator_value=1.0),
    case("adadelta_default_quadratic", "adadelta", QUAD, torch_class="Adadelta"),
    case("adadelta_custom_rosenbrock", "adadelta", ROSEN, torch_class="Adadelta", lr=2.0,
         rho=0.95, eps=1e-4, weight_decay=0.01),
    case("rmsprop_default_quadratic", "rmsprop", QUAD, torch_class="RMSprop"),
    case("rmsprop_centered_momentum_rosenbrock", "rmsprop", ROSEN, torch_class="RMSprop",
         lr=1e-3, centered=True, momentum=0.5),
    case("rmsprop_centered_quadratic50", "rmsprop", QUAD_50, torch_class="RMSprop", lr=3e-3,
         centered=True, alpha=0.95, eps=1e-6),
    case("rmsprop_centered_quadratic", "rmsprop", QUAD, torch_class="RMSprop", lr=0.01,
         centered=True, alpha=0.9, eps=1e-6),
    case("rmsprop_momentum_wd_quadratic", "rmsprop", QUAD, torch_class="RMSprop", lr=0.005,
         momentum=0.8, weight_decay=0.01),
    # Rprop, ASGD
    case("rprop_default_quadratic", "rprop", QUAD, torch_class="Rprop"),
    case("rprop_default_rosenbrock", "rprop", ROSEN, torch_class="Rprop"),
    case("rprop_custom_quadratic50", "rprop", QUAD_50, torch_class="Rprop", lr=0.05,
         etas=(0.3, 1.5), step_sizes=(1e-4, 0.5)),
    case("asgd_default_quadratic", "asgd", QUAD, torch_class="ASGD"),
    case("asgd_averaging_quadratic50", "asgd", QUAD_50, torch_class="ASGD", lr=0.03,
         lambd=1e-3, alpha=0.5, t0=20.0, weight_decay=0.01),
    case("asgd_averaging_rosenbrock", "asgd", ROSEN, torch_class="ASGD", lr=5e-4,
         lambd=0.01, t0=50.0),
    # L-BFGS, one iteration per step
    case("lbfgs_default_quadratic", "lbfgs", QUAD, steps=50, torch_class="LBFGS",
         torch_extra={"max_iter": 1}),
    case("lbfgs_history3_quadratic50", "lbfgs", QUAD_50, torch_class="LBFGS",
         torch_extra={"max_iter": 1}, lr=0.3, history_size=3, tolerance_grad=1e-5,
         tolerance_change=1e-12),
    case("lbfgs_history3_rosenbrock", "lbfgs", ROSEN_B, torch_class="LBFGS",
         torch_extra={"max_iter": 1}, lr=0.3, history_size=3),
    case("lbfgs_rosenbrock", "lbfgs", ROSEN_B, torch_class="LBFGS",
         torch_extra={"max_iter": 1}, lr=0.2),
    # Gradient clipping (applied to the gradient before every optimizer's step)
    case("adam_clip_norm_rosenbrock", "adam", ROSEN, torch_class="Adam", lr=0.01,
         clip_norm=10.0),
    case("sgd_clip_value_rosenbrock", "sgd", ROSEN, torch_class="SGD", lr=5e-4,
         clip_value=20.0),
    case("momentum_clip_both_rosenbrock", "momentum", ROSEN, torch_class="SGD",
         torch_extra={"momentum": 0.9}, lr=5e-4, clip_value=30.0, clip_norm=25.0),
    case("rmsprop_clip_norm_quadratic50", "rmsprop", QUAD_50, torch_class="RMSprop",
         lr=0.01, clip_norm=1.0),
    # L-BFGS with clipping: the clipped first gradients enter its curvature pairs; a
    # clip that bites for long makes it diverge (in PyTorch too), so these bite early only.
    case("lbfgs_clip_norm_quadratic", "lbfgs", QUAD, torch_class="LBFGS",
         torch_extra={"max_iter": 1}, lr=0.5, history_size=5, clip_norm=30.0),
    case("lbfgs_clip_value_quadratic", "lbfgs", QUAD, torch_class="LBFGS",
         torch_extra={"max_iter": 1}, lr=1.0, history_size=5, clip_value=28.0),
    case("nadam_clip_value_rosenbrock", "nadam", ROSEN, torch_class="NAdam", lr=0.01,
         clip_value=5.0),
]

LINE = ("linreg", {"points": 60, "x_center": 1.5, "outliers": 0.1}, (-2.0, 4.0))
CLASSES = ("logreg", {"points": 50, "separation": 1.5, "l2": 0.02}, (-4.5, 4.5))


def minibatch_case(label, optimizer, where, batch_size, seed, torch_class, torch_extra=None,
                   steps=150, **hyperparameters):
    """A mini-batch fixture: ``case``'s fields plus the batch size and seed."""
    return {**case(label, optimizer, where, steps, torch_class, torch_extra, **hyperparameters),
            "batch_size": batch_size, "seed": seed}


MINIBATCH_CASES = [
    minibatch_case("sgd_linreg_b8", "sgd", LINE, 8, 1, "SGD", lr=0.05),
    minibatch_case("momentum_linreg_b7", "momentum", LINE, 7, 2, "SGD",
                   {"momentum": 0.9}, lr=0.01),
    minibatch_case("adam_linreg_b16", "adam", LINE, 16, 3, "Adam", lr=0.2, weight_decay=0.01),
    minibatch_case("sgd_logreg_b5", "sgd", CLASSES, 5, 4, "SGD", lr=0.5),
    minibatch_case("momentum_logreg_b12", "momentum", CLASSES, 12, 5, "SGD",
                   {"momentum": 0.9}, lr=0.1),
    minibatch_case("adam_logreg_b1", "adam", CLASSES, 1, 6, "Adam", lr=0.05),
    minibatch_case("rmsprop_logreg_b9", "rmsprop", CLASSES, 9, 7, "RMSprop", lr=0.05),
]
# fmt: on


def _torch_run(spec, start):
    cls = getattr(torch.optim, spec["torch_class"])
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in spec["torch_kwargs"].items()}
    out = trajectory(
        spec["surface"],
        lambda params: cls(params, **kwargs),
        start,
        spec["steps"],
        clip_norm=spec["clip_norm"],
        clip_value=spec["clip_value"],
        surface_params=spec["surface_params"],
    )
    return np.array(out["xy"]), out["state"]


def _torch_minibatch(spec):
    cls = getattr(torch.optim, spec["torch_class"])
    surf = surfaces.get(spec["surface"], **spec["surface_params"])
    return minibatch_trajectory(
        surf,
        lambda params: cls(params, **spec["torch_kwargs"]),
        spec["start"],
        spec["steps"],
        spec["batch_size"],
        spec["seed"],
    )


def main():
    torch.set_default_dtype(torch.float64)
    for spec in MINIBATCH_CASES:
        out = _torch_minibatch(spec)
        print(f"{spec['name']:40s} end {out['xy'][-1]}  batch loss {out['batch_loss'][-1]:.4g}")
        save("minibatch", spec["name"], {**spec, **out, "torch": torch.__version__})
    failed = []
    for spec in CASES:
        xy, state = _torch_run(spec, spec["start"])
        moved = [v * (1 + PERTURBATION) + PERTURBATION for v in spec["start"]]
        other, _ = _torch_run(spec, moved)
        finite = bool(np.isfinite(xy).all())
        scale = np.abs(xy).max(axis=1, keepdims=True) + 1.0
        amplification = float(np.max(np.abs(other - xy) / scale)) / PERTURBATION
        travel = float(np.hypot(*(xy[-1] - xy[0])))
        print(f"{spec['name']:40s} travel {travel:8.3f}  amplification {amplification:9.3g}")
        if not finite or amplification > MAX_AMPLIFICATION or not math.isfinite(amplification):
            failed.append(spec["name"])
            continue
        fixture = {**spec, "xy": xy.tolist(), "state": state, "torch": torch.__version__}
        save("optimizers", spec["name"], fixture)
    if failed:
        print("rejected (chaotic or diverged):", ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
