"""Exported pictures in Simplified Chinese: the labels are Chinese, every character is
drawn with its own glyph (no missing-glyph boxes), and the CJK font is embedded in the
PDF and named by the SVG."""

import io
import re

import numpy as np
import pytest
from PIL import Image

import scene as S
from export import command as E
from export import render as R
from export.browser import Browser
from export.options import CJK_FONT
from tests.test_export import _Borrowed

pytestmark = pytest.mark.browser
SIZE = (420, 120)


@pytest.fixture(scope="module")
def browser():
    with Browser() as browser:
        yield browser


def title_pixels(browser, text):
    """The grey pixels of the top half of a picture whose only content is ``text``, set as
    an exported Chinese picture sets its type."""
    figure = {
        "data": [],
        "layout": {
            "title": {"text": text, "x": 0.03, "xanchor": "left", "font": {"size": 30}},
            "font": {"family": CJK_FONT},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
        },
    }
    png = browser.still(figure, "png", *SIZE, 1)
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))[: SIZE[1] // 2]


def test_chinese_characters_have_their_own_glyphs(browser):
    """A character without a glyph is drawn as the font's box, the same box for every such
    character: two different strings then draw the same picture. Characters of the
    private use area, which no font has, show that this check sees missing glyphs."""
    missing_a = title_pixels(browser, "\ue000\ue001\ue002\ue003\ue004")
    missing_b = title_pixels(browser, "\ue010\ue011\ue012\ue013\ue014")
    assert (missing_a < 128).any() and np.array_equal(missing_a, missing_b)
    first = title_pixels(browser, "学习率调度")
    second = title_pixels(browser, "动量梯度法")
    assert (first < 128).mean() > 0.01
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, missing_a)
    # each of the five characters differs from the others (boxes would repeat)
    ink = np.flatnonzero((first < 128).any(axis=0))
    cells = np.split(ink, np.flatnonzero(np.diff(ink) > 3) + 1)
    assert len(cells) >= 5
    shapes = {first[:, cell[0] : cell[-1] + 1].tobytes() for cell in cells}
    assert len(shapes) == len(cells)


def small_chinese_scene():
    scene, warnings = S.validate(
        {
            "surface": {"name": "saddle"},
            "optimizers": [{"name": "sgd", "hyper": {"lr": 0.05}}, {"name": "momentum"}],
            "steps": 30,
            "view": {"grid": 60},
        }
    )
    assert warnings == []
    return scene


def test_a_chinese_race_in_svg_and_pdf_carries_its_font(browser):
    options = R.Options(width=480, height=400, lang="zh")
    svg = R.render(small_chinese_scene(), "svg", options, browser=browser).decode()
    assert "鞍点" in svg and "起点" in svg and "第 30 / 30 步" in svg
    assert "Noto Sans CJK SC" in svg
    pdf = R.render(small_chinese_scene(), "pdf", options, browser=browser)
    fonts = re.findall(rb"/FontName\s*/([^\s/]+)", pdf)
    assert any(b"NotoSansCJK" in font for font in fonts), fonts


def test_english_stays_the_default_of_an_export(browser):
    options = R.Options(width=480, height=400)
    svg = R.render(small_chinese_scene(), "svg", options, browser=browser).decode()
    assert "saddle" in svg and "step 30 / 30" in svg and "鞍点" not in svg


def test_the_command_line_exports_in_chinese(tmp_path, browser, monkeypatch, capsys):
    monkeypatch.setattr(E, "Browser", lambda: _Borrowed(browser))
    out = tmp_path / "race.svg"
    assert E.main(["saddle_escape", "-o", str(out), "--lang", "zh", "--width", "400"]) == 0
    assert "鞍点" in out.read_text()
    link = "?surface=saddle&o1=sgd,lr:0.05&steps=20&zzz=1&lang=zh"  # the link's language
    assert E.main([link, "-o", str(out), "--width", "400"]) == 0
    assert "鞍点" in out.read_text()
    assert "warning: 已忽略 1 个未知、为空或过长的链接参数：'zzz'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit:
        E.main(["saddle_escape", "-o", str(out), "--lang", "fr"])
    assert exit.value.code == 2
