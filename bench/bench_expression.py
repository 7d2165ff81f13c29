"""Typed-formula benchmark: from text to a ready Surface, and the interpreter's speed.

    python bench/bench_expression.py            # everything (under a minute, warm cache)
    python bench/bench_expression.py --quick    # fewer repeats

Prints (each timing the best of several repeats; the machine is noisy):
* ``from_expression`` for a few formulas, domain suggested: the first formula of a new
  process (sympy's import included: what the app's first formula costs) and a new
  formula in a warm process. Goal: from typing to a Surface ready to run well under 2 s;
* the speed of typed formulas against the built-in compiled ones, f, gradient and
  Hessian over a million points, as ratios (time typed / time built-in);
* an Adam trajectory on typed Rosenbrock against built-in Rosenbrock (ratio of times).
"""

import argparse
import subprocess
import sys
from itertools import count
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_engine import best_of  # noqa: E402

import optimizers  # noqa: E402
import surfaces  # noqa: E402
from surfaces import _dispatch  # noqa: E402

# Built-in surfaces typed as text, the way a user would.
TYPED = {
    "booth": "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "goldstein_price": "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
    "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
    "ackley": "-20*exp(-0.2*sqrt((x^2 + y^2)/2)) - exp((cos(2*pi*x) + cos(2*pi*y))/2) + e + 20",
}
GOAL_SECONDS = 2.0


_FIRST_IN_PROCESS = """
import sys, time
began = time.perf_counter()
import surfaces
loaded = time.perf_counter()
surfaces.from_expression(sys.argv[1])
done = time.perf_counter()
print(loaded - began, done - loaded)
"""


def time_to_surface(repeats):
    print("from_expression (domain suggested, minima found):")
    text = TYPED["himmelblau"]
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_IN_PROCESS, text],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    load, first = min(runs, key=lambda r: r[1])
    verdict = "met" if first <= GOAL_SECONDS else "MISSED"
    print(
        f"  first formula of a new process  {first:6.3f} s (after 'import surfaces', "
        f"{load:.2f} s)  goal <= {GOAL_SECONDS:g} s: {verdict}"
    )
    surfaces.from_expression("x^2 + y^2")  # sympy imported, rules cached
    for name, text in TYPED.items():
        variants = (f"{text} + {k}" for k in count(1))  # a new text each time: no cache answers
        seconds = best_of(repeats, lambda v=variants: surfaces.from_expression(next(v)))
        print(f"  {name:16s} {seconds:6.3f} s   ({len(text)} characters)")


def evaluation_time(many, surface, xs, ys, repeats):
    out = np.empty((xs.size, 3))
    return best_of(repeats, lambda: many(surface.sid, surface.kernel_params, xs, ys, out))


def evaluation_speed(repeats):
    n = 1_000_000
    rng = np.random.default_rng(0)
    print(f"Evaluation over {n:,} points, typed / built-in time (1 = as fast):")
    print(f"  {'surface':16s} {'f':>8s} {'gradient':>9s} {'Hessian':>8s}   ns per point (typed f)")
    for name, text in TYPED.items():
        builtin = surfaces.get(name)
        typed = surfaces.from_expression(text, builtin.domain)
        (x0, x1), (y0, y1) = builtin.domain
        xs, ys = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
        ratios, typed_f = [], None
        for many in (_dispatch.values_many, _dispatch.gradients_many, _dispatch.hessians_many):
            seconds = [evaluation_time(many, s, xs, ys, repeats) for s in (typed, builtin)]
            ratios.append(seconds[0] / seconds[1])
            typed_f = typed_f or seconds[0] / n * 1e9
        print(f"  {name:16s} {ratios[0]:7.1f}x {ratios[1]:8.1f}x {ratios[2]:7.1f}x   {typed_f:.1f}")


def trajectory_speed(repeats):
    steps = 200_000
    builtin = surfaces.get("rosenbrock")
    typed = surfaces.from_expression(TYPED["rosenbrock"], builtin.domain)
    seconds = []
    for surface in (typed, builtin):
        optimizers.run(surface, "adam", (-1.5, 2.5), 10, lr=1e-3)
        seconds.append(
            best_of(
                repeats, lambda s=surface: optimizers.run(s, "adam", (-1.5, 2.5), steps, lr=1e-3)
            )
        )
    typed_speed, builtin_speed = (steps / s / 1e6 for s in seconds)
    ratio = seconds[0] / seconds[1]
    print(f"Adam on Rosenbrock, {steps:,} steps (typed / built-in time: {ratio:.2f}x)")
    print(f"  typed {typed_speed:.2f} M steps/s, built-in {builtin_speed:.2f} M steps/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 2 if parser.parse_args().quick else 5
    for measure in (time_to_surface, evaluation_speed, trajectory_speed):
        measure(repeats)


if __name__ == "__main__":
    main()
