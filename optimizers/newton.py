"""Damped Newton with the analytic Hessian."""

from surfaces._jit import inline

NEWTON = 12  # kernel id, see _dispatch


@inline
def newton_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
