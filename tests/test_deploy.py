"""Serving a class: deploy/serve.sh (replicas behind nginx), the container and Kubernetes files.

The served tests run in file order against one `serve.sh --replicas 2`: the ready line, first
visits spread over the replicas, a cookie keeps a browser on its replica, the websocket
upgrades, a replica is killed, and finally serve.sh is stopped. A page in Chromium whose
replica dies, and a hung replica, each have a `serve.sh` of their own.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVE = DEPLOY / "serve.sh"
MANIFESTS = sorted((DEPLOY / "k8s").glob("*.yaml"))
LOAD = 180_000  # ms; the first session may compile the engine


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes():
    """(pid, parent, session, environment) of every live process readable here."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state, parent, _, session = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:4]
        except OSError:  # gone meanwhile, or another user's
            continue
        if state != "Z":
            yield int(proc.name), int(parent), int(session), environ


def _ours(mark, sessions=()):
    """Pids of live processes that serve.sh started, and they in turn: those whose environment
    carries GRADSCAPE_TEST_MARK=mark (serve.sh passes its environment on; nginx rewrites its
    own, so its processes are found by session instead: serve.sh starts each child in a
    session of its own, which the child's children share)."""
    tag = f"GRADSCAPE_TEST_MARK={mark}".encode()
    return sorted(pid for pid, _, session, env in _processes() if tag in env or session in sessions)


