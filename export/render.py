"""Draw a scene's race as PNG, SVG, PDF, GIF or MP4 bytes, the same bytes every time.

The pictures are the app's race figure (``scene.pipeline``) without its play controls,
drawn by Plotly in Chromium: stills through kaleido, animation frames as screenshots of
one page (``export.browser``), encoded by ``export.encode``. ``render`` is the entry point
(the export command, the app's download buttons)::

    from export.browser import Browser
    from export.render import Options, render

    png = render(scene, "png", Options(width=800, height=640))
    with Browser() as browser:  # one Chromium for many pictures
        gif = render(scene, "gif", Options(frames=60), browser=browser, progress=print)
"""

import dataclasses
import html
import urllib.parse
from pathlib import Path

import numpy as np
import plotly.io as pio

from i18n import t
from parameters import Param
from scene import landscape, link, pipeline, presets
from scene.text import show
from scene.validate import validate
from viz import figures as F
from viz import step_rule as SR
from viz.inspector import META as INSPECTOR

from . import encode
from .browser import Browser
from .options import ANIMATIONS, CJK_FONT, FORMATS, PARAMS, STILLS, THEMES, Options


@dataclasses.dataclass(frozen=True)
class Race:
    """The app's race figure for one scene, and what export needs to move its heads."""

    figure: F.PlainFigure
    trajectories: list
    box: tuple
    steps: int
    lang: str = "en"
    step_rule: object = None  # the inspected racer's (viz.step_rule.StepRule), or None
    opening_step: int | None = None  # the step an inspected race opens at

    @property
    def heads_index(self):
        return self.figure.plain["frames"][0]["traces"][0]

    @property
    def growing(self):
        """The indices of the path traces drawn up to the step shown (``F.GROWING``)."""
        data = self.figure.plain["data"]
        return [i for i, trace in enumerate(data) if trace.get("meta") == F.GROWING]


# ---------------------------------------------------------------- scenes in


def load_scene(source):
    """``(scene, warnings)`` from a preset name, a scene JSON file, or a share link.

    Raises ValueError saying what ``source`` should be when it is none of those.
    """
    if source in presets.names():
        return presets.load(source)
    if "?" in source or source.startswith(("http://", "https://")):
        return _scene_from_link(source)
    path = Path(source)
    if path.suffix.lower() == ".json" or path.exists():
        return _scene_from_file(path)
    raise ValueError(
        f"{show(source)} is not a preset, a scene JSON file or a share link "
        f"(presets: {', '.join(presets.names())})"
    )


def _scene_from_file(path):
    data = presets.read_json(path, "scene file")
    # a preset file wraps its scene; a plain scene file is the scene itself
    scene = data.get("scene") if isinstance(data, dict) and "scene" in data else data
    if not isinstance(scene, dict):
        raise ValueError(f"scene file {path} must hold a JSON object: a scene or a preset")
    return validate(scene)


def _scene_from_link(address):
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(address).query, keep_blank_values=True)
    if "surface" not in query or not set(query) & set(link.RACER_KEYS):
        raise ValueError(
            "the link holds no scene (its query needs surface=... and o1=...): copy the "
            "address from the app's address bar"
        )
    return link.from_query(query)


# ---------------------------------------------------------------- figures


def race_of(scene):
    """The race of a validated ``scene``, as the app draws it (with its basin map and
    curvature arrows when the scene has them; ValueError if the map is over the caps)."""
    if scene.landscape.overlay == "basin":
        landscape.basin(scene)  # raises the engine's message when over the caps
    drawing = pipeline.draw(scene)
    opening = scene.view.inspect_step if scene.view.inspect else None
    return Race(
        drawing.race,
        drawing.trajectories,
        drawing.box,
        scene.steps,
        scene.view.lang,
        drawing.step_rule,
        opening,
    )


