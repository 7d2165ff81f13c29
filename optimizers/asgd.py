"""Averaged SGD (torch.optim.ASGD)."""

from surfaces._jit import inline

ASGD = 9  # kernel id, see _dispatch


@inline
def asgd_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
