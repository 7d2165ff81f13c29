"""A simulated class on a served Gradscape, over Streamlit's own websocket protocol.

    python bench/bench_classroom.py --url http://127.0.0.1:8501 --students 30 --seconds 60
    python bench/bench_classroom.py --url URL --students 30 --seconds 60 --heavy 3

Each student does what a browser does. It loads the page (keeping the cookies, such as a
proxy's sticky-session cookie), opens ``/_stcore/stream`` with the ``streamlit``
subprotocol and sends a ``rerun_script`` BackMsg holding its link's query string; it reads
ForwardMsgs until ``script_finished``, learning the page's widgets from the deltas (an
element's ``id`` is ``$$ID-<hash>-<key>``) and the URL from ``page_info_changed``. Then,
every 3 to 6 s (random, seeded), it changes one value (Steps, racer 1's lr among the
slider's stops, or the gradient noise) and sends ``rerun_script`` with ``widget_states``
holding every widget of the page at its current value plus the changed one, the current
query string, and the hashes of the large messages it holds (Streamlit then sends a short
reference instead of a message the browser already has, as it does for a real browser).

Students arrive one after another over the first 10 s (a quarter of a shorter run). The
class is a mix of scenes (links made by ``scene.to_query``): the default scene, the
lessons, and the default race on other surfaces with other rates and lengths. ``--heavy K``
of the students ask for heavy work: a basin map of 200 x 200 starts, or a sweep; every
later change of theirs recomputes it.

Measured: the time from a change's send to its ``script_finished`` (p50, p95, max; for
the heavy and the other students apart when there are heavy ones), failures (no
``script_finished`` within ``--timeout`` s, a refused or closed connection, a script
compile error), exception elements in the page, reruns per second, data received per
change, the client's own CPU and RSS, and CPU and RSS of every server process
(``--server-pids auto`` reads /proc for the processes listening on the URL's port, the
listening processes their parent started, such as a deploy script's replicas beside its
proxy, and their children). A student whose connection closes or whose change gets no
answer in time reconnects a second later with its current link, as a reloaded page does,
and counts the time until its page is back. Figures, never assertions.

The client is one process for the whole class, and its own pauses would count as the
server's: its collector's full collections (0.1-0.17 s every few seconds with 60 students,
measured) are off while the class runs, and what it loaded before is frozen.
"""

import argparse
import asyncio
import gc
import http.cookiejar
import math
import os
import random
import re
import resource
import statistics
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from google.protobuf.message import DecodeError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THINK = (3.0, 6.0)  # seconds between a student's changes
ARRIVAL = 10.0  # students arrive over the first seconds (at most a quarter of the run)
RECONNECT_WAIT = 1.0
MAX_MESSAGE_AGE = 2  # reruns a held message is kept unused (the server's new_session says)
LENGTHS = (200, 300, 500, 800, 1000)  # steps of the variants
LR_FACTORS = (1.0, 0.5, 2.0, 5.0)
LR_KEY = re.compile(r"o1\.[^.]+\.[^.]+\.lr")  # racer 1's lr: o1.<optimizer>.<inner>.lr
BASIN_GRID = 200


class Usage(Exception):
    """A bad argument: one line naming the parameter, the value and what is allowed."""


# ---------------------------------------------------------------- the class's scenes


