"""The pipeline: a validated Scene to everything drawn, for the app, the export and tests.

    scene -> run each racer (optimizers.run) -> trajectories, labels
          -> race figure (contour, paths, basin map, curvature arrows), 3D surface,
             metrics, schedule preview, results table, curvature sentences, and on a
             surface made from data the dataset with the chosen racer's model

``draw(scene)`` returns a ``Drawing`` remembered per scene (``scene.cache``): each product
is built the first time it is asked for, so the export, which needs only the race, never
builds the tables (nor loads pandas). The race does not depend on the sweep's settings,
so choosing what to sweep does not draw the race again.
"""

from functools import cached_property

import numpy as np

from i18n import message, t
from surfaces.curvature import curvature
from viz import data_figure as DF
from viz import data_marks as DM
from viz import figures as F
from viz import landscape_figures as LF
from viz import step_rule as SR
from viz.inspector import add_inspector
from viz.range_figure import range_test_figure

from . import landscape
from .cache import Store
from .run import run_scene, schedule_rates, surface_of, view_box
from .text import active_options, racer_labels

DRAWINGS = Store(32, ttl=120.0)  # rebuilt in about 5 ms: kept briefly
SURFACE_LAYERS = Store(64)  # a class: 20 surfaces x 2 languages, and lessons; 0.4 MB each
BASIN_COLORBAR_X = 1.16  # the basin layer's colour bar, right of the contour's (x = 1.02)


def draw(scene):
    """The ``Drawing`` of a validated ``scene``, made once per distinct race."""
    key = scene.key("surface", "racers", "schedule", "start", "steps", "options", "view")
    land = scene.landscape
    key += f"|{land.overlay}|{land.color}|{land.grid}|{land.racer}|{land.curvature}"
    if land.overlay == "basin":  # drawn again once the map is there
        key += f"|{landscape.stored_basin(scene) is not None}"
    return DRAWINGS.remember(key, lambda: Drawing(scene))


