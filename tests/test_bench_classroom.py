"""The classroom benchmark (bench/bench_classroom.py) against a live app: what it sends is
what a browser sends (a change alters that one value and nothing else), every change
gets its script_finished, and its report reads as numbers."""

import asyncio
import concurrent.futures
import re
import subprocess
import sys
import urllib.parse

import pytest
from streamlit.proto.Selectbox_pb2 import Selectbox
from streamlit.proto.Slider_pb2 import Slider

from bench import bench_classroom as B
from tests.conftest import ROOT

SECONDS = r"p50 ([\d.]+) s, p95 ([\d.]+) s, max ([\d.]+) s"


async def open_page(url, link):
    """A student with ``link``'s page open (its socket open: close it)."""
    student = B.Student(url, link, None, 0, 60, B.Tally())
    await student.connect()
    await student.rerun(student.page.states.values())
    return student


def in_a_thread(coroutine):
    """``asyncio.run(coroutine)`` in a thread of its own: Playwright's sync API, if a browser
    test ran before, keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_bench(*args, timeout=180):
    return subprocess.run(
        [sys.executable, "bench/bench_classroom.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def figure(text, pattern):
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{pattern!r} not in the report:\n{text}"
    return [float(group) for group in found.groups()]


@pytest.mark.slow
def test_two_students_get_every_change_finished_and_a_report_of_numbers(app_url):
    done = run_bench("--url", app_url, "--students", "2", "--seconds", "12", "--heavy", "1")
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert figure(out, r"^students: (\d+) \(heavy (\d+)\)$") == [2, 1]
    assert figure(out, r"^pages opened: (\d+) ") == [2]
    sent = figure(out, r"^changes sent: (\d+)$")[0]
    assert sent >= 2 and figure(out, r"^changes finished: (\d+)$")[0] == sent
    for line in ("change to", "after every page opened", "others' change", "heavy change"):
        p50, p95, top = figure(out, rf"^{line}.*: {SECONDS}$")
        assert 0 < p50 <= p95 <= top
    failures = (
        r"^failures: (\d+) \(timeouts (\d+), disconnects (\d+), refused (\d+), errors (\d+)\)$"
    )
    assert figure(out, failures) == [0] * 5
    assert figure(out, r"^exception elements: (\d+)$") == [0]
    assert figure(out, r"^reruns per second: ([\d.]+)$")[0] > 0
    assert figure(out, r"^kB received per change: ([\d.]+) \(median\)$")[0] > 1
    assert figure(out, r"^client: CPU ([\d.]+) s \(\d+% of a core\), RSS (\d+) MB$")[1] > 0
    # --server-pids auto found the app's own process behind the URL's port
    cpu, rss = figure(
        out, r"^server pid \d+: CPU ([\d.]+) s .* RSS (\d+) MB .*streamlit run app\.py"
    )
    assert cpu > 0 and rss > 100


def test_a_change_alters_that_value_and_nothing_else_in_the_link(app_url):
    """The widget states sent hold every widget at the value the page shows: a change of
    Steps moves steps alone (a choice sent wrong would load a lesson or reset racers)."""

    async def steps_change():
        student = await open_page(app_url, "steps=300")
        try:
            before = dict(urllib.parse.parse_qsl(student.query))
            element = student.page.find("steps")[1]
            student.page.change(element, 700)
            await student.rerun(student.page.states.values())
            return before, dict(urllib.parse.parse_qsl(student.query)), student.tally
        finally:
            await student.socket.close()

    before, after, tally = in_a_thread(steps_change())
    assert before["steps"] == "300" and after["steps"] == "700"
    assert {k: v for k, v in after.items() if k != "steps"} == {
        k: v for k, v in before.items() if k != "steps"
    }
    assert tally.finished == 2 and not tally.exceptions and not tally.errors


def test_choices_are_reported_as_the_browser_shows_them():
    none_chosen = Selectbox(id="$$ID-1-lesson", options=["The Beale race", "Saddle"])
    assert B.held_state("selectbox", none_chosen, None) is None  # index=None: nothing sent
    first = Selectbox(id="$$ID-2-map", options=["none", "basin map"], default=0)
    assert B.held_state("selectbox", first, None).string_value == "none"
    server_set = Selectbox(id="$$ID-2-map", options=["none", "basin map"], default=0)
    server_set.set_value, server_set.raw_value = True, "basin map"
    held = B.held_state("selectbox", first, None)
    assert B.held_state("selectbox", server_set, held).string_value == "basin map"
    assert B.held_state("selectbox", first, held) is held  # not set: what the browser holds
    stops = Slider(id="$$ID-3-o1.adam.sgd.lr", type=Slider.SELECT_SLIDER, options=["0.01", "0.02"])
    stops.default.append(1)
    assert list(B.held_state("slider", stops, None).string_array_value.data) == ["0.02"]
    assert B.user_key("$$ID-3-o1.adam.sgd.lr") == "o1.adam.sgd.lr"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--url", "ftp://x", "--students", "2", "--seconds", "5"],
            "--url='ftp://x' is not an http",
        ),
        (["--url", "http://127.0.0.1:1", "--students", "2", "--seconds", "5"], "no Streamlit"),
        (["--url", "http://127.0.0.1:1", "--students", "0", "--seconds", "5"], "--students='0'"),
        (["--url", "http://127.0.0.1:1", "--students", "2", "--seconds", "x"], "--seconds='x'"),
        (
            ["--url", "http://127.0.0.1:1", "--students", "2", "--seconds", "5", "--heavy", "3"],
            "--heavy=3 is outside 0 to --students (2)",
        ),
    ],
)
def test_a_bad_argument_is_one_line_naming_it(args, message):
    done = run_bench(*args, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
