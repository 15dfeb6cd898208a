"""The people in the room besides the applicant and the officer — the interpreter and the
intermediary organisation's worker — each with a box to sign the printed declaration.

They are found through their fields' roles (``interpreter_name``, ``intermediary_name``), so a
form that asks for them gets the boxes; an empty or hidden answer prints no box."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from app.core.forms import FieldRole, FormDefinition, Text
from app.pdf.fonts import FONT_REGULAR
from app.pdf.khmer_text import TextRun, khmer_paragraph
from app.pdf.layout import INK, bilingual_runs

PRESENT = (
    (
        FieldRole.INTERPRETER_NAME,
        Text("ឈ្មោះ និងហត្ថលេខារបស់អ្នកបកប្រែ", "Name and signature of the interpreter"),
        Text(
            "ខ្ញុំបានបកប្រែយ៉ាងត្រឹមត្រូវ រវាងអ្នកដាក់ពាក្យ និងមន្ត្រី។",
            "I interpreted faithfully between the applicant and the officer.",
        ),
    ),
    (
        FieldRole.INTERMEDIARY_NAME,
        Text(
            "ឈ្មោះ និងហត្ថលេខារបស់បុគ្គលិកអង្គការអន្តរការី",
            "Name and signature of the intermediary organisation's worker",
        ),
        Text(
            "ខ្ញុំបានចូលរួម ហើយអ្នកដាក់ពាក្យបាននិយាយដោយសេរី។",
            "I was present and the applicant spoke freely.",
        ),
    ),
)


def _name_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return " / ".join(str(v) for v in (value.get("km"), value.get("latin")) if v)
    return str(value or "")


def people_present(
    form: FormDefinition,
    visible_answers: Mapping[str, Any],
    st: dict[str, ParagraphStyle],
    width: float,
) -> list[Flowable]:
    """One signature box per person present (``visible_answers``: hidden fields left out)."""
    boxes: list[list[Flowable]] = []
    for role, title, statement in PRESENT:
        item = form.field_with_role(role)
        name = _name_text(visible_answers.get(item.id)) if item is not None else ""
        if not name:
            continue
        boxes.append(
            [
                khmer_paragraph(bilingual_runs(title), st["small"]),
                khmer_paragraph([TextRun(name, True)], st["normal"]),
                khmer_paragraph(statement.km, st["small"]),
                khmer_paragraph(statement.en, st["english"]),
            ]
        )
    if not boxes:
        return []
    half = (width - 6 * mm) / 2
    cells = boxes + [[]] * (2 - len(boxes))
    table = Table(
        [cells, ["", ""]], colWidths=[half, half], rowHeights=[None, 20 * mm], spaceBefore=4
    )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for column in range(len(boxes)):
        commands.append(("BOX", (column, 0), (column, 1), 0.9, INK))
    table.setStyle(TableStyle(commands))
    return [table]
