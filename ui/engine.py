"""The kernels a page needs, made ready before it runs them, with progress on the page."""

import surfaces
from i18n import message, t
from optimizers import warm
from scene.defaults import SURFACE


def prepare_engine(racers, surface_name, lang, slot):
    """Make ready the kernels that racing ``racers`` (``(name, inner)`` pairs) on the
    surface ``surface_name`` needs (an unknown name: the default scene's), compiled by
    helper processes when the disk cache lacks them (``optimizers.warm``), with a progress
    bar in ``slot`` (an ``st.empty``) meanwhile; then start the background warm-up (once
    per server). A session that changes surface or racers while a fresh server's cache
    fills waits for helpers too, instead of the server compiling with its GIL held."""
    sid = surfaces.kernel_id(surface_name)
    sid = surfaces.kernel_id(SURFACE) if sid is None else sid
    kernels = warm.pending(warm.needed(racers, sid=sid))
    if kernels:
        verb = t("engine.loading" if warm.complete() else "engine.compiling", lang)
        bar = slot.progress(0.0, text=t("engine.preparing", lang))

        def show(done, total, labels):
            what = " + ".join(message(label, lang) for label in labels)
            text = t("engine.progress", lang, verb=verb, label=what, done=done, total=total)
            bar.progress(done / total, text=text if labels else t("engine.preparing", lang))

        warm.prepare(kernels, show)
        slot.empty()
    warm.start_background()  # the other kernels, in a process of their own
