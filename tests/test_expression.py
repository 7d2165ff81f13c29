"""Typed formulas: safe parsing, exact derivatives, the interpreter, minima, the Surface.

Derivatives are checked against sympy differentiating the whole expression and against
finite differences; minima against the built-in surfaces typed by hand; hostile inputs
against their messages; random text and random formulas (hypothesis) give a Surface or a
ValueError, never anything else.
"""

import math
import threading
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimizers
import surfaces
from surfaces import _dispatch
from surfaces import _program as op
from surfaces.formula import DEFAULT_DOMAIN, check_domain, suggest_domain
from surfaces.formula.derive import differentiate
from surfaces.formula.functions import constant_value
from surfaces.formula.parse import MAX_LENGTH, X, Y, parse
from surfaces.formula.program import compile_program

# Built-in surfaces as a user would type them.
TYPED = {
    "booth": "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "matyas": "0.26*(x^2 + y^2) - 0.48*x*y",
    "three_hump_camel": "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
    "six_hump_camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
    "styblinski_tang": "(x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y)/2",
    "goldstein_price": "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
    "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
    "mccormick": "sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
    "beale": "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    "ackley": "-20*exp(-0.2*sqrt((x^2 + y^2)/2)) - exp((cos(2*pi*x) + cos(2*pi*y))/2) + e + 20",
    "levi13": "sin(3*pi*x)^2 + (x - 1)^2*(1 + sin(3*pi*y)^2) + (y - 1)^2*(1 + sin(2*pi*y)^2)",
}


def _typed(name):
    return surfaces.from_expression(TYPED[name], surfaces.get(name).domain)


def _close_points(found, expected, atol):
    """Every point of ``expected`` has one of ``found`` within ``atol``, and vice versa."""
    found, expected = np.reshape(found, (-1, 2)), np.reshape(expected, (-1, 2))
    if len(found) != len(expected) or len(found) == 0:
        return len(found) == len(expected)
    distance = np.hypot(*(found[:, None, :] - expected[None, :, :]).transpose(2, 0, 1))
    return bool(np.all(distance.min(axis=0) < atol) and np.all(distance.min(axis=1) < atol))


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x^2 + 3*y^2", X**2 + 3 * Y**2),
        ("-x^2", -(X**2)),  # ^ binds tighter than unary minus, as in mathematics
        ("2^3^2 * x", 512 * X),  # and groups from the right
        ("x**2 / 4", X**2 / 4),
        ("e^x + pi*y", sp.exp(X) + sp.pi * Y),
        ("2e3*x", 2000 * X),
        ("log(x, 2)", sp.log(X) / sp.log(2)),
        ("atan2(y, x) + max(x, y, 0) - min(x, y)", sp.atan2(Y, X) + sp.Max(X, Y, 0) - sp.Min(X, Y)),
        ("sqrt(4) * x + abs(-3) * y", 2 * X + 3 * Y),  # constant calls are computed
        ("  x\n + y\t", X + Y),
    ],
)
def test_formulas_mean_what_mathematics_means(text, expected):
    assert sp.simplify(parse(text).expr - expected) == 0


def test_the_canonical_text_reads_back_to_itself():
    for text in [*TYPED.values(), "-x^2 + 2^-y", "x^(1/3)*log(y, 10)", "((x))*+y"]:
        canonical = parse(text).text
        assert parse(canonical).text == canonical
        assert parse(canonical).expr == parse(text).expr


