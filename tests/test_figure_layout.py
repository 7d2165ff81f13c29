"""What the figure builders decide about layout: projector fonts, click targets, ticks,
the lr preview, the 3D view's title, and the GIF palette (pixels)."""

import io
import json

import numpy as np
import pytest
from PIL import Image

import scene as S
from export import encode
from optimizers import landscape as L
from scene.run import view_box
from viz import figures as F
from viz import landscape_figures as LF

from .test_figures import build


def figures(large_font):
    scene, surface, runs, labels, _ = build(steps=120)
    view = scene.view.replace(large_font=large_font)
    box = view_box(surface)
    grid = F.surface_grid(surface, box, 60)
    lrs = np.geomspace(0.01, 1, 6)
    sweep = L.sweep("quadratic", "momentum", (-4.0, 3.0), 100, lrs, "momentum", [0.0, 0.9])
    return {
        "race": F.race_figure(surface, box, grid, runs, labels, view).to_dict(),
        "3d": F.surface3d_figure(surface, grid, runs, labels, view, box).to_dict(),
        "metrics": F.metrics_figure(surface, runs, labels, view).to_dict(),
        "lr": F.lr_preview_figure([r.lr for r in runs], labels, view).to_dict(),
        "sweep": LF.sweep_figure(sweep, view, current=(0.1, 0.5)).to_plotly_json(),
    }


