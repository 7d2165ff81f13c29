"""Surfaces made from data: contour grids, building (training) and mini-batch races.

    python bench/bench_data.py            # everything (under a minute, warm cache)
    python bench/bench_data.py --quick    # fewer repeats

Prints (CPU time of the thread, the best of several repeats; the machine is noisy):
* a 300 x 300 contour grid of ``linreg`` with 1000 points (goal <= 0.5 s) and of
  ``mlp_slice`` with its defaults (goal <= 2 s), against Rosenbrock's grid;
* building ``mlp_slice`` (training its network) the first time, and again (cached);
* a race of 6 optimizers x 1000 mini-batch steps (batch 32) on each data surface, with
  the full-batch race beside it;
* where the app's time goes when it draws such a race on ``mlp_slice``: the engine's runs
  against the figures (race, metrics, the data beside the race, the table), and one run's
  time against the batch size, as ratios to the full batch.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import best_of  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from surfaces import network  # noqa: E402

GRID = 300
RACERS = ("sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad")
RACE_STEPS = 1000
BATCH = 32


def goal(seconds, limit):
    return f"goal <= {limit:g} s: {'met' if seconds <= limit else 'MISSED'}"


def grids(repeats):
    print(f"Contour grid, {GRID} x {GRID} points (f only)")
    cases = [
        ("rosenbrock", {}, None),
        ("linreg", {"points": 1000}, 0.5),
        ("logreg", {"points": 1000}, None),
        ("mlp_slice", {}, 2.0),
    ]
    for name, params, limit in cases:
        surf = surfaces.get(name, **params)
        (x0, x1), (y0, y1) = surf.view
        x, y = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
        seconds = best_of(repeats, lambda s=surf, x=x, y=y: s.f(x, y))
        shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "defaults"
        verdict = f"  ({goal(seconds, limit)})" if limit else ""
        print(f"  {name:10s} {shown:12s} {seconds:7.3f} s{verdict}")


def building():
    network.trained.cache_clear()
    began = time.thread_time()
    surfaces.get("mlp_slice", seed=11)
    first = time.thread_time() - began
    began = time.thread_time()
    surfaces.get("mlp_slice", seed=11)
    again = time.thread_time() - began
    print(f"Building mlp_slice (new seed: training included) {first:.2f} s; again {again:.3f} s")


def race(surf, batch_size):
    return [
        optimizers.run(surf, name, surf.default_start, RACE_STEPS, batch_size=batch_size)
        for name in RACERS
    ]


def races(repeats):
    print(f"Race of {len(RACERS)} optimizers x {RACE_STEPS} steps")
    for name, params in (("linreg", {"points": 1000}), ("logreg", {}), ("mlp_slice", {})):
        surf = surfaces.get(name, **params)
        race(surf, BATCH)  # compiles or loads the kernels
        batched = best_of(repeats, lambda s=surf: race(s, BATCH))
        full = best_of(repeats, lambda s=surf: race(s, None))
        n = len(next(iter(surf.data.values())))
        print(f"  {name:10s} n={n:5d}  batch {BATCH}: {batched:6.3f} s   full batch: {full:6.3f} s")


def app_share(repeats):
    """The app's drawing of a 6 x 1000-step mini-batch race on mlp_slice, by part."""
    import scene as S
    from scene import pipeline
    from scene.run import run_scene

    query = {"surface": "mlp_slice", "steps": str(RACE_STEPS), "batch": str(BATCH)}
    query.update({f"o{i}": f"{name},lr:0.01" for i, name in enumerate(RACERS, start=1)})
    scene, _ = S.from_query(query)
    engine = best_of(repeats, lambda: run_scene(scene))

    def figures():
        drawing = pipeline.Drawing(scene)
        began = time.thread_time()
        for part in ("race", "metrics", "data", "table"):
            getattr(drawing, part)
        return time.thread_time() - began

    figures()  # imports pandas, plotly
    drawn = min(figures() for _ in range(repeats))
    print(f"App drawing of that race on mlp_slice (batch {BATCH}):")
    print(
        f"  engine {engine:.3f} s, figures {drawn:.3f} s: the engine is "
        f"{engine / (engine + drawn):.0%} of the drawing"
    )
    surf = surfaces.get("mlp_slice")
    one = {}
    for size in (1, 8, 32, None):
        run = lambda b=size: optimizers.run(  # noqa: E731
            surf, "sgd", surf.default_start, RACE_STEPS, lr=0.01, batch_size=b
        )
        run()
        one[size] = best_of(repeats, run)
    shown = ", ".join(f"{b or 'full'}: {one[b] / one[None]:.2f}" for b in one)
    print(f"  one run's time by batch size, over the full batch's: {shown}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 2 if parser.parse_args().quick else 5
    grids(repeats)
    building()
    races(repeats)
    app_share(repeats)


if __name__ == "__main__":
    main()
