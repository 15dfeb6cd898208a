"""The form expression language: parsing, precedence, evaluation, and safety."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from datetime import date

import pytest

from app.core.approx_date import ApproxDate
from app.core.demo_answers import demo_answers
from app.core.forms.expression_eval import _Scope
from app.core.forms.expressions import (
    Expression,
    ExpressionError,
    compile_expression,
    evaluate_tree,
)
from app.services.form_catalogue import available_forms


def value(text: str, answers: Mapping[str, object] | None = None, current: object = None) -> object:
    return compile_expression(text).evaluate(answers or {}, current, today=date(2025, 6, 1))


def test_literals_and_comparisons() -> None:
    assert value("1 < 2") is True
    assert value("'a' = 'a'") is True
    assert value("2 >= 3") is False
    assert value("1 != 1") is False
    assert value("3 - 1 = 2") is True
    assert value("-1 < 0") is True
    assert value("true and not false") is True
    assert value("១០ = 10") is True  # Khmer digits


def test_precedence_not_and_or() -> None:
    # and binds tighter than or; not tighter than and; comparison tighter than not.
    assert value("true or false and false") is True
    assert value("(true or false) and false") is False
    assert value("not 1 = 2") is True
    assert value("not true and false") is False
    assert value("1 + 2 = 3 and 2 > 1") is True


def test_field_references_and_empty_values() -> None:
    answers = {"status": "indirect_victim", "n": 3, "flag": True}
    assert value("${status} = 'indirect_victim'", answers) is True
    assert value("${missing} = ''", answers) is True
    assert value("${missing} > 1", answers) is False  # never raises
    assert value("${n} > 2", answers) is True
    assert value("${n} > '2'", answers) is True
    assert value("${flag} = true", answers) is True
    assert value("${flag} = 'yes'", answers) is True


def test_functions() -> None:
    answers = {
        "crimes": ["torture", "homicide"],
        "name": "Sok",
        "born": ApproxDate.from_age(30, 1975).to_dict(),
    }
    assert value("selected(${crimes}, 'torture')", answers) is True
    assert value("selected(${crimes}, 'genocide')", answers) is False
    assert value("count-selected(${crimes}) = 2", answers) is True
    assert value("string-length(${name})", answers) == 3
    assert value("year(${born})", answers) == 1944
    assert value("today-year() - year(${born}) > 80", answers) is True
    assert value("empty(${nothing}) and not empty(${name})", answers) is True


def test_current_value_in_constraints() -> None:
    expression = compile_expression(". >= 0 and . <= 130")
    assert expression.uses_current
    assert expression.test({}, current=45)
    assert not expression.test({}, current=200)


def test_field_refs_are_listed() -> None:
    expression = compile_expression("${a} = 1 or selected(${b}, 'x')")
    assert expression.field_refs == {"a", "b"}


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("__import__('os')", 0, "unknown name '__import__'"),
        ("${a} = ", 7, "expected a value"),
        ("(${a} = 1", 9, "expected ')'"),
        ("${a} = 1 = 2", 9, "cannot be chained"),
        ("1 2", 2, "after a complete expression"),
        ("${a b}", 0, "not a field id"),
        ("'open", 0, "no closing"),
        ("${a", 0, "not closed"),
        ("selected(${a})", 0, "takes 2 arguments"),
        ("${a} ; 1", 5, "unexpected character"),
        ("", 0, "empty"),
        ("and 1", 0, "needs something on its left"),
        ("open('/etc/passwd')", 0, "unknown name 'open'"),
        ("${a}.__class__", 4, "after a complete expression"),
    ],
)
def test_parse_errors_have_position_and_message(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert caught.value.position == position
    assert fragment in caught.value.message
    assert f"position {position + 1}" in str(caught.value)


def test_no_code_execution_is_possible() -> None:
    # Attribute access, calls of arbitrary names and dunder tricks are all parse errors, so a
    # malicious form file cannot reach Python at all.
    for text in ("__import__('os').system('true')", "eval('1')", "().__class__", "${x}(1)"):
        with pytest.raises(ExpressionError):
            compile_expression(text)


def test_compile_once_evaluate_many_times() -> None:
    expression = compile_expression("${age} >= 18")
    results = [expression.test({"age": age}) for age in (10, 18, 40)]
    assert results == [False, True, True]


def _expressions(value: object, seen: set[int]) -> list[Expression]:
    """Every expression reachable from a form definition's dataclasses, tuples and lists."""
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, Expression):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            found
            for item in dataclasses.fields(value)
            for found in _expressions(getattr(value, item.name), seen)
        ]
    if isinstance(value, list | tuple):
        return [found for item in value for found in _expressions(item, seen)]
    return []


ODD_VALUES: tuple[object, ...] = (None, "", " ", "yes", "no", "12", "១២", 0, 3.5, True, False, [])


def test_compiled_code_means_what_the_tree_says_on_every_form_expression() -> None:
    """The code compiled once per expression gives exactly the value of the plain reading of
    the tree, for every expression of the bundled forms, on demo answers and odd values."""
    today = date(2026, 6, 1)
    checked = 0
    for form in available_forms().values():
        expressions = _expressions(form, set())
        assert expressions
        rng = random.Random(form.id)
        answer_sets = [demo_answers(form, rng, today=today) for _ in range(6)]
        for answers in list(answer_sets):
            odd = dict(answers)
            for item in form.all_fields():
                odd[item.id] = rng.choice((*ODD_VALUES, answers.get(item.id)))
            answer_sets.append(odd)
        for expression in expressions:
            for answers in answer_sets:
                for current in (None, "5", 5, "x"):
                    scope = _Scope(answers, current, today)
                    expected = evaluate_tree(expression.tree, scope)
                    assert expression.evaluate(answers, current, today) == expected, (
                        expression.source
                    )
                    checked += 1
    assert checked > 1000


HAND_WRITTEN = (
    "${a} = 12",
    "${a} != 0",
    "${a} = 3.5",
    "${a} = true",
    "${a} != false",
    "${a} = ''",
    "${a} = 'yes'",
    "'yes' = ${a}",
    "${a} = ${b}",
    "${a} + 1 > 2",
    "-${a} < 0",
    "selected(${a}, 'yes')",
    "count-selected(${a}) = 0",
    "string-length(.) > 2",
    "year(${a}) >= today-year() - 100",
    "empty(${a}) or not ${b}",
)


@pytest.mark.parametrize("source", HAND_WRITTEN)
def test_compiled_code_means_what_the_tree_says_on_odd_values(source: str) -> None:
    today = date(2026, 6, 1)
    expression = compile_expression(source)
    birth = ApproxDate.from_year(1950).to_dict()
    for a in (*ODD_VALUES, birth, ["yes"]):
        for b in (*ODD_VALUES, birth):
            answers = {"a": a, "b": b}
            expected = evaluate_tree(expression.tree, _Scope(answers, a, today))
            assert expression.evaluate(answers, a, today) == expected, (source, a, b)
