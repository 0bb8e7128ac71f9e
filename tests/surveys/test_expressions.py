"""The expression language: parsing, precedence, XPath-like evaluation and the never-crash guarantees."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from consult.surveys.expressions import (
    FUNCTIONS,
    Binary,
    Call,
    Column,
    Current,
    Expr,
    ExpressionError,
    Negate,
    Number,
    Ref,
    String,
    columns,
    compile_condition,
    compile_expression,
    evaluate,
    evaluate_bool,
    parse,
    references,
    to_boolean,
    uses_current,
)


def ev(text, answers=None, current=None, row=None):
    return evaluate(parse(text), answers or {}, current=current, row=row)


# ------------------------------------------------------------------------------------------------ parsing


def test_parses_atoms():
    assert parse("42") == Number(42.0)
    assert parse("2.5") == Number(2.5)
    assert parse(".5") == Number(0.5)
    assert parse("'yes'") == String("yes")
    assert parse('"oui"') == String("oui")
    assert parse("${age}") == Ref("age")
    assert parse("${ age }") == Ref("age")
    assert parse(".") == Current()
    assert parse("country") == Column("country")


def test_precedence_multiplication_before_addition():
    assert parse("1 + 2 * 3") == Binary("+", Number(1), Binary("*", Number(2), Number(3)))
    assert ev("1 + 2 * 3") == 7
    assert ev("(1 + 2) * 3") == 9


def test_precedence_and_binds_tighter_than_or():
    tree = parse("${a} = 1 or ${b} = 2 and ${c} = 3")
    assert isinstance(tree, Binary) and tree.op == "or"
    assert isinstance(tree.right, Binary) and tree.right.op == "and"
    assert ev("true() or false() and false()") is True
    assert ev("(true() or false()) and false()") is False


def test_comparison_binds_tighter_than_and():
    tree = parse("${a} > 1 and ${a} < 5")
    assert tree.op == "and" and tree.left.op == ">" and tree.right.op == "<"


def test_left_associative():
    assert ev("10 - 4 - 3") == 3
    assert ev("100 div 10 div 5") == 2


def test_unary_minus():
    assert ev("-3 + 5") == 2
    assert ev("- - 3") == 3
    assert ev("2 * -${x}", {"x": 4}) == -8


def test_word_operators_only_in_operator_position():
    assert ev("7 div 2") == 3.5
    assert ev("7 mod 3") == 1
    assert ev("-7 mod 3") == -1  # XPath truncates towards zero
    # In operand position "and" is a plain (column) name.
    assert parse("and = 1") == Binary("=", Column("and"), Number(1))


def test_function_names_with_hyphen():
    assert parse("count-selected(${x})") == Call("count-selected", (Ref("x"),))
    assert parse("string-length(.)") == Call("string-length", (Current(),))


@pytest.mark.parametrize(
    "text, position",
    [
        ("", 0),
        ("1 +", 3),
        ("(1 + 2", 6),
        ("${a", 0),
        ("$a", 0),
        ("'open", 0),
        ("1 ++ 2", 3),
        ("foo(1)", 0),
        ("not(1, 2)", 0),
        ("selected(${a})", 0),
        ("1 2", 2),
        ("${a} == 1", 6),
        ("..", 0),
        ("${a} # 1", 5),
        ("1 = )", 4),
    ],
)
def test_syntax_errors_carry_a_position(text, position):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert info.value.message


def test_error_message_names_the_character():
    with pytest.raises(ExpressionError) as info:
        parse("${a} = 1 and ? ")
    assert "14" in info.value.message  # 1-based position of "?"
    assert info.value.position == 13


def test_too_deep_and_too_long_are_refused_not_crashing():
    with pytest.raises(ExpressionError):
        parse("(" * 5000 + "1" + ")" * 5000)
    with pytest.raises(ExpressionError):
        parse("not(" * 200 + "1" + ")" * 200)
    with pytest.raises(ExpressionError):
        parse("1" + " + 1" * 3000)


def test_parse_is_cached():
    assert parse("${a} = 'x'") is parse("${a} = 'x'")


def test_references_columns_current():
    tree = parse("country = ${country} and ${age} > 3 and not(selected(., 'x'))")
    assert references(tree) == {"country", "age"}
    assert columns(tree) == {"country"}
    assert uses_current(tree)
    assert not uses_current(parse("${a} = 1"))
    assert uses_current(parse("string-length() < 5"))


# --------------------------------------------------------------------------------------------- evaluation


def test_empty_answers_are_empty_string():
    assert ev("${missing} = ''") is True
    assert ev("${none} = ''", {"none": None}) is True
    assert ev("${x} != ''", {"x": "a"}) is True
    assert ev("${missing} = 0") is False
    assert ev("${missing} > 3") is False
    assert ev("${missing} < 3") is False  # NaN compares false both ways
    assert ev("string-length(${missing})") == 0


def test_numeric_versus_string_comparison():
    assert ev("${n} = 3", {"n": 3}) is True
    assert ev("${n} = '3'", {"n": 3}) is True
    assert ev("${s} = 3", {"s": "03"}) is True  # both numeric: compared as numbers
    assert ev("${s} = '03'", {"s": "3"}) is True
    assert ev("${s} = 'yes'", {"s": "yes"}) is True
    assert ev("${s} = 'Yes'", {"s": "yes"}) is False
    assert ev("${n} > 10", {"n": 9}) is False  # numeric, not lexicographic ("9" > "10" as text)
    assert ev("${n} > 10", {"n": "9"}) is False
    assert ev("${n} >= 2.5", {"n": 2.5}) is True
    assert ev("'abc' > 'abd'") is False  # text is NaN for < and >
    assert ev("2 != 2.0") is False


def test_boolean_comparisons():
    assert ev("true() = 1") is True
    assert ev("false() = ''") is True
    assert ev("(1 = 1) = 'anything'") is True


def test_dates_compare_as_dates():
    assert ev("${d} < '2026-01-01'", {"d": "2025-12-31"}) is True
    assert ev("${d} >= '2026-01-01'", {"d": "2025-12-31"}) is False
    assert ev(". <= today()", current="2000-01-01") is True
    assert ev("${d} = '2025-12-31'", {"d": "2025-12-31"}) is True


def test_and_or_not():
    answers = {"a": "yes", "b": ""}
    assert ev("${a} = 'yes' and ${b} = ''", answers) is True
    assert ev("${a} = 'no' or ${b} = ''", answers) is True
    assert ev("not(${a} = 'yes')", answers) is False
    assert ev("not(${b})", answers) is True


def test_selected_and_count_selected():
    for stored in (["water", "food"], ("water", "food"), "water food", " water  food "):
        answers = {"needs": stored}
        assert ev("selected(${needs}, 'water')", answers) is True
        assert ev("selected(${needs}, 'wat')", answers) is False
        assert ev("count-selected(${needs})", answers) == 2
    assert ev("count-selected(${none})") == 0
    assert ev("selected(${none}, 'x')") is False
    assert ev("selected(${one}, 'x')", {"one": "x"}) is True


def test_current_value():
    assert ev(". >= 18 and . <= 120", current=30) is True
    assert ev(". >= 18 and . <= 120", current=12) is False
    assert ev("not(selected(., 'none') and count-selected(.) > 1)", current=["none", "a"]) is False
    assert ev("not(selected(., 'none') and count-selected(.) > 1)", current=["none"]) is True
    assert ev("string-length(.) <= 3", current="abcd") is False


def test_columns_read_from_row():
    assert ev("country = ${country}", {"country": "ua"}, row={"country": "ua"}) is True
    assert ev("country = ${country}", {"country": "ua"}, row={"country": "ml"}) is False
    assert ev("country = ${country}", {"country": "ua"}) is False  # no row: empty


def test_arithmetic_never_raises():
    assert ev("1 div 0") == math.inf
    assert ev("-1 div 0") == -math.inf
    assert math.isnan(ev("0 div 0"))
    assert math.isnan(ev("5 mod 0"))
    assert math.isnan(ev("'abc' + 1"))
    assert math.isnan(ev("${x} * 2"))
    assert ev("(1 div 0) > 5") is True
    assert ev("(0 div 0) = (0 div 0)") is False


def test_other_functions():
    assert ev("if(${a} = 1, 'one', 'other')", {"a": 1}) == "one"
    assert ev("if(${a} = 1, 'one', 'other')", {"a": 2}) == "other"
    assert ev("concat('a', 1, ${b})", {"b": "c"}) == "a1c"
    assert ev("coalesce(${a}, 'x')") == "x"
    assert ev("int(7.9)") == 7
    assert ev("round(2.5)") == 3
    assert ev("number('12') + 1") == 13
    assert ev("string(3) = '3'") is True
    assert ev("contains('peacekeepers', 'keep')") is True


def test_evaluate_bool_accepts_text():
    assert evaluate_bool("${a} = 'x'", {"a": "x"}) is True
    assert evaluate_bool("${a}", {"a": ""}) is False


# ---------------------------------------------------------------------------------------------- properties

_alphabet = st.sampled_from(list("${}()'\". ,=!<>+-*abcdnotmvrsel_-0123456789 \t") + ["and", "or", "div", "mod",
                                                                                       "selected(", "count-selected(",
                                                                                       "${a}", "${b}", "not("])


@settings(max_examples=400, deadline=None)
@given(st.lists(_alphabet, max_size=30).map("".join))
def test_random_token_soup_parses_or_raises_expression_error(text):
    try:
        tree = parse(text)
    except ExpressionError as exc:
        assert 0 <= exc.position <= len(text)
        return
    # Whatever parses also evaluates without raising, whatever the data.
    for answers in ({}, {"a": "1", "b": ["x", "y"]}, {"a": None, "b": 0}):
        evaluate(tree, answers, current="x", row={"a": "1"})


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_random_text_parses_or_raises_expression_error(text):
    try:
        tree = parse(text)
    except ExpressionError:
        return
    evaluate(tree, {}, current=None)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=5), st.integers(), st.floats(allow_nan=True), st.lists(st.text(max_size=3))),
    st.one_of(st.none(), st.text(max_size=5), st.integers(), st.floats(allow_nan=True)),
)
def test_operators_are_total_on_any_data(a, b):
    answers = {"a": a, "b": b}
    for op in ("=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod", "and", "or"):
        evaluate(parse(f"${{a}} {op} ${{b}}"), answers)
    for fn in ("not(${a})", "selected(${a}, ${b})", "count-selected(${a})", "string-length(${a})", "round(${a}, ${b})",
               "int(${a})"):
        evaluate(parse(fn), answers)


def test_long_chains_evaluate_without_deep_recursion():
    text = " or ".join(f"${{c}} = 'v{i}'" for i in range(400))
    assert len(text) > 4000
    tree = parse(text)
    assert evaluate(tree, {"c": "v399"}) is True
    assert evaluate(tree, {"c": "nope"}) is False
    sums = parse("+".join(["1"] * 4000))
    assert evaluate(sums, {}) == 4000


# ------------------------------------------------------------------------------------- compiled evaluation
#
# compile_expression() must compute exactly what the tree walker evaluate() computes: the same value of the
# same type, or the same exception. The tests below compare the two on random expressions and random data.


class Unprintable:
    """An answer no conversion can read: str() raises (a ValueError, which function calls turn into NaN)."""

    def __str__(self):
        raise ValueError("unprintable")


class Explosive:
    """An answer whose str() raises something no code catches."""

    def __str__(self):
        raise RuntimeError("explosive")


class Tagged(str):
    """A str subclass: the evaluator reads it as a plain str."""


class FlakyAnswers(dict):
    """Answers whose lookup fails for one name (as a lazily computed mapping might): it reads as unanswered."""

    def get(self, key, default=None):
        if key == "c":
            raise RuntimeError("cannot compute c")
        return super().get(key, default)


def outcome(fn):
    """What calling ``fn`` gives, comparable with ==: its value with the value's type, or the exception raised."""
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome
        return ("raises", type(exc), str(exc))
    if isinstance(value, float) and math.isnan(value):
        return ("value", float, "NaN")  # NaN != NaN, but the two evaluators agree when both give it
    return ("value", type(value), value)


