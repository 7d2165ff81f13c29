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

The id is looked up once per run, not once per step: ``per_rule`` makes one entry kernel
per rule with the rule inlined in the runner's loop (a per-step choice among many rules
kept Numba from removing the reference counting of the array arguments: 5x slower). Each
is compiled when first used and cached on its own, so a fresh server compiles the rules
its first page races, not all of them (the surfaces stay one dispatch by id).
"""

from surfaces._jit import kernel

from . import registry

# (kernel id, rule) in registry order.
RULES = tuple(enumerate(registry.RULES))


def per_rule(make_loop, signature, kind):
    """The entry kernels ``make_loop(rule)`` of every rule, by kernel id (``Kernel``s with
    ``signature``, labelled "Adam's <kind> kernel")."""
    return tuple(rule_kernel(kid, make_loop, signature, kind) for kid, _ in RULES)


def rule_kernel(kid, make_loop, signature, kind, surface=None):
    """The entry kernel ``make_loop(rule)`` of rule ``kid``; for one surface, ``surface``
    is its ``(sid, title)`` (labelled "Adam's <kind> kernel for Beale")."""
    rule = RULES[kid][1]
    label, name = f"{registry.rule_title(kid)}'s {kind} kernel", f"{kind}_{rule.__name__}"
    if surface is not None:
        label, name = f"{label} for {surface[1]}", f"{name}_on_{surface[0]}"
    return kernel(signature, label, name)(make_loop(rule))