def _cmdline(pid):
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def _start(args, mark):
    return subprocess.Popen(
        ["bash", str(SERVE), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHON": sys.executable, "GRADSCAPE_TEST_MARK": mark},
        start_new_session=True,
    )


def _stop(process, mark, sessions=()):
    """Test clean-up only: whatever a failed test left running."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for pid in _ours(mark, sessions):
        os.kill(pid, signal.SIGKILL)


def _get(url, cookie=None):
    """Status, the replica that answered (nginx's X-Gradscape-Replica) and the cookie set."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=120) as response:  # nginx waits 30 s at most
        response.read()
        return response.status, response.headers["X-Gradscape-Replica"], response.headers


# --- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, named",
    [
        ([], "--replicas is required"),
        (["--replicas", "2"], "--port is required"),
        (["--replicas", "0", "--port", "8080"], "--replicas '0' is not allowed"),
        (["--replicas", "two", "--port", "8080"], "--replicas 'two' is not allowed"),
        (["--replicas", "17", "--port", "8080"], "--replicas '17' is not allowed"),
        (["--replicas", "2", "--port", "65536"], "--port '65536' is not allowed"),
        (["--replicas", "2", "--port", "-1"], "--port '-1' is not allowed"),
        (["--replicas", "2", "--port", "80", "--host", "a b"], "--host 'a b' is not allowed"),
        (["--replicas", "2", "--port", "80", "--host", "x;y"], "--host 'x;y' is not allowed"),
        (["--replicas", "2", "--port"], "--port needs a value"),
        (["--replicas", "2", "--port", "80", "--workers", "3"], "unknown argument '--workers'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, named):
    mark = uuid.uuid4().hex
    done = subprocess.run(
        ["bash", str(SERVE), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "GRADSCAPE_TEST_MARK": mark},
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("serve.sh: ") and named in lines[0]
    # it names what is allowed too
    assert re.search(r"from 1 to \d+|allowed: --replicas|an IPv4 address", lines[0])
    assert _ours(mark) == []


def test_a_port_in_use_stops_everything_with_nginx_s_reason():
    mark = uuid.uuid4().hex
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = _start(["--replicas", "1", "--port", str(port), "--host", "127.0.0.1"], mark)
        try:
            out, err = process.communicate(timeout=120)
        finally:
            _stop(process, mark)
    assert process.returncode == 1
    assert out == ""
    assert f"nginx did not start on 127.0.0.1:{port}" in err
    assert "Address already in use" in err
    assert _ours(mark) == []


# --- serve.sh with two replicas ------------------------------------------------------------


@contextlib.contextmanager
def _serving(replicas):
    """serve.sh --replicas N on a free port, until the block ends (or the test stops it)."""
    mark = uuid.uuid4().hex
    port = _free_port()
    process = _start(
        ["--replicas", str(replicas), "--port", str(port), "--host", "127.0.0.1"], mark
    )
    ready = process.stdout.readline()  # serve.sh gives up by itself after two minutes
    if process.poll() is not None:
        _stop(process, mark)
        pytest.fail(f"serve.sh exited {process.returncode}: {process.stderr.read()}")
    sessions = {pid for pid, parent, _, _ in _processes() if parent == process.pid}
    started = {pid: _cmdline(pid) for pid in _ours(mark, sessions) if pid != process.pid}
    master = next(c for c in started.values() if c.startswith("nginx: master"))
    run_dir = Path(re.search(r"-p (\S+)/ ", master).group(1))
    # the replicas' names in nginx's configuration: "~127\.0\.0\.1:PORT$" rN;
    names = re.findall(r":(\d+)\$\" (r\d+);", (run_dir / "nginx.conf").read_text())
    replica_pids = {
        re.search(r"--server.port (\d+)", c).group(1): pid
        for pid, c in started.items()
        if "streamlit run app.py" in c
    }
    try:
        yield SimpleNamespace(
            process=process,
            mark=mark,
            sessions=sessions,
            port=port,
            url=f"http://127.0.0.1:{port}",
            ready=ready,
            started=started,
            run_dir=run_dir,
            replicas={name: (int(port_), replica_pids[port_]) for port_, name in names},
        )
    finally:
        _stop(process, mark, sessions)


@pytest.fixture(scope="module")
def served():
    with _serving(2) as serving:
        yield serving


@pytest.mark.slow
def test_one_line_when_every_replica_answers(served):
    assert served.ready == f"Gradscape: 2 replicas ready at http://127.0.0.1:{served.port}\n"
    replicas = [c for c in served.started.values() if "streamlit run app.py" in c]
    masters = [c for c in served.started.values() if c.startswith("nginx: master")]
    assert len(replicas) == 2 and len(masters) == 1
    assert all("--server.address 127.0.0.1" in c for c in replicas)
    for replica in replicas:
        port = re.search(r"--server.port (\d+)", replica).group(1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as answer:
            assert answer.read() == b"ok"
    status, _, _ = _get(served.url + "/_stcore/health")
    assert status == 200


@pytest.mark.slow
def test_replicas_allocate_with_the_c_library_s_malloc(served):
    for _, pid in served.replicas.values():
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"PYTHONMALLOC=malloc" in environment


@pytest.mark.slow
def test_replicas_run_their_event_loop_on_uvloop(served):
    # Streamlit's server uses uvloop when it is installed: one wake-up of the loop per
    # batch of a rerun's messages instead of one per message (60 students: p95 0.26-0.36 s
    # against 0.41-0.67 s on asyncio's own loop, measured)
    for _, pid in served.replicas.values():
        mapped = Path(f"/proc/{pid}/maps").read_text()
        assert re.search(r"/uvloop/loop\.[^/]*\.so", mapped), f"replica {pid} runs without uvloop"


@pytest.mark.slow
def test_first_visits_spread_and_a_cookie_stays(served):
    # every client here has one address (127.0.0.1), like a class behind a school's NAT
    firsts = [_get(served.url + "/") for _ in range(4)]
    assert {name for _, name, _ in firsts} == {"r1", "r2"}
    for status, name, headers in firsts:
        assert status == 200
        assert f"gradscape_replica={name}; Path=/; HttpOnly" in headers["Set-Cookie"]
    for name in ("r1", "r2"):
        again = {
            _get(served.url + path, f"gradscape_replica={name}")[1]
            for path in ("/", "/_stcore/health", "/", "/_stcore/host-config", "/")
        }
        assert again == {name}
    # a forged or stale cookie is a first visit, not an error
    status, name, headers = _get(served.url + "/", "gradscape_replica=r9")
    assert status == 200 and name in {"r1", "r2"}
    assert f"gradscape_replica={name}" in headers["Set-Cookie"]


def _stream(served, name):
    """A websocket to the app's stream through nginx, held on replica ``name`` by its cookie."""
    from websockets.sync.client import connect

    return connect(
        served.url.replace("http", "ws") + "/_stcore/stream",
        subprotocols=["streamlit"],
        additional_headers={"Cookie": f"gradscape_replica={name}"},
        origin=served.url,
        open_timeout=30,
        max_size=None,
    )


@pytest.mark.slow
def test_the_websocket_upgrades_through_nginx(served):
    for name in ("r1", "r2"):
        with _stream(served, name) as socket_:
            assert socket_.response.status_code == 101
            assert socket_.response.headers["X-Gradscape-Replica"] == name


@pytest.mark.slow
def test_bad_websocket_messages_through_nginx_close_that_socket_only(served):
    from websockets.exceptions import ConnectionClosed

    for name in ("r1", "r2"):
        for message in (b"\x08\xff\xff\xff\xff\x0f garbage", b"\x00" * (3 * 2**20)):
            with _stream(served, name) as socket_:
                try:  # the replica drops what is not a message, or the whole socket
                    socket_.send(message)
                    socket_.recv(timeout=5)
                except (ConnectionClosed, TimeoutError):
                    pass
        with _stream(served, name) as socket_:  # the replica still serves the next page
            assert socket_.response.status_code == 101
        status, replica, _ = _get(served.url + "/_stcore/health", f"gradscape_replica={name}")
        assert (status, replica) == (200, name)


@pytest.mark.slow
@pytest.mark.browser
def test_a_hostile_link_through_nginx_warns_and_falls_back(served, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(served.url + "/?surface=%3Cscript%3Ex&steps=1e999&o1=adam,lr:nan&" + "x" * 3000)
    _drawn(page)
    warnings = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    assert any("unknown surface" in w for w in warnings), warnings
    assert any("steps" in w for w in warnings) and any("lr" in w for w in warnings)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "surface=rosenbrock" in page.url and errors == []
    page.close()


def _drawn(page):
    """Wait for a whole script run drawn: the race, the results table, the sidebar's widgets."""
    page.wait_for_selector(".js-plotly-plot .imagelayer image", state="attached", timeout=LOAD)
    page.wait_for_selector('[data-testid="stTable"]', timeout=LOAD)
    page.wait_for_selector('[data-testid="stSidebar"] [data-testid="stSelectbox"]', timeout=LOAD)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=LOAD)


def _counted(websocket):
    """[websocket, how many frames it has received so far]."""
    entry = [websocket, 0]
    websocket.on("framereceived", lambda _: entry.__setitem__(1, entry[1] + 1))
    return entry


def _replica_cookie(context):
    return {c["name"]: c["value"] for c in context.cookies()}.get("gradscape_replica")


@pytest.mark.slow
@pytest.mark.browser
def test_a_page_through_nginx_and_its_replica_killed(browser, artifacts):
    with _serving(2) as served:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        sockets = []  # [websocket, frames received]: the page's sessions
        page.on("websocket", lambda ws: sockets.append(_counted(ws)))
        page.goto(served.url + "/?steps=80")
        _drawn(page)
        page.screenshot(path=str(artifacts / "served-through-nginx.png"))
        first = _replica_cookie(context)
        assert first in served.replicas
        assert page.locator('[data-testid="stException"]').count() == 0
        assert errors == []

        # its replica dies: Streamlit's page reconnects through nginx, which sends it to the
        # other replica (and moves the cookie there). The page keeps showing the old run until
        # the student's next change, which the new session runs with the scene of the link.
        os.kill(served.replicas[first][1], signal.SIGKILL)
        for _ in range(LOAD // 250):
            if len(sockets) > 1:
                break
            page.wait_for_timeout(250)
        (survivor,) = set(served.replicas) - {first}
        assert len(sockets) == 2 and _replica_cookie(context) == survivor
        steps = page.get_by_role("spinbutton", name="Steps (1 to 5000)")
        steps.fill("81")
        steps.press("Enter")
        for _ in range(LOAD // 250):  # the new session's answer, from the survivor
            if sockets[1][1] > 0:
                break
            page.wait_for_timeout(250)
        assert sockets[1][1] > 0
        _drawn(page)
        page.screenshot(path=str(artifacts / "served-after-a-replica-died.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
        # the scene is back: the link's steps (the change that met the failover may be lost)
        for _ in range(LOAD // 250):  # until the run's link is in the address bar
            if f"steps={steps.input_value()}&" in page.url:
                break
            page.wait_for_timeout(250)
        shown = steps.input_value()
        assert shown in {"80", "81"} and f"steps={shown}&" in page.url
        assert _replica_cookie(context) == survivor
        context.close()


@pytest.mark.slow
def test_a_killed_replica_s_students_reach_the_survivor(served):
    (killed, (port, pid)), (survivor, _) = sorted(served.replicas.items())
    os.kill(pid, signal.SIGKILL)
    said = served.process.stderr.readline()
    assert said.startswith(f"serve.sh: replica {killed[1:]} (port {port}) exited"), said
    for cookie in (f"gradscape_replica={killed}", f"gradscape_replica={survivor}", None):
        status, name, headers = _get(served.url + "/", cookie)
        assert (status, name) == (200, survivor)
        assert f"gradscape_replica={survivor}" in headers["Set-Cookie"]
    assert served.process.poll() is None


@pytest.mark.slow
def test_a_hung_replica_is_taken_out():
    """A replica that accepts connections but never answers (stopped): the first request for it
    waits out nginx's 30 s read timeout and is answered by the other; nginx then leaves it out,
    so the next request is not sent to it at all."""
    with _serving(2) as served:
        (hung, (_, pid)), (other, _) = sorted(served.replicas.items())
        os.killpg(pid, signal.SIGSTOP)
        try:
            for _ in range(2):
                status, name, headers = _get(served.url + "/", f"gradscape_replica={hung}")
                assert (status, name) == (200, other)
                assert f"gradscape_replica={other}" in headers["Set-Cookie"]
        finally:
            os.killpg(pid, signal.SIGCONT)
        log = (served.run_dir / "error.log").read_text()
        assert log.count("upstream timed out") == 1
        assert log.count("upstream server temporarily disabled") == 1


@pytest.mark.slow
def test_sigterm_leaves_nothing_behind_even_sent_twice(served):
    assert len(_ours(served.mark, served.sessions)) >= 3  # nginx, its workers, a replica
    assert (served.run_dir / "nginx.conf").exists()
    master = next(pid for pid, c in served.started.items() if c.startswith("nginx: master"))
    served.process.send_signal(signal.SIGTERM)
    # an impatient second signal while it stops (`timeout` sends one to its whole
    # group) must not cut the clean-up short: sent once nginx has gone, while the replica goes
    while Path(f"/proc/{master}").exists() and served.process.poll() is None:
        pass
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    assert _ours(served.mark, served.sessions) == []
    assert not served.run_dir.exists()


# --- the container, compose and Kubernetes files --------------------------------------------


def _run(*command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kwargs)


def test_the_dockerfile_passes_hadolint():
    done = _run("hadolint", "--no-color", "deploy/Dockerfile")
    assert (done.returncode, done.stdout) == (0, "")


def test_hadolint_refuses_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install curl\n")
    done = _run("hadolint", "--no-color", str(bad))
    assert done.returncode == 1
    assert "DL3007" in done.stdout  # the latest tag
    assert "DL3014" in done.stdout  # apt-get install without -y


def _validate(manifest):
    """kubernetes-validate --strict (fields unknown to the schema refused), plus what it lets
    pass with a warning only: a kind or apiVersion it has no schema for."""
    done = _run("kubernetes-validate", "--strict", str(manifest))
    said = done.stdout + done.stderr
    documents = len([d for d in yaml.safe_load_all(Path(manifest).read_text()) if d])
    passed = said.count(" passed for resource ")
    return done.returncode == 0 and passed == documents and "WARN" not in said, said


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.name)
def test_manifests_are_valid_kubernetes(manifest):
    valid, said = _validate(manifest)
    assert valid, said


@pytest.mark.parametrize(
    "manifest, old, new, reason",
    [
        ("deployment.yaml", "replicas: 2", "replicas: two", "is not of type 'integer'"),
        ("deployment.yaml", "readinessProbe:", "readynessProbe:", "readynessProbe"),
        ("deployment.yaml", "      containers:", "      container:", "'containers' is a required"),
        ("ingress.yaml", "networking.k8s.io/v1", "networking.k8s.io/v9", "Couldn't find schema"),
        ("service.yaml", "port: 80", "port: http", "is not of type 'integer'"),
    ],
)
def test_a_broken_manifest_is_refused(tmp_path, manifest, old, new, reason):
    text = (DEPLOY / "k8s" / manifest).read_text()
    assert old in text
    broken = tmp_path / manifest
    broken.write_text(text.replace(old, new))
    valid, said = _validate(broken)
    assert not valid
    assert reason in said


def _documents():
    return {doc["kind"]: doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text())}


def test_pods_are_probed_on_the_health_endpoint_and_held_by_a_cookie():
    docs = _documents()
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["ports"] == [{"name": "http", "containerPort": 8501}]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/_stcore/health", "port": 8501}
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's USER
    assert docs["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert (
        docs["Service"]["spec"]["selector"] == docs["Deployment"]["spec"]["selector"]["matchLabels"]
    )
    ingress = docs["Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-name"] == "gradscape_replica"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "gradscape", "port": {"name": "http"}}


def test_the_image_serves_and_is_checked_on_one_port():
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    instructions = [line for line in lines if line and not line.startswith(("#", " "))]
    assert instructions[0] == "FROM python:3.11-slim-bookworm"
    assert "RUN bash deploy/install.sh && rm -rf /var/lib/apt/lists/*" in instructions
    assert "RUN python deploy/warm_cache.py" in instructions
    assert "USER 10001" in instructions
    text = "\n".join(lines)
    assert "NUMBA_CPU_NAME=generic" in text and "PYTHONMALLOC=malloc" in text
    assert "EXPOSE 8501" in instructions
    assert "http://127.0.0.1:8501/_stcore/health" in text
    assert '"--server.port=8501"' in instructions[-1] and instructions[-1].startswith("CMD")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["gradscape"]
    assert compose["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    command = compose["command"]
    assert command[:2] == ["bash", "deploy/serve.sh"]
    assert command[command.index("--port") + 1] == "8501"
    assert compose["ports"] == ["${GRADSCAPE_PORT:-8501}:8501"]


@pytest.mark.slow
def test_the_image_s_warm_up_calls_every_kernel():
    done = _run(sys.executable, "deploy/warm_cache.py", timeout=1200)
    assert done.returncode == 0, done.stderr
    # every surface (and a typed formula) with every optimizer, one run and one batch each
    import optimizers
    import surfaces

    calls = 2 * (len(surfaces.names()) + 1) * len(optimizers.names())
    assert done.stdout == f"Numba cache warm: the default scene and {calls} engine calls\n"


@pytest.mark.parametrize("script", ["deploy/serve.sh", "deploy/install.sh", ".ci/run"])
def test_shell_scripts_pass_shellcheck(script):
    done = _run("shellcheck", script)
    assert (done.returncode, done.stdout) == (0, "")


def test_shellcheck_refuses_a_bad_script(tmp_path):
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/tmp\n")
    done = _run("shellcheck", str(bad))
    assert done.returncode == 1 and "SC2086" in done.stdout
