"""The reference loops: a torch.optim optimizer stepping on a Gradscape surface, and one
training a PyTorch model on a surface's dataset in mini-batches.

Gradients come from the surface's analytic formulas (the thing under test is the update
rule, not autograd), in float64. Per step, as in a PyTorch training loop:
``loss = f(p); p.grad = grad f(p); [clip]; optimizer.step(); scheduler.step([loss])``.
Needs PyTorch; used only by the fixture scripts.
"""

import numpy as np
import torch

import surfaces

# PyTorch's state entries the engine does not report (``Trajectory.state``): the step
# counter (the row number + 1) and L-BFGS's bookkeeping besides its direction d and step t.
UNREPORTED = {
    "step",
    "func_evals",
    "n_iter",
    "H_diag",
    "prev_flat_grad",
    "prev_loss",
    "old_dirs",
    "old_stps",
    "ro",
    "al",
}


def trajectory(
    surface,
    make_optimizer,
    start,
    steps,
    make_scheduler=None,
    plateau=False,
    clip_norm=None,
    clip_value=None,
    surface_params=None,
):
    """Run a torch optimizer; returns ``{"xy", "lr", "momentum", "state"}`` as lists.

    ``make_optimizer(params)`` and ``make_scheduler(optimizer)`` build the torch objects.
    ``momentum`` records the group's momentum or beta1 before each step (None if absent).
    ``state`` maps each name of ``optimizer.state[p]`` (but ``UNREPORTED``) to its value
    after each step: a float, or a list per coordinate (None in steps it did not exist).
    """
    surf = surfaces.get(surface, **(surface_params or {}))
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p])
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    group = optimizer.param_groups[0]

    def closure():
        x, y = (float(v) for v in p.detach())
        p.grad = torch.tensor(surf.grad(x, y), dtype=torch.float64)
        if clip_value is not None:
            torch.nn.utils.clip_grad_value_([p], clip_value)
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_([p], clip_norm)
        return torch.tensor(surf.f(x, y), dtype=torch.float64)

    xy, lrs, momenta, states = [list(map(float, start))], [], [], []
    for _ in range(steps):
        lrs.append(float(group["lr"]))
        if "momentum" in group:
            momenta.append(float(group["momentum"]))
        elif "betas" in group:
            momenta.append(float(group["betas"][0]))
        loss = optimizer.step(closure)
        if loss is None:  # optimizers that take no closure: the closure was not called
            loss = closure()
            optimizer.step()
        xy.append([float(v) for v in p.detach()])
        states.append(_snapshot(optimizer.state[p]))
        if scheduler is not None:
            scheduler.step(float(loss)) if plateau else scheduler.step()
    names = sorted({name for state in states for name in state})
    state = {name: [step.get(name) for step in states] for name in names}
    return {"xy": xy, "lr": lrs, "momentum": momenta or None, "state": state}


def _snapshot(state):
    """The reported entries of one parameter's ``optimizer.state``, as floats and lists."""
    out = {}
    for name, value in state.items():
        if name not in UNREPORTED:
            values = torch.as_tensor(value, dtype=torch.float64).reshape(-1).tolist()
            out[name] = values if torch.is_tensor(value) and value.dim() > 0 else values[0]
    return out


class EpochOrder(torch.utils.data.Sampler):
    """Each epoch's order: ``rng.permutation(n)`` from one NumPy generator for the run."""

    def __init__(self, n, seed):
        self.n = n
        self.rng = np.random.default_rng(seed)

    def __iter__(self):
        return iter(self.rng.permutation(self.n).tolist())

    def __len__(self):
        return self.n


def _model_loss(surface, p, batch):
    """The surface's loss as PyTorch computes it on a batch of its samples, for weights p."""
    if surface.name == "linreg":
        x, y = batch
        return torch.nn.MSELoss()(p[0] * x + p[1], y)
    x1, x2, label = batch
    bce = torch.nn.BCEWithLogitsLoss()(p[0] * x1 + p[1] * x2, label)
    return bce + 0.5 * surface.params["l2"] * (p * p).sum()


def minibatch_trajectory(surface, make_optimizer, start, steps, batch_size, seed):
    """Train the surface's model with autograd on DataLoader batches; returns
    ``{"xy", "batch_loss"}`` as lists."""
    columns = [torch.tensor(np.asarray(c)) for c in surface.data.values()]
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*columns),
        batch_size=batch_size,
        sampler=EpochOrder(len(columns[0]), seed),
        drop_last=False,
    )
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([p])
    xy, losses = [list(map(float, start))], []
    while len(losses) < steps:
        for batch in loader:
            optimizer.zero_grad()
            loss = _model_loss(surface, p, batch)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            xy.append([float(v) for v in p.detach()])
            if len(losses) == steps:
                break
    return {"xy": xy, "batch_loss": losses}
