"""The one cache policy: what a scene computes is remembered in process-wide LRU stores.

Every product of a scene (its race, basin map, sweep, typed-formula surface, the dry runs
of validation) is remembered under a canonical string of exactly the settings it depends
on (``Scene.key``), in a bounded store that every session of the server shares: thirty
students on the same lesson compute it once. Stores are plain and thread-safe (Streamlit
runs each session's script in a thread of its own); unlike ``st.cache_*`` they can be
asked whether a result is there yet, so the app shows a progress bar only when it will
compute.

Each store is bounded twice: at most ``size`` entries (the least recently used go first),
and an entry unused for ``ttl`` seconds is dropped, so a class that has left gives its
memory back. A key asked for while it is being computed is computed once: later callers
wait for the first one's result (and see its progress). Heavy computations (basin maps,
sweeps, auto-tuning) run in a ``Pool`` of a few threads with a limit per session, so that
a class's maps queue up instead of taking every core from the others' reruns.
"""

import ctypes
import ctypes.util
import functools
import gc
import logging
import threading
import time
import weakref
from collections import Counter, OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout
from threading import Lock

POLL = 0.1  # seconds between progress reports to a caller that waits
SWEEP = 5.0  # seconds between sweeps: each drops expired entries and collects cycles

_STORES = weakref.WeakSet()
_SWEEP_HOOKS = []  # what else the sweeper drops first (the server's expired sessions)
_FAILED_HOOKS = set()  # hooks that raised, reported once
_LOG = logging.getLogger(__name__)
_SWEEPER = []  # the sweeping thread, once started
_SWEEPER_LOCK = Lock()


def sweep():
    """Drops every store's expired entries, then makes a full collection (``settle_memory``
    turned the automatic ones off) and hands freed pages back to the system; True when
    entries went. Stores expire lazily when used; this is for a server nobody uses any
    more.

    The collection runs at every sweep, reruns or not: the sessions Streamlit drops a
    minute after their tabs closed (``also_at_sweep`` hooks, ``ui.sessions``) and the
    figures the stores drop are reference cycles that only a full collection frees, and
    they become garbage when nobody reruns. It scans what is not frozen, with the GIL
    held: about 7,000 objects on an idle server (a few ms); with 30 students on a replica,
    the 100,000 their sessions and the stores hold, and what their reruns left in cycles.
    That was 13,000-15,000 objects a second, the races' frames taken along by figures in
    cycles: every 30 s a collection freed 430,000-460,000 and took 3.0-3.2 s, a stall every
    student felt (60 through two replicas: p95 4.8 s); every 5 s, 0.2-0.4 s. Now figures
    hold no cycle (``viz.figures.PlainFigure``) nor does the script's namespace
    (``ui.session_scene``): about 1,700 objects a sweep, Streamlit's own per rerun, and a
    sweep takes 0.03-0.08 s, mostly the scan of what lives (measured)."""
    dropped = sum(store.expire() for store in list(_STORES))
    for hook in list(_SWEEP_HOOKS):
        try:
            hook()
        except Exception:  # the collection must go on: without it a class's memory grows
            if hook not in _FAILED_HOOKS:
                _FAILED_HOOKS.add(hook)  # reported once, not at every sweep
                _LOG.exception("sweep hook %s failed; the sweeps go on", hook.__qualname__)
    freed = gc.collect()
    if (dropped or freed) and _LIBC is not None:
        _LIBC.malloc_trim(0)
    return dropped > 0


def also_at_sweep(hook):
    """Makes every sweep call ``hook()`` before its collection (once per hook): for what
    the server holds outside the stores and drops only when asked."""
    if hook not in _SWEEP_HOOKS:
        _SWEEP_HOOKS.append(hook)


def _glibc():
    """The C library when it is glibc (it has ``mallopt``), else None (musl, macOS)."""
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return library if library is not None and hasattr(library, "mallopt") else None


_LIBC = _glibc()
M_MMAP_THRESHOLD = -3  # mallopt's parameter numbers, from glibc's malloc.h
M_ARENA_MAX = -8
MMAP_THRESHOLD = 128 * 1024
ARENAS = 2


def tune_allocator():
    """Makes glibc's allocator give a class's memory back when the class leaves.

    By default glibc gives each thread that allocates at once its own arena (up to 8 per
    core; Streamlit runs every session's script in a thread), keeps freed memory in them,
    and raises its threshold for mapping large blocks (figures, arrays) apart after each
    one is freed, so they come from the arenas too. Two arenas and a fixed threshold:
    measured with 30 students and a warm cache (the modules frozen once, no collector
    scanning frozen objects), 357 MB with the class against 438 MB, and 54 MB above the
    idle figure after it left against 126 MB. True when glibc took
    both settings; False on other C libraries, which do not have them.
    """
    if _LIBC is None:
        return False
    return bool(
        _LIBC.mallopt(M_ARENA_MAX, ARENAS) and _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    )


NEVER = 2**30  # a collection threshold that is never reached


def _settle_once():
    """The allocator tuned, and the modules the first rerun loaded (about 200,000
    objects that live as long as the server) frozen out of the collector's reach."""
    tune_allocator()
    gc.collect()
    gc.freeze()


_SETTLE_ONCE = functools.cache(_settle_once)
_SETTLING = Lock()


