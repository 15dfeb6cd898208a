"""A small, safe expression language for form logic (``relevant``, ``required``, ``constraint``).

Expressions come from YAML files, so they are parsed by a hand-written tokenizer and a Pratt
parser into a tree of plain dataclasses and evaluated by walking that tree. Nothing is ever handed
to ``eval``/``exec``; a name that is not one of the few listed functions is a parse error.

Grammar (lowest precedence first)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := additive (("=" | "!=" | "<" | "<=" | ">" | ">=") additive)?   -- no chains
    additive   := unary (("+" | "-") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | "true" | "false" | "${" id "}" | "." | "(" expr ")"
                | function "(" [expr ("," expr)*] ")"

Functions: selected(x, 'code'), count-selected(x), string-length(x), year(x), today-year(),
empty(x). Evaluation never raises: comparing things that do not compare gives false.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.khmer_text import from_khmer_digits

# --- errors --------------------------------------------------------------------------------------


class ExpressionError(ValueError):
    """An expression that does not parse: where (0-based character position) and why."""

    def __init__(self, text: str, position: int, message: str) -> None:
        self.text = text
        self.position = position
        self.message = message
        pointer = " " * position + "^"
        super().__init__(f"position {position + 1}: {message}\n    {text}\n    {pointer}")


# --- tokens --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # number string field current name op lparen rparen comma end
    value: str
    position: int


_FIELD_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"[0-9០-៩]+(?:\.[0-9០-៩]+)?")
_OPERATORS = ("!=", "<=", ">=", "==", "=", "<", ">", "+", "-")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if text.startswith("${", i):
            close = text.find("}", i + 2)
            if close < 0:
                raise ExpressionError(text, i, "'${' is not closed with '}'")
            field_id = text[i + 2 : close].strip()
            if not _FIELD_ID.fullmatch(field_id):
                raise ExpressionError(
                    text,
                    i,
                    f"'{field_id}' is not a field id (letters, digits and _ only)",
                )
            tokens.append(Token("field", field_id, i))
            i = close + 1
            continue
        if ch in "'\"":
            close = text.find(ch, i + 1)
            if close < 0:
                raise ExpressionError(text, i, f"the text starting here has no closing {ch}")
            tokens.append(Token("string", text[i + 1 : close], i))
            i = close + 1
            continue
        number = _NUMBER.match(text, i)
        if number:
            tokens.append(Token("number", from_khmer_digits(number.group()), i))
            i = number.end()
            continue
        if ch == ".":
            tokens.append(Token("current", ".", i))
            i += 1
            continue
        name = _NAME.match(text, i)
        if name:
            tokens.append(Token("name", name.group(), i))
            i = name.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("op", "=" if op == "==" else op, i))
                i += len(op)
                break
        else:
            if ch == "(":
                tokens.append(Token("lparen", ch, i))
            elif ch == ")":
                tokens.append(Token("rparen", ch, i))
            elif ch == ",":
                tokens.append(Token("comma", ch, i))
            else:
                raise ExpressionError(text, i, f"unexpected character {ch!r}")
            i += 1
    tokens.append(Token("end", "", n))
    return tokens


# --- syntax tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: str | float | int | bool
    position: int


@dataclass(frozen=True)
class FieldRef:
    field_id: str
    position: int


@dataclass(frozen=True)
class Current:
    position: int


@dataclass(frozen=True)
class Not:
    operand: Node
    position: int


@dataclass(frozen=True)
class Negate:
    operand: Node
    position: int


@dataclass(frozen=True)
class Binary:
    op: str  # and or = != < <= > >= + -
    left: Node
    right: Node
    position: int


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]
    position: int


Node = Literal | FieldRef | Current | Not | Negate | Binary | Call

# name -> number of arguments
FUNCTIONS: dict[str, int] = {
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "year": 1,
    "today-year": 0,
    "empty": 1,
}
_KEYWORDS = {"and", "or", "not", "true", "false"}
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}
# Binding power of infix operators: higher binds tighter.
_INFIX_POWER = {"or": 10, "and": 20, **dict.fromkeys(_COMPARISONS, 40), "+": 50, "-": 50}
_NOT_POWER = 30
_NEGATE_POWER = 60


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, token: Token, message: str) -> ExpressionError:
        return ExpressionError(self.text, token.position, message)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.error(self.peek(), "the expression is empty")
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise self.error(token, f"unexpected {_describe(token)} after a complete expression")
        return node

    def expression(self, min_power: int) -> Node:
        left = self.prefix()
        while True:
            token = self.peek()
            op = _infix_operator(token)
            if op is None:
                return left
            power = _INFIX_POWER[op]
            if power <= min_power:
                return left
            self.advance()
            right = self.expression(power)
            if op in _COMPARISONS and _infix_operator(self.peek()) in _COMPARISONS:
                raise self.error(self.peek(), "comparisons cannot be chained; join them with 'and'")
            left = Binary(op, left, right, token.position)

    def prefix(self) -> Node:
        token = self.advance()
        kind = token.kind
        if kind == "number":
            number = float(token.value) if "." in token.value else int(token.value)
            return Literal(number, token.position)
        if kind == "string":
            return Literal(token.value, token.position)
        if kind == "field":
            return FieldRef(token.value, token.position)
        if kind == "current":
            return Current(token.position)
        if kind == "lparen":
            inner = self.expression(0)
            closing = self.advance()
            if closing.kind != "rparen":
                raise self.error(closing, f"expected ')' but found {_describe(closing)}")
            return inner
        if kind == "op" and token.value == "-":
            return Negate(self.expression(_NEGATE_POWER), token.position)
        if kind == "name":
            if token.value == "true":
                return Literal(True, token.position)
            if token.value == "false":
                return Literal(False, token.position)
            if token.value == "not":
                return Not(self.expression(_NOT_POWER), token.position)
            if token.value in FUNCTIONS:
                return self.call(token)
            if token.value in _KEYWORDS:
                raise self.error(token, f"'{token.value}' needs something on its left")
            raise self.error(
                token,
                f"unknown name '{token.value}'; write a field as ${{{token.value}}}, "
                f"text in quotes, or use a function: {', '.join(sorted(FUNCTIONS))}",
            )
        raise self.error(token, f"expected a value but found {_describe(token)}")

    def call(self, name: Token) -> Node:
        opening = self.advance()
        if opening.kind != "lparen":
            raise self.error(opening, f"the function {name.value} must be followed by '('")
        args: list[Node] = []
        if self.peek().kind != "rparen":
            while True:
                args.append(self.expression(0))
                if self.peek().kind != "comma":
                    break
                self.advance()
        closing = self.advance()
        if closing.kind != "rparen":
            raise self.error(closing, f"expected ',' or ')' but found {_describe(closing)}")
        expected = FUNCTIONS[name.value]
        if len(args) != expected:
            raise self.error(
                name,
                f"{name.value}() takes {expected} argument{'s' if expected != 1 else ''}, "
                f"not {len(args)}",
            )
        return Call(name.value, tuple(args), name.position)


def _infix_operator(token: Token) -> str | None:
    if token.kind == "op" and token.value in _INFIX_POWER:
        return token.value
    if token.kind == "name" and token.value in ("and", "or"):
        return token.value
    return None


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    if token.kind == "field":
        return f"the field ${{{token.value}}}"
    return f"'{token.value}'"


# --- evaluation ----------------------------------------------------------------------------------

Answers = Mapping[str, Any]


def is_empty(value: Any) -> bool:
    """No answer: None, blank text, an empty list, a name or place with every part blank."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    if isinstance(value, dict):
        if "precision" in value:  # an approximate date; "unknown" is an answer
            return False
        return all(is_empty(part) for part in value.values())
    return False


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(from_khmer_digits(value.strip()))
        except ValueError:
            return None
    return None


