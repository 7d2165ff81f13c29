"""Running a scene's racers on the engine (``optimizers.run``)."""

import optimizers
import surfaces
from optimizers import schedules

from .cache import Store
from .model import CUSTOM

TYPED_SURFACES = Store(32)


def custom_surface(text, domain=None):
    """``surfaces.from_expression`` remembered: every rerun and chart asks for it again.

    ``domain`` is ``((xmin, xmax), (ymin, ymax))`` or None for the suggested one.
    """
    return TYPED_SURFACES.remember(
        repr((text, domain)), lambda: surfaces.from_expression(text, domain)
    )


def surface_of(choice):
    """The Surface a validated ``SurfaceChoice`` names."""
    if choice.name == CUSTOM:
        return custom_surface(choice.expression, choice.domain)
    return surfaces.get(choice.name, **choice.params)


def view_box(surface):
    """``((xmin, xmax), (ymin, ymax))`` the charts show for ``surface``."""
    return getattr(surface, "view", None) or surface.domain


def run_racer(scene, racer, record_state=False):
    """``racer``'s Trajectory in ``scene`` (with its state after each step when
    ``record_state``)."""
    return optimizers.run(
        surface_of(scene.surface),
        racer.name,
        scene.start,
        scene.steps,
        record_state=record_state,
        **scene.engine(racer),
    )


def run_scene(scene):
    """One Trajectory per racer of a validated ``scene``; the inspected racer's
    (``View.inspect``, numbered from 1) also holds its state after each step."""
    inspected = scene.view.inspect
    return [
        run_racer(scene, racer, record_state=number == inspected)
        for number, racer in enumerate(scene.racers, start=1)
    ]


def schedule_rates(scene, lr):
    """The lr of each step for a racer with rate ``lr`` under the scene's schedule."""
    return schedules.evaluate(scene.schedule.engine(lr), lr, scene.steps)


def sweep_choices(racer):
    """What the sweep can do for ``racer``: "off", "lr" alone, or lr against one of its
    float hyperparameters, one element at a time for pairs ("betas[0]")."""
    out = ["off", "lr"]
    for param in optimizers.spec(racer.name, racer.inner or "sgd").controls():
        if param.kind != "float" or param.name == "lr":
            continue
        out += [f"{param.name}[{i}]" for i in range(param.size)] if param.size > 1 else [param.name]
    return out
