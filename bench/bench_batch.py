"""Batch benchmark: run_batch against a hand-written structure-of-arrays kernel.

    python bench/bench_batch.py            # everything (a minute or two with a warm cache)
    python bench/bench_batch.py --quick    # fewer repeats

Goals checked (ratios measured in this one run; the machine is noisy, so each timing is
the best of several repeats, the two kernels taking turns):
* run_batch (Adam on Rosenbrock, 40,000 starts x 500 steps) at >= 0.5x the speed of a
  hand-written structure-of-arrays Numba kernel of the same maths and outputs, both
  split over the same threads;
* a 200 x 200 basin map with 500 steps in about a second;
* a new process loads the batch kernel from the cache (no compilation).
Also printed: the threading choice (a thread pool over lane ranges against Numba's
``prange``) and two callers at once.
"""

import argparse
import math
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numba import njit, prange

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from handfused import CHUNK, adam_rosenbrock_batch  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from optimizers import batch as B  # noqa: E402
from optimizers import landscape  # noqa: E402
from optimizers._prepare import ESCAPE_FACTOR  # noqa: E402

RUNS, STEPS = 40_000, 500
LR, BETA1, BETA2, EPS, TOL = 1e-2, 0.9, 0.999, 1e-8, 1e-6


def best_of(repeats, *fns):
    """The best time of each of ``fns`` over ``repeats`` rounds, taking turns."""
    best = [math.inf] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            began = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - began)
    return best


def starts(count, seed=0):
    (xmin, xmax), (ymin, ymax) = surfaces.get("rosenbrock").view
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)])


def escape_box():
    (xmin, xmax), (ymin, ymax) = surfaces.get("rosenbrock").domain
    box = []
    for lo, hi in ((xmin, xmax), (ymin, ymax)):
        centre, half = (lo + hi) / 2, (hi - lo) / 2 * ESCAPE_FACTOR
        box += [centre - half, centre + half]
    return np.array(box)


def outputs(runs):
    return (
        np.empty((runs, 2)),
        np.empty(runs),
        np.empty(runs, np.int64),
        np.empty(runs, np.int64),
        np.empty(runs, np.int64),
    )


def handwritten(points, out, pool):
    """The hand-written kernel over the same lane ranges and threads as run_batch."""
    box = escape_box()
    size = math.ceil(len(points) / (B.THREADS * 4) / CHUNK) * CHUNK
    jobs = [
        pool.submit(
            adam_rosenbrock_batch,
            points,
            LR,
            BETA1,
            BETA2,
            EPS,
            STEPS,
            TOL,
            box,
            lo,
            min(lo + size, len(points)),
            *out,
        )
        for lo in range(0, len(points), size)
    ]
    for job in jobs:
        job.result()


@njit(parallel=True, nogil=True, error_model="numpy")
def handwritten_prange(points, box, out_xy, out_loss, out_div, out_conv, out_unsteady):
    """The same kernel with Numba's own threads (prange over chunks)."""
    chunks = (len(points) + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        adam_rosenbrock_batch(
            points, LR, BETA1, BETA2, EPS, STEPS, TOL, box, c * CHUNK,
            min(len(points), (c + 1) * CHUNK), out_xy, out_loss, out_div, out_conv, out_unsteady,
        )  # fmt: skip


def engine(points):
    return optimizers.run_batch("rosenbrock", "adam", points, STEPS, LR, tol=TOL)


def against_handwritten(repeats):
    points = starts(RUNS)
    out = outputs(RUNS)
    pool = ThreadPoolExecutor(B.THREADS)
    small = points[:300]
    engine(small), handwritten(small, outputs(300), pool)  # loaded before timing
    ours, theirs = best_of(repeats, lambda: engine(points), lambda: handwritten(points, out, pool))
    result = engine(points)
    same = np.allclose(result.final_xy, out[0], rtol=1e-9, equal_nan=True) and (
        (result.converged_step == out[3]).all() and (result.unsteady == out[4]).all()
    )
    work = RUNS * STEPS
    print(f"Adam on Rosenbrock, {RUNS:,} starts x {STEPS} steps, {B.THREADS} threads")
    print(f"  run_batch          {work / ours / 1e6:8.1f} M steps/s  ({ours:.2f} s)")
    print(f"  hand-written SoA   {work / theirs / 1e6:8.1f} M steps/s  ({theirs:.2f} s)")
    ratio = theirs / ours
    print(
        f"  run_batch / hand-written speed = {ratio:.2f}  (goal >= 0.5: "
        f"{'met' if ratio >= 0.5 else 'MISSED'}); same outputs: {same}"
    )
    return points, pool


def threading_choice(points, pool, repeats):
    out = outputs(len(points))
    box = escape_box()
    handwritten_prange(points[:300], box, *outputs(300))
    one = ThreadPoolExecutor(1)
    pooled, numba_threads, single = best_of(
        repeats,
        lambda: handwritten(points, out, pool),
        lambda: handwritten_prange(points, box, *out),
        lambda: handwritten(points, out, one),
    )
    from numba import threading_layer

    print("Threading, hand-written kernel:")
    print(f"  thread pool over lane ranges  {pooled:.2f} s")
    print(f"  Numba prange ({threading_layer()})  {numba_threads:.2f} s")
    print(f"  one thread                    {single:.2f} s  (pool speed-up {single / pooled:.2f}x)")


def two_callers(points, repeats):
    def both():
        threads = [threading.Thread(target=engine, args=(points,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    alone, together = best_of(repeats, lambda: engine(points), both)
    print(
        f"Two sessions calling run_batch at once: {together:.2f} s for both, "
        f"{alone:.2f} s alone ({2 * alone / together:.2f}x the work per second)"
    )


def basin(repeats):
    surf = surfaces.get("himmelblau")
    landscape.basin_map(surf, "adam", 5, lr=0.05, size=20)
    (seconds,) = best_of(repeats, lambda: landscape.basin_map(surf, "adam", 500, lr=0.05, size=200))
    print(
        f"Basin map, Himmelblau, Adam, 200 x 200 starts x 500 steps: {seconds:.2f} s "
        f"(goal about 1 s: {'met' if seconds <= 1.2 else 'MISSED'})"
    )


_NEW_PROCESS = """
import time
began = time.perf_counter()
import optimizers
optimizers.run_batch("rosenbrock", "adam", [(-1.5, 2.5)] * 1000, 500, lr=0.01)
first = time.perf_counter() - began
from optimizers import _batch
kernels = [k.dispatcher for k in _batch.BATCHES]
print(first, sum(len(k.signatures) for k in kernels),
      sum(sum(k.stats.cache_misses.values()) for k in kernels))
"""


def new_process():
    run = [sys.executable, "-c", _NEW_PROCESS]
    subprocess.run(run, cwd=ROOT, check=True, capture_output=True)  # warms the cache if needed
    first, signatures, misses = subprocess.run(
        run, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    print(
        f"New process, warm cache: import + first batch {float(first):.2f} s; batch kernels "
        f"loaded: {signatures}, cache misses: {misses}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 2 if parser.parse_args().quick else 5
    points, pool = against_handwritten(repeats)
    threading_choice(points, pool, repeats)
    two_callers(points, repeats)
    basin(repeats)
    new_process()


if __name__ == "__main__":
    main()
