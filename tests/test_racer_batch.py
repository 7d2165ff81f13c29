"""A batch size per racer: the racer's own in the model, the link and the preset form,
its checks against the surface, the engine running each racer with its own batches, the
labels and epoch marks that tell them apart, the export racing the same, and the app's
controls (AppTest)."""

import json
import urllib.parse

import numpy as np
import pytest

import optimizers
import scene as S
from export import render as R
from scene import landscape as SL
from scene.pipeline import Drawing
from scene.run import run_scene
from tests.test_app_data import BATCH_LABEL, start
from viz import data_marks as DM
from viz.figures import decode

THREE = {
    "surface": "linreg",
    "o1": "sgd,lr:0.05,batch:full",
    "o2": "sgd,lr:0.05,batch:32",
    "o3": "sgd,lr:0.05,batch:1",
    "batch": "8",
    "seed": "4",
    "steps": "120",
}


def three():
    scene, warnings = S.from_query(THREE)
    assert warnings == []
    return scene


# ---------------------------------------------------------------- model and link


def test_each_racer_s_batch_round_trips_through_the_link():
    scene = three()
    assert [r.batch_size for r in scene.racers] == ["full", 32, 1]
    assert [scene.batch_of(r) for r in scene.racers] == [None, 32, 1]
    query = S.to_query(scene)
    assert query["o1"].endswith(",batch:full") and query["o2"].endswith(",batch:32")
    assert query["batch"] == "8"
    assert S.from_query(query) == (scene, [])


def test_a_racer_without_its_own_batch_follows_the_scene_and_writes_no_item():
    scene, warnings = S.from_query({"surface": "linreg", "o1": "sgd", "o2": "adam,batch:4"})
    assert warnings == [] and scene.racers[0].batch_size is None
    assert [scene.batch_of(r) for r in scene.racers] == [None, 4]
    assert "batch" not in S.to_query(scene)["o1"]
    scene = scene.replace(options=scene.options.replace(batch_size=16))
    assert [scene.batch_of(r) for r in scene.racers] == [16, 4]


def test_the_preset_form_carries_a_racer_s_batch_and_only_when_it_has_one():
    scene = three()
    racers = scene.to_dict()["optimizers"]
    assert [r.get("batch_size") for r in racers] == ["full", 32, 1]
    again, warnings = S.validate(json.loads(json.dumps(scene.to_dict())))
    assert (again, warnings) == (scene, [])
    plain = S.from_query({"surface": "linreg", "o1": "sgd"})[0]
    assert "batch_size" not in plain.to_dict()["optimizers"][0]


@pytest.mark.parametrize(
    ("item", "warning"),
    [
        (
            "batch:0",
            "sgd: batch_size=0 is out of range; allowed: an integer, 1 <= batch_size <= 5000, "
            "or None (the scene's batch size; 'full': the full batch); using the scene's "
            "batch size",
        ),
        (
            "batch:abc",
            "sgd: batch_size='abc' is not a finite number; allowed: an integer, 1 <= "
            "batch_size <= 5000, or None (the scene's batch size; 'full': the full batch); "
            "using the scene's batch size",
        ),
        (
            "batch:99999",
            "sgd: batch_size=99999 is out of range; allowed: an integer, 1 <= batch_size <= "
            "5000, or None (the scene's batch size; 'full': the full batch); using the "
            "scene's batch size",
        ),
        (
            "batch:101",
            "racer 2 (sgd): surface 'linreg' (100 samples): batch_size=101 is out of range; "
            "allowed: an integer, 1 <= batch_size <= 100, or None (the full batch); using "
            "the scene's batch size",
        ),
    ],
)
def test_a_bad_racer_batch_warns_and_follows_the_scene(item, warning):
    query = {"surface": "linreg", "o1": "adam", "o2": f"sgd,{item}", "batch": "8"}
    scene, warnings = S.from_query(query)
    assert warnings == [warning]
    assert scene.racers[1].batch_size is None and scene.batch_of(scene.racers[1]) == 8


def test_a_racer_batch_on_an_analytic_surface_is_refused():
    scene, warnings = S.from_query({"surface": "rosenbrock", "o1": "sgd,batch:full"})
    assert scene.racers[0].batch_size is None
    assert warnings == [
        "racer 1 (sgd): batch_size='full' needs a surface made from data; surface "
        "'rosenbrock' is analytic (allowed: batch_size=None); using the scene's batch size"
    ]


def test_the_zh_catalogue_translates_a_racer_batch_warning():
    from i18n import message

    text = S.from_query({"surface": "linreg", "o2": "sgd,batch:101"})[1][0]
    assert message(text, "zh").startswith("选手 1（sgd）：")
    assert message(text, "zh").endswith("；改用场景的批量大小")


# ---------------------------------------------------------------- the engine


def test_each_racer_runs_with_its_own_batches():
    scene = three()
    full, batch32, single = run_scene(scene)
    surface = S.run.surface_of(scene.surface)
    reference = optimizers.run(surface, "sgd", scene.start, scene.steps, lr=0.05, seed=4)
    np.testing.assert_array_equal(full.xy, reference.xy)
    assert full.batch_size is None and batch32.batch_size == 32 and single.batch_size == 1
    for trajectory, size in ((batch32, 32), (single, 1)):
        reference = optimizers.run(
            surface, "sgd", scene.start, scene.steps, lr=0.05, batch_size=size, seed=4
        )
        np.testing.assert_array_equal(trajectory.xy, reference.xy)
        np.testing.assert_array_equal(trajectory.epoch_starts, reference.epoch_starts)
    assert not np.array_equal(batch32.xy, single.xy)


