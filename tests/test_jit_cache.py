"""The Numba cache: a fresh cache for every source edit, and a writable place to keep it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import optimizers
from surfaces import _jit

ROOT = Path(__file__).resolve().parent.parent


def _copy_sources(tmp_path):
    for folder in ("surfaces", "optimizers"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "viz").mkdir()
    (tmp_path / "viz" / "figures.py").write_text("x = 1\n")
    return tmp_path


def test_fingerprint_is_that_of_the_sources_and_is_the_cache_folder(tmp_path):
    copy = _copy_sources(tmp_path)
    assert _jit.source_fingerprint(copy) == _jit.source_fingerprint()
    if _jit.CACHE_DIR is not None:
        assert _jit.CACHE_DIR.name == _jit.source_fingerprint()


def test_editing_any_kernel_file_gives_a_new_cache(tmp_path):
    """Numba alone would reuse a kernel compiled before an edit to a file it calls into."""
    copy = _copy_sources(tmp_path)
    before = _jit.source_fingerprint(copy)
    rule = copy / "optimizers" / "sgd.py"
    rule.write_text(rule.read_text().replace("P[i, j] - lr * g", "P[i, j] - 2.0 * lr * g"))
    after_rule_edit = _jit.source_fingerprint(copy)
    formula = copy / "surfaces" / "valleys.py"
    formula.write_text(formula.read_text() + "\n# a comment\n")
    after_formula_edit = _jit.source_fingerprint(copy)
    assert len({before, after_rule_edit, after_formula_edit}) == 3


def test_editing_files_outside_the_kernels_keeps_the_cache(tmp_path):
    copy = _copy_sources(tmp_path)
    before = _jit.source_fingerprint(copy)
    (copy / "viz" / "figures.py").write_text("x = 2\n")
    assert _jit.source_fingerprint(copy) == before


def test_unwritable_cache_locations_fall_back_to_the_next(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # nothing can be created below a file, even by root
    chosen = _jit.choose_cache_dir(
        {"NUMBA_CACHE_DIR": str(blocker / "cache")}, home=blocker, fingerprint="abc"
    )
    assert chosen is not None and chosen.name == "abc"
    assert blocker not in chosen.parents
    assert _jit.writable(chosen)


def test_numba_cache_dir_is_used_when_writable(tmp_path):
    chosen = _jit.choose_cache_dir({"NUMBA_CACHE_DIR": str(tmp_path)}, fingerprint="abc")
    assert chosen == tmp_path / "abc"


def test_a_new_process_writes_its_kernels_to_numba_cache_dir(tmp_path):
    """With the package folder untouched, compiled kernels land in $NUMBA_CACHE_DIR."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    code = "import surfaces; print(surfaces.get('rosenbrock').f(1.0, 1.0))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True, check=True
    ).stdout
    assert float(out) == 0.0
    cached = list((tmp_path / _jit.source_fingerprint()).rglob("*.nbi"))
    assert cached, "no kernel was cached in NUMBA_CACHE_DIR"


def _in_new_process(code, cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, text=True, capture_output=True, check=True
    ).stdout.split()


def test_importing_the_engine_compiles_nothing(tmp_path):
    """A fresh server imports at once: each kernel compiles when first used."""
    code = (
        "import optimizers, scene\n"
        "from optimizers import warm\n"
        "print(sum(k.ready for k in warm.every_kernel()), len(warm.every_kernel()))\n"
    )
    from optimizers import registry

    ready, total = _in_new_process(code, tmp_path)
    assert ready == "0" and int(total) == 3 + 2 * len(registry.RULES)  # evaluators + per rule
    assert not list(tmp_path.rglob("*.nbi"))


def test_a_run_compiles_only_its_rule_and_a_new_process_loads_it(tmp_path):
    """One kernel per update rule, each in files of its own: Adam's run leaves Adam's
    trajectory kernel (and the surfaces' formulas) in the cache, and a new process loads
    it without compiling."""
    code = (
        "import optimizers\n"
        "from optimizers import _kernel, registry\n"
        "optimizers.run('rosenbrock', 'adamw', (-1.5, 2.5), 50)\n"
        "kid = registry.get('adam').kernel\n"
        "k = _kernel.TRAJECTORIES[kid].dispatcher\n"
        "print(sum(t.ready for t in _kernel.TRAJECTORIES), len(k.signatures),"
        " sum(k.stats.cache_misses.values()), sum(k.stats.cache_hits.values()))\n"
    )
    assert _in_new_process(code, tmp_path) == ["1", "1", "1", "0"]  # compiled here
    names = sorted(p.name.split("-")[0] for p in tmp_path.rglob("*.nbi"))
    assert names == ["_kernel.trajectory_adam_step"]
    assert _in_new_process(code, tmp_path) == ["1", "1", "0", "1"]  # loaded, not compiled