def assert_same(expr, answers, current=None, row=None):
    """Compiled from ``expr`` (a text or a tree), the expression gives what the tree walker gives."""
    compiled, condition = compile_expression(expr), compile_condition(expr)
    tree = parse(expr) if isinstance(expr, str) else expr
    expected = outcome(lambda: evaluate(tree, answers, current, row))
    assert outcome(lambda: compiled(answers, current, row)) == expected
    expected_bool = outcome(lambda: to_boolean(evaluate(tree, answers, current, row)))
    assert outcome(lambda: condition(answers, current, row)) == expected_bool


_ATOM_TEXTS = [
    "0", "1", "2", "3", "2.5", ".5", "18", "2025", "999999999999999999999999999999",
    "'yes'", "'no'", "'x'", "''", "'3'", "'03'", "' 2 '", "'-1'", "'2.50'", "'a b'", "'none'", "'abc'",
    "'2025-12-31'", "'2026-01-01'", "'2025-13-45'", "'true'", "'NaN'", "'Infinity'",
    "${a}", "${b}", "${c}", "${d}", "${missing}", ".", "country", "name", "a",
]
_OPERATORS = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"]
_CALLS = [(name, n) for name, spec in FUNCTIONS.items()
          for n in range(spec.arity[0], (spec.arity[1] if spec.arity[1] is not None else 3) + 1)]


