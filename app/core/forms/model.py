"""The shape of a form: sections of typed fields, bilingual text, compiled logic.

A ``FormDefinition`` is built by ``loader.load_form`` from a YAML file in ``forms/`` and is the one
description that the intake wizard, validation, storage, the PDF and sync all read. Every text
exists in Khmer and English; Khmer comes first everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar, cast

from app.core.forms.expressions import Expression

T = TypeVar("T")


@dataclass(frozen=True)
class Text:
    """A text in both languages. Both are mandatory; Khmer is shown first."""

    km: str
    en: str

    def get(self, lang: str) -> str:
        return self.km if lang == "km" else self.en

    def both(self, separator: str = " / ") -> str:
        return f"{self.km}{separator}{self.en}"


class FieldType(StrEnum):
    """What a field holds. The stored value of each type is given in forms/README.md."""

    TEXT = "text"  # str
    NAME = "name"  # {"km": str, "latin": str}
    APPROX_DATE = "approx_date"  # ApproxDate.to_dict()
    CHOICE = "choice"  # one choice code (str)
    MULTI_CHOICE = "multi_choice"  # list of choice codes
    YES_NO = "yes_no"  # bool
    NARRATIVE = "narrative"  # str, long
    PLACE = "place"  # {"province", "district", "commune", "village": code|None, "commune_text", "village_text"}
    PHONE = "phone"  # str
    INTEGER = "integer"  # int
    ATTACHMENT = "attachment"  # list of file references (str or dict)
    SIGNATURE_MARK = "signature_mark"  # "signature" | "thumbprint" | "to_be_taken"
    CONSENT = "consent"  # bool, must be True
    # A repeating group (e.g. several direct victims, each a person): a list of items, each
    # {member field id: its stored value}; the members are the group's own `fields`.
    GROUP = "group"


PLACE_KEYS = ("province", "district", "commune", "village", "commune_text", "village_text")
NAME_KEYS = ("km", "latin")


class FieldRole(StrEnum):
    """What a field means to the rest of the app, so code never names a form's field ids.

    The store derives its registry columns (name, birth year, address, forum, protection) from the
    fields that carry these roles; at most one field per role in a form.
    """

    APPLICANT_NAME = "applicant_name"
    APPLICANT_BIRTH = "applicant_birth"
    APPLICANT_ADDRESS = "applicant_address"
    APPLICANT_PHONE = "applicant_phone"
    FORUM = "forum"
    INTAKE_DATE = "intake_date"
    OFFICER_NAME = "officer_name"
    IDENTITY_PROTECTION = "identity_protection"
    PARTICIPATION = "participation"
    VICTIM_NAME = "victim_name"
    VICTIM_BIRTH = "victim_birth"
    VICTIM_FATE = "victim_fate"
    VICTIM_RELATIONSHIP = "victim_relationship"
    VICTIM_LAST_PLACE = "victim_last_place"
    CRIME_CATEGORIES = "crime_categories"
    CRIME_DATE_FROM = "crime_date_from"
    CRIME_DATE_TO = "crime_date_to"
    CRIME_PLACE = "crime_place"
    SIGNATURE_MARK = "signature_mark"
    DIRECT_INJURY = "direct_injury"
    # The case the record concerns: its choice codes are the case ids of assets/court.yaml
    # (any other code, e.g. "unknown", means none or not known). Deadlines and the court's
    # state for the record follow it.
    COURT_CASE = "court_case"
    # The person's earlier number (VIF, civil party, complaint or an app reference): the registry
    # finds people by it and a follow-up contact appears on the earlier record's history.
    PRIOR_REFERENCE = "prior_reference"
    # Rule 29 levels (from the public, from the parties, family in danger): redacted printing
    # follows the level chosen.
    PROTECTION_LEVEL = "protection_level"
    INTERPRETER_NAME = "interpreter_name"  # who was in the room: signs the printed declaration
    INTERMEDIARY_NAME = "intermediary_name"  # the intermediary organisation's worker, likewise
    CONTACT_KIND = "contact_kind"  # what a follow-up contact is about (shown on the history)
    # A reparation project a person took part in or spoke about: its choice codes are the project
    # ids of assets/reparations.yaml.
    REPARATION_PROJECT = "reparation_project"


class SignatureMark(StrEnum):
    SIGNATURE = "signature"
    THUMBPRINT = "thumbprint"
    TO_BE_TAKEN = "to_be_taken"  # taken later on the printed declaration


class ChoiceRole(StrEnum):
    """What a choice means to the rest of the app, so code never names a form's choice codes."""

    # The applicant asks to be a civil party (Rule 23bis): civil-party deadlines, the
    # jurisdiction notes and the follow-up of civil parties read it.
    CIVIL_PARTY = "civil_party"


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    help: Text | None = None
    role: ChoiceRole | None = None


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: Text
    help: Text | None = None
    # True/False, or an expression deciding it from the other answers.
    required: bool | Expression = False
    relevant: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Text | None = None
    choices: tuple[Choice, ...] = ()
    identifying: bool = False  # names, phone, address: redacted in exports, indexed for search
    pdf: bool = True  # printed on the PDF
    export: bool = True  # included in exports and sync payloads
    placeholder: Text | None = None
    role: FieldRole | None = None
    searchable: bool = False  # its text goes into the registry's full-text index
    # Answers chosen from a list kept on the laptop (organisations, forums, interpreters), so
    # one forum is never split by two spellings; a new one is added by typing it.
    remembered: bool = False
    # The members of a group field: what each item of the list holds. Their `relevant` and
    # `required` read the other members of the same item; their roles say what each member
    # means within the item (a victim's name, fate, relationship, last place).
    fields: tuple[Field, ...] = ()

    def member_with_role(self, role: FieldRole) -> Field | None:
        return next((item for item in self.fields if item.role == role), None)

    def choice(self, code: str) -> Choice | None:
        try:
            return self._choice_by_code.get(code)
        except TypeError:  # not a code at all (a list, say)
            return None

    @cached_property
    def _choice_by_code(self) -> dict[str, Choice]:
        # The first choice of each code, looked up for every choice answer checked or printed.
        by_code: dict[str, Choice] = {}
        for c in self.choices:
            by_code.setdefault(c.code, c)
        return by_code

    def chose_role(self, value: object, role: ChoiceRole) -> bool:
        """Whether the answer ``value`` is (or, for several choices, includes) the choice with
        this role."""
        codes = value if isinstance(value, list) else [value]
        return any(c.role is role and c.code in codes for c in self.choices)

    @property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    help: Text | None = None
    relevant: Expression | None = None
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True)
class MinimumContentRule:
    """One item of the court's minimum content: these fields must be answered before finalising.

    ``require`` is "all" (every listed field) or "any" (at least one of them). A rule whose
    ``relevant`` is false for the current answers does not apply.
    """

    id: str
    fields: tuple[str, ...]
    message: Text
    require: str = "all"
    relevant: Expression | None = None


