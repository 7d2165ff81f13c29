"""Resilient backpropagation (torch.optim.Rprop)."""

from surfaces._jit import inline

RPROP = 8  # kernel id, see _dispatch


@inline
def rprop_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
