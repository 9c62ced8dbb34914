"""A small, safe expression language with XLSForm syntax, for relevance conditions and constraints.

Expressions are tokenized and parsed by a recursive-descent parser into an immutable AST, then
evaluated against a respondent's answers. Nothing is ever passed to Python's ``eval``.

Grammar (lowest precedence first)::

    expr     := or
    or       := and ("or" and)*
    and      := compare ("and" compare)*
    compare  := additive (("=" | "!=" | "<" | "<=" | ">" | ">=") additive)*
    additive := multiplicative (("+" | "-") multiplicative)*
    multiplicative := unary (("*" | "div" | "mod") unary)*
    unary    := "-" unary | primary
    primary  := NUMBER | STRING | "${" NAME "}" | "." | NAME "(" args ")" | NAME | "(" expr ")"

A bare ``NAME`` (no ``${}``) is a column of the choices sheet; it is only meaningful in a
``choice_filter`` and is evaluated against the choice being filtered.

Values follow XLSForm (XPath 1.0) semantics: a missing or empty answer is the empty string ``''``;
``=`` compares numbers numerically when either side is a number; ``<``/``>`` compare numbers (or
dates), and are false when a side is not a number (so an empty answer never passes ``${age} > 17``).
A select-multiple answer is a list of choice names (or a space-separated string, as ODK stores it).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

# re._parser is the parser of the standard library's own regex engine; we use it only to inspect
# patterns for constructs that can backtrack catastrophically, before compiling them.
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_EXPRESSION_LENGTH = 4000  # characters; a form cell longer than this is surely a mistake
MAX_NESTING = 60  # parentheses and calls; keeps the recursive parser far from Python's stack limit
MAX_TREE_DEPTH = 150  # operations chained or nested; evaluation recursion stays well within limits
MAX_REGEX_INPUT = 300  # characters of an answer that regex() looks at
MAX_REGEX_OPEN_QUANTIFIERS = 3  # '*', '+', '{m,}' or '{m,n}' with n > 20 in one pattern
MAX_REGEX_PATTERN = 500  # characters

FUNCTION_ARITY: dict[str, tuple[int, int]] = {
    # name: (minimum, maximum) number of arguments
    "selected": (2, 2),
    "count-selected": (1, 1),
    "not": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "today": (0, 0),
    "true": (0, 0),
    "false": (0, 0),
    "if": (3, 3),
    "contains": (2, 2),
    "number": (1, 1),
    "string": (1, 1),
}

KEYWORD_OPERATORS = {"and", "or", "div", "mod"}


class ExpressionError(ValueError):
    """An expression could not be parsed or evaluated.

    ``offset`` is the 0-based character offset of the problem in the expression text; the message
    names it as a 1-based column, as a spreadsheet user counts.
    """

    def __init__(self, message: str, offset: int | None = None, expression: str | None = None):
        self.message = message
        self.offset = offset
        self.expression = expression
        where = f" at column {offset + 1}" if offset is not None else ""
        super().__init__(f"{message}{where}")


# ---------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "string", "ref", "dot", "name", "op", "(", ")", ",", "end"
    value: Any
    offset: int


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_XML_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_NUMBER_RE = re.compile(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DIGITS = "0123456789"
_TWO_CHAR_OPS = ("!=", "<=", ">=")
_ONE_CHAR_OPS = "=<>+-*"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises :class:`ExpressionError` naming the offending column."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters", 0, text)
    return list(_iter_tokens(text))


def _iter_tokens(text: str) -> Iterator[Token]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ExpressionError("unterminated string", i, text)
            yield Token("string", text[i + 1 : end], i)
            i = end + 1
        elif text.startswith("${", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise ExpressionError("unterminated ${...} reference", i, text)
            name = text[i + 2 : end].strip()
            if not _XML_NAME_RE.match(name):
                raise ExpressionError(f"invalid question name {name!r} in reference", i, text)
            yield Token("ref", name, i)
            i = end + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER_RE.match(text, i)
            literal = match.group(0)
            # Long integers become floats, as XPath numbers are doubles (and ints this long overflow).
            is_int = "." not in literal and len(literal) <= 15
            yield Token("number", int(literal) if is_int else float(literal), i)
            i = match.end()
        elif ch == ".":
            if text.startswith("..", i):
                raise ExpressionError("XPath paths ('..') are not supported; use ${name}", i, text)
            yield Token("dot", ".", i)
            i += 1
        elif text.startswith(_TWO_CHAR_OPS, i):
            yield Token("op", text[i : i + 2], i)
            i += 2
        elif ch in _ONE_CHAR_OPS:
            yield Token("op", ch, i)
            i += 1
        elif ch in "(),":
            yield Token(ch, ch, i)
            i += 1
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME_RE.match(text, i)
            word = match.group(0)
            # A trailing '-' belongs to a following minus sign, not to the name (``a -1``).
            while word.endswith("-"):
                word = word[:-1]
            yield Token("op" if word in KEYWORD_OPERATORS else "name", word, i)
            i += len(word)
        else:
            raise ExpressionError(f"unexpected character {ch!r}", i, text)
    yield Token("end", None, n)


# ---------------------------------------------------------------------------------------------
# AST


@dataclass(frozen=True)
class Literal:
    value: str | int | float


@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to another question."""

    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Current:
    """``.``: the value being checked by a constraint."""


