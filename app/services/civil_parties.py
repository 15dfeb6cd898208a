"""The office's list of civil parties and applicants on this laptop: search, a person's card, the
people of a commune, and who has not been contacted for a year.

The list arrives signed by the office and sealed to this laptop (app.services.civil_party_sync)
and lives in the encrypted store. Only the roles of ``Action.CIVIL_PARTY_LIST`` see it (field
officers and supervisors); every refusal is audited, every card opened is audited. People whom
the office protects from the public arrive without a name or birth year and are shown masked;
people protected from the parties never arrive at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from app.core import clock
from app.core.civil_party_list import ListPerson
from app.core.khmer_text import normalize_for_search
from app.core.name_match import name_keys
from app.i18n import _, current_language
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.errors import RecordError
from app.services.places import describe_place
from app.services.prior_contacts import LinkedContact, contacts_naming
from app.services.search_index import place_names
from app.services.search_terms import search_clause
from app.services.security import Action, authorize, may
from app.store.models import Application, ListedPerson, Setting

LIST_INFO_SETTING = "civil_party_list.info"
SEARCH_TABLE = "listed_people_search"
SEARCH_LIMIT = 200
NOT_CONTACTED_DAYS = 365
MAX_VISIT_ROWS = 400
# The form a contact with a person of the list is recorded on (forms/follow_up.yaml).
FOLLOW_UP_FORM = "follow_up"
_INSERT_CHUNK = 1000


@dataclass(frozen=True)
class ListedRow:
    """One person as a search result or in a commune's list (names empty when masked)."""

    number: str
    name_km: str
    name_latin: str
    masked: bool
    case: str
    status: str
    sex: str
    birth_year: int | None
    commune_code: str
    village_code: str
    deceased: bool


@dataclass(frozen=True)
class PersonCard:
    person: ListedRow
    lawyer_team: str
    place: str  # village, commune, district, province in the current language
    contacts: list[LinkedContact]  # follow-up contacts on this laptop the officer may see
    # The day of the last contact, by anyone on this laptop (the laptop's day of its stamp) or
    # known to the office (the day it received it).
    last_contact: date | None


@dataclass(frozen=True)
class ListInfo:
    count: int
    provinces: list[str]
    issued: str | None  # when the office made this list (ISO, office clock)
    received: str | None


def _row(person: ListedPerson) -> ListedRow:
    return ListedRow(
        number=person.number,
        name_km="" if person.masked else person.name_km,
        name_latin="" if person.masked else person.name_latin,
        masked=person.masked,
        case=person.case_code,
        status=person.status,
        sex=person.sex,
        birth_year=None if person.masked else person.birth_year,
        commune_code=person.commune_code,
        village_code=person.village_code,
        deceased=person.deceased,
    )


def search_document(person: ListPerson, places: list[str]) -> str:
    """What the list's search index holds for one person: names in both scripts and the
    phonetic keys of their usual Latin spellings (as the registry), the number written with and
    without separators, and the names of their ``places``. A masked person is found by number
    only."""
    parts = [person.number, person.number_key]
    if not person.masked:
        keys = " ".join(name_keys(person.name_km, person.name_latin))
        parts += [person.name_km, person.name_latin, keys, *places]
    return " | ".join(normalize_for_search(p) for p in parts if p)


def store_list(session: Session, people: Iterable[ListPerson], info: Mapping[str, Any]) -> int:
    """Replace the list held on this laptop by ``people`` (inside the caller's transaction, so a
    list arrives whole or not at all); returns how many people it holds."""
    session.execute(delete(ListedPerson))
    session.execute(text(f"DELETE FROM {SEARCH_TABLE}"))
    count = 0
    rows: list[dict[str, Any]] = []
    documents: list[dict[str, str]] = []
    places: dict[tuple[str, str, str], list[str]] = {}

    def flush() -> None:
        if rows:
            session.execute(insert(ListedPerson), rows)
            session.execute(
                text(f"INSERT INTO {SEARCH_TABLE}(number, content) VALUES (:number, :content)"),
                documents,
            )
            rows.clear()
            documents.clear()

    for person in people:
        rows.append(
            {
                "number": person.number,
                "number_key": person.number_key,
                "case_code": person.case,
                "name_km": person.name_km,
                "name_latin": person.name_latin,
                "sex": person.sex,
                "birth_year": person.birth_year,
                "province_code": person.province,
                "district_code": person.district,
                "commune_code": person.commune,
                "village_code": person.village,
                "status": person.status,
                "lawyer_team": person.lawyer_team,
                "masked": person.masked,
                "deceased": person.deceased,
                "office_last_contact": person.last_contact,
            }
        )
        where = (person.province, person.commune, person.village)
        if where not in places:
            places[where] = place_names(where)
        documents.append(
            {"number": person.number, "content": search_document(person, places[where])}
        )
        count += 1
        if len(rows) >= _INSERT_CHUNK:
            flush()
    flush()
    session.merge(Setting(key=LIST_INFO_SETTING, value={**dict(info), "count": count}))
    return count


