"""Safe YAML loading that remembers the line of each mapping, for error messages that say where.

Used by the data files in ``assets/`` (court facts, deadlines, glossary): an officer or a VSS editor
who breaks one is told the file and the line.
"""

from __future__ import annotations

from typing import Any

import yaml

from app.core.bounded_yaml import YamlLimitError, check_yaml


class LineMap(dict[Any, Any]):
    """A mapping read from YAML, with the 1-based line it starts on."""

    line: int = 0


class YamlLineError(ValueError):
    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        super().__init__(problem)


class _LineLoader(yaml.SafeLoader):
    """Safe loading (no Python objects) that records the line of each mapping."""


# libyaml parses several times faster (the court facts are read when the main window opens);
# a file it rejects is parsed again by PyYAML's own parser so the message and line stay the same.
_FastBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLineLoader(_FastBase):  # type: ignore[valid-type,misc]
    """The same constructors as _LineLoader, on libyaml's parser."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap(loader.construct_pairs(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    try:
        value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:  # e.g. 2027-02-30
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} is not a real date", node.start_mark
        ) from error
    return value.date() if hasattr(value, "date") and callable(value.date) else value


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_with_lines(text: str) -> Any:
    """Parse ``text``; raises YamlLineError (with ``line``) when it is not valid YAML or breaks
    the limits of :mod:`app.core.bounded_yaml` (checked before parsing)."""
    try:
        check_yaml(text)
    except YamlLimitError as error:
        raise YamlLineError(error.line, error.problem) from error
    try:
        return yaml.load(text, Loader=_FastLineLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        pass  # reported below with PyYAML's wording and line
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = str(error.problem)
        if not isinstance(error, yaml.constructor.ConstructorError):
            problem = f"not valid YAML: {problem}"
        raise YamlLineError(line, problem) from error
    except yaml.YAMLError as error:
        raise YamlLineError(None, f"not valid YAML: {error}") from error


def line_of(item: Any) -> int | None:
    return item.line if isinstance(item, LineMap) else None