@dataclass(frozen=True)
class ChoiceColumn:
    """A bare name: a column of the choice being filtered by a ``choice_filter``."""

    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True)
class BinaryOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


Node = Literal | Ref | Current | ChoiceColumn | Call | BinaryOp | Negate


# ---------------------------------------------------------------------------------------------
# Parser


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, token: Token) -> ExpressionError:
        return ExpressionError(message, token.offset, self.text)

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            found = "end of expression" if token.kind == "end" else repr(token.value)
            raise self.error(f"expected {what}, found {found}", token)
        return self.advance()

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error("empty expression", self.peek())
        node = self.parse_binary(0)
        token = self.peek()
        if token.kind != "end":
            raise self.error(f"unexpected {token.value!r}", token)
        if _depth(node) > MAX_TREE_DEPTH:
            # Long operator chains make deep trees; evaluation recurses along them.
            raise self.error(f"expression has more than {MAX_TREE_DEPTH} nested operations", self.tokens[0])
        return node

    # Operator levels, lowest precedence first; every operator is left-associative.
    LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("=", "!=", "<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    )

    def parse_binary(self, level: int) -> Node:
        if level == len(self.LEVELS):
            return self.parse_unary()
        node = self.parse_binary(level + 1)
        while self.peek().kind == "op" and self.peek().value in self.LEVELS[level]:
            op = self.advance().value
            node = BinaryOp(op, node, self.parse_binary(level + 1))
        return node

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind == "op" and token.value == "-":
            self.advance()
            with self.nested(token):
                return Negate(self.parse_unary())
        return self.parse_primary()

    def nested(self, token: Token):
        parser = self

        class _Guard:
            def __enter__(self):
                parser.depth += 1
                if parser.depth > MAX_NESTING:
                    raise parser.error(f"expression nested more than {MAX_NESTING} levels deep", token)

            def __exit__(self, *exc):
                parser.depth -= 1
                return False

        return _Guard()

    def parse_primary(self) -> Node:
        token = self.advance()
        if token.kind in ("number", "string"):
            return Literal(token.value)
        if token.kind == "ref":
            return Ref(token.value, token.offset)
        if token.kind == "dot":
            return Current()
        if token.kind == "(":
            with self.nested(token):
                node = self.parse_binary(0)
            self.expect(")", "')'")
            return node
        if token.kind == "name":
            if self.peek().kind == "(":
                return self.parse_call(token)
            return ChoiceColumn(token.value, token.offset)
        found = "end of expression" if token.kind == "end" else repr(token.value)
        raise self.error(f"expected a value, found {found}", token)

    def parse_call(self, name_token: Token) -> Node:
        name = name_token.value
        if name not in FUNCTION_ARITY:
            raise self.error(f"unknown or unsupported function '{name}()'", name_token)
        self.expect("(", "'('")
        args: list[Node] = []
        with self.nested(name_token):
            if self.peek().kind != ")":
                args.append(self.parse_binary(0))
                while self.peek().kind == ",":
                    self.advance()
                    args.append(self.parse_binary(0))
        self.expect(")", "')' or ','")
        low, high = FUNCTION_ARITY[name]
        if not low <= len(args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise self.error(f"{name}() takes {expected} argument(s), got {len(args)}", name_token)
        if name == "regex":
            _check_regex_argument(args[1], name_token, self.text)
        return Call(name, tuple(args), name_token.offset)


def parse(text: str) -> Node:
    """Parse an XLSForm expression into an AST.

    Input: the expression text (e.g. ``"${age} >= 18 and selected(${goals}, 'work')"``).
    Output: the root :data:`Node`. Raises :class:`ExpressionError` with the column of the problem.
    """
    return _Parser(text).parse()


# ---------------------------------------------------------------------------------------------
# Regex safety


def _check_regex_argument(node: Node, token: Token, text: str) -> None:
    """Accept only a literal pattern free of nested quantifiers and backreferences.

    Python's ``re`` backtracks; patterns such as ``(a+)+`` or ``(a|a)*`` take exponential time on
    some inputs, and ``a*a*a*a*`` polynomial time of high degree. Rejecting quantified groups that
    contain quantifiers or alternations, backreferences, and more than three open-ended quantifiers
    at parse time, and bounding the input length, keeps evaluation time bounded without a timeout.
    """
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        raise ExpressionError("regex() needs a literal string pattern", token.offset, text)
    pattern = node.value
    if len(pattern) > MAX_REGEX_PATTERN:
        raise ExpressionError(f"regex pattern longer than {MAX_REGEX_PATTERN} characters", token.offset, text)
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise ExpressionError(f"invalid regex pattern {pattern!r}: {exc}", token.offset, text) from None
    except (RecursionError, OverflowError):  # pathological patterns
        raise ExpressionError(f"regex pattern {pattern!r} is too complex", token.offset, text) from None
    problem = _unsafe_regex_construct(parsed)
    if not problem and _count_open_quantifiers(parsed) > MAX_REGEX_OPEN_QUANTIFIERS:
        # Adjacent open quantifiers backtrack polynomially (n^k): k <= 3 on <= 300 characters
        # stays under a tenth of a second in the worst case.
        problem = f"more than {MAX_REGEX_OPEN_QUANTIFIERS} open-ended quantifiers"
    if problem:
        raise ExpressionError(f"regex pattern {pattern!r} is not allowed: {problem}", token.offset, text)


_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)}


