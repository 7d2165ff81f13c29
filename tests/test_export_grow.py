"""Export with growing paths (``--paths grow``, a link's ``paths=grow``): each frame's
paths end at its step, a still at step K shows them up to K."""

import numpy as np
import pytest

from export import command as E
from export import render as R
from viz import figures as F

from .test_export import SMALL, gif_frames, pixels, session, share_of_colour, small_scene

__all__ = ["session"]  # the Chromium fixture, shared with test_export

BLUE = "#0072B2"  # racer 1's path and head (Okabe-Ito)


def test_the_options_or_the_scene_choose_the_path_style():
    grow = small_scene(view={"grid": 60, "paths": "grow"})
    assert R.race_of(grow).growing and not R.race_of(small_scene()).growing
    options = E._options(E._parser().parse_args(["x", "-o", "a.gif", "--paths", "grow"]), SMALL)
    assert options.paths == "grow"
    with pytest.raises(ValueError, match="paths='up' is not a choice; allowed: one of"):
        R.check_options(R.Options(paths="up"), "gif", 40)


def test_a_growing_still_cuts_its_paths_at_the_step():
    race = R.race_of(small_scene(view={"grid": 60, "paths": "grow"}))
    figure = R.still_figure(race, 10, SMALL)
    for index in race.growing:
        assert len(F.decode(figure["data"][index]["x"])) == 11
    whole = R.still_figure(race, 40, SMALL)
    assert all(len(F.decode(whole["data"][i]["x"])) == 41 for i in race.growing)


def test_growing_paths_move_to_the_heads_layer_whole_and_keep_their_legend():
    race = R.race_of(small_scene(view={"grid": 60, "paths": "grow"}))
    base, heads = R.animation_layers(race, SMALL)
    names = [t["name"] for t in heads["data"]]
    assert names[-1] == "heads" and len(names) == 1 + len(race.growing)
    assert all(len(F.decode(t["x"])) == 41 for t in heads["data"][:-1])
    assert all(t["showlegend"] is False for t in heads["data"][:-1])
    kept = [base["data"][i] for i in race.growing]
    assert all(t["x"] == [None] and t.get("showlegend", True) for t in kept)


pytestmark = pytest.mark.browser


def _blue_share(image):
    return share_of_colour(image, BLUE)


def test_a_growing_gif_draws_more_path_as_it_goes_and_a_full_one_does_not(session):
    options = R.Options(**{**SMALL.__dict__, "frames": 6})
    grow = small_scene(view={"grid": 60, "paths": "grow"})
    frames, _, _ = gif_frames(R.render(grow, "gif", options, browser=session))
    shares = [_blue_share(frame) for frame in frames]
    assert shares[0] < 0.5 * shares[-1]
    assert all(a <= b + 1e-4 for a, b in zip(shares, shares[1:], strict=False))
    # a full-path GIF has its whole path from the first frame on (only the heads move)
    full, _, _ = gif_frames(R.render(small_scene(), "gif", options, browser=session))
    assert shares[0] < 0.5 * _blue_share(full[0])
    # the last frame of a growing race is the full race
    assert np.mean(np.abs(frames[-1].astype(int) - full[-1].astype(int))) < 2


def test_a_growing_still_at_step_k_shows_the_path_up_to_k(session):
    grow = small_scene(view={"grid": 60, "paths": "grow"})
    at_2 = R.Options(**{**SMALL.__dict__, "frame": 2})
    early = pixels(R.render(grow, "png", at_2, browser=session)).astype(int)
    full = pixels(R.render(small_scene(), "png", at_2, browser=session)).astype(int)
    # what the growing still lacks is racer 1's path beyond step 2: blue pixels
    missing = np.abs(early - full).sum(axis=2) > 60
    assert missing.sum() > 30
    red, blue = full[missing][:, 0], full[missing][:, 2]
    assert np.mean(blue > red + 40) > 0.8
    # the option overrides the scene's style
    asked = R.Options(**{**at_2.__dict__, "paths": "grow"})
    assert (pixels(R.render(small_scene(), "png", asked, browser=session)) == early).all()
