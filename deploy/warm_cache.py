"""Fill Numba's disk cache with every kernel the app can call, so a server's first chart (and
every later one) loads compiled code instead of compiling.

The container image runs it at build time with ``NUMBA_CPU_NAME=generic`` (a cache that loads
on any x86-64 host): ``python deploy/warm_cache.py``. It draws the default scene first (what a
session's first page needs), then runs every surface with every optimizer, one trajectory and
one small batch each, and a typed formula: a few steps each, since a kernel compiles for its
types and not for its inputs. With a warm cache it takes about a second.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optimizers  # noqa: E402
import scene  # noqa: E402
import surfaces  # noqa: E402
from scene import pipeline  # noqa: E402


def warm():
    """Call each kernel once; returns the number of engine calls made."""
    pipeline.draw(scene.default_scene())
    typed = surfaces.from_expression("(x - 1)^2 + 2*y^2", domain=((-2, 2), (-2, 2)))
    calls = 0
    for surface in [*surfaces.names(), typed]:
        start = typed.default_start if surface is typed else surfaces.get(surface).default_start
        for optimizer in optimizers.names():
            optimizers.run(surface, optimizer, start, 3)
            optimizers.run_batch(surface, optimizer, np.array([start, start]), 3)
            calls += 2
    return calls


if __name__ == "__main__":
    print(f"Numba cache warm: the default scene and {warm()} engine calls")
