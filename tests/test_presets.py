"""Lessons: every preset loads cleanly, runs, and still shows what its description says."""

import json

import numpy as np
import pytest

import scene as S
from scene import landscape, presets
from scene.run import run_scene, surface_of


def run(name):
    scene, _ = presets.load(name)
    surface = surface_of(scene.surface)
    runs = {}
    for racer, trajectory in zip(scene.racers, run_scene(scene), strict=True):
        runs.setdefault(racer.name, []).append(trajectory)
    return scene, surface, runs


def distance(xy, point):
    return np.hypot(xy[..., 0] - point[0], xy[..., 1] - point[1])


def test_names_hold_every_file_in_teaching_order():
    files = sorted(path.stem for path in presets.FOLDER.glob("*.json"))
    assert sorted(presets.names()) == files
    assert presets.names()[:3] == ["beale_race", "long_valley", "saddle_escape"]
    assert len(files) >= 8  # the classic three and one preset per lesson tested below


@pytest.mark.parametrize("name", presets.names())
def test_preset_loads_without_warnings_and_runs(name):
    scene, warnings = presets.load(name)
    assert warnings == []
    assert S.validate(scene) == (scene, [])
    assert presets.title(name).strip()
    assert presets.describe(name).strip() and "\n" not in presets.describe(name)
    # a lesson shows a divergence only when its description says so
    shows_divergence = "diverges" in presets.describe(name)
    diverged = []
    for trajectory in run_scene(scene):
        assert trajectory.xy.shape == (scene.steps + 1, 2)
        diverged.append(trajectory.diverged_at is not None)
    assert any(diverged) == shows_divergence


def test_beale_race_sgd_trails_and_adagrad_arrives():
    _, surface, runs = run("beale_race")
    minimum = surface.minima[0]
    final = {name: distance(t[0].xy[-1], minimum) for name, t in runs.items()}
    assert max(final, key=final.get) == "sgd"
    assert max(final["adagrad"], final["momentum"], final["nesterov"]) < 0.2
    assert min(final["rmsprop"], final["adadelta"]) > 0.2


def test_long_valley_sgd_zigzags_and_crawls_while_adaptive_methods_arrive():
    _, _, runs = run("long_valley")
    sgd = runs["sgd"][0].xy
    assert np.sum(np.diff(np.sign(sgd[:50, 1])) != 0) > 40  # crosses the valley floor
    assert distance(sgd[-1], (0, 0)) > 2
    for name in ("adagrad", "rmsprop"):
        assert distance(runs[name][0].xy[-1], (0, 0)) < 0.01


def test_saddle_sgd_lingers_while_the_others_escape():
    _, surface, runs = run("saddle_escape")
    assert distance(runs["sgd"][0].xy[-1], surface.saddles[0]) < 0.2
    for name, trajectories in runs.items():
        if name != "sgd":
            assert abs(trajectories[0].xy[-1, 1]) > 2, name


def test_one_start_three_minima_and_the_basin_map_agrees():
    scene, surface, runs = run("himmelblau_basins")
    nearest = {
        name: int(np.argmin(distance(np.array(surface.minima), t[0].xy[-1])))
        for name, t in runs.items()
    }
    assert len(set(nearest.values())) == 3  # three optimizers, three different minima
    assert all(distance(runs[n][0].xy[-1], surface.minima[i]) < 0.01 for n, i in nearest.items())
    basin = landscape.basin(scene)  # momentum's map (racer 2), drawn under the race
    assert scene.landscape.overlay == "basin" and scene.chosen.name == "momentum"
    column = np.argmin(np.abs(basin.xs - scene.start[0]))
    row = np.argmin(np.abs(basin.ys - scene.start[1]))
    # the grid (101 a side) has the start as a point: its run is momentum's own
    assert (basin.xs[column], basin.ys[row]) == scene.start
    assert basin.labels[row, column] == nearest["momentum"]
    near = basin.labels[row - 2 : row + 3, column - 2 : column + 3]
    assert len(set(near.ravel().tolist()) & {0, 1, 2, 3}) >= 2  # the start is where basins meet
    assert all(basin.share(i) > 0.1 for i in range(4))


def test_momentum_overshoots_and_sgd_never_does():
    _, surface, runs = run("momentum_overshoot")
    sgd_gap = runs["sgd"][0].loss - surface.f_min
    assert np.all(np.diff(sgd_gap) <= 0)  # plain descent: the loss only falls
    reach = {name: distance(t[0].xy, (0, 0)) for name, t in runs.items()}
    start = reach["sgd"][0]
    # after first passing near the minimum, heavy ball swings out much farther than Nesterov
    swing = {n: d[np.argmax(d < start / 5) :].max() for n, d in reach.items() if n != "sgd"}
    assert swing["momentum"] > 2 * swing["nesterov"]
    assert swing["momentum"] > 2


def test_adam_reaches_the_rosenbrock_minimum_first():
    _, surface, runs = run("adam_vs_sgd_rosenbrock")

    def arrival(name):
        reached = np.flatnonzero(runs[name][0].loss - surface.f_min <= 1e-3)
        return reached[0] if reached.size else None

    assert arrival("sgd") is None
    assert arrival("adam") < arrival("momentum")