def _maybe_parenthesised(children):
    return st.one_of(children, children.map(lambda x: f"({x})"))


def _compound(children):
    operand = _maybe_parenthesised(children)
    return st.one_of(
        st.tuples(operand, st.sampled_from(_OPERATORS), operand).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        children.map(lambda x: f"-({x})"),
        st.sampled_from(_CALLS).flatmap(
            lambda call: st.lists(children, min_size=call[1], max_size=call[1]).map(
                lambda args: f"{call[0]}({', '.join(args)})")),
        # Chains longer than the compiler nests: "a or b or c ...", "1 + 2 - 3 ...".
        st.lists(st.tuples(st.sampled_from(_OPERATORS), operand), min_size=4, max_size=8).flatmap(
            lambda links: operand.map(lambda first: first + "".join(f" {op} {x}" for op, x in links))),
    )


expression_texts = st.recursive(st.sampled_from(_ATOM_TEXTS), _compound, max_leaves=12)

answer_values = st.one_of(
    st.none(),
    st.sampled_from(["", "yes", "no", "x", "3", "03", " 2 ", "2.5", "-1", "abc", "a b", "none", " none  x ",
                     "2025-12-31", "2026-01-01", "2025-13-45", "true", "NaN", "\u00a03", "\u0663"]),
    st.text(max_size=4),
    st.integers(min_value=-5, max_value=5),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.sampled_from(["yes", "none", "x", "", "a b", "3"]), max_size=3),
    st.lists(st.sampled_from(["yes", "none", "x"]), max_size=3).map(tuple),
    st.sampled_from([Unprintable(), Explosive(), ["x", Unprintable()], {"k": 1}, Tagged("yes"), Tagged("3")]),
)
answer_mappings = st.tuples(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), answer_values, max_size=4),
    st.booleans(),
).map(lambda t: FlakyAnswers(t[0]) if t[1] else t[0])
rows = st.one_of(st.none(), st.dictionaries(st.sampled_from(["country", "name", "a"]), answer_values, max_size=3))


