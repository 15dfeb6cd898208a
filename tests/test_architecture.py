"""The layers hold: core is pure, only the UI imports Qt (import-linter checks the rest in CI too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": (
        "PySide6",
        "sqlalchemy",
        "reportlab",
        "alembic",
        "sqlcipher3",
        "app.store",
        "app.pdf",
        "app.sync",
        "app.i18n",
        "app.services",
        "app.ui",
        "app.server",
    ),
    "store": ("PySide6", "app.pdf", "app.sync", "app.services", "app.ui", "app.server"),
    "pdf": ("PySide6", "app.store", "app.sync", "app.services", "app.ui", "app.server"),
    "sync": ("PySide6", "app.store", "app.pdf", "app.services", "app.ui", "app.server"),
    "i18n": ("PySide6", "app.store", "app.pdf", "app.sync", "app.services", "app.ui"),
    "services": ("PySide6", "app.ui", "app.server"),
    "server": ("PySide6", "app.ui", "app.services"),
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below(layer: str) -> None:
    offences = []
    for path in sorted((APP / layer).rglob("*.py")):
        for name in imported_modules(path):
            for forbidden in FORBIDDEN[layer]:
                if name == forbidden or name.startswith(forbidden + "."):
                    offences.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QLabel\nimport sqlalchemy.orm\n")
    assert imported_modules(sample) == ["PySide6.QtWidgets", "sqlalchemy.orm"]