ADAM = 4  # Adam's kernel id (checked below)
FRESH_PAGE = """
import optimizers, surfaces
from optimizers import _kernel, warm
general = _kernel.TRAJECTORIES[4]  # Adam's (ADAM)
kernels = warm.needed([("adam", None)], sid=1)  # a page racing Adam on Beale
print(*map(warm.address, kernels))
warm.prepare(kernels)
run = optimizers.run("beale", "adam", (1.0, 1.0), 50)
values = surfaces.get("beale").f(run.xy[:, 0], run.xy[:, 1])
print(bool((values == run.loss).all()), general.ready, surfaces._dispatch.values_many.ready)
for helper in {id(h): h for h in warm._helpers.values()}.values():
    helper.process.wait()  # it went on to the kernels for every surface
print(*map(warm.address, warm.needed([("adam", None)], sid=1)))
optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 50)  # no kernel for Rosenbrock alone
print(general.ready, sum(general.dispatcher.stats.cache_misses.values()))
"""


def test_a_fresh_page_prepares_kernels_for_its_surface_and_its_runs_use_them(tmp_path):
    """On an empty cache a page on Beale prepares the values and Adam's kernel for Beale
    alone, and its runs and contour use them; its helpers then compile those kernels for
    every surface, which the next page needs and a run on another surface loads."""
    words = _in_new_process(FRESH_PAGE, tmp_path)
    assert words[:2] == ["values:1", f"trajectory:{ADAM}:1"]  # for Beale alone
    assert words[2:5] == ["True", "False", "False"]  # the run and the contour used them
    assert words[5:7] == ["0", str(3 + ADAM)]  # every_kernel()'s values and Adam
    assert words[7:] == ["True", "0"]  # loaded, not compiled


@pytest.mark.parametrize(
    ("surface", "optimizer", "options"),
    [
        ("beale", "adam", {}),
        ("expression", "nadam", {"noise_std": 0.5, "clip_norm": 1.0}),
        ("linreg", "momentum", {"batch_size": 8, "swa_start": 10}),
    ],
)
def test_a_kernel_for_one_surface_steps_exactly_like_the_one_for_all(
    monkeypatch, surface, optimizer, options
):
    """Bit for bit: the same formulas, only fewer of them compiled in."""
    import surfaces
    from optimizers import _kernel, registry

    assert registry.get("adam").kernel == ADAM
    if surface == "expression":
        surface = surfaces.from_expression("x**4 - 3*x*y + y**2 + sin(3*x)", ((-2, 2), (-2, 2)))
    runs = []
    for choose in (_kernel.specialised, lambda kid, sid: _kernel.TRAJECTORIES[kid]):
        monkeypatch.setattr(_kernel, "trajectory_kernel", choose)
        runs.append(optimizers.run(surface, optimizer, (0.5, 0.7), 60, **options))
    one, every = runs
    assert np.array_equal(one.xy, every.xy, equal_nan=True)
    assert np.array_equal(one.loss, every.loss, equal_nan=True)
    assert np.isfinite(one.loss).sum() > 10  # a real run, not an early divergence


def test_every_kernel_has_files_of_its_own_and_a_label():
    from optimizers import warm

    kernels = warm.every_kernel()
    names = [k.dispatcher.py_func.__qualname__ for k in kernels]
    assert len(set(names)) == len(kernels)
    labels = [k.label for k in kernels]
    assert len(set(labels)) == len(kernels)
    assert "Adam's trajectory kernel" in labels and "SGD's batch kernel" in labels


def test_a_page_needs_the_rules_it_races():
    """Lookahead runs its inner optimizer's rule; momentum and SGD share one."""
    from optimizers import _batch, _kernel, registry, warm
    from surfaces import _dispatch

    kid = {name: registry.get(name).kernel for name in ("sgd", "adam", "rprop")}
    racers = [("momentum", None), ("adam", None), ("sgd", None), ("lookahead", "rprop")]
    assert warm.needed(racers) == [
        _dispatch.values_many,
        _kernel.TRAJECTORIES[kid["sgd"]],
        _kernel.TRAJECTORIES[kid["adam"]],
        _kernel.TRAJECTORIES[kid["rprop"]],
    ]
    both = warm.needed([("adam", None), ("nonsense", None)], curvature=True, batch=True)
    assert both == [
        _dispatch.values_many,
        _dispatch.gradients_many,
        _dispatch.hessians_many,
        _kernel.TRAJECTORIES[kid["adam"]],
        _batch.BATCHES[kid["adam"]],
    ]