class Drawing:
    """What one scene shows: its trajectories and labels now, each figure when asked."""

    def __init__(self, scene):
        self.scene = scene
        self.surface = surface_of(scene.surface)
        self.box = view_box(self.surface)
        self.trajectories = run_scene(scene)
        self.labels = racer_labels(scene)

    @cached_property
    def layers(self):
        """``(grid, drawn layers)`` of the surface, shared by every scene on it."""
        view = self.scene.view
        key = f"{self.scene.key('surface')}|{view.grid}|{view.large_font}|{view.lang}"

        def compute():
            grid = F.surface_grid(self.surface, self.box, view.grid)
            return grid, F.surface_layers(self.surface, grid, view, self.box)

        return SURFACE_LAYERS.remember(key, compute)

    @cached_property
    def race(self):
        """The race: contour, full paths, markers, animated heads, basin map and arrows,
        and the inspected racer's step (``viz.inspector``) when one is."""
        grid, layers = self.layers
        under, over = self.overlay()
        race = F.race_figure(
            self.surface,
            self.box,
            grid,
            self.trajectories,
            self.labels,
            self.scene.view,
            active_options(self.scene),
            layers,
            under,
            over,
        )
        view = self.scene.view
        if view.inspect:
            size = F.font_size(view)
            add_inspector(race, self.inspected, self.box, view.lang, view.inspect_step, size)
        return DM.with_axis_names(race, DF.axis_names(self.surface))

    @cached_property
    def inspected(self):
        """The inspected racer's Trajectory, with its state after each step (the other
        racers record none), or None."""
        number = self.scene.view.inspect
        return self.trajectories[number - 1] if number else None

    @cached_property
    def step_rule(self):
        """The inspected racer's update rule with each frame's numbers, or None."""
        if self.inspected is None:
            return None
        return SR.step_rule(self.inspected, F.frame_steps(self.scene.steps))

    @cached_property
    def surface3d(self):
        """The 3D surface with the paths, or None when the view has it off."""
        if not self.scene.view.surface3d:
            return None
        grid, layers = self.layers
        figure = F.surface3d_figure(
            self.surface, grid, self.trajectories, self.labels, self.scene.view, self.box, layers
        )
        return DM.with_axis_names(figure, DF.axis_names(self.surface), scene3d=True)

    @cached_property
    def metrics(self):
        """The metric panels; with mini-batches, the epochs and the batch losses marked."""
        figure = F.metrics_figure(self.surface, self.trajectories, self.labels, self.scene.view)
        return DM.with_epochs(figure, self.trajectories, self.surface)

    @cached_property
    def data(self):
        """The dataset with the chosen racer's model, or None on an analytic surface."""
        if self.surface.data is None:
            return None
        number = self.scene.landscape.racer
        color = F.colors(self.scene.view, number)[-1]
        trajectory, label = self.trajectories[number - 1], self.labels[number - 1]
        return DF.data_figure(self.surface, trajectory, label, color, self.scene.view)

    @cached_property
    def rates(self):
        """Each racer's learning rate over the steps, for the schedule preview."""
        return [np.asarray(schedule_rates(self.scene, racer.lr)) for racer in self.scene.racers]

    @cached_property
    def lr_preview(self):
        return F.lr_preview_figure(self.rates, self.labels, self.scene.view)

    @cached_property
    def table(self):
        """The results table (a pandas DataFrame), one row per racer."""
        from viz import tables  # pandas loads only for the app's table, not for exports

        tolerance = self.scene.view.tolerance
        return tables.results_table(
            self.surface, self.trajectories, self.labels, tolerance, self.scene.view.lang
        )

    def overlay(self):
        """``(under, over)``: race-figure traces for under the paths (the basin layer and
        the local minima it found) and over them (the curvature arrows at the start and at
        the chosen racer's final point). The basin map is drawn when it is stored: the
        app computes it first (and says above the chart why not when it could not: over
        the engine's caps, or the session's previous map still computing), so does the
        export."""
        land, view = self.scene.landscape, self.scene.view
        under, over = [], []
        if land.overlay == "basin":
            basin = landscape.stored_basin(self.scene)
            if basin is not None:
                layer = LF.basin_layer(basin, view, land.color, colorbar_x=BASIN_COLORBAR_X)
                under.append(F.compact(layer.to_plotly_json()))
                if basin.local_minima:
                    under.append(LF.local_minima_markers(basin, view))
        if land.curvature:
            for _, curv in self.curvatures():
                if isinstance(curv, ValueError):  # not finite there: nothing to draw
                    continue
                traces = [t.to_plotly_json() for t in LF.curvature_traces(curv, self.box, view)]
                # named in the caption below the chart: the legend keeps to the racers
                over += [{**trace, "showlegend": False} for trace in traces]
                over[-1]["textfont"] = {**over[-1]["textfont"], "color": "#111"}
        return under, over

    def curvature_points(self):
        """The start, and the chosen racer's final point when it ended inside the view."""
        points = [self.scene.start]
        (xmin, xmax), (ymin, ymax) = self.box
        x, y = self.trajectories[self.scene.landscape.racer - 1].xy[-1]
        if xmin <= x <= xmax and ymin <= y <= ymax and (x, y) != points[0]:
            points.append((float(x), float(y)))
        return points

    def curvatures(self):
        """``(point, Curvature or the ValueError of a Hessian not finite there)`` pairs."""
        out = []
        for point in self.curvature_points():
            try:
                out.append((point, curvature(self.surface, *point)))
            except ValueError as error:
                out.append((point, error))
        return out

    def curvature_lines(self):
        """One sentence per curvature point: where, eigenvalues, condition number, 2/λmax."""
        (xmin, xmax), (ymin, ymax) = self.box
        span = max(xmax - xmin, ymax - ymin)
        out = []
        lang = self.scene.view.lang
        for name, (point, curv) in zip(("start", "end"), self.curvatures(), strict=False):
            where = t(f"curvature.{name}", lang, x=point[0], y=point[1])
            if isinstance(curv, ValueError):
                out.append(f"{where}: {message(curv, lang)}")
                continue
            low, high = curv.eigenvalues.tolist()
            text = LF.curvature_text(curv, self.surface.grad(*point), span, lang)
            out.append(f"{where}: λ = {low:.4g}, {high:.4g}; {text}")
        return out


def range_figure(scene, result):
    """The learning-rate range test chart of ``result``, the chosen racer's lr marked."""
    return range_test_figure(result, scene.view, current_lr=scene.chosen.lr)


def sweep_figure(scene, result):
    """The sweep heatmap of ``result``, with the chosen racer's current settings marked."""
    racer = scene.chosen
    param = result.param
    current = (racer.lr, landscape.hyper_value(racer, param) if param else None)
    return LF.sweep_figure(result, scene.view, scene.landscape.sweep_color, current=current)