@settings(max_examples=1500, deadline=None)
@given(expression_texts, answer_mappings, answer_values, rows)
def test_compiled_evaluation_is_the_tree_walkers(text, answers, current, row):
    try:
        tree = parse(text)
    except ExpressionError:
        with pytest.raises(ExpressionError):
            compile_expression(text)
        return
    assert_same(text, answers, current, row)  # compiled from the text (cached by text)
    assert compile_expression(text) is compile_expression(text)
    # From the tree too, and with the answers in other shapes.
    assert_same(tree, answers, current, row)
    assert_same(tree, {}, None, None)


# Hand-made trees can hold what parse() never returns: an unknown function or operator, a wrong number of
# arguments, a literal of another type, something that is not a node. evaluate() raises (or not) on them when
# it gets there; so must the compiled function.
_odd_atoms = st.one_of(
    st.sampled_from([Number(1), Number(1.0), Number(True), Number(-0.0), String("x"), String("3"),
                     String(("x", "y")), String(Unprintable()), Ref("a"), Ref("b"), Current(), Column("a"), 42]),
    st.floats(allow_nan=True).map(Number),
)


def _odd_compound(children):
    return st.one_of(
        st.builds(Binary, st.sampled_from(_OPERATORS + ["xor"]), children, children),
        st.builds(Negate, children),
        st.builds(Call, st.sampled_from(list(FUNCTIONS) + ["nosuch"]),
                  st.lists(children, max_size=4).map(tuple)),
    )


