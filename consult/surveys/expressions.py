"""A small, safe evaluator for the XLSForm expression language.

XLSForm authors write skip logic (``relevant``), validation (``constraint``), conditional requirement
(``required``) and choice filters (``choice_filter``) in a subset of XPath 1.0. This module parses that
subset into an immutable syntax tree and evaluates it against a survey's answers. Nothing is ever handed to
Python's ``eval``: a form uploaded by anyone can only compute values, never run code.

Supported:

* ``${field}`` (a question's answer), ``.`` (the value of the question being validated), bare names
  (``country``: a column of the choices sheet, meaningful only in a choice filter);
* numbers (``3``, ``2.5``) and strings (``'yes'`` or ``"yes"``);
* ``or``, ``and``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``+``, ``-``, ``*``, ``div``, ``mod``,
  unary ``-`` and parentheses, with XPath's precedence;
* the functions listed in :data:`FUNCTIONS` (``not()``, ``selected()``, ``count-selected()``, ...).

Semantics follow XPath 1.0 as ODK applies them: an unanswered question is the empty string, ``=`` compares
numerically when both sides are numbers, relational operators compare numbers (or two ISO dates), a
division by zero gives an infinity or NaN, and evaluation never raises on data. Only :func:`parse` raises,
with :class:`ExpressionError`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from consult.i18n import gettext as _

__all__ = [
    "Expr",
    "Number",
    "String",
    "Ref",
    "Current",
    "Column",
    "Call",
    "Binary",
    "Negate",
    "ExpressionError",
    "FUNCTIONS",
    "MAX_LENGTH",
    "parse",
    "references",
    "columns",
    "uses_current",
    "evaluate",
    "evaluate_bool",
    "compile_expression",
    "compile_condition",
    "Compiled",
    "to_boolean",
    "to_number",
    "to_string",
    "selected_values",
]

#: Longer expressions are refused: no honest form needs them, and they bound the parser's work.
MAX_LENGTH = 10_000
#: Deeper nesting is refused, so a hostile ``((((...`` cannot exhaust Python's stack.
MAX_DEPTH = 64


# --------------------------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Expr:
    """Base of the syntax tree. ``position`` (0-based offset in the source) is kept for messages only."""

    position: int = field(default=0, compare=False, kw_only=True)

    def children(self) -> tuple["Expr", ...]:
        return ()


@dataclass(frozen=True)
class Number(Expr):
    value: float


@dataclass(frozen=True)
class String(Expr):
    value: str


@dataclass(frozen=True)
class Ref(Expr):
    """``${name}``: the answer to question ``name``."""

    name: str


@dataclass(frozen=True)
class Current(Expr):
    """``.``: the value being validated (the question's own answer in a constraint)."""


@dataclass(frozen=True)
class Column(Expr):
    """A bare name: a column of the choices sheet, used by choice filters (``country=${country}``)."""

    name: str


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Negate(Expr):
    operand: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


class ExpressionError(ValueError):
    """A syntax error in an expression.

    Attributes
    ----------
    message : str
        Translated, human-readable description (already mentions the character position, 1-based).
    position : int
        0-based offset into the expression text where the problem was noticed.
    """

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


# ---------------------------------------------------------------------------------------------- tokenizer

# Token kinds.
_NUM, _STR, _REF, _NAME, _OP, _DOT, _LPAREN, _RPAREN, _COMMA, _END = (
    "number", "string", "ref", "name", "op", "dot", "(", ")", ",", "end",
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


# XPath names (NCName) may contain "-" and ".", which is how ``count-selected`` is one name. ASCII letters and
# any Unicode letter are allowed, as pyxform allows them in question names.
_NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
_NUMBER_RE = re.compile(r"\d+(?:\.\d*)?|\.\d+", re.ASCII)
_REF_RE = re.compile(r"\$\{\s*([^\W\d][\w.\-]*)\s*\}")
_TWO_CHAR_OPS = ("!=", "<=", ">=")
_ONE_CHAR_OPS = "=<>+-*"


def _tokenize(text: str) -> Iterator[_Token]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "$":
            m = _REF_RE.match(text, i)
            if not m:
                raise ExpressionError(
                    _("Malformed reference at character %(position)d: write ${name}.", position=i + 1), i
                )
            yield _Token(_REF, m.group(1), i)
            i = m.end()
            continue
        if ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExpressionError(
                    _("Unterminated string starting at character %(position)d.", position=i + 1), i
                )
            yield _Token(_STR, text[i + 1 : end], i)
            i = end + 1
            continue
        m = _NUMBER_RE.match(text, i)
        if m:
            yield _Token(_NUM, m.group(), i)
            i = m.end()
            continue
        if ch == ".":
            if text.startswith("..", i):
                raise ExpressionError(
                    _("Unsupported path '..' at character %(position)d.", position=i + 1), i
                )
            yield _Token(_DOT, ".", i)
            i += 1
            continue
        m = _NAME_RE.match(text, i)
        if m:
            yield _Token(_NAME, m.group(), i)
            i = m.end()
            continue
        if text.startswith(_TWO_CHAR_OPS, i):
            yield _Token(_OP, text[i : i + 2], i)
            i += 2
            continue
        if ch in _ONE_CHAR_OPS:
            yield _Token(_OP, ch, i)
            i += 1
            continue
        if ch == "(":
            yield _Token(_LPAREN, ch, i)
        elif ch == ")":
            yield _Token(_RPAREN, ch, i)
        elif ch == ",":
            yield _Token(_COMMA, ch, i)
        else:
            raise ExpressionError(
                _("Unexpected character %(char)s at character %(position)d.", char=repr(ch), position=i + 1), i
            )
        i += 1
    yield _Token(_END, "", n)


# ------------------------------------------------------------------------------------------------- parser

# Binding power of each infix operator, lowest first, as in XPath 1.0.
_INFIX: dict[str, int] = {
    "or": 1,
    "and": 2,
    "=": 3, "!=": 3,
    "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5,
    "*": 6, "div": 6, "mod": 6,
}
_WORD_OPERATORS = frozenset({"or", "and", "div", "mod"})
_UNARY_POWER = 7


class _Parser:
    """Pratt parser over the token stream; one instance per :func:`parse` call."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = list(_tokenize(text))
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        tok = self.tokens[self.index]
        self.index += 1
        return tok

    def error(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, position)

    def infix_operator(self) -> str | None:
        """The operator at the current token, if it can continue an expression."""
        tok = self.token
        if tok.kind == _OP:
            return tok.text
        # "and", "or", "div" and "mod" are operators only where an operator may stand, as in XPath.
        if tok.kind == _NAME and tok.text in _WORD_OPERATORS:
            return tok.text
        return None

    def parse(self) -> Expr:
        if self.token.kind == _END:
            raise self.error(_("The expression is empty."), 0)
        expr = self.expression(0)
        tok = self.token
        if tok.kind != _END:
            raise self.error(
                _("Unexpected %(token)s at character %(position)d.", token=repr(tok.text), position=tok.position + 1),
                tok.position,
            )
        return expr

    def expression(self, min_power: int) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                _("The expression is nested too deeply (at character %(position)d).", position=self.token.position + 1),
                self.token.position,
            )
        left = self.prefix()
        while True:
            op = self.infix_operator()
            if op is None:
                break
            power = _INFIX[op]
            if power <= min_power:
                break
            op_token = self.advance()
            # Left associative: the right operand binds strictly tighter than this operator.
            right = self.expression(power)
            left = Binary(op, left, right, position=op_token.position)
        self.depth -= 1
        return left

    def prefix(self) -> Expr:
        tok = self.advance()
        if tok.kind == _NUM:
            return Number(float(tok.text), position=tok.position)
        if tok.kind == _STR:
            return String(tok.text, position=tok.position)
        if tok.kind == _REF:
            return Ref(tok.text, position=tok.position)
        if tok.kind == _DOT:
            return Current(position=tok.position)
        if tok.kind == _OP and tok.text == "-":
            return Negate(self.expression(_UNARY_POWER - 1), position=tok.position)
        if tok.kind == _LPAREN:
            inner = self.expression(0)
            self.expect(_RPAREN, tok)
            return inner
        if tok.kind == _NAME:
            if self.token.kind == _LPAREN:
                return self.call(tok)
            return Column(tok.text, position=tok.position)
        if tok.kind == _END:
            raise self.error(
                _("The expression ends too early (at character %(position)d).", position=tok.position + 1),
                tok.position,
            )
        raise self.error(
            _("Unexpected %(token)s at character %(position)d.", token=repr(tok.text), position=tok.position + 1),
            tok.position,
        )

    def expect(self, kind: str, opening: _Token) -> None:
        tok = self.token
        if tok.kind == _END:
            raise self.error(
                _("Missing closing parenthesis for the one at character %(opening)d.", opening=opening.position + 1),
                tok.position,
            )
        if tok.kind != kind:
            raise self.error(
                _(
                    "Missing closing parenthesis for the one at character %(opening)d (found %(token)s at character %(position)d).",
                    opening=opening.position + 1,
                    token=repr(tok.text),
                    position=tok.position + 1,
                ),
                tok.position,
            )
        self.advance()

    def call(self, name: _Token) -> Expr:
        spec = FUNCTIONS.get(name.text)
        if spec is None:
            raise self.error(
                _("Unknown function %(name)s() at character %(position)d.", name=name.text, position=name.position + 1),
                name.position,
            )
        opening = self.advance()  # the "("
        args: list[Expr] = []
        if self.token.kind != _RPAREN:
            while True:
                args.append(self.expression(0))
                if self.token.kind != _COMMA:
                    break
                self.advance()
        self.expect(_RPAREN, opening)
        low, high = spec.arity
        if not (low <= len(args) and (high is None or len(args) <= high)):
            raise self.error(
                _(
                    "Function %(name)s() takes %(expected)s argument(s), not %(count)d (at character %(position)d).",
                    name=name.text,
                    expected=_arity_text(low, high),
                    count=len(args),
                    position=name.position + 1,
                ),
                name.position,
            )
        return Call(name.text, tuple(args), position=name.position)


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return _("at least %(count)d", count=low)
    if low == high:
        return str(low)
    return _("%(low)d to %(high)d", low=low, high=high)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expr:
    return _Parser(text).parse()


def parse(text: str) -> Expr:
    """Parse an XLSForm expression into a syntax tree.

    Parameters
    ----------
    text : str
        The expression as written in the form, e.g. ``"${age} >= 18 and selected(${roles}, 'chair')"``.

    Returns
    -------
    Expr
        An immutable tree; parsing the same text twice returns the same (cached) object.

    Raises
    ------
    ExpressionError
        On any syntax error, unknown function or wrong number of arguments, with the position.
    """
    if not isinstance(text, str):
        raise TypeError("expression text must be a str")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            _("The expression is too long (more than %(limit)d characters).", limit=MAX_LENGTH), MAX_LENGTH
        )
    return _parse_cached(text)


# ------------------------------------------------------------------------------------------ tree queries


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def references(expr: Expr) -> set[str]:
    """Names of the questions an expression reads through ``${name}``."""
    return {node.name for node in walk(expr) if isinstance(node, Ref)}


def columns(expr: Expr) -> set[str]:
    """Bare names in the expression (choice-sheet columns in a choice filter)."""
    return {node.name for node in walk(expr) if isinstance(node, Column)}


def uses_current(expr: Expr) -> bool:
    """Whether the expression mentions ``.`` (directly or as an implicit function argument)."""
    for node in walk(expr):
        if isinstance(node, Current):
            return True
        if isinstance(node, Call) and not node.args and FUNCTIONS[node.name].defaults_to_current:
            return True
    return False


# -------------------------------------------------------------------------------------------- conversions

_XPATH_NUMBER_RE = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*", re.ASCII)
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _normalise(value: Any) -> Any:
    """Bring an answer into the evaluator's value space: str, float, bool or tuple of str (a multiple choice)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(str(v) for v in value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def to_number(value: Any) -> float:
    """XPath ``number()``: numbers as they are, booleans as 1/0, numeric strings parsed, anything else NaN."""
    value = _normalise(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = " ".join(value) if isinstance(value, tuple) else value
    if _XPATH_NUMBER_RE.fullmatch(text):
        return float(text)
    return math.nan


def to_string(value: Any) -> str:
    """XPath ``string()``: whole numbers lose their ``.0``, a multiple choice is space-separated."""
    value = _normalise(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, tuple):
        return " ".join(value)
    return value


def to_boolean(value: Any) -> bool:
    """XPath ``boolean()``: non-zero numbers, non-empty strings and non-empty selections are true."""
    value = _normalise(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return len(value) > 0


def selected_values(value: Any) -> tuple[str, ...]:
    """The choice names of a multiple-choice answer, stored as a list or as a space-separated string."""
    value = _normalise(value)
    if isinstance(value, tuple):
        return tuple(v for v in value if v != "")
    return tuple(to_string(value).split())


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True
    return not math.isnan(to_number(value))


def _as_date(value: Any) -> _dt.date | None:
    if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------------------------------- operators


def _equals(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if _is_numeric(left) and _is_numeric(right):
        return to_number(left) == to_number(right)
    return to_string(left) == to_string(right)


def _compare(op: str, left: Any, right: Any) -> bool:
    # Two ISO dates compare as dates (ODK compares dates); otherwise XPath converts both sides to numbers,
    # and any comparison involving NaN (an empty or non-numeric answer) is false.
    left_date, right_date = _as_date(left), _as_date(right)
    if left_date is not None and right_date is not None:
        a: Any = left_date
        b: Any = right_date
    else:
        a, b = to_number(left), to_number(right)
        if math.isnan(a) or math.isnan(b):
            return False
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    # XPath's mod truncates towards zero like C's fmod, and x mod 0 is NaN.
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def _arithmetic(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            return _divide(a, b)
        return _modulo(a, b)
    except (OverflowError, ValueError):  # inf - inf and the like are NaN, never an exception
        return math.nan


# ---------------------------------------------------------------------------------------------- functions


@dataclass(frozen=True)
class FunctionSpec:
    """A function the evaluator knows: its arity, and whether zero arguments means ``.`` (XPath's context)."""

    arity: tuple[int, int | None]
    impl: Callable[..., Any]
    defaults_to_current: bool = False


def _fn_if(cond: Any, then: Any, otherwise: Any) -> Any:
    return then if to_boolean(cond) else otherwise


def _fn_int(value: Any) -> float:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def _fn_round(value: Any, digits: Any = 0.0) -> float:
    number, places = to_number(value), to_number(digits)
    if math.isnan(number) or math.isinf(number) or math.isnan(places) or abs(places) > 15:
        return math.nan if math.isnan(places) else number
    factor = 10.0 ** int(places)
    # XPath rounds half up (towards positive infinity), unlike Python's banker's rounding.
    return math.floor(number * factor + 0.5) / factor


def _fn_coalesce(first: Any, second: Any) -> Any:
    return first if to_string(first) != "" else second


def _fn_today() -> str:
    return _dt.date.today().isoformat()


FUNCTIONS: dict[str, FunctionSpec] = {
    "not": FunctionSpec((1, 1), lambda v: not to_boolean(v)),
    "true": FunctionSpec((0, 0), lambda: True),
    "false": FunctionSpec((0, 0), lambda: False),
    "boolean": FunctionSpec((1, 1), to_boolean),
    "number": FunctionSpec((0, 1), to_number, defaults_to_current=True),
    "string": FunctionSpec((0, 1), to_string, defaults_to_current=True),
    "string-length": FunctionSpec((0, 1), lambda v: float(len(to_string(v))), defaults_to_current=True),
    "selected": FunctionSpec((2, 2), lambda multi, choice: to_string(choice) in selected_values(multi)),
    "count-selected": FunctionSpec((1, 1), lambda multi: float(len(selected_values(multi)))),
    "if": FunctionSpec((3, 3), _fn_if),
    "coalesce": FunctionSpec((2, 2), _fn_coalesce),
    "concat": FunctionSpec((0, None), lambda *vs: "".join(to_string(v) for v in vs)),
    "contains": FunctionSpec((2, 2), lambda s, t: to_string(t) in to_string(s)),
    "int": FunctionSpec((1, 1), _fn_int),
    "round": FunctionSpec((1, 2), _fn_round),
    "today": FunctionSpec((0, 0), _fn_today),
}


# --------------------------------------------------------------------------------------------- evaluation


def evaluate(
    expr: Expr,
    answers: Mapping[str, Any],
    current: Any = None,
    row: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate a parsed expression.

    Parameters
    ----------
    expr : Expr
        A tree from :func:`parse`.
    answers : Mapping
        Answers by question name. Missing names and ``None`` are unanswered (the empty string). A multiple
        choice is a list/tuple of choice names or a space-separated string; a date an ISO ``yyyy-mm-dd`` string.
    current : object, optional
        The value of ``.``.
    row : Mapping, optional
        The choices-sheet row bare names refer to (choice filters).

    Returns
    -------
    str, float, bool or tuple of str
        Never raises on data: a missing name is empty, arithmetic on text is NaN.
    """
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, String):
        return expr.value
    if isinstance(expr, Ref):
        return _normalise(lookup(answers, expr.name))
    if isinstance(expr, Current):
        return _normalise(current)
    if isinstance(expr, Column):
        return _normalise(lookup(row, expr.name)) if row is not None else ""
    if isinstance(expr, Negate):
        return -to_number(evaluate(expr.operand, answers, current, row))
    if isinstance(expr, Binary):
        return _evaluate_binary(expr, answers, current, row)
    if isinstance(expr, Call):
        return _evaluate_call(expr, answers, current, row)
    raise TypeError(f"not an expression node: {expr!r}")  # a programming error, never a data error


def lookup(mapping: Mapping[str, Any] | None, name: str) -> Any:
    """What a reference reads in ``mapping`` (answers, or a choice's row): ``None`` when missing or unreadable."""
    if mapping is None:
        return None
    try:
        return mapping.get(name)
    except Exception:  # a lazily computed mapping must not turn a data problem into a crash
        return None


def _evaluate_binary(expr: Binary, answers: Mapping[str, Any], current: Any, row: Mapping[str, Any] | None) -> Any:
    # Operators are left-associative, so a long chain ("${c} = 'a' or ${c} = 'b' or ...", common in real
    # forms) is a deep *left* spine. Walk it in a loop rather than by recursion, so that length costs no stack.
    spine: list[Binary] = []
    node: Expr = expr
    while isinstance(node, Binary):
        spine.append(node)
        node = node.left
    value = evaluate(node, answers, current, row)
    for binary in reversed(spine):
        value = _apply(binary, value, answers, current, row)
    return value


def _apply(expr: Binary, left: Any, answers: Mapping[str, Any], current: Any, row: Mapping[str, Any] | None) -> Any:
    op = expr.op
    # "and"/"or" short-circuit, as in XPath: the right side is not evaluated when the left decides.
    if op == "and":
        return to_boolean(left) and to_boolean(evaluate(expr.right, answers, current, row))
    if op == "or":
        return to_boolean(left) or to_boolean(evaluate(expr.right, answers, current, row))
    right = evaluate(expr.right, answers, current, row)
    if op == "=":
        return _equals(left, right)
    if op == "!=":
        return not _equals(left, right)
    if op in ("<", "<=", ">", ">="):
        return _compare(op, left, right)
    return _arithmetic(op, left, right)


def _evaluate_call(expr: Call, answers: Mapping[str, Any], current: Any, row: Mapping[str, Any] | None) -> Any:
    spec = FUNCTIONS[expr.name]
    if expr.name == "if":  # evaluate only the branch taken
        cond = evaluate(expr.args[0], answers, current, row)
        return evaluate(expr.args[1] if to_boolean(cond) else expr.args[2], answers, current, row)
    if not expr.args and spec.defaults_to_current:
        values = [_normalise(current)]
    else:
        values = [evaluate(arg, answers, current, row) for arg in expr.args]
    try:
        return spec.impl(*values)
    except (OverflowError, ValueError):  # e.g. rounding an enormous number: NaN, as XPath would say
        return math.nan


def evaluate_bool(
    expr: Expr | str,
    answers: Mapping[str, Any],
    current: Any = None,
    row: Mapping[str, Any] | None = None,
) -> bool:
    """Evaluate an expression (or its text) as a condition: ``relevant``, ``constraint``, ``choice_filter``."""
    if isinstance(expr, str):
        expr = parse(expr)
    return to_boolean(evaluate(expr, answers, current, row))


# -------------------------------------------------------------------------------------------- compilation
#
# :func:`evaluate` walks the tree on every call. A form's conditions are evaluated many times per request (each
# question's ``relevant``, ``required`` and ``constraint``, each choice against a filter), always the same few
# texts, so :func:`compile_expression` turns a tree into nested Python closures once, one per node, and caches
# them by text. The closures compute exactly what :func:`evaluate` computes (which stays the reference,
# and the tests compare the two): same values of the same types, same short-circuits of ``and``, ``or`` and
# ``if()``, and an exception wherever :func:`evaluate` would raise one. A few common shapes get a closure of
# their own (``${x} = 'yes'``, ``. >= 1``, ``selected(., 'none')``), and subtrees without references, ``.``,
# columns or ``today()`` are computed once.

#: A compiled expression: ``fn(answers, current, row)``, arguments as for :func:`evaluate`, all three positional.
Compiled = Callable[[Mapping[str, Any], Any, "Mapping[str, Any] | None"], Any]

# Operators whose result is always a bool (to_boolean leaves it as it is).
_BOOLEAN_OPS = frozenset({"and", "or", "=", "!=", "<", "<=", ">", ">="})
_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
# A left-associative chain (``a or b or c ...``) up to this long becomes nested closures; a longer one a loop,
# so that its length costs no stack when it runs (as in :func:`_evaluate_binary`).
_MAX_NESTED_CHAIN = 4
_NAN = math.nan


def _reader(node: Expr) -> Callable[[Mapping[str, Any], Any, Any], Any] | None:
    """For ``${name}`` and ``.``, a closure reading the (normalised) value; ``None`` for any other node."""
    if isinstance(node, Ref):
        name = node.name

        def read_ref(a: Any, c: Any, r: Any) -> Any:
            try:  # lookup(), inlined: a missing or unreadable name is None
                v = a.get(name)
            except Exception:
                v = None
            if type(v) is str:  # _normalise() returns an exact str as it is
                return v
            return _normalise(v)

        return read_ref
    if isinstance(node, Current):
        return _read_current
    return None


def _read_current(a: Any, c: Any, r: Any) -> Any:
    return _normalise(c)


def _fast_number(v: Any) -> float:
    """:func:`to_number`, with the two common types first."""
    t = type(v)
    if t is float:
        return v
    if t is str:
        return float(v) if _XPATH_NUMBER_RE.fullmatch(v) else _NAN
    return to_number(v)


def _compare_by(cmp: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    """:func:`_compare` with the operator as a function."""
    left_date, right_date = _as_date(left), _as_date(right)
    if left_date is not None and right_date is not None:
        return cmp(left_date, right_date)
    a, b = _fast_number(left), _fast_number(right)
    if a != a or b != b:  # NaN
        return False
    return cmp(a, b)


def _equals_constant(operand: Compiled, constant: Any, negate: bool, constant_first: bool) -> Compiled:
    """``operand = constant`` (or ``!=``, or with the constant on the left), ``constant`` a str or float."""
    constant_is_number = _is_numeric(constant)
    number, text = to_number(constant), to_string(constant)
    if constant_first:
        def slow(v: Any) -> bool:
            return _equals(constant, v)
    else:
        def slow(v: Any) -> bool:
            return _equals(v, constant)

    if not constant_is_number:
        # A str that is not a number: a str operand compares as text, and only an exact str is its own to_string.
        if negate:
            def not_equal_text(a: Any, c: Any, r: Any) -> bool:
                v = operand(a, c, r)
                if type(v) is str:
                    return v != text
                return not slow(v)

            return not_equal_text

        def equal_text(a: Any, c: Any, r: Any) -> bool:
            v = operand(a, c, r)
            if type(v) is str:
                return v == text
            return slow(v)

        return equal_text

    def equal_number(v: Any) -> bool:
        t = type(v)
        if t is str:
            if _XPATH_NUMBER_RE.fullmatch(v):  # both numeric: compared as numbers
                return float(v) == number
            return v == text
        if t is float:
            return v == number
        return slow(v)

    if negate:
        def not_equal_number(a: Any, c: Any, r: Any) -> bool:
            return not equal_number(operand(a, c, r))

        return not_equal_number

    def equal_number_closure(a: Any, c: Any, r: Any) -> bool:
        return equal_number(operand(a, c, r))

    return equal_number_closure


def _compare_constant(cmp: Callable[[Any, Any], bool], operand: Compiled, constant: Any,
                      constant_first: bool) -> Compiled:
    """``operand < constant`` and the like (or with the constant on the left), ``constant`` a str or float."""
    constant_date = _as_date(constant)
    number = to_number(constant)
    if constant_date is None:
        if number != number:  # nothing compares with NaN; the operand is still evaluated, as evaluate() does
            def never(a: Any, c: Any, r: Any) -> bool:
                to_number(operand(a, c, r))
                return False

            return never
        if constant_first:
            def constant_compared(a: Any, c: Any, r: Any) -> bool:
                v = _fast_number(operand(a, c, r))
                return v == v and cmp(number, v)

            return constant_compared

        def compared_to_constant(a: Any, c: Any, r: Any) -> bool:
            v = _fast_number(operand(a, c, r))
            return v == v and cmp(v, number)

        return compared_to_constant

    if constant_first:
        def constant_compared_date(a: Any, c: Any, r: Any) -> bool:
            return _compare_by(cmp, constant, operand(a, c, r))

        return constant_compared_date

    def compared_to_constant_date(a: Any, c: Any, r: Any) -> bool:
        return _compare_by(cmp, operand(a, c, r), constant)

    return compared_to_constant_date


def _as_boolean(fn: Compiled) -> Compiled:
    return lambda a, c, r: to_boolean(fn(a, c, r))


def _step(op: str) -> Callable[[Any, Compiled, Any, Any, Any], Any]:
    """One link of a long chain: ``value op right``, as :func:`_apply` computes it."""
    if op == "and":
        return lambda v, right, a, c, r: to_boolean(v) and to_boolean(right(a, c, r))
    if op == "or":
        return lambda v, right, a, c, r: to_boolean(v) or to_boolean(right(a, c, r))
    if op == "=":
        return lambda v, right, a, c, r: _equals(v, right(a, c, r))
    if op == "!=":
        return lambda v, right, a, c, r: not _equals(v, right(a, c, r))
    if op in _COMPARATORS:
        cmp = _COMPARATORS[op]
        return lambda v, right, a, c, r: _compare_by(cmp, v, right(a, c, r))
    return lambda v, right, a, c, r: _arithmetic(op, v, right(a, c, r))


def _walker(expr: Any) -> Compiled:
    """The tree walker itself, for what the compiler leaves alone (a hand-made tree :func:`parse` never returns)."""

    def walk_tree(a: Any, c: Any, r: Any) -> Any:
        return evaluate(expr, a, c, r)

    return walk_tree


def _constant(value: Any) -> Compiled:
    def constant(a: Any, c: Any, r: Any) -> Any:
        return value

    return constant


class _Compiler:
    """Turns one tree into closures; knows which subtrees are constant (computed once, bottom-up, no recursion)."""

    def __init__(self, tree: Expr):
        self.constant: dict[int, bool] = {}
        self.values: dict[int, tuple[bool, Any]] = {}
        order = list(walk(tree))  # parents before children
        for node in reversed(order):
            if isinstance(node, (Number, String)):
                constant = True
            elif isinstance(node, Negate):
                constant = self.constant[id(node.operand)]
            elif isinstance(node, Binary):
                constant = self.constant[id(node.left)] and self.constant[id(node.right)]
            elif isinstance(node, Call):
                spec = FUNCTIONS.get(node.name)
                constant = (spec is not None and node.name != "today" and not (not node.args and spec.defaults_to_current)
                            and all(self.constant[id(arg)] for arg in node.args))
            else:  # a reference, ".", a column, or not a node at all
                constant = False
            self.constant[id(node)] = constant

    def value(self, node: Expr) -> tuple[bool, Any]:
        """``(True, value)`` for a constant subtree whose evaluation succeeds; ``(False, None)`` otherwise."""
        if not self.constant.get(id(node), False):
            return False, None
        found = self.values.get(id(node))
        if found is None:
            try:
                found = True, evaluate(node, {})
            except Exception:  # whatever raised is left to raise when the expression runs, as evaluate() would
                found = False, None
            self.values[id(node)] = found
        return found

    def compile(self, node: Expr) -> Compiled:
        known, value = self.value(node)
        if known:
            return _constant(value)
        if isinstance(node, Number) or isinstance(node, String):  # unreachable: literals are constants
            return _constant(node.value)
        if isinstance(node, (Ref, Current)):
            return _reader(node)  # type: ignore[return-value]
        if isinstance(node, Column):
            name = node.name

            def column(a: Any, c: Any, r: Any) -> Any:
                if r is None:
                    return ""
                try:
                    v = r.get(name)
                except Exception:
                    v = None
                return _normalise(v)

            return column
        if isinstance(node, Negate):
            operand = self.compile(node.operand)

            def negate(a: Any, c: Any, r: Any) -> float:
                return -to_number(operand(a, c, r))

            return negate
        if isinstance(node, Binary):
            return self.chain(node)
        if isinstance(node, Call):
            return self.call(node)
        return _walker(node)  # evaluate() raises TypeError for it, when (and if) it is reached

    def chain(self, node: Binary) -> Compiled:
        # The left spine of a chain, walked in a loop: its length must cost no recursion, here or when it runs.
        spine: list[Binary] = []
        leaf: Expr = node
        while isinstance(leaf, Binary) and not self.value(leaf)[0]:
            spine.append(leaf)
            leaf = leaf.left
        spine.reverse()
        fn = self.compile(leaf)
        if len(spine) > _MAX_NESTED_CHAIN:
            steps = tuple((_step(b.op), self.compile(b.right)) for b in spine)

            def chain(a: Any, c: Any, r: Any) -> Any:
                value = fn(a, c, r)
                for step, right in steps:
                    value = step(value, right, a, c, r)
                return value

            return chain
        for b in spine:
            fn = self.binary(b, fn)
        return fn

    def is_bool(self, node: Expr) -> bool:
        """Whether the node's value is always a bool (so to_boolean() would return it as it is)."""
        if isinstance(node, Binary):
            return node.op in _BOOLEAN_OPS
        known, value = self.value(node)
        return known and type(value) is bool

    def binary(self, node: Binary, left: Compiled) -> Compiled:
        op = node.op
        right = self.compile(node.right)
        if op == "and" or op == "or":
            return self.logical(op, left, self.is_bool(node.left), right, self.is_bool(node.right))
        if op in ("=", "!=") or op in _COMPARATORS:
            # One side a constant str or float (``${x} = 'yes'``, ``. >= 1``): its conversions are done now.
            # Both sides are pure, so evaluating the constant first or last makes no difference.
            for constant_node, operand, constant_first in ((node.right, left, False), (node.left, right, True)):
                known, value = self.value(constant_node)
                if known and type(value) in (str, float):
                    if op in _COMPARATORS:
                        return _compare_constant(_COMPARATORS[op], operand, value, constant_first)
                    return _equals_constant(operand, value, op == "!=", constant_first)
            if op == "=":
                return lambda a, c, r: _equals(left(a, c, r), right(a, c, r))
            if op == "!=":
                return lambda a, c, r: not _equals(left(a, c, r), right(a, c, r))
            cmp = _COMPARATORS[op]
            return lambda a, c, r: _compare_by(cmp, left(a, c, r), right(a, c, r))
        if op == "+":
            def add(a: Any, c: Any, r: Any) -> float:
                x, y = left(a, c, r), right(a, c, r)
                return to_number(x) + to_number(y)  # floats: an overflow is inf, never an exception

            return add
        if op == "-":
            def subtract(a: Any, c: Any, r: Any) -> float:
                x, y = left(a, c, r), right(a, c, r)
                return to_number(x) - to_number(y)

            return subtract
        if op == "*":
            def multiply(a: Any, c: Any, r: Any) -> float:
                x, y = left(a, c, r), right(a, c, r)
                return to_number(x) * to_number(y)

            return multiply
        # "div", "mod" and (in a hand-made tree) any other operator, which _apply() reads as "mod"
        return lambda a, c, r: _arithmetic(op, left(a, c, r), right(a, c, r))

    @staticmethod
    def logical(op: str, left: Compiled, left_bool: bool, right: Compiled, right_bool: bool) -> Compiled:
        # The right side runs only when the left does not decide, as in _apply(). A side that is always a bool
        # is used as it is; any other is read through to_boolean().
        first = left if left_bool else _as_boolean(left)
        second = right if right_bool else _as_boolean(right)
        if op == "and":
            return lambda a, c, r: first(a, c, r) and second(a, c, r)
        return lambda a, c, r: first(a, c, r) or second(a, c, r)

    def call(self, node: Call) -> Compiled:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            return _walker(node)  # a hand-made tree: evaluate() raises KeyError when it gets there
        args = node.args
        if node.name == "if":
            if len(args) != 3:
                return _walker(node)
            known, value = self.value(args[0])
            if known:  # the branch is chosen once and for all
                return self.compile(args[1] if to_boolean(value) else args[2])
            cond, then, otherwise = (self.compile(arg) for arg in args)
            if self.is_bool(args[0]):
                return lambda a, c, r: then(a, c, r) if cond(a, c, r) else otherwise(a, c, r)
            return lambda a, c, r: then(a, c, r) if to_boolean(cond(a, c, r)) else otherwise(a, c, r)
        impl = spec.impl
        if not args:
            if spec.defaults_to_current:
                def of_current(a: Any, c: Any, r: Any) -> Any:
                    v = _normalise(c)
                    try:
                        return impl(v)
                    except (OverflowError, ValueError):
                        return _NAN

                return of_current

            def nullary(a: Any, c: Any, r: Any) -> Any:
                try:
                    return impl()
                except (OverflowError, ValueError):
                    return _NAN

            return nullary
        if node.name == "not" and len(args) == 1 and self.is_bool(args[0]):
            operand = self.compile(args[0])
            return lambda a, c, r: not operand(a, c, r)
        if node.name == "selected" and len(args) == 2:
            special = self.selected(args[0], args[1])
            if special is not None:
                return special
        fns = tuple(self.compile(arg) for arg in args)
        # As in _evaluate_call(): the arguments are evaluated first, outside the try.
        if len(fns) == 1:
            (f,) = fns

            def unary(a: Any, c: Any, r: Any) -> Any:
                v = f(a, c, r)
                try:
                    return impl(v)
                except (OverflowError, ValueError):
                    return _NAN

            return unary
        if len(fns) == 2:
            f, g = fns

            def binary(a: Any, c: Any, r: Any) -> Any:
                v, w = f(a, c, r), g(a, c, r)
                try:
                    return impl(v, w)
                except (OverflowError, ValueError):
                    return _NAN

            return binary

        def nary(a: Any, c: Any, r: Any) -> Any:
            values = [f(a, c, r) for f in fns]
            try:
                return impl(*values)
            except (OverflowError, ValueError):
                return _NAN

        return nary

    def selected(self, multi: Expr, choice: Expr) -> Compiled | None:
        """``selected(${x}, 'name')`` or ``selected(., 'name')``, whose first value is normalised already."""
        reader = _reader(multi)
        known, value = self.value(choice)
        if reader is None or not known:
            return None
        try:
            name = to_string(value)
        except Exception:
            return None
        impl = FUNCTIONS["selected"].impl

        def selected(a: Any, c: Any, r: Any) -> Any:
            v = reader(a, c, r)
            t = type(v)
            if t is tuple:  # a normalised multiple choice: a tuple of str, where "" is no choice
                return name != "" and name in v
            if t is str:
                return name in v.split()
            try:
                return impl(v, value)
            except (OverflowError, ValueError):
                return _NAN

        return selected


def _compile_tree(tree: Expr) -> tuple[Compiled, Callable[..., bool]]:
    try:
        compiler = _Compiler(tree)
        fn = compiler.compile(tree)
        root_is_bool = compiler.is_bool(tree)
    except Exception:  # a hand-made tree parse() never returns (too deep, not made of nodes): evaluate() it
        fn, root_is_bool = _walker(tree), False
    return fn, (fn if root_is_bool else _as_boolean(fn))


#: Each text's compiled pair, looked up first by :func:`compile_condition` and :func:`compile_expression`: a
#: plain dict, because every skip condition a respondent's page reads comes here (an ``lru_cache`` behind two
#: calls cost more than evaluating most conditions). Cleared when full, like the trees by identity below.
_compiled_texts: dict[str, tuple[Compiled, Callable[..., bool]]] = {}
_compiled_trees: dict[int, tuple[Expr, tuple[Compiled, Callable[..., bool]]]] = {}
_MAX_COMPILED = 4096


def _compiled(expr: str | Expr) -> tuple[Compiled, Callable[..., bool]]:
    if isinstance(expr, str):
        found = _compiled_texts.get(expr)
        if found is not None:
            return found
        if len(expr) > MAX_LENGTH:
            parse(expr)  # raises its ExpressionError
        found = _compile_tree(_parse_cached(expr))  # raises what parse() raises on a syntax error
        if len(_compiled_texts) >= _MAX_COMPILED:
            _compiled_texts.clear()
        _compiled_texts[expr] = found
        return found
    if not isinstance(expr, Expr):
        raise TypeError("expression must be a str or an Expr")
    # By identity: equal trees may still differ (Number(1) and Number(1.0) evaluate to 1 and 1.0).
    entry = _compiled_trees.get(id(expr))
    if entry is not None and entry[0] is expr:
        return entry[1]
    compiled = _compile_tree(expr)
    if len(_compiled_trees) >= _MAX_COMPILED:
        _compiled_trees.clear()
    _compiled_trees[id(expr)] = (expr, compiled)  # the tree is kept, so its id is not reused meanwhile
    return compiled


def compile_expression(expr: str | Expr) -> Compiled:
    """Compile an expression into a function computing what :func:`evaluate` computes, faster.

    Parameters
    ----------
    expr : str or Expr
        The expression's text (parsed with :func:`parse`), or a tree.

    Returns
    -------
    callable
        ``fn(answers, current, row)``, the three arguments of :func:`evaluate`, passed positionally
        (``None`` for no current value or no row). It returns the same value of the same type as
        ``evaluate(tree, answers, current, row)`` and raises wherever that raises. Compiling the same text
        (or the same tree object) again returns the same function: the text's are cached like
        :func:`parse`'s trees, up to 4096 of them.

    Raises
    ------
    ExpressionError
        On a syntax error, as :func:`parse` raises it.
    TypeError
        When ``expr`` is neither a str nor an :class:`Expr`.

    Examples
    --------
    >>> adult = compile_expression("${age} >= 18")
    >>> adult({"age": 30}, None, None)
    True
    """
    return _compiled(expr)[0]


def compile_condition(expr: str | Expr) -> Callable[[Mapping[str, Any], Any, "Mapping[str, Any] | None"], bool]:
    """Compile an expression read as a condition (``relevant``, ``constraint``, ``required``, ``choice_filter``).

    Parameters
    ----------
    expr : str or Expr
        The expression's text, or a tree.

    Returns
    -------
    callable
        ``fn(answers, current, row)`` returning ``to_boolean(evaluate(tree, answers, current, row))``, for
        the same arguments as :func:`compile_expression`'s functions (cached the same way).

    Raises
    ------
    ExpressionError
        On a syntax error, as :func:`parse` raises it.
    TypeError
        When ``expr`` is neither a str nor an :class:`Expr`.
    """
    return _compiled(expr)[1]
