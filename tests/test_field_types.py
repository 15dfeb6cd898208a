"""One table of field types: every type a form uses has its meaning in core, an editor in the UI
and a printed form in the PDF layer, and no other code switches on a type's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.forms import FieldType, load_all_forms
from app.core.forms.field_types import FIELD_TYPES, type_of
from app.pdf.printed_values import PRINTED_TYPES
from app.ui.wizard.editors import EDITORS

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

# The tables themselves, the enum of type names, and the printed length limits read through
# the type table (FieldTypeDefinition.max_characters).
TABLES = {
    "app/core/forms/model.py",
    "app/core/forms/field_types.py",
    "app/core/text_limits.py",
    "app/ui/wizard/editors.py",
    "app/pdf/printed_values.py",
}
SWITCHES = (
    re.compile(r"\.type\s*(==|!=|\bis\b|\bin\b|\bnot in\b)"),
    re.compile(r"\bmatch\s+[\w.]*\btype\b"),
    re.compile(r"\bFieldType\.[A-Z_]+\b"),
    re.compile(r"\bkind\s*(==|\bis\b)\s*FieldType"),
)


def used_types() -> set[FieldType]:
    forms = load_all_forms(ROOT / "forms")
    return {item.type for form in forms.values() for item in form.all_fields()}


def test_the_forms_use_types() -> None:
    assert {FieldType.NAME, FieldType.CHOICE, FieldType.PLACE} <= used_types()


@pytest.mark.parametrize("kind", sorted(FieldType, key=str))
def test_every_type_has_all_three_sides(kind: FieldType) -> None:
    assert type_of(kind).kind is kind
    assert kind in EDITORS, f"no editor registered for {kind}"
    assert kind in PRINTED_TYPES, f"no printed form registered for {kind}"


def test_every_type_the_forms_use_is_in_all_three_tables() -> None:
    missing = {
        kind: [name for name, table in sides if kind not in table]
        for kind in used_types()
        for sides in [(("core", FIELD_TYPES), ("ui", EDITORS), ("pdf", PRINTED_TYPES))]
    }
    assert {kind: sides for kind, sides in missing.items() if sides} == {}


def switches_on_type(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if any(pattern.search(line) for pattern in SWITCHES)
    ]


def test_no_code_outside_the_tables_switches_on_a_type_name() -> None:
    offences = []
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in TABLES:
            continue
        offences.extend(f"{name}: {line}" for line in switches_on_type(path.read_text("utf-8")))
    assert offences == []


def test_the_switch_finder_sees_a_switch() -> None:
    sample = (
        "if field.type == 'name':\n"
        "    pass\n"
        "if item.type is FieldType.PLACE:\n"
        "    pass\n"
        "match item.type:\n"
        "    case _: pass\n"
        "print(item.label)\n"
    )
    assert len(switches_on_type(sample)) == 3
