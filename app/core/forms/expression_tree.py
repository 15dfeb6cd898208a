"""The syntax tree of form expressions (``expressions`` parses text into it, ``expression_eval``
gives it meaning)."""

from __future__ import annotations

from dataclasses import dataclass


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
