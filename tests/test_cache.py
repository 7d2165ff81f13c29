"""scene.cache: bounded stores with a time to live, one computation per key in flight,
and the heavy pool's limit per session."""

import gc
import threading
import time
import tomllib
import weakref
from pathlib import Path

import pytest

from scene import cache
from scene.cache import Busy, Pool, Store

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_entries_unused_for_the_ttl_are_dropped_and_used_ones_kept():
    clock = Clock()
    store = Store(10, ttl=60.0, clock=clock)
    store.put("a", 1)
    store.put("b", 2)
    clock.now = 50.0
    assert store.get("a") == 1  # used at 50: kept until 110
    clock.now = 100.0
    assert store.get("b") is None  # unused since 0
    assert store.get("a") == 1
    assert len(store) == 1
    clock.now = 161.0
    assert len(store) == 0
    calls = []
    assert store.remember("a", lambda: calls.append(1) or 7) == 7  # computed again
    assert calls == [1]


def test_size_bound_drops_the_least_recently_used():
    store = Store(2)
    store.put("a", 1)
    store.put("b", 2)
    store.get("a")
    store.put("c", 3)
    assert (store.get("a"), store.get("b"), store.get("c")) == (1, None, 3)


def test_identical_requests_in_flight_are_computed_once_and_shared():
    store = Store(4)
    release = threading.Event()
    started = threading.Event()
    calls = []

    def compute(report):
        calls.append(threading.current_thread().name)
        started.set()
        report(0.5)
        assert release.wait(10)
        return {"map": 42}

    seen, fractions = [], []

    def ask():
        seen.append(store.remember("map", compute, progress=fractions.append))

    first = threading.Thread(target=ask, name="first")
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=ask) for _ in range(3)]
    for thread in others:
        thread.start()
    while not fractions or len([f for f in fractions if f == 0.5]) < 2:  # waiters polled
        threading.Event().wait(0.05)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert calls == ["first"]
    assert len(seen) == 4 and all(value is seen[0] for value in seen)
    assert store.get("map") is seen[0]


def test_an_error_reaches_every_waiter_and_is_not_stored():
    store = Store(4)
    release = threading.Event()
    started = threading.Event()

    def compute():
        started.set()
        assert release.wait(10)
        raise ValueError("grid x steps over the cap")

    errors = []

    def ask():
        try:
            store.remember("map", compute)
        except ValueError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=ask)]
    threads[0].start()
    assert started.wait(10)
    threads.append(threading.Thread(target=ask))
    threads[1].start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert errors == ["grid x steps over the cap"] * 2
    assert store.get("map") is None
    assert store.remember("map", lambda: 5) == 5  # a later call computes again


def test_pool_limits_each_session_and_runs_the_work_elsewhere():
    pool = Pool(workers=1, per_owner=1)
    store = Store(4)
    release = threading.Event()
    threads = []

    def slow(report):
        threads.append(threading.current_thread().name)
        assert release.wait(10)
        return "first map"

    result = []
    asker = threading.Thread(
        target=lambda: result.append(
            store.remember("a", slow, progress=lambda f: None, submit=pool.submitter("s1", "A"))
        )
    )
    asker.start()
    while pool.in_flight("s1") == 0:
        threading.Event().wait(0.01)
    with pytest.raises(Busy, match="This map waits: your previous map.*at most 1 at a time"):
        store.remember(
            "b",
            lambda r: "second",
            progress=lambda _: None,
            submit=pool.submitter("s1", "This map"),
        )
    # another session is not limited by s1's work (it queues behind it in the pool)
    other = threading.Thread(
        target=lambda: result.append(
            store.remember(
                "c", lambda r: "other", progress=lambda f: None, submit=pool.submitter("s2", "C")
            )
        )
    )
    other.start()
    release.set()
    asker.join(10)
    other.join(10)
    assert sorted(result) == ["first map", "other"]
    assert threads[0].startswith("gradscape-heavy")
    assert pool.in_flight("s1") == 0
    assert store.get("b") is None  # refused: nothing stored, nothing in flight
    assert (
        store.remember(
            "b", lambda r: "second", progress=lambda _: None, submit=pool.submitter("s1", "B")
        )
        == "second"
    )


