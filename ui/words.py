"""The session's language and its texts, for the widgets and panels (``i18n``'s lookups
with the language the sidebar's choice holds)."""

import streamlit as st

import i18n

LANG_KEY = "lang"  # the sidebar's language widget, and the language of this run


def lang():
    """This session's language ("en" or "zh")."""
    return st.session_state.get(LANG_KEY, i18n.DEFAULT)


def tr(key, **fields):
    """The catalogue's text of ``key`` in this session's language."""
    return i18n.t(key, lang(), **fields)


def data(english):
    """A text defined in English beside the mathematics, in this session's language."""
    return i18n.data_text(english, lang())


def keyed(prefix, kept=()):
    """A widget's ``format_func``: a choice's text under ``prefix + choice`` (a choice in
    ``kept`` as it is), in this run's language. The language is bound now: Streamlit and
    AppTest call it after the run too."""
    now = lang()
    return lambda choice: choice if choice in kept else i18n.t(f"{prefix}{choice}", now)


def titled(title_of):
    """A widget's ``format_func``: the translation of ``title_of(choice)``, an English
    text defined beside the mathematics, in this run's language (bound now)."""
    now = lang()
    return lambda choice: i18n.data_text(title_of(choice), now)


def say(english_message):
    """A message built in English (a warning, an engine's error) in this session's language."""
    return i18n.message(english_message, lang())