def list_info(ctx: AppContext) -> ListInfo:
    """How many people the list on this laptop holds, for which provinces, made when."""
    authorize(ctx, Action.CIVIL_PARTY_LIST)
    with ctx.store.transaction() as session:
        row = session.get(Setting, LIST_INFO_SETTING)
        info = row.value if row is not None and isinstance(row.value, dict) else {}
        count = int(session.scalar(select(func.count()).select_from(ListedPerson)) or 0)
    return ListInfo(
        count=count,
        provinces=[str(p) for p in info.get("provinces", [])],
        issued=info.get("issued_at"),
        received=info.get("received_at"),
    )


def search_people(ctx: AppContext, search: str, limit: int = SEARCH_LIMIT) -> list[ListedRow]:
    """People whose name (Khmer, or a Latin spelling people use) or number matches ``search``."""
    authorize(ctx, Action.CIVIL_PARTY_LIST)
    clause = search_clause(search, SEARCH_TABLE) if search.strip() else None
    statement = select(ListedPerson)
    if clause is not None:
        numbers = select(text("number")).select_from(text(SEARCH_TABLE)).where(clause)
        statement = statement.where(ListedPerson.number.in_(numbers))
    # Masked people (no name) after the named ones.
    statement = statement.order_by(
        ListedPerson.masked, ListedPerson.name_latin, ListedPerson.number
    ).limit(limit)
    with ctx.store.transaction() as session:
        return [_row(person) for person in session.scalars(statement)]


def people_in_commune(ctx: AppContext, commune_code: str) -> list[ListedRow]:
    """Everyone of the list who lives in the commune (forum invitations, village visits), by
    village then name."""
    authorize(ctx, Action.CIVIL_PARTY_LIST)
    with ctx.store.transaction() as session:
        return [
            _row(person)
            for person in session.scalars(
                select(ListedPerson)
                .where(ListedPerson.commune_code == commune_code)
                .order_by(ListedPerson.village_code, ListedPerson.name_latin, ListedPerson.number)
            )
        ]


def _last_contacts(session: Session, keys: list[str]) -> dict[str, datetime]:
    """The latest finalised follow-up naming each number key, by anyone on this laptop."""
    found: dict[str, datetime] = {}
    for start in range(0, len(keys), 500):
        for key, latest in session.execute(
            select(Application.prior_reference_key, func.max(Application.finalized_at))
            .where(
                Application.prior_reference_key.in_(keys[start : start + 500]),
                Application.finalized_at.is_not(None),
            )
            .group_by(Application.prior_reference_key)
        ):
            found[str(key)] = latest
    return found


def open_card(ctx: AppContext, number: str) -> PersonCard:
    """A person's card: case, status, lawyer team, place, contacts recorded (audited)."""
    authorize(ctx, Action.CIVIL_PARTY_LIST)
    with ctx.store.transaction() as session:
        person = session.get(ListedPerson, number)
        if person is None:
            raise RecordError(_("This person is not on the list held on this laptop."))
        record_audit(
            session, ctx, AuditAction.LISTED_PERSON_VIEW, details={"number": person.number}
        )
        stamp = _last_contacts(session, [person.number_key]).get(person.number_key)
        last = clock.day_of(stamp) if stamp is not None else None
        if person.office_last_contact:
            office = datetime.fromisoformat(person.office_last_contact).date()
            last = office if last is None or office > last else last
        place = {
            "province": person.province_code,
            "district": person.district_code,
            "commune": person.commune_code,
            "village": person.village_code or None,
        }
        row, lawyer_team, key = _row(person), person.lawyer_team, person.number_key
    return PersonCard(
        person=row,
        lawyer_team=lawyer_team,
        place=describe_place(place, current_language()),
        contacts=contacts_naming(ctx, key),
        last_contact=last,
    )


def _not_contacted_statement(
    today: date | None, commune_code: str | None, columns: Any = ListedPerson
) -> Any:
    since = (today or clock.today()) - timedelta(days=NOT_CONTACTED_DAYS)
    recent = (
        select(Application.prior_reference_key)
        .where(
            Application.prior_reference_key.is_not(None),
            Application.finalized_at >= clock.start_of(since),  # stamps are UTC
        )
        .scalar_subquery()
    )
    statement = select(columns).where(
        ListedPerson.deceased.is_(False),
        ListedPerson.number_key.not_in(recent),
        # a contact the office has from another laptop counts too
        or_(
            ListedPerson.office_last_contact.is_(None),
            ListedPerson.office_last_contact < since.isoformat(),
        ),
    )
    if commune_code:
        statement = statement.where(ListedPerson.commune_code == commune_code)
    return statement


