"""Update rules by integer kernel id (``registry.RULES``), and the dispatch that picks one
per run.

Like the surfaces, rules are chosen by id so that the runners compile once for every
optimizer and load from the disk cache in a new process. Every rule has the form
``rule(P, G, S, H, LR, t, sid, sp)`` over lanes (columns) ``j``:

* ``P`` (2, L) positions, updated in place; ``G`` (2, L) gradients at ``P``;
* ``S`` (rows, 2, L) the optimizer's state, zero at the start;
* ``H`` (slots, L) hyperparameters in the order of the spec's ``hypers`` (``lr`` first);
* ``LR`` (L,) this step's learning rate (the schedule applied); ``t`` the step number from 1;
* ``sid, sp`` the surface, for rules that need more than the gradient (Newton's Hessian).

One lane is one trajectory: ``run`` uses a single lane, ``run_batch`` many.

The id is looked up once per run, not once per step: ``by_rule`` compiles the runner's
loop once for each rule with the rule inlined (a per-step choice among many rules kept
Numba from removing the reference counting of the array arguments: 5x slower).
"""

from surfaces._jit import by_id, inner

from . import registry

# (kernel id, rule) in registry order.
RULES = tuple(enumerate(registry.RULES))


def by_rule(make_loop, missing):
    """A jitted ``dispatch(kid, *args)`` calling ``make_loop(rule)(*args)`` for rule ``kid``.

    ``missing`` is returned for an unknown id (the Python side never passes one).
    """
    return by_id([(kid, inner(make_loop(rule))) for kid, rule in RULES], missing)
