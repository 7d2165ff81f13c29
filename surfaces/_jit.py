"""The Numba decorators every Gradscape kernel uses, where their cache lives, and
``by_id``, the dispatch by integer id that lets one compiled kernel serve every surface
and every update rule.

Kernels are compiled once with an explicit signature and cached on disk, so a new process
loads them instead of compiling (a few seconds saved per process).

Two facts about Numba's cache shape this module:

* it needs a writable directory, and the package folder may be read-only (a shared
  classroom server), so the cache goes to ``$NUMBA_CACHE_DIR`` or the user's cache folder,
  falling back to the temporary folder;
* it only notices edits to the file that *defines* a cached function, not to the files
  of the functions it calls. So the directory is named after a fingerprint of every
  kernel source file: any edit anywhere gives a fresh cache, and stale code never runs.

This module must be imported before any kernel is defined (``surfaces/__init__`` does so).
"""

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import numba
from numba import njit

_PACKAGE_DIRS = ("surfaces", "optimizers")
_ROOT = Path(__file__).resolve().parent.parent


def source_fingerprint(root=_ROOT):
    """A short hash of the kernel sources under ``root``, Python and Numba versions."""
    digest = hashlib.sha256(f"{sys.version}|{numba.__version__}".encode())
    for folder in _PACKAGE_DIRS:
        for path in sorted((root / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def writable(folder):
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder)
        probe.close()
        return True
    except OSError:
        return False


def choose_cache_dir(environ=os.environ, home=None, fingerprint=None):
    """The first writable of ``$NUMBA_CACHE_DIR``, ``~/.cache``, the temporary folder,
    each with the fingerprint as a subfolder; None when none is writable."""
    candidates = []
    if environ.get("NUMBA_CACHE_DIR"):
        candidates.append(Path(environ["NUMBA_CACHE_DIR"]))
    candidates.append((home or Path.home()) / ".cache" / "gradscape-numba")
    candidates.append(Path(tempfile.gettempdir()) / f"gradscape-numba-{os.getuid()}")
    fingerprint = fingerprint or source_fingerprint()
    for base in candidates:
        folder = base / fingerprint
        if writable(folder):
            return folder
    return None  # nowhere to write: compile in memory every time, but still work


CACHE_DIR = choose_cache_dir()
if CACHE_DIR is not None:
    numba.config.CACHE_DIR = str(CACHE_DIR)


def kernel(signature):
    """Decorator for an entry-point kernel: eager signature, disk cache, GIL released."""
    return njit(signature, cache=CACHE_DIR is not None, nogil=True, error_model="numpy")


# Decorator for the helpers kernels call (formulas, update rules). They are compiled into
# the kernels that call them, which are the ones cached.
inner = njit(nogil=True, error_model="numpy")

# For helpers that take arrays: inlined into the caller's IR, which removes the reference
# counting of every array argument on every call (5x faster update steps, measured).
inline = njit(nogil=True, error_model="numpy", inline="always")


def by_id(cases, missing):
    """A jitted ``dispatch(k, *args)`` calling ``function(*args)`` for the case ``(k, function)``.

    ``cases`` pairs integer ids with jitted functions of the same arguments; ``missing`` is
    returned for an unknown id. The dispatch is written out here as one ``if`` chain, as
    it would be by hand, and compiled by Numba: called with a constant ``k`` it folds to
    the one call, and LLVM inlines it into the loops that call it at every step. (A chain
    of one small function per case, built by closures, cost either 2.7x the run time of
    Adam on Rosenbrock, where LLVM did not inline it, or about 4x the compile time where
    Numba was told to inline it.)
    """
    arity = cases[0][1].py_func.__code__.co_argcount
    args = ", ".join(f"a{i}" for i in range(arity))
    lines = [f"def dispatch(k, {args}):"]
    namespace = {"missing": missing}
    for k, function in cases:
        namespace[f"case_{k}"] = function
        lines += [f"    if k == {int(k)}:", f"        return case_{k}({args})"]
    lines.append("    return missing")
    exec("\n".join(lines), namespace)  # the source is built above from ids and names
    return inner(namespace["dispatch"])
