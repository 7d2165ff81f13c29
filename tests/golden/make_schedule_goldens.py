"""Regenerate ``tests/golden/schedules/*.json`` from PyTorch's ``lr_scheduler`` classes.

Run ``python -m tests.golden.make_schedule_goldens`` (needs PyTorch). Two kinds of fixture:

* trajectories: a real torch optimizer and scheduler stepping on a Gradscape surface
  (``tests.golden.torch_loop``), with the rate and momentum/beta1 of every step and the
  path, for comparing ``optimizers.run(..., schedule=...)`` end to end;
* ``long_*``: the rate alone over a long run (a scheduler stepping an optimizer with no
  gradient), sampled, where PyTorch's recursive updates could drift from our closed forms.

Warmup cases use PyTorch's composition that matches ours: ``SequentialLR`` of
``LinearLR(1 / W, 1, W - 1)`` and the schedule (milestone ``W``); for plateau, LinearLR
stepped for ``W`` steps and then ReduceLROnPlateau (SequentialLR refuses plateau).
"""

import math

import numpy as np
import torch
from torch.optim import lr_scheduler as L

from . import save
from .torch_loop import trajectory

KIND = "schedules"

OPTIMIZERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}
QUAD = ("quadratic", {"angle": 30.0}, (-4.0, 3.0))
ROSEN = ("rosenbrock", None, (-1.5, 2.5))


def _warmup(make, warmup):
    """SequentialLR(LinearLR ramp, make(opt)): our ``warmup_steps`` in PyTorch's terms."""

    def build(opt):
        ramp = L.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
        return L.SequentialLR(opt, [ramp, make(opt)], milestones=[warmup])

    return build


class _WarmupThenPlateau:
    """LinearLR for ``warmup`` steps, then ReduceLROnPlateau on the loss."""

    def __init__(self, opt, warmup, **plateau):
        self.plateau = L.ReduceLROnPlateau(opt, **plateau)
        self.ramp = L.LinearLR(opt, 1.0 / warmup, 1.0, total_iters=warmup - 1)
        self.warmup, self.t = warmup, 0

    def step(self, metric):
        if self.t < self.warmup:
            self.ramp.step()
        else:
            self.plateau.step(metric)
        self.t += 1


