"""What an export may ask for: formats, and the picture's options with their bounds.

Kept apart from the drawing so that the app's export panel reads the same bounds without
loading the encoders.
"""

import dataclasses

from i18n import LANGUAGES
from parameters import Param

STILLS = ("png", "svg", "pdf")
ANIMATIONS = ("gif", "mp4")
FORMATS = STILLS + ANIMATIONS
# Plotly template, and layout on top of it (a light legend keeps the black markers visible).
THEMES = {
    "light": ("plotly_white", {}),
    "dark": ("plotly_dark", {"legend": {"bgcolor": "#dfe5ec", "font": {"color": "#222"}}}),
}
VIEWS = ("race", "sweep", "lr_range")  # the race, or the scene's sweep or range test
# scene.model.PATH_STYLES, named here: importing the scene loads the engine, which the
# command line loads only once Chromium is starting (tests/test_path_style.py checks them)
PATH_STYLES = ("full", "grow")


def _side(name, default):
    return Param(name, default, f"picture {name} in CSS pixels", low=100, high=4000, kind="int")


PARAMS = {
    "width": _side("width", 800),
    "height": _side("height", 640),
    "scale": Param("scale", 1.0, "device pixels per CSS pixel", low=0.25, high=8.0),
    "theme": Param("theme", "light", "colours", kind=tuple(THEMES)),
    "frames": Param(
        "frames", 100, "animation frames (20 s at 15 a second)", low=2, high=300, kind="int"
    ),
    "fps": Param("fps", 15, "animation frames a second", low=1, high=60, kind="int"),
    "view": Param("view", "race", "what the picture shows", kind=VIEWS),
    "lang": Param(
        "lang", None, "language of the texts", kind=tuple(LANGUAGES), none_means="the scene's"
    ),
    "paths": Param(
        "paths", None, "how the race draws the paths", kind=PATH_STYLES, none_means="the scene's"
    ),
}
# The type every text of a picture is set in: Noto's CJK fonts (Debian's fonts-noto-cjk)
# hold the Latin letters and the Chinese characters alike, so a label mixing both reads
# as one line, and an SVG names a font its reader can have.
CJK_FONT = "Noto Sans CJK SC, Noto Sans SC, Open Sans, sans-serif"


@dataclasses.dataclass(frozen=True)
class Options:
    """How to draw: size in CSS pixels, pixel density, theme; and what to show.

    ``frame`` is the step a still shows (None: the last); ``frames`` and ``fps`` set an
    animation's length and pace (fewer frames if the race has fewer steps). ``view``
    "sweep" draws the scene's sweep heatmap instead of the race (stills only; a scene
    whose sweep is "off" sweeps lr alone), "lr_range" the chosen racer's learning-rate
    range test (stills only; the scene's range settings). ``lang`` sets the language of the picture's
    texts ("en", "zh"; None: the scene's own). ``paths`` sets the path style ("full",
    "grow": each frame's paths end at its step; None: the scene's ``view.paths``).
    """

    width: int = PARAMS["width"].default
    height: int = PARAMS["height"].default
    scale: float = PARAMS["scale"].default
    theme: str = PARAMS["theme"].default
    frame: int | None = None
    frames: int = PARAMS["frames"].default
    fps: int = PARAMS["fps"].default
    view: str = PARAMS["view"].default
    lang: str | None = PARAMS["lang"].default
    paths: str | None = PARAMS["paths"].default
