"""An update rule's box (LaTeX ``aligned`` blocks, as the optimizers' specs write them)
shaped for the column beside its controls: 536 pixels on a 1366-pixel laptop, 358 on a
phone.

Two things made the boxes scroll sideways there (measured in Chromium: 12 of 20 rules wider
than their column at 1366 pixels). Every block opens with one line of inputs, up to 80
characters wide. And a rule that holds another's (Lookahead, Ranger) writes two blocks,
which one display sets side by side: 1,098 pixels.
"""

import re
import unicodedata

BLOCK = re.compile(r"\\begin\{aligned\}.*?\\end\{aligned\}", re.S)
# a block's first line: its bold label ("input: ", in any language) and the inputs
INPUTS = re.compile(r"^&(\\textbf\{[^{}]*\})(.*?)\\\\$", re.M)
ITEM_SEPARATOR = ",\\ "
# characters shown per line of inputs, label included: a phone's column holds 37-40
# at the app's equation size (9-9.6 pixels a character, measured), a laptop's 56-59
LINE_CHARS = 36
WORDS = re.compile(r"\\(?:textbf|text|mathrm|operatorname)\b")
SPACES = re.compile(r"\\(?:qquad|quad|[ ,;:!])")
SYMBOL = re.compile(r"\\[A-Za-z]+")


def blocks(latex):
    """The rule's blocks, each its own display (one per ``aligned`` block), with their
    inputs wrapped (``wrap_inputs``)."""
    return [wrap_inputs(block) for block in BLOCK.findall(latex)] or [latex]


def wrap_inputs(block):
    """``block`` with its line of inputs set over as many lines as keep each within
    ``LINE_CHARS`` characters shown; the lines after the first start under the first
    input (an invisible copy of the label holds the place)."""

    def wrapped(match):
        label, items = match.group(1), top_level_parts(match.group(2), ITEM_SEPARATOR)
        lines, line = [], []
        for item in items:
            if line and shown_width(label + ITEM_SEPARATOR.join([*line, item])) > LINE_CHARS:
                lines.append(line)
                line = []
            line.append(item)
        lines.append(line)
        heads = [label] + [f"\\phantom{{{label}}}"] * (len(lines) - 1)
        return "\n".join(
            f"&{head}{ITEM_SEPARATOR.join(line)}{',' if n < len(lines) - 1 else ''}\\\\"
            for n, (head, line) in enumerate(zip(heads, lines, strict=True))
        )

    return INPUTS.sub(wrapped, block, count=1)


def top_level_parts(latex, separator):
    """``latex`` split at ``separator`` where it stands outside every brace."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and latex.startswith(separator, i):
            parts.append(latex[start:i])
            start = i + len(separator)
    parts.append(latex[start:])
    return parts


def shown_width(latex):
    """About how many characters ``latex`` shows: a command such as ``\\gamma`` is one,
    braces and sub- and superscript marks none, a Chinese character two."""
    text = SYMBOL.sub("x", SPACES.sub(" ", WORDS.sub("", latex)))
    text = re.sub(r"[{}_^]", "", text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
