"""The inspector's payload and build time: what inspecting one racer adds to a race.

    python bench/bench_inspector.py

For 1, 3 and 6 racers at 1000 steps (AMSGrad inspected: the most numbers of any rule),
prints the bytes the page receives for the race (``ui.inspector.payload_bytes``) without
and with inspection, the drawing's build time with inspection and its ratio to the time
without (best of 5; the inspected racer is run again with its state recorded). Goal: the
race with the inspector data of one racer at 1000 steps within 1.5 MB.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scene as S  # noqa: E402
from scene import pipeline  # noqa: E402
from ui.inspector import payload_bytes  # noqa: E402

OTHERS = ("sgd", "momentum", "adam", "rmsprop", "adagrad")
LIMIT = 1.5e6


def scene_of(racers, inspect):
    raw = {"optimizers": [{"name": "amsgrad"}] + [{"name": n} for n in OTHERS[: racers - 1]]}
    scene, warnings = S.validate({**raw, "steps": 1000, "view": {"inspect": inspect}})
    assert not warnings, warnings
    return scene


def build_time(scene):
    """Best of 5 builds of the race (and the step table) from a fresh Drawing."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        drawing = pipeline.Drawing(scene)
        drawing.race.to_dict()
        _ = drawing.step_rule
        best = min(best, time.perf_counter() - start)
    return best


def main():
    header = f"{'racers':>6} {'plain kB':>9} {'inspected kB':>13} {'added kB':>9}"
    print(header + f" {'build ms':>9} {'time ratio':>11}")
    worst = 0
    for racers in (1, 3, 6):
        plain, inspected = scene_of(racers, 0), scene_of(racers, 1)
        sizes = [payload_bytes(pipeline.Drawing(s)) for s in (plain, inspected)]
        took = build_time(inspected)
        ratio = took / build_time(plain)
        worst = max(worst, sizes[1])
        print(
            f"{racers:>6} {sizes[0] / 1e3:>9.0f} {sizes[1] / 1e3:>13.0f} "
            f"{(sizes[1] - sizes[0]) / 1e3:>9.0f} {took * 1e3:>9.1f} {ratio:>10.2f}x"
        )
    verdict = "met" if worst <= LIMIT else "NOT met"
    print(f"largest payload {worst / 1e6:.2f} MB; goal <= {LIMIT / 1e6:.1f} MB: {verdict}")


if __name__ == "__main__":
    main()
