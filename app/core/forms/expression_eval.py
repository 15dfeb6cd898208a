"""What form expressions mean: the values they compare and compute, read from the syntax tree
(``evaluate_tree``) or from code made once per expression (``compile_tree``).

Forms are evaluated constantly (skip logic for every field, at every keystroke in the wizard and
for every record of a bulk import), so each ``Expression`` is compiled once into nested Python
closures: no walk over the node types per evaluation, and a comparison with a literal works out
the literal's number and yes/no word once instead of at every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms.expression_tree import (
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

Answers = Mapping[str, Any]


def is_empty(value: Any) -> bool:
    """No answer: None, blank text, an empty list, a name or place with every part blank."""
    if value is None:
        return True
    # The usual answers first, by type (checked for every field of every record): text is blank
    # when it is all whitespace (what strip() removes), yes/no and numbers are answers.
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    if kind is bool or kind is int:
        return False
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


def evaluate_tree(node: Node, scope: _Scope) -> Any:
    """The plain reading of the tree, node by node: what an expression means. ``compile_tree``
    makes code that must give the same value (tests/core/test_expressions.py compares both on
    every expression of the bundled forms)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, FieldRef):
        return scope.answers.get(node.field_id)
    if isinstance(node, Current):
        return scope.current
    if isinstance(node, Not):
        return not truthy(evaluate_tree(node.operand, scope))
    if isinstance(node, Negate):
        number = _as_number(evaluate_tree(node.operand, scope))
        return None if number is None else -number
    if isinstance(node, Binary):
        if node.op == "and":
            return truthy(evaluate_tree(node.left, scope)) and truthy(
                evaluate_tree(node.right, scope)
            )
        if node.op == "or":
            return truthy(evaluate_tree(node.left, scope)) or truthy(
                evaluate_tree(node.right, scope)
            )
        left = evaluate_tree(node.left, scope)
        right = evaluate_tree(node.right, scope)
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
    return _apply(node.function, [evaluate_tree(arg, scope) for arg in node.args], scope.today)


def _apply(name: str, args: list[Any], today: date) -> Any:
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
        return today.year
    return is_empty(args[0])  # empty


def walk_tree(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Not | Negate):
        yield from walk_tree(node.operand)
    elif isinstance(node, Binary):
        yield from walk_tree(node.left)
        yield from walk_tree(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk_tree(arg)


# Compiled code: (answers, current value, today) -> value.
Code = Callable[[Mapping[str, Any], Any, date], Any]


def compile_tree(node: Node) -> Code:
    """Code computing what ``evaluate_tree`` computes for ``node``."""
    if isinstance(node, Literal):
        value = node.value
        return lambda answers, current, today: value
    if isinstance(node, FieldRef):
        field_id = node.field_id
        return lambda answers, current, today: answers.get(field_id)
    if isinstance(node, Current):
        return lambda answers, current, today: current
    if isinstance(node, Not):
        operand = compile_tree(node.operand)
        return lambda answers, current, today: not truthy(operand(answers, current, today))
    if isinstance(node, Negate):
        negated = compile_tree(node.operand)

        def negate(answers: Answers, current: Any, today: date) -> Any:
            number = _as_number(negated(answers, current, today))
            return None if number is None else -number

        return negate
    if isinstance(node, Binary):
        return _compile_binary(node)
    arguments = [compile_tree(argument) for argument in node.args]
    name = node.function
    return lambda answers, current, today: _apply(
        name, [argument(answers, current, today) for argument in arguments], today
    )


def _compile_binary(node: Binary) -> Code:
    left, right, op = compile_tree(node.left), compile_tree(node.right), node.op
    if op == "and":
        return lambda a, c, t: truthy(left(a, c, t)) and truthy(right(a, c, t))
    if op == "or":
        return lambda a, c, t: truthy(left(a, c, t)) or truthy(right(a, c, t))
    if op in ("=", "!="):
        if isinstance(node.right, Literal):
            equal = _equal_to(node.right.value)
            if op == "=":
                return lambda a, c, t: equal(left(a, c, t))
            return lambda a, c, t: not equal(left(a, c, t))
        if op == "=":
            return lambda a, c, t: _equal(left(a, c, t), right(a, c, t))
        return lambda a, c, t: not _equal(left(a, c, t), right(a, c, t))
    if op in ("+", "-"):

        def arithmetic(a: Answers, c: Any, t: date) -> Any:
            x, y = _as_number(left(a, c, t)), _as_number(right(a, c, t))
            if x is None or y is None:
                return None
            return x + y if op == "+" else x - y

        return arithmetic
    return lambda a, c, t: _order(op, left(a, c, t), right(a, c, t))


def _equal_to(constant: Any) -> Callable[[Any], bool]:
    """``lambda value: _equal(value, constant)`` with what depends on the constant worked out
    once (a choice code is compared with no attempt to read a number from it)."""
    if is_empty(constant):
        return is_empty
    word = _as_bool_word(constant)
    constant_is_bool = isinstance(constant, bool)
    number = _as_number(constant)

    def equal(value: Any) -> bool:
        if is_empty(value):
            return False
        if constant_is_bool or isinstance(value, bool):
            value_word = _as_bool_word(value)
            return value_word is not None and value_word == word
        if number is not None:
            value_number = _as_number(value)
            if value_number is not None:
                return value_number == number
        return bool(value == constant)

    return equal
