"""Hostile YAML never reaches the parser: deep nesting, alias bombs, huge numbers, huge files are
refused with the line and the limit; every bundled YAML file is within the limits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.core.bounded_yaml import MAX_BYTES, YamlLimitError, check_yaml
from app.core.resources import assets_dir, forms_dir

ALIAS_BOMB = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]" for n in range(8)]
)

HOSTILE = {
    "flow nesting of 30,000": "x: " + "[" * 30_000 + "]" * 30_000,
    "block nesting of 30,000": "- " * 30_000 + "x",
    "alias bomb": ALIAS_BOMB,
    "huge integer": "id: 1" + "0" * 50_000,
    "huge float": "x: 1" + "0" * 5_000 + ".5e999999",
    "huge file": "x: '" + "a" * (MAX_BYTES + 10) + "'",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_text_is_refused_quickly(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlLimitError):
        check_yaml(HOSTILE[name])
    assert time.perf_counter() - started < 10


def test_the_line_is_named() -> None:
    with pytest.raises(YamlLimitError) as refused:
        check_yaml("a: 1\nb:\n  c: " + "[" * 100 + "]" * 100)
    assert refused.value.line == 3


def test_a_few_aliases_are_fine() -> None:
    check_yaml("base: &base {x: 1}\none: *base\ntwo: *base\n")


def test_every_bundled_yaml_file_is_within_the_limits() -> None:
    files = [*forms_dir().glob("*.yaml"), *assets_dir().rglob("*.yaml")]
    assert len(files) >= 3
    for path in files:
        check_yaml(path.read_text(encoding="utf-8-sig"))


def write_hostile(path: Path, name: str) -> Path:
    path.write_text(HOSTILE[name], encoding="utf-8")
    return path
