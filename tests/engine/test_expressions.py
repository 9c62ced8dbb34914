"""The XLSForm expression language: parsing, references, evaluation, safety."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atout.engine.expressions import (
    BinaryOp,
    Call,
    ExpressionError,
    Literal,
    Ref,
    evaluate,
    evaluate_condition,
    numeric_bounds,
    parse,
    references,
    to_text,
)


def test_it_parses_a_comparison_into_an_ast():
    assert parse("${q} = 'x'") == BinaryOp("=", Ref("q", 0), Literal("x"))


def test_and_binds_tighter_than_or():
    tree = parse("${a} = 1 or ${b} = 2 and ${c} = 3")
    assert tree.op == "or"
    assert tree.right.op == "and"


def test_parentheses_override_precedence():
    tree = parse("(${a} = 1 or ${b} = 2) and ${c} = 3")
    assert tree.op == "and"
    assert tree.left.op == "or"


def test_references_lists_each_name_once_in_order():
    assert references("${b} = 1 or selected(${a}, 'x') and ${b} != ${c}") == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("expression", "answers", "expected"),
    [
        ("${q} = 'x'", {"q": "x"}, True),
        ("${q} = 'x'", {"q": "y"}, False),
        ("${q} != 'x'", {"q": "y"}, True),
        ("${n} < 5", {"n": 4}, True),
        ("${n} <= 5", {"n": 5}, True),
        ("${n} > 5", {"n": 5}, False),
        ("${n} >= 5", {"n": "5"}, True),  # numeric text compares as a number
        ("${n} = 5", {"n": "5.0"}, True),
        ("selected(${m}, 'b')", {"m": ["a", "b"]}, True),
        ("selected(${m}, 'c')", {"m": ["a", "b"]}, False),
        ("selected(${m}, 'b')", {"m": "a b"}, True),  # ODK stores selections space-separated
        ("count-selected(${m}) = 2", {"m": ["a", "b"]}, True),
        ("not(${q} = 'x')", {"q": "x"}, False),
        ("${a} = 1 and ${b} = 2", {"a": 1, "b": 2}, True),
        ("${a} = 1 and ${b} = 2", {"a": 1, "b": 3}, False),
        ("${a} = 1 or ${b} = 2", {"a": 0, "b": 2}, True),
        ("1 + 2 * 3 = 7", {}, True),
        ("7 mod 4 = 3 and 7 div 2 = 3.5", {}, True),
        ("-${n} = -3", {"n": 3}, True),
        ("if(${a} = 1, 'yes', 'no') = 'no'", {"a": 2}, True),
    ],
)
def test_it_evaluates_xlsform_operators(expression, answers, expected):
    assert evaluate(expression, answers) is expected


def test_empty_answers_compare_as_empty_string():
    assert evaluate("${q} = ''", {}) is True
    assert evaluate("${q} = ''", {"q": None}) is True
    assert evaluate("${q} = ''", {"q": float("nan")}) is True
    assert evaluate("${q} != 'x'", {}) is True


def test_an_empty_answer_never_passes_a_numeric_comparison():
    assert evaluate("${age} > 17", {}) is False
    assert evaluate("${age} <= 17", {}) is False
    assert evaluate("${age} = 0", {}) is False


def test_an_empty_selection_counts_zero():
    assert evaluate("count-selected(${m}) = 0", {}) is True
    assert evaluate("selected(${m}, 'a')", {}) is False


def test_constraints_use_the_current_value():
    constraint = parse(". >= 0 and . <= 120")
    assert evaluate(constraint, {}, current=40) is True
    assert evaluate(constraint, {}, current=121) is False
    assert evaluate(constraint, {}, current=-1) is False


def test_string_length_and_regex_check_the_current_value():
    assert evaluate("string-length(.) <= 5", {}, current="abcde") is True
    assert evaluate("string-length(.) <= 5", {}, current="abcdef") is False
    postcode = parse("regex(., '^26[0-9]{3}$')")
    assert evaluate(postcode, {}, current="26000") is True
    assert evaluate(postcode, {}, current="38000") is False
    assert evaluate(postcode, {}, current="260001") is False


def test_regex_does_not_look_at_overlong_answers():
    assert evaluate("regex(., 'a')", {}, current="a" * 10_000) is False


def test_today_compares_with_dates():
    rule = parse(". <= today()")
    today = dt.date(2025, 6, 1)
    assert evaluate(rule, {}, current=dt.date(2025, 5, 31), today=today) is True
    assert evaluate(rule, {}, current="2025-06-02", today=today) is False
    assert evaluate(rule, {}, current="", today=today) is False


def test_choice_filters_use_bare_choice_columns():
    rule = parse("zone = ${zone}")
    assert evaluate(rule, {"zone": "nord"}, choice={"zone": "nord"}) is True
    assert evaluate(rule, {"zone": "nord"}, choice={"zone": "sud"}) is False


def test_a_bare_name_outside_a_choice_filter_is_an_error():
    with pytest.raises(ExpressionError, match="only allowed in a choice_filter"):
        evaluate("zone = 'x'", {})


def test_evaluate_condition_converts_values_to_booleans():
    assert evaluate_condition("${q}", {"q": "x"}) is True
    assert evaluate_condition("${q}", {}) is False
    assert evaluate_condition("count-selected(${m})", {"m": ["a"]}) is True


def test_numeric_bounds_read_simple_range_constraints():
    assert numeric_bounds(". >= 0 and . <= 10") == (0, 10)
    assert numeric_bounds("18 <= . and . < 120") == (18, 120)
    assert numeric_bounds(". >= -5") == (-5, None)
    assert numeric_bounds(". > ${other}") == (None, None)
    assert numeric_bounds("regex(., 'x')") == (None, None)


@pytest.mark.parametrize(
    ("expression", "column", "message"),
    [
        ("${a} = ", 8, "expected a value"),
        ("${a} = 'x", 8, "unterminated string"),
        ("${a = 1", 1, "unterminated"),
        ("search(${a})", 1, "unknown or unsupported function 'search()'"),
        ("selected(${a})", 1, "takes 2 argument"),
        ("${a} == 1", 7, "expected a value"),
        ("(${a} = 1", 10, "expected ')'"),
        ("${a} = 1)", 9, "unexpected ')'"),
        ("../a = 1", 1, "XPath paths"),
        ("${a} # 1", 6, "unexpected character"),
        ("", 1, "empty expression"),
        ("${1bad} = 1", 1, "invalid question name"),
    ],
)
def test_parse_errors_name_the_column(expression, column, message):
    with pytest.raises(ExpressionError) as caught:
        parse(expression)
    assert message in str(caught.value)
    assert caught.value.offset == column - 1
    assert f"at column {column}" in str(caught.value)


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(\\w+\\s?)*$", "(a|aa)+", "(a?){30}a{30}", "(a)\\1", "\\d*\\d*\\d*\\d*"],
)
def test_regex_patterns_that_can_backtrack_catastrophically_are_refused(pattern):
    with pytest.raises(ExpressionError, match="not allowed"):
        parse(f"regex(., '{pattern}')")


def test_common_validation_patterns_are_accepted():
    for pattern in ("^[\\w.+-]+@[\\w-]+\\.[\\w.]+$", "^0[1-9]( ?[0-9]{2}){4}$", "^[0-9]{5}$"):
        assert isinstance(parse(f"regex(., '{pattern}')"), Call)


def test_regex_needs_a_literal_pattern():
    with pytest.raises(ExpressionError, match="literal string pattern"):
        parse("regex(., ${pattern})")


def test_deep_nesting_is_an_expression_error_not_a_crash():
    with pytest.raises(ExpressionError, match="nested"):
        parse("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExpressionError, match="nested operations"):
        parse(" + ".join(["1"] * 1000))


def test_to_text_round_trips_through_the_parser():
    tree = parse("not(${a} = 'x') and (count-selected(${m}) >= 2 or -${n} < 3.5) and zone = \"it's\"")
    assert parse(to_text(tree)) == tree


ANSWERS = st.dictionaries(
    st.sampled_from(["a", "b", "q", "m", "n"]),
    st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 5), st.floats(allow_nan=True),
              st.lists(st.sampled_from(["x", "y", "z"]), max_size=3)),
)
TOKENS = st.sampled_from(
    ["${a}", "${q}", "${m}", ".", "'x'", '"y"', "1", "2.5", "=", "!=", "<", "<=", ">", ">=", "and", "or", "not(",
     "selected(", "count-selected(", "string-length(", "regex(", "today()", "(", ")", ",", "+", "-", "*", "div",
     "mod", "zone", "'^[a-z]+$'", "${", "}", "'"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_string_parses_or_raises_expression_error(text):
    try:
        parse(text)
    except ExpressionError as exc:
        assert exc.offset is None or 0 <= exc.offset <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=14).map(" ".join), ANSWERS, st.one_of(st.none(), st.text(max_size=4), st.integers()))
def test_token_soup_parses_and_evaluates_or_raises_expression_error(text, answers, current):
    try:
        tree = parse(text)
        evaluate(tree, answers, current, choice={"zone": "x"})
    except ExpressionError:
        pass
