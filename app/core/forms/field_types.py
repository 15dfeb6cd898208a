"""One table of field types: what each type of answer means, defined once.

For every ``FieldType`` the table says how an answer is checked (parse and validate), which parts
of it were typed as text (length and printable characters, search), how it reads in words (on the
review page, the record view and the printed application), which demo value it gets, and a few
facts the loader and redaction need. The two other sides of a type live in the layers that own
them and are registered by type there: the editor in ``app.ui.wizard.editors`` and the printed
form in ``app.pdf.printed_values``. ``tests/core/test_field_types.py`` checks that every type of
every form has all three sides, and that no code outside these tables switches on a type.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from app.core import clock
from app.core.approx_date import ApproxDate, ApproxDateError
from app.core.forms import demo_values as demo
from app.core.forms import value_checks as checks
from app.core.forms.demo_values import PlacePicker
from app.core.forms.expressions import is_empty
from app.core.forms.model import Field, FieldType, SignatureMark, Text
from app.core.forms.value_checks import FieldIssue, Severity, issue
from app.core.khmer_text import to_khmer_digits
from app.core.text_limits import MAX_NAME_PART_CHARACTERS, unprintable_characters

# The longest typed answer each kind holds, so that it always fits on the receipt and the form
# (app.core.text_limits says why; the printable characters are checked there too).
MAX_CHARACTERS: dict[FieldType, int] = {
    FieldType.NAME: MAX_NAME_PART_CHARACTERS,
    FieldType.TEXT: 200,
    FieldType.PHONE: 24,
    FieldType.PLACE: 100,  # a commune or village typed by hand
    FieldType.NARRATIVE: 10_000,  # flows over as many pages as it needs
}


# An answer in words: each item a text in both languages, or a string that reads the same in
# every language (what was typed, a name, a place already put in words).
Words = list[Text | str]
PlaceWords = Callable[[Mapping[str, Any]], Text | str]
ValueCheck = Callable[[Field, Any, date | None], list[FieldIssue]]
WordsOf = Callable[[Field, Any, PlaceWords], Words]
DemoValue = Callable[[Field, random.Random, date, PlacePicker | None], Any]
TypedTexts = Callable[[Any], list[str]]

YES = Text("បាទ/ចាស", "Yes")
NO = Text("ទេ", "No")
AGREED = Text("បានយល់ព្រម", "Agreed")
NOT_AGREED = Text("មិនទាន់យល់ព្រម", "Not agreed")
SIGNATURE_MARK_WORDS: dict[str, Text] = {
    SignatureMark.SIGNATURE.value: Text("ហត្ថលេខា", "Signature"),
    SignatureMark.THUMBPRINT.value: Text("ស្នាមមេដៃ", "Thumbprint"),
    SignatureMark.TO_BE_TAKEN.value: Text(
        "នឹងចុះលើឯកសារដែលបានបោះពុម្ពនេះ", "To be put on this printed copy"
    ),
}


class AnswerKind(StrEnum):
    """How a redacted copy sees an answer (app.core.protection hides each kind by level)."""

    WRITTEN = "written"  # may name people and places: hidden from the public already
    DATE_OR_NUMBER = "date_or_number"  # hidden from the other parties too
    CHOSEN = "chosen"  # chosen from a fixed list: hidden when the family is in danger


@dataclass(frozen=True)
class FieldTypeDefinition:
    """What one field type means to every layer that reads an answer."""

    kind: FieldType
    check: ValueCheck  # a non-empty answer: errors and warnings
    words: WordsOf  # the answer in words (review, record view, print)
    demo: DemoValue  # a plausible answer
    typed_texts: TypedTexts = lambda value: []  # the parts typed as text
    multiline: bool = False  # typed text may hold line breaks
    has_choices: bool = False  # takes `choices:` in the YAML
    has_members: bool = False  # takes `fields:` in the YAML: a repeating group
    always_required: bool = False  # the loader makes the field required whatever it says
    identifying_by_default: bool = False  # redacted in exports unless the form says otherwise
    searchable_by_default: bool = False  # in the registry's search index unless the form says
    # Free text can name people and places in any words: a redacted copy withholds it.
    free_text: bool = False
    # Written unless said otherwise, so a new type is redacted until it is classed here.
    answer_kind: AnswerKind = AnswerKind.WRITTEN
    # Made again this way when the demo value breaks a rule (None: the demo value again).
    demo_again: DemoValue | None = None

    @property
    def max_characters(self) -> int | None:
        """The longest typed text the printed form holds (each part of a name, say)."""
        return MAX_CHARACTERS.get(self.kind)


# --- answers in words ----------------------------------------------------------------------------


def _as_typed(item: Field, value: Any, places: PlaceWords) -> Words:
    return [str(value)]


def _name_words(item: Field, value: Any, places: PlaceWords) -> Words:
    if not isinstance(value, Mapping):
        return [str(value)]
    parts = [str(value.get(key) or "").strip() for key in ("km", "latin")]
    return [" / ".join(part for part in parts if part)]


def _date_words(item: Field, value: Any, places: PlaceWords) -> Words:
    try:
        approx = ApproxDate.from_dict(value)
    except ApproxDateError:
        return [str(value)]
    return [Text(approx.display("km"), approx.display("en"))]


def _choice_words(item: Field, value: Any, places: PlaceWords) -> Words:
    codes = value if isinstance(value, list) else [value]
    words: Words = []
    for code in codes:
        choice = item.choice(str(code))
        words.append(choice.label if choice is not None else str(code))
    return words


def _yes_no_words(item: Field, value: Any, places: PlaceWords) -> Words:
    return [YES if value is True else NO]


def _consent_words(item: Field, value: Any, places: PlaceWords) -> Words:
    return [AGREED if value is True else NOT_AGREED]


def _place_words(item: Field, value: Any, places: PlaceWords) -> Words:
    return [places(value)] if isinstance(value, Mapping) else [str(value)]


def _integer_words(item: Field, value: Any, places: PlaceWords) -> Words:
    return [Text(to_khmer_digits(str(value)), str(value))]


def attachment_name(item: Any) -> str:
    """The file name of one attached file reference (a path, or a dict describing the file)."""
    if isinstance(item, Mapping):
        for key in ("name", "filename", "title", "path", "file"):
            if item.get(key):
                return PurePath(str(item[key])).name
        return str(item)
    return PurePath(str(item)).name


def _attachment_words(item: Field, value: Any, places: PlaceWords) -> Words:
    items = value if isinstance(value, list) else [value]
    return [attachment_name(one) for one in items]


def _signature_mark_words(item: Field, value: Any, places: PlaceWords) -> Words:
    mark = SIGNATURE_MARK_WORDS.get(str(value))
    return [mark if mark is not None else str(value)]


# --- typed parts ---------------------------------------------------------------------------------


def _whole_text(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else []


def _name_texts(value: Any) -> list[str]:
    return [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else []


def _place_texts(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [v for k, v in value.items() if k.endswith("_text") and isinstance(v, str)]


# --- repeating groups ---------------------------------------------------------------------------
# Members' `relevant` and `required` read the other members of the same item.

GROUP_ITEM = Text("ទី", "No.")


def _member_required(member: Field, item: Mapping[str, Any], today: date | None) -> bool:
    if isinstance(member.required, bool):
        return member.required
    return member.required.test(item, today=today)


def visible_members(
    group: Field, item: Mapping[str, Any], today: date | None = None
) -> list[Field]:
    """The members of one item of a group that its own answers make relevant."""
    return [
        member
        for member in group.fields
        if member.relevant is None or member.relevant.test(item, today=today or clock.today())
    ]


def _numbered(group: Field, number: int, message: Text) -> Text:
    return Text(
        f"{group.label.km} {GROUP_ITEM.km}{to_khmer_digits(str(number))}៖ {message.km}",
        f"{group.label.en} {GROUP_ITEM.en} {number}: {message.en}",
    )


def _check_group(group: Field, value: Any, today: date | None) -> list[FieldIssue]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        return [checks.type_error(group, "Expected a list of items.", "ត្រូវតែជាបញ្ជី។")]
    found: list[FieldIssue] = []
    for number, item in enumerate(value, start=1):
        for member in visible_members(group, item, today):
            answer = item.get(member.id)
            if is_empty(answer):
                if _member_required(member, item, today):
                    message = Text(
                        f"សូមបំពេញ «{member.label.km}»។", f"Please answer “{member.label.en}”."
                    )
                    found.append(
                        FieldIssue(
                            group.id, Severity.ERROR, _numbered(group, number, message), "required"
                        )
                    )
                continue
            found.extend(
                FieldIssue(
                    group.id,
                    problem.severity,
                    _numbered(group, number, problem.message),
                    problem.code,
                )
                for problem in check_value(member, answer, today)
            )
    return found


def _group_words(group: Field, value: Any, places: PlaceWords) -> Words:
    if not isinstance(value, list):
        return [str(value)]
    words: Words = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            continue
        km: list[str] = []
        en: list[str] = []
        for member in visible_members(group, item):
            answer = item.get(member.id)
            if is_empty(answer):
                continue
            for word in answer_words(member, answer, places):
                km.append(word if isinstance(word, str) else word.km)
                en.append(word if isinstance(word, str) else word.en)
        words.append(
            Text(
                f"{to_khmer_digits(str(number))}. " + " — ".join(km),
                f"{number}. " + " — ".join(en),
            )
        )
    return words


def _demo_group(
    group: Field, rng: random.Random, today: date, pick_place: PlacePicker | None
) -> Any:
    # An optional group stays empty in demo records: they name exactly the people of the other
    # fields (tests count the persons a record names); a required one gets one or two items.
    if group.required is False:
        return []
    items: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 2)):
        item: dict[str, Any] = {}
        for member in group.fields:
            if member.relevant is not None and not member.relevant.test(item, today=today):
                continue
            if not _member_required(member, item, today) and rng.random() > 0.8:
                continue
            answer = type_of(member).demo(member, rng, today, pick_place)
            if not is_empty(answer):
                item[member.id] = answer
        items.append(item)
    return items


# --- the table -----------------------------------------------------------------------------------

FIELD_TYPES: Mapping[FieldType, FieldTypeDefinition] = {
    definition.kind: definition
    for definition in (
        FieldTypeDefinition(
            FieldType.TEXT,
            checks.check_text,
            _as_typed,
            demo.demo_text,
            typed_texts=_whole_text,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.NARRATIVE,
            checks.check_text,
            _as_typed,
            demo.demo_narrative,
            typed_texts=_whole_text,
            multiline=True,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.NAME,
            checks.check_name,
            _name_words,
            demo.demo_name,
            typed_texts=_name_texts,
            identifying_by_default=True,
            searchable_by_default=True,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.APPROX_DATE,
            checks.check_approx_date,
            _date_words,
            demo.demo_approx_date,
            demo_again=demo.demo_recent_date,
            answer_kind=AnswerKind.DATE_OR_NUMBER,
        ),
        FieldTypeDefinition(
            FieldType.CHOICE,
            checks.check_choice,
            _choice_words,
            demo.demo_choice,
            has_choices=True,
            answer_kind=AnswerKind.CHOSEN,
        ),
        FieldTypeDefinition(
            FieldType.MULTI_CHOICE,
            checks.check_multi_choice,
            _choice_words,
            demo.demo_multi_choice,
            has_choices=True,
            answer_kind=AnswerKind.CHOSEN,
        ),
        FieldTypeDefinition(
            FieldType.YES_NO,
            checks.check_yes_no,
            _yes_no_words,
            demo.demo_yes_no,
            answer_kind=AnswerKind.CHOSEN,
        ),
        FieldTypeDefinition(
            FieldType.PLACE,
            checks.check_place,
            _place_words,
            demo.demo_place,
            typed_texts=_place_texts,
            searchable_by_default=True,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.PHONE,
            checks.check_phone_answer,
            _as_typed,
            demo.demo_phone,
            typed_texts=_whole_text,
            identifying_by_default=True,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.INTEGER,
            checks.check_integer,
            _integer_words,
            demo.demo_integer,
            answer_kind=AnswerKind.DATE_OR_NUMBER,
        ),
        FieldTypeDefinition(
            FieldType.ATTACHMENT,
            checks.check_attachment,
            _attachment_words,
            demo.demo_attachment,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.SIGNATURE_MARK,
            checks.check_signature_mark,
            _signature_mark_words,
            demo.demo_signature_mark,
            answer_kind=AnswerKind.CHOSEN,
        ),
        FieldTypeDefinition(
            FieldType.GROUP,
            _check_group,
            _group_words,
            _demo_group,
            has_members=True,
            identifying_by_default=True,
            free_text=True,
        ),
        FieldTypeDefinition(
            FieldType.CONSENT,
            checks.check_consent,
            _consent_words,
            demo.demo_consent,
            always_required=True,
            answer_kind=AnswerKind.CHOSEN,
        ),
    )
}


def type_of(item: Field | FieldType) -> FieldTypeDefinition:
    """The definition of a field's type (or of a type)."""
    return FIELD_TYPES[item.type if isinstance(item, Field) else item]


