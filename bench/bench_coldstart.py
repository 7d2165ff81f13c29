"""A fresh deploy: `streamlit run app.py` on an empty Numba cache, to the first chart.

    python bench/bench_coldstart.py                 # empty cache, default page
    python bench/bench_coldstart.py --shots DIR     # also screenshots of the page on its way

Prints the seconds from starting the server to: the server answering, the page saying
what it prepares, the first race chart drawn in Chromium; then to the background warm-up
(``optimizers.warm``) filling the cache; the peak memory of the server with its
children (the warm-up) over the whole run, and of the largest single process. Goals
(issue 13): first chart within 20 s; a 1 GB container must hold the compiling.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from server_wait import wait_for_health

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PORT = 8751
# a Plotly chart taller than the blank one shown while loading (10 px)
CHART_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .some(p => p.offsetHeight > 200 && p.querySelector('.scatterlayer .trace'))"""
PREPARING = "Preparing the engine"
SAYS = "page says it is preparing"


class Memory(threading.Thread):
    """Samples the RSS of a process and its descendants until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.total = self.single = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                sizes = []
                for proc in procs:
                    try:
                        sizes.append(proc.memory_info().rss)
                    except psutil.NoSuchProcess:
                        pass
                self.total = max(self.total, sum(sizes))
                self.single = max(self.single, max(sizes, default=0))
            except psutil.NoSuchProcess:
                return
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="folder for screenshots")
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    cache = Path(tempfile.mkdtemp(prefix="gradscape-cold-"))
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    url = f"http://127.0.0.1:{args.port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(args.port), "--server.address", "127.0.0.1"]
    began = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    memory = Memory(server.pid)
    memory.start()
    seen = {}
    try:
        wait_for_health(url, 0.1)
        seen["server answers"] = time.perf_counter() - began
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url)
            shot = 0
            while "first chart" not in seen:
                now = time.perf_counter() - began
                if SAYS not in seen and PREPARING in page.inner_text("body"):
                    seen[SAYS] = now
                if page.evaluate(CHART_DRAWN):
                    seen["first chart"] = now
                if args.shots and (now > 2 * shot or "first chart" in seen):
                    args.shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.shots / f"cold-{now:05.1f}s.png"))
                    shot += 1
                if now > 300:
                    raise SystemExit("no chart after 300 s")
                time.sleep(0.25)
            browser.close()
        marker = next(cache.glob("*/complete"), None)
        while marker is None and time.perf_counter() - began < 900:
            time.sleep(0.5)
            marker = next(cache.glob("*/complete"), None)
        seen["background warm-up done (cache complete)"] = time.perf_counter() - began
    finally:
        memory.running = False
        server.terminate()
        server.wait(timeout=30)
        memory.join()
    print(f"Empty Numba cache ({cache}): seconds from `streamlit run app.py`")
    for what, seconds in seen.items():
        print(f"  {what:42s} {seconds:6.1f} s")
    goal = seen.get("first chart", 1e9) <= 20
    print(f"  first chart goal <= 20 s: {'met' if goal else 'MISSED'}")
    print(
        f"  memory peak: server and children together {memory.total / 2**20:.0f} MB, "
        f"largest single process {memory.single / 2**20:.0f} MB"
    )


if __name__ == "__main__":
    main()