@settings(max_examples=800, deadline=None)
@given(st.recursive(_odd_atoms, _odd_compound, max_leaves=10).filter(lambda tree: isinstance(tree, Expr)),
       answer_mappings, answer_values, rows)
def test_compiled_hand_made_trees_behave_as_evaluate(tree, answers, current, row):
    assert_same(tree, answers, current, row)


def test_compiled_errors_are_the_tree_walkers():
    # No data makes the tree walker raise, except values that cannot be read at all: then both raise alike.
    for text in (". = 'x'", "${a} = 'x'", "selected(., 'x')", "${a} > 3", "string-length(.)", "not(.)", "."):
        assert_same(parse(text), {"a": Explosive()}, Explosive())
        assert_same(parse(text), {"a": Unprintable()}, Unprintable())
        assert_same(parse(text), {"a": ["x", Unprintable()]}, ["x", Unprintable()])
    with pytest.raises(RuntimeError):
        compile_expression(". = 'x'")({}, Explosive(), None)
    # Short-circuits: what is not evaluated cannot raise.
    long_or = " or ".join(["${a} = 2"] + [f"${{a}} = {i}" for i in range(6)] + [". = 1"])
    long_and = " and ".join(["${a} = 3"] + [f"${{a}} != {i}" for i in range(6)] + [". = 1"])
    for text in ("false() and . = 1", "true() or . = 1", "if(true(), 1, .)", "if(${a} = 1, ., 2)",
                 "${b} = 'x' and . = 1", "${a} and . or 1", long_or, long_and):
        for current in (Explosive(), Unprintable(), "1"):
            assert_same(parse(text), {"a": 2}, current)
    assert compile_expression("false() and . = 1")({}, Explosive(), None) is False
    with pytest.raises(RuntimeError):
        compile_expression("true() and . = 1")({}, Explosive(), None)
    # Syntax errors are parse()'s.
    with pytest.raises(ExpressionError):
        compile_expression("1 +")
    with pytest.raises(ExpressionError):
        compile_condition("x" * 10_001)
    with pytest.raises(TypeError):
        compile_expression(42)


def test_compiled_long_chains_cost_no_stack():
    text = " or ".join(f"${{c}} = 'v{i}'" for i in range(400))
    condition = compile_condition(text)
    assert condition({"c": "v399"}, None, None) is True
    assert condition({"c": "nope"}, None, None) is False
    assert compile_expression("+".join(["1"] * 4000))({}, None, None) == 4000
    assert compile_expression("+".join(["${a}"] * 2000))({"a": 1}, None, None) == 2000


