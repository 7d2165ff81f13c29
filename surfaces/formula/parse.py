"""Typed text to a sympy expression, safely: nothing in the text is ever executed.

The text is read by Python's own parser (``ast.parse``, which only builds a tree), then
the tree is walked against a whitelist and the sympy expression is built node by node
from the whitelisted pieces. ``eval``, ``sympify`` and ``parse_expr`` (which calls
``eval``) are never used, so a formula cannot reach attributes, imports or builtins: an
unknown name is an error, not a lookup.

The language: numbers, ``x``, ``y``, ``pi``, ``e``; ``+ - * /`` and powers written ``^``
or ``**`` (``^`` is translated to ``**`` before parsing, so it binds tighter than ``*``
and groups from the right as in mathematics: ``-x^2 = -(x^2)``, ``2^3^2 = 2^9``); calls of
the functions in ``FUNCTIONS`` by plain name with positional arguments. Limits keep the
work bounded: ``MAX_LENGTH`` characters, ``MAX_NODES`` parts, nesting ``MAX_DEPTH``,
constant exponents within ``MAX_EXPONENT``, constants within ``MAX_CONSTANT``.
"""

import ast
import io
import keyword
import math
import tokenize
import warnings
from dataclasses import dataclass
from decimal import Decimal

import sympy as sp

from .functions import FUNCTIONS, constant_value

MAX_LENGTH = 500
MAX_NODES = 250
MAX_DEPTH = 40
MAX_EXPONENT = 100
MAX_CONSTANT = 1e300
# Integers beyond this are kept as floats: exact arithmetic on huge integers (factoring
# them under a square root, say) is where sympy could spend unbounded time.
EXACT_INTEGERS = 10**15

X, Y = sp.symbols("x y", real=True)
NAMES = {"x": X, "y": Y, "pi": sp.pi, "e": sp.E}

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_REFUSED_OPERATORS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
}
# What the other Python constructs are called in messages.
_CONSTRUCTS = {
    ast.Slice: "slices",
    ast.Lambda: "lambda",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "conditional expressions",
    ast.NamedExpr: "assignments (:=)",
    ast.Tuple: "tuples (a, b)",
    ast.List: "lists [...]",
    ast.Set: "sets {...}",
    ast.Dict: "dictionaries {...}",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.Starred: "starred arguments (*a)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

ALLOWED = "numbers, x, y, pi, e, + - * / ^ (or **), parentheses and the functions " + ", ".join(
    FUNCTIONS
)


@dataclass(frozen=True)
class Formula:
    """A checked formula: its canonical text (re-parses to itself) and its expression."""

    text: str
    expr: sp.Expr


def parse(text):
    """The checked Formula of ``text``; ValueError saying what is wrong and where.

    >>> parse("(x - 1)^2 + 2*y^2").text
    '(x - 1) ** 2 + 2 * y ** 2'
    """
    if not isinstance(text, str):
        raise ValueError(f"formula={text!r} must be text, such as 'x^2 + 3*y^2'")
    if not text.strip():
        raise ValueError("formula is empty; type f(x, y), such as 'x^2 + 3*y^2'")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"formula is {len(text)} characters long; allowed: up to {MAX_LENGTH}")
    _check_characters(text)
    source, columns = _translate_powers(text)
    _check_keywords(source, columns)
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: refused below
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ValueError(_syntax_message(error, source, columns)) from None
    except (ValueError, RecursionError, MemoryError):
        raise ValueError("formula could not be read; allowed: " + ALLOWED) from None
    _check_size(tree)
    expr = _Builder(source, columns).build(tree.body)
    _check_real(expr)
    if not expr.free_symbols:
        raise ValueError(f"formula is constant (it equals {expr}); it must use x or y")
    return Formula(text=ast.unparse(tree), expr=expr)


def _check_characters(text):
    for column, char in enumerate(text, 1):
        if char == "#" or not (char.isascii() and (char.isprintable() or char in "\t\n\r")):
            hint = "; write x^2" if char in "²³" else ""
            raise ValueError(f"character {char!r} at column {column} is not allowed{hint}")


