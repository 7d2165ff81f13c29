"""The one parameter descriptor: what it accepts, how it coerces, what it says."""

import math

import pytest

from parameters import Param, is_number

LR = Param("lr", 0.01, low=0.0, open_low=True)
BETAS = Param("betas", (0.9, 0.999), low=0.0, high=1.0, open_high=True)
SEED = Param("seed", 0, low=0, high=2**31 - 1, kind="int")
CLIP = Param("clip_norm", None, low=0.0, high=1e6, open_low=True, none_means="no clipping")
PALETTE = Param("palette", "okabe-ito", kind=("okabe-ito", "plotly"))
MILESTONES = Param("milestones", [100, 200], low=1, kind="ints")


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        (LR, 1, 1.0),
        (BETAS, [0.5, 0.75], (0.5, 0.75)),
        (SEED, 7.0, 7),
        (CLIP, None, None),
        (CLIP, 2, 2.0),
        (PALETTE, "plotly", "plotly"),
        (MILESTONES, (3, 9), [3, 9]),
        (Param("flag", False, kind="bool"), True, True),
    ],
)
def test_check_returns_the_value_in_its_kind(param, value, expected):
    checked = param.check(value)
    assert checked == expected and type(checked) is type(expected)


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        (LR, 0.0, "adam: lr=0.0 is out of range; allowed: a number, 0 < lr"),
        (LR, math.nan, "adam: lr=nan is not a finite number; allowed: a number, 0 < lr"),
        (LR, "fast", "adam: lr='fast' is not a finite number"),
        (LR, True, "adam: lr=True is not a finite number"),
        (
            BETAS,
            [0.9, 1.0],
            "adam: betas[1]=1.0 is out of range; allowed: a number, 0 <= betas < 1",
        ),
        (BETAS, 0.9, "adam: betas=0.9 must be a pair like (0.9, 0.999)"),
        (
            SEED,
            1.5,
            "adam: seed=1.5 is not an integer; allowed: an integer, 0 <= seed <= 2.14748e+09",
        ),
        (CLIP, 0, "or None (no clipping)"),
        (
            PALETTE,
            "rainbow",
            "adam: palette='rainbow' is not a choice; allowed: one of 'okabe-ito', 'plotly'",
        ),
        (MILESTONES, [5, 5], "is not increasing from the lowest step"),
        (MILESTONES, [0.5], "is not a list of whole steps"),
        (
            Param("flag", False, kind="bool"),
            1,
            "adam: flag=1 is not True or False; allowed: True or False",
        ),
    ],
)
def test_check_names_owner_value_and_what_is_allowed(param, value, message):
    with pytest.raises(ValueError) as error:
        param.check(value, owner="adam")
    assert message in str(error.value)


def test_slider_is_the_ui_range_or_the_bounds():
    assert LR.slider == (0.0, math.inf)
    assert Param("grid", 200, low=50, high=300, kind="int").slider == (50, 300)
    assert Param("lr", 0.1, low=0.0, ui=(1e-4, 1.0)).slider == (1e-4, 1.0)


def test_with_default_keeps_everything_else():
    momentum = Param("momentum", 0.0, low=0.0, near_one=True).with_default(0.9)
    assert momentum.default == 0.9 and momentum.near_one and momentum.low == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, True), (1.5, True), (math.inf, False), (True, False), ("1", False), (10**400, False)],
)
def test_is_number(value, expected):
    assert is_number(value) is expected
