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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.core import clock
from app.core.forms.expression_eval import (
    Answers,
    Code,
    compile_tree,
    evaluate_tree,
    is_empty,
    truthy,
    walk_tree,
)
from app.core.forms.expression_tree import (
    FUNCTIONS,
    Binary,
    Call,
    Current,
    FieldRef,
    Literal,
    Negate,
    Node,
    Not,
)
from app.core.khmer_text import from_khmer_digits

# The tree and the evaluation live in expression_tree and expression_eval; callers know them here.
__all__ = [
    "Binary",
    "Call",
    "Current",
    "Expression",
    "ExpressionError",
    "FieldRef",
    "Literal",
    "Negate",
    "Node",
    "Not",
    "compile_expression",
    "evaluate_tree",
    "is_empty",
    "tokenize",
    "truthy",
]

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


@dataclass(frozen=True)
class Expression:
    """A compiled expression: parse once with ``compile_expression``, evaluate many times."""

    source: str
    tree: Node
    code: Code = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", compile_tree(self.tree))

    @property
    def field_refs(self) -> frozenset[str]:
        return frozenset(n.field_id for n in walk_tree(self.tree) if isinstance(n, FieldRef))

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, Current) for n in walk_tree(self.tree))

    def nodes(self) -> Iterator[Node]:
        return walk_tree(self.tree)

    def evaluate(self, answers: Answers, current: Any = None, today: date | None = None) -> Any:
        return self.code(answers, current, today or clock.today())

    def test(self, answers: Answers, current: Any = None, today: date | None = None) -> bool:
        """The expression's value as a yes/no (empty answers count as no)."""
        return truthy(self.evaluate(answers, current, today))


def compile_expression(text: str) -> Expression:
    """Parse ``text``; raises ``ExpressionError`` with the position of the first problem."""
    if not isinstance(text, str):
        raise ExpressionError(str(text), 0, "an expression must be text")
    return Expression(text, _Parser(text).parse())
