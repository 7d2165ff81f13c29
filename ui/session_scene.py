"""The scene a session shows: from its link on the first run, then from its widgets.

It lives here rather than in ``app.py``: a function defined in the script holds the
script's globals, which hold the function, so every rerun's globals (its scene, its
drawing with the race's frames) would stay until the next full collection instead of
going when the rerun ends (``scene.cache.sweep`` says what a collection costs a class).
"""

import streamlit as st

from i18n import preferred
from scene import from_query, to_query, validate

from . import controls
from .engine import prepare_engine


def current_scene(preparing):
    """``(scene, warnings, lr_slot)``: the session's validated scene (from the URL on its
    first run, in the language the browser prefers when the link names none; then from
    the widgets), every warning about the link and the widgets, and the place for the
    schedule preview under the lr control. The URL is kept equal to the scene. The
    kernels the widgets' scene needs are made ready first, with progress in
    ``preparing`` (``ui.engine``): validating a scene runs its racers."""
    if "scene" not in st.session_state:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        if "lang" not in params:
            headers = st.context.headers
            params["lang"] = preferred(headers.get("Accept-Language"), st.context.locale)
        st.session_state.scene, st.session_state.url_warnings = from_query(params)
    raw, lr_slot = controls.read_scene(st.session_state.scene)
    racers = [(racer["name"], racer.get("inner")) for racer in raw["optimizers"]]
    prepare_engine(racers, raw["surface"]["name"], raw["view"]["lang"], preparing)
    scene, warnings = validate(raw)
    st.session_state.scene = scene
    query = to_query(scene)
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return scene, st.session_state.url_warnings + warnings, lr_slot
