"""The app on surfaces made from data (AppTest): the batch-size control, the data beside
the race with the chosen racer's model at the step shown, epochs on the metrics."""

import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import scene as S
from scene.run import run_scene, surface_of
from viz import figures as F
from viz.data_marks import EPOCH

APP = str(Path(__file__).resolve().parent.parent / "app.py")
BATCH_LABEL = "mini-batch size (samples per step)"


def start(query):
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in {"lang": "en", **query}.items():
        at.query_params[key] = value
    return at.run()


def charts(at):
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def data_chart(at):
    """The data figure's spec (its title names the model), or None."""
    found = [c for c in charts(at) if "model" in str(c["layout"].get("title", ""))]
    assert len(found) <= 1
    return found[0] if found else None


def trace(spec, name):
    (found,) = [t for t in spec["data"] if t.get("name") == name]
    return found


def scene_in_url(at):
    return S.from_query({k: v for k, v in at.query_params.items()})[0]


def test_the_batch_control_and_the_data_show_on_a_data_surface_only():
    at = start({"surface": "rosenbrock"})
    assert not at.exception
    assert BATCH_LABEL not in [s.label for s in at.select_slider]
    assert data_chart(at) is None
    at = start({"surface": "linreg"})
    assert not at.exception
    (control,) = [s for s in at.select_slider if s.label == BATCH_LABEL]
    assert control.value == "full" and control.options[:3] == ["1", "2", "4"]
    assert data_chart(at) is not None


def test_choosing_a_batch_size_reaches_the_link_and_marks_the_epochs():
    at = start({"surface": "linreg", "o1": "sgd,lr:0.05", "steps": "100"})
    (control,) = [s for s in at.select_slider if s.label == BATCH_LABEL]
    control.set_value(32).run()
    assert not at.exception
    assert at.query_params["batch"] == "32"
    scene = scene_in_url(at)
    assert scene.options.batch_size == 32
    (trajectory,) = run_scene(scene)
    metrics = next(c for c in charts(at) if "shapes" in c["layout"])
    epochs = {s["x0"] for s in metrics["layout"]["shapes"] if s.get("name") == EPOCH}
    assert (
        epochs
        == set(trajectory.epoch_starts[1:].tolist())
        == {4, 8, 12, 16} | set(range(20, 100, 4))
    )
    assert at.number_input(key="seed").value == 0  # the seed of the batches shows


def test_the_fitted_line_is_the_chosen_racers_at_every_step_shown():
    query = {"surface": "linreg", "o1": "sgd,lr:0.05", "o2": "adam,lr:0.1", "mapracer": "2"}
    at = start({**query, "steps": "60", "batch": "10", "seed": "3"})
    assert not at.exception
    scene = scene_in_url(at)
    adam = run_scene(scene)[1].xy
    spec = data_chart(at)
    line = trace(spec, "model")
    assert "Adam" in spec["layout"]["title"]["text"]
    x, y = np.array(line["x"]), np.array(line["y"])
    w, b = adam[-1]
    np.testing.assert_allclose(y, w * x + b, rtol=1e-12)
    assert len(spec["frames"]) == 61
    for frame in spec["frames"]:
        w, b = adam[int(frame["name"])]
        drawn = frame["data"][0]
        np.testing.assert_allclose(drawn["y"], w * np.array(drawn["x"]) + b, rtol=1e-12)
    data = surface_of(scene.surface).data
    scatter = trace(spec, "data")
    np.testing.assert_allclose(F.decode(scatter["x"]), data["x"], rtol=1e-6)
    np.testing.assert_allclose(F.decode(scatter["y"]), data["y"], rtol=1e-6)


def test_the_decision_boundary_of_logistic_regression_is_perpendicular_to_the_weights():
    at = start({"surface": "logreg", "o1": "adam,lr:0.1", "steps": "50", "batch": "20"})
    assert not at.exception
    (trajectory,) = run_scene(scene_in_url(at))
    line = trace(data_chart(at), "model")
    w1, w2 = trajectory.xy[-1]
    # both ends on w1 x1 + w2 x2 = 0, a line through the origin
    np.testing.assert_allclose(w1 * np.array(line["x"]) + w2 * np.array(line["y"]), 0, atol=1e-9)
    assert charts(at)[0]["layout"]["xaxis"]["title"]["text"] == "w₁"


def test_the_network_slice_shows_its_decision_regions():
    at = start({"surface": "mlp_slice", "o1": "adam,lr:0.01", "steps": "30", "batch": "16"})
    assert not at.exception
    regions = trace(data_chart(at), "model")
    assert regions["type"] == "contour" and regions["contours"]["start"] == 0.0
    race = charts(at)[0]["layout"]
    assert (race["xaxis"]["title"]["text"], race["yaxis"]["title"]["text"]) == ("a", "b")


def test_a_batch_size_on_an_analytic_surface_is_refused_with_a_warning():
    at = start({"surface": "beale", "batch": "32"})
    assert not at.exception
    assert any("needs a surface made from data" in w.value for w in at.warning)
    assert "batch" not in at.query_params
