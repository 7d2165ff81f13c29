"""Compiling the kernels ahead of use: what a page needs first, then everything.

Every kernel is compiled when first used and kept in Numba's disk cache (``surfaces._jit``).
On a fresh server the cache is empty: a page compiles the few kernels its scene needs
(``needed`` and ``prepare``, with progress for the page), for its surface alone while the
cache lacks the kernels for every surface (``surfaces._jit.preferred``: a third of the
compile time), and ``start_background`` starts
``python -m optimizers.warm`` once per server, a separate process (it holds no GIL of the
app's) that compiles every other kernel into the cache, so later pages load instead of
compiling. The process marks the cache complete when done (``COMPLETE``).

A page's kernels are compiled by helper processes too (``Helper``), one per core at most,
and the server loads them from the cache when they are in: the cores compile in parallel
(each helper compiles the surface code its kernels share, about 8 s, so a page's two
trajectory kernels take 14-15 s on two cores instead of 19 s in turn, measured), the
server's own sessions keep its GIL meanwhile, and the memory of compiling (about 300 MB
per helper) goes when the helper ends instead of staying with the server for its life
(a server that had compiled the default page itself held 650 MB, against 307 MB loaded).

Numba keeps what it compiled in memory: one process compiling all 31 kernels grew to
830 MB. So the warm-up compiles at most ``PER_PROCESS`` kernels of one family
(``shares``) in one process image, then replaces itself (``exec``) with a fresh one for
the next share: one process at a time, its memory bounded.

    python -m optimizers.warm             # fill the cache: every kernel, then the marker
    python -m optimizers.warm --only 0,5  # compile every_kernel()[0] and [5] (a Helper)
    python -m optimizers.warm --only trajectory:4:1  # Adam's kernel for Beale alone
"""

import argparse
import itertools
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from surfaces import _dispatch as surface_kernels
from surfaces import _jit

from . import _batch, _kernel, registry

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = "complete"  # file in the cache folder written once every kernel is in it
WARMING = "warming"  # file in the cache folder holding the pid of the warm-up under way
NICENESS = 10  # the warm-up yields the cores to the app's sessions
PER_PROCESS = 7  # kernels compiled by one process image of the warm-up, at most
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
POLL = 0.2  # seconds between looks at the helpers while a page waits for them
READY = "ready"  # what a helper prints, with the kernel's index, once it is in the cache

_started = None
_start_lock = threading.Lock()
_deferred = False  # the warm-up was asked for while helpers compiled: started after them
_helpers = {}  # kernel -> the Helper of this server that compiles (or compiled) it
_helpers_lock = threading.Lock()


def _evaluators():
    """The surface evaluators: values, gradients and Hessians at many points."""
    return [
        surface_kernels.values_many,
        surface_kernels.gradients_many,
        surface_kernels.hessians_many,
    ]


def _families():
    """The kernels in families that share what they call (compiled once per process)."""
    return [_evaluators() + list(_kernel.TRAJECTORIES), list(_batch.BATCHES)]


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


def needed(optimizers, curvature=False, batch=False, sid=None):
    """The kernels a page racing ``optimizers`` needs, in the order it uses them.

    ``optimizers`` holds ``(name, inner)`` pairs (``inner`` None unless Lookahead); with
    ``curvature`` the Hessians, with ``batch`` the batch kernels of those rules (a basin
    map). With the page's surface ``sid``, the values and trajectories are for that
    surface alone while the disk cache lacks those for every surface
    (``surfaces._jit.preferred``); its runs then use them. Unknown names are left to the
    page's own checks.
    """
    general = sid is None
    kernels = [surface_kernels.values_many if general else surface_kernels.values_to_prepare(sid)]
    if curvature:
        kernels += [surface_kernels.gradients_many, surface_kernels.hessians_many]
    kids = []
    for name, inner in optimizers:
        try:
            kids.append(registry.get(name, inner or "sgd").kernel)
        except ValueError:
            continue
    kids = list(dict.fromkeys(kids))
    kernels += [
        _kernel.TRAJECTORIES[kid] if general else _kernel.trajectory_to_prepare(kid, sid)
        for kid in kids
    ]
    if batch:
        kernels += [_batch.BATCHES[kid] for kid in kids]
    return kernels


