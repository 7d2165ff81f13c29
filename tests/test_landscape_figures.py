"""Landscape figure builders: the traces, shapes, colours and payload of each view."""

import numpy as np
import plotly.io as pio
import pytest

import surfaces
from optimizers import landscape as L
from scene.model import View
from surfaces.curvature import curvature
from viz import figures as F
from viz import landscape_figures as LF

VIEW = View()


@pytest.fixture(scope="module")
def himmelblau():
    return L.basin_map("himmelblau", "sgd", 200, lr=0.01, size=60)


def payload(fig):
    return len(pio.to_json(fig.to_dict(), validate=False))


def test_basin_layer_is_one_categorical_heatmap(himmelblau):
    layer = LF.basin_layer(himmelblau, VIEW)
    assert layer.type == "heatmap" and layer.z.shape == (60, 60) and layer.z.dtype == np.int8
    assert list(layer.colorbar.ticktext)[-2:] == ["not converged", "diverged"]
    assert len(layer.colorbar.ticktext) == 6  # four minima
    assert (layer.zmin, layer.zmax) == (-0.5, 5.5)
    # each category has one flat colour: light tints for minima, then greys
    colours = [stop[1] for stop in layer.colorscale][::2]
    assert colours == [*LF.BASIN_PALETTE[:4], LF.NOT_CONVERGED_COLOR, LF.DIVERGED_COLOR]
    assert not set(colours) & set(F.colors(VIEW, 6))  # none is a racer's colour
    assert LF.basin_codes(himmelblau)[0, 0] == 2  # (-5, -5) reaches minimum 2
    assert 0.0 < layer.opacity < 1.0


def test_local_minima_get_one_category_of_their_own():
    camel = L.basin_map("six_hump_camel", "sgd", 800, lr=0.01, size=31)
    categories = LF.basin_categories(camel)
    assert [name for _, name, _ in categories][2:] == [
        "a local minimum",
        "not converged",
        "diverged",
    ]
    layer = LF.basin_layer(camel, VIEW)
    assert list(layer.colorbar.ticktext) == [name for _, name, _ in categories]
    codes = LF.basin_codes(camel)
    assert np.array_equal(codes == 2, camel.labels == L.LOCAL_MINIMUM)
    assert [stop[1] for stop in layer.colorscale][::2][2] == LF.LOCAL_MINIMUM_COLOR


def test_basin_codes_put_diverged_and_not_converged_last():
    basin = L.basin_map("quadratic", "sgd", 200, lr=0.3, size=21)
    codes = LF.basin_codes(basin)
    assert set(np.unique(codes)) == {0, 2}  # converged on the axis, diverged elsewhere


def test_basin_layer_by_steps_hides_runs_that_never_converged(himmelblau):
    layer = LF.basin_layer(himmelblau, VIEW, color_by="steps")
    assert layer.z.dtype == np.int16 and layer.zmin == -1
    assert layer.zmax == himmelblau.steps_to_converge.max()
    assert layer.colorscale[0][1] == LF.TRANSPARENT and layer.colorscale[1][1] == LF.TRANSPARENT
    with pytest.raises(ValueError, match="color_by='nope'"):
        LF.basin_layer(himmelblau, VIEW, color_by="nope")


def test_basin_figure_has_the_minima_and_a_compact_payload():
    surf = surfaces.get("himmelblau")
    basin = L.basin_map(surf, "sgd", 100, lr=0.01, size=200)
    fig = LF.basin_figure(surf, basin, VIEW)
    assert [t.type for t in fig.data] == ["heatmap", "scatter"]
    assert len(fig.data[1].x) == 4
    assert fig.layout.xaxis.range[0] < -5 and fig.layout.xaxis.range[1] > 5
    assert payload(fig) < 80_000  # 200 x 200 categories as int8
    assert payload(LF.basin_figure(surf, basin, VIEW, "steps")) < 130_000


@pytest.fixture(scope="module")
def momentum_sweep():
    lrs = np.geomspace(0.01, 1.0, 15)
    return L.sweep("quadratic", "momentum", (-4.0, 3.0), 300, lrs, "momentum", [0.0, 0.5, 0.9])


