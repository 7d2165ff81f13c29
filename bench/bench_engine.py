"""Engine benchmark: prints speeds and the ratios the engine's goals are stated in.

    python bench/bench_engine.py            # everything (about a minute with a warm cache)
    python bench/bench_engine.py --quick    # fewer repeats

Goals checked (ratios measured in this one run; the machine is noisy, so each timing is
the best of several repeats):
* one trajectory (Adam on Rosenbrock, 200k steps, path recorded) at >= 0.5x the speed of
  the fastest hand-fused Numba kernel of the same maths that equals PyTorch to rtol 1e-9
  (running products of the betas, ``bench/handfused.py``), outputs allocated in both;
* a new process with a warm cache: import + first trajectory <= 1.5 s; every surface x
  every optimizer once (500 steps) <= 4 s; the kernel compiled once for all of them;
* speed against pure Python and against torch.optim.Adam (when PyTorch is installed);
* two threads (two sessions) at once: the kernels release the GIL, so they run in parallel;
* ``record_state=True`` at most 2x the time of a plain run (Adam, and the worst optimizer);
  the plain run's speed above is the figure to compare with earlier versions;
* a learning-rate range test of 1000 steps well within the app's rerun budget.
"""

import argparse
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from handfused import adam_rosenbrock, adam_rosenbrock_power  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from optimizers import landscape  # noqa: E402

START = (-1.5, 2.5)
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


def best_of(repeats, fn, clock=time.thread_time):
    """The least time over ``repeats`` calls of ``fn``, by ``clock``.

    Thread time by default, not wall time: on a shared machine the wall clock also counts
    the time other processes hold the core, which says nothing about either kernel. Threads
    running at once need the wall clock (``time.perf_counter``).
    """
    best = math.inf
    for _ in range(repeats):
        began = clock()
        fn()
        best = min(best, clock() - began)
    return best


def engine_adam(steps):
    return optimizers.run("rosenbrock", "adam", START, steps, lr=LR)


def handfused_adam(steps, kernel=adam_rosenbrock):
    xy, loss = np.empty((steps + 1, 2)), np.empty(steps + 1)
    return kernel(*START, LR, BETA1, BETA2, EPS, steps, xy, loss)


def python_adam(steps):
    """The same maths as plain Python floats."""
    x, y = START
    mx = my = vx = vy = 0.0
    path = [(x, y)]
    for t in range(1, steps + 1):
        r = y - x * x
        gx, gy = -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r
        mx, my = BETA1 * mx + (1 - BETA1) * gx, BETA1 * my + (1 - BETA1) * gy
        vx, vy = BETA2 * vx + (1 - BETA2) * gx * gx, BETA2 * vy + (1 - BETA2) * gy * gy
        bc1, bc2 = 1 - BETA1**t, math.sqrt(1 - BETA2**t)
        x -= LR / bc1 * mx / (math.sqrt(vx) / bc2 + EPS)
        y -= LR / bc1 * my / (math.sqrt(vy) / bc2 + EPS)
        path.append((x, y))
    return path


def torch_adam(steps):
    import torch

    surface = surfaces.get("rosenbrock")
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    for _ in range(steps):
        x, y = p.detach().tolist()
        p.grad = torch.tensor(surface.grad(x, y), dtype=torch.float64)
        opt.step()


