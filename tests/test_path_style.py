"""The path style (``View.paths``): its setting, its link key and what it draws."""

import numpy as np
import pytest

import scene as S
from scene import pipeline
from viz import figures as F


def test_the_path_style_is_a_view_setting_full_by_default():
    assert S.default_scene().view.paths == "full"
    param = S.View.param("paths")
    assert param.kind == ("full", "grow")
    scene, warnings = S.validate({"view": {"paths": "grow"}})
    assert warnings == [] and scene.view.paths == "grow"


def test_a_growing_style_round_trips_through_the_link():
    scene = S.default_scene()
    scene = scene.replace(view=scene.view.replace(paths="grow"))
    query = S.to_query(scene)
    assert query["paths"] == "grow"
    assert S.from_query(query) == (scene, [])


def test_the_default_style_is_left_out_of_the_link():
    query = S.to_query(S.default_scene())
    assert "paths" not in query
    assert S.from_query({**query, "paths": "full"}) == (S.default_scene(), [])


@pytest.mark.parametrize(("value", "shown"), [("diagonal", "'diagonal'"), ("1", "1"), ("", "''")])
def test_a_bad_style_in_a_link_falls_back_with_a_warning(value, shown):
    scene, warnings = S.from_query({**S.to_query(S.default_scene()), "paths": value})
    assert scene.view.paths == "full"
    assert warnings == [
        f"view setting: paths={shown} is not a choice; allowed: one of 'full', 'grow'; "
        "using paths=full"
    ]


def _race(paths):
    scene = S.validate({"steps": 40, "view": {"paths": paths}})[0]
    return pipeline.draw(scene).race.to_dict()


def test_a_growing_race_marks_its_path_traces_and_keeps_them_whole():
    grow, full = _race("grow"), _race("full")
    marked = [t for t in grow["data"] if t.get("meta") == F.GROWING]
    assert [t["name"] for t in marked] == [t["name"] for t in full["data"] if t["mode"] == "lines"]
    assert not any(t.get("meta") == F.GROWING for t in full["data"])
    # the full paths go once, in the traces; the frames move only the heads (linear data)
    for path in marked:
        assert len(F.decode(path["x"])) == 41
    assert all(frame["traces"] == grow["frames"][0]["traces"] for frame in grow["frames"])
    assert len(grow["frames"][0]["traces"]) == 1


def test_the_metrics_have_a_step_cursor_per_panel_at_step_0():
    scene = S.validate({"steps": 40})[0]
    layout = pipeline.draw(scene).metrics.to_dict()["layout"]
    cursors = [s for s in layout["shapes"] if s["name"] == F.STEP_CURSOR]
    assert [c["xref"] for c in cursors] == ["x", "x2", "x3", "x4"]
    assert all(c["x0"] == c["x1"] == 0 for c in cursors)
    assert all(c["yref"].endswith(" domain") and (c["y0"], c["y1"]) == (0, 1) for c in cursors)


def test_cut_paths_keeps_the_points_up_to_a_step():
    path = {"x": F.typed(np.arange(10.0)), "y": F.typed(np.arange(10.0) * 2), "mode": "lines"}
    cut = F.cut_path(path, 3)
    assert F.decode(cut["x"]).tolist() == [0, 1, 2, 3]
    assert F.decode(cut["y"]).tolist() == [0, 2, 4, 6]
    assert F.decode(path["x"]).size == 10  # the trace given is left as it was


def test_the_export_offers_the_scene_path_styles():
    from export.options import PARAMS, PATH_STYLES
    from scene.model import PATH_STYLES as SCENE_STYLES

    assert PATH_STYLES == SCENE_STYLES and PARAMS["paths"].kind == SCENE_STYLES