def _as_bool_word(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "no", "true", "false"):
        return value.lower() in ("yes", "true")
    return None


def _equal(left: Any, right: Any) -> bool:
    if is_empty(left) or is_empty(right):
        return is_empty(left) and is_empty(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return _as_bool_word(left) is not None and _as_bool_word(left) == _as_bool_word(right)
    left_number, right_number = _as_number(left), _as_number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    return bool(left == right)


def _order(op: str, left: Any, right: Any) -> bool:
    left_number, right_number = _as_number(left), _as_number(right)
    if left_number is not None and right_number is not None:
        a: Any = left_number
        b: Any = right_number
    elif isinstance(left, str) and isinstance(right, str):
        a, b = left, right
    else:
        return False
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return not is_empty(value)


def _year_of(value: Any) -> int | None:
    if isinstance(value, ApproxDate):
        return value.earliest_year()
    if isinstance(value, dict):
        try:
            return ApproxDate.from_dict(value).earliest_year()
        except ApproxDateError:
            return None
    if isinstance(value, date):
        return value.year
    return None


@dataclass(frozen=True)
class _Scope:
    answers: Answers
    current: Any
    today: date


def _evaluate(node: Node, scope: _Scope) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, FieldRef):
        return scope.answers.get(node.field_id)
    if isinstance(node, Current):
        return scope.current
    if isinstance(node, Not):
        return not truthy(_evaluate(node.operand, scope))
    if isinstance(node, Negate):
        number = _as_number(_evaluate(node.operand, scope))
        return None if number is None else -number
    if isinstance(node, Binary):
        if node.op == "and":
            return truthy(_evaluate(node.left, scope)) and truthy(_evaluate(node.right, scope))
        if node.op == "or":
            return truthy(_evaluate(node.left, scope)) or truthy(_evaluate(node.right, scope))
        left = _evaluate(node.left, scope)
        right = _evaluate(node.right, scope)
        if node.op == "=":
            return _equal(left, right)
        if node.op == "!=":
            return not _equal(left, right)
        if node.op in ("+", "-"):
            a, b = _as_number(left), _as_number(right)
            if a is None or b is None:
                return None
            return a + b if node.op == "+" else a - b
        return _order(node.op, left, right)
    return _call(node, scope)