def test_the_scene_s_batch_is_every_racer_s_default():
    scene, _ = S.from_query({**THREE, "o1": "sgd,lr:0.05"})
    followed = run_scene(scene)[0]
    surface = S.run.surface_of(scene.surface)
    reference = optimizers.run(
        surface, "sgd", scene.start, scene.steps, lr=0.05, batch_size=8, seed=4
    )
    np.testing.assert_array_equal(followed.xy, reference.xy)


# ---------------------------------------------------------------- labels and epochs


def test_labels_name_each_racer_s_batch_when_they_differ():
    drawing = Drawing(three())
    assert drawing.labels == [
        "1. SGD (lr 0.05, full batch)",
        "2. SGD (lr 0.05, batch 32)",
        "3. SGD (lr 0.05, batch 1)",
    ]
    zh = three().replace(view=three().view.replace(lang="zh"))
    assert [label.split(", ")[-1] for label in Drawing(zh).labels] == [
        "全批量)",
        "批量 32)",
        "批量 1)",
    ]
    same, _ = S.from_query({"surface": "linreg", "o1": "sgd", "o2": "adam", "batch": "8"})
    assert all("batch" not in label for label in Drawing(same).labels)


def test_epoch_ticks_are_each_racer_s_own_in_its_colour():
    drawing = Drawing(three())
    shapes = [s for s in drawing.metrics.plain["layout"]["shapes"] if s.get("name") == DM.EPOCH]
    colours = [t["line"]["color"] for t in drawing.metrics.plain["data"][:3]]
    for trajectory, colour in zip(drawing.trajectories[1:], colours[1:], strict=True):
        mine = {s["x0"] for s in shapes if s["line"]["color"] == colour}
        assert mine == set(DM.epoch_lines(trajectory).tolist())
    assert not any(s["line"]["color"] == colours[0] for s in shapes)  # full batch: no epochs
    rows = {(s["y0"], s["y1"]) for s in shapes}
    assert rows == {(1 - DM.EPOCH_ROW, 1.0), (1 - 2 * DM.EPOCH_ROW, 1 - DM.EPOCH_ROW)}


# ---------------------------------------------------------------- export


def test_the_export_races_each_racer_with_its_own_batch():
    link = "http://localhost:8501/?" + urllib.parse.urlencode(THREE)
    scene, warnings = R.load_scene(link)
    assert warnings == [] and scene == three()
    race = R.race_of(scene)
    names = [t.get("name") for t in race.figure.plain["data"]]
    assert "2. SGD (lr 0.05, batch 32)" in names and "3. SGD (lr 0.05, batch 1)" in names
    paths = [t for t in race.figure.plain["data"] if t.get("name") == "3. SGD (lr 0.05, batch 1)"]
    single = run_scene(scene)[2]
    np.testing.assert_allclose(decode(paths[0]["x"])[-1], single.xy[-1, 0])


def test_the_landscape_views_of_a_racer_know_its_batch():
    scene = three()
    keys = []
    for number in (2, 3):
        chosen = scene.replace(landscape=scene.landscape.replace(racer=number, sweep="lr"))
        keys.append((SL.basin_key(chosen), SL.sweep_key(chosen), SL.range_key(chosen)))
    assert all(a != b for a, b in zip(*keys, strict=True))


# ---------------------------------------------------------------- the app (AppTest)

RACER_LABEL = "Batch size of this racer"


def test_the_app_edits_a_racer_s_batch_and_keeps_the_others_when_the_scene_s_changes():
    at = start({**THREE, "lang": "en"})
    assert not at.exception and not at.warning
    (own,) = [s for s in at.select_slider if s.label == RACER_LABEL]  # racer 1's
    assert own.value == "full" and own.options[0] == "as the scene: 8"
    own.set_value("scene").run()
    assert at.query_params["o1"].endswith("weight_decay:0.0,nesterov:0")
    (scene_control,) = [s for s in at.select_slider if s.label == BATCH_LABEL]
    scene_control.set_value(16).run()
    scene, warnings = S.from_query(dict(at.query_params.items()))
    assert warnings == [] and [scene.batch_of(r) for r in scene.racers] == [16, 32, 1]


def test_a_racer_s_batch_is_dropped_off_a_data_surface_and_fitted_to_fewer_samples():
    at = start({**THREE, "o2": "sgd,lr:0.05,batch:64"})
    at.selectbox(key="surface").set_value("rosenbrock").run()
    assert not at.exception and not at.warning
    assert not any("batch:" in at.query_params[f"o{n}"] for n in (1, 2, 3))
    at = start({**THREE, "o2": "sgd,lr:0.05,batch:64"})
    at.number_input(key="surface.linreg.points").set_value(50).run()
    assert not at.exception and not at.warning
    assert [at.query_params[f"o{n}"].rsplit(",", 1)[1] for n in (1, 2, 3)] == [
        "batch:full",
        "batch:full",
        "batch:1",
    ]