# (fixture name, our schedule, torch scheduler factory, optimizer, lr, steps, surface, plateau)
# fmt: off
CASES = [
    ("constant_default", {"name": "constant"},
     lambda o: L.ConstantLR(o, factor=1.0, total_iters=0), "momentum", 0.02, 60, QUAD, False),
    ("constant_factor", {"name": "constant", "factor": 0.5, "total_iters": 10},
     lambda o: L.ConstantLR(o, factor=0.5, total_iters=10), "momentum", 0.02, 60, QUAD, False),
    ("step", {"name": "step", "step_size": 7, "gamma": 0.5},
     lambda o: L.StepLR(o, step_size=7, gamma=0.5), "sgd", 0.15, 60, QUAD, False),
    ("step_default_gamma", {"name": "step", "step_size": 3},
     lambda o: L.StepLR(o, step_size=3), "adam", 0.05, 40, ROSEN, False),
    ("multistep", {"name": "multistep", "milestones": [5, 12, 12, 30], "gamma": 0.5},
     lambda o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.5), "momentum", 0.02,
     60, QUAD, False),
    ("multistep_zero", {"name": "multistep", "milestones": [0, 20], "gamma": 0.3},
     lambda o: L.MultiStepLR(o, milestones=[0, 20], gamma=0.3), "adam", 0.1, 50, ROSEN, False),
    ("exponential", {"name": "exponential", "gamma": 0.97},
     lambda o: L.ExponentialLR(o, gamma=0.97), "momentum", 0.02, 100, QUAD, False),
    ("exponential_adam", {"name": "exponential", "gamma": 0.9},
     lambda o: L.ExponentialLR(o, gamma=0.9), "adam", 0.1, 60, ROSEN, False),
    ("cosine_beyond_tmax", {"name": "cosine", "T_max": 40, "eta_min": 0.001},
     lambda o: L.CosineAnnealingLR(o, T_max=40, eta_min=0.001), "momentum", 0.02, 130, QUAD,
     False),
    ("cosine", {"name": "cosine", "T_max": 25},
     lambda o: L.CosineAnnealingLR(o, T_max=25), "adam", 0.05, 25, ROSEN, False),
    ("cosine_restarts_tmult2",
     {"name": "cosine_restarts", "T_0": 10, "T_mult": 2, "eta_min": 1e-3},
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3), "momentum",
     0.02, 100, QUAD, False),
    ("cosine_restarts", {"name": "cosine_restarts", "T_0": 7},
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=7), "adam", 0.05, 50, ROSEN, False),
    ("cyclic_triangular_momentum",
     {"name": "cyclic", "base_lr": 0.002, "max_lr": 0.03, "step_size_up": 10,
      "step_size_down": 5},
     lambda o: L.CyclicLR(o, base_lr=0.002, max_lr=0.03, step_size_up=10, step_size_down=5),
     "momentum", 0.5, 80, QUAD, False),
    ("cyclic_triangular2_adam",
     {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6, "mode": "triangular2"},
     lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6, mode="triangular2"),
     "adam", 0.5, 60, ROSEN, False),
    ("cyclic_exp_range",
     {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.05, "step_size_up": 8, "mode": "exp_range",
      "gamma": 0.97, "base_momentum": 0.5, "max_momentum": 0.95},
     lambda o: L.CyclicLR(o, base_lr=0.001, max_lr=0.05, step_size_up=8, mode="exp_range",
                          gamma=0.97, base_momentum=0.5, max_momentum=0.95),
     "momentum", 0.5, 80, QUAD, False),
    ("cyclic_no_momentum_adam",
     {"name": "cyclic", "base_lr": 0.05, "max_lr": 0.01, "step_size_up": 5,
      "cycle_momentum": False},
     lambda o: L.CyclicLR(o, base_lr=0.05, max_lr=0.01, step_size_up=5, cycle_momentum=False),
     "adam", 0.5, 40, ROSEN, False),
    ("cyclic_sgd_cycles_momentum",
     {"name": "cyclic", "base_lr": 0.01, "max_lr": 0.04, "step_size_up": 4},
     lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.04, step_size_up=4), "sgd", 0.5, 40, QUAD,
     False),
    ("onecycle_momentum", {"name": "onecycle", "max_lr": 0.05},
     lambda o: L.OneCycleLR(o, max_lr=0.05, total_steps=100), "momentum", 0.5, 100, QUAD, False),
    ("onecycle_three_phase_adam",
     {"name": "onecycle", "max_lr": 0.1, "total_steps": 90, "three_phase": True},
     lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=90, three_phase=True), "adam", 0.5, 80,
     ROSEN, False),
    ("onecycle_linear",
     {"name": "onecycle", "max_lr": 0.04, "anneal_strategy": "linear", "pct_start": 0.25,
      "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8,
      "max_momentum": 0.9},
     lambda o: L.OneCycleLR(o, max_lr=0.04, total_steps=70, anneal_strategy="linear",
                            pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                            base_momentum=0.8, max_momentum=0.9),
     "momentum", 0.5, 70, QUAD, False),
    ("onecycle_three_phase_linear_adam",
     {"name": "onecycle", "max_lr": 0.05, "three_phase": True, "anneal_strategy": "linear",
      "pct_start": 0.4},
     lambda o: L.OneCycleLR(o, max_lr=0.05, total_steps=60, three_phase=True,
                            anneal_strategy="linear", pct_start=0.4),
     "adam", 0.5, 60, ROSEN, False),
    ("onecycle_no_momentum",
     {"name": "onecycle", "max_lr": 0.03, "cycle_momentum": False, "pct_start": 0.0},
     lambda o: L.OneCycleLR(o, max_lr=0.03, total_steps=50, cycle_momentum=False,
                            pct_start=0.0),
     "sgd", 0.5, 50, QUAD, False),
    ("linear", {"name": "linear", "start_factor": 0.25, "total_iters": 10},
     lambda o: L.LinearLR(o, start_factor=0.25, total_iters=10), "momentum", 0.02, 50, QUAD,
     False),
    ("linear_decay", {"name": "linear", "start_factor": 1.0, "end_factor": 0.1,
                      "total_iters": 30},
     lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=30), "adam", 0.05,
     50, ROSEN, False),
    ("linear_default", {"name": "linear"},
     lambda o: L.LinearLR(o), "sgd", 0.15, 20, QUAD, False),
    ("polynomial", {"name": "polynomial", "total_iters": 50, "power": 2.0},
     lambda o: L.PolynomialLR(o, total_iters=50, power=2.0), "momentum", 0.02, 80, QUAD, False),
    ("polynomial_sqrt", {"name": "polynomial", "total_iters": 20, "power": 0.5},
     lambda o: L.PolynomialLR(o, total_iters=20, power=0.5), "adam", 0.05, 30, ROSEN, False),
    ("invscaling_lambdalr", {"name": "invscaling", "power_t": 0.7},
     lambda o: L.LambdaLR(o, lambda k: 1.0 / (k + 1) ** 0.7), "momentum", 0.02, 60, QUAD, False),
    ("plateau_rel",
     {"name": "plateau", "factor": 0.5, "patience": 2, "threshold": 0.01},
     lambda o: L.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01), "momentum",
     0.001, 150, ROSEN, True),
    ("plateau_abs_cooldown",
     {"name": "plateau", "factor": 0.3, "patience": 1, "threshold": 0.02,
      "threshold_mode": "abs", "cooldown": 4},
     lambda o: L.ReduceLROnPlateau(o, factor=0.3, patience=1, threshold=0.02,
                                   threshold_mode="abs", cooldown=4),
     "momentum", 0.001, 150, ROSEN, True),
    ("plateau_min_lr_eps",
     {"name": "plateau", "factor": 0.2, "patience": 0, "min_lr": 1e-4, "eps": 2e-5},
     lambda o: L.ReduceLROnPlateau(o, factor=0.2, patience=0, min_lr=1e-4, eps=2e-5), "adam",
     0.05, 100, ROSEN, True),
    ("plateau_default_quadratic", {"name": "plateau", "patience": 3},
     lambda o: L.ReduceLROnPlateau(o, patience=3), "sgd", 0.21, 80, QUAD, True),
    ("warmup_cosine", {"name": "cosine", "T_max": 30, "warmup_steps": 10},
     _warmup(lambda o: L.CosineAnnealingLR(o, T_max=30), 10), "momentum", 0.02, 60, QUAD, False),
    ("warmup_step_adam", {"name": "step", "step_size": 10, "gamma": 0.5, "warmup_steps": 5},
     _warmup(lambda o: L.StepLR(o, step_size=10, gamma=0.5), 5), "adam", 0.05, 50, ROSEN,
     False),
    ("warmup_cyclic",
     {"name": "cyclic", "base_lr": 0.15, "max_lr": 0.05, "step_size_up": 5, "warmup_steps": 6},
     _warmup(lambda o: L.CyclicLR(o, base_lr=0.15, max_lr=0.05, step_size_up=5), 6),
     "momentum", 0.15, 40, QUAD, False),
    ("warmup_onecycle_adam", {"name": "onecycle", "max_lr": 0.1, "warmup_steps": 8},
     _warmup(lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=52), 8), "adam", 0.5, 60, ROSEN,
     False),
    ("warmup_plateau",
     {"name": "plateau", "factor": 0.5, "patience": 2, "threshold": 0.01, "warmup_steps": 15},
     lambda o: _WarmupThenPlateau(o, 15, factor=0.5, patience=2, threshold=0.01), "momentum",
     0.003, 150, ROSEN, True),
]

