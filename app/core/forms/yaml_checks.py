"""Reading form YAML with line numbers, and the checks every part of a form file shares: known
keys, ids, bilingual texts, flags and expressions, each problem reported with its file, line and
path inside the form (``sections[2].fields[4].relevant``)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import yaml

from app.core.forms.expressions import Expression, ExpressionError, compile_expression
from app.core.forms.model import Text
from app.core.khmer_text import is_khmer

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
TEXT_KEYS = {"km", "en"}

Named = TypeVar("Named", bound=StrEnum)


@dataclass(frozen=True)
class FormProblem:
    file: str
    path: str  # e.g. "sections[2].fields[4].relevant"; "" for the whole file
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(file)'}: {self.message}"


class FormError(Exception):
    """A form that cannot be used; ``problems`` says why."""

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems = list(problems)
        summary = "\n".join(str(p) for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            summary += f"\n... and {more} more"
        super().__init__(f"{len(self.problems)} problem(s) in form definitions:\n{summary}")


# --- YAML with line numbers ----------------------------------------------------------------------


class LinedMapping(dict[Any, Any]):
    """A YAML mapping that remembers where it and each of its keys were written."""

    line: int = 0
    key_lines: dict[Any, int]
    duplicate_keys: list[tuple[Any, int]]


# libyaml's loader parses the forms about ten times faster (start-up time); same safety.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LinedMapping:
    loader.flatten_mapping(node)
    mapping = LinedMapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    mapping.duplicate_keys = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        line = key_node.start_mark.line + 1
        if key in mapping:
            mapping.duplicate_keys.append((key, line))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class PendingExpression:
    """An expression whose field references are checked once every field is known."""

    path: str
    line: int | None
    expression: Expression
    allows_current: bool


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class YamlChecker:
    """Collects the problems of one file while its parts are checked."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[FormProblem] = []
        self.pending: list[PendingExpression] = []

    def problem(self, path: str, message: str, line: int | None = None) -> None:
        self.problems.append(FormProblem(self.file, path, message, line))

    @staticmethod
    def line_of(container: Any, key: Any = None) -> int | None:
        if isinstance(container, LinedMapping):
            if key is not None and key in container.key_lines:
                return container.key_lines[key]
            return container.line or None
        return None

    def mapping(self, value: Any, path: str, what: str, line: int | None) -> LinedMapping | None:
        if not isinstance(value, LinedMapping):
            self.problem(path, f"{what} must be a mapping of keys to values", line)
            return None
        return value

    def check_keys(self, data: LinedMapping, allowed: set[str], path: str) -> None:
        for key, line in data.duplicate_keys:
            self.problem(join_path(path, str(key)), f"the key '{key}' is written twice", line)
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                self.problem(
                    join_path(path, str(key)),
                    f"unknown key '{key}'{suggestion} (allowed: {', '.join(sorted(allowed))})",
                    self.line_of(data, key),
                )

    def ident(self, data: LinedMapping, key: str, path: str) -> str | None:
        value = data.get(key)
        where = join_path(path, key)
        if value is None:
            self.problem(where, f"'{key}' is missing", self.line_of(data))
            return None
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.problem(
                where,
                f"'{value}' is not a valid id (lower-case letters, digits and _, "
                "starting with a letter)",
                self.line_of(data, key),
            )
            return None
        return value

    def text(self, data: LinedMapping, key: str, path: str, *, required: bool) -> Text | None:
        where = join_path(path, key)
        if key not in data or data[key] is None:
            if required:
                self.problem(where, f"'{key}' is missing (Khmer and English)", self.line_of(data))
            return None
        line = self.line_of(data, key)
        value = data[key]
        if not isinstance(value, LinedMapping):
            self.problem(where, "a text needs both 'km' and 'en'", line)
            return None
        self.check_keys(value, TEXT_KEYS, where)
        parts: dict[str, str] = {}
        for lang, name in (("km", "Khmer"), ("en", "English")):
            part = value.get(lang)
            if not isinstance(part, str) or not part.strip():
                self.problem(
                    join_path(where, lang),
                    f"the {name} text ('{lang}') is missing or empty",
                    self.line_of(value, lang) or line,
                )
                continue
            parts[lang] = unicodedata.normalize("NFC", part.strip())
        if "km" in parts and not is_khmer(parts["km"]):
            self.problem(
                join_path(where, "km"),
                "the Khmer text ('km') contains no Khmer letters",
                self.line_of(value, "km"),
            )
            return None
        if len(parts) != 2:
            return None
        return Text(km=parts["km"], en=parts["en"])

    def named(
        self, data: LinedMapping, key: str, path: str, kind: type[Named], what: str
    ) -> Named | None:
        """The member of ``kind`` that ``data[key]`` names (None when the key is absent); an
        unknown name is a problem that lists the known ones."""
        raw = data.get(key)
        if raw is None:
            return None
        try:
            return kind(raw)
        except ValueError:
            known = ", ".join(member.value for member in kind)
            self.problem(
                join_path(path, key),
                f"unknown {what} '{raw}' (known: {known})",
                self.line_of(data, key),
            )
            return None

    def flag(self, data: LinedMapping, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(
                join_path(path, key), f"'{key}' must be true or false", self.line_of(data, key)
            )
            return default
        return value

    def expression(
        self, data: LinedMapping, key: str, path: str, *, allows_current: bool = False
    ) -> Expression | None:
        if key not in data or data[key] is None:
            return None
        where = join_path(path, key)
        line = self.line_of(data, key)
        source = data[key]
        if isinstance(source, bool | int | float):
            source = str(source).lower()
        if not isinstance(source, str):
            self.problem(where, "an expression must be written as text", line)
            return None
        try:
            expression = compile_expression(source)
        except ExpressionError as error:
            self.problem(
                where,
                f"the expression does not parse: {error.message} at position "
                f"{error.position + 1} in: {source}",
                line,
            )
            return None
        self.pending.append(PendingExpression(where, line, expression, allows_current))
        return expression
