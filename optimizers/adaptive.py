"""Adagrad, Adadelta and RMSprop (torch.optim)."""

from surfaces._jit import inline

ADAGRAD = 5  # kernel id, see _dispatch
ADADELTA = 6  # kernel id, see _dispatch
RMSPROP = 7  # kernel id, see _dispatch


@inline
def adagrad_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


@inline
def adadelta_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


@inline
def rmsprop_step(P, G, S, H, LR, t, sid, sp):
    pass  # TODO: to be written


SPECS = ()