def not_contacted(
    ctx: AppContext, today: date | None = None, commune_code: str | None = None
) -> list[ListedRow]:
    """People of the list (in one commune, or all this laptop serves) with no follow-up contact
    recorded on this laptop for a year, by village then name. Deceased people are left out:
    their successors come forward through a contact of their own."""
    authorize(ctx, Action.CIVIL_PARTY_LIST)
    statement = _not_contacted_statement(today, commune_code).order_by(
        ListedPerson.commune_code, ListedPerson.village_code, ListedPerson.name_latin
    )
    with ctx.store.transaction() as session:
        return [_row(person) for person in session.scalars(statement)]


def not_contacted_count(ctx: AppContext, today: date | None = None) -> int:
    """How many people of the list have not been contacted for a year (the start page); 0 for
    a role that does not see the list (nothing is refused or audited: it is only a count)."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return 0
    statement = _not_contacted_statement(today, None, func.count(ListedPerson.number))
    with ctx.store.reading() as session:
        return int(session.scalar(statement) or 0)


def _place_name(code: str) -> str:
    from app.core.gazetteer import load_gazetteer

    place = load_gazetteer().get(code) if code else None
    if place is None:
        return ""
    return " / ".join(n for n in (place.name_km, place.name_latin) if n)


def print_visit_list(
    ctx: AppContext, commune_code: str, out: Path, today: date | None = None
) -> int:
    """Print the people of one commune not contacted for a year, for a village visit: number,
    name and village only; protected people counted, never printed. Audited; returns pages.
    One commune at a time and at most ``MAX_VISIT_ROWS`` people: the list is never printed whole."""
    from app.pdf.visit_list import VisitList, VisitRow, render_visit_list

    authorize(ctx, Action.CIVIL_PARTY_LIST)
    if not commune_code:
        raise RecordError(_("Choose a commune first."))
    due = not_contacted(ctx, today, commune_code)
    shown = [row for row in due if not row.masked]
    if len(shown) > MAX_VISIT_ROWS:
        raise RecordError(
            _("More than {count} people to visit in this commune: ask the office for help.").format(
                count=MAX_VISIT_ROWS
            )
        )
    visit = VisitList(
        commune=_place_name(commune_code),
        rows=[
            VisitRow(row.number, row.name_km, row.name_latin, _place_name(row.village_code))
            for row in shown
        ],
        protected_left_out=len(due) - len(shown),
        dated=today or clock.today(),
    )
    pages = render_visit_list(visit, out)
    with ctx.store.transaction() as session:
        record_audit(
            session,
            ctx,
            AuditAction.LISTED_PEOPLE_PRINT,
            details={"commune": commune_code, "people": len(shown), "pages": pages},
        )
    return pages


def communes_served(ctx: AppContext) -> list[tuple[str, str]]:
    """(code, name) of every commune with people on the list, by name in the current language."""
    from app.core.gazetteer import load_gazetteer

    authorize(ctx, Action.CIVIL_PARTY_LIST)
    with ctx.store.transaction() as session:
        codes = list(session.scalars(select(ListedPerson.commune_code).distinct()))
    gazetteer, lang = load_gazetteer(), current_language()
    named = []
    for code in codes:
        place = gazetteer.get(code)
        if place is not None:
            named.append((code, place.name(lang)))
    return sorted(named, key=lambda item: item[1])


def start_contact(ctx: AppContext, number: str) -> str:
    """A follow-up contact draft for a person of the list, its answers filled from the list by
    role (name, earlier number, case); returns the draft's id for the intake page."""
    from app.core.forms import FieldRole
    from app.services import records

    authorize(ctx, Action.CIVIL_PARTY_LIST)
    form = records.form_definition(FOLLOW_UP_FORM)
    with ctx.store.transaction() as session:
        person = session.get(ListedPerson, number)
        if person is None:
            raise RecordError(_("This person is not on the list held on this laptop."))
        name = {"km": person.name_km, "latin": person.name_latin}
        case, masked = person.case_code, person.masked
    application_id = records.start_application(ctx, form.id)
    answers = dict(records.get_application(ctx, application_id, audit=False).answers or {})
    filled: dict[FieldRole, object] = {FieldRole.PRIOR_REFERENCE: number}
    if not masked:  # a protected person's name is asked, never copied from the list
        filled[FieldRole.APPLICANT_NAME] = name
    for role, value in filled.items():
        item = form.field_with_role(role)
        if item is not None:
            answers[item.id] = value
    case_field = form.field_with_role(FieldRole.COURT_CASE)
    if case_field is not None:
        digits = "".join(c for c in case if c.isdigit())
        for choice in case_field.choices or ():
            if "".join(c for c in choice.code if c.isdigit()) == digits:
                answers[case_field.id] = choice.code
    records.save_draft(ctx, application_id, answers)
    return application_id