def _translate_powers(text):
    """``text`` on one line, from its first non-blank, with ``^`` written ``**``, and the
    column in ``text`` of each character of the result."""
    source, columns = [], []
    for column, char in enumerate(text, 1):
        piece = "**" if char == "^" else " " if char in "\t\r\n" else char
        if source or not piece.isspace():
            source.append(piece)
            columns.extend([column] * len(piece))
    columns.append(len(text) + 1)  # the end
    return "".join(source), columns


def _column(columns, offset):
    """The column in the typed text of the 1-based ``offset`` in the translated text."""
    return columns[min(max(offset, 1), len(columns)) - 1]


def _check_keywords(source, columns):
    """Python keywords (import, lambda, if, True...) have no place in a formula."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME and keyword.iskeyword(token.string):
                column = _column(columns, token.start[1] + 1)
                raise ValueError(
                    f"Python keyword {token.string!r} at column {column} is not allowed; "
                    "allowed: " + ALLOWED
                )
    except (tokenize.TokenError, SyntaxError):
        pass  # unbalanced brackets and the like: the parser reports them


def _syntax_message(error, source, columns):
    offset = error.offset or 0
    if 1 <= offset <= len(source.rstrip()):
        where = f"at column {_column(columns, offset)}"
    else:
        where = "at the end (is something missing?)"
    return f"formula is not valid {where}: {error.msg}"


def _check_size(tree):
    """At most MAX_NODES parts (numbers, names, operations, calls) nested MAX_DEPTH deep."""
    parts, deepest = 0, 0
    pending = [(tree.body, 1)]
    while pending:
        node, depth = pending.pop()
        parts += 1
        deepest = max(deepest, depth)
        if parts > MAX_NODES:
            raise ValueError(f"formula has more than {MAX_NODES} parts; allowed: up to {MAX_NODES}")
        if deepest > MAX_DEPTH:
            raise ValueError(f"formula is nested more than {MAX_DEPTH} deep; allowed: {MAX_DEPTH}")
        pending.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.expr)
        )


def _check_real(expr):
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise ValueError("formula divides by zero or is infinite (such as 1/0 or log(0))")
    if expr.has(sp.I):
        raise ValueError("formula has imaginary values (such as sqrt(-1) or log(-1))")
    pending = [expr]
    while pending:  # every largest constant part (sympy makes exp(x + 800) exp(800)*exp(x))
        part = pending.pop()
        if part.free_symbols:
            pending.extend(part.args)
        elif not math.isfinite(constant_value(part)):
            raise ValueError(
                "formula has a constant beyond float64 (about 1e308), or without a real "
                "value (such as exp(1000))"
            )


class _Builder:
    """Builds the sympy expression of a parsed tree, whitelisted node by node.

    A call whose arguments are constants is computed at once in float64 (``sqrt(2)``
    becomes 1.4142...): sympy would keep it exact and may later spend unbounded time
    evaluating it to arbitrary precision (``max(exp(exp(exp(9))), 1)`` does).
    """

    def __init__(self, source, columns):
        self.source = source
        self.columns = columns

    def where(self, node, offset=None):
        """The words 'at column N' for ``node``, or for the 0-based ``offset``."""
        offset = node.col_offset if offset is None else offset
        return f"at column {_column(self.columns, offset + 1)}"

    def operator_offset(self, node):
        """Where the operator of a binary operation is: after its left operand."""
        offset = node.left.end_col_offset
        while self.source[offset] in " )":
            offset += 1
        return offset

    def refuse(self, node, what, offset=None):
        """ValueError: ``what`` at ``node`` (or at the 0-based ``offset``) is not allowed."""
        return ValueError(f"{what} {self.where(node, offset)} is not allowed; allowed: {ALLOWED}")

    def build(self, node):
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand)
            raise self.refuse(node, f"operator {_operator(node.op)!r}")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):  # point at the dot, not at what precedes it
            raise self.refuse(
                node, f"attribute access '.{node.attr}'", node.end_col_offset - len(node.attr) - 1
            )
        if isinstance(node, ast.Subscript):  # point at the bracket
            raise self.refuse(node, "subscripts ([...])", node.slice.col_offset - 1)
        raise self.refuse(node, _CONSTRUCTS.get(type(node), type(node).__name__))

    def number(self, node):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "imaginary number" if isinstance(value, complex) else "text"
            raise self.refuse(node, f"{kind} {value!r}")
        if isinstance(value, int) and abs(value) <= EXACT_INTEGERS:
            return sp.Integer(value)
        written = ast.get_source_segment(self.source, node)
        # a literal too large, or so small that it reads as 0 (1e-400)
        if not abs(value) <= MAX_CONSTANT or (value == 0 and Decimal(written) != 0):
            raise ValueError(
                f"number {written} {self.where(node)} is out of range; allowed: magnitudes "
                f"up to {MAX_CONSTANT:g} (and above the float64 underflow, about 1e-308)"
            )
        return sp.Float(float(value))

    def name(self, node):
        if node.id in NAMES:
            return NAMES[node.id]
        if node.id in FUNCTIONS:
            raise self.refuse(node, f"function {node.id!r} without (arguments)")
        raise self.refuse(node, f"unknown name {node.id!r}")

    def binary(self, node):
        if type(node.op) not in _OPERATORS:
            raise self.refuse(node, f"operator {_operator(node.op)!r}", self.operator_offset(node))
        left, right = self.build(node.left), self.build(node.right)
        try:
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            return self.power(node, left, right)
        except ArithmeticError:  # sympy's 0.0 / 0.0, for one
            where = self.where(node, self.operator_offset(node))
            raise ValueError(f"formula divides by zero or overflows {where}") from None

    def power(self, node, base, exponent):
        """``base ** exponent`` once its size is known to be harmless."""
        where = self.where(node, self.operator_offset(node))
        if exponent.is_number:
            value = constant_value(exponent)
            if not abs(value) <= MAX_EXPONENT:
                raise ValueError(
                    f"power {where} has the exponent {exponent}; allowed: "
                    f"constant exponents from -{MAX_EXPONENT} to {MAX_EXPONENT}"
                )
            if base.is_number and base != 0:
                size = abs(constant_value(base))
                digits = value * math.log10(size) if size > 0 else math.inf
                if not abs(digits) <= math.log10(MAX_CONSTANT):
                    raise ValueError(
                        f"power {where} is out of range (about 1e{digits:.0f}); "
                        f"allowed: constants of magnitude 1e-300 to 1e300"
                    )
        elif base.is_number and not constant_value(base) > 0:
            raise ValueError(
                f"power {where} raises {base} to a varying exponent; allowed: a positive base "
                "(a negative number has no real powers but whole ones)"
            )
        power = base**exponent
        if power.is_number and math.isnan(constant_value(power)):
            raise ValueError(f"power {where} has no real value ({power})")
        return power

    def call(self, node):
        if isinstance(node.func, (ast.Attribute, ast.Subscript)):
            self.build(node.func)  # raises, naming the attribute or subscript
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node, "calling anything but a function name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.refuse(node, f"unknown function {name!r}")
        if node.keywords:
            raise self.refuse(node, f"keyword arguments in {name}(...)")
        function = FUNCTIONS[name]
        if not function.fewest <= len(node.args) <= function.most:
            count = function.fewest if function.fewest == function.most else None
            allowed = f"{count}" if count else f"{function.fewest} to {function.most}"
            raise ValueError(
                f"{name} {self.where(node)} takes {allowed} argument"
                f"{'' if count == 1 else 's'}, got {len(node.args)}"
            )
        args = [self.build(arg) for arg in node.args]
        if any(arg.free_symbols for arg in args):
            return function.build(*args)
        return self.constant_call(node, name, function, args)

    def constant_call(self, node, name, function, args):
        """A call of constants, computed in float64 (an integer result stays exact)."""
        try:
            value = float(function.value(*(constant_value(arg) for arg in args)))
        except (ArithmeticError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(
                f"{name}(...) {self.where(node)} has no finite real value; "
                "the arguments are outside the function's domain or the result overflows"
            )
        if value.is_integer() and abs(value) <= EXACT_INTEGERS:
            return sp.Integer(int(value))
        return sp.Float(value)


def _operator(op):
    return _REFUSED_OPERATORS.get(type(op), type(op).__name__)
