"""Figure structure: static paths, light frames, markers, log levels, payload growth."""

import json

import numpy as np
import plotly.io as pio
import pytest

import optimizers
import scene as S
import surfaces
from scene import defaults
from scene.run import run_scene, surface_of, view_box
from scene.text import active_options, racer_label
from viz import figures as F
from viz import tables as T


def build(steps=200, racers=("sgd", "adam"), lr=0.01):
    racers = tuple(defaults.racer(n).with_hyper(lr=lr) for n in racers)
    scene, _ = S.validate(S.default_scene().replace(steps=steps, racers=racers))
    surface = surface_of(scene.surface)
    box = view_box(surface)
    grid = F.surface_grid(surface, box, 60)
    runs = run_scene(scene)
    labels = [racer_label(r, i) for i, r in enumerate(scene.racers, start=1)]
    fig = F.race_figure(surface, box, grid, runs, labels, scene.view, active_options(scene))
    return scene, surface, runs, labels, fig


def payload(fig):
    return len(pio.to_json(fig.to_dict(), validate=False))


def traces(fig):
    return fig.to_dict()["data"]


def test_one_static_path_per_optimizer():
    _, _, runs, labels, fig = build(racers=("sgd", "momentum", "adam"))
    paths = [t for t in traces(fig) if t["type"] == "scatter" and t["mode"] == "lines"]
    assert [t["name"] for t in paths] == labels
    box = view_box(surface_of(S.default_scene().surface))
    for trace, run in zip(paths, runs, strict=True):
        shown = F.visible_path(run.xy, box).astype(np.float32)
        np.testing.assert_array_equal(F.decode(trace["x"]), shown[:, 0])
        np.testing.assert_array_equal(F.decode(trace["y"]), shown[:, 1])


def test_frames_carry_only_heads_and_trails():
    _, _, runs, _, fig = build(steps=120)
    frames = fig.to_dict()["frames"]
    assert len(frames) == 121
    racer_trace = len(traces(fig)) - 1
    for frame in frames:
        assert frame["traces"] == [racer_trace]
        assert len(frame["data"]) == 1
        assert len(frame["data"][0]["x"]) == len(runs) * (F.TRAIL + 1)


def test_payload_grows_linearly_with_steps():
    sizes = [payload(build(steps=n)[-1]) for n in (200, 400, 800)]
    first, second = sizes[1] - sizes[0], sizes[2] - sizes[1]
    assert second == pytest.approx(2 * first, rel=0.2)
    assert first / 200 < 1000  # bytes per step for two racers


def test_frames_and_scrubber_stops_are_capped():
    assert len(F.frame_steps(5000)) <= F.MAX_FRAMES + 1
    assert F.frame_steps(5000)[-1] == 5000
    fig = build(steps=999)[-1]
    stops = fig.to_dict()["layout"]["sliders"][0]["steps"]
    assert len(stops) <= F.MAX_SCRUB_STOPS + 1
    assert stops[-1]["label"] == "999"
    assert len(fig.to_dict()["frames"]) == 1000


def test_minima_and_start_are_marked():
    _, surface, _, _, fig = build()
    minima = next(t for t in traces(fig) if t["name"] == "minimum")
    assert list(zip(minima["x"], minima["y"], strict=True)) == [tuple(m) for m in surface.minima]
    assert any(t["name"] == "start" for t in traces(fig))


def test_rosenbrock_uses_log_levels():
    _, surface, _, _, _ = build()
    grid = F.surface_grid(surface, view_box(surface), 60)
    assert F.uses_log_levels(grid[2], surface.f_min)
    flat = np.linspace(1.0, 2.0, 100)
    assert not F.uses_log_levels(flat, 0.0)