def answer_words(item: Field, value: Any, places: PlaceWords) -> Words:
    """An answer in words, by its field's type; ``places`` puts a stored place in words."""
    return type_of(item).words(item, value, places)


# --- checks every type shares --------------------------------------------------------------------


def check_text_limits(field: Field, value: Any) -> list[FieldIssue]:
    """Typed text longer than the printed form holds, or with characters it cannot print."""
    return _text_limit_issues(field, type_of(field), value)


def _text_limit_issues(
    field: Field, definition: FieldTypeDefinition, value: Any
) -> list[FieldIssue]:
    texts = definition.typed_texts(value)
    if not texts:
        return []
    limit = definition.max_characters
    for text in texts:
        if limit is not None and len(text) > limit:
            return [
                issue(
                    field,
                    "too_long",
                    f"Too long: at most {limit} characters (now {len(text)}). Please shorten it.",
                    f"វែងពេក៖ យ៉ាងច្រើន {to_khmer_digits(str(limit))} តួអក្សរ "
                    f"(ឥឡូវ {to_khmer_digits(str(len(text)))})។ សូមសរសេរឱ្យខ្លីជាងនេះ។",
                )
            ]
        refused = unprintable_characters(text, definition.multiline)
        if refused:
            shown = " ".join(refused)
            return [
                issue(
                    field,
                    "unprintable",
                    f"These characters cannot be printed on the form: {shown} Please leave them out.",
                    f"តួអក្សរទាំងនេះមិនអាចបោះពុម្ពលើទម្រង់បានទេ៖ {shown} សូមកុំប្រើវា។",
                )
            ]
    return []


def check_value(field: Field, value: Any, today: date | None = None) -> list[FieldIssue]:
    """Type checks of one non-empty answer (errors), plus plausibility warnings."""
    definition = FIELD_TYPES[field.type]
    return _text_limit_issues(field, definition, value) or definition.check(field, value, today)
