"""Protective measures (ECCC Internal Rule 29): the level an applicant asked for, and for each
level and each kind of document, what the document hides.

The court distinguishes confidentiality from the public, confidentiality also from the other
parties, and danger to the applicant's family members (the VSS's rights page; Rule 29(2)-(3):
eccc.gov.kh/topic/511). The forms ask first whether protection is asked for (the field with role
``identity_protection``), then which level (role ``protection_level``, one choice whose codes are
the ``ProtectionLevel`` values below). Every paper this app makes follows the level asked for;
only a full copy, asked for with a reason and audited, shows more.

What each level hides, by document (``hidden``):

=============  =========  ============================  ==============  ========  ======
level          receipt    redacted application          status letter   report    sync
=============  =========  ============================  ==============  ========  ======
none           -          -                             -               -         -
from_public    name       name, written answers         name            -         -
from_parties   name       + dates and numbers           name            -         -
family_danger  name       + chosen answers, intake      name, direct    locality  -
                          place and date                contact
=============  =========  ============================  ==============  ========  ======

A report never names anyone at any level; sync to the office hides nothing, because the office
must know who asks so that the request can be put to the judges (Rule 29(3): after consulting
the VSS); the batch is sealed to the office's key. Records stored before the levels existed (a
yes/no answer, or several levels ticked) read as the nearest level that hides at least as much
(``protection_level``).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import StrEnum
from typing import Any

from app.core.forms.field_types import AnswerKind, type_of
from app.core.forms.model import Field, FieldRole, FormDefinition


class ProtectionLevel(StrEnum):
    """The levels, weakest first. The forms' level choices use these codes."""

    NONE = "none"
    FROM_PUBLIC = "from_public"
    FROM_PARTIES = "from_parties"  # also from the charged person and their lawyers
    FAMILY_DANGER = "family_danger"  # family members or close relatives in serious danger


LEVEL_ORDER: tuple[ProtectionLevel, ...] = tuple(ProtectionLevel)
# A "yes" stored before the levels were asked: hides what a "yes" hid then, on every document.
NEAREST_TO_YES = ProtectionLevel.FROM_PUBLIC


class Document(StrEnum):
    RECEIPT = "receipt"
    REDACTED_APPLICATION = "redacted_application"
    STATUS_LETTER = "status_letter"
    REPORT = "report"  # the office report and its exports
    SYNC = "sync"  # the sealed batch sent to the central office


class Hidden(StrEnum):
    APPLICANT_NAME = "name"
    # Every free-text answer and every field marked identifying: names, places, identity
    # numbers, contact details, written accounts, the reason for protection.
    WRITTEN = "written"
    DATES_AND_NUMBERS = "dates_and_numbers"  # birth dates, ages, dates of events
    CHOSEN = "chosen"  # answers chosen from lists: sex, group, relationships, fates
    # Where and when the applicant was met (forum, intake date) and, in lists, the province.
    LOCALITY = "locality"
    # The paper is not carried to the applicant's village: it goes through the lawyer or the
    # victims' association (Rule 29(2): where direct communication could put the person in danger).
    DIRECT_CONTACT = "direct_contact"


_NAME = frozenset({Hidden.APPLICANT_NAME})
_PUBLIC_COPY = frozenset({Hidden.APPLICANT_NAME, Hidden.WRITTEN})
_PARTIES_COPY = _PUBLIC_COPY | {Hidden.DATES_AND_NUMBERS}
_FAMILY_COPY = _PARTIES_COPY | {Hidden.CHOSEN, Hidden.LOCALITY}
_NOTHING: frozenset[Hidden] = frozenset()

HIDDEN: Mapping[ProtectionLevel, Mapping[Document, frozenset[Hidden]]] = {
    ProtectionLevel.NONE: {document: _NOTHING for document in Document},
    ProtectionLevel.FROM_PUBLIC: {
        Document.RECEIPT: _NAME,
        Document.REDACTED_APPLICATION: _PUBLIC_COPY,
        Document.STATUS_LETTER: _NAME,
        Document.REPORT: _NOTHING,
        Document.SYNC: _NOTHING,
    },
    ProtectionLevel.FROM_PARTIES: {
        Document.RECEIPT: _NAME,
        Document.REDACTED_APPLICATION: _PARTIES_COPY,
        Document.STATUS_LETTER: _NAME,
        Document.REPORT: _NOTHING,
        Document.SYNC: _NOTHING,
    },
    ProtectionLevel.FAMILY_DANGER: {
        Document.RECEIPT: _NAME,
        Document.REDACTED_APPLICATION: _FAMILY_COPY,
        Document.STATUS_LETTER: _NAME | {Hidden.DIRECT_CONTACT},
        Document.REPORT: frozenset({Hidden.LOCALITY}),
        Document.SYNC: _NOTHING,
    },
}


