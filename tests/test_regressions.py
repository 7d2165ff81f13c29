"""Sequences the session fuzzer (tests/test_session_fuzz.py) found failing, replayed step
by step exactly as it found them, with its checks after every step."""

from tests.test_session_fuzz import replay, widgets
from viz import scene as S
from viz import ui


def test_a_typo_in_a_formula_keeps_the_last_valid_one_and_says_so():
    # fc5170c: the sidebar said "Custom formula" while the race silently ran Rosenbrock
    session = replay(
        [
            ("set", "o0.momentum.sgd.lr", 0.2),
            ("set", "o0.momentum.sgd.lr", 0.5),
            ("set", "o0.momentum.sgd.lr", 0.1),
            ("set", "o0.momentum.sgd.lr", 0.0005),
            ("set", "3d", True),
            ("set", "o0.momentum.sgd.lr", 1.0),
            ("set", "o0.momentum.sgd.lr", 0.5),
            ("set", "big", True),
            ("set", "surface", S.CUSTOM),
            ("set", "formula", "1c=tx"),
        ]
    )
    example = S.custom_surface(ui.FORMULA_EXAMPLES[0]).expression
    assert session.scene["surface"]["expression"] == example
    assert "The charts keep showing the last valid formula" in session.at.error[0].value


def test_racer_labels_follow_an_lr_set_after_a_lesson():
    # fc5170c: the Edit racer buttons still showed the lr before the edit
    session = replay(
        [
            "reopen",
            ("set", "lesson", "long_valley"),
            ("set", "o0.sgd.sgd.lr", 0.01),
            ("set", "lesson", "adam_vs_sgd_rosenbrock"),
            ("set", "o0.sgd.sgd.lr", 0.0002),
        ]
    )
    labels = [S.racer_label(r, i) for i, r in enumerate(session.scene["optimizers"])]
    assert labels[0] == "1. SGD (lr 0.0002)"
    shown = widgets(session.at)
    assert shown["editing"].options == labels
    assert shown["mapr"].options == labels
    assert shown["csv.which"].options == ["every racer, one file", *labels]


def test_a_cyclic_schedule_picked_after_typed_formulas_keeps_its_link_clean():
    # fc5170c: the link wrote step_size_down:None and cycle_momentum:1, which it then
    # refused with two warnings
    session = replay(
        [
            ("set", "editing", None),
            ("set", "editing", None),
            ("set", "o0.momentum.sgd.momentum", 0.39),
            ("set", "o0", "momentum"),
            ("set", "surface", S.CUSTOM),
            ("set", "formula", "x <= y"),
            ("set", "o0.momentum.sgd.momentum", 0.56),
            ("set", "o0.momentum.sgd.dampening", 0.37),
            ("set", "formula", ""),
            ("set", "grid", 230),
            ("set", "grid", 160),
            ("set", "o0", "lion"),
            ("set", "editing", None),
            ("set", "formula", "__import__('os')"),
            ("set", "o0.lion.sgd.betas.1", 0.93),
            ("set", "surface", "himmelblau"),
            ("set", "schedule", "linear"),
            ("set", "o0.lion.sgd.betas.0", 0.44),
            ("set", "editing", None),
            ("set", "surface", S.CUSTOM),
            ("set", "formula", "i_p"),
            ("set", "editing", 1),
            ("set", "formula", ""),
            ("set", "schedule", "cyclic"),
            "reopen",
        ]
    )
    assert session.scene["schedule"]["name"] == "cyclic"