def pending(kernels):
    """Those of ``kernels`` not yet ready in this process."""
    return [k for k in kernels if not k.ready]


def prepare(kernels, progress=None):
    """Make ``kernels`` ready (loaded from the cache, or compiled), calling
    ``progress(done, total, labels)`` as it goes: ``done`` of the ``total`` pending ones
    are ready, ``labels`` are those being compiled or loaded now.

    Those the disk cache lacks are compiled by helper processes (``compile_elsewhere``),
    then loaded here as each is in; what a helper failed to compile is compiled here."""
    todo = pending(kernels)
    helpers = compile_elsewhere(todo)

    def waiting():  # a running helper still owes the page one of its kernels
        return any(
            helper.running and any(k in helper.kernels and k not in helper.ready for k in todo)
            for helper in helpers
        )

    while waiting():
        if progress is not None:
            done = sum(any(k in h.ready for h in helpers) for k in todo)
            now = [helper.compiling for helper in helpers]  # None for those that ended
            progress(done, len(todo), [k.label for k in now if k is not None])
        time.sleep(POLL)
    for k in todo:
        if progress is not None and not any(k in helper.ready for helper in helpers):
            progress(sum(x.ready for x in todo), len(todo), [k.label])  # compiled here
        k.prepare()


def compile_elsewhere(kernels):
    """The helpers that compile those of ``kernels`` the disk cache lacks: helpers of this
    server already at it, and new ones (at most ``CORES``) for the others, started now.

    A new helper's kernels share the surface code, which each helper compiles again, so
    they are grouped: the surface evaluators with the first helper, the update rules'
    kernels dealt out in turn. After a page's kernels for one surface, each helper goes on,
    niced, to the same kernels for every surface (``Kernel.general``), which the page does
    not wait for: the session's next surface then loads them instead of compiling in the
    server. A kernel gets one helper per server: if that helper fails, the page compiles
    it itself (``prepare``)."""
    if _jit.CACHE_DIR is None:
        return []  # nothing passes from a helper to the server without a disk cache
    with _helpers_lock:
        # in order of creation: the page lists what they compile in a steady order
        mine = dict.fromkeys(_helpers[k] for k in kernels if k in _helpers and _helpers[k].running)
        missing = [k for k in kernels if k not in _helpers and not k.in_cache()]
        if not missing:
            return list(mine)
        evaluators = [k for k in missing if _evaluates(k)]
        rules = [k for k in missing if not _evaluates(k)]
        groups = [rules[i :: min(CORES, len(rules))] for i in range(min(CORES, len(rules)))]
        groups = [evaluators + groups[0], *groups[1:]] if groups else [evaluators]
        for group in groups:
            then = [
                k.general
                for k in group
                if k.general is not None and k.general not in _helpers and not k.general.in_cache()
            ]
            helper = Helper(group, then)
            _helpers.update(dict.fromkeys(group + then, helper))
            mine[helper] = None
    return list(mine)


def _evaluates(k):
    """True for the surface evaluators (for every surface, or one: ``values:SID``)."""
    return k in _evaluators() or (k.address or "").startswith("values:")


def address(k):
    """How a helper process names kernel ``k``: its index in ``every_kernel()``, or the
    address of a kernel for one surface (``values:SID``, ``trajectory:KID:SID``)."""
    return k.address or str(every_kernel().index(k))


def kernel_at(where):
    """The kernel at ``address`` ``where`` (one for a single surface is made here)."""
    kind, *ids = where.split(":")
    if kind == "values":
        return surface_kernels.only(int(ids[0])).values_many
    if kind == "trajectory":
        return _kernel.specialised(int(ids[0]), int(ids[1]))
    return every_kernel()[int(kind)]