def test_prepare_reports_how_many_kernels_are_ready_and_what_it_prepares():
    """Loaded here or compiled by helpers (whichever the test cache needs): the count of
    ready kernels only grows, and the labels are those of the page's kernels."""
    from optimizers import warm

    kernels = warm.needed([("adam", None)])
    total = len(warm.pending(kernels))
    seen = []
    warm.prepare(kernels, lambda done, total, labels: seen.append((done, total, labels)))
    assert all(k.ready for k in kernels)
    assert all(t == total and 0 <= done <= total for done, t, _ in seen)
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)
    assert {label for *_, labels in seen for label in labels} <= {k.label for k in kernels}
    again = []
    warm.prepare(kernels, lambda *a: again.append(a))  # all ready: nothing to report
    assert again == []


PREPARE_A_PAGE = """
import json, sys
from optimizers import warm
from scene.link import racers_of
kernels = warm.needed(racers_of({}), sid=0)  # the default page: Rosenbrock
before = [k.in_cache() for k in kernels]
seen = []
warm.prepare(kernels, lambda done, total, labels: seen.append([done, total, labels]))
ready = [k.ready for k in kernels]
helpers = {id(h): h for h in warm._helpers.values()}.values()
owed = sum(h.running for h in helpers)  # still compiling the kernels for every surface
for helper in helpers:
    helper.process.wait()
print(json.dumps({
    "before": before,
    "after": [k.in_cache() for k in kernels],
    "ready": ready,
    "owed": owed,
    "generals": [k.general is not None and k.general.in_cache() for k in kernels],
    "compiled_here": sum(len(k.dispatcher.stats.cache_misses) for k in kernels),
    "loaded": sum(len(k.dispatcher.stats.cache_hits) for k in kernels),
    "helpers": len(helpers),
    "seen": seen,
}))
"""


def _prepared(tmp_path, setup=""):
    import json

    return json.loads(" ".join(_in_new_process(setup + PREPARE_A_PAGE, tmp_path)))


@pytest.mark.slow
def test_on_an_empty_cache_helpers_compile_a_page_in_parallel_and_the_server_loads_it(tmp_path):
    """The server compiles nothing itself: a helper per core (at most one per rule, the
    evaluators with the first) fills the disk cache with the page's kernels for its
    surface alone, and the page loads them from it; the helpers go on to the same kernels
    for every surface."""
    from optimizers import warm

    page = _prepared(tmp_path)
    assert page["before"] == [False, False, False]  # formulas, SGD's and Adam's kernels
    assert page["after"] == page["ready"] == [True, True, True]
    # the page did not wait for the same kernels for every surface, which came next
    assert page["owed"] >= 1 and page["generals"] == [True, True, True]
    assert page["compiled_here"] == 0 and page["loaded"] == 3
    assert page["helpers"] == min(warm.CORES, 2)
    counts = [done for done, _, _ in page["seen"]]
    assert counts[0] == 0 and counts == sorted(counts) and {t for _, t, _ in page["seen"]} == {3}
    first_labels = page["seen"][0][2]
    assert len(first_labels) == page["helpers"]
    assert "the formulas of Rosenbrock" in first_labels
    if warm.CORES >= 2:
        assert "Adam's trajectory kernel for Rosenbrock" in first_labels  # alongside


@pytest.mark.slow
def test_what_a_helper_fails_to_compile_the_page_compiles_itself(tmp_path):
    """A helper that dies (here: it cannot start Python) leaves its kernels to the page."""
    page = _prepared(tmp_path, "import sys\nsys.executable = '/bin/false'\n")
    assert page["ready"] == [True, True, True]
    assert page["compiled_here"] == 3 and page["loaded"] == 0
    compiled = [labels for _, _, labels in page["seen"] if len(labels) == 1]
    assert compiled[-3:] == [
        ["the formulas of Rosenbrock"],
        ["SGD's trajectory kernel for Rosenbrock"],
        ["Adam's trajectory kernel for Rosenbrock"],
    ]


def test_the_warm_up_shares_cover_every_kernel_in_family_pieces():
    from optimizers import warm

    shares = warm.shares()
    assert shares[0][0] == 0 and shares[-1][1] == len(warm.every_kernel())
    assert all(end == first for (_, end), (first, _) in zip(shares, shares[1:], strict=False))
    assert all(0 < end - first <= warm.PER_PROCESS for first, end in shares)
    trajectories_end = 3 + len(warm.every_kernel()) // 2 - 1  # evaluators, then per rule
    assert trajectories_end in {end for _, end in shares}  # no share mixes the families


