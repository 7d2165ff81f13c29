"""Every text a person reads, in English and Simplified Chinese: one keyed catalogue per
language (``i18n/en.json``, ``i18n/zh.json``) and a lookup.

    t("sidebar.surface", "zh")              -> "曲面"
    t("steps.label", "zh", most=5000)       -> "步数（1 至 5000）"
    data_text(surface.note, "zh")           -> the Chinese note, or the English given
    algorithm(spec.algorithm, "zh")         -> the update rule's box, its words in Chinese
    message("too slow", "zh")               -> "太慢"

A key the chosen catalogue lacks falls back to English. Texts that live beside the
mathematics (a surface's note, an optimizer's summary, a parameter's help) keep their
English where they are defined; only their translations are in the catalogues' ``data``
table, keyed by their English text (gettext's way: an edited English text shows up as a
missing translation in ``tests/test_i18n.py``). The words of the update rules' LaTeX
boxes (``\\text{input: }``) are translated phrase by phrase from the same table.

Messages built in English deep in the engine or the validation (a formula's error, a
link's warning, a criterion) are matched against the catalogue's ``messages`` patterns.
"""

import json
import re
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
FOLDER = Path(__file__).resolve().parent


@cache
def catalogue(lang):
    """``{key: text}`` of language ``lang``, and its tables ``data`` (English text to its
    translation), ``messages`` (patterns) and ``phrases`` (parts of messages)."""
    return json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))


def t(key, lang=DEFAULT, **fields):
    """The text of ``key`` in ``lang`` (English when ``lang`` lacks it), with ``fields``
    filled in."""
    text = catalogue(lang if lang in LANGUAGES else DEFAULT).get(key)
    if text is None:
        text = catalogue(DEFAULT)[key]
    if not fields:
        return text
    return text.format(**fields)


def data_text(english, lang=DEFAULT):
    """A text kept in English where it is defined (a surface's note), in ``lang`` when the
    catalogue's ``data`` table has it."""
    if lang == DEFAULT or not english:
        return english
    return catalogue(lang).get("data", {}).get(english, english)


TEXT_COMMAND = re.compile(r"\\text(bf)?\{([^{}]*)\}")


def algorithm(latex, lang=DEFAULT):
    """An update rule's LaTeX box with the words of its ``\\text{...}`` and ``\\textbf{...}``
    phrases in ``lang`` (spaces around a phrase kept; symbols untouched)."""
    if lang == DEFAULT:
        return latex
    phrases = catalogue(lang).get("data", {})

    def one(match):
        bold, phrase = match.groups()
        core = phrase.strip()
        if core not in phrases:
            return match.group(0)
        left = phrase[: len(phrase) - len(phrase.lstrip())]
        right = phrase[len(phrase.rstrip()) :]
        return f"\\text{bold or ''}{{{left}{phrases[core]}{right}}}"

    return TEXT_COMMAND.sub(one, latex)


def algorithm_phrases(latex):
    """The stripped English phrases of ``latex``'s text commands that hold a letter."""
    return {
        m.group(2).strip()
        for m in TEXT_COMMAND.finditer(latex)
        if re.search("[A-Za-z]", m.group(2))
    }


def message(text, lang=DEFAULT):
    """A text built in English by the engine or the validation (a warning, an error, a
    criterion, a typed formula's note), in ``lang``: a text of the ``data`` table as
    translated there; else the wording of the first ``messages`` pattern (a regular
    expression over the whole text, with named fields) that matches, its fields named
    ``msg...`` translated in turn; else the text with every ``phrases`` pattern in it
    replaced (sentences of a longer text)."""
    text = str(text)
    if lang == DEFAULT:
        return text
    known = catalogue(lang).get("data", {}).get(text)
    if known is not None:
        return known
    for pattern, wording in _patterns(lang, "messages"):
        match = pattern.fullmatch(text)
        if match:
            return wording.format(**_fields(match, lang))
    for pattern, wording in _patterns(lang, "phrases"):
        text = pattern.sub(lambda m, w=wording: w.format(**_fields(m, lang)), text)
    return text


def _fields(match, lang):
    return {
        name: message(value, lang) if name.startswith("msg") else value
        for name, value in match.groupdict().items()
    }


@cache
def _patterns(lang, table):
    """The compiled patterns of ``lang``'s ``table`` ("messages" or "phrases"), in order."""
    return tuple(
        (re.compile(pattern, re.DOTALL), wording)
        for pattern, wording in catalogue(lang).get(table, {}).items()
    )


WEIGHT = re.compile(r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([^,;\s]*))?")


def preferred(accept_language, locale=None):
    """The supported language a browser prefers: from its Accept-Language header
    (``"zh-CN,zh;q=0.9,en;q=0.8"``, highest weight first), else from its ``locale``
    (``"zh-CN"``), else English."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        match = WEIGHT.match(part)
        if match:
            try:
                weight = float(match.group(2)) if match.group(2) else 1.0
            except ValueError:
                continue
            ranked.append((-weight, position, match.group(1).lower().split("-")[0]))
    for _, _, lang in sorted(ranked):
        if lang in LANGUAGES:
            return lang
    base = (locale or "").lower().split("-")[0]
    return base if base in LANGUAGES else DEFAULT
