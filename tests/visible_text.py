"""Every text a person reads in an AppTest run, and the English words left in it.

``visible_texts(at)`` walks every element AppTest sees (main area and sidebar): widget
labels, help, placeholders and option labels, Markdown, captions, alerts, LaTeX (the words
of its ``\\text{...}``), tables and data frames (headers and cells), HTML, and each Plotly
chart's titles, axis and colour-bar titles, tick texts, legend names, annotations, hover
templates, marker texts and buttons.

``english_words(text)`` is what is left of a text once symbols, numbers, the names a
link and the code use (``ALLOWED``, parameter and option keywords) and LaTeX commands
are taken out: words of two or more Latin letters.
"""

import json
import re

from google.protobuf.message import Message

# Proper names, symbols and the keywords of the link and the engine that stay as written
# in every language: optimizer, surface and author names, file formats, units.
PROPER_NAMES = """
SGD Adam AdamW Adamax NAdam RAdam AMSGrad Adagrad Adadelta RMSprop Rprop ASGD Lion
YellowFin Lookahead Ranger Nesterov Newton Levenberg BFGS L-BFGS Gradscape PyTorch torch
optim Rosenbrock Beale Himmelblau Booth Matyas Goldstein Price Styblinski Tang Lévi McCormick
Rastrigin Ackley Easom Hessian Wolfe Okabe Ito Plotly CSV PNG SVG GIF MP4 PDF kB lr log
log10 sqrt sin cos tan exp abs tanh pi sign max min argmin inf nan Python
Kingma Ba Reddi Loshchilov Hutter Dozat Liu Riedmiller Braun Polyak Juditsky Nocedal
Wright Chen Zhang Mitliagkas Duchi Hazan Singer Zeiler Hinton Coursera Sutskever al
CLR Symbolic Discovery of Optimization Algorithms and the Art Momentum Tuning
max_iter line_search_fn None amsgrad True False English L1 L2 beta1 beta2 etaplus
etaminus CSS Smith fast ai lr_find Li et MSELoss BCEWithLogitsLoss weight_decay logit
""".split()

LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
LATEX_TEXT = re.compile(r"\\text(?:bf)?\{([^{}]*)\}")
# a word: two or more Latin letters (accented too), not part of a number such as 1e-3
WORD = re.compile(r"(?<![A-Za-zÀ-ÿ0-9_.])[A-Za-zÀ-ÿ_][A-Za-zÀ-ÿ0-9_']*[A-Za-zÀ-ÿ0-9_]")
VISIBLE_FIELDS = {"label", "help", "placeholder", "body", "options", "text", "value"}
PLOTLY_TEXT_KEYS = {"text", "name", "hovertemplate", "label", "ticktext", "title", "prefix"}


def visible_texts(at):
    """Every text of the run ``at`` that a person reads, as a list of strings."""
    out = []
    for root in (at.main, at.sidebar):
        _walk(root, out)
    return out


def _walk(node, out):
    kind = getattr(node, "type", "")
    if kind in ("table", "dataframe", "arrow_data_frame"):
        frame = node.value
        out += [str(column) for column in frame.columns]
        out += [str(cell) for cell in frame.to_numpy().ravel().tolist()]
    proto = getattr(node, "proto", None)
    if isinstance(proto, Message):
        _proto_texts(proto, out)
    for child in getattr(node, "children", {}).values() if hasattr(node, "children") else ():
        _walk(child, out)


def _proto_texts(proto, out):
    for field, value in proto.ListFields():
        if field.name == "spec" and isinstance(value, str):
            _plotly_texts(json.loads(value), out)
        elif field.type == field.TYPE_MESSAGE:
            for one in value if _repeated(field) else [value]:
                _proto_texts(one, out)
        elif field.type == field.TYPE_STRING and field.name in VISIBLE_FIELDS:
            out += list(value) if _repeated(field) else [value]


def _repeated(field):
    return field.is_repeated


def _plotly_texts(spec, out, key=None):
    """The texts of a Plotly figure's JSON, skipping traces hidden from the legend (their
    names are never shown) and the data arrays."""
    if isinstance(spec, dict):
        hidden = spec.get("showlegend") is False or spec.get("hoverinfo") == "skip"
        for name, value in spec.items():
            if name == "name" and hidden:
                continue
            if name in ("frames", "customdata", "x", "y", "z", "images", "meta"):
                continue
            _plotly_texts(value, out, name)
    elif isinstance(spec, list):
        for value in spec:
            _plotly_texts(value, out, key)
    elif isinstance(spec, str) and key in PLOTLY_TEXT_KEYS:
        out.append(spec)


def english_words(text, allowed=()):
    """The Latin words of ``text`` that are not symbols, names or keywords."""
    if "\\begin{" in text:  # a LaTeX box: only the words of its text commands are words
        text = " ".join(LATEX_TEXT.findall(text))
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)  # a formula on its own line
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)  # HTML tags
    text = re.sub(r"%\{[^}]*\}", " ", text)  # Plotly's hover fields
    text = re.sub(r"`[^`]*`", " ", text)  # code spans: formulas, commands
    text = re.sub(r"\\?'[^']*\\?'", " ", text)  # quoted values: what was typed
    text = re.sub(r"\$[^$]*\$", " ", text)  # inline mathematics
    text = LATEX_COMMAND.sub(" ", text)
    keep = set(PROPER_NAMES) | set(allowed)
    return [word for word in WORD.findall(text) if word not in keep and "_" not in word]


def keywords():
    """The names the link and the engine use, shown as written beside their translated
    descriptions: every optimizer's hyperparameters, every schedule's and surface's
    parameters and their choices (``triangular``, ``cos``), and the basin colourings."""
    import optimizers
    import surfaces
    from optimizers import schedules

    params = [h for name in optimizers.names() for h in optimizers.spec(name).controls()]
    params += [p for name in schedules.names() for p in schedules.spec(name).params.values()]
    params += [p for name in surfaces.names() for p in surfaces.parameters(name).values()]
    names = {p.name for p in params}
    names |= {choice for p in params if isinstance(p.kind, tuple) for choice in p.kind}
    from scene.link import LANDSCAPE_KEYS, OPTION_KEYS, VIEW_KEYS

    link = {"surface", "schedule", "start", "steps", "f", "domain", "racer", "sweep"}
    link |= set(OPTION_KEYS) | set(VIEW_KEYS) | set(LANDSCAPE_KEYS)
    from surfaces.formula.functions import FUNCTIONS

    named = set(optimizers.names()) | set(surfaces.names()) | set(schedules.names())
    return names | link | named | set(FUNCTIONS)