def _call(node: Call, scope: _Scope) -> Any:
    args = [_evaluate(arg, scope) for arg in node.args]
    name = node.function
    if name == "selected":
        value, code = args
        if isinstance(value, list | tuple | set | frozenset):
            return code in value
        return value is not None and value == code
    if name == "count-selected":
        value = args[0]
        if isinstance(value, list | tuple | set | frozenset):
            return len(value)
        return 0 if is_empty(value) else 1
    if name == "string-length":
        value = args[0]
        if isinstance(value, str):
            return len(value.strip())
        if isinstance(value, dict):
            return sum(len(part.strip()) for part in value.values() if isinstance(part, str))
        return 0
    if name == "year":
        return _year_of(args[0])
    if name == "today-year":
        return scope.today.year
    return is_empty(args[0])  # empty


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Not | Negate):
        yield from _walk(node.operand)
    elif isinstance(node, Binary):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _walk(arg)


@dataclass(frozen=True)
class Expression:
    """A compiled expression: parse once with ``compile_expression``, evaluate many times."""

    source: str
    tree: Node

    @property
    def field_refs(self) -> frozenset[str]:
        return frozenset(n.field_id for n in _walk(self.tree) if isinstance(n, FieldRef))

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, Current) for n in _walk(self.tree))

    def nodes(self) -> Iterator[Node]:
        return _walk(self.tree)

    def evaluate(self, answers: Answers, current: Any = None, today: date | None = None) -> Any:
        return _evaluate(self.tree, _Scope(answers, current, today or date.today()))

    def test(self, answers: Answers, current: Any = None, today: date | None = None) -> bool:
        """The expression's value as a yes/no (empty answers count as no)."""
        return truthy(self.evaluate(answers, current, today))


def compile_expression(text: str) -> Expression:
    """Parse ``text``; raises ``ExpressionError`` with the position of the first problem."""
    if not isinstance(text, str):
        raise ExpressionError(str(text), 0, "an expression must be text")
    return Expression(text, _Parser(text).parse())
