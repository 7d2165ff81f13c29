"""The catalogues: every English text has its Chinese, no key is unused or unknown, the
fields of a text are the same in both languages, and the lookups fall back to English."""

import json
import re
import string
from pathlib import Path

import pytest

import i18n
import optimizers
import surfaces
from export.options import PARAMS as EXPORT_PARAMS
from optimizers import landscape, schedules
from scene import from_query, presets, to_query
from scene.model import RACER_BATCH, STEPS, Landscape, Options, View
from tests.visible_text import english_words, keywords

ROOT = Path(__file__).resolve().parent.parent
EN, ZH = i18n.catalogue("en"), i18n.catalogue("zh")
TABLES = ("data", "messages", "phrases")
SOURCES = [ROOT / "app.py", *(ROOT / d for d in ("ui", "scene", "viz", "export"))]


def _source_text():
    files = [p for s in SOURCES for p in ([s] if s.is_file() else sorted(s.rglob("*.py")))]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def _fields(text):
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def english_data_texts():
    """Every text defined in English beside the mathematics that the app shows."""
    texts = set(landscape.REGIMES)
    params = []
    for name in surfaces.names():
        surface = surfaces.get(name)
        texts |= {surface.title, surface.note} | i18n.algorithm_phrases(surface.latex)
        params += surfaces.parameters(name).values()
    for name in optimizers.names():
        spec = optimizers.spec(name)
        texts |= {spec.title, spec.summary, spec.source}
        texts |= i18n.algorithm_phrases(spec.algorithm)
        params += spec.controls()
    for name in schedules.names():
        spec = schedules.spec(name)
        texts |= {spec.title, spec.summary}
        params += spec.params.values()
    for settings in (View, Options, Landscape):
        params += settings.PARAMS
    params += [STEPS, RACER_BATCH, *EXPORT_PARAMS.values()]
    texts |= {p.help for p in params} | {p.none_means for p in params}
    for name in presets.names():
        texts |= {presets.title(name), presets.describe(name)}
    texts.add("Custom formula f(x, y)")
    return {text for text in texts if text and re.search("[A-Za-z]{2}", text)}


def test_every_key_has_its_chinese_and_no_chinese_key_is_unknown():
    keys = set(EN) - set(TABLES)
    assert sorted(keys - set(ZH)) == []
    assert sorted(set(ZH) - keys - set(TABLES)) == []


def test_every_key_is_used_by_the_code():
    source = _source_text()
    prefixes = re.findall(r'\bt?r?\(f"([\w.-]*)\{', source)  # t(f"race.{speed}", ...)
    prefixes += re.findall(r'\bkeyed\("([\w.-]+)"', source)  # keyed("palette.")
    unused = [
        key
        for key in EN
        if f'"{key}"' not in source and not any(key.startswith(p) for p in prefixes if p)
    ]
    assert unused == []


@pytest.mark.parametrize("key", sorted(set(EN) - set(TABLES)))
def test_a_text_has_the_same_fields_in_both_languages(key):
    assert _fields(ZH[key]) == _fields(EN[key])


def test_every_english_text_of_the_mathematics_and_the_lessons_is_translated():
    needed = english_data_texts()
    assert sorted(needed - set(ZH["data"])) == []
    assert sorted(set(ZH["data"]) - needed) == []  # no translation of a text that is gone


def test_translations_keep_the_symbols_and_leave_no_english_word():
    allowed = keywords()
    for chinese in ZH["data"].values():
        assert english_words(chinese, allowed) == [], chinese


def test_message_patterns_name_their_fields():
    for pattern, wording in ZH["messages"].items():
        assert set(_fields(wording)) <= set(re.compile(pattern).groupindex), pattern
    for pattern, wording in ZH["phrases"].items():
        assert set(_fields(wording)) <= set(re.compile(pattern).groupindex), pattern


