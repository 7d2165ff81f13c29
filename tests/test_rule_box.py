"""An update rule's box shaped for its column: inputs wrapped, blocks apart."""

import i18n
import optimizers
from ui import rule_box


def test_the_inputs_wrap_under_the_first_one_within_the_line_budget():
    box = rule_box.blocks(optimizers.spec("momentum").algorithm)
    [block] = box
    lines = block.strip().splitlines()
    assert lines[1:4] == [
        r"&\textbf{input: } \gamma \text{ (lr)},\ \theta_0,\ f(\theta),\\",
        r"&\phantom{\textbf{input: }}\lambda \text{ (weight decay)},\\",
        r"&\phantom{\textbf{input: }}\mu \text{ (momentum)},\ \tau \text{ (dampening)}\\",
    ]
    # the rest of the box untouched
    original = optimizers.spec("momentum").algorithm.strip().splitlines()
    assert lines[4:] == original[2:]


def test_every_rule_keeps_its_inputs_in_order_and_each_line_within_the_budget():
    for name in optimizers.names():
        latex = optimizers.spec(name, "adam").algorithm
        for lang in ("en", "zh"):
            translated = i18n.algorithm(latex, lang)
            originals = rule_box.BLOCK.findall(translated)
            blocks = rule_box.blocks(translated)
            assert len(blocks) == len(originals) == translated.count(r"\begin{aligned}")
            for block, unwrapped in zip(blocks, originals, strict=True):
                inputs = [line for line in block.splitlines() if "input" in line or "输入" in line]
                # the first line of inputs and the places held under it
                label = inputs[0][1 : inputs[0].index("}") + 1]
                wrapped = [
                    line
                    for line in block.splitlines()
                    if line.startswith(("&" + label, "&\\phantom"))
                ]
                lines = [
                    rule_box.top_level_parts(
                        line.removeprefix("&" + label)
                        .removeprefix(f"&\\phantom{{{label}}}")
                        .removesuffix("\\\\")
                        .removesuffix(","),
                        rule_box.ITEM_SEPARATOR,
                    )
                    for line in wrapped
                ]
                original = next(
                    line for line in unwrapped.splitlines() if line.startswith("&" + label)
                )
                items = rule_box.ITEM_SEPARATOR.join(item for line in lines for item in line)
                assert items == original.removeprefix("&" + label).removesuffix("\\\\")
                for line in lines:  # a line of one input may be wider: it cannot wrap
                    shown = rule_box.shown_width(label + rule_box.ITEM_SEPARATOR.join(line))
                    assert len(line) == 1 or shown <= rule_box.LINE_CHARS, line


def test_a_rule_that_holds_another_is_two_displays():
    latex = optimizers.spec("lookahead", "radam").algorithm
    first, second = rule_box.blocks(latex)
    assert r"\phi_0 \text{ (slow weights)}" in first and r"\rho_\infty" in second
    assert all(
        b.startswith(r"\begin{aligned}") and b.endswith(r"\end{aligned}") for b in (first, second)
    )


def test_a_box_without_blocks_is_shown_as_it_is():
    assert rule_box.blocks(r"x \leftarrow x - \gamma g") == [r"x \leftarrow x - \gamma g"]


def test_shown_width_counts_what_the_reader_sees():
    assert rule_box.shown_width(r"\gamma \text{ (lr)}") == len("γ  (lr)")
    assert rule_box.shown_width(r"\beta_1, \beta_2") == len("β1, β2")
    assert rule_box.shown_width(r"\text{（权重衰减）}") == 12  # six wide characters
    assert rule_box.shown_width(r"a,\ b\quad") == len("a, b ")


def test_top_level_parts_split_outside_braces_only():
    assert rule_box.top_level_parts(r"a,\ \text{b,\ c},\ d", ",\\ ") == ["a", r"\text{b,\ c}", "d"]