def test_kernels_cached_by_different_processes_run_their_own_rules(tmp_path):
    """Numba numbers what it compiles per process: loops that two processes cached under
    one name made a process loading both run SGD's loop in L-BFGS's kernel."""

    def last_point(name):
        return f"optimizers.run('quadratic', '{name}', (-4.0, 3.0), 3).xy[-1].tolist()"

    show = "import json, optimizers; print(json.dumps([{}], separators=(',', ':')))"
    alone = [
        _in_new_process(show.format(last_point(name)), tmp_path)[0]  # each compiles its rule
        for name in ("sgd", "lbfgs")
    ]
    both = _in_new_process(show.format(f"{last_point('sgd')}, {last_point('lbfgs')}"), tmp_path)
    assert both[0] == f"[{alone[0][1:-1]},{alone[1][1:-1]}]"
    assert alone[0] != alone[1]


def test_the_racers_of_a_link_are_known_before_it_is_validated():
    """The page compiles what a link races before validating it (which runs the racers)."""
    from scene import default_scene
    from scene.link import racers_of, to_query

    race = default_scene()
    assert racers_of({}) == [(r.name, r.inner) for r in race.racers]
    query = to_query(race)
    query["o2"] = "lookahead,inner:rprop,lr:0.1"
    assert racers_of(query)[1] == ("lookahead", "rprop")
    assert racers_of({"o1": "x" * 5000}) == [(r.name, r.inner) for r in race.racers]
    hostile = racers_of({"o1": ",,:", "o2": "lookahead,inner:a/b", "o3": "adam,inner:3"})
    assert hostile == [("", None), ("lookahead", None), ("adam", None)]


def test_one_warm_up_per_cache_even_with_several_replicas(tmp_path, monkeypatch):
    """The warm-up starts while the cache is incomplete, once: not again from this server,
    nor from another replica while the pid in ``warming`` lives; a dead one's is taken over."""
    from optimizers import warm

    dead = _in_new_process("import os; print(os.getpid())", tmp_path)[0]  # an ended process
    started = []

    class Started:
        pid = os.getpid()  # a live process

        def __init__(self, command, **_):
            started.append(command)

    monkeypatch.setattr(_jit, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(warm.subprocess, "Popen", Started)
    monkeypatch.setattr(warm, "_started", None)
    assert warm.start_background() is not None
    assert started[0][1:] == ["-m", "optimizers.warm"]
    assert (tmp_path / warm.WARMING).read_text() == str(os.getpid())
    assert warm.start_background() is None  # this server started one
    monkeypatch.setattr(warm, "_started", None)  # another replica, same cache
    assert warm.start_background() is None and len(started) == 1
    (tmp_path / warm.WARMING).write_text(dead)
    assert warm.start_background() is not None and len(started) == 2  # taken over
    monkeypatch.setattr(warm, "_started", None)
    (tmp_path / warm.COMPLETE).write_text("done")
    assert warm.start_background() is None and len(started) == 2


def test_the_warm_up_waits_for_the_helpers_of_a_page(tmp_path, monkeypatch):
    """Asked for while helpers compile a page's kernels, the warm-up starts when the last
    helper ends, not before: the cores go to the page first."""
    import io
    import threading

    from optimizers import warm

    release = threading.Event()
    started = []

    class Process:
        pid = os.getpid()

        def __init__(self, command, **_):
            started.append(command[3:])
            self.stdout = io.StringIO(f"{warm.READY} 0\n" if "--only" in command else "")

        def wait(self):
            release.wait(10)

    monkeypatch.setattr(_jit, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(warm.subprocess, "Popen", Process)
    monkeypatch.setattr(warm, "_started", None)
    monkeypatch.setattr(warm, "_helpers", {})
    helper = warm.Helper(warm.every_kernel()[:1])
    warm._helpers[warm.every_kernel()[0]] = helper
    assert warm.start_background() is None and started == [["--only", "0"]]
    release.set()
    for _ in range(100):
        if len(started) == 2:
            break
        threading.Event().wait(0.05)
    assert started == [["--only", "0"], []]  # the warm-up, after the helper
    assert helper.ready == {warm.every_kernel()[0]} and not helper.running


def test_a_helper_that_cannot_start_has_ended_at_once(monkeypatch):
    """No process to be had (no such program, no memory): the page compiles it instead."""
    from optimizers import warm

    def refuse(command, **_):
        raise FileNotFoundError(command[0])

    monkeypatch.setattr(warm.subprocess, "Popen", refuse)
    helper = warm.Helper(warm.every_kernel()[:1])
    assert not helper.running and helper.ready == set() and helper.compiling is None
