"""The export of an inspected step: arrows at that step, the update rule's numbers under
the plot, ``--inspect RACER:STEP`` on the command line."""

import numpy as np
import pytest

from export import command
from export import render as R
from tests.test_export import SMALL, pixels, session, small_scene  # noqa: F401 (fixture)
from viz import figures as F
from viz import step_rule as SR


def inspected_scene(racer=2, step=15):
    scene = small_scene()
    return scene.replace(view=scene.view.replace(inspect=racer, inspect_step=step))


def test_a_still_of_an_inspected_step_has_its_arrows_and_its_numbers():
    race = R.race_of(inspected_scene())
    figure = R.still_figure(race, 15, SMALL)
    names = [trace.get("name", "") for trace in figure["data"]]
    update = next(i for i, name in enumerate(names) if name.startswith("update × "))
    factor = float(names[update].split("× ")[1])
    traj = race.trajectories[1]
    x, y = (np.asarray(figure["data"][update][k], dtype=float) for k in ("x", "y"))
    np.testing.assert_allclose([x[0], y[0]], traj.xy[15], atol=1e-3)
    np.testing.assert_allclose(
        [(x[1] - x[0]) / factor, (y[1] - y[0]) / factor], traj.xy[16] - traj.xy[15], atol=1e-3
    )
    text = figure["layout"]["annotations"][-1]["text"]
    assert text.split("<br>")[1] == SR.line_text(race.step_rule, 1, 15).replace("&", "&amp;")
    assert text.split("<br>")[1].startswith("mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ = 0.900 × (")


def test_another_frame_moves_the_arrows_and_the_numbers():
    race = R.race_of(inspected_scene())
    first, later = (R.still_figure(race, step, SMALL) for step in (15, 30))
    assert first["layout"]["annotations"][-1] != later["layout"]["annotations"][-1]
    heads = race.heads_index
    assert (
        F.decode(first["data"][heads - 1]["x"]).tolist()
        != F.decode(later["data"][heads - 1]["x"]).tolist()
    )


def test_an_animation_leaves_the_arrows_out():
    race = R.race_of(inspected_scene())
    base, heads = R.animation_layers(race, SMALL)
    names = [trace.get("name", "") for trace in base["data"]]
    assert not any(name.startswith(("−∇f", "update ×")) for name in names)
    assert heads["data"][0]["name"] == "heads"


def test_a_still_opens_at_the_inspected_step():
    race = R.race_of(inspected_scene(step=7))
    assert race.opening_step == 7


def test_the_command_line_option_sets_racer_and_step_and_refuses_bad_text():
    scene, warnings = command.inspected(small_scene(), "2:12")
    assert warnings == []
    assert (scene.view.inspect, scene.view.inspect_step) == (2, 12)
    _, warnings = command.inspected(small_scene(), "5:12")
    assert warnings == [
        "view setting: inspect=5 is not a racer of this scene; allowed: 0 (none) to 2; "
        "using inspect=0"
    ]
    with pytest.raises(ValueError, match=r"--inspect '2-12' is not allowed; allowed: RACER:STEP"):
        command.inspected(small_scene(), "2-12")


@pytest.mark.browser
def test_the_png_of_an_inspected_step_differs_from_the_plain_one(session):  # noqa: F811
    options = R.Options(**{**SMALL.__dict__, "frame": 15})
    plain = pixels(R.render(small_scene(), "png", options, browser=session))
    inspected = pixels(R.render(inspected_scene(), "png", SMALL, browser=session))
    assert plain.shape == inspected.shape
    assert np.mean(np.abs(plain.astype(int) - inspected.astype(int)).sum(axis=2) > 60) > 0.01
