"""Time a scene change (6 optimizers x 1000 steps, 300 x 300 grid) and the data it sends.

    python bench/bench_app.py

Prints the server-side cost of one uncached rerun, split by stage, an AppTest rerun after
a widget change, and the JSON size of every chart. Figures, never assertions.
"""

import statistics
import sys
import time
from pathlib import Path

import plotly.io as pio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from viz import figures as F  # noqa: E402
from viz import scene as S  # noqa: E402
from viz import ui  # noqa: E402

RACERS = ("sgd", "momentum", "nesterov", "adam", "amsgrad", "adamw")


def bench_scene(lr):
    scene = S.default_scene()
    scene["steps"], scene["view"]["grid"] = 1000, 300
    scene["optimizers"] = [S.default_racer(n) for n in S.available() if n in RACERS][:6]
    for racer in scene["optimizers"]:
        racer["hyper"]["lr"] = lr
    return S.validate(scene)[0]


def stages(scene, grid):
    """Seconds per stage of one uncached scene, and the charts' JSON sizes."""
    times, t = {}, time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        times[name] = times.get(name, 0.0) + now - t
        t = now

    S.validate(scene)
    lap("validate")
    surface = S.surface_of(scene)
    box = S.view_box(surface)
    runs = S.run_scene(scene)
    lap("run")
    labels = [S.racer_label(r, i) for i, r in enumerate(scene["optimizers"])]
    figures = [
        F.race_figure(surface, box, grid, runs, labels, scene["view"], S.active_options(scene)),
        F.surface3d_figure(surface, grid, runs, labels, scene["view"], box),
        F.metrics_figure(surface, runs, labels, scene["view"]),
        F.lr_preview_figure(ui.lr_values(scene), labels, scene["view"]),
    ]
    F.results_table(surface, runs, labels, scene["view"]["tolerance"])
    lap("figures")
    sizes = [len(pio.to_json(fig.to_dict(), validate=False)) for fig in figures]
    lap("serialize")
    return times, sizes


def main():
    scene = bench_scene(0.001)
    surface = S.surface_of(scene)
    grid = F.surface_grid(surface, S.view_box(surface), 300)
    stages(scene, grid)  # warm up
    totals = []
    for i in range(10):
        times, sizes = stages(bench_scene(0.001 * (1 + i / 100)), grid)
        totals.append(sum(times.values()))
    print("stage ms (last run):", {k: round(v * 1e3, 1) for k, v in times.items()})
    print(f"uncached scene change, median of 10: {statistics.median(totals) * 1e3:.1f} ms")
    names = ("race", "3d", "metrics", "lr preview")
    print("JSON bytes:", dict(zip(names, sizes, strict=True)), f"total {sum(sizes) / 1e6:.2f} MB")
    print(app_rerun())


def app_rerun():
    from streamlit.testing.v1 import AppTest

    query = S.to_query(bench_scene(0.001))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params.update(query)
    at.run()
    key = f"o0.{RACERS[0]}.sgd.lr"  # racer 0's lr slider (ui keys: o<index>.<name>.<inner>.lr)
    times = []
    for value in (0.002, 0.005, 0.01, 0.02, 0.05, 0.001):
        start = time.perf_counter()
        at.select_slider(key=key).set_value(value).run()
        times.append(time.perf_counter() - start)
    return (
        f"AppTest rerun after an lr slider change, median: {statistics.median(times) * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