# (fixture name, our schedule, torch scheduler factory, steps): the rate alone, lr = 0.1
LONG = [
    ("long_exponential", {"name": "exponential", "gamma": 0.9999},
     lambda o: L.ExponentialLR(o, gamma=0.9999), 100_000),
    ("long_step", {"name": "step", "step_size": 1000, "gamma": 0.8},
     lambda o: L.StepLR(o, step_size=1000, gamma=0.8), 100_000),
    ("long_multistep", {"name": "multistep", "milestones": [10, 5000, 5000, 60000]},
     lambda o: L.MultiStepLR(o, milestones=[10, 5000, 5000, 60000]), 100_000),
    ("long_constant", {"name": "constant", "factor": 1 / 3, "total_iters": 777},
     lambda o: L.ConstantLR(o, factor=1 / 3, total_iters=777), 20_000),
    ("long_cosine", {"name": "cosine", "T_max": 1000},
     lambda o: L.CosineAnnealingLR(o, T_max=1000), 100_000),
    ("long_cosine_big", {"name": "cosine", "T_max": 60_000},
     lambda o: L.CosineAnnealingLR(o, T_max=60_000), 200_000),
    ("long_cosine_eta_min", {"name": "cosine", "T_max": 30_000, "eta_min": 0.003},
     lambda o: L.CosineAnnealingLR(o, T_max=30_000, eta_min=0.003), 100_000),
    ("long_cosine_restarts", {"name": "cosine_restarts", "T_0": 100, "T_mult": 3},
     lambda o: L.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=3), 100_000),
    ("long_cyclic", {"name": "cyclic", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 700,
                     "step_size_down": 1300, "mode": "exp_range", "gamma": 0.99999},
     lambda o: L.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=700, step_size_down=1300,
                          mode="exp_range", gamma=0.99999), 100_000),
    ("long_onecycle", {"name": "onecycle", "max_lr": 0.1, "three_phase": True},
     lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=100_000, three_phase=True), 100_000),
    ("long_linear", {"name": "linear", "start_factor": 0.001, "total_iters": 50_000},
     lambda o: L.LinearLR(o, start_factor=0.001, total_iters=50_000), 100_000),
    ("long_polynomial", {"name": "polynomial", "total_iters": 60_000, "power": 2.5},
     lambda o: L.PolynomialLR(o, total_iters=60_000, power=2.5), 100_000),
]
# fmt: on