def still_figure(race, step, options):
    """The race as one picture (a figure dict): heads at ``step``, growing paths up to
    ``step``, and a step counter; with an inspected racer, its arrows at that step (when
    it is a frame of the race) and its update rule's lines with that step's numbers under
    the plot."""
    figure = _picture(race, options)
    frame = next((f for f in race.figure.plain["frames"] if f["name"] == str(step)), None)
    if frame is not None:
        for index, values in zip(frame["traces"], frame["data"], strict=True):
            figure["data"][index] = {**figure["data"][index], **values}
    figure["data"][race.heads_index].update(_heads_at(race, [step])[0])
    for index in race.growing:
        figure["data"][index] = F.cut_path(figure["data"][index], step)
    figure["layout"]["annotations"].append(_counter(race, step))
    if race.step_rule is not None and frame is not None:
        _rule_lines(figure["layout"], race, step)
    return figure


def _rule_lines(layout, race, step):
    """The inspected step's update rule, one line per rule line, under the plot (the
    bottom margin grows to hold them)."""
    rule = race.step_rule
    index = rule.steps.tolist().index(step)
    lines = [SR.line_text(rule, i, index) for i in range(len(rule.lines))]
    size = layout["font"]["size"] - 2
    layout["margin"] = {**layout["margin"], "b": 50 + round(1.45 * size * len(lines))}
    layout["annotations"].append(
        {
            "text": "<br>".join(html.escape(line) for line in lines),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "yshift": -45,
            "align": "left",
            "showarrow": False,
            "font": {"size": size, "color": "#222"},
        }
    )


def animation_layers(race, options):
    """``(base, heads)`` figure dicts of one size and plot area.

    ``base`` is the picture without the heads (nor an inspected racer's arrows, which
    would stand still at one step); ``heads`` is a transparent figure with the heads trace
    (last) and the step counter, to be moved frame by frame above it. Growing paths move
    to ``heads`` too, whole (the page cuts them at each frame's step); ``base`` keeps them
    as empty traces, for the legend.
    """
    base = _picture(race, options)
    layout = base["layout"]
    (xmin, xmax), (ymin, ymax) = race.box
    moving = [{**base["data"][i], "showlegend": False} for i in race.growing]
    for index in race.growing:
        base["data"][index] = {**base["data"][index], "x": [None], "y": [None]}
    heads = {
        "data": [*moving, base["data"].pop(race.heads_index)],
        "layout": {
            "width": options.width,
            "height": options.height,
            "template": layout["template"],
            "font": layout["font"],
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
            "xaxis": {"range": [xmin, xmax], "autorange": False, "visible": False},
            "yaxis": {"range": [ymin, ymax], "autorange": False, "visible": False},
            "annotations": [_counter(race, 0)],
        },
    }
    # the inspector's arrows move only in the app's frames and in stills: not drawn here
    base["data"] = [trace for trace in base["data"] if trace.get("meta") != INSPECTOR]
    return base, heads


def animation_steps(steps, count):
    """``count`` steps spread evenly from 0 to ``steps`` (all of them if fewer)."""
    return np.unique(np.round(np.linspace(0, steps, min(count, steps + 1))).astype(int)).tolist()


def heads_updates(race, steps):
    """``(x, y, counter text, step)`` of the heads trace at each of ``steps``."""
    return [
        (heads["x"].tolist(), heads["y"].tolist(), _counter_text(race, step), step)
        for step, heads in zip(steps, _heads_at(race, steps), strict=True)
    ]


def landscape_still(scene, options):
    """The scene's sweep heatmap or range test chart (``options.view``) as a figure dict,
    sized and themed for export."""
    if options.view == "sweep":
        figure = pipeline.sweep_figure(scene, landscape.sweep(scene))
    else:
        figure = pipeline.range_figure(scene, landscape.range_test(scene))
    return _themed(figure.to_dict(), options, scene.view.lang)


def _picture(race, options):
    """The race figure as a dict without play controls, sized and themed for export."""
    figure = race.figure.to_dict()
    del figure["frames"]
    for key in ("updatemenus", "sliders", "uirevision"):
        figure["layout"].pop(key, None)
    return _themed(figure, options, race.lang)