def _count_open_quantifiers(items) -> int:
    count = 0
    for op, av in items:
        if op in _REPEATS:
            count += av[1] > 20
            count += _count_open_quantifiers(av[2])
        elif op == sre_parse.SUBPATTERN:
            count += _count_open_quantifiers(av[-1])
        elif op == sre_parse.BRANCH:
            count += sum(_count_open_quantifiers(branch) for branch in av[1])
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            count += _count_open_quantifiers(av[1])
    return count


def _unsafe_regex_construct(items, outer_high: int = 1) -> str | None:
    """Name the first construct that can backtrack exponentially; ``outer_high`` is the largest
    repetition count of the enclosing quantified groups (1 outside any)."""
    inside_repeat = outer_high > 1
    for op, av in items:
        if op in (sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS):
            return "backreferences are not supported"
        if op in _REPEATS:
            low, high, sub = av
            fixed = low == high
            small_optional = high == 1 and outer_high <= 10  # at most 2**10 ways to skip
            if inside_repeat and not (fixed or small_optional):
                return "nested quantifiers can take exponential time"
            found = _unsafe_regex_construct(sub, max(outer_high, high))
            if found:
                return found
        elif op == sre_parse.SUBPATTERN:
            found = _unsafe_regex_construct(av[-1], outer_high)
            if found:
                return found
        elif op == sre_parse.BRANCH:
            if inside_repeat:
                return "alternatives inside a repeated group can take exponential time"
            for branch in av[1]:
                found = _unsafe_regex_construct(branch, outer_high)
                if found:
                    return found
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            found = _unsafe_regex_construct(av[1], outer_high)
            if found:
                return found
    return None


# ---------------------------------------------------------------------------------------------
# Analysis


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first, root first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(reversed(current.args))
        elif isinstance(current, BinaryOp):
            stack.extend((current.right, current.left))
        elif isinstance(current, Negate):
            stack.append(current.operand)


def _depth(node: Node) -> int:
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, Call):
            stack.extend((arg, depth + 1) for arg in current.args)
        elif isinstance(current, BinaryOp):
            stack.extend(((current.left, depth + 1), (current.right, depth + 1)))
        elif isinstance(current, Negate):
            stack.append((current.operand, depth + 1))
    return deepest


def references(node: Node | str) -> list[str]:
    """The question names referenced as ``${name}``, in order of first appearance, without repeats."""
    tree = parse(node) if isinstance(node, str) else node
    seen: dict[str, None] = {}
    for item in walk(tree):
        if isinstance(item, Ref):
            seen.setdefault(item.name, None)
    return list(seen)


def choice_columns(node: Node | str) -> list[str]:
    """The bare names (choice-sheet columns) used, in order of first appearance."""
    tree = parse(node) if isinstance(node, str) else node
    seen: dict[str, None] = {}
    for item in walk(tree):
        if isinstance(item, ChoiceColumn):
            seen.setdefault(item.name, None)
    return list(seen)


