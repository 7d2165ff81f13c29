"""The app in Simplified Chinese (``lang=zh``): no English word is left in anything
AppTest sees, on the default scene, every lesson, every test function, optimizer and
schedule, every landscape view and every error path; the sidebar's choice switches the
language and keeps the scene."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import optimizers
import surfaces
from optimizers import schedules
from scene import from_query, presets
from tests.visible_text import english_words, keywords, visible_texts

APP = str(Path(__file__).resolve().parent.parent / "app.py")
ALLOWED = keywords()
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def start(query=None, lang="zh"):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def english_left(at, typed=""):
    """``{text: English words}`` of every text shown with English left in it (the words of
    what was ``typed`` are the student's own)."""
    assert not at.exception, [e.message for e in at.exception]
    allowed = ALLOWED | set(re.findall(r"[A-Za-z_]\w*", typed))
    found = {}
    for text in visible_texts(at):
        words = english_words(text, allowed)
        if words:
            found[text[:160]] = words
    return found


def test_the_default_scene_in_chinese_has_no_english_word():
    at = start()
    assert english_left(at) == {}
    assert at.title[0].value.startswith("Gradscape：")
    assert CHINESE.search(at.subheader[0].value)


def test_every_lesson_in_chinese():
    at = start()
    for name in presets.names():
        at.selectbox(key="lesson").set_value(name).run()
        assert english_left(at) == {}, name
        assert at.query_params["lang"] == "zh"  # a lesson keeps the reader's language


@pytest.mark.parametrize(
    "key, names",
    [("surface", surfaces.names()), ("o1", optimizers.names()), ("schedule", schedules.names())],
    ids=["test functions", "optimizers and their update rules", "schedules"],
)
def test_every_choice_in_chinese(key, names):
    at = start()
    for name in names:
        at.selectbox(key=key).set_value(name).run()
        assert english_left(at) == {}, name
        assert any("输入" in latex.value for latex in at.latex)  # the update rule's box


def test_every_landscape_view_in_chinese():
    query = {"o1": "sgd,lr:0.01", "o2": "momentum,lr:0.01", "o3": "adam,lr:8", "steps": "150"}
    views = {"map": "basin", "curv": "1", "3d": "1", "sweep": "momentum", "lrrange": "1"}
    at = start({**query, **views})
    assert english_left(at) == {}
    at.button(key="range_use_steepest").click().run()
    assert english_left(at) == {}
    at.radio(key="mapby").set_value("steps").run()
    assert english_left(at) == {}
    for colour in ("steps", "regime", "loss"):
        at.radio(key="sweepby").set_value(colour).run()
        assert english_left(at) == {}, colour
    at.button(key="tune").click().run()
    assert at.info and english_left(at) == {}
    at = start({"surface": "himmelblau", "map": "basin", "big": "1", "noise": "0.5"})
    assert english_left(at) == {}
    at = start({"surface": "saddle", "curv": "1", "clip_norm": "1.0", "clip_value": "0.5"})
    assert english_left(at) == {}
    at = start({"surface": "goldstein_price", "lrrange": "1", "lrmin": "0.5", "lrmax": "0.1"})
    assert at.warning and english_left(at) == {}  # an empty range: the engine's message
    at = start({"schedule": "cyclic,base_lr:0.1,max_lr:1.0,relative:0", "o1": "adam,lr:100"})
    assert english_left(at) == {}


def test_a_map_over_the_caps_says_why_in_chinese():
    at = start({"map": "basin", "mapn": "300", "steps": "5000", "o1": "lbfgs"})
    assert at.warning and english_left(at) == {}


def test_a_hostile_link_warns_in_chinese():
    query = {
        "surface": "bogus,a:1",
        "steps": "abc",
        "o1": "nope",
        "o2": "adam,lr:-1,foo:2",
        "o3": "lookahead,inner:zzz",
        "schedule": "cosine,T_max:-5,bar:1",
        "start": "99,99",
        "noise": "x",
        "mapracer": "9",
        "sweep": "zz",
        "palette": "neon",
        "zzz": "1",
        "x" * 50: "1",
    }
    at = start(query)
    assert len(at.warning) >= 8
    assert english_left(at, typed=" ".join(query)) == {}  # the link's own keys as typed
    at = start({"o1": "sgd,lr:0.01", "o2": ",", "o3": "adam,betas:5", "steps": "999999"})
    assert at.warning and english_left(at) == {}


@pytest.mark.parametrize(
    "typed",
    [
        "x^^2 + foo(y)",
        "__import__('os')",
        "x.real",
        "x[0]",
        "(x",
        "x²",
        "lambda: x",
        "import os",
        "",
        "3",
        "sqrt(-1)",
        "1/0 + x",
        "(-2)^x",
        "log(x, 2, 3)",
        "x" + "+x" * 200,
    ],
)
def test_a_typed_formula_explains_itself_in_chinese(typed):
    at = start({"surface": "expression", "f": "x^2 + y^2", "domain": "-3,3,-3,3"})
    at.text_input(key="formula").set_value(typed).run()
    assert at.error, typed
    assert english_left(at, typed) == {}


def test_a_typed_formulas_note_in_chinese():
    at = start({"surface": "expression", "f": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"})
    assert english_left(at) == {}
    at = start({"surface": "expression", "f": "x^3 - y", "domain": "-3,3,-3,3"})
    assert english_left(at) == {}


def test_english_stays_the_default_and_the_sidebar_switches_the_language():
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert at.query_params["lang"] == "en"
    chinese = [text for text in visible_texts(at) if CHINESE.search(text)]
    assert chinese == ["Language · 语言", "简体中文"]  # the way to Chinese, in Chinese
    before, _ = from_query(dict(at.query_params))
    at.selectbox(key="lang").set_value("zh").run()
    assert at.query_params["lang"] == "zh"
    assert english_left(at) == {}
    after, _ = from_query(dict(at.query_params))
    assert after == before.replace(view=before.view.replace(lang="zh"))
    at.selectbox(key="lang").set_value("en").run()
    assert at.title[0].value == "Gradscape: optimizers racing on loss surfaces"