@pytest.mark.parametrize("color_by", ["loss", "steps", "regime"])
def test_sweep_figure_shows_the_regimes(momentum_sweep, color_by):
    fig = LF.sweep_figure(momentum_sweep, VIEW, color_by)
    heat, borders, cells = fig.data
    assert heat.type == "heatmap" and heat.z.shape == (3, 15)
    assert borders.type == "contour" and borders.contours.coloring == "none"
    np.testing.assert_allclose(heat.x, np.log10(momentum_sweep.lrs), rtol=1e-6)
    assert list(fig.layout.xaxis.tickvals) == [-2, -1, 0]
    step = (x := np.log10(momentum_sweep.lrs))[1] - x[0]
    np.testing.assert_allclose(
        fig.layout.xaxis.range, [x[0] - step / 2, x[-1] + step / 2], rtol=1e-6
    )
    present = {L.REGIMES[r] for r in np.unique(momentum_sweep.regime)}
    assert {a.text for a in fig.layout.annotations} == present
    assert {"converged", "diverged"} <= present
    assert fig.layout.yaxis.title.text == "momentum"


def test_sweep_loss_colours_are_decades_of_the_gap(momentum_sweep):
    heat = LF.sweep_figure(momentum_sweep, VIEW, "loss").data[0]
    gap = momentum_sweep.final_loss - momentum_sweep.f_min
    finite = np.isfinite(gap)
    np.testing.assert_allclose(
        heat.z[finite], np.log10(np.maximum(gap[finite], 1e-16)), rtol=1e-6, atol=1e-6
    )
    assert np.isnan(heat.z[~finite]).all()


def test_regime_colours_are_flat_per_regime(momentum_sweep):
    heat = LF.sweep_figure(momentum_sweep, VIEW, "regime").data[0]
    assert list(heat.colorbar.ticktext) == list(L.REGIMES)
    assert [stop[1] for stop in heat.colorscale][::2] == list(LF.REGIME_COLORS)


def test_a_sweep_over_lr_alone_has_one_row():
    sweep = L.sweep("quadratic", "sgd", (-4.0, 3.0), 100, np.geomspace(1e-3, 1, 10))
    fig = LF.sweep_figure(sweep, VIEW)
    assert fig.data[0].z.shape == (1, 10) and fig.layout.yaxis.visible is False


def test_sweep_marks_the_current_settings(momentum_sweep):
    fig = LF.sweep_figure(momentum_sweep, VIEW, current=(0.01, 0.5))
    dot = fig.data[-1]
    assert dot.name == "current settings" and (dot.x, dot.y) == ((-2.0,), (0.5,))
    assert fig.layout.showlegend is False
    assert [t.name for t in LF.sweep_figure(momentum_sweep, VIEW).data] == [
        "sweep",
        "regime borders",
        "cells",
    ]


def test_sweep_cells_take_the_clicks_and_say_their_results(momentum_sweep):
    heat, _, cells = LF.sweep_figure(momentum_sweep, VIEW).data
    assert heat.hoverinfo == "skip" and cells.mode == "markers" and cells.marker.opacity == 0
    # one target per cell, at its centre, carrying its learning rate
    assert len(cells.x) == 3 * 15
    np.testing.assert_allclose(cells.x[:15], np.log10(momentum_sweep.lrs), rtol=1e-6)
    np.testing.assert_allclose(cells.y[::15], [0.0, 0.5, 0.9], rtol=1e-6)
    np.testing.assert_allclose(cells.customdata[16], momentum_sweep.lrs[1], rtol=1e-6)
    row, column = np.argwhere(momentum_sweep.regime == L.REGIMES.index("diverged"))[0]
    assert cells.text[row * 15 + column].startswith("diverged<br>never within tolerance")
    row, column = np.argwhere(momentum_sweep.converged_step >= 0)[0]
    step = momentum_sweep.converged_step[row, column]
    assert f"within tolerance from step {step}" in cells.text[row * 15 + column]


def test_curvature_arrows_follow_the_eigenvectors():
    surf = surfaces.get("quadratic", condition=100, angle=30)
    curv = curvature(surf, 1.0, -1.0)
    box = ((-5.0, 5.0), (-2.0, 2.0))
    steep, flat, label = LF.curvature_traces(curv, box, VIEW)
    length = 0.12 * 4.0
    for trace, column in ((steep, 1), (flat, 0)):
        tip = np.array([trace.x[1] - 1.0, trace.y[1] + 1.0])
        np.testing.assert_allclose(tip, length * curv.eigenvectors[:, column], atol=1e-12)
        tail = np.array([trace.x[4] - 1.0, trace.y[4] + 1.0])
        np.testing.assert_allclose(tail, -tip, atol=1e-12)
        assert list(trace.marker.size) == [0, 14, 0, 0, 14]
    assert steep.name == "λmax = 100" and flat.name == "λmin = 1"
    assert label.text == ("κ = 100, 2/λmax = 0.02",)
    # by the arrows: just past their highest tip, on the roomier side (above (1, -1)),
    # running towards the middle of the view (to the left of x = 1)
    reach = max(steep.y[1], flat.y[1], steep.y[4], flat.y[4])
    assert label.y == (pytest.approx(reach),) and label.textposition == "top left"