def test_compiled_constants_and_specialised_shapes():
    assert compile_expression("1 + 2 * 3")({}, None, None) == 7.0
    today = compile_expression("today()")({}, None, None)
    assert today == evaluate(parse("today()"), {})
    assert compile_expression("${a}")({"a": Tagged("x")}, None, None).__class__ is str
    assert compile_expression("number()")({}, "4", None) == 4.0  # no argument: "." is not a constant
    same = [
        ("${a} = 'yes'", [{"a": "yes"}, {"a": "no"}, {"a": None}, {"a": ["yes"]}, {"a": True}, {}]),
        ("'3' = ${a}", [{"a": "03"}, {"a": 3}, {"a": "x"}, {"a": "3.0"}, {"a": [3]}, {"a": "\u00a03"}, {"a": " 3 "}]),
        ("${a} != 2.5", [{"a": "2.50"}, {"a": 2.5}, {"a": "x"}]),
        (". >= 1 and . <= 30", [{}]),
        ("${a} < '2026-01-01'", [{"a": "2025-12-31"}, {"a": "2027-01-01"}, {"a": "5"}, {}]),
        ("5 > ${a}", [{"a": "4"}, {"a": 6}, {"a": ""}]),
        ("${a} > 'abc'", [{"a": 1}]),
        ("selected(${a}, 'x')", [{"a": ["x"]}, {"a": ("", "y")}, {"a": "x y"}, {"a": 1}, {}]),
        ("selected(${a}, '')", [{"a": ["", "x"]}, {"a": ""}]),
    ]
    for text, cases in same:
        for answers in cases:
            for current in (0, 1, 30, 31, "12", None, ["x"]):
                assert_same(parse(text), answers, current)
    for text in _ATOM_TEXTS:  # each atom on its own: its value is the expression's, unconverted
        for row in (None, {}, {"country": 3, "name": None, "a": ["x"]}):
            assert_same(parse(text), {"a": 2, "b": None, "c": ["x"], "d": Tagged("y")}, 7, row)


def test_compiled_today_is_not_a_constant(monkeypatch):
    import datetime
    import types

    from consult.surveys import expressions

    days = iter([datetime.date(2030, 1, 1), datetime.date(2030, 1, 2)])

    class Clock(datetime.date):
        @classmethod
        def today(cls):
            return next(days)

    in_a_year = compile_condition("today() > '2029-12-31' and string-length(today()) = 10")
    late = compile_expression("concat(today(), '')")
    monkeypatch.setattr(expressions, "_dt", types.SimpleNamespace(date=Clock, datetime=datetime.datetime))
    assert late({}, None, None) == "2030-01-01"
    assert late({}, None, None) == "2030-01-02"  # asked again each time, never folded into a constant
    days = iter([datetime.date(2030, 1, 1)] * 2)
    assert in_a_year({}, None, None) is True


@pytest.fixture(scope="module")
def demo_form():
    from consult.surveys.demo_form import build_demo_xlsform
    from consult.surveys.xlsform import import_xlsform

    return import_xlsform(build_demo_xlsform())


def demo_expressions(form):
    for page in form.pages:
        if page.relevant:
            yield page.relevant, None
    for question in form.questions():
        for text in (question.relevant, question.constraint, question.choice_filter,
                     question.required if isinstance(question.required, str) else None):
            if text:
                yield text, question


def test_demo_form_has_expressions_to_compare(demo_form):
    texts = {text for text, _ in demo_expressions(demo_form)}
    assert len(texts) >= 8
    assert any("choice" not in text and "country" in text for text in texts)  # the region filter


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_demo_form_expressions_compiled_and_walked_agree(demo_form, data):
    # Answers a respondent could give (a choice of the question's list, a number, a date, several choices),
    # or any value at all, for a random subset of the questions.
    answers = {}
    for question in demo_form.questions():
        names = [c.name for c in demo_form.choices(question)] if question.is_select else []
        plausible = st.sampled_from(names) if names else st.sampled_from(["", "1", "12", "2025-12-31"])
        value = data.draw(st.one_of(st.none(), plausible,
                                    st.lists(plausible, max_size=3), st.integers(-2, 40), st.dates(),
                                    answer_values))
        if data.draw(st.booleans()):
            answers[question.name] = value
    for text, question in demo_expressions(demo_form):
        tree = parse(text)
        current = answers.get(question.name) if question is not None else None
        choices = demo_form.choices(question) if question is not None and question.is_select else ()
        for row in [None, *(c.filter_row() for c in choices)]:
            assert_same(tree, answers, current, row)
            assert_same(text, answers, current, row)
