"""Sequences the session fuzzer (tests/test_session_fuzz.py) found failing, replayed step
by step exactly as it found them, with its checks after every step."""

from scene.model import CUSTOM
from scene.run import custom_surface
from scene.text import numbered, racer_label
from tests.test_session_fuzz import replay, widgets
from ui.controls import FORMULA_EXAMPLES
from ui.widgets import plain


def test_a_typo_in_a_formula_keeps_the_last_valid_one_and_says_so():
    # fc5170c: the sidebar said "Custom formula" while the race silently ran Rosenbrock
    session = replay(
        [
            ("set", "o1.momentum.sgd.lr", 0.2),
            ("set", "o1.momentum.sgd.lr", 0.5),
            ("set", "o1.momentum.sgd.lr", 0.1),
            ("set", "o1.momentum.sgd.lr", 0.0005),
            ("set", "3d", True),
            ("set", "o1.momentum.sgd.lr", 1.0),
            ("set", "o1.momentum.sgd.lr", 0.5),
            ("set", "big", True),
            ("set", "surface", CUSTOM),
            ("set", "formula", "1c=tx"),
        ]
    )
    example = custom_surface(FORMULA_EXAMPLES[0]).expression
    assert session.scene.surface.expression == example
    assert "The charts keep showing the last valid formula" in session.at.error[0].value


def test_racer_labels_follow_an_lr_set_after_a_lesson():
    # fc5170c: the Edit racer buttons still showed the lr before the edit
    session = replay(
        [
            "reopen",
            ("set", "lesson", "long_valley"),
            ("set", "o1.sgd.sgd.lr", 0.01),
            ("set", "lesson", "adam_vs_sgd_rosenbrock"),
            ("set", "o1.sgd.sgd.lr", 0.0002),
        ]
    )
    labels = [racer_label(r, n) for n, r in numbered(session.scene.racers)]
    assert labels[0] == "1. SGD (lr 0.0002)"
    shown = widgets(session.at)
    assert shown["editing"].options == labels
    assert shown["mapracer"].options == labels
    assert shown["csv.which"].options == ["every racer, one file", *labels]


def test_a_cyclic_schedule_picked_after_typed_formulas_keeps_its_link_clean():
    # fc5170c: the link wrote step_size_down:None and cycle_momentum:1, which it then
    # refused with two warnings
    session = replay(
        [
            ("set", "editing", None),
            ("set", "editing", None),
            ("set", "o1.momentum.sgd.momentum", 0.39),
            ("set", "o1", "momentum"),
            ("set", "surface", CUSTOM),
            ("set", "formula", "x <= y"),
            ("set", "o1.momentum.sgd.momentum", 0.56),
            ("set", "o1.momentum.sgd.dampening", 0.37),
            ("set", "formula", ""),
            ("set", "grid", 230),
            ("set", "grid", 160),
            ("set", "o1", "lion"),
            ("set", "editing", None),
            ("set", "formula", "__import__('os')"),
            ("set", "o1.lion.sgd.betas.1", 0.93),
            ("set", "surface", "himmelblau"),
            ("set", "schedule", "linear"),
            ("set", "o1.lion.sgd.betas.0", 0.44),
            ("set", "editing", None),
            ("set", "surface", CUSTOM),
            ("set", "formula", "i_p"),
            ("set", "editing", 2),
            ("set", "formula", ""),
            ("set", "schedule", "cyclic"),
            "reopen",
        ]
    )
    assert session.scene.schedule.name == "cyclic"


def test_nesterov_on_plain_sgd_keeps_the_racer_the_widgets_show():
    # 18f28c7: ticking Nesterov on SGD without momentum (refused by the engine) reset the
    # whole racer to its defaults (lr back to 0.001) while its widgets kept the lesson's
    # lr 0.2 and Nesterov on; the warning ("... resetting sgd") named neither
    replay(
        [
            ("set", "lesson", "himmelblau_basins"),
            "reopen",
            ("set", "lesson", "noisy_gradients"),
            ("set", "lesson", "warmup_cosine"),
            ("set", "schedule.cosine.eta_min", -1e300),
            ("set", "schedule.cosine.eta_min", 1e-09),
            ("set", "3d", True),
            "reopen",
            ("set", "o1.sgd.sgd.momentum", 0.42),
            ("set", "o1.sgd.sgd.lr", 0.5),
            ("set", "o1.sgd.sgd.lr", 0.002),
            ("set", "o1.sgd.sgd.dampening", 0.82),
            ("set", "start.himmelblau.x", -0.6),
            ("set", "racers", 1),
            "reopen",
            ("set", "clip_norm.on", True),
            ("set", "clip_value.on", True),
            ("set", "racers", 10**300),
            ("set", "o1.sgd.sgd.lr", 0.0005),
            ("set", "lesson", "noisy_gradients"),
            ("set", "o1.sgd.sgd.lr", 0.0005),
            "reopen",
            ("set", "o1.sgd.sgd.weight_decay", 0.09),
            "reopen",
            "reopen",
            ("set", "lesson", "noisy_gradients"),
            "reopen",
            "reopen",
            ("set", "o1.sgd.sgd.nesterov", True),
        ]
    )


def test_nesterov_on_plain_sgd_by_itself():
    # the shortest sequence: one racer, SGD at lr 0.05, Nesterov ticked
    session = replay([("set", "o1.sgd.sgd.nesterov", True)], {"o1": "sgd,lr:0.05"})
    assert session.scene.racers[0].lr == 0.05
    assert session.scene.racers[0].hyper["nesterov"] is False
    assert [w.value for w in session.at.warning] == [
        plain(
            "sgd: Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum=0.0, "
            "dampening=0.0); using nesterov=False"
        )
    ]