class Helper:
    """A process compiling ``kernels`` into the disk cache (``python -m optimizers.warm
    --only ...``) for the pages that wait on it, then, niced, the kernels ``then``;
    ``ready`` holds those in the cache."""

    def __init__(self, kernels, then=()):
        self.kernels = [*kernels, *then]
        self.ready = set()
        self._at = {address(k): k for k in self.kernels}
        only = ",".join(map(address, kernels))
        later = ["--then", ",".join(map(address, then))] if then else []
        self._ended = threading.Event()
        try:
            self.process = _warm_process("--only", only, *later, stdout=subprocess.PIPE)
        except OSError:  # no process to be had: the page compiles its kernels itself
            self._ended.set()
            return
        threading.Thread(target=self._read, daemon=True, name="compile helper").start()

    @property
    def running(self):
        return not self._ended.is_set()

    @property
    def compiling(self):
        """The kernel it compiles now (None once it ended)."""
        left = [k for k in self.kernels if k not in self.ready]
        return left[0] if left and self.running else None

    def _read(self):
        for line in self.process.stdout:
            word, _, where = line.strip().partition(" ")
            if word == READY and where in self._at:
                self.ready.add(self._at[where])
        self.process.wait()
        self._ended.set()
        if _deferred and not _compiling():
            start_background()


def _warm_process(*arguments, stdout):
    """Start ``python -m optimizers.warm ARGUMENTS`` from the checkout, its output as text
    to ``stdout`` and its errors discarded; OSError when no process can be started."""
    return subprocess.Popen(
        [sys.executable, "-m", "optimizers.warm", *arguments],
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _compiling():
    """True while a helper of this server runs."""
    with _helpers_lock:
        return any(helper.running for helper in _helpers.values())


def complete():
    """True when the disk cache holds every kernel (the warm-up finished)."""
    return _jit.CACHE_DIR is not None and (_jit.CACHE_DIR / COMPLETE).exists()


def start_background():
    """Start the warm-up process while the cache is incomplete, unless one is under way
    (started by this server or by another replica sharing the cache: ``WARMING`` holds its
    pid); returns it (None when not started). The process is not waited for. While this
    server's helpers compile a page's kernels it starts when the last of them ends: the
    cores go to the page first."""
    global _started, _deferred
    with _start_lock:
        if _started is not None or complete() or _jit.CACHE_DIR is None:
            return None
        if _compiling():
            _deferred = True
            return None
        _deferred = False
        if not _claim(_jit.CACHE_DIR / WARMING):
            return None
        _started = _warm_process(stdout=subprocess.DEVNULL)
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


def _compile_at(addresses):
    """Compile the kernels at the comma-separated ``addresses``, saying so for each."""
    for where in addresses.split(","):
        kernel_at(where).prepare()
        print(READY, where, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fill the Numba disk cache with every kernel.")
    parser.add_argument("--share", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--only", help="compile the kernels at these addresses (a Helper)")
    parser.add_argument("--then", default="", help="then, niced, the kernels at these")
    args = parser.parse_args(argv)
    kernels = every_kernel()
    if args.only is not None:
        _compile_at(args.only)
        if args.then:
            os.nice(NICENESS)  # the pages waiting on other helpers come first
            _compile_at(args.then)
        return
    share = args.share
    if share == 0:
        os.nice(NICENESS)  # kept across the exec below
    first, end = shares()[share]
    for done, k in enumerate(kernels[first:end], start=first + 1):
        print(f"{done}/{len(kernels)} {k.label}", flush=True)
        k.prepare()  # here: this process is the one that compiles
    if share + 1 < len(shares()):
        # the next share in a fresh process image: the memory of this one's compiles goes
        command = [sys.executable, "-m", "optimizers.warm", "--share", str(share + 1)]
        os.execv(sys.executable, command)
    if _jit.CACHE_DIR is not None:
        (_jit.CACHE_DIR / COMPLETE).write_text(f"{len(kernels)} kernels\n")
        (_jit.CACHE_DIR / WARMING).unlink(missing_ok=True)
    print("every kernel is in the cache", flush=True)


if __name__ == "__main__":
    main()