def test_a_saddle_is_named_only_where_the_gradient_vanishes():
    saddle = surfaces.get("saddle")
    curv = curvature(saddle, 0.0, 0.0)
    assert LF.curvature_text(curv, saddle.grad(0.0, 0.0), 4.0) == "saddle point: κ = ∞, 2/λmax = 1"
    # the saddle lesson's start (1, 0.001): the same indefinite Hessian, a gradient of 2
    away = curvature(saddle, 1.0, 0.001)
    assert away.kind == "saddle"
    assert LF.point_kind(away, saddle.grad(1.0, 0.001), 4.0) == (
        "indefinite curvature, not a stationary point"
    )
    # near enough: the quadratic model's stationary point within 1% of the view
    assert LF.point_kind(curvature(saddle, 0.01, 0.0), saddle.grad(0.01, 0.0), 4.0) == (
        "saddle point"
    )
    bowl = surfaces.get("quadratic", condition=10, angle=0)
    assert LF.point_kind(curvature(bowl, 2.0, 1.0), bowl.grad(2.0, 1.0), 10.0) == (
        "positive curvature, not a stationary point"
    )
    assert LF.point_kind(curvature(bowl, 0.0, 0.0), bowl.grad(0.0, 0.0), 10.0) == ("near a minimum")
    himmelblau = surfaces.get("himmelblau")
    top = curvature(himmelblau, -0.270845, -0.923039)  # its local maximum
    text = LF.curvature_text(top, himmelblau.grad(-0.270845, -0.923039), 12.0)
    assert text.startswith("near a maximum:") and text.endswith("2/λmax = none")


def test_regime_colours_are_none_of_the_racers_colours():
    racers = [c for palette in F.PALETTES.values() for c in palette]
    for regime in LF.REGIME_COLORS:
        rgb = np.array([int(regime[i : i + 2], 16) for i in (1, 3, 5)])
        nearest = min(
            np.linalg.norm(rgb - [int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in racers
        )
        assert nearest > 80, regime
    assert len(set(LF.REGIME_COLORS)) == len(L.REGIMES)


def label_box(annotation, fig, size):
    """An annotation's box in cells (centre +- half-size), as _regime_names estimates it."""
    x, y = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y)
    col = np.interp(annotation.x, x, np.arange(len(x)))
    row = np.interp(annotation.y, y, np.arange(len(y))) if len(y) > 1 else 0.0
    half_w = (0.3 * size * len(annotation.text) + size) * len(x) / LF.LABEL_PLOT_PX
    half_h = 1.2 * size * len(y) / LF.LABEL_PLOT_PX
    return col, row, half_w, half_h


@pytest.mark.parametrize("where", ["middle of each regime", "every cell"])
def test_no_regime_name_covers_the_current_settings(momentum_sweep, where):
    x = np.log10(momentum_sweep.lrs)
    y = momentum_sweep.values
    if where == "middle of each regime":
        default = LF.sweep_figure(momentum_sweep, VIEW)
        spots = [(10**a.x, a.y) for a in default.layout.annotations]
    else:
        spots = [(10 ** x[j], y[i]) for i in range(len(y)) for j in range(len(x))]
    for lr, value in spots:
        fig = LF.sweep_figure(momentum_sweep, VIEW, current=(lr, value))
        dot_col = np.interp(np.log10(lr), x, np.arange(len(x)))
        dot_row = np.interp(value, y, np.arange(len(y)))
        for annotation in fig.layout.annotations:
            if annotation.yshift:  # named above or below the dot, clear of it
                assert abs(annotation.yshift) >= 1.5 * 13 and annotation.y == value
                continue
            col, row, half_w, half_h = label_box(annotation, fig, 13)
            assert abs(col - dot_col) > half_w or abs(row - dot_row) > half_h
