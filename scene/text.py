"""What a scene says in words: racer names and labels, the options badge, safe messages."""

import optimizers
from i18n import DEFAULT, data_text, t
from viz.numbers import rate_range

from .model import FULL_BATCH
from .run import schedule_rates


def racer_title(racer, number, lang=DEFAULT):
    """ "2. Adam": the racer's ``number`` (from 1) and its optimizer's title in ``lang``."""
    return f"{number}. {data_text(optimizers.spec(racer.name, racer.inner or 'sgd').title, lang)}"


def racer_label(racer, number, scene=None, lang=None):
    """ "2. Adam (lr 0.05)": the title and the learning rate, as the charts name racers.

    Given the ``scene``, a schedule that sets the rates itself (cyclic, one-cycle) adds
    the lowest to the highest rate the racer actually runs with: "1. SGD (lr 0.001 →
    0.0001–0.001)". The racer's batch size is added, "3. SGD (lr 0.05, batch 1)", when
    it has one of its own, or given the ``scene`` when its racers' batch sizes differ.
    The language is the scene's, else ``lang``, else English.
    """
    lang = scene.view.lang if scene is not None else lang or DEFAULT
    text = f"{racer_title(racer, number, lang)} (lr {racer.lr:g}"
    if scene is not None and scene.schedule.sets_lr:
        text += " → " + rate_range(schedule_rates(scene, racer.lr))
    if scene is not None and scene.batches_differ:
        text += ", " + batch_words(scene.batch_of(racer), lang)
    elif scene is None and racer.batch_size is not None:
        text += ", " + batch_words(racer.batch_size, lang)
    return text + ")"


def batch_words(batch_size, lang=DEFAULT):
    """ "batch 32", or "full batch" for None or ``FULL_BATCH``, in ``lang``."""
    if batch_size in (None, FULL_BATCH):
        return t("label.full_batch", lang)
    return t("label.batch", lang, size=batch_size)


def racer_labels(scene):
    """Every racer's ``racer_label`` in ``scene``, as the legend and results table show them."""
    return [racer_label(racer, number, scene) for number, racer in numbered(scene.racers)]


def numbered(racers):
    """``(number, racer)`` pairs, numbered from 1 as people count racers."""
    return enumerate(racers, start=1)


def active_options(scene):
    """Short descriptions of the options that change the plain algorithms, for a badge, in
    the scene's language."""
    options, warmup, lang = scene.options, scene.schedule.warmup_steps, scene.view.lang
    out = []
    if warmup:
        out.append(t("badge.warmup", lang, steps=warmup))
    if options.noise_std:
        out.append(t("badge.noise", lang, std=options.noise_std, seed=options.seed))
    if options.clip_norm is not None:
        out.append(t("badge.clip_norm", lang, value=options.clip_norm))
    if options.clip_value is not None:
        out.append(t("badge.clip_value", lang, value=options.clip_value))
    decays = [racer.name for racer in scene.racers if racer.hyper.get("weight_decay")]
    if decays:
        out.append(t("badge.weight_decay", lang, names=", ".join(decays)))
    return out


def show(value, limit=40):
    """``value`` safe to show in a message: short, and only harmless characters."""
    return clean(repr(value), limit)


def clean(text, limit=160):
    """``text`` on one line, at most ``limit`` characters: every printable character kept (a
    typed ``*``, ``^``, ``<=`` or ``__import__`` is shown as typed), control characters
    and line breaks as "?". Showing it as Markdown is the app's job (``ui.plain``)."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= limit else text[: limit - 3] + "..."