def font_sizes(node, path=""):
    """Every explicit font size in a figure, by its path (``layout.xaxis.tickfont``)."""
    out = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("font", "tickfont", "textfont") and isinstance(value, dict):
                if "size" in value and not isinstance(value["size"], (list, dict)):
                    out[f"{path}.{key}"] = value["size"]
            if key not in ("frames", "steps", "buttons"):
                out.update(font_sizes(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.update(font_sizes(value, f"{path}[{i}]"))
    return out


@pytest.mark.parametrize("name", ["race", "3d", "metrics", "lr", "sweep"])
def test_projector_mode_enlarges_every_text_of_every_chart_1_5_times(name):
    small, large = font_sizes(figures(False)[name]), font_sizes(figures(True)[name])
    assert small.keys() == large.keys() and small
    for path, size in small.items():
        assert large[path] >= 1.5 * size, path
    layout = set(large)
    # the texts Streamlit's theme would otherwise size: ticks, axis titles, legends
    axes = {
        "race": "xaxis",
        "metrics": "xaxis",
        "lr": "yaxis",
        "sweep": "xaxis",
        "3d": "scene.xaxis",
    }
    assert f".layout.{axes[name]}.tickfont" in layout
    if name != "lr":  # the lr preview names its x axis by an annotation
        assert f".layout.{axes[name]}.title.font" in layout
    if name in ("race", "metrics"):
        assert ".layout.legend.font" in layout


@pytest.mark.parametrize("large_font", [False, True])
def test_the_play_buttons_sit_under_the_axis_title_and_the_scrubber_under_them(large_font):
    race = figures(large_font)["race"]["layout"]
    size = race["font"]["size"]
    menu, slider = race["updatemenus"][0], race["sliders"][0]
    # tick labels (1.2 size) and the axis title (1.2 size) with their gaps: 3.2 size
    assert menu["pad"]["t"] >= 3.2 * size
    assert slider["pad"]["t"] >= menu["pad"]["t"] + 1.6 * size + 8  # a button's height
    assert race["margin"]["b"] >= slider["pad"]["t"] + 2.5 * size  # step label and rail
    labels = [b["label"] for b in menu["buttons"]]
    assert labels[-2:] == [F.PAUSE, F.RESTART] and len("".join(labels)) < 30  # fits a phone


def test_click_targets_reach_every_point_of_the_view_within_a_fine_distance():
    box = ((-2.0, 2.0), (-1.0, 3.0))
    targets = F.click_targets(box)
    n = F.CLICK_GRID**2
    xs = targets["x0"] + targets["dx"] * np.arange(n)
    ys = F.decode(targets["y"]).astype(float)
    assert len(ys) == n and xs[0] == -2.0 and xs[-1] == pytest.approx(2.0)
    rng = np.random.default_rng(0)
    clicks = rng.uniform((-2.0, -1.0), (2.0, 3.0), size=(2000, 2))
    nearest = np.min(np.hypot(clicks[:, :1] - xs, clicks[:, 1:] - ys), axis=1)
    # a 41-point square grid put starts up to 0.071 from the click; this lattice 0.057 (of 4)
    assert nearest.max() < 0.85 * 4.0 / (F.CLICK_GRID - 1)
    assert len(json.dumps(targets)) < 80_000  # y alone on the wire: 4 bytes a point


def test_paths_leave_the_clicks_to_the_targets():
    race = figures(False)["race"]
    paths = [t for t in race["data"] if t.get("mode") == "lines"]
    assert paths and all(t["hoverinfo"] == "skip" for t in paths)
    targets = next(t for t in race["data"] if t["name"] == F.CLICK_TARGETS)
    assert "hoverinfo" not in targets  # the targets hover and take the clicks


def test_log_ticks_are_few_and_full_numbers():
    assert F.log_ticks([0.3, 2.0]) == {"tickvals": [0.5, 1.0, 2.0]}
    assert F.log_ticks([1e-6, 10.0]) == {"tickvals": [1e-06, 0.0001, 0.01, 1.0]}
    assert F.log_ticks([0.001, 0.05]) == {"tickvals": [0.001, 0.01]}
    assert F.log_ticks([0.42, 0.48]) == {}  # less than a digit apart: Plotly's own
    assert F.log_ticks([0.0, np.nan]) == {}
    metrics = figures(False)["metrics"]["layout"]
    for axis in ("yaxis", "yaxis2", "yaxis3", "yaxis4"):
        if metrics[axis]["type"] == "log" and "tickvals" in metrics[axis]:
            assert 2 <= len(metrics[axis]["tickvals"]) <= 5


def test_the_lr_preview_leaves_out_zero_rates_and_needs_no_label_boxes():
    figure = F.lr_preview_figure([np.array([0.1, 0.05, 0.0])], ["a"], S.default_scene().view)
    layout = figure.to_dict()["layout"]
    rates = F.decode(figure.to_dict()["data"][0]["y"])
    assert np.isnan(rates[-1]) and rates[0] == pytest.approx(0.1)
    assert layout["xaxis"]["automargin"] is False and layout["yaxis"]["automargin"] is False
    assert "title" not in layout["xaxis"] and layout["annotations"][0]["text"] == "step"


def test_the_3d_view_says_its_heads_do_not_move_and_steps_back_to_fit_its_labels():
    layout = figures(False)["3d"]["layout"]
    assert "the heads move in the race chart" in layout["title"]["text"]
    eye = layout["scene"]["camera"]["eye"]
    assert min(eye["x"], eye["y"]) > 1.25 * 1.5  # Plotly's default eye is (1.25, 1.25, 1.25)


def gradient_strip_picture():
    """A busy picture: white paper, a plot of blue-grey shading in thousands of colours
    (a contour's scale under antialiased lines) and a 12-pixel colour bar of 300 shades
    (Viridis-like: purple, teal, yellow) beside it."""
    picture = np.full((320, 320, 3), 255, dtype=np.uint8)
    rows, cols = np.mgrid[0:300, 0:260]
    shade = (cols + rows) / 560  # blue-greys, as the contour's scale
    picture[10:310, 10:270] = np.stack(
        [82 + 150 * shade, 102 + 130 * shade + rows % 7, 125 + 110 * shade + cols % 5], -1
    ).astype(np.uint8)
    t = np.arange(300) / 299
    bar = np.stack([68 + 185 * t**2, 1 + 230 * t, 84 + 60 * np.sin(3 * t)], -1)
    picture[10:310, 290:302] = bar[:, None, :].astype(np.uint8)
    return picture


def test_a_gif_keeps_a_thin_colour_bar_near_its_colours():
    picture = gradient_strip_picture()
    data = encode.gif([picture, picture], fps=10, accents=["#0072B2", "#D55E00"])
    with Image.open(io.BytesIO(data)) as gif:
        shown = np.asarray(gif.convert("RGB")).astype(int)
    error = np.abs(shown - picture.astype(int)).max(axis=-1)
    assert error[0:10].max() == 0  # the paper: exact
    assert np.percentile(error[10:310, 10:270], 99) <= 12  # the shading: close
    # the bar: no off-colour stripes (a palette fitted to pixel counts strayed by 50)
    assert error[10:310, 290:302].max() <= 16