def uses_current(node: Node | str) -> bool:
    """Whether the expression uses ``.`` (only meaningful in a constraint)."""
    tree = parse(node) if isinstance(node, str) else node
    return any(isinstance(item, Current) for item in walk(tree))


def numeric_bounds(node: Node | str) -> tuple[float | None, float | None]:
    """Bounds on ``.`` stated by a constraint made only of ``. >= a``-style terms joined by ``and``.

    Output: ``(minimum, maximum)``, each ``None`` when not stated. Strict and non-strict comparisons
    give the same bound (the bound is informative, the constraint remains the rule).
    """
    tree = parse(node) if isinstance(node, str) else node
    low: float | None = None
    high: float | None = None
    terms = list(_and_terms(tree))
    for term in terms:
        if not (isinstance(term, BinaryOp) and term.op in ("<", "<=", ">", ">=")):
            return None, None
        op, left, right = term.op, term.left, term.right
        if isinstance(right, Current):  # "5 <= ." is ". >= 5"
            op, left, right = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op], right, left
        number = _literal_number(right)
        if not isinstance(left, Current) or number is None:
            return None, None
        if op in (">", ">="):
            low = number if low is None else max(low, number)
        else:
            high = number if high is None else min(high, number)
    return low, high


def _and_terms(node: Node) -> Iterator[Node]:
    if isinstance(node, BinaryOp) and node.op == "and":
        yield from _and_terms(node.left)
        yield from _and_terms(node.right)
    else:
        yield node


def _literal_number(node: Node) -> float | None:
    if isinstance(node, Literal) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, Negate) and isinstance(node.operand, Literal) and isinstance(node.operand.value, int | float):
        return -node.operand.value
    return None


# ---------------------------------------------------------------------------------------------
# Evaluation

Value = str | int | float | bool | dt.date | list


def evaluate(
    node: Node | str,
    answers: Mapping[str, Any],
    current: Any = None,
    *,
    choice: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Value:
    """Evaluate an expression.

    Inputs: the AST (or text), the respondent's ``answers`` (question name → value; a missing,
    ``None`` or NaN answer counts as ``''``), the ``current`` value for ``.`` in a constraint,
    the ``choice`` (column → value) for a ``choice_filter``, and ``today`` (defaults to the date).
    Output: a bool for conditions, otherwise a string, number, date or list.
    Raises :class:`ExpressionError` for a reference to a question absent from ``answers`` when
    ``answers`` is not a plain mapping of every question (see :func:`references` to validate), for a
    bare name outside a choice filter, and for ``.`` outside a constraint.
    """
    tree = _parsed(node) if isinstance(node, str) else node
    context = _Context(answers, current, choice, today or dt.date.today())
    return context.eval(tree)


#: Conditions are evaluated for every question of every submission; their trees (immutable) are
#: kept instead of parsed again each time.
_parsed = functools.lru_cache(maxsize=4096)(parse)


def is_true(value: Any) -> bool:
    """XPath boolean conversion: '' and 0 and NaN and empty selections are false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) > 0
    if value is None:
        return False
    return str(value) != ""


def evaluate_condition(node: Node | str, answers: Mapping[str, Any], current: Any = None, **kwargs) -> bool:
    """:func:`evaluate` converted to a boolean (for ``relevant``, ``constraint``, ``choice_filter``)."""
    return is_true(evaluate(node, answers, current, **kwargs))


class _Context:
    def __init__(self, answers, current, choice, today):
        self.answers = answers
        self.current = current
        self.choice = choice
        self.today = today

    def eval(self, node: Node) -> Value:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return _normalise(self.answers.get(node.name))
        if isinstance(node, Current):
            return _normalise(self.current)
        if isinstance(node, ChoiceColumn):
            if self.choice is None:
                raise ExpressionError(
                    f"bare name '{node.name}' is only allowed in a choice_filter (use ${{{node.name}}})",
                    node.offset,
                )
            return _normalise(self.choice.get(node.name))
        if isinstance(node, Negate):
            return -_to_number(self.eval(node.operand))
        if isinstance(node, BinaryOp):
            return self.eval_binary(node)
        return self.eval_call(node)

    def eval_binary(self, node: BinaryOp) -> Value:
        if node.op == "and":
            return is_true(self.eval(node.left)) and is_true(self.eval(node.right))
        if node.op == "or":
            return is_true(self.eval(node.left)) or is_true(self.eval(node.right))
        left, right = self.eval(node.left), self.eval(node.right)
        if node.op in ("=", "!="):
            equal = _equals(left, right)
            return equal if node.op == "=" else not equal
        if node.op in ("<", "<=", ">", ">="):
            return _compare(node.op, left, right)
        return _arithmetic(node.op, _to_number(left), _to_number(right))

    def eval_call(self, node: Call) -> Value:
        handler = _FUNCTIONS[node.name]
        return handler(self, node.args)


def _normalise(value: Any) -> Value:
    """Missing answers are ''; sets and tuples become lists; datetimes become dates."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, tuple | set | frozenset):
        return sorted(str(v) for v in value) if isinstance(value, set | frozenset) else [str(v) for v in value]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, bool | int | float | str | dt.date):
        return value
    # numpy scalars and other number-likes
    if hasattr(value, "item"):
        return _normalise(value.item())
    return str(value)