def settle_memory():
    """Called by every rerun once the app's modules are loaded: the collector's policy
    for a server that a class shares.

    A full collection scans every object the class holds (its sessions, the stores' races
    and figures: 300,000-700,000 objects, 0.2-2 s with the GIL held, measured). Streamlit
    runs one after every rerun unless ``runner.postScriptGC`` is off (it is, in
    ``.streamlit/config.toml``), and Python runs one whenever the objects that survived
    two collections have grown by a quarter. Here the young generations are collected as
    usual (a rerun's short-lived garbage goes within the rerun), automatic full
    collections are off, and the sweeper makes one every ``SWEEP`` seconds (``sweep``).
    The first call also tunes the allocator and freezes the loaded modules
    (``_settle_once``).
    """
    with _SETTLING:
        _SETTLE_ONCE()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
    _start_sweeper()


def _sweep_forever():
    while True:
        time.sleep(SWEEP)
        sweep()


def _start_sweeper():
    with _SWEEPER_LOCK:
        if not _SWEEPER:
            _SWEEPER.append(threading.Thread(target=_sweep_forever, daemon=True, name="sweeper"))
            _SWEEPER[0].start()


class _Pending:
    """A computation in flight: its future and the fraction done it last reported."""

    def __init__(self):
        self.future, self.fraction = Future(), 0.0

    def report(self, fraction):
        self.fraction = fraction


class Store:
    """A thread-safe LRU mapping of at most ``size`` entries, each dropped ``ttl`` seconds
    after it was last used (``clock`` in seconds, ``time.monotonic`` unless a test gives
    its own)."""

    def __init__(self, size, ttl=300.0, clock=time.monotonic):
        self._size, self._ttl, self._clock = size, ttl, clock
        self._items, self._pending, self._lock = OrderedDict(), {}, Lock()
        _STORES.add(self)
        _start_sweeper()

    def __len__(self):
        with self._lock:
            self._expire()
            return len(self._items)

    def expire(self):
        """Drops the entries unused for ``ttl``; returns how many went."""
        with self._lock:
            return self._expire()

    def _expire(self):
        """``expire`` with the lock held (the least recently used come first)."""
        limit, dropped = self._clock() - self._ttl, 0
        while self._items and next(iter(self._items.values()))[1] < limit:
            self._items.popitem(last=False)
            dropped += 1
        return dropped

    def get(self, key):
        """The value stored under ``key``, or None."""
        with self._lock:
            self._expire()
            if key not in self._items:
                return None
            value = self._items[key][0]
            self._items[key] = value, self._clock()
            self._items.move_to_end(key)
            return value

    def put(self, key, value):
        """Stores ``value`` under ``key`` (dropping the least recently used) and returns it."""
        with self._lock:
            self._items[key] = value, self._clock()
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            self._expire()
        return value

    def remember(self, key, compute, progress=None, submit=None):
        """The value under ``key``, computed the first time and stored.

        Without ``progress``, ``compute()`` is called; with it, ``compute(report)``, where
        ``report(fraction)`` reaches ``progress`` of every caller waiting for this key.
        ``submit(task)`` (a ``Pool``'s) runs the computation elsewhere and returns its
        future; without it the first caller computes in its own thread. Whoever asks for a
        key while it is computed waits for that result (or its exception) rather than
        computing it again. A waiter that gives up (Streamlit stops a script that reruns)
        leaves the computation running when it was submitted.
        """
        with self._lock:
            self._expire()
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            pending = self._pending.get(key)
            first = pending is None
            if first:
                pending = self._pending[key] = _Pending()
        if first:
            report = None
            if progress is not None:  # computed here: this caller sees its progress at once
                report = pending.report if submit else _both(pending.report, progress)
            task = self._task(key, compute, pending, report)
            if submit is None:
                task()
            else:
                try:
                    submit(task)
                except BaseException as error:  # refused (a limit): nothing in flight
                    self._settle(key, pending, error=error)
                    raise
        return _wait(pending, progress)

    def _task(self, key, compute, pending, report):
        def task():
            try:
                value = compute() if report is None else compute(report)
            except BaseException as error:  # handed to every waiter, raised there
                self._settle(key, pending, error=error)
            else:
                self.put(key, value)
                self._settle(key, pending, value=value)

        return task

    def _settle(self, key, pending, value=None, error=None):
        with self._lock:
            self._pending.pop(key, None)
        if error is None:
            pending.future.set_result(value)
        else:
            pending.future.set_exception(error)


def _both(first, second):
    def report(fraction):
        first(fraction)
        second(fraction)

    return report


def _wait(pending, progress):
    """The pending result, reporting its progress every ``POLL`` seconds meanwhile."""
    while True:
        try:
            return pending.future.result(timeout=None if progress is None else POLL)
        except WaitTimeout:
            progress(pending.fraction)


class Busy(ValueError):
    """A session asked for more heavy work than its limit while some is still running."""


class Pool:
    """At most ``workers`` heavy computations at once, queued in order; each owner (a
    session) may have at most ``per_owner`` of them queued or running."""

    def __init__(self, workers, per_owner):
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="gradscape-heavy")
        self.per_owner = per_owner
        self._owned, self._lock = Counter(), Lock()

    def in_flight(self, owner):
        """How many of ``owner``'s computations are queued or running."""
        with self._lock:
            return self._owned[owner]

    def submitter(self, owner, what):
        """A ``Store.remember`` ``submit`` for ``owner``: raises ``Busy`` (naming ``what``
        was asked) when the owner is at its limit."""

        def submit(task):
            with self._lock:
                if self._owned[owner] >= self.per_owner:
                    raise Busy(
                        f"{what} waits: your previous map, sweep or tuning is still "
                        f"computing (at most {self.per_owner} at a time per student); "
                        "change a setting again when it is done"
                    )
                self._owned[owner] += 1
            future = self._executor.submit(task)
            future.add_done_callback(lambda _: self._release(owner))
            return future

        return submit

    def _release(self, owner):
        with self._lock:
            self._owned[owner] -= 1
            if not self._owned[owner]:
                del self._owned[owner]