def hidden(level: ProtectionLevel | str | None, document: Document) -> frozenset[Hidden]:
    """What ``document`` hides for an applicant at ``level`` (a full copy, asked for with a
    reason, hides nothing: the caller decides that and audits it). An unknown level code hides
    what the strongest level hides."""
    return HIDDEN[as_level(level)][document]


def as_level(code: ProtectionLevel | str | None) -> ProtectionLevel:
    """The level of a stored code: None or "" is no protection; an unknown code the strongest."""
    if code is None or code == "":
        return ProtectionLevel.NONE
    try:
        return ProtectionLevel(code)
    except ValueError:
        return LEVEL_ORDER[-1]


def strongest(codes: Set[str] | list[str]) -> ProtectionLevel:
    """The level that hides the most among ``codes`` (several ticked by an older form)."""
    levels = [as_level(str(code)) for code in codes if code]
    return max(levels, key=LEVEL_ORDER.index, default=ProtectionLevel.NONE)


def protection_level(form: FormDefinition, answers: Mapping[str, Any]) -> ProtectionLevel:
    """The level asked for in ``answers``: none when protection is not asked for; the chosen
    level when it is; for older records, the strongest of several ticked levels, and a plain
    "yes" without a level reads as NEAREST_TO_YES."""
    gate = form.field_with_role(FieldRole.IDENTITY_PROTECTION)
    level_field = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    if gate is not None and answers.get(gate.id) not in (True, "yes"):
        return ProtectionLevel.NONE
    if level_field is None:
        return NEAREST_TO_YES if gate is not None else ProtectionLevel.NONE
    value = answers.get(level_field.id)
    codes = [str(c) for c in (value if isinstance(value, list) else [value]) if c]
    level = strongest(codes)
    if level is ProtectionLevel.NONE and gate is not None:
        return NEAREST_TO_YES  # asked for protection, level not (yet) chosen
    return level


def identity_protected(form: FormDefinition, answers: Mapping[str, Any]) -> bool:
    return protection_level(form, answers) is not ProtectionLevel.NONE


def in_current_shape(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` with the level stored as the form asks for it today: several levels ticked
    by an older form become the strongest one, and a "yes" without a level becomes
    NEAREST_TO_YES, so an old draft or a correction opens with the level it had. Nothing else
    changes; answers already in shape are returned as an equal copy."""
    result = dict(answers)
    level_field = form.field_with_role(FieldRole.PROTECTION_LEVEL)
    if level_field is None or not type_of(level_field).has_choices:
        return result
    level = protection_level(form, answers)
    stored = answers.get(level_field.id)
    if level is ProtectionLevel.NONE:
        if isinstance(stored, list):
            result.pop(level_field.id)
        return result
    if stored != level.value and level.value in {c.code for c in level_field.choices}:
        result[level_field.id] = level.value
    return result


# What each kind of answer (the type table's answer_kind) needs hidden before a copy masks it.
HIDDEN_BY_KIND = {
    AnswerKind.WRITTEN: Hidden.WRITTEN,
    AnswerKind.DATE_OR_NUMBER: Hidden.DATES_AND_NUMBERS,
    AnswerKind.CHOSEN: Hidden.CHOSEN,
}
# The intake's own details: shown on a redacted copy unless its locality is hidden too.
INTAKE_ROLES = frozenset({FieldRole.FORUM, FieldRole.INTAKE_DATE})


def withholds(hides: Set[Hidden], item: Field) -> bool:
    """Whether a redacted copy that hides ``hides`` masks this field's answer."""
    if not hides or item.role == FieldRole.OFFICER_NAME:
        return False
    if item.role in INTAKE_ROLES:
        return Hidden.LOCALITY in hides
    if item.identifying:
        return Hidden.WRITTEN in hides
    return HIDDEN_BY_KIND[type_of(item).answer_kind] in hides
