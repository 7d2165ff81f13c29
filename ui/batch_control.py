"""The mini-batch size control of a surface made from data: 1, 2, 4, ... below the
number of samples n, then "full" (n samples, the full batch)."""

import streamlit as st

from optimizers import minibatch
from scene.model import Options

from .widgets import init_key
from .words import data, tr

FULL = "full"  # the control's stop for the full batch (batch_size None)


def batch_stops(n, current=None):
    """The control's stops: powers of two below ``n``, ``current`` (a size a link gave),
    then ``FULL``."""
    sizes = {2**k for k in range(n.bit_length()) if 2**k < n}
    if current is not None and current < n:
        sizes.add(current)
    return [*sorted(sizes), FULL]


def batch_control(surface, batch_size):
    """The batch size chosen for ``surface`` (None: the full batch), starting at
    ``batch_size``; nothing is drawn, and None returned, on an analytic surface. The
    widget's key names the surface and n: new stops make a new widget."""
    if surface.data is None:
        return None
    n = minibatch.samples(surface)
    size = batch_size if batch_size is not None and batch_size < n else None
    stops = batch_stops(n, size)
    choice = st.select_slider(
        tr("options.batch"),
        stops,
        key=init_key(f"batch.{surface.name}.{n}", FULL if size is None else size),
        format_func=lambda stop: tr("options.batch.full", n=n) if stop == FULL else str(stop),
        help=data(Options.param("batch_size").help),
    )
    return None if choice == FULL else int(choice)
