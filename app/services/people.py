"""Direct victims as persons of their own, linked to every applicant who names them.

Several applicants of one family often name the same killed or disappeared relative. The direct
victim is stored once (``Person``: name in both scripts, approximate birth years, fate, last known
place) and each application links to it with the applicant's relationship (``PersonLink``), so the
family group can be shown on the applicant's page.

The link travels in sync because the chosen person id is written into the answers under the
reserved key ``_direct_victim_person_id`` (see forms/README.md, "Reserved answer keys") when the
application is finalised: ``records.finalize_application`` calls :func:`on_finalized` inside its
transaction, before the version is written.

Fields are found through the form: the name by its ``victim_name`` role; the birth date, fate and
relationship are the fields with the roles in :data:`VICTIM_ROLES` in the same section as the name.
Further direct victims are the items of a group field whose members carry the same roles; each
is a person of its own, linked at its position (1, 2, ...) with its id in the item
(``ITEM_PERSON_KEY``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.approx_date import ApproxDate
from app.core.forms import Field, FieldRole, FormDefinition, effective_answers
from app.core.khmer_text import ZWSP, is_khmer, normalize_for_search, normalize_name
from app.core.name_match import name_key, query_keys
from app.i18n import _
from app.services import access, errors, form_catalogue
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.security import ensure_unlocked, sees_all_records
from app.store.models import Application, Person, PersonLink

PERSON_ID_KEY = "_direct_victim_person_id"
# In each item of a group of further direct victims: the id of the person the item names.
ITEM_PERSON_KEY = "_person_id"
# Field ids of the direct victim's details, looked up in the section of the victim_name field.
# The direct victim's details, found by the roles the form gives its fields (forms/*.yaml).
VICTIM_ROLES = {
    "birth": FieldRole.VICTIM_BIRTH,
    "fate": FieldRole.VICTIM_FATE,
    "relationship": FieldRole.VICTIM_RELATIONSHIP,
    "place": FieldRole.VICTIM_LAST_PLACE,  # no bundled form has it yet; used when a form adds it
}

__all__ = [
    "ITEM_PERSON_KEY",
    "PERSON_ID_KEY",
    "FamilyMember",
    "PersonSuggestion",
    "VictimDetails",
    "family_group",
    "link_direct_victim",
    "linked_person",
    "on_finalized",
    "suggest_direct_victims",
    "victim_details",
]


# --- reading the victim from the answers ---------------------------------------------------------


@dataclass(frozen=True)
class VictimDetails:
    name_km: str
    name_latin: str
    birth_year_min: int | None
    birth_year_max: int | None
    fate: str | None
    relationship: str | None
    last_place: dict[str, Any] | None

    @property
    def name_key(self) -> str:
        return name_key(self.name_km, self.name_latin)


def _details(
    name: Any, birth: Any, fate: Any, relationship: Any, place: Any
) -> VictimDetails | None:
    if not isinstance(name, Mapping):
        return None
    name_km = normalize_name(str(name.get("km") or ""))
    name_latin = normalize_name(str(name.get("latin") or ""))
    if not name_km and not name_latin:
        return None
    birth_min = birth_max = None
    if isinstance(birth, Mapping):
        try:
            parsed = ApproxDate.from_dict(birth)
            earliest, latest = parsed.earliest(), parsed.latest()
            birth_min = earliest.year if earliest else None
            birth_max = latest.year if latest else None
        except ValueError:
            pass
    return VictimDetails(
        name_km=name_km,
        name_latin=name_latin,
        birth_year_min=birth_min,
        birth_year_max=birth_max,
        fate=str(fate) if isinstance(fate, str) and fate else None,
        relationship=str(relationship) if isinstance(relationship, str) and relationship else None,
        last_place=dict(place) if isinstance(place, Mapping) else None,
    )


def victim_details(form: FormDefinition, answers: Mapping[str, Any]) -> VictimDetails | None:
    """The direct victim named in the answers, or None when the form or the answers name none
    (e.g. the section is hidden because the applicant is a direct victim)."""
    return _victim_in(form, effective_answers(form, dict(answers)))


def named_victims(
    form: FormDefinition, answers: Mapping[str, Any], effective: Mapping[str, Any] | None = None
) -> tuple[VictimDetails | None, list[tuple[Field, int, VictimDetails]]]:
    """``victim_details`` and ``further_victims`` with the skip logic worked out once (or given:
    ``effective_answers`` of ``answers``)."""
    if effective is None:
        effective = effective_answers(form, dict(answers))
    return _victim_in(form, effective), _further_in(form, effective)


def _victim_in(form: FormDefinition, effective: Mapping[str, Any]) -> VictimDetails | None:
    name_field = form.field_with_role(FieldRole.VICTIM_NAME)
    if name_field is None:
        return None
    section = form.section_of(name_field.id)
    in_section = {item.id for item in section.fields}

    def value(kind: str) -> Any:
        item = form.field_with_role(VICTIM_ROLES[kind])
        return effective.get(item.id) if item is not None and item.id in in_section else None

    return _details(
        effective.get(name_field.id),
        value("birth"),
        value("fate"),
        value("relationship"),
        value("place"),
    )


def victim_groups(form: FormDefinition) -> list[Field]:
    """The group fields whose items are direct victims (their members carry the victim roles)."""
    return [
        item
        for item in form.all_fields()
        if item.fields and item.member_with_role(FieldRole.VICTIM_NAME) is not None
    ]


def further_victims(
    form: FormDefinition, answers: Mapping[str, Any]
) -> list[tuple[Field, int, VictimDetails]]:
    """The direct victims named as items of a group (several victims, each a person): the group,
    the item's index in the stored list, and the victim's details."""
    return _further_in(form, effective_answers(form, dict(answers)))


def _further_in(
    form: FormDefinition, effective: Mapping[str, Any]
) -> list[tuple[Field, int, VictimDetails]]:
    found: list[tuple[Field, int, VictimDetails]] = []
    for group in victim_groups(form):
        items = effective.get(group.id)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, Mapping):
                continue

            def value(role: FieldRole, item: Mapping[str, Any] = item, group: Field = group) -> Any:
                member = group.member_with_role(role)
                return item.get(member.id) if member is not None else None

            details = _details(
                value(FieldRole.VICTIM_NAME),
                value(FieldRole.VICTIM_BIRTH),
                value(FieldRole.VICTIM_FATE),
                value(FieldRole.VICTIM_RELATIONSHIP),
                value(FieldRole.VICTIM_LAST_PLACE),
            )
            if details is not None:
                found.append((group, index, details))
    return found


# --- suggestions while typing --------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSuggestion:
    id: str
    name_km: str
    name_latin: str
    birth_year_min: int | None
    birth_year_max: int | None
    fate: str | None
    applicants: int  # how many applications already name this person


def _plain_km(column: Any) -> Any:
    return func.replace(column, ZWSP, "")


def suggest_direct_victims(ctx: AppContext, text: str, limit: int = 10) -> list[PersonSuggestion]:
    """Direct victims already recorded whose name matches what is being typed: a Khmer substring,
    or a Latin spelling (any common variant, through the romanised key)."""
    ensure_unlocked(ctx)
    typed = normalize_for_search(text)
    if not typed:
        return []
    conditions = []
    if is_khmer(typed):
        escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(_plain_km(Person.name_km).like(f"%{escaped}%", escape="\\"))
    keys = query_keys(typed)
    if keys:
        conditions.append(Person.name_key.like(f"%{keys[0]}%"))
    if not conditions:
        return []
    counts = (
        select(PersonLink.person_id, func.count().label("n"))
        .group_by(PersonLink.person_id)
        .subquery()
    )
    if not sees_all_records(ctx):
        # A field officer is offered only people already linked to their own applicants: names
        # and birth years of other officers' applicants' relatives stay with those officers.
        mine = (
            select(PersonLink.person_id)
            .join(Application, Application.id == PersonLink.application_id)
            .where(
                Application.created_by == ctx.officer.id
                if ctx.officer is not None
                else Application.created_by.is_(None)
            )
        )
        conditions = [and_(or_(*conditions), Person.id.in_(mine))]
    statement = (
        select(Person, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.person_id == Person.id)
        .where(or_(*conditions))
        .order_by(func.coalesce(counts.c.n, 0).desc(), Person.name_km, Person.id)
        .limit(limit)
    )
    with ctx.store.reading() as session:
        rows = session.execute(statement).all()
    return [
        PersonSuggestion(
            p.id, p.name_km, p.name_latin, p.birth_year_min, p.birth_year_max, p.fate, int(n)
        )
        for p, n in rows
    ]


# --- linking -------------------------------------------------------------------------------------


class BirthYears(Protocol):
    @property
    def birth_year_min(self) -> int | None: ...

    @property
    def birth_year_max(self) -> int | None: ...


def years_overlap(a: VictimDetails, b: BirthYears) -> bool:
    if a.birth_year_min is None or b.birth_year_min is None:
        return False
    a_max = a.birth_year_max or a.birth_year_min
    b_max = b.birth_year_max or b.birth_year_min
    return a.birth_year_min <= b_max and b.birth_year_min <= a_max


def _same_person(session: Session, victim: VictimDetails) -> Person | None:
    """An existing person that is surely the same: same Khmer name, same romanised key, the same
    fate and overlapping birth years. Anything less is only suggested, never linked silently."""
    if not victim.name_km or not victim.fate:
        return None
    candidates = session.scalars(
        select(Person).where(
            _plain_km(Person.name_km) == victim.name_km.replace(ZWSP, ""),
            Person.name_key == victim.name_key,
            Person.fate == victim.fate,
        )
    ).all()
    return next((p for p in candidates if years_overlap(victim, p)), None)


def person_columns(victim: VictimDetails, person_id: str | None) -> dict[str, Any]:
    """A new person's row (``person_id``, or a new id): one home for what a person is stored
    with, read by the wizard's path below and by the bulk import's batch (people_batch)."""
    return {
        "id": person_id or str(uuid.uuid4()),
        "name_km": victim.name_km,
        "name_latin": victim.name_latin,
        "name_key": victim.name_key,
        "birth_year_min": victim.birth_year_min,
        "birth_year_max": victim.birth_year_max,
        "fate": victim.fate,
        "last_place": victim.last_place,
        "created_at": clock.utc_now(),
    }


def _new_person(session: Session, victim: VictimDetails, person_id: str | None) -> Person:
    person = Person(**person_columns(victim, person_id))
    session.add(person)
    session.flush()
    return person


def _link(
    session: Session,
    application: Application,
    person_id: str | None,
    victim: VictimDetails,
    position: int = 0,
) -> str:
    """Link ``application`` to the person (chosen, found or new); idempotent. Returns the id."""
    if person_id is None and position == 0:
        earlier = session.scalar(
            select(PersonLink.person_id).where(
                PersonLink.application_id == application.id, PersonLink.position == 0
            )
        )
        person_id = earlier  # linked before: keep it
    person = session.get(Person, person_id) if person_id else None
    if person is None and person_id is None:
        person = _same_person(session, victim)
    if person is None:
        # An id chosen elsewhere (e.g. on another device) is kept so the link stays the same.
        person = _new_person(session, victim, person_id)
    current = session.get(PersonLink, (application.id, person.id))
    if current is None:
        session.add(
            PersonLink(
                application_id=application.id,
                person_id=person.id,
                relationship=victim.relationship,
                position=position,
            )
        )
    else:
        current.relationship = victim.relationship
        current.position = position
    session.flush()
    return person.id


def _keep_only(session: Session, application: Application, person_ids: set[str]) -> None:
    session.execute(
        delete(PersonLink).where(
            PersonLink.application_id == application.id, PersonLink.person_id.not_in(person_ids)
        )
    )


def relationship_label(code: str | None, lang: str) -> str:
    """How the applicant is related to the victim, in words: the choice label of the field with
    the victim_relationship role (one list, in forms/*.yaml); "" when unknown."""
    if not code:
        return ""
    for form in form_catalogue.available_forms().values():
        item = form.field_with_role(FieldRole.VICTIM_RELATIONSHIP)
        choice = item.choice(code) if item is not None else None
        if choice is not None:
            return choice.label.get(lang)
    return ""


def on_finalized(
    session: Session, ctx: AppContext, application: Application, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The finalisation hook: link every direct victim named in ``answers`` (the person chosen in
    the wizard, or a surely identical person, or a new one) and return the answers with each
    person's id written in (PERSON_ID_KEY for the victim fields, ITEM_PERSON_KEY in each item of
    a group of further victims), so that the version written and synced carries them. Links to
    people the answers no longer name are removed (a correction may remove a victim)."""
    result = dict(answers)
    form = form_catalogue.form_definition(application.form_id)
    linked: set[str] = set()
    victim = victim_details(form, answers)
    if victim is None:
        result.pop(PERSON_ID_KEY, None)
    else:
        chosen = answers.get(PERSON_ID_KEY)
        person_id = _link(session, application, chosen if isinstance(chosen, str) else None, victim)
        result[PERSON_ID_KEY] = person_id
        linked.add(person_id)
    position = 1
    for group, index, details in further_victims(form, answers):
        items = [dict(item) for item in result[group.id]]
        chosen = items[index].get(ITEM_PERSON_KEY)
        person_id = _link(
            session,
            application,
            chosen if isinstance(chosen, str) else None,
            details,
            position=position,
        )
        items[index][ITEM_PERSON_KEY] = person_id
        result[group.id] = items
        linked.add(person_id)
        position += 1
    _keep_only(session, application, linked)
    return result


def link_direct_victim(
    ctx: AppContext, application_id: str, person_id: str | None, answers: Mapping[str, Any]
) -> str:
    """Link an application to a direct victim: ``person_id`` if the officer chose one from the
    suggestions, else a person made from the victim fields of ``answers``. Idempotent: linking
    again returns the same person. Raises RecordError when the answers name no direct victim."""
    with ctx.store.transaction() as session:
        application = access.load_visible(session, ctx, application_id)
        form = form_catalogue.form_definition(application.form_id)
        victim = victim_details(form, answers)
        if victim is None:
            raise errors.RecordError(_("The answers name no direct victim."))
        linked = _link(session, application, person_id, victim)
        others = {link for link in _linked_ids(session, application_id) if link != linked}
        earlier = session.scalar(
            select(PersonLink.person_id).where(
                PersonLink.application_id == application_id,
                PersonLink.position == 0,
                PersonLink.person_id != linked,
            )
        )
        # The victim fields name one person: a link made for them before is replaced.
        _keep_only(session, application, (others - {earlier}) | {linked})
        record_audit(
            session, ctx, AuditAction.RECORD_EDIT, application_id, {"direct_victim": linked}
        )
        return linked


def linked_person(ctx: AppContext, application_id: str) -> str | None:
    with ctx.store.reading() as session:
        access.load_visible(session, ctx, application_id)
        return session.scalar(
            select(PersonLink.person_id)
            .where(PersonLink.application_id == application_id)
            .order_by(PersonLink.position, PersonLink.person_id)
        )


def _linked_ids(session: Session, application_id: str) -> set[str]:
    return set(
        session.scalars(
            select(PersonLink.person_id).where(PersonLink.application_id == application_id)
        )
    )


# --- the family group ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyMember:
    application_id: str
    reference: str | None
    name_km: str
    name_latin: str
    relationship: str | None  # how the applicant is related to the direct victim


def family_group(ctx: AppContext, application_id: str) -> list[FamilyMember]:
    """The other applicants who name the same direct victim(s) as this application (only those
    the signed-in officer may see), by reference."""
    with ctx.store.reading() as session:
        access.load_visible(session, ctx, application_id)
        persons = select(PersonLink.person_id).where(PersonLink.application_id == application_id)
        statement = access.visible_applications(
            select(
                Application.id,
                Application.reference,
                Application.name_km,
                Application.name_latin,
                PersonLink.relationship,
            )
            .join(PersonLink, PersonLink.application_id == Application.id)
            .where(PersonLink.person_id.in_(persons), Application.id != application_id)
            .distinct(),
            ctx,
        ).order_by(Application.reference, Application.id)
        return [FamilyMember(*row) for row in session.execute(statement).all()]
