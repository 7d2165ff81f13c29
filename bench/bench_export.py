"""Time the export command against its goals, each run a new process (start-up included).

    python bench/bench_export.py [--repeat N]

Goals (issue 4): a 600 x 800 PNG in 5 s or less; a 60-frame GIF in 20 s or less; the
whole gallery (one browser for all) faster per image than the same images exported one
process each. Prints figures and ratios, never assertions.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from export import command as E  # noqa: E402

PNG_GOAL, GIF_GOAL = 5.0, 20.0


def export(*args):
    """``(wall seconds, CPU seconds)`` of ``python -m export *args`` in a new process.

    CPU counts the process and everything it waited for (Chromium and its helpers).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "export", *map(str, args)], cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def summary(runs, goal=None):
    walls = [wall for wall, _ in runs]
    text = f"median {statistics.median(walls):.2f} s (min {min(walls):.2f}) over {len(runs)}"
    text += f", CPU {statistics.median(cpu for _, cpu in runs):.2f} s"
    if goal:
        text += f"; goal {goal:g} s -> {statistics.median(walls) / goal:.2f} of the goal"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each single export")
    repeat = parser.parse_args().repeat
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        out = Path(folder)
        size = ("--width", 600, "--height", 800)
        png = [export("beale_race", "-o", out / "a.png", *size) for _ in range(repeat)]
        gif = [export("beale_race", "-o", out / "a.gif", "--frames", 60) for _ in range(repeat)]
        width, height = E.GALLERY_GIF_SIZE
        small_gif = export("beale_race", "-o", out / "g.gif", "--width", width, "--height", height)
        gallery = export("--all-presets", "-o", out / "gallery")
        files = sorted((out / "gallery").iterdir())
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"600 x 800 PNG, new process: {summary(png, PNG_GOAL)}")
    print(f"60-frame GIF (800 x 640), new process: {summary(gif, GIF_GOAL)}")
    stills = sum(f.suffix == ".png" for f in files)
    animations = len(files) - stills
    separate = stills * statistics.median(w for w, _ in png) + animations * small_gif[0]
    print(
        f"gallery: {len(files)} files ({stills} PNG, {animations} GIF of 100 frames) in "
        f"{gallery[0]:.1f} s (CPU {gallery[1]:.1f} s) = {gallery[0] / len(files):.2f} s per "
        f"image; one process each (PNG as above, a 640 x 512 GIF {small_gif[0]:.1f} s): "
        f"about {separate / len(files):.2f} s per image -> the gallery takes "
        f"{gallery[0] / separate:.2f} of the time"
    )


if __name__ == "__main__":
    main()
