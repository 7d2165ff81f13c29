"""The mini-batch size controls of a surface made from data: 1, 2, 4, ... below the
number of samples n, then "full" (n samples, the full batch). The scene's control sets
every racer's default; a racer's own adds a first stop, "as the scene", for that default."""

import streamlit as st

from optimizers import minibatch
from scene.model import FULL_BATCH, RACER_BATCH, Options

from .widgets import init_key
from .words import data, tr

FULL = FULL_BATCH  # the controls' stop for the full batch
SCENE = "scene"  # a racer's stop: the scene's batch size
SCENE_BATCH = Options.param("batch_size")


def batch_stops(n, current=None):
    """The control's stops: powers of two below ``n``, ``current`` (a size a link gave),
    then ``FULL``."""
    sizes = {2**k for k in range(n.bit_length()) if 2**k < n}
    if isinstance(current, int) and current < n:
        sizes.add(current)
    return [*sorted(sizes), FULL]


def fitted(batch_size, n):
    """``batch_size`` as the controls show it for ``n`` samples: a size of n or more is
    the full batch."""
    return FULL if isinstance(batch_size, int) and batch_size >= n else batch_size


def carried(surface, batch_size):
    """A racer's own ``batch_size`` as it carries over to ``surface``: none on an analytic
    surface, the full batch where it is n or more."""
    if surface.data is None:
        return None
    return fitted(batch_size, minibatch.samples(surface))


def batch_control(surface, batch_size):
    """The batch size chosen for ``surface`` (None: the full batch), starting at
    ``batch_size``; nothing is drawn, and None returned, on an analytic surface."""
    if surface.data is None:
        return None
    n = minibatch.samples(surface)
    size = fitted(batch_size, n) or FULL
    choice = _slider(surface, "batch", batch_stops(n, size), size, tr("options.batch"))
    return None if choice == FULL else int(choice)


def racer_batch_control(surface, number, batch_size, scene_batch):
    """Racer ``number``'s own batch size on ``surface`` (None: the scene's, whose size is
    ``scene_batch``; ``FULL``: the full batch), starting at ``batch_size``; None on an
    analytic surface, with nothing drawn."""
    if surface.data is None:
        return None
    n = minibatch.samples(surface)
    size = fitted(batch_size, n) or SCENE
    scene_size = fitted(scene_batch, n) or FULL
    choice = _slider(
        surface,
        f"o{number}.batch",
        [SCENE, *batch_stops(n, size)],
        size,
        tr("racer.batch"),
        {SCENE: tr("racer.batch.scene", size=_stop_text(scene_size, n))},
        RACER_BATCH,
    )
    if choice == SCENE:
        return None
    return choice if choice == FULL else int(choice)


def _slider(surface, key, stops, start, label, names=None, param=SCENE_BATCH):
    """A slider over ``stops`` starting at ``start``; its key names the surface and n, so
    new stops make a new widget."""
    n = minibatch.samples(surface)
    names = names or {}
    return st.select_slider(
        label,
        stops,
        key=init_key(f"{key}.{surface.name}.{n}", start),
        format_func=lambda stop: names.get(stop) or _stop_text(stop, n),
        help=data(param.help),
    )


def _stop_text(stop, n):
    return tr("options.batch.full", n=n) if stop == FULL else str(stop)
