"""The Numba decorators every Gradscape kernel uses, where their cache lives, and
``by_id``, the dispatch by integer id that lets one compiled kernel serve every surface.

Entry-point kernels (``kernel``) have an explicit signature and are compiled when first
used, or loaded from the disk cache when a process compiled them before: a new process
loads them instead of compiling (seconds saved per kernel), and a fresh server compiles
only what its first page needs (``optimizers.warm`` fills the cache with the rest).

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
import threading
from pathlib import Path

import numba
from numba import njit
from numba.extending import intrinsic

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


class Kernel:
    """An entry-point kernel: one explicit signature, disk cache, GIL released, compiled
    (or loaded from the cache) on first use or by ``prepare``, never at import.

    ``label`` says what it is in progress messages ("Adam's kernel").
    """

    def __init__(self, function, signature, label):
        self.dispatcher = njit(cache=CACHE_DIR is not None, nogil=True, error_model="numpy")(
            function
        )
        self.signature = signature
        self.label = label
        self.address = None  # how a helper process finds a kernel made on demand (warm)
        self.general = None  # for a kernel for one surface: the kernel for every surface
        self._lock = threading.Lock()
        self._ready = False

    @property
    def ready(self):
        """True once compiled or loaded in this process."""
        return self._ready

    def prepare(self):
        """Load the kernel from the disk cache, or compile (and cache) it: once per process.

        Numba's compiler lock serialises compiles; this lock makes a second thread wait for
        the first one's kernel instead of asking for it again."""
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self.dispatcher.compile(self.signature)
                    self.dispatcher.disable_compile()  # another signature is a bug: fail
                    self._ready = True
        return self.dispatcher

    def in_cache(self):
        """True when the disk cache holds this kernel for this machine's CPU (so ``prepare``
        loads it): an entry of its signature, target and bytecode in Numba's index."""
        cache = self.dispatcher._cache  # Numba's own look-up, without loading the code
        if CACHE_DIR is None:
            return False
        key = cache._index_key(self.signature, self.dispatcher.targetctx.codegen())
        return key in cache._cache_file._load_index()

    def __call__(self, *args):
        if not self._ready:
            self.prepare()
        return self.dispatcher(*args)


def preferred(general, special):
    """The kernel a page should prepare: ``general`` (for every surface) if it is loaded or
    in the disk cache, else ``special()``, a kernel for the page's surface alone that
    compiles in a fraction of ``general``'s time (a fresh server's first pages, while its
    warm-up fills the cache: ``optimizers.warm``)."""
    return general if general.ready or general.in_cache() else special()


def in_use(general, special):
    """The kernel a run uses: ``special`` (for its surface alone, or None if never made)
    while it is loaded and ``general`` is not, else ``general``."""
    return special if special is not None and special.ready and not general.ready else general


def kernel(signature, label=None, name=None):
    """Decorator for an entry-point kernel (``Kernel``).

    With ``name``, the kernel is a new function of that name calling the decorated one:
    kernels made by one factory (a loop per update rule) then get files of their own in
    the disk cache, which Numba names after the function, and no closure (Numba keys a
    closure by a pickle of its cells, which differs from process to process: a cache miss
    in every new process).
    """

    def decorate(function):
        if name is not None:
            function = _calling(function, name)
        return Kernel(function, signature, label or function.__name__)

    return decorate


def named(function, name):
    """``function`` renamed ``name``, for functions made by a factory (closures).

    Numba names a compiled function after its qualified name and a counter local to the
    process. Kernels cached by different processes and loaded into one must not hold two
    different functions of the same name: the linker takes the first, and a rule's kernel
    ran another rule's loop. Each closure a factory makes gets a name of its own.
    """
    function.__name__ = function.__qualname__ = name
    return function


