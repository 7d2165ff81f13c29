"""Links made before the scene package (at commit 6127906) open the same scenes today.

``fixtures/old_links.json`` holds 19 links that app made (every preset, basin maps, sweeps,
a typed formula, every option, six racers with Lookahead) and the scene each opened, in
that app's JSON form. The changes of form: the landscape racer was counted from 0
(``mapr=1`` was racer 2) and is counted from 1 now (``mapracer=2``); the view holds the
language, English for a link that names none, and the path style, "full" (whole paths,
as then) for a link that names none.
"""

import json
import urllib.parse
from pathlib import Path

import pytest

import scene as S

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "old_links.json").read_text())
LINKS = FIXTURES["links"]


def _query(link):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query, keep_blank_values=True)


# settings added since the links were made, at their defaults (old links never set them)
NEW_LANDSCAPE = {"lr_range": False, "range_min": 1e-6, "range_max": 10.0, "range_steps": 1000}
NEW_VIEW = {"lang": "en", "paths": "full", "inspect": 0, "inspect_step": 0}
NEW_OPTIONS = {"batch_size": None}


def _counted_from_one(old_scene):
    land, view = old_scene["landscape"], old_scene["view"]
    return {
        **old_scene,
        "landscape": {**land, "racer": land["racer"] + 1, **NEW_LANDSCAPE},
        "view": {**view, **NEW_VIEW},
        "options": {**old_scene["options"], **NEW_OPTIONS},
    }


@pytest.mark.parametrize("case", LINKS, ids=[case["what"] for case in LINKS])
def test_an_old_link_opens_the_same_scene(case):
    scene, warnings = S.from_query(_query(case["link"]))
    assert warnings == []
    assert scene.to_dict() == _counted_from_one(case["scene"])


@pytest.mark.parametrize("case", LINKS, ids=[case["what"] for case in LINKS])
def test_a_new_link_of_the_same_scene_round_trips(case):
    scene, _ = S.from_query(_query(case["link"]))
    query = S.to_query(scene)
    assert "mapr" not in query
    assert S.from_query(query) == (scene, [])


def test_the_fixtures_cover_what_the_issue_lists():
    whats = " ".join(case["what"] for case in LINKS)
    for needed in ("preset", "basin map", "sweep", "typed formula", "every option", "lookahead"):
        assert needed in whats
    assert sum(case["what"].startswith("preset ") for case in LINKS) == 9


def test_the_landscape_racer_is_counted_from_one_in_new_links():
    scene, warnings = S.from_query({"o1": "sgd,lr:0.01", "o2": "adam,lr:0.1", "mapracer": "2"})
    assert warnings == [] and scene.chosen.name == "adam"
    assert S.to_query(scene)["mapracer"] == "2"
    old, warnings = S.from_query({"o1": "sgd,lr:0.01", "o2": "adam,lr:0.1", "mapr": "1"})
    assert warnings == [] and old == scene


def test_a_racer_number_beyond_the_racers_falls_back_with_a_warning():
    scene, warnings = S.from_query({"o1": "sgd,lr:0.01", "mapracer": "3"})
    assert scene.landscape.racer == 1
    assert warnings == [
        "landscape setting: racer=3 is not a racer of this scene; allowed: 1 to 1; using racer=1"
    ]