def single_trajectory(repeats):
    steps = 200_000
    engine_adam(10), handfused_adam(10), handfused_adam(10, adam_rosenbrock_power)  # loaded
    engine = best_of(repeats, lambda: engine_adam(steps))
    fused = best_of(repeats, lambda: handfused_adam(steps))
    power = best_of(repeats, lambda: handfused_adam(steps, adam_rosenbrock_power))
    python = best_of(max(1, repeats // 2), lambda: python_adam(20_000)) * steps / 20_000
    rows = [
        ("engine run()", engine),
        ("hand-fused Numba", fused),
        ("  with beta**t", power),
        ("pure Python", python),
    ]
    try:
        import torch  # noqa: F401

        rows.append(("torch.optim.Adam", best_of(1, lambda: torch_adam(2_000)) * steps / 2_000))
    except ImportError:
        pass
    print(f"One trajectory: Adam on Rosenbrock, {steps:,} steps, path recorded")
    for name, seconds in rows:
        print(
            f"  {name:18s} {steps / seconds / 1e6:8.3f} M steps/s   engine is {seconds / engine:8.1f}x"
        )
    # the reference is the faster hand kernel (both equal PyTorch to rtol 1e-9)
    ratio = min(fused, power) / engine
    print(
        f"  engine / hand-fused speed = {ratio:.2f}  (goal >= 0.5: {'met' if ratio >= 0.5 else 'MISSED'})"
        f"; against the beta**t kernel {power / engine:.2f}"
    )


def recording_state(repeats):
    """The time of ``record_state=True`` over that of a plain run, both returning arrays:
    Adam at the app's longest run (``MAX_SHARED_STEPS``) and at 200k steps, and every
    optimizer at the app's longest run."""

    def ratio(name, steps):
        def plain():
            optimizers.run("rosenbrock", name, START, steps)

        def recorded():
            optimizers.run("rosenbrock", name, START, steps, record_state=True)

        plain(), recorded()  # loaded
        return best_of(repeats, recorded) / best_of(repeats, plain)

    print("Recording the state: record_state=True / plain run (goal <= 2)")
    for steps in (optimizers.MAX_SHARED_STEPS, 200_000):
        adam = ratio("adam", steps)
        print(f"  Adam on Rosenbrock, {steps:7,} steps  {adam:5.2f}x  ({_verdict(adam <= 2)})")
    steps = optimizers.MAX_SHARED_STEPS
    ratios = {name: ratio(name, steps) for name in optimizers.names()}
    worst = max(ratios, key=ratios.get)
    print(
        f"  every optimizer, {steps:,} steps: median {np.median(list(ratios.values())):.2f}x, "
        f"worst {worst} {ratios[worst]:.2f}x  ({_verdict(ratios[worst] <= 2)})"
    )


def range_test(repeats):
    """A 1000-step learning-rate range test, wall time (what a rerun waits for)."""
    test = lambda: landscape.lr_range_test("rosenbrock", "adam", START, 1000)  # noqa: E731
    test()
    seconds = best_of(repeats, test, time.perf_counter)
    print(f"Learning-rate range test, Adam on Rosenbrock, 1000 steps: {seconds * 1e3:.2f} ms")


def _verdict(met):
    return "met" if met else "MISSED"


_NEW_PROCESS = """
import time
began = time.perf_counter()
import optimizers, surfaces
optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 500, lr=0.01)
first = time.perf_counter() - began
began = time.perf_counter()
pairs = 0
for s in surfaces.names():
    start = surfaces.get(s).default_start
    for o in optimizers.names():
        optimizers.run(s, o, start, 500)
        pairs += 1
every = time.perf_counter() - began
from optimizers import _kernel
kernels = [k.dispatcher for k in _kernel.TRAJECTORIES]
signatures = sum(len(k.signatures) for k in kernels)
misses = sum(sum(k.stats.cache_misses.values()) for k in kernels)
print(first, every, pairs, signatures, misses)
"""


def new_process():
    subprocess.run(
        [sys.executable, "-c", _NEW_PROCESS], cwd=ROOT, check=True, capture_output=True
    )  # warms the cache if needed
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _NEW_PROCESS], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    total = time.perf_counter() - began
    first, every, pairs, signatures, misses = float(out[0]), float(out[1]), *map(int, out[2:])
    print("New process, warm cache:")
    print(
        f"  import + first trajectory  {first:6.2f} s  (goal <= 1.5 s: {'met' if first <= 1.5 else 'MISSED'})"
    )
    print(
        f"  {pairs} surface x optimizer pairs, 500 steps each  {every:6.2f} s  "
        f"(goal <= 4 s: {'met' if every <= 4 else 'MISSED'})"
    )
    print(
        f"  whole process {total:.2f} s; kernels loaded (one per update rule): {signatures}, "
        f"cache misses: {misses}"
    )


def two_sessions(repeats):
    """Two threads (two students' reruns) against one doing both shares of the work."""
    share = lambda: [engine_adam(20_000) for _ in range(10)]  # noqa: E731

    def both():
        threads = [threading.Thread(target=share) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    serial = best_of(repeats, lambda: (share(), share()), time.perf_counter)
    parallel = best_of(repeats, both, time.perf_counter)
    print(
        f"Two sessions at once (2 threads x 10 runs x 20k steps): {serial / parallel:.2f}x "
        f"the throughput of one thread doing both (2 cores; 1.0 would mean the GIL serialised them)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 3 if parser.parse_args().quick else 7
    single_trajectory(repeats)
    recording_state(repeats)
    range_test(repeats)
    two_sessions(repeats)
    new_process()


if __name__ == "__main__":
    main()
