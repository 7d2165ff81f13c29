"""The reference loop: a torch.optim optimizer stepping on a Gradscape surface.

Gradients come from the surface's analytic formulas (the thing under test is the update
rule, not autograd), in float64. Per step, as in a PyTorch training loop:
``loss = f(p); p.grad = grad f(p); [clip]; optimizer.step(); scheduler.step([loss])``.
Needs PyTorch; used only by the fixture scripts.
"""

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
