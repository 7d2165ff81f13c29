"""Compiling the kernels ahead of use: what a page needs first, then everything.

Every kernel is compiled when first used and kept in Numba's disk cache (``surfaces._jit``).
On a fresh server the cache is empty: a page compiles the few kernels its scene needs
(``needed`` and ``prepare``, with progress for the page), and ``start_background`` starts
``python -m optimizers.warm`` once per server, a separate process (it holds no GIL of the
app's) that compiles every other kernel into the cache, so later pages load instead of
compiling. The process marks the cache complete when done (``COMPLETE``).

Numba keeps what it compiled in memory: one process compiling all 31 kernels grew to
830 MB. So the warm-up compiles at most ``PER_PROCESS`` kernels of one family
(``shares``) in one process image, then replaces itself (``exec``) with a fresh one for
the next share: one process at a time, its memory bounded.

    python -m optimizers.warm     # fill the cache: every kernel, then the marker
"""

import argparse
import itertools
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

from surfaces import _dispatch as surface_kernels
from surfaces import _jit

from . import _batch, _kernel, registry

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = "complete"  # file in the cache folder written once every kernel is in it
WARMING = "warming"  # file in the cache folder holding the pid of the warm-up under way
NICENESS = 10  # the warm-up yields the cores to the app's sessions
PER_PROCESS = 7  # kernels compiled by one process image of the warm-up, at most

_started = None
_start_lock = threading.Lock()


def _families():
    """The kernels in families that share what they call (compiled once per process)."""
    evaluators = [
        surface_kernels.values_many,
        surface_kernels.gradients_many,
        surface_kernels.hessians_many,
    ]
    return [evaluators + list(_kernel.TRAJECTORIES), list(_batch.BATCHES)]


def every_kernel():
    """Every entry kernel: surface evaluators, then a trajectory and a batch kernel per rule."""
    return [k for family in _families() for k in family]


def shares():
    """``(first, end)`` ranges of ``every_kernel()``, one per process image of the warm-up:
    each family split evenly in pieces of at most ``PER_PROCESS``."""
    out, first = [], 0
    for family in _families():
        pieces = math.ceil(len(family) / PER_PROCESS)
        bounds = [first + round(i * len(family) / pieces) for i in range(pieces + 1)]
        out += list(itertools.pairwise(bounds))
        first += len(family)
    return out


def needed(optimizers, curvature=False, batch=False):
    """The kernels a page racing ``optimizers`` needs, in the order it uses them.

    ``optimizers`` holds ``(name, inner)`` pairs (``inner`` None unless Lookahead); with
    ``curvature`` the Hessians, with ``batch`` the batch kernels of those rules (a basin
    map). Unknown names are left to the page's own checks.
    """
    kernels = [surface_kernels.values_many]
    if curvature:
        kernels += [surface_kernels.gradients_many, surface_kernels.hessians_many]
    kids = []
    for name, inner in optimizers:
        try:
            kids.append(registry.get(name, inner or "sgd").kernel)
        except ValueError:
            continue
    kids = list(dict.fromkeys(kids))
    kernels += [_kernel.TRAJECTORIES[kid] for kid in kids]
    if batch:
        kernels += [_batch.BATCHES[kid] for kid in kids]
    return kernels


def pending(kernels):
    """Those of ``kernels`` not yet ready in this process."""
    return [k for k in kernels if not k.ready]


def prepare(kernels, progress=None):
    """Make ``kernels`` ready (loaded from the cache, or compiled), calling
    ``progress(done, total, label)`` before each (``done`` counted from 1)."""
    todo = pending(kernels)
    for done, k in enumerate(todo, start=1):
        if progress is not None:
            progress(done, len(todo), k.label)
        k.prepare()


def complete():
    """True when the disk cache holds every kernel (the warm-up finished)."""
    return _jit.CACHE_DIR is not None and (_jit.CACHE_DIR / COMPLETE).exists()


def start_background():
    """Start the warm-up process while the cache is incomplete, unless one is under way
    (started by this server or by another replica sharing the cache: ``WARMING`` holds its
    pid); returns it (None when not started). The process is not waited for."""
    global _started
    with _start_lock:
        if _started is not None or complete() or _jit.CACHE_DIR is None:
            return None
        if not _claim(_jit.CACHE_DIR / WARMING):
            return None
        _started = subprocess.Popen(
            [sys.executable, "-m", "optimizers.warm"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        (_jit.CACHE_DIR / WARMING).write_text(str(_started.pid))
        return _started


def _claim(lock):
    """Create ``lock``; False when it exists and names a live process (or none yet)."""
    for _ in range(2):
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            text = lock.read_text().strip()
            if not text.isdigit() or _alive(int(text)):
                return False
            lock.unlink(missing_ok=True)  # its warm-up died: take over
    return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fill the Numba disk cache with every kernel.")
    parser.add_argument("--share", type=int, default=0, help=argparse.SUPPRESS)
    share = parser.parse_args(argv).share
    if share == 0:
        os.nice(NICENESS)  # kept across the exec below
    kernels, ranges = every_kernel(), shares()
    first, end = ranges[share]

    def say(done, total, label):
        print(f"{first + done}/{len(kernels)} {label}", flush=True)

    prepare(kernels[first:end], say)
    if share + 1 < len(ranges):
        # the next share in a fresh process image: the memory of this one's compiles goes
        command = [sys.executable, "-m", "optimizers.warm", "--share", str(share + 1)]
        os.execv(sys.executable, command)
    if _jit.CACHE_DIR is not None:
        (_jit.CACHE_DIR / COMPLETE).write_text(f"{len(kernels)} kernels\n")
        (_jit.CACHE_DIR / WARMING).unlink(missing_ok=True)
    print("every kernel is in the cache", flush=True)


if __name__ == "__main__":
    main()