def scene_links(students, heavy, seed):
    """``[(query string, heavy work or None)]``, one per student: every fourth the default
    scene, every fourth a lesson, the others the default race on another surface with
    racer 1's lr scaled and another length; ``heavy`` of them (seeded) with heavy work,
    "basin" or "sweep" in turn."""
    import surfaces
    from scene import default_scene, presets, to_query, validate

    lessons = presets.names()
    names = [n for n in surfaces.names() if n != default_scene().surface.name]
    links = []
    for k in range(students):
        if k % 4 == 0:
            links.append("")
        elif k % 4 == 1:
            links.append(urllib.parse.urlencode(to_query(presets.load(lessons[k // 4 % 9])[0])))
        else:
            raw = default_scene().to_dict()
            raw["surface"] = {"name": names[k % len(names)]}
            del raw["start"]  # the surface's own start
            raw["optimizers"][0]["hyper"]["lr"] *= LR_FACTORS[k // len(names) % 4]
            raw["steps"] = LENGTHS[k % len(LENGTHS)]
            links.append(urllib.parse.urlencode(to_query(validate(raw)[0])))
    chosen = sorted(random.Random(seed).sample(range(students), heavy))
    work = {k: ("basin", "sweep")[i % 2] for i, k in enumerate(chosen)}
    return [(link, work.get(k)) for k, link in enumerate(links)]


# ---------------------------------------------------------------- the page a browser holds


def user_key(widget_id):
    """The key a widget was given in the script: ``$$ID-<hash>-<key>`` -> ``<key>``."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else None


def held_state(kind, element, held):
    """The WidgetState a browser reports for widget ``element`` (of Element type
    ``kind``): the value the server set, else the one it holds (``held``), else the
    element's default; None for elements it reports nothing for (buttons, charts) and for
    a choice with nothing chosen. Choices travel as the labels shown, as in a browser."""
    report = REPORTS.get(kind)
    if report is None:
        return None
    if held is not None and not element.set_value:
        return held
    state = WidgetState(id=element.id)
    field, value = report(element)
    if value is None:
        return None
    if field.endswith("_array_value"):
        getattr(state, field).data.extend(value)
    else:
        setattr(state, field, value)
    return state


def _number(e):
    value = e.value if e.set_value else e.default
    return ("double_value", value) if e.data_type == e.FLOAT else ("int_value", int(value))


def _slider(e):
    if e.type == Slider.SELECT_SLIDER:
        picked = e.value if e.set_value else e.default
        labels = list(e.raw_value) if e.set_value and e.raw_value else None
        return "string_array_value", labels or [e.options[int(i)] for i in picked]
    return "double_array_value", list(e.value if e.set_value else e.default)


def _choice(e):
    if e.set_value:
        return "string_value", e.raw_value if e.raw_value or "" in e.options else None
    chosen = e.HasField("default") and 0 <= e.default < len(e.options)  # index=None: none
    return "string_value", e.options[e.default] if chosen else None


def _buttons(e):
    if e.set_value:
        return "string_array_value", list(e.raw_values)
    return "string_array_value", [e.options[i].content for i in e.default]


REPORTS = {
    "number_input": _number,
    "slider": _slider,
    "selectbox": _choice,
    "radio": _choice,
    "button_group": _buttons,
    "checkbox": lambda e: ("bool_value", e.value if e.set_value else e.default),
    "text_input": lambda e: ("string_value", e.value if e.set_value else e.default),
}


class Page:
    """What a browser holds of the app: this run's elements by delta path, the widgets of
    the last finished run with their values, the hashes of the large messages it keeps."""

    def __init__(self):
        self.elements = {}  # delta path -> (kind, element) of the current run
        self.widgets = {}  # user key -> (kind, element) of the last finished run
        self.states = {}  # widget id -> WidgetState
        self.hashes = {}  # message hash -> the run it was last used in
        self.runs = 0
        self.max_age = MAX_MESSAGE_AGE
        self.page_hash = ""
        self.exceptions = []

    def new_run(self, session):
        self.elements.clear()
        self.page_hash = session.page_script_hash
        self.max_age = session.config.max_cached_message_age or MAX_MESSAGE_AGE

    def take(self, msg):
        """Note a delta (or a reference to a held one) of the current run."""
        path = tuple(msg.metadata.delta_path)
        if msg.metadata.cacheable or msg.HasField("ref_hash"):
            self.hashes[msg.hash or msg.ref_hash] = self.runs
        if msg.HasField("ref_hash"):  # a large element: a chart, never a widget
            self.elements[path] = ("held", None)
            return
        delta = msg.delta
        if delta.HasField("add_block"):  # a new container replaces what was there
            self.elements = {p: e for p, e in self.elements.items() if p[: len(path)] != path}
        elif delta.HasField("new_element"):
            kind = delta.new_element.WhichOneof("type")
            element = getattr(delta.new_element, kind)
            self.elements[path] = (kind, element)
            if kind == "exception":
                where = f" (at {element.stack_trace[-1].strip()})" if element.stack_trace else ""
                self.exceptions.append(f"{element.type}: {element.message}{where}")

    def finish(self):
        """The run is over: its widgets are the page's, holding their values."""
        self.widgets, states = {}, {}
        for kind, element in self.elements.values():
            key = user_key(getattr(element, "id", "") or "")
            state = held_state(kind, element, self.states.get(element.id)) if key else None
            if state is not None:
                self.widgets[key.split("@")[0]] = (kind, element)
                states[element.id] = state
        self.states = states
        self.runs += 1
        self.hashes = {h: run for h, run in self.hashes.items() if run >= self.runs - self.max_age}

    def find(self, key):
        """``(kind, element)`` of the widget whose key is ``key`` (a string or a pattern)."""
        for name, widget in self.widgets.items():
            if name == key or (isinstance(key, re.Pattern) and key.fullmatch(name)):
                return widget
        return None

    def change(self, element, value):
        """Set ``element``'s value to ``value``, as a browser's widget does."""
        state = self.states[element.id]
        field = state.WhichOneof("value")
        if field.endswith("_array_value"):
            getattr(state, field).ClearField("data")
            getattr(state, field).data.append(value)
        else:
            setattr(state, field, value)


def current(page, element):
    """The value ``element`` holds on ``page`` (the first of an array)."""
    state = page.states[element.id]
    value = getattr(state, state.WhichOneof("value"))
    return value.data[0] if hasattr(value, "data") else value


def new_steps(page, element, rng):
    """A length as a student types one: any 10 from 100 to 1000 (rarely one drawn before,
    so the server's caches seldom answer)."""
    return rng.choice([s for s in range(100, 1001, 10) if s != current(page, element)])


def new_lr(page, element, rng):
    """A stop of the lr slider within two of the current one."""
    stops = list(element.options)
    at = stops.index(current(page, element))
    return stops[rng.choice([i for i in range(at - 2, at + 3) if i != at and 0 <= i < len(stops)])]


def new_noise(page, element, rng):
    """Off one time in four, else a hundredth from 0.01 to 1."""
    off = current(page, element) != 0 and rng.random() < 0.25
    return 0.0 if off else rng.randrange(1, 101) / 100


CHANGES = (("steps", new_steps), (LR_KEY, new_lr), ("noise", new_noise))


def heavy_changes(work):
    """The changes that set up heavy work: the basin map at 200 a side, or a sweep of lr
    against the racer's first other hyperparameter (lr alone if it has none)."""
    if work == "basin":
        return [("map", lambda page, e, rng: "basin map"), ("mapn", lambda *_: BASIN_GRID)]
    return [("sweep", lambda page, e, rng: e.options[min(2, len(e.options) - 1)])]


# ---------------------------------------------------------------- one student


@dataclass
class Tally:
    """Everything the class measured."""

    changes: list = field(default_factory=list)  # (heavy, seconds, bytes received, sent at)
    opens: list = field(default_factory=list)  # seconds from the socket open to the page
    recoveries: list = field(default_factory=list)  # seconds from a close to the page back
    first_opens: list = field(default_factory=list)  # when each student's page first opened
    changes_sent: int = 0
    finished: int = 0  # reruns that finished, opens included
    timeouts: int = 0
    disconnects: int = 0  # open connections that closed
    refused: int = 0  # connection attempts that failed (one a second while a server is down)
    errors: int = 0
    exceptions: list = field(default_factory=list)


class Lost(Exception):
    """The page stopped answering: no script_finished in time, or the socket closed."""


class Student:
    def __init__(self, url, link, work, seed, timeout, tally):
        self.url, self.query, self.work = url, link, work
        self.rng = random.Random(seed)
        self.timeout, self.tally = timeout, tally
        self.page = Page()
        self.plan = heavy_changes(work) if work else []
        self.socket = None

    async def attend(self, arrive, stop):
        """Open the page at ``arrive`` and change values until ``stop`` (loop times)."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, arrive - loop.time()))
        lost_at = None
        while loop.time() < stop:
            try:
                await self.connect()
                opened = loop.time()
                await self.rerun(self.page.states.values())
                self.tally.opens.append(loop.time() - opened)
                if self.page.runs == 1:  # its first page
                    self.tally.first_opens.append(loop.time())
                if lost_at is not None:
                    self.tally.recoveries.append(loop.time() - lost_at)
                    lost_at = None
                await self.change_values(stop)
                return
            except Lost:
                lost_at = lost_at or loop.time()
                await asyncio.sleep(RECONNECT_WAIT)
            finally:
                if self.socket is not None:
                    await self.socket.close()
                    self.socket = None

    async def connect(self):
        """Load the page (cookies: a proxy's sticky session) and open the stream."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page_url = self.url + ("?" + self.query if self.query else "")
        try:
            await asyncio.to_thread(lambda: opener.open(page_url, timeout=self.timeout).read())
            cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
            parts = urllib.parse.urlsplit(self.url)
            scheme = "wss" if parts.scheme == "https" else "ws"
            self.socket = await websockets.connect(
                f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream",
                subprotocols=["streamlit"],
                origin=f"{parts.scheme}://{parts.netloc}",
                additional_headers={"Cookie": cookies} if cookies else None,
                max_size=None,
                ping_interval=None,  # a browser answers pings and sends none
                open_timeout=self.timeout,
            )
        except (OSError, websockets.WebSocketException, TimeoutError) as error:
            self.tally.refused += 1
            raise Lost from error

    async def change_values(self, stop):
        loop = asyncio.get_running_loop()
        while True:
            think = self.rng.uniform(*THINK)
            if loop.time() + think >= stop:
                return
            try:  # a page notices a closed connection at once, not at its next change
                await asyncio.wait_for(self.socket.wait_closed(), think)
            except TimeoutError:
                pass  # still open: time for the next change
            else:
                self.tally.disconnects += 1
                raise Lost
            states = self.next_change()
            self.tally.changes_sent += 1
            sent = loop.time()
            received = await self.rerun(states)
            self.tally.changes.append((self.work is not None, loop.time() - sent, received, sent))

    def next_change(self):
        """Every widget's state with one value changed: the next step of the heavy work's
        set-up, else a random one of CHANGES whose widget is on the page."""
        if self.plan:
            key, pick = self.plan.pop(0)
            choices = [(key, pick)]
        else:
            choices = list(CHANGES)
            self.rng.shuffle(choices)
        for key, pick in choices:
            widget = self.page.find(key)
            if widget is not None:
                element = widget[1]
                self.page.change(element, pick(self.page, element, self.rng))
                break
        return list(self.page.states.values())  # none found: a plain rerun

    async def rerun(self, states):
        """Send ``rerun_script`` as a browser does; read until its ``script_finished``.
        Returns the bytes received."""
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query
        client.page_script_hash = self.page.page_hash
        client.widget_states.widgets.extend(states)
        client.cached_message_hashes.extend(self.page.hashes)
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-US"
        client.context_info.url = self.url
        try:
            await self.socket.send(msg.SerializeToString())
            return await asyncio.wait_for(self.until_finished(), self.timeout)
        except TimeoutError as error:
            self.tally.timeouts += 1
            raise Lost from error
        except websockets.ConnectionClosed as error:
            self.tally.disconnects += 1
            raise Lost from error
        except DecodeError as error:  # not a ForwardMsg: the page would break too
            self.tally.errors += 1
            raise Lost from error

    async def until_finished(self):
        received = 0
        while True:
            frame = await self.socket.recv()
            received += len(frame)
            msg = ForwardMsg.FromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.page.new_run(msg.new_session)
            elif kind in ("delta", "ref_hash"):
                self.page.take(msg)
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "session_event" and msg.session_event.HasField(
                "script_compilation_exception"
            ):
                self.tally.errors += 1
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.tally.errors += 1
                if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.page.finish()
                    self.tally.finished += 1
                    self.tally.exceptions += self.page.exceptions
                    self.page.exceptions = []
                    return received


# ---------------------------------------------------------------- server processes (/proc)


def proc_stat(pid):
    """``(parent pid, CPU seconds, RSS bytes)`` of ``pid``, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    rest = stat[stat.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(rest[11]) + int(rest[12])) / ticks
    return int(rest[1]), cpu, pages * os.sysconf("SC_PAGE_SIZE")


def command(pid):
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    words = raw.decode(errors="replace").split("\0")
    if " " not in words[0]:  # a path, not a title a process gave itself ("nginx: worker")
        words[0] = os.path.basename(words[0])
    return " ".join(words).strip()[:90]


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def listeners():
    """``{pid: {ports}}``: the processes with TCP sockets listening, and their ports."""
    ports = {}  # socket inode -> port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A":  # LISTEN
                ports[f"socket:[{cols[9]}]"] = int(cols[1].rsplit(":", 1)[1], 16)
    found = {}
    for pid in all_pids():
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if listening := {ports[link] for link in links if link in ports}:
            found[pid] = listening
    return found


def server_group(port):
    """The processes serving ``port`` on this machine: those listening on it, the
    listening processes their parent started (a deploy script's replicas beside its
    proxy; not init's), and all their children (proxy workers, an export's browsers)."""
    listening = listeners()
    stats = {pid: s for pid in all_pids() if (s := proc_stat(pid)) is not None}
    front = {p for p, ports in listening.items() if port in ports and p in stats}
    parents = {stats[p][0] for p in front} - {0, 1}
    found = front | {p for p in listening if p in stats and stats[p][0] in parents}
    grew = True
    while grew:
        children = {p for p, s in stats.items() if s[0] in found} - found
        found |= children
        grew = bool(children)
    return found


class Servers:
    """CPU and RSS of the server processes, sampled through the run."""

    def __init__(self, spec, port):
        self.spec, self.port = spec, port
        self.first, self.last, self.peak = {}, {}, {}
        self.alive = set()  # the processes found by the latest sample

    def pids(self):
        if self.spec == "auto":
            return server_group(self.port)
        return set() if self.spec == "none" else set(self.spec)

    def sample(self):
        self.alive = set()
        for pid in self.pids() | set(self.last):
            stat = proc_stat(pid)
            if stat is None:
                continue
            self.alive.add(pid)
            self.first.setdefault(pid, (stat[1], command(pid)))
            self.last[pid] = stat
            self.peak[pid] = max(self.peak.get(pid, 0), stat[2])

    async def watch(self, stop):
        loop = asyncio.get_running_loop()
        while loop.time() < stop:
            self.sample()
            await asyncio.sleep(1.0)

    def lines(self, seconds):
        if not self.first:
            return [f"server processes: none found ({self.spec}; port {self.port})"]
        out, cpu, rss = [], 0.0, 0
        for pid in sorted(self.first):
            used = self.last[pid][1] - self.first[pid][0]
            cpu += used
            rss += self.last[pid][2] if pid in self.alive else 0
            out.append(
                f"server pid {pid}: CPU {used:.1f} s ({used / seconds:.0%} of a core), "
                f"RSS {self.last[pid][2] / 1e6:.0f} MB (peak {self.peak[pid] / 1e6:.0f})"
                + ("" if pid in self.alive else " when last seen: exited")
                + f" [{self.first[pid][1]}]"
            )
        out.append(
            f"servers total: CPU {cpu:.1f} s ({cpu / seconds:.0%} of a core), RSS "
            f"{rss / 1e6:.0f} MB (those running at the end)"
        )
        return out


# ---------------------------------------------------------------- the class


async def hold_class(args, links, servers):
    loop = asyncio.get_running_loop()
    tally = Tally()
    start = loop.time()
    stop = start + args.seconds
    arrival = min(ARRIVAL, args.seconds / 4)
    students = [
        Student(args.url, link, work, args.seed * 1000 + k, args.timeout, tally)
        for k, (link, work) in enumerate(links)
    ]
    watcher = asyncio.create_task(servers.watch(stop + args.timeout))
    await asyncio.gather(
        *(s.attend(start + arrival * k / len(students), stop) for k, s in enumerate(students))
    )
    watcher.cancel()
    servers.sample()
    return tally, loop.time() - start


def spread(values):
    """``p50 .. p95 .. max ..`` of ``values`` (seconds)."""
    if not values:
        return "none"
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values):.3f} s, p95 {p95:.3f} s, max {values[-1]:.3f} s"


def report(args, tally, elapsed, cpu, servers, load):
    heavy = [c for c in tally.changes if c[0]]
    # the class's arrival (every first run at once) apart from its steady work
    everyone = max(tally.first_opens) if len(tally.first_opens) == args.students else math.inf
    light = [c for c in tally.changes if not c[0]]
    failures = tally.timeouts + tally.disconnects + tally.refused + tally.errors
    kinds = sorted(set(tally.exceptions))
    lines = [
        f"url: {args.url}",
        f"students: {args.students} (heavy {args.heavy})",
        f"seconds: {elapsed:.1f}",
        f"pages opened: {len(tally.opens)} ({spread(tally.opens)})",
        f"changes sent: {tally.changes_sent}",
        f"changes finished: {len(tally.changes)}",
        f"change to script_finished: {spread([c[1] for c in tally.changes])}",
        f"after every page opened: {spread([c[1] for c in tally.changes if c[3] > everyone])}",
    ]
    if args.heavy:
        lines.append(f"others' change to script_finished: {spread([c[1] for c in light])}")
        lines.append(f"heavy change to script_finished: {spread([c[1] for c in heavy])}")
    received = statistics.median([c[2] for c in tally.changes]) / 1e3 if tally.changes else 0
    lines += [
        f"failures: {failures} (timeouts {tally.timeouts}, disconnects {tally.disconnects}, "
        f"refused {tally.refused}, errors {tally.errors})",
        f"reconnected: {len(tally.recoveries)} ({spread(tally.recoveries)})",
        f"exception elements: {len(tally.exceptions)}"
        + "".join(f"\n  {text[:300]}" for text in kinds[:5]),
        f"reruns per second: {tally.finished / elapsed:.2f}",
        f"kB received per change: {received:.1f} (median)",
        f"client: CPU {cpu:.1f} s ({cpu / elapsed:.0%} of a core), RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB",
        *servers.lines(elapsed),
        f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on it slows the figures)",
    ]
    print("\n".join(lines))


# ---------------------------------------------------------------- arguments


def positive(name, kind):
    allowed = f"allowed: a {'whole number' if kind is int else 'number'} above 0"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise Usage(f"{name}={text!r} is not a number; {allowed}") from None
        if not value > 0:
            raise Usage(f"{name}={text!r} is not above 0; {allowed}")
        return value

    return parse


def pid_spec(text):
    if text in ("auto", "none"):
        return text
    try:
        return [int(p) for p in text.split(",")]
    except ValueError:
        raise Usage(
            f"--server-pids={text!r} is not understood; allowed: auto, none, or pids like 12,34"
        ) from None


def checked_url(text):
    """``text`` as the app's base URL, after its health check answered."""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Usage(f"--url={text!r} is not an http(s) URL; allowed: e.g. http://127.0.0.1:8501")
    if parts.query or parts.fragment:
        raise Usage(
            f"--url={text!r} has a query; allowed: the app's address only (the class brings its links)"
        )
    base = text.rstrip("/")
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as answer:
            answer.read()
    except (OSError, ValueError) as error:
        raise Usage(
            f"--url={text!r}: no Streamlit health check answered at {base}/_stcore/health ({error})"
        ) from None
    return base


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)


def arguments(argv):
    parser = Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", required=True, help="the app's address, e.g. http://127.0.0.1:8501"
    )
    parser.add_argument("--students", type=positive("--students", int), required=True)
    parser.add_argument("--seconds", type=positive("--seconds", float), required=True)
    parser.add_argument("--heavy", type=int, default=0, help="students asking for heavy work")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--timeout",
        type=positive("--timeout", float),
        default=30.0,
        help="seconds a change may take before it counts as failed",
    )
    parser.add_argument(
        "--server-pids",
        type=pid_spec,
        default="auto",
        help="auto (the processes behind the URL's port), none, or pids 12,34",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.heavy <= args.students:
        raise Usage(f"--heavy={args.heavy} is outside 0 to --students ({args.students})")
    args.url = checked_url(args.url)
    return args


def main(argv=None):
    try:
        args = arguments(sys.argv[1:] if argv is None else argv)
    except Usage as error:
        print(f"bench_classroom: {error}", file=sys.stderr)
        return 2
    links = scene_links(args.students, args.heavy, args.seed)
    parts = urllib.parse.urlsplit(args.url)
    servers = Servers(args.server_pids, parts.port or (443 if parts.scheme == "https" else 80))
    servers.sample()
    load = os.getloadavg()
    before = resource.getrusage(resource.RUSAGE_SELF)
    gc.freeze()
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, 2**30)  # no full collection during the class
    try:
        tally, elapsed = asyncio.run(hold_class(args, links, servers))
    finally:
        gc.set_threshold(young, middle, full)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    report(args, tally, elapsed, cpu, servers, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
