"""The court's own terms as data (``assets/glossary.yaml``): the Khmer the court uses, the English,
the source, and the spellings that must not appear anywhere in the app's texts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.resources import assets_dir
from app.core.yaml_lines import YamlLineError, line_of, load_with_lines

GLOSSARY_FILE = "glossary.yaml"


class GlossaryError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    id: str
    km: str
    en: str
    source: str
    wrong: tuple[str, ...] = ()


def glossary_path() -> Path:
    return assets_dir() / GLOSSARY_FILE


def _term(item: Any, file: str) -> Term:
    if not isinstance(item, Mapping):
        raise GlossaryError(f"{file}: each term must be a mapping")
    where = f"{file}, line {line_of(item)}"
    values = {key: item.get(key) for key in ("id", "km", "en", "source")}
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise GlossaryError(f"{where}: '{key}' must be a non-empty text")
    wrong = item.get("wrong") or []
    if not isinstance(wrong, list) or not all(isinstance(w, str) and w.strip() for w in wrong):
        raise GlossaryError(f"{where}: 'wrong' must list spellings")
    if values["km"] in wrong:
        raise GlossaryError(f"{where}: the court's own term is listed as wrong")
    return Term(
        id=str(values["id"]).strip(),
        km=str(values["km"]).strip(),
        en=str(values["en"]).strip(),
        source=str(values["source"]).strip(),
        wrong=tuple(wrong),
    )


def load_glossary(path: Path | None = None) -> tuple[Term, ...]:
    path = path or glossary_path()
    try:
        document = load_with_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlLineError) as error:
        raise GlossaryError(f"{path.name}: {error}") from error
    if not isinstance(document, Mapping) or not isinstance(document.get("terms"), list):
        raise GlossaryError(f"{path.name}: the file must have a list 'terms:'")
    return tuple(_term(item, path.name) for item in document["terms"])