def test_diverging_run_is_marked_and_axes_stay_on_the_view():
    _, surface, runs, _, fig = build(racers=("sgd",), lr=1.0, steps=100)
    assert runs[0].diverged_at is not None
    diverged = next(t for t in traces(fig) if t["name"] == "diverged")
    assert diverged["text"] == [f"diverged @ {runs[0].diverged_at}"]
    assert diverged["cliponaxis"] is False
    (xmin, xmax), (ymin, ymax) = view_box(surface)
    layout = fig.to_dict()["layout"]
    assert layout["xaxis"]["range"] == [xmin, xmax]
    assert layout["yaxis"]["range"] == [ymin, ymax]
    heads = fig.to_dict()["frames"][-1]["data"][0]["x"]
    assert np.all(np.isfinite(heads)) and np.all((heads >= xmin) & (heads <= xmax))


def test_figure_serializes_to_plain_json():
    fig = build(steps=50)[-1]
    spec = json.loads(pio.to_json(fig.to_dict(), validate=False))
    assert spec["layout"]["sliders"][0]["steps"][10]["label"] == "10"
    assert spec["layout"]["updatemenus"][0]["buttons"]


def test_badge_annotation_when_options_are_on():
    scene, surface, runs, labels, _ = build()
    box = view_box(surface)
    grid = F.surface_grid(surface, box, 40)
    fig = F.race_figure(surface, box, grid, runs, labels, scene.view, ["gradient noise"])
    assert "gradient noise" in fig.to_dict()["layout"]["annotations"][0]["text"]


def test_log_axes_label_their_ticks_in_full():
    scene, surface, runs, labels, _ = build(steps=80)
    metrics = F.metrics_figure(surface, runs, labels, scene.view).to_dict()["layout"]
    logs = [axis for name, axis in metrics.items() if name.startswith("yaxis")]
    logs = [axis for axis in logs if axis.get("type") == "log"]
    assert len(logs) >= 3 and all(axis["tickformat"] == "~g" for axis in logs)
    preview = F.lr_preview_figure([runs[0].lr], labels[:1], scene.view).to_dict()["layout"]
    assert preview["yaxis"]["tickformat"] == "~g"


def test_panels_table_and_csv():
    scene, surface, runs, labels, _ = build(steps=80)
    metrics = F.metrics_figure(surface, runs, labels, scene.view)
    assert len(traces(metrics)) == 4 * len(runs)
    table = T.results_table(surface, runs, labels, 1e-3)
    assert list(table["racer"]) == labels
    one = T.trajectory_csv(runs[0]).splitlines()
    assert one[0] == "step,x,y,f,gx,gy,lr"
    assert len(one) == 82
    csv = T.trajectories_csv(runs, labels).splitlines()
    assert csv[0] == "racer,step,x,y,f,gx,gy,lr"
    assert len(csv) == 1 + 81 * len(runs)
    first = csv[1].split(",")
    assert first[:2] == [labels[0], "0"] and float(first[2]) == runs[0].xy[0, 0]
    last = csv[-1].split(",")  # the last point: no step taken from it
    assert last[:2] == [labels[-1], "80"] and last[5:] == ["", "", ""]
    assert float(last[4]) == runs[-1].loss[-1]  # every digit kept
    three_d = F.surface3d_figure(
        surface,
        F.surface_grid(surface, view_box(surface), 40),
        runs,
        labels,
        scene.view,
        view_box(surface),
    )
    surface_trace = traces(three_d)[0]
    assert surface_trace["type"] == "surface"
    assert F.decode(surface_trace["z"]).shape == (40, 40)


def test_typed_arrays_round_trip_and_plotly_layers_merge_over_plain_parts():
    values = np.array([[1.5, np.nan], [-2.0, 3.25]])
    np.testing.assert_array_equal(F.decode(F.typed(values, "f8")), values)
    assert F.typed(values)["shape"] == "2, 2"
    fig = build(steps=20)[-1]
    fig.update_layout(template="plotly_dark", xaxis={"gridcolor": "red"})
    layout = fig.to_dict()["layout"]
    assert layout["xaxis"]["gridcolor"] == "red"
    assert layout["xaxis"]["range"] == list(view_box(build(steps=20)[1])[0])
    assert layout["template"]["layout"]["paper_bgcolor"] == "rgb(17,17,17)"


