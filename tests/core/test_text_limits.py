"""Limits at entry (issue 14, item 10): lengths, characters the printed form cannot show, and a
future birth year named as such (item 9)."""

from __future__ import annotations

from app.core.forms import FieldRole, FieldType
from app.core.forms.field_types import MAX_CHARACTERS
from app.core.forms.validation import check_value
from app.core.text_limits import (
    PRINTABLE_RANGES,
    is_printable,
    unprintable_characters,
)
from app.services import form_catalogue


def _field(kind: FieldType, role: FieldRole | None = None):  # type: ignore[no-untyped-def]
    form = form_catalogue.form_definition("civil_party")
    return next(f for f in form.all_fields() if f.type == kind and (role is None or f.role == role))


def test_printable_ranges_are_the_pdf_fonts_own_characters() -> None:
    from reportlab.pdfbase.ttfonts import TTFont

    from app.pdf.fonts import font_path

    for bold in (False, True):
        font = TTFont(f"check{bold}", str(font_path(bold)))
        mapped = set(font.face.charToGlyph)
        allowed = {c for first, last in PRINTABLE_RANGES for c in range(first, last + 1)}
        assert allowed <= mapped, sorted(hex(c) for c in allowed - mapped)[:10]
        # Everything the font draws is allowed, but for control and placeholder code points.
        assert mapped - allowed <= {0x0, 0xD, 0xFFFF, 0x25CC}


def test_emoji_and_other_scripts_are_refused() -> None:
    assert unprintable_characters("សុខ Sok 😀 漢 ✓") == "😀漢✓"
    assert unprintable_characters("Renée Müller — “quoted” ។ ១៩៧៥") == ""
    assert is_printable("\n", multiline=True) and not is_printable("\n")


def test_names_and_short_answers_have_a_maximum_length() -> None:
    name = _field(FieldType.NAME, FieldRole.APPLICANT_NAME)
    limit = MAX_CHARACTERS[FieldType.NAME]
    fine = check_value(name, {"km": "ក" * limit, "latin": "a" * limit})
    assert not [i for i in fine if i.code == "too_long"]
    long = check_value(name, {"km": "សុខ", "latin": "x" * 5000})
    assert [i.code for i in long] == ["too_long"]
    assert "5000" in long[0].message.en and "៥០០០" in long[0].message.km
    text = _field(FieldType.TEXT)
    assert check_value(text, "y" * (MAX_CHARACTERS[FieldType.TEXT] + 1))[0].code == "too_long"
    narrative = _field(FieldType.NARRATIVE)
    assert check_value(narrative, "line one\nline two") == []
    assert check_value(narrative, "z" * 10_001)[0].code == "too_long"


def test_unprintable_characters_are_an_error_naming_them() -> None:
    text = _field(FieldType.TEXT)
    issues = check_value(text, "Wat 🙏 Kiri")
    assert [i.code for i in issues] == ["unprintable"]
    assert "🙏" in issues[0].message.en and "🙏" in issues[0].message.km
    place = _field(FieldType.PLACE)
    assert check_value(place, {"province": None, "village_text": "ភូមិ 🏠"})[0].code == (
        "unprintable"
    )


def test_a_future_birth_year_is_named_as_such() -> None:
    birth = _field(FieldType.APPROX_DATE, FieldRole.APPLICANT_BIRTH)
    issues = check_value(birth, "2090")
    assert issues and "birth year is in the future" in issues[0].message.en
    assert "ឆ្នាំកំណើត" in issues[0].message.km