def _to_string(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _to_number(value: Value) -> float:
    """XPath number(): numbers as is, booleans 1/0, numeric text parsed, anything else NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    text = _to_string(value).strip()
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return math.nan
    return float(text)


def _to_date(value: Value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _equals(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return is_true(left) == is_true(right)
    if isinstance(left, int | float) or isinstance(right, int | float):
        return _to_number(left) == _to_number(right)  # NaN is never equal, as in XPath
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        return _to_date(left) is not None and _to_date(left) == _to_date(right)
    return _to_string(left) == _to_string(right)


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, left: Value, right: Value) -> bool:
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        a, b = _to_date(left), _to_date(right)
        return a is not None and b is not None and _COMPARATORS[op](a, b)
    a, b = _to_number(left), _to_number(right)
    if math.isnan(a) or math.isnan(b):
        return False
    return _COMPARATORS[op](a, b)


def _arithmetic(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        # XPath gives ±Infinity or NaN on division by zero; NaN keeps every comparison false.
        return math.nan
    if op == "div":
        return a / b
    return math.fmod(a, b)


def _selection(value: Value) -> list[str]:
    if isinstance(value, list):
        return value
    return _to_string(value).split()


def _fn_selected(ctx: _Context, args) -> bool:
    return _to_string(ctx.eval(args[1])).strip() in _selection(ctx.eval(args[0]))


def _fn_count_selected(ctx: _Context, args) -> int:
    return len(_selection(ctx.eval(args[0])))


def _fn_not(ctx: _Context, args) -> bool:
    return not is_true(ctx.eval(args[0]))


def _fn_string_length(ctx: _Context, args) -> int:
    return len(_to_string(ctx.eval(args[0])))


def _fn_regex(ctx: _Context, args) -> bool:
    text = _to_string(ctx.eval(args[0]))
    if len(text) > MAX_REGEX_INPUT:
        return False  # answers this long never match a validation pattern; keeps time bounded
    # ODK tests the pattern with find() semantics: anchor it with ^...$ to match a whole answer.
    return re.search(args[1].value, text) is not None


def _fn_today(ctx: _Context, args) -> dt.date:
    return ctx.today


def _fn_if(ctx: _Context, args) -> Value:
    return ctx.eval(args[1]) if is_true(ctx.eval(args[0])) else ctx.eval(args[2])


def _fn_contains(ctx: _Context, args) -> bool:
    return _to_string(ctx.eval(args[1])) in _to_string(ctx.eval(args[0]))


_FUNCTIONS: dict[str, Callable[[_Context, tuple[Node, ...]], Value]] = {
    "selected": _fn_selected,
    "count-selected": _fn_count_selected,
    "not": _fn_not,
    "string-length": _fn_string_length,
    "regex": _fn_regex,
    "today": _fn_today,
    "true": lambda ctx, args: True,
    "false": lambda ctx, args: False,
    "if": _fn_if,
    "contains": _fn_contains,
    "number": lambda ctx, args: _to_number(ctx.eval(args[0])),
    "string": lambda ctx, args: _to_string(ctx.eval(args[0])),
}


def to_text(node: Node) -> str:
    """Write an AST back as expression text (fully parenthesised binary operations)."""
    if isinstance(node, Literal):
        if isinstance(node.value, str):
            quote = "'" if "'" not in node.value else '"'
            return f"{quote}{node.value}{quote}"
        return _to_string(node.value)
    if isinstance(node, Ref):
        return "${" + node.name + "}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, ChoiceColumn):
        return node.name
    if isinstance(node, Negate):
        return f"-({to_text(node.operand)})"
    if isinstance(node, BinaryOp):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    return f"{node.name}({', '.join(to_text(a) for a in node.args)})"