def test_a_missing_key_falls_back_to_english(monkeypatch):
    monkeypatch.setitem(i18n.catalogue("zh"), "results.header", None)
    monkeypatch.delitem(i18n.catalogue("zh"), "results.header")
    assert i18n.t("results.header", "zh") == "Results"
    assert i18n.t("results.header", "fr") == "Results"
    assert i18n.data_text("A text no catalogue has", "zh") == "A text no catalogue has"
    assert i18n.t("badge.warmup", "zh", steps=30) == "预热 30 步"


def test_the_update_rules_keep_their_symbols_in_chinese():
    box = optimizers.spec("adam").algorithm
    chinese = i18n.algorithm(box, "zh")
    assert r"\textbf{输入： }" in chinese and r"\textbf{返回 }" in chinese
    outside = re.sub(r"\\text(bf)?\{[^{}]*\}", "", chinese)
    assert outside == re.sub(r"\\text(bf)?\{[^{}]*\}", "", box)  # the mathematics as it was


@pytest.mark.parametrize(
    "english, chinese",
    [
        (
            "steps=99999 is outside 1 to 5000; using 5000",
            "steps=99999 超出 1 至 5000 的范围；改用 5000",
        ),
        (
            "adam: lr=-1.0 is out of range; allowed: a number, 0 < lr <= 10",
            "adam：lr=-1.0 超出范围；允许：一个数，0 < lr <= 10",
        ),
        ("unknown view setting 'zz' ignored", "未知的显示设置 'zz' 已忽略"),
        ("formula is not valid at column 3: invalid syntax", "公式在第 3 列无效：语法错误"),
        ("too slow", "太慢"),
        ("SGD + momentum's trajectory kernel", "SGD + 动量 的轨迹内核"),
    ],
)
def test_messages_built_in_english_are_said_in_chinese(english, chinese):
    assert i18n.message(english, "zh") == chinese
    assert i18n.message(english, "en") == english


def test_what_a_fresh_server_compiles_is_named_in_chinese():
    from optimizers import _batch, _kernel
    from surfaces import _dispatch

    kernels = [*_kernel.TRAJECTORIES, *_batch.BATCHES]
    kernels += [k for k in vars(_dispatch).values() if hasattr(k, "label")]
    assert len(kernels) > 2 * len(_kernel.TRAJECTORIES)
    # those for one surface (a fresh server's first page): every surface, a typed formula
    for sid in _dispatch.IDS:
        kernels += [_dispatch.only(sid).values_many, _kernel.specialised(4, sid)]
    for kernel in kernels:
        assert english_words(i18n.message(kernel.label, "zh"), keywords()) == [], kernel.label


@pytest.mark.parametrize(
    "header, locale, lang",
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", None, "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4", None, "zh"),
        ("en;q=0.2, zh-TW;q=0.7", None, "zh"),
        ("de-DE", None, "en"),
        ("", "zh-CN", "zh"),
        (None, None, "en"),
        ("zh;q=abc, en", None, "en"),
    ],
)
def test_the_language_a_browser_prefers(header, locale, lang):
    assert i18n.preferred(header, locale) == lang


def test_the_link_holds_the_language_and_round_trips_it():
    scene, warnings = from_query({"lang": "zh"})
    assert warnings == [] and scene.view.lang == "zh"
    query = to_query(scene)
    assert query["lang"] == "zh"
    assert from_query(query) == (scene, [])
    english, _ = from_query({})
    assert english.view.lang == "en" and to_query(english)["lang"] == "en"
    other, warnings = from_query({"lang": "fr"})
    assert other.view.lang == "en"
    assert warnings == [
        "view setting: lang='fr' is not a choice; allowed: one of 'en', 'zh'; using lang=en"
    ]
    assert i18n.message(warnings[0], "zh") == (
        "显示设置：lang='fr' 不是可选值；允许：'en', 'zh' 之一；改用 lang=en"
    )


def test_the_catalogues_are_plain_json_files():
    for lang in i18n.LANGUAGES:
        data = json.loads((ROOT / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        assert isinstance(data, dict)
