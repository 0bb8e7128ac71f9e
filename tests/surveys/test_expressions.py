"""The expression language: parsing, precedence, XPath-like evaluation and the never-crash guarantees."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from consult.surveys.expressions import (
    Binary,
    Call,
    Column,
    Current,
    ExpressionError,
    Number,
    Ref,
    String,
    columns,
    evaluate,
    evaluate_bool,
    parse,
    references,
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