def test_warmup_then_cosine_decay_lets_runs_settle():
    scene, surface, runs = run("warmup_cosine")
    warmup = scene.schedule.warmup_steps
    for trajectories in runs.values():
        lr = trajectories[0].lr
        assert lr[0] < lr[warmup] and np.argmax(lr) >= warmup - 1
        assert lr[-1] < 0.05 * lr.max()
        assert trajectories[0].loss[-1] - surface.f_min < 1e-3


def test_sign_methods_step_diagonally():
    scene, _, runs = run("sign_methods")
    lion = next(r for r in scene.racers if r.name == "lion")
    steps = np.abs(np.diff(runs["lion"][0].xy[:20], axis=0))
    np.testing.assert_allclose(steps, lion.lr, rtol=1e-9)  # |dx| = |dy| = lr
    rprop = np.abs(np.diff(runs["rprop"][0].xy[:10], axis=0))
    np.testing.assert_allclose(rprop[:, 0], rprop[:, 1], rtol=1e-9)
    sgd = np.abs(np.diff(runs["sgd"][0].xy[:2], axis=0))[0]
    assert abs(sgd[0] - sgd[1]) > 0.1 * sgd.max()  # the gradient itself is not diagonal


def test_noise_ball_shrinks_with_the_learning_rate():
    scene, _, runs = run("noisy_gradients")
    assert scene.options.noise_std > 0
    rates = [r.lr for r in scene.racers]
    balls = [np.median(distance(t.xy[-150:], (0, 0))) for t in runs["sgd"]]
    assert rates == sorted(rates, reverse=True)
    assert balls == sorted(balls, reverse=True)
    assert balls[0] > 1.5 * balls[-1]


def test_learning_w_and_b_every_racer_reaches_the_least_squares_fit():
    scene, surface, runs = run("learning_w_and_b")
    assert scene.surface.name == "linreg" and scene.options.batch_size is None
    for trajectories in runs.values():
        assert distance(trajectories[0].xy[-1], surface.minima[0]) < 1e-3


def test_batch_size_and_noise_the_smaller_batch_jitters_more_at_the_same_rate():
    scene, surface, runs = run("batch_size_and_noise")
    assert [scene.batch_of(r) for r in scene.racers] == [None, 32, 1]
    assert len({(r.name, r.lr) for r in scene.racers}) == 1  # one optimizer, one rate
    full, batch32, single = (
        np.median(distance(t.xy[-100:], surface.minima[0])) for t in runs["sgd"]
    )
    assert full < 1e-6 < 0.005 < batch32 < single  # only the full batch settles
    assert [t.batch_size for t in runs["sgd"]] == [None, 32, 1]


def test_feature_scaling_sgd_crawls_until_x_is_standardised():
    scene, surface, runs = run("feature_scaling")
    assert scene.surface.params["x_center"] == 4.0
    assert distance(runs["sgd"][0].xy[-1], surface.minima[0]) > 0.5
    for name in ("momentum", "adam"):
        assert distance(runs[name][0].xy[-1], surface.minima[0]) < 0.25
    params = {**scene.surface.params, "x_center": 0.0}
    standard = scene.replace(surface=scene.surface.__class__("linreg", params))
    standard, warnings = S.validate(standard)
    assert warnings == []
    sgd = run_scene(standard)[0]
    assert distance(sgd.xy[-1], surface_of(standard.surface).minima[0]) < 1e-6


def test_a_network_slice_every_racer_returns_to_the_trained_weights():
    scene, surface, runs = run("network_slice")
    assert scene.options.batch_size == 16
    start = surface.f(*scene.start)
    for trajectories in runs.values():
        assert trajectories[0].loss[-1] < 0.01 * start
        assert distance(trajectories[0].xy[-1], surface.minima[0]) < 0.1


# ---------------------------------------------------------------- bad names and files


def test_unknown_name_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown preset 'nope'; allowed: beale_race, "):
        presets.load("nope")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(presets, "FOLDER", tmp_path)
    return tmp_path


def write(folder, name, content):
    path = folder / f"{name}.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


GOOD = {"title": "T", "description": "one line", "scene": {"surface": "beale"}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"title": "T",', "is not valid JSON (Expecting property name"),
        ("[1, 2]", "expected an object"),
        ({**GOOD, "title": ""}, '"title" must be a non-empty string'),
        ({k: v for k, v in GOOD.items() if k != "description"}, '"description" must be a'),
        ({**GOOD, "description": "two\nlines"}, '"description" must be one line'),
        ({**GOOD, "scene": [1]}, '"scene" must be an object'),
        ({**GOOD, "notes": "x"}, "unknown key(s) 'notes'"),
    ],
)
def test_malformed_file_names_the_file_and_the_problem(folder, content, problem):
    path = write(folder, "broken", content)
    with pytest.raises(ValueError) as error:
        presets.load("broken")
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_files_outside_the_teaching_order_come_last(folder):
    write(folder, "zeta", GOOD)
    write(folder, "alpha", GOOD)
    write(folder, "saddle_escape", GOOD)
    assert presets.names() == ["saddle_escape", "alpha", "zeta"]
    assert presets.load("alpha")[0].surface.name == "beale"