HOSTILE = [
    ("__import__('os').system('touch /tmp/gradscape-pwned')", "attribute access '.system'"),
    ("__import__('os')", "unknown function '__import__' at column 1"),
    ("x.__class__", "attribute access '.__class__' at column 2"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access '.__subclasses__'"),
    ("x[0]", "subscripts ([...]) at column 2"),
    ("(lambda: 1)()", "Python keyword 'lambda' at column 2"),
    ("[x for x in y]", "keyword 'for'"),
    ("import os", "keyword 'import' at column 1"),
    ("x if y else 1", "keyword 'if'"),
    ("x and y", "keyword 'and'"),
    ("True * x", "keyword 'True'"),
    ("x; y", "not valid at column 2"),
    ("x = 1", "not valid"),
    ("exec('x')", "unknown function 'exec'"),
    ("eval('x')", "unknown function 'eval'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("sin('x')", "text 'x' at column 5"),
    ("f'{x}'", "f-strings"),
    ("1j * x", "imaginary number 1j"),
    ("x < y", "comparisons"),
    ("(x := 1)", "assignments (:=)"),
    ("(x, y)", "tuples"),
    ("{x: y}", "dictionaries"),
    ("sin(x=1)", "keyword arguments in sin(...)"),
    ("sin(*x)", "starred arguments"),
    ("sin(x)(y)", "calling anything but a function name"),
    ("sin + x", "function 'sin' without (arguments)"),
    ("sin(x, y)", "sin at column 1 takes 1 argument, got 2"),
    ("max(x)", "takes 2 to 8 arguments, got 1"),
    ("z + 1", "unknown name 'z' at column 1"),
    ("x % 2", "operator '%'"),
    ("x // 2", "operator '//'"),
    ("x @ y", "operator '@'"),
    ("x | y", "operator '|'"),
    ("~x", "operator '~'"),
    ("9**9**9", "exponent 387420489"),
    ("x^1000", "exponent 1000; allowed: constant exponents from -100 to 100"),
    ("2^x^1000", "exponent 1000"),
    ("(10^15)^30 * x", "power at column 8 is out of range (about 1e450)"),
    ("1e999 * x", "number 1e999 at column 1 is out of range"),
    ("1e-400 + x", "number 1e-400 at column 1 is out of range"),
    ("10^400 + x", "exponent 400"),
    ("x" + "+x" * (MAX_LENGTH // 2), f"allowed: up to {MAX_LENGTH}"),
    ("+x" * 120, "more than 40 deep"),
    ("-" * 60 + "x", "more than 40 deep"),
    ("(" * 210 + "x" + ")" * 210, "too many nested parentheses"),
    ("", "formula is empty"),
    ("   ", "formula is empty"),
    ("sin(x", "'(' was never closed"),
    ("x +", "at the end"),
    ("2x", "invalid decimal literal"),
    ("x²", "character '²' at column 2 is not allowed; write x^2"),
    ("π*x", "character 'π' at column 1"),
    ("x # + y", "character '#' at column 3"),
    ("x\x00", "character '\\x00' at column 2"),
    ("1/0 + x", "divides by zero"),
    ("0.0 / 0.0 + x", "formula divides by zero or overflows at column 5"),
    ("log(0) + x", "log(...) at column 1 has no finite real value"),
    ("x/(y - y)", "divides by zero"),
    ("sqrt(-1) * x", "sqrt(...) at column 1 has no finite real value"),
    ("(-8)^(1/3) * x", "power at column 5 has no real value"),
    ("(-1)^0.5 + x", "no real value"),
    ("(-2)^x", "power at column 5 raises -2 to a varying exponent"),
    ("0^(x*y)", "raises 0 to a varying exponent"),
    ("acos(2) + x", "acos(...) at column 1 has no finite real value"),
    ("exp(1000) + x", "exp(...) at column 1 has no finite real value"),
    ("exp(x + 1e300)", "formula has a constant beyond float64"),
    ("max(exp(exp(exp(9))), 1) + x", "exp(...) at column 9"),
    ("7", "formula is constant (it equals 7)"),
    ("x - x", "formula is constant (it equals 0)"),
    (3, "formula=3 must be text"),
    (None, "formula=None must be text"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_hostile_and_broken_input_is_refused_with_its_reason(text, message):
    with pytest.raises(ValueError) as caught:
        surfaces.from_expression(text, ((-1, 1), (-1, 1)))
    assert message in str(caught.value)
    assert not Path("/tmp/gradscape-pwned").exists()


def test_nothing_is_evaluated_as_python(monkeypatch):
    """Neither Python's eval/exec nor sympy's string parser ever sees the text."""
    import builtins

    import sympy.parsing.sympy_parser as sympy_parser

    def forbidden(*args, **kwargs):
        raise AssertionError(f"called with {args!r}")

    for module, name in [(builtins, "eval"), (builtins, "exec"), (sympy_parser, "parse_expr")]:
        monkeypatch.setattr(module, name, forbidden)
    surface = surfaces.from_expression("sin(x)*exp(-y^2) + max(x, y)^2/3 + log(2 + x^2, 10)")
    assert surface.f(0.5, 0.25) == pytest.approx(
        math.sin(0.5) * math.exp(-0.0625) + 0.5**2 / 3 + math.log10(2.25)
    )


# ---------------------------------------------------------------- derivatives

# Random formulas of whitelisted parts, as text.
_LEAVES = st.sampled_from(["x", "y", "x", "y", "2", "0.5", "3", "pi", "e", "1.7"])
_UNARY = ["sin", "cos", "tanh", "exp", "atan", "sinh", "cosh", "sqrt", "log", "abs", "tan"]


def _formulas(leaves=_LEAVES):
    def grow(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(inner, st.sampled_from(["2", "3", "-1", "0.5", "-2", "y"])).map(
                lambda t: f"({t[0]})^{t[1]}"
            ),
            st.tuples(st.sampled_from(_UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["atan2", "max", "min"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(inner, inner).map(lambda t: f"log({t[0]}, {t[1]})"),
        )

    return st.recursive(leaves, grow, max_leaves=12)


_POINTS = [(0.31, 0.77), (-0.64, 0.43), (1.37, -0.52), (-1.11, -1.29), (0.52, 1.61)]


def _exact(expr, x, y):
    """sympy's value of ``expr`` at (x, y), Dirac deltas taken as 0; NaN where it is not
    a real number (sympy's max of complex numbers raises)."""
    expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    try:
        value = complex(expr.xreplace({X: sp.Float(x, 25), Y: sp.Float(y, 25)}).evalf(25))
    except (TypeError, ValueError):
        return math.nan
    return value.real if abs(value.imag) <= 1e-12 * (1 + abs(value.real)) else math.nan


def _program_values(program, x, y):
    """f, fx, fy, fxx, fxy, fyy of ``program`` at (x, y), by the compiled interpreter."""
    xs, ys = np.array([float(x)]), np.array([float(y)])
    out = np.empty((1, 3))
    values = []
    for many, width in (
        (_dispatch.values_many, 1),
        (_dispatch.gradients_many, 2),
        (_dispatch.hessians_many, 3),
    ):
        many(_dispatch.EXPRESSION, program, xs, ys, out)
        values.extend(out[0, :width])
    return values


def _check_against_sympy(text):
    formula = parse(text)
    program = compile_program(differentiate(formula.expr))
    whole = [
        formula.expr,
        sp.diff(formula.expr, X),
        sp.diff(formula.expr, Y),
        sp.diff(formula.expr, X, X),
        sp.diff(formula.expr, X, Y),
        sp.diff(formula.expr, Y, Y),
    ]
    parts = list(sp.preorder_traversal(formula.expr))
    for x, y in _POINTS:
        if not all(math.isfinite(_exact(part, x, y)) for part in parts):
            continue  # outside the formula's domain (some part is not a finite real number)
        expected = [_exact(e, x, y) for e in whole]
        got = _program_values(program, x, y)
        if not all(map(math.isfinite, expected)) or max(map(abs, expected)) > 1e8:
            continue  # too close to a pole to compare
        for name, g, e in zip(("f", "fx", "fy", "fxx", "fxy", "fyy"), got, expected, strict=True):
            assert g == pytest.approx(e, rel=1e-8, abs=1e-8), f"{name} of {text} at {(x, y)}"


@pytest.mark.parametrize("name", sorted(TYPED))
def test_typed_builtins_have_sympys_derivatives(name):
    _check_against_sympy(TYPED[name])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas())
def test_random_formulas_have_sympys_exact_derivatives(text):
    try:
        parse(text)
    except ValueError:
        return  # constant, or a constant out of range: refused, fine
    _check_against_sympy(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas())
def test_random_formulas_match_finite_differences(text):
    try:
        surface = surfaces.from_expression(text, ((-2, 2), (-2, 2)))
    except ValueError:
        return
    h = 1e-6
    for x, y in _POINTS:
        fx, fy = surface.grad(x, y)
        hessian = surface.hessian(x, y)
        around = [surface.f(x + dx, y + dy) for dx, dy in ((h, 0), (-h, 0), (0, h), (0, -h))]
        slopes = [surface.grad(x + dx, y + dy) for dx, dy in ((h, 0), (-h, 0), (0, h), (0, -h))]
        values = [fx, fy, *hessian.ravel(), *around, *np.ravel(slopes)]
        if not np.all(np.isfinite(values)) or max(map(abs, values)) > 1e6:
            continue
        scale = 1 + max(map(abs, values))
        assert fx == pytest.approx((around[0] - around[1]) / (2 * h), abs=1e-5 * scale)
        assert fy == pytest.approx((around[2] - around[3]) / (2 * h), abs=1e-5 * scale)
        by_x = (np.subtract(slopes[0], slopes[1])) / (2 * h)
        by_y = (np.subtract(slopes[2], slopes[3])) / (2 * h)
        assert hessian[0] == pytest.approx(by_x, abs=1e-5 * scale)
        assert hessian[1] == pytest.approx(by_y, abs=1e-5 * scale)


def test_kinks_have_the_derivative_of_their_side_and_no_dirac_delta():
    s = surfaces.from_expression("abs(x) + max(y, 0)^2 + min(x, y)", ((-1, 1), (-1, 1)))
    assert s.grad(0.5, 0.6) == (1.0 + 1.0, 1.2)  # min(x, y) = x
    assert s.grad(-0.5, 0.3) == (-1.0 + 1.0, 0.6)
    assert s.grad(0.4, -0.3) == (1.0, 0.0 + 1.0)  # min(x, y) = y
    assert s.grad(0.5, 0.5) == (1.5, 1.5)  # on the crease: sympy's Heaviside(0) = 1/2
    np.testing.assert_array_equal(s.hessian(0.4, -0.3), [[0.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(s.hessian(0.4, 0.3), [[0.0, 0.0], [0.0, 2.0]])


def test_derivatives_stay_linear_in_the_size_of_the_formula():
    """A product of 29 binomials: sympy.diff on the whole took 11 s for its Hessian."""
    text = "*".join(f"(x + {k}*y)" for k in range(1, 30))
    formula = parse(text)
    program = compile_program(differentiate(formula.expr))
    lengths = [int(program[int(program[k])]) for k in range(3)]
    assert lengths[2] < 30 * 20
    x, y = 0.3, -0.01
    factors = [x + k * y for k in range(1, 30)]
    expected_fx = sum(math.prod(factors[:i] + factors[i + 1 :]) for i in range(29))
    assert _program_values(program, x, y)[1] == pytest.approx(expected_fx, rel=1e-12)


# ---------------------------------------------------------------- the interpreter


def test_every_operation_computes_what_it_says():
    x, y = 0.3, -0.7
    cases = {
        "x + y": x + y,
        "x - y": x - y,
        "x * y": x * y,
        "x / y": x / y,
        "3*x - 2*y + 1": 3 * x - 2 * y + 1,
        "2 / x": 2 / x,
        "x^2 + y^-1 + x^5 + y^-3": x**2 + 1 / y + x**5 + y**-3,
        "x^0.7 + x^(-1/2) + sqrt(x)": x**0.7 + x**-0.5 + math.sqrt(x),
        "x^y + 2^y": x**y + 2**y,
        "exp(x) + log(x) + sin(y) + cos(y) + tan(y)": math.exp(x)
        + math.log(x)
        + math.sin(y)
        + math.cos(y)
        + math.tan(y),
        "asin(x) + acos(y) + atan(y)": math.asin(x) + math.acos(y) + math.atan(y),
        "sinh(y) + cosh(y) + tanh(y)": math.sinh(y) + math.cosh(y) + math.tanh(y),
        "abs(y) + atan2(y, x) + max(x, y) + min(x, y)": 0.7 + math.atan2(y, x) + x + y,
        "-x": -x,
    }
    for text, expected in cases.items():
        program = compile_program(differentiate(parse(text).expr))
        assert _program_values(program, x, y)[0] == pytest.approx(expected, rel=1e-14), text


def test_outside_a_functions_domain_the_value_is_nan_not_an_error():
    s = surfaces.from_expression("sqrt(x) + log(y) + 1/x", ((-1, 1), (-1, 1)))
    assert math.isnan(s.f(-1.0, 0.5)) and math.isnan(s.f(0.5, -1.0))
    assert s.f(0.0, 1.0) == math.inf


def test_programs_too_long_for_the_machine_are_refused():
    """The parser's limits keep formulas far below this; the compiler checks anyway."""
    huge = sp.Add(*(sp.sin(k * X + Y) for k in range(1, 3000)))
    with pytest.raises(ValueError, match="computing f takes more than 4000 operations"):
        compile_program(differentiate(huge))


def test_programs_reuse_registers():
    """A long sum needs a handful of registers, not one per operation."""
    text = " + ".join(f"sin({k}*x + y)*cos(x - {k}*y)" for k in range(1, 12))
    program = compile_program(differentiate(parse(text).expr))
    for segment in range(3):
        start = int(program[segment])
        n = int(program[start])
        rows = program[start + op.HEADER : start + op.HEADER + n * op.WIDTH].reshape(n, op.WIDTH)
        assert rows[:, 1].max() < n / 3


def test_malformed_programs_give_numbers_and_stay_in_bounds():
    """Whatever the parameter array holds, the interpreter reads and writes in bounds
    (a crash of the process would fail this test)."""
    rng = np.random.default_rng(7)
    xs, ys = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    good = surfaces.from_expression("x*y + sin(x)", ((-1, 1), (-1, 1))).kernel_params
    programs = [np.zeros(1), np.zeros(3), np.array([3.0, 3.0, 3.0, 1e9, 0, 0, 0]), good[:-7]]
    programs += [rng.normal(0, 10 ** rng.uniform(0, 12), good.size) for _ in range(200)]
    programs += [np.where(rng.random(good.size) < 0.2, np.nan, good) for _ in range(50)]
    programs += [np.where(rng.random(good.size) < 0.2, -good * 1e6, good) for _ in range(50)]
    for program in programs:
        for many in (_dispatch.values_many, _dispatch.gradients_many, _dispatch.hessians_many):
            out = np.zeros((2, 3))
            many(_dispatch.EXPRESSION, np.ascontiguousarray(program, float), xs, ys, out)
    out = np.zeros((2, 3))
    _dispatch.values_many(_dispatch.EXPRESSION, good[:-7].copy(), xs, ys, out)
    np.testing.assert_allclose(out[:, 0], xs * ys + np.sin(xs))  # f's segment is whole
    _dispatch.values_many(_dispatch.EXPRESSION, np.zeros(5), xs, ys, out)
    assert np.isnan(out[:, 0]).all()  # too short to be a program


def test_concurrent_threads_share_a_surface_safely():
    """The registers live on each call's stack: threads cannot overwrite each other's."""
    s = surfaces.from_expression(TYPED["goldstein_price"], ((-2, 2), (-2, 2)))
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-2, 2, (2, 200_000))
    expected = np.empty((xs.size, 3))
    _dispatch.hessians_many(s.sid, s.kernel_params, xs, ys, expected)
    outputs = [np.empty((xs.size, 3)) for _ in range(4)]
    threads = [
        threading.Thread(target=_dispatch.hessians_many, args=(s.sid, s.kernel_params, xs, ys, out))
        for out in outputs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for out in outputs:
        np.testing.assert_array_equal(out, expected)


def test_constants_are_computed_in_float64_and_refused_when_not_finite():
    assert constant_value(sp.pi * 2) == 2 * math.pi
    assert constant_value(sp.exp(3) + sp.log(2)) == pytest.approx(math.exp(3) + math.log(2))
    assert math.isnan(constant_value(sp.exp(sp.exp(sp.exp(10)))))
    assert math.isnan(constant_value(sp.Integer(-8) ** sp.Rational(1, 3)))


# ---------------------------------------------------------------- minima and the Surface


@pytest.mark.parametrize(
    "name",
    [
        "booth",
        "himmelblau",
        "rosenbrock",
        "matyas",
        "three_hump_camel",
        "six_hump_camel",
        "styblinski_tang",
        "goldstein_price",
        "mccormick",
        "beale",
    ],
)
def test_typed_builtins_find_the_builtins_minima_and_saddles(name):
    builtin, typed = surfaces.get(name), _typed(name)
    assert _close_points(typed.minima, builtin.minima, 1e-6), typed.minima
    assert typed.f_min == pytest.approx(builtin.f_min, abs=1e-9)
    assert _close_points(typed.saddles, builtin.saddles, 1e-6), typed.saddles


def test_typed_formulas_compute_what_the_builtins_compute():
    for name in TYPED:
        builtin, typed = surfaces.get(name), _typed(name)
        (x0, x1), (y0, y1) = builtin.domain
        # even counts: no grid point at the centre, where Ackley's cone has no gradient
        xs, ys = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 36))
        np.testing.assert_allclose(typed.f(xs, ys), builtin.f(xs, ys), rtol=1e-12, atol=1e-12)
        for got, want in zip(typed.grad(xs, ys), builtin.grad(xs, ys), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-9, err_msg=name)
        np.testing.assert_allclose(
            typed.hessian(xs, ys), builtin.hessian(xs, ys), rtol=1e-10, atol=1e-8, err_msg=name
        )


def test_booth_typed_as_text_is_booth():
    booth, typed = surfaces.get("booth"), _typed("booth")
    np.testing.assert_allclose(typed.minima, booth.minima, atol=1e-12)
    assert typed.f_min == booth.f_min == 0.0
    assert typed.name == "expression" and typed.sid == _dispatch.EXPRESSION
    assert typed.expression == "(x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2"
    assert typed.domain == typed.view == booth.domain
    assert typed.latex.startswith("f = ") and r"\left(x + 2 y - 7\right)^{2}" in typed.latex
    assert "1 global minimum (f = 0)" in typed.note
    assert repr(typed).startswith("Surface(expression: (x + 2 * y - 7)")


def test_the_expression_and_domain_rebuild_the_surface():
    s = surfaces.from_expression("x^4 - 2*x^2 + y^2 + 0.3*x", ((-2, 2), (-1.5, 1.5)))
    again = surfaces.from_expression(s.expression, s.domain)
    assert (again.expression, again.domain, again.minima, again.saddles, again.f_min) == (
        s.expression,
        s.domain,
        s.minima,
        s.saddles,
        s.f_min,
    )
    np.testing.assert_array_equal(again.kernel_params, s.kernel_params)
    assert again.kernel_params is not s.kernel_params
    assert again.kernel_params.flags.writeable


def test_the_default_start_is_usable_and_away_from_the_minima():
    for text, box in [(TYPED["himmelblau"], ((-5, 5), (-5, 5))), ("x^2 + y^2", ((-1, 3), (0, 2)))]:
        s = surfaces.from_expression(text, box)
        x, y = s.default_start
        (x0, x1), (y0, y1) = box
        assert x0 < x < x1 and y0 < y < y1
        assert all(math.isfinite(v) for v in (s.f(x, y), *s.grad(x, y)))
        nearest = min(math.dist((x, y), m) for m in s.minima)
        assert nearest > 0.2 * math.dist((x0, y0), (x1, y1)) / 2


def test_unbounded_and_flat_formulas():
    plane = surfaces.from_expression("x + 2*y", ((-1, 1), (-1, 1)))
    assert plane.minima == () and plane.f_min == -math.inf and plane.saddles == ()
    assert "No minimum inside the domain" in plane.note
    saddle = surfaces.from_expression("x^2 - y^2", ((-2, 2), (-2, 2)))
    assert saddle.minima == () and saddle.saddles == ((0.0, 0.0),)
    valley = surfaces.from_expression("(x - 0.5)^2", ((-2, 2), (-2, 2)))
    assert len(valley.minima) == 8 and all(m[0] == pytest.approx(0.5) for m in valley.minima)
    assert "reached at more points" in valley.note
    cubic = surfaces.from_expression("x^3 - 3*x + y^2", ((-3, 3), (-2, 2)))
    np.testing.assert_allclose(cubic.minima, [(1.0, 0.0)], atol=1e-12)
    np.testing.assert_allclose(cubic.saddles, [(-1.0, 0.0)], atol=1e-12)
    assert cubic.f_min == pytest.approx(-2.0, abs=1e-12)
    assert "f falls lower toward the edge" in cubic.note
    partly = surfaces.from_expression("sqrt(x) + (y - 1)^2 + (x - 2)^2", ((-4, 4), (-4, 4)))
    assert "undefined" in partly.note and partly.minima
    with pytest.raises(ValueError, match="no finite value in the domain"):
        surfaces.from_expression("sqrt(-x^2 - 1 - y^2)", ((-1, 1), (-1, 1)))


@pytest.mark.parametrize(
    "domain, message",
    [
        (((1, -1), (-1, 1)), "the x range (1, -1) is not allowed"),
        (((-1, 1), (0, 0)), "the y range (0, 0) is not allowed"),
        (((-1, math.inf), (-1, 1)), "the x range (-1, inf)"),
        (((-1, math.nan), (-1, 1)), "the x range (-1, nan)"),
        (((-1e7, 1), (-1, 1)), "both from -1e+06 to 1e+06"),
        (((-1, 1),), "must be ((xmin, xmax), (ymin, ymax))"),
        ("big", "must be ((xmin, xmax), (ymin, ymax))"),
        (((-1, "a"), (-1, 1)), "must be ((xmin, xmax), (ymin, ymax))"),
    ],
)
def test_bad_domains_are_refused(domain, message):
    with pytest.raises(ValueError) as caught:
        surfaces.from_expression("x^2 + y^2", domain)
    assert message in str(caught.value)


def test_check_domain_returns_floats():
    assert check_domain([[0, 1], [-2, 3.5]]) == ((0.0, 1.0), (-2.0, 3.5))


def test_suggested_domains_hold_the_critical_points():
    booth = suggest_domain(TYPED["booth"])
    assert booth == ((-2.0, 4.0), (0.0, 6.0))  # x +- 3 around the minimum (1, 3)
    himmelblau = surfaces.from_expression(TYPED["himmelblau"])  # domain suggested
    (x0, x1), (y0, y1) = himmelblau.domain
    assert len(himmelblau.minima) == 4 and len(himmelblau.saddles) == 4
    for x, y in himmelblau.minima + himmelblau.saddles:
        assert x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1
    far = suggest_domain("(x - 300)^2 + (y + 200)^2")  # found in the second search box
    assert far[0][0] < 300 < far[0][1] and far[1][0] < -200 < far[1][1]
    assert suggest_domain("x + y") == DEFAULT_DOMAIN  # no critical point anywhere
    rugged = suggest_domain(TYPED["ackley"])  # hundreds of minima: only the global one
    assert rugged == ((-3.0, 3.0), (-3.0, 3.0))


# ---------------------------------------------------------------- optimizers on typed surfaces


def test_optimizers_converge_on_a_typed_quadratic():
    s = surfaces.from_expression("3*(x - 1)^2 + (y + 2)^2 + x*y", ((-5, 5), (-5, 5)))
    # the minimum solves [[6, 1], [1, 2]] (x, y) = (6, -4)
    expected = np.linalg.solve([[6.0, 1.0], [1.0, 2.0]], [6.0, -4.0])
    np.testing.assert_allclose(s.minima, [expected], rtol=1e-12)
    for name, lr, steps in [("sgd", 0.1, 300), ("adam", 0.1, 2000), ("lbfgs", 1.0, 50)]:
        path = optimizers.run(s, name, s.default_start, steps, lr=lr)
        assert path.diverged_at is None
        np.testing.assert_allclose(path.xy[-1], expected, atol=1e-6, err_msg=name)
        assert path.surface == "expression"
    newton = optimizers.run(s, "newton", (4.0, 4.0), 1, lr=1.0)  # exact Hessian: one step
    np.testing.assert_allclose(newton.xy[-1], expected, rtol=1e-12)


def test_a_typed_rosenbrock_runs_exactly_like_the_builtin():
    typed = surfaces.from_expression(TYPED["rosenbrock"], surfaces.get("rosenbrock").domain)
    ours = optimizers.run(typed, "adam", (-1.5, 2.5), 500, lr=0.01)
    theirs = optimizers.run("rosenbrock", "adam", (-1.5, 2.5), 500, lr=0.01)
    np.testing.assert_allclose(ours.xy, theirs.xy, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- fuzzing


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_random_text_gives_a_surface_or_a_value_error(text):
    _surface_or_value_error(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xy0123456789.+-*/^(), episnaqrtlgbmhc_[]'", max_size=40))
def test_formula_like_text_gives_a_surface_or_a_value_error(text):
    _surface_or_value_error(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas())
def test_random_formulas_give_a_surface_or_a_value_error(text):
    surface = _surface_or_value_error(text, domain=None)
    if surface is not None:
        assert surfaces.from_expression(surface.expression, surface.domain).minima == (
            surface.minima
        )


_EXTREME_LEAVES = st.sampled_from(
    ["x", "y", "0", "0.0", "-1", "1e300", "1e-300", "99", "-100", "pi", "x*y", "(x - y)"]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas(_EXTREME_LEAVES))
def test_formulas_with_extreme_numbers_give_a_surface_or_a_value_error(text):
    _surface_or_value_error(text)


def _surface_or_value_error(text, domain=((-3, 3), (-3, 3))):
    try:
        surface = surfaces.from_expression(text, domain)
    except ValueError as error:
        assert str(error)
        return None
    assert isinstance(surface, surfaces.Surface)
    assert math.isfinite(surface.f(*surface.default_start))
    return surface


def test_a_typed_formula_works_in_the_batch_engine_scenes_and_export():
    """Everywhere a built-in works: run_batch, a scene (URL, preset file), the export."""
    import scene as S
    from export import render
    from scene.run import surface_of

    typed = surfaces.from_expression("(x + 2*y - 7)^2 + (2*x + y - 5)^2", ((-10, 10), (-10, 10)))
    starts = np.array([[0.0, 0.0], [-5.0, 4.0], [8.0, -8.0]])
    batch = optimizers.run_batch(typed, "adam", starts, 300, lr=0.1)
    for start, final in zip(starts, batch.final_xy, strict=True):
        alone = optimizers.run(typed, "adam", tuple(start), 300, lr=0.1)
        np.testing.assert_allclose(final, alone.xy[-1], rtol=1e-6)
    raw = {"surface": {"name": S.CUSTOM, "expression": typed.expression, "domain": typed.domain}}
    scene, warnings = S.validate(raw)
    assert warnings == []
    assert surface_of(scene.surface).minima == typed.minima
    restored, warnings = S.from_query(S.to_query(scene))
    assert warnings == [] and restored == scene
    race = render.race_of(scene)  # the figure the export draws
    assert len(race.trajectories) == len(scene.racers)
    assert race.figure.to_dict()["layout"]["images"]
