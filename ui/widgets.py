"""Widgets shared by the app's controls: keyed widgets that start from the scene, labelled
choices whose labels change, hyperparameter and parameter controls, and safe Markdown.
"""

import hashlib
import math
import re

import streamlit as st

from .words import data, say, tr


def init_key(key, value):
    """``key``, with ``value`` as its widget's first value unless the session has one."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def labelled_choice(widget, label, options, key, labels, **kwargs):
    """``widget`` (selectbox, radio, segmented control) over ``options`` shown as ``labels``,
    labels that change with the settings (a racer shown with its lr); returns the choice.

    Streamlit's browser sends back the label it displayed, and a label that no longer
    exists comes back as a plain string. So the widget's key carries a digest of the
    labels: new labels make a new widget, which starts from the choice kept under ``key``.
    The choice is copied to ``key`` when the widget changes (before the script runs), so
    code above the widget reads the current choice from ``st.session_state[key]``.
    """
    options = list(options)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    digest = hashlib.sha1("\x1f".join(labels).encode()).hexdigest()[:10]
    widget_key = init_key(f"{key}@{digest}", st.session_state[key])
    names = dict(zip(options, labels, strict=True))
    widget(
        label,
        options,
        key=widget_key,
        format_func=names.get,
        on_change=_keep_choice,
        args=(key, widget_key, options),
        **kwargs,
    )
    return st.session_state[key]


def _keep_choice(key, widget_key, options):
    chosen = st.session_state[widget_key]
    if chosen in options:  # a segmented control clicked off gives None: keep the choice
        st.session_state[key] = chosen
    else:
        st.session_state[widget_key] = st.session_state[key]


OPEN_ZERO = 1e-12  # the least value a control offers for a setting that must be above 0


def param_widget(key, label, meta, value):
    """The control of a setting ``meta`` (a Param) of any kind, starting at ``value``."""
    help = data(meta.help)
    if isinstance(meta.kind, tuple):
        return st.selectbox(label, meta.kind, key=init_key(key, value), help=help)
    if meta.kind == "bool":
        return st.checkbox(label, key=init_key(key, bool(value)), help=help)
    if meta.kind == "ints":
        text = st.text_input(label, key=init_key(key, ", ".join(map(str, value))), help=help)
        return [int(v) if v.strip().isdigit() else v for v in text.split(",")]
    # the +/- buttons stop at the parameter's bounds; a number input has no open bounds, so
    # an open lower bound of 0 (a tolerance, a clipping threshold) stops at OPEN_ZERO
    kind = int if meta.kind == "int" else float
    low = OPEN_ZERO if meta.open_low and meta.low == 0 and kind is float else meta.low
    bounds = {
        name: kind(bound)
        for name, bound in (("min_value", low), ("max_value", meta.high))
        if math.isfinite(bound)
    }
    if meta.kind == "int":
        return st.number_input(label, step=1, key=init_key(key, int(value)), help=help, **bounds)
    return st.number_input(label, key=init_key(key, float(value)), help=help, format="%g", **bounds)


def hyper_key(number, name, inner, param, position=None):
    """The session key of racer ``number``'s widget for ``param`` of optimizer ``name``
    (wrapping ``inner``), or for element ``position`` of a pair: ``o1.adam.sgd.lr``,
    ``o1.adam.sgd.betas.1``."""
    key = f"o{number}.{name}.{inner or 'sgd'}.{param}"
    return key if position is None else f"{key}.{position}"


def hyper_widget(key, hyper, value):
    """The control(s) of hyperparameter ``hyper`` (a Param): one per element of a pair."""
    if isinstance(hyper.default, tuple):
        return [
            _one_hyper(f"{key}.{i}", hyper, hyper.symbol[i], f"{hyper.name}[{i}]", v)
            for i, v in enumerate(value)
        ]
    return _one_hyper(key, hyper, hyper.symbol, hyper.name, value)


def _one_hyper(key, hyper, symbol, name, value):
    """The control of one hyperparameter element, labelled with the update rule's symbol
    and the keyword (``β₂ · betas[1]``) that the link and the engine use."""
    label = f"${symbol}$ · {name}"
    help = f"{data(hyper.help)} (`{name}`)"
    if hyper.kind == "bool":  # a flag's symbol is its name: "nesterov", once
        return st.checkbox(name, key=init_key(key, bool(value)), help=help)
    low, high = hyper.slider
    if hyper.kind == "int":
        low, high = int(min(low, value)), int(max(high, value))
        return st.slider(label, low, high, key=init_key(key, int(value)), help=help)
    if hyper.log or hyper.near_one:
        stops = near_one_options if hyper.near_one else log_options
        scale = tr("hyper.near_one") if hyper.near_one else tr("hyper.log")
        return st.select_slider(
            f"{label} ({scale})",
            stops(low, high, value),
            key=init_key(key, float(value)),
            help=help,
            format_func=lambda v: f"{v:g}",
        )
    low, high = float(min(low, value)), float(max(high, value))
    return st.slider(label, low, high, key=init_key(key, float(value)), help=help, format="%g")


def log_options(low, high, value):
    """Slider stops 1, 2, 5 per decade from ``low`` to ``high``, plus ``value`` itself."""
    low = max(low, 1e-12)
    stops = {
        float(f"{m * 10.0**e:.12g}")
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
        for m in (1, 2, 5)
    }
    stops = {v for v in stops if low <= v <= high}
    return sorted(stops | {float(value)})


def near_one_options(low, high, value):
    """Stops for a decay rate in [``low``, ``high``]: 1 - v at 1, 2, 5 per decade, so that
    0, 0.5, 0.9, 0.99, 0.999, 0.9999 are all exact stops; plus ``value`` itself."""
    gaps = log_options(max(_one_minus(high), 1e-12), _one_minus(low), _one_minus(low))
    stops = {_one_minus(gap) for gap in gaps}
    return sorted({v for v in stops if low <= v <= high} | {float(value)})


def _one_minus(value):
    """1 - ``value`` to 12 digits: 1 - 0.99 is 0.010000000000000009 in floating point."""
    return float(f"{1.0 - value:.12g}")


MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$^:=&])")
# Streamlit turns these into symbols (<= into ≤, :smile: into an emoji) even when every
# sign is escaped; only a code span shows them as written.
TYPOGRAPHIC = re.compile(r"(<=|>=|<-|->|~=|--|:[\w+-]+:|:[a-z]+\[)")


def plain(text):
    """``text`` to show through Streamlit's Markdown exactly as written: what a student
    typed (``x**``, ``2^x``, ``x <= y``, ``__import__``) must not turn into italics, bold,
    LaTeX, symbols or emoji, or vanish as an HTML tag."""
    parts = TYPOGRAPHIC.split(text)  # odd positions: the matches
    return "".join(
        f"`{part}`" if index % 2 else MARKDOWN_SIGNS.sub(r"\\\1", part)
        for index, part in enumerate(parts)
    )


def show_warnings(warnings, limit=8):
    """The first ``limit`` warnings (the link's, the scene's), in the session's language."""
    for text in warnings[:limit]:
        st.warning(plain(say(text)), icon=":material/warning:")
    if len(warnings) > limit:
        st.warning(tr("warnings.more", count=len(warnings) - limit))