def test_a_dropped_race_is_freed_at_once_without_the_collector():
    """Its frames go with it, not at the server's next full collection (no cycle)."""
    import gc
    import weakref

    fig = build(steps=20)[-1]
    gone = weakref.ref(fig.plain["frames"][-1]["data"][0]["x"])  # a frame's array
    payload(fig)  # as st.plotly_chart reads it
    gc.disable()
    try:
        del fig
        assert gone() is None
    finally:
        gc.enable()


def test_a_figure_reads_the_same_before_and_after_plotlys_own_api_is_first_used():
    fig = build(steps=20)[-1]
    before = json.loads(pio.to_json(fig, validate=False))
    assert before["layout"]["template"] == {"data": {"scatter": [{"type": "scatter"}]}}
    assert fig.layout.template.data.scatter[0].type == "scatter"  # go.Figure's parts made
    assert json.loads(pio.to_json(fig, validate=False)) == before


def test_threads_reading_a_new_figures_layout_at_once_all_get_it():
    """Sessions share figures: one makes go.Figure's parts, the others wait for them."""
    import threading

    fig = build(steps=20)[-1]
    start, results = threading.Barrier(8), []

    def read():
        start.wait()
        try:
            results.append(fig.layout.template.data.scatter[0].type)
        except AttributeError as error:
            results.append(error)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["scatter"] * 8
    with pytest.raises(AttributeError):
        getattr(fig, "no_such_attribute")  # noqa: B009 (a name that is not there)


def test_surface_without_minimum_gets_its_loss_and_the_distance_to_the_saddle():
    raw = S.default_scene().to_dict()
    raw["surface"] = {"name": "saddle", "params": {}}
    raw["start"], raw["steps"] = [0.5, 0.01], 60
    scene, _ = S.validate(raw)
    surface, runs = surface_of(scene.surface), run_scene(scene)
    labels = [racer_label(r, i) for i, r in enumerate(scene.racers, start=1)]
    layout = F.metrics_figure(surface, runs, labels, scene.view).to_dict()["layout"]
    titles = [a["text"].replace("<br>", " ") for a in layout["annotations"]]
    assert titles[:2] == ["f (unbounded below)", "distance to nearest saddle"]
    assert layout["yaxis"]["type"] == "linear"
    table = T.results_table(surface, runs, labels, 1e-3)
    expected = np.hypot(runs[0].xy[-1, 0], runs[0].xy[-1, 1])  # the saddle is at the origin
    assert table["distance to nearest saddle"][0] == pytest.approx(expected)
    assert table["f − f*"].isna().all()


@pytest.mark.parametrize(
    "title, longest, shown",
    [
        ("learning rate", 12, "learning<br>rate"),
        ("distance to nearest minimum", 12, "distance to<br>nearest minimum"),
        ("lr", 12, "lr"),
        ("到最近极小值\u200b的距离", 12, "到最近极小值<br>的距离"),  # Chinese breaks where marked
        ("学习率", 12, "学习率"),
        ("到最近\u200b鞍点", 9, "到最近<br>鞍点"),  # 10 wide: a Chinese character counts two
        ("到最近\u200b鞍点", 10, "到最近鞍点"),  # narrow enough: the mark dropped
    ],
)
def test_panel_titles_break_near_their_middle_at_a_space_or_a_marked_place(title, longest, shown):
    assert F._two_lines(title, longest) == shown


def test_the_table_header_has_no_break_mark():
    surface = surfaces.get("himmelblau")
    traj = optimizers.run(surface, "adam", (0.0, 0.0), 20, lr=0.1)
    table = T.results_table(surface, [traj], ["Adam"], 1e-3, "zh")
    assert "到最近极小值的距离" in table.columns