def _calling(function, name):
    """A closure-free function ``name(*args)`` returning ``function(*args)``, compiled with
    ``function`` (renamed ``name_loop``) inlined by LLVM, its only caller."""
    args = ", ".join(f"a{i}" for i in range(function.__code__.co_argcount))
    loop = inner(named(function, f"{name}_loop"))
    namespace = {"__name__": function.__module__, "function": loop}
    source = f"def {name}({args}):\n    return function({args})\n"
    # built from an argument count and a name; the file is the factory's, for the cache
    exec(compile(source, function.__code__.co_filename, "exec"), namespace)
    return namespace[name]


# Decorator for the helpers kernels call (formulas, update rules). They are compiled into
# the kernels that call them, which are the ones cached.
inner = njit(nogil=True, error_model="numpy")

# For helpers that take arrays: inlined into the caller's IR, which removes the reference
# counting of every array argument on every call (5x faster update steps, measured).
inline = njit(nogil=True, error_model="numpy", inline="always")


def out_of_line(dispatcher):
    """A call of the jitted ``dispatcher`` that LLVM may not inline into its caller.

    For large formulas (the typed-formula interpreter, sums over a dataset): inlined into
    the surface dispatch, they make it too large for LLVM to inline into the optimizer
    loops, and every surface then pays a real call per evaluation, with the reference
    counting of its parameter array (Adam on Rosenbrock: 0.30-0.34 of a hand-fused
    kernel's speed instead of 0.40-0.57 with the interpreter inlined; 15 instead of 23 M
    steps/s with the data surfaces inlined). Behind a ``noinline`` call they cost the
    other surfaces nothing, and themselves one call per evaluation.
    """

    if numba.config.DISABLE_JIT:
        return dispatcher

    def typed(args):
        dispatcher.compile(args)
        return dispatcher.overloads[args].signature, codegen

    # Numba's intrinsics take no *args: a typer of the formulas' arity, or the dispatch's
    if dispatcher.py_func.__code__.co_argcount == 3:

        def typer(typingctx, p, x, y):
            return typed((p, x, y))

    else:

        def typer(typingctx, sid, p, x, y):
            return typed((sid, p, x, y))

    def codegen(context, builder, signature, args):
        compiled = dispatcher.get_compile_result(signature)
        function = context.declare_function(builder.module, compiled.fndesc)
        context.active_code_library.add_linking_library(compiled.library)
        _, result = context.call_conv.call_function(
            builder, function, signature.return_type, signature.args, args, attrs=("noinline",)
        )
        return result  # the formulas raise nothing (error_model="numpy")

    typer.__name__ = dispatcher.__name__
    return intrinsic(typer)


def by_id(cases, missing, name, inlined=False):
    """A jitted ``name(k, *args)`` calling ``function(*args)`` for the case ``(k, function)``.

    ``cases`` pairs integer ids with jitted functions of the same arguments; ``missing`` is
    returned for an unknown id; ``name`` is unique among the dispatches (see ``named``).
    The dispatch is written out here as one ``if`` chain, as it would be by hand, and
    compiled by Numba: called with a constant ``k`` it folds to the one call. LLVM decides
    whether to inline it into a caller, and a long chain (or one called from several
    places in a loop) it calls instead, paying a call and the reference counting of the
    array arguments per evaluation; ``inlined=True`` makes Numba inline it where it is
    called (each case stays a call LLVM may inline on its own). (A chain of one small
    function per case, built by closures, cost either 2.7x the run time of Adam on
    Rosenbrock, where LLVM did not inline it, or about 4x the compile time where Numba was
    told to inline it.)
    """
    first = cases[0][1]
    if hasattr(first, "py_func"):
        arity = first.py_func.__code__.co_argcount
    else:  # an intrinsic (``out_of_line``): its typer takes the typing context first
        arity = first._defn.__code__.co_argcount - 1
    args = ", ".join(f"a{i}" for i in range(arity))
    lines = [f"def {name}(k, {args}):"]
    namespace = {"missing": missing}
    for k, function in cases:
        namespace[f"case_{k}"] = function
        lines += [f"    if k == {int(k)}:", f"        return case_{k}({args})"]
    lines.append("    return missing")
    exec("\n".join(lines), namespace)  # the source is built above from ids and names
    return (inline if inlined else inner)(namespace[name])
