"""Scene validation and the URL round trip."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scene as S
from scene.run import run_scene
from scene.text import active_options, clean


def test_default_scene_is_valid_and_unchanged():
    scene = S.default_scene()
    validated, warnings = S.validate(scene)
    assert warnings == []
    assert validated == scene


def test_query_round_trip_is_exact():
    scene = S.default_scene()
    racers = (scene.racers[0].with_hyper(lr=0.0123456789012345), *scene.racers[1:])
    scene = scene.replace(
        racers=racers,
        options=scene.options.replace(noise_std=0.3, seed=7, clip_norm=2.5),
        view=scene.view.replace(large_font=True, tolerance=1e-5),
    )
    restored, warnings = S.from_query(S.to_query(scene))
    assert warnings == []
    assert restored == scene


def test_query_values_are_strings():
    assert all(isinstance(v, str) for v in S.to_query(S.default_scene()).values())


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"surface": "nowhere"}, "unknown surface"),
        ({"o1": "warpdrive,lr:0.1"}, "unknown optimizer"),
        ({"o1": "adam,lr:abc"}, "lr"),
        ({"o1": "adam,lr:nan"}, "lr"),
        ({"o1": "adam,lr:inf"}, "lr"),
        ({"steps": "1e99"}, "steps"),
        ({"steps": "ten"}, "steps"),
        ({"start": "1,2,3"}, "start"),
        ({"start": "nan,0"}, "start"),
        ({"noise": "-1"}, "noise_std"),
        ({"schedule": "nope"}, "unknown schedule"),
        ({"grid": "100000"}, "grid"),
        ({"x" * 5000: "1"}, "ignored"),
        ({"surface": "rosenbrock" * 1000}, "ignored"),
    ],
)
def test_hostile_query_parts_fall_back_with_a_warning(query, mentions):
    scene, warnings = S.from_query(query)
    assert any(mentions in w for w in warnings), warnings
    assert S.validate(scene) == (scene, [])
    assert all(len(w) < 400 for w in warnings)


def test_huge_step_count_is_capped():
    scene, _ = S.from_query({"steps": "99999999"})
    assert scene.steps == S.MAX_STEPS


def test_too_many_optimizers_are_cut_to_the_cap():
    query = {f"o{i}": "sgd,lr:0.001" for i in range(1, 10)}
    scene, warnings = S.from_query(query)
    assert len(scene.racers) == S.MAX_RACERS
    assert any("only the first" in w for w in warnings)


def test_good_parts_survive_next_to_bad_ones():
    scene, warnings = S.from_query({"o1": "adam,lr:0.02,betas:x/0.99", "steps": "123"})
    assert scene.steps == 123
    assert scene.racers[0].lr == 0.02
    assert warnings


def test_warnings_show_what_was_typed_on_one_line():
    # shown as typed (the app escapes Markdown when it shows them), control characters as ?
    typed = "[click](http://x)<script>`"
    _, warnings = S.from_query({"surface": typed})
    assert any(repr(typed) in w for w in warnings), warnings
    assert clean("a\nb\x1b[31m") == "a?b?[31m"


def test_validate_never_raises_on_odd_json():
    for raw in (None, 3, [], {"optimizers": "adam"}, {"surface": {"params": 5}}, {"view": []}):
        scene, _ = S.validate(raw)
        assert scene.racers


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "surface",
                "o1",
                "o2",
                "schedule",
                "start",
                "steps",
                "noise",
                "seed",
                "clip_norm",
                "big",
                "tol",
                "grid",
                "palette",
            ]
        )
        | st.text(max_size=8),
        st.text(max_size=60),
    )
)
def test_any_query_gives_a_runnable_scene(query):
    scene, _ = S.from_query(query)
    again, warnings = S.validate(scene)
    assert again == scene and warnings == []
    assert 1 <= scene.steps <= S.MAX_STEPS
    assert all(math.isfinite(v) for v in scene.start)


def test_run_scene_gives_one_trajectory_per_racer():
    scene = S.default_scene().replace(steps=50)
    runs = run_scene(scene)
    assert len(runs) == len(scene.racers)
    assert all(run.xy.shape == (51, 2) for run in runs)


def test_badge_lists_active_options():
    scene = S.default_scene()
    assert active_options(scene) == []
    scene = scene.replace(
        options=scene.options.replace(noise_std=0.1),
        schedule=S.Schedule(scene.schedule.name, scene.schedule.params, warmup_steps=5),
    )
    assert len(active_options(scene)) == 2
