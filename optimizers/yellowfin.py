"""YellowFin (Zhang & Mitliagkas 2017)."""

from surfaces._jit import inline

YELLOWFIN = 13  # kernel id, see _dispatch


@inline
def yellowfin_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