def _themed(figure, options, lang):
    """``figure`` sized and themed; a Chinese picture set in ``CJK_FONT``."""
    layout = figure["layout"]
    if lang == "zh":
        layout["font"] = {**layout.get("font", {}), "family": CJK_FONT}
    template, themed = THEMES[options.theme]
    layout.update(
        width=options.width,
        height=options.height,
        template=pio.templates[template].to_plotly_json(),
        margin={**layout["margin"], "b": 50},  # the app keeps room for its controls there
        annotations=list(layout.get("annotations", [])),
    )
    for key, value in themed.items():
        layout[key] = {**layout.get(key, {}), **value}
    return figure


def _heads_at(race, steps):
    frames = F.racer_frames(race.trajectories, race.box, race.heads_index, shown=steps)
    return [frame["data"][0] for frame in frames]


def _counter(race, step):
    return {
        "text": _counter_text(race, step),
        "xref": "paper",
        "yref": "paper",
        "x": 0.99,
        "y": 0.99,
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "bgcolor": "rgba(255,255,255,0.8)",
        "font": {"size": race.figure.layout.font.size, "color": "#222", "family": "monospace"},
    }


def _counter_text(race, step):
    return t("export.counter", race.lang, step=f"{step:>{len(str(race.steps))}}", steps=race.steps)


# ---------------------------------------------------------------- rendering


def check_options(options, fmt, steps):
    """Raise ValueError naming the first option that ``fmt`` cannot use."""
    if fmt not in FORMATS:
        raise ValueError(f"format {show(fmt)} is not supported; allowed: {', '.join(FORMATS)}")
    for name, param in PARAMS.items():
        param.check(getattr(options, name))
    if options.view != "race" and fmt in ANIMATIONS:
        raise ValueError(f"view {options.view} is a still; allowed formats: {', '.join(STILLS)}")
    if options.frame is not None:
        if fmt in ANIMATIONS:
            raise ValueError("frame (one step as a picture) applies to png, svg and pdf only")
        Param("frame", steps, low=0, high=steps, kind="int").check(options.frame)


def render(scene, fmt, options=None, *, browser=None, progress=None):
    """The bytes of ``scene``'s race as ``fmt``: "png", "svg", "pdf", "gif" or "mp4".

    ``scene`` is a validated Scene (``scene.validate``, ``load_scene``). ``browser`` (an
    ``export.browser.Browser``) is reused if given, else one is started for this call.
    ``progress(done, total)`` is called after each animation frame. Bad options raise
    ValueError; a missing or failing Chromium raises ``export.browser.BrowserError``.
    """
    options = options or Options()
    check_options(options, fmt, scene.steps)
    for name in ("lang", "paths"):  # the scene's own unless the options say otherwise
        value = getattr(options, name)
        if value is not None and value != getattr(scene.view, name):
            scene = scene.replace(view=scene.view.replace(**{name: value}))
    if browser is None:
        with Browser() as browser:  # starts while the race is computed
            return render(scene, fmt, options, browser=browser, progress=progress)
    if options.view != "race":
        figure = landscape_still(scene, options)
        data = browser.still(figure, fmt, options.width, options.height, options.scale)
        return encode.reproducible(data, fmt)
    race = race_of(scene)
    if fmt in STILLS:
        step = options.frame
        if step is None:  # the inspected step, else the last
            step = race.steps if race.opening_step is None else race.opening_step
        figure = still_figure(race, step, options)
        data = browser.still(figure, fmt, options.width, options.height, options.scale)
        return encode.reproducible(data, fmt)
    base, heads = animation_layers(race, options)
    updates = heads_updates(race, animation_steps(race.steps, options.frames))
    shots = browser.frames(
        base, heads, updates, options.width, options.height, options.scale, progress
    )
    images = encode.PNGFrames(shots)
    if fmt == "mp4":
        return encode.mp4(images, options.fps)
    accents = sorted(set(heads["data"][-1]["marker"]["color"])) + ["#000000", "#ffffff"]
    return encode.gif(images, options.fps, accents)