def test_a_waiter_that_gives_up_leaves_the_pool_computing():
    """Streamlit stops a script that reruns by raising in its next call (here, the
    progress report): the computation in the pool still finishes and is stored."""
    pool = Pool(workers=1, per_owner=1)
    store = Store(4)
    release = threading.Event()

    class Stopped(Exception):
        pass

    def stop(_fraction):
        raise Stopped

    def compute(report):
        assert release.wait(10)
        return "map"

    with pytest.raises(Stopped):
        store.remember("a", compute, progress=stop, submit=pool.submitter("s1", "A"))
    release.set()
    assert (
        store.remember("a", compute, progress=lambda _: None, submit=pool.submitter("s1", "A"))
        == "map"
    )


def test_sweep_empties_expired_stores_nobody_asks_any_more():
    clock = Clock()
    store = Store(10, ttl=60.0, clock=clock)
    store.put("a", [1] * 1000)
    assert store.expire() == 0
    clock.now = 61.0
    assert cache.sweep() is True  # no get or put needed: an idle server gives memory back
    assert store.expire() == 0 and len(store) == 0


class Node:
    """An object that can be watched through a weak reference."""


@pytest.fixture
def restored_thresholds():
    """The collector's thresholds as they were before the test (``settle_memory`` is the
    app server's policy, not the test run's)."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_a_rerun_turns_automatic_full_collections_off_and_the_sweep_makes_them(
    restored_thresholds,
):
    cache.settle_memory()  # a rerun
    assert gc.get_threshold()[2] == cache.NEVER
    assert gc.get_freeze_count() > 0  # the loaded modules, out of the collector's reach
    node = Node()
    node.itself = node  # a reference cycle: only the collector frees it
    watch = weakref.ref(node)
    gc.collect(1)  # it survives the young collections: now in the oldest generation
    del node
    gc.collect(1)
    assert watch() is not None  # the young collections do not see it
    cache.sweep()
    assert watch() is None  # the sweep's full collection freed it


def test_the_sweep_frees_what_became_garbage_with_no_rerun_since(restored_thresholds):
    """A class that left: Streamlit drops its sessions (reference cycles) a minute after
    the tabs closed, when nobody reruns any more; the next sweep must still free them."""
    cache.settle_memory()  # the class's last rerun
    session = Node()
    session.itself = session
    watch = weakref.ref(session)
    gc.collect(1)
    cache.sweep()  # a sweep while the session is alive
    del session  # dropped later, with no rerun since
    gc.collect(1)
    assert watch() is not None
    cache.sweep()
    assert watch() is None


def test_the_sweeper_thread_frees_cycles_within_a_few_sweeps_with_no_call(restored_thresholds):
    """What a class's reruns leave in the oldest generation goes at the next sweep of the
    server's own thread (every ``SWEEP`` s: frequent sweeps keep each collection short)."""
    cache.settle_memory()  # a rerun: automatic full collections off, the sweeper running
    figure = Node()
    figure.itself = figure
    watch = weakref.ref(figure)
    gc.collect(1)  # survived the young collections
    del figure
    gc.collect(1)
    deadline = time.monotonic() + 3 * cache.SWEEP
    while watch() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert watch() is None


def test_a_failing_sweep_hook_is_reported_once_and_the_collection_goes_on(
    restored_thresholds, monkeypatch, caplog
):
    """A hook meeting a Streamlit it does not know (here a test's stand-in runtime) once
    killed the sweeper thread: no collection ever again, and a class's memory grows."""
    calls = []

    def broken():
        calls.append(1)
        raise AttributeError("Mock object has no attribute '_session_mgr'")

    monkeypatch.setattr(cache, "_SWEEP_HOOKS", [broken])
    monkeypatch.setattr(cache, "_FAILED_HOOKS", set())
    cache.settle_memory()
    figure = Node()
    figure.itself = figure
    watch = weakref.ref(figure)
    gc.collect(1)
    del figure
    with caplog.at_level("ERROR", logger="scene.cache"):
        cache.sweep()
        cache.sweep()
    assert watch() is None and len(calls) == 2
    failures = [r for r in caplog.records if "sweep hook" in r.getMessage()]
    assert len(failures) == 1 and "broken" in failures[0].getMessage()
    assert "_session_mgr" in failures[0].exc_text


def test_streamlit_does_not_collect_after_every_rerun():
    # its full collection after every rerun would scan all a class holds (settle_memory)
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_allocator_takes_the_settings_that_return_a_class_memory():
    # CI and the container run on glibc: both mallopt settings must be accepted there
    assert cache.tune_allocator() is True
