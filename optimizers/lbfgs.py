"""L-BFGS, one iteration per step (torch.optim.LBFGS with max_iter=1)."""

from surfaces._jit import inline

LBFGS = 10  # kernel id, see _dispatch


@inline
def lbfgs_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