def _trajectory_case(name, schedule, make_scheduler, optimizer, lr, steps, surface, plateau):
    surf, params, start = surface
    out = trajectory(
        surf,
        lambda p: OPTIMIZERS[optimizer](p, lr),
        start,
        steps,
        make_scheduler=make_scheduler,
        plateau=plateau,
        surface_params=params,
    )
    save(
        KIND,
        name,
        {
            "schedule": schedule,
            "optimizer": optimizer,
            "lr": lr,
            "steps": steps,
            "surface": surf,
            "surface_params": params or {},
            "start": list(start),
            "xy": out["xy"],
            "rates": out["lr"],
            "momentum": out["momentum"],
        },
    )
    changes = len(set(out["lr"]))
    print(f"{name}: {steps} steps, {changes} distinct rates")


def _long_case(name, schedule, make_scheduler, steps, lr=0.1):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    scheduler = make_scheduler(opt)
    rates = np.empty(steps)
    for t in range(steps):
        rates[t] = opt.param_groups[0]["lr"]
        opt.step()  # no gradient: nothing moves, but the scheduler sees a step
        scheduler.step()
    rng = np.random.default_rng(len(name))
    index = np.unique(
        np.concatenate(
            [
                np.arange(0, 60),
                rng.choice(steps, 600, replace=False),
                np.arange(steps - 20, steps),
                *(
                    np.arange(max(k - 3, 0), min(k + 4, steps))
                    for k in _boundaries(schedule, steps)
                ),
            ]
        )
    )
    save(
        KIND,
        name,
        {
            "schedule": schedule,
            "lr": lr,
            "steps": steps,
            "index": index.tolist(),
            "rates": rates[index].tolist(),
        },
    )
    print(f"{name}: {steps} steps, {index.size} sampled")


def _boundaries(schedule, steps):
    """Steps where a recursion is most fragile (the ends of cosine periods)."""
    if schedule["name"] == "cosine":
        return range(schedule["T_max"], steps, schedule["T_max"])
    if schedule["name"] == "cosine_restarts":
        ends, start, length = [], 0, schedule["T_0"]
        while start < steps:
            start += length
            length *= schedule.get("T_mult", 1)
            ends.append(start)
        return ends
    return [int(math.sqrt(steps))]


def main():
    torch.set_default_dtype(torch.float64)
    for case in CASES:
        _trajectory_case(*case)
    for case in LONG:
        _long_case(*case)


if __name__ == "__main__":
    main()
