"""Limits a YAML file must keep before it is parsed: size, nesting, alias expansion, numbers.

Forms, deadlines and the rights path explainer are YAML files an office (or anyone with access to
the laptop's program folder) can replace. PyYAML composes nested nodes recursively, so a file
nested 30,000 deep overflows the stack (with the C loader the process can die); a "billion laughs"
file of a few hundred bytes expands through aliases into billions of nodes; a 50,000-digit number
costs seconds to convert. :func:`check_yaml` looks at the *tokens* (flat, no recursion) and at the
composed node graph (shared, not expanded) and raises :class:`YamlLimitError` before any of that
can happen. Callers report the file and go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000  # after alias expansion
MAX_NUMBER_CHARS = 40

_OPENERS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
# libyaml's scanner and composer (about ten times faster than PyYAML's pure-Python ones; start-up
# time). Both are flat or bounded here: tokens are read one by one, and the node graph is composed
# only once the token pass has bounded the nesting.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NUMBER = re.compile(r"^[-+]?(\.?[0-9][0-9_.,:]*([eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+)$")


class YamlLimitError(ValueError):
    """The text breaks one of the limits (the message says which, in English, for the report)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
        self.problem = message  # without the line, for reports that show the line themselves


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES
    max_number_chars: int = MAX_NUMBER_CHARS


def _check_tokens(text: str, limits: Limits) -> bool:
    """Depth and number size from the token stream; True when the text uses aliases."""
    depth = 0
    aliases = False
    try:
        for token in yaml.scan(text, Loader=_FAST_LOADER):
            if isinstance(token, _OPENERS):
                depth += 1
                if depth > limits.max_depth:
                    raise YamlLimitError(
                        f"nested more than {limits.max_depth} levels deep",
                        token.start_mark.line + 1,
                    )
            elif isinstance(token, _CLOSERS):
                depth = max(0, depth - 1)
            elif isinstance(token, yaml.AliasToken):
                aliases = True
            elif (
                isinstance(token, yaml.ScalarToken)
                and token.plain
                and len(token.value) > limits.max_number_chars
                and _NUMBER.match(token.value)
            ):
                raise YamlLimitError(
                    f"a number longer than {limits.max_number_chars} characters",
                    token.start_mark.line + 1,
                )
    except yaml.YAMLError:
        return False  # a syntax error: the real parser reports it with its line
    return aliases


def _expanded_nodes(root: yaml.Node, limit: int) -> int:
    """How many nodes the document has once every alias is expanded (stops above ``limit``)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(child), 1) for child in children)
        sizes[id(node)] = min(total, limit + 1)
    return sizes.get(id(root), 1)


def check_yaml(text: str, limits: Limits | None = None) -> None:
    """Raise YamlLimitError if ``text`` is too large, too deep, has too-long numbers, or expands
    through aliases beyond the node limit. Syntax errors are left to the caller's parser."""
    limits = limits or Limits()
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise YamlLimitError(f"the file is larger than {limits.max_bytes // 1024} KB")
    if not _check_tokens(text, limits):
        return
    try:
        root = yaml.compose(text, Loader=_FAST_LOADER)  # safe now: the depth is bounded
    except yaml.YAMLError:
        return
    if root is not None and _expanded_nodes(root, limits.max_nodes) > limits.max_nodes:
        raise YamlLimitError(f"aliases expand it beyond {limits.max_nodes} values")