@dataclass(frozen=True)
class FormDefinition:
    id: str
    version: int
    title: Text
    sections: tuple[Section, ...]
    description: Text | None = None
    minimum_content: tuple[MinimumContentRule, ...] = ()
    source: str | None = None  # the file it was loaded from
    # The fields by id, in form order, and the first field of each role, worked out once: forms
    # are read for every field at every check (every record of a bulk import). Not init fields,
    # so a form made with dataclasses.replace gets its own instead of refilling the original's.
    _index: dict[str, Field] = dataclass_field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    _fields: list[Field] = dataclass_field(
        default_factory=list, init=False, compare=False, repr=False
    )
    _by_role: dict[FieldRole, Field] = dataclass_field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # Tables other modules work out from the form once (``worked_out``): the skip logic and the
    # checks of every field, read for every record of a bulk import.
    _worked_out: dict[str, Any] = dataclass_field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._index.clear()
        self._fields.clear()
        self._by_role.clear()
        for section in self.sections:
            for item in section.fields:
                self._index[item.id] = item
                self._fields.append(item)
                if item.role is not None:
                    self._by_role.setdefault(item.role, item)

    def worked_out(self, name: str, make: Callable[[FormDefinition], T]) -> T:
        """``make(self)``, made on the first call for ``name`` and kept with the form (a form is
        never changed once loaded: ``dataclasses.replace`` makes a new one, with nothing kept)."""
        try:
            return cast(T, self._worked_out[name])
        except KeyError:
            made = self._worked_out[name] = make(self)
            return made

    def all_fields(self) -> Iterator[Field]:
        return iter(self._fields)

    def field(self, field_id: str) -> Field:
        """The field with this id; KeyError when the form has none."""
        return self._index[field_id]

    def has_field(self, field_id: str) -> bool:
        return field_id in self._index

    def section_of(self, field_id: str) -> Section:
        for section in self.sections:
            if any(item.id == field_id for item in section.fields):
                return section
        raise KeyError(field_id)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def field_with_role(self, role: FieldRole) -> Field | None:
        return self._by_role.get(role)

    @property
    def identifying_field_ids(self) -> frozenset[str]:
        return frozenset(item.id for item in self.all_fields() if item.identifying)
