"""What the served app sends and keeps: the contour picture by URL, the export browser
closed when idle, the heavy work's limit per session."""

import base64
import json
import threading
from pathlib import Path

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import scene as S
from scene import pipeline
from ui.panels import CONTOUR_PLACE, DATA_PNG, PREVIOUS_CONTOUR_PLACE, IdleBrowser

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def race_spec(at):
    """The race chart's Plotly spec as sent: the chart with a contour picture."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return next(s for s in specs if s["layout"].get("images"))


def test_race_carries_its_contour_by_url_and_the_media_file_holds_the_picture(monkeypatch):
    added = []
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, *args, **kwargs):
        url = original(self, data, mimetype, coordinates, *args, **kwargs)
        added.append((data, mimetype, url))
        return url

    monkeypatch.setattr(MediaFileManager, "add", add)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    spec = race_spec(at)
    (image,) = spec["layout"]["images"]
    # the picture the pipeline drew for this scene, as the export still embeds it
    expected = pipeline.draw(S.default_scene()).race.plain["layout"]["images"][0]
    png = base64.b64decode(expected["source"].removeprefix(DATA_PNG))
    [(data, mimetype, url)] = [a for a in added if a[1] == "image/png"]
    assert (data, mimetype) == (png, "image/png")
    assert image["source"] == url.lstrip("/")  # relative: works under a path prefix
    assert not image["source"].startswith("/") and image["source"].endswith(".png")
    # placed exactly as before: only the source changed
    assert {k: v for k, v in image.items() if k != "source"} == {
        k: v for k, v in expected.items() if k != "source"
    }
    assert all("data:image/png" not in chart.proto.spec for chart in at.get("plotly_chart"))


def test_the_picture_a_run_replaced_stays_one_more_run(monkeypatch):
    """A picture's file lives while a run of the session uses it: the run that replaces
    the contour keeps the one before too, and the run after lets it go."""
    added = []
    original = MediaFileManager.add

    def add(self, data, mimetype, coordinates, *args, **kwargs):
        added.append((coordinates, data))
        return original(self, data, mimetype, coordinates, *args, **kwargs)

    def run_and_take(change=None):
        if change:
            change()
        at.run()
        assert not at.exception
        taken = [(place, data) for place, data in added if place.startswith("gradscape.race")]
        added.clear()
        return taken

    monkeypatch.setattr(MediaFileManager, "add", add)
    at = AppTest.from_file(APP, default_timeout=120)
    [(place, first)] = run_and_take()
    assert place == CONTOUR_PLACE
    # a finer grid draws another picture; the first stays with it
    taken = run_and_take(lambda: at.slider(key="grid").set_value(210))
    [second] = [data for place, data in taken if place == CONTOUR_PLACE]
    assert second != first
    assert taken == [(CONTOUR_PLACE, second), (PREVIOUS_CONTOUR_PLACE, first)]
    # a change of lr keeps the picture: the first one goes
    lr = at.select_slider(key="o1.momentum.sgd.lr")
    taken = run_and_take(lambda: lr.set_value(0.005))
    assert taken == [(CONTOUR_PLACE, second)]


class FakeBrowser:
    def __init__(self, log):
        self.log = log
        self.closed = threading.Event()
        log.append("start")

    def close(self):
        self.log.append("close")
        self.closed.set()


def test_export_browser_is_shared_and_closed_when_idle():
    log, made = [], []

    def make():
        made.append(FakeBrowser(log))
        return made[-1]

    shared = IdleBrowser(idle=0.05, make=make)
    assert not shared.running
    with shared.use() as first, shared.use() as second:
        assert first is second  # two exports at once share one Chromium
    assert made[0].closed.wait(10)
    assert log == ["start", "close"] and not shared.running
    with shared.use() as third:  # the next export starts a new one
        assert third is made[1] and shared.running
    assert made[1].closed.wait(10)
    assert log == ["start", "close", "start", "close"]


def test_export_browser_stays_open_while_an_export_runs():
    """The close planned when the first export ended finds a second one running."""
    log = []
    shared = IdleBrowser(idle=0.05, make=lambda: FakeBrowser(log))
    with shared.use() as browser:
        pass
    with shared.use() as again:
        assert not browser.closed.wait(0.3)  # the planned close came and went
        assert again is browser and log == ["start"]
    assert browser.closed.wait(10)


def test_a_session_with_heavy_work_in_flight_is_told_its_new_map_waits(monkeypatch):
    """The pool's limit per session, seen in the app: while this session's earlier map
    computes, a new basin map waits (a message, no map, no error); the race still shows."""
    import ui.landscape as UL
    from scene import landscape as SL

    monkeypatch.setattr(UL, "_session", lambda: "student-1")
    release = threading.Event()
    store = SL.Store(1)
    submit = SL.HEAVY.submitter("student-1", "A sweep")
    blocker = threading.Thread(
        target=lambda: store.remember("x", lambda _: release.wait(30), lambda _: None, submit)
    )
    blocker.start()
    try:
        while SL.HEAVY.in_flight("student-1") == 0:
            release.wait(0.01)
        at = AppTest.from_file(APP, default_timeout=120)
        for key, value in {"surface": "himmelblau", "map": "basin", "mapn": "30"}.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception and not at.warning
        [info] = [i.value.replace("\\", "") for i in at.info if "waits" in i.value]
        assert info.startswith("This basin map waits: your previous map, sweep or tuning")
        assert SL.stored_basin(at.session_state.scene) is None
        assert len(at.get("plotly_chart")) >= 3
    finally:
        release.set()
        blocker.join(10)
    at.run()  # the next run, the earlier work done: the map is computed and drawn
    assert not at.info or all("waits" not in i.value for i in at.info)
    assert SL.stored_basin(at.session_state.scene) is not None


def test_the_first_page_builds_only_its_own_surface(monkeypatch):
    # a fresh server's first page: the surface list is titled from the definitions, so the
    # data surfaces (whose losses compile on an empty cache) are not built for it
    import surfaces

    built = []
    original = surfaces.build
    monkeypatch.setattr(surfaces, "build", lambda d, *a: built.append(d.name) or original(d, *a))
    surfaces._built.cache_clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert built == [S.default_scene().surface.name]
    options = at.selectbox(key="surface").options  # the list still names every surface
    assert "Logistic regression" in options and len(options) == len(surfaces.names()) + 1


def test_a_page_prepares_the_kernels_of_its_surface_and_racers_before_it_runs_them(monkeypatch):
    """On the first run (from the link) and on every change: a session switching to Beale
    on a fresh server has the kernels for Beale made by helpers, not by the server."""
    import optimizers
    from optimizers import warm

    events = []
    needed, run = warm.needed, optimizers.run
    monkeypatch.setattr(
        warm,
        "needed",
        lambda racers, **kw: events.append(("needed", racers, kw)) or needed(racers, **kw),
    )
    monkeypatch.setattr(
        optimizers,
        "run",
        lambda surface, *a, **kw: events.append(("run", surface.name)) or run(surface, *a, **kw),
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["o1"] = "rmsprop,lr:0.01"
    at.run()
    assert not at.exception
    assert events[0] == ("needed", [("rmsprop", None)], {"sid": 0})  # the link's, first
    assert ("run", "rosenbrock") in events
    events.clear()
    at.selectbox(key="surface").select("beale").run()
    assert not at.exception
    first_run = events.index(("run", "beale"))
    assert ("needed", [("rmsprop", None)], {"sid": 1}) in events[:first_run]


def test_a_class_on_every_surface_in_both_languages_keeps_every_contour(monkeypatch):
    # with fewer places than a class's surfaces, the contour layers went round the store
    # and a change recomputed them (mlp_slice's 0.6-1.9 s): p95 0.9 s with 30 students
    import surfaces
    from scene import validate
    from viz import figures

    grids = []
    original = figures.surface_grid
    monkeypatch.setattr(figures, "surface_grid", lambda *a: grids.append(a) or original(*a))
    raw = S.default_scene().to_dict()
    del raw["start"]  # each surface's own
    scenes = []
    for name in surfaces.names():
        scene = validate({**raw, "surface": {"name": name}})[0]
        scenes += [scene, scene.replace(view=scene.view.replace(lang="zh"))]
    for steps in (100, 110):  # another race on the same surfaces: no drawing is reused
        grids.clear()
        for scene in scenes:
            assert pipeline.draw(scene.replace(steps=steps)).layers
    assert grids == []


def test_a_reruns_drawing_goes_when_the_rerun_ends_not_at_a_collection():
    """Nothing in the script's globals keeps them alive in a cycle: with the collector off,
    the scripts' namespaces (each holding its drawing) do not pile up rerun after rerun."""
    import gc

    def namespaces():
        return [o for o in gc.get_objects() if type(o) is dict and "drawing" in o and "st" in o]

    at = AppTest.from_file(APP, default_timeout=120).run()
    gc.collect()
    gc.disable()
    try:
        for steps in (210, 220, 230, 240):
            at.number_input(key="steps").set_value(steps).run()
        assert not at.exception
        assert len(namespaces()) <= 1  # the last rerun's, at most
    finally:
        gc.enable()
