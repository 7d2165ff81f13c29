"""The mini-batch size in the scene: its link key, its checks against the surface, and
that it reaches the engine."""

import json

import numpy as np
import pytest

import optimizers
import scene as S
from scene.run import run_scene


def test_a_batch_size_round_trips_through_the_link():
    scene, warnings = S.from_query({"surface": "linreg", "batch": "32", "seed": "3"})
    assert warnings == []
    assert scene.options.batch_size == 32 and scene.options.seed == 3
    query = S.to_query(scene)
    assert query["batch"] == "32"
    assert S.from_query(query) == (scene, [])


def test_the_full_batch_is_the_default_and_writes_no_key():
    scene, warnings = S.from_query({"surface": "linreg", "batch": "full"})
    assert warnings == [] and scene.options.batch_size is None
    assert "batch" not in S.to_query(scene)
    assert S.from_query({"surface": "linreg"})[0] == scene


@pytest.mark.parametrize(
    ("query", "warning"),
    [
        (
            {"surface": "rosenbrock", "batch": "32"},
            "option: batch_size=32 needs a surface made from data; surface 'rosenbrock' is "
            "analytic (allowed: batch_size=None); using the full batch",
        ),
        (
            {"surface": "linreg", "batch": "0"},
            "option: batch_size=0 is out of range; allowed: an integer, 1 <= batch_size <= "
            "5000, or None (the full batch); using batch_size=None",
        ),
        (
            {"surface": "linreg", "batch": "101"},
            "option: surface 'linreg' (100 samples): batch_size=101 is out of range; allowed: "
            "an integer, 1 <= batch_size <= 100, or None (the full batch); using the full batch",
        ),
        (
            {"surface": "linreg", "batch": "abc"},
            "option: batch_size='abc' is not a finite number; allowed: an integer, 1 <= "
            "batch_size <= 5000, or None (the full batch); using batch_size=None",
        ),
    ],
)
def test_a_bad_batch_size_falls_back_to_the_full_batch_with_a_warning(query, warning):
    scene, warnings = S.from_query(query)
    assert warnings == [warning]
    assert scene.options.batch_size is None


def test_the_preset_form_carries_the_batch_size():
    raw = {"surface": {"name": "logreg"}, "options": {"batch_size": 8, "seed": 5}}
    scene, warnings = S.validate(raw)
    assert warnings == [] and scene.to_dict()["options"]["batch_size"] == 8
    assert S.validate(scene.to_dict()) == (scene, [])


def test_the_scene_runs_the_engine_with_its_batches():
    scene, _ = S.from_query({"surface": "linreg", "o1": "sgd,lr:0.05", "batch": "10", "seed": "4"})
    (trajectory,) = run_scene(scene)
    direct = optimizers.run(
        "linreg", "sgd", scene.start, scene.steps, lr=0.05, batch_size=10, seed=4
    )
    np.testing.assert_array_equal(trajectory.xy, direct.xy)
    assert trajectory.batch_size == 10
    np.testing.assert_array_equal(trajectory.epoch_starts, np.arange(0, scene.steps, 10))


def test_the_export_races_with_the_batch_size_of_a_link_or_a_scene_file(tmp_path):
    from export import render as R

    address = "http://host/?surface=logreg&o1=adam,lr:0.1&steps=40&batch=8&seed=2"
    scene, warnings = R.load_scene(address)
    assert warnings == [] and scene.options.batch_size == 8
    (trajectory,) = R.race_of(scene).trajectories
    direct = optimizers.run("logreg", "adam", scene.start, 40, lr=0.1, batch_size=8, seed=2)
    np.testing.assert_array_equal(trajectory.xy, direct.xy)
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(scene.to_dict()))
    assert R.load_scene(str(path)) == (scene, [])
