"""Lion (Chen et al. 2023)."""

from surfaces._jit import inline

LION = 11  # kernel id, see _dispatch


@inline
def lion_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
