"""How a stored answer is printed, by field type, with both languages where there is a label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms import Field, FieldType, Text
from app.core.khmer_text import to_khmer_digits
from app.pdf.page_frame import PrintMeta

YES = Text("បាទ/ចាស", "Yes")
NO = Text("ទេ", "No")
AGREED = Text("បានយល់ព្រម", "Agreed")
NOT_AGREED = Text("មិនទាន់យល់ព្រម", "Not agreed")
SIGNATURE_MARKS: dict[str, Text] = {
    "signature": Text("ហត្ថលេខា", "Signature"),
    "thumbprint": Text("ស្នាមមេដៃ", "Thumbprint"),
    "to_be_taken": Text("នឹងចុះលើឯកសារដែលបានបោះពុម្ពនេះ", "To be put on this printed copy"),
}
IDENTITY_PROTECTED = Text("ការពារអត្តសញ្ញាណ", "identity protected")


def pair(km: str, en: str, order: Sequence[str]) -> str:
    parts = [km, en] if tuple(order[:1]) != ("en",) else [en, km]
    return " / ".join(p for p in parts if p)


def text_in_order(value: Text, order: Sequence[str]) -> str:
    return pair(value.km, value.en, order)


def _attachment_name(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ("name", "filename", "title", "path", "file"):
            if item.get(key):
                return PurePath(str(item[key])).name
        return str(item)
    return PurePath(str(item)).name


def format_value(field: Field, value: Any, meta: PrintMeta) -> str:
    """The printed form of one stored answer (both languages where there is a label)."""
    order = meta.lang_order
    kind = field.type
    if kind in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        codes = value if isinstance(value, list) else [value]
        lines = []
        for code in codes:
            choice = field.choice(str(code))
            lines.append(text_in_order(choice.label, order) if choice else str(code))
        return "\n".join(("• " + line) if len(lines) > 1 else line for line in lines)
    if kind is FieldType.YES_NO:
        return text_in_order(YES if value else NO, order)
    if kind is FieldType.CONSENT:
        return text_in_order(AGREED if value is True else NOT_AGREED, order)
    if kind is FieldType.NAME and isinstance(value, Mapping):
        return pair(
            str(value.get("km") or "").strip(), str(value.get("latin") or "").strip(), ("km",)
        )
    if kind is FieldType.APPROX_DATE:
        try:
            approx = ApproxDate.from_dict(value)
        except ApproxDateError:
            return str(value)
        return pair(approx.display("km"), approx.display("en"), order)
    if kind is FieldType.PLACE and isinstance(value, Mapping):
        return meta.place_label(value)
    if kind is FieldType.INTEGER:
        return pair(to_khmer_digits(str(value)), str(value), order)
    if kind is FieldType.ATTACHMENT:
        items = value if isinstance(value, list) else [value]
        return "\n".join("• " + _attachment_name(item) for item in items)
    if kind is FieldType.SIGNATURE_MARK:
        mark = SIGNATURE_MARKS.get(str(value))
        return text_in_order(mark, order) if mark else str(value)
    return str(value)
