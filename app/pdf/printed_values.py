"""The printed side of each field type: how a stored answer is printed on a filled application,
and what the blank form gives to fill in by hand. Registered by type (``PRINTED_TYPES``); what an
answer says in words is the type's own (``app.core.forms.field_types``), printed here with both
languages where there is a label."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from app.core.forms import Field, FieldType, Text
from app.core.forms.expressions import is_empty
from app.core.forms.field_types import (
    AGREED,
    NO,
    NOT_AGREED,
    SIGNATURE_MARK_WORDS,
    YES,
    answer_words,
    visible_members,
)
from app.core.khmer_text import to_khmer_digits
from app.pdf.khmer_text import draw_text, khmer_paragraph, text_width
from app.pdf.layout import BOX_SIZE, GREY, INK, ChoiceGrid, RuledLines, both, tick_box
from app.pdf.page_frame import PrintMeta

__all__ = [
    "AGREED",
    "IDENTITY_PROTECTED",
    "NO",
    "NOT_AGREED",
    "PRINTED_TYPES",
    "SIGNATURE_MARKS",
    "YES",
    "PrintedType",
    "format_value",
    "pair",
    "text_in_order",
]

SIGNATURE_MARKS: dict[str, Text] = SIGNATURE_MARK_WORDS
IDENTITY_PROTECTED = Text("ការពារអត្តសញ្ញាណ", "identity protected")
NAME_PARTS = (Text("ជាអក្សរខ្មែរ", "In Khmer"), Text("ជាអក្សរឡាតាំង", "In Latin letters"))
PLACE_PARTS = (
    Text("ភូមិ", "Village"),
    Text("ឃុំ/សង្កាត់", "Commune"),
    Text("ស្រុក/ខណ្ឌ", "District"),
    Text("ខេត្ត/រាជធានី", "Province"),
)
DATE_PARTS = (Text("ថ្ងៃ", "Day"), Text("ខែ", "Month"), Text("ឆ្នាំ", "Year"))
ABOUT = Text("ប្រហែល", "about")
UNKNOWN = Text("មិនដឹង", "unknown")
# Two columns only for short labels: a long label wraps, and a reader (or a screen reader, or
# pdftotext) would otherwise read the two columns' lines interleaved.
SHORT_LABEL = 48

Styles = dict[str, ParagraphStyle]


def pair(km: str, en: str, order: Sequence[str]) -> str:
    parts = [km, en] if tuple(order[:1]) != ("en",) else [en, km]
    return " / ".join(p for p in parts if p)


def text_in_order(value: Text, order: Sequence[str]) -> str:
    return pair(value.km, value.en, order)


# --- blank forms ---------------------------------------------------------------------------------


class _DateBoxes(Flowable):
    """Day / month / year boxes and tick boxes for "about" and "unknown"."""

    def __init__(self, style: ParagraphStyle) -> None:
        super().__init__()
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = availWidth, 11 * mm
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        cell = 6 * mm
        x = 5 * mm
        y = 2 * mm
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.7)
        for part, cells in zip(DATE_PARTS, (2, 2, 4), strict=True):
            label = both(part)
            canvas.setFillColor(GREY)
            draw_text(canvas, x, y + cell + 3, label, 7)
            canvas.setFillColor(INK)
            for n in range(cells):
                canvas.rect(x + n * cell, y, cell, cell, stroke=1, fill=0)
            x += max(cells * cell, text_width(label, 7)) + 6 * mm
        for extra in (ABOUT, UNKNOWN):
            tick_box(canvas, x, y + 1)
            draw_text(canvas, x + BOX_SIZE + 2 * mm, y + 2, both(extra), 8.5)
            x += BOX_SIZE + 2 * mm + text_width(both(extra), 8.5) + 6 * mm
        canvas.restoreState()


def _choice_boxes(item: Field, st: Styles) -> list[Flowable]:
    """The tick boxes of a choice; a choice with a help text gets it printed under its label
    (the officer reads it out: what each path or capacity means), one choice per row."""
    small = st["small"]
    if any(choice.help is not None for choice in item.choices):
        help_style = ParagraphStyle(
            "choice_help", parent=st["help"], leftIndent=5 * mm + BOX_SIZE + 2.5 * mm
        )
        parts: list[Flowable] = []
        for choice in item.choices:
            parts.append(ChoiceGrid([choice.label], small))
            if choice.help is not None:
                parts.append(khmer_paragraph(choice.help.km, help_style))
                parts.append(khmer_paragraph(choice.help.en, help_style))
        return parts
    short = all(len(both(choice.label)) <= SHORT_LABEL for choice in item.choices)
    columns = 2 if len(item.choices) > 4 and short else 1
    return [ChoiceGrid([c.label for c in item.choices], small, columns=columns)]


def _lines(count: int) -> Callable[[Field, Styles], list[Flowable]]:
    return lambda item, st: [RuledLines(count)]


def _captioned_lines(parts: Sequence[Text]) -> Callable[[Field, Styles], list[Flowable]]:
    return lambda item, st: [RuledLines(1, caption=both(part)) for part in parts]


def _boxes(labels: Sequence[Text], columns: int) -> Callable[[Field, Styles], list[Flowable]]:
    return lambda item, st: [ChoiceGrid(list(labels), st["small"], columns=columns)]


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedType:
    """How answers of one field type are printed."""

    blank: Callable[[Field, Styles], list[Flowable]]  # what the blank form gives to fill in
    # A list (several choices, files) is printed one item per line, with bullets; "always" also
    # bullets a single item (a list of files stays a list).
    always_listed: bool = False
    keep_together: bool = True  # the blank field is not split over two pages
    # A printed form of its own (a group prints each item with its members' labels); None: the
    # type's words, one line per item.
    filled: Callable[[Field, Any, PrintMeta], str] | None = None


GROUP_ITEM = Text("ទី", "No.")
BLANK_GROUP_ITEMS = 2  # a blank form leaves room for this many items (more on another sheet)


def _group_heading(group: Field, number: int, order: Sequence[str]) -> str:
    return pair(
        f"{group.label.km} {GROUP_ITEM.km}{to_khmer_digits(str(number))}",
        f"{group.label.en} {GROUP_ITEM.en} {number}",
        order,
    )


def _group_filled(group: Field, value: Any, meta: PrintMeta) -> str:
    """Each item under its number, every answered member on a line of its own with its label."""
    order = meta.lang_order
    blocks: list[str] = []
    items = [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
    for number, item in enumerate(items, start=1):
        lines = [_group_heading(group, number, order)]
        for member in visible_members(group, item):
            answer = item.get(member.id)
            if is_empty(answer):
                continue
            shown = format_value(member, answer, meta).replace("\n", "; ")
            label = text_in_order(member.label, order)
            # A question is followed by its answer, a label by a colon.
            lines.append(f"    {label}{' ' if label.endswith('?') else ': '}{shown}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _group_blank(group: Field, st: Styles) -> list[Flowable]:
    """Room for a few items, each under its number (kept on the page of its first member)."""
    parts: list[Flowable] = []
    for number in range(1, BLANK_GROUP_ITEMS + 1):
        heading: Flowable | None = khmer_paragraph(
            _group_heading(group, number, ("km", "en")), st["field_label"]
        )
        for member in group.fields:
            if not member.pdf:
                continue
            printed = printed_type(member)
            member_parts = [khmer_paragraph(both(member.label), st["small"])]
            member_parts.extend(printed.blank(member, st))
            if heading is not None:
                member_parts.insert(0, heading)
                heading = None
            parts.extend([KeepTogether(member_parts)] if printed.keep_together else member_parts)
    return parts


PRINTED_TYPES: Mapping[FieldType, PrintedType] = {
    FieldType.TEXT: PrintedType(_lines(1)),
    FieldType.PHONE: PrintedType(_lines(1)),
    FieldType.INTEGER: PrintedType(_lines(1)),
    FieldType.NARRATIVE: PrintedType(_lines(7), keep_together=False),
    FieldType.NAME: PrintedType(_captioned_lines(NAME_PARTS)),
    FieldType.PLACE: PrintedType(_captioned_lines(PLACE_PARTS)),
    FieldType.APPROX_DATE: PrintedType(lambda item, st: [_DateBoxes(st["small"])]),
    FieldType.CHOICE: PrintedType(_choice_boxes),
    FieldType.MULTI_CHOICE: PrintedType(_choice_boxes),
    FieldType.YES_NO: PrintedType(_boxes((YES, NO), 2)),
    FieldType.CONSENT: PrintedType(_boxes((AGREED,), 1)),
    FieldType.SIGNATURE_MARK: PrintedType(_boxes(tuple(SIGNATURE_MARKS.values()), 3)),
    FieldType.ATTACHMENT: PrintedType(_lines(3), always_listed=True),
    FieldType.GROUP: PrintedType(_group_blank, keep_together=False, filled=_group_filled),
}


def printed_type(item: Field) -> PrintedType:
    return PRINTED_TYPES[item.type]


def format_value(field: Field, value: Any, meta: PrintMeta) -> str:
    """The printed form of one stored answer (both languages where there is a label)."""
    printed = printed_type(field)
    if printed.filled is not None:
        return printed.filled(field, value, meta)
    order = meta.lang_order
    words = answer_words(field, value, meta.place_label)
    lines = [word if isinstance(word, str) else text_in_order(word, order) for word in words]
    listed = len(lines) > 1 or printed.always_listed
    return "\n".join(("• " + line) if listed else line for line in lines)
