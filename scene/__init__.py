"""The scene: what a race shows, as typed records, and everything done with one.

- ``model``: the records (Scene, Racer, Schedule, Options, View, Landscape) and the caps;
- ``defaults``: the default race, a racer's and a schedule's defaults;
- ``validate``: any input as a runnable Scene plus warnings, never raising;
- ``link``: the share link's query string, both ways;
- ``presets``: the lessons under ``assets/presets``;
- ``run``: the racers on the engine; ``landscape``: basin maps, sweeps, auto-tune;
- ``pipeline``: a Scene to everything drawn, remembered (``cache``);
- ``text``: racer labels, the options badge, safe messages.
"""

from .defaults import scene as default_scene
from .link import from_query, to_query
from .model import CUSTOM, MAX_RACERS, MAX_STEPS, Landscape, Options, Racer, Scene, Schedule, View
from .validate import validate

__all__ = [
    "CUSTOM",
    "MAX_RACERS",
    "MAX_STEPS",
    "Landscape",
    "Options",
    "Racer",
    "Scene",
    "Schedule",
    "View",
    "default_scene",
    "from_query",
    "to_query",
    "validate",
]
