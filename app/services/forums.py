"""Forums with the people who will come: plan a forum for a commune, invite the civil parties and
applicants of the laptop's records who live there, print their invitations in Khmer, record who
came, and count it all for the dashboard and the reports.

Who is invited: every record the signed-in officer may see (app/services/access.py) that has a
reference (finalised, not a draft) and whose address is in the commune; and, when the officer's
role sees the office's civil-party list (field officers, supervisors), every living person of
the list in the commune, unless a record invited names their number (the same person is never
invited twice). People of the list are invited, shown and marked by their number. A person whose identity
is protected is invited like anyone else, but their name never appears on the printed stack nor
on the list shown at the forum: their reference stands for them. Planning, printing and every
attendance mark are audited.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import UserFacingError
from app.core.forms import FieldRole, Text
from app.core.gazetteer import load_gazetteer
from app.i18n import _, current_language
from app.pdf.invitations import Invitation, render_invitations
from app.services import court as court_service
from app.services import forum_listed
from app.services.access import load_visible, visible_applications
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext
from app.services.form_catalogue import available_forms
from app.services.forum_listed import listed_in_commune
from app.services.printing import write_pdf
from app.services.remembered import remember_value
from app.services.security import Action, authorize, may, signed_in
from app.store.models import Application, Forum, ForumInvitation, ForumListedInvitation

__all__ = [
    "ForumCounts",
    "ForumError",
    "ForumSummary",
    "Invitee",
    "communes_with_people",
    "forum_counts",
    "forum_invitees",
    "forums",
    "invite_newcomers",
    "listed_in_commune",
    "people_in_commune",
    "plan_forum",
    "print_invitations",
    "record_attendance",
    "record_listed_attendance",
]

MAX_NAME = 200
MAX_PLACE = 300

# What the invitation says the forum is for, true on the day (the court's phase): never a hope
# the court cannot meet.
ABOUT_CLOSED = Text(
    "អង្គភាពគាំពារជនរងគ្រោះ នឹងពន្យល់អំពីការងាររបស់តុលាការនៅថ្ងៃនេះ និងគម្រោងសំណងដែល"
    "តុលាការបានសម្រេច ហើយឆ្លើយសំណួររបស់លោកអ្នក។ សវនាការ និងការស៊ើបអង្កេតបានបញ្ចប់ហើយ៖ "
    "វេទិកានេះមិនចាប់ផ្តើមសំណុំរឿងថ្មីទេ ហើយគ្មានការផ្តល់ប្រាក់ទេ។",
    "The VSS will explain the court's work today and the reparation projects the court awarded, "
    "and answer your questions. Hearings and investigations have ended: this forum starts no new "
    "case and brings no payment.",
)
ABOUT_OPEN = Text(
    "អង្គភាពគាំពារជនរងគ្រោះ នឹងពន្យល់អំពីដំណើរការរបស់តុលាការ និងសិទ្ធិរបស់ជនរងគ្រោះ "
    "ហើយឆ្លើយសំណួររបស់លោកអ្នក។ វេទិកានេះមិនផ្តល់ប្រាក់ទេ។",
    "The VSS will explain the court's proceedings and victims' rights, and answer your "
    "questions. This forum brings no payment.",
)


class ForumError(UserFacingError):
    """A forum cannot be planned, printed or marked; the message is translated."""


@dataclass(frozen=True)
class Invitee:
    application_id: str
    reference: str
    name_km: str  # empty when the identity is protected
    name_latin: str
    identity_protected: bool
    attended: bool | None = None  # None: not recorded (or not invited yet)
    # A person of the office's list (application_id empty; reference is the list's number).
    listed_number: str = ""

    def shown_name(self) -> str:
        """The name as the screen and the paper show it: none for a protected person."""
        if self.identity_protected:
            return _("(identity protected)")
        return " / ".join(p for p in (self.name_km, self.name_latin) if p)


@dataclass(frozen=True)
class ForumSummary:
    id: str
    name: str
    commune_code: str
    commune: str  # the commune's name in the UI language
    held_on: date
    place: str
    invited: int
    attended: int
    # Records finalised with this forum's name as their forum answer: follow-up contacts, and
    # new complaints or applications taken there.
    contacts: int = 0
    records: int = 0


@dataclass(frozen=True)
class ForumCounts:
    forums: int
    invited: int
    attended: int


def _commune_name(code: str | None) -> str:
    place = load_gazetteer().get(code)
    return place.name(current_language()) if place else (code or "")


def _invitee(row: Application, attended: bool | None = None) -> Invitee:
    protected = bool(row.identity_protected)
    return Invitee(
        application_id=row.id,
        reference=row.reference or "",
        name_km="" if protected else row.name_km,
        name_latin="" if protected else row.name_latin,
        identity_protected=protected,
        attended=attended,
    )


def communes_with_people(ctx: AppContext) -> list[tuple[str, str]]:
    """(commune code, "commune, province" name) of communes where visible records live, or
    people of the office's list (for the roles that see it)."""
    statement = visible_applications(
        select(Application.commune_code)
        .distinct()
        .where(Application.reference.is_not(None), Application.commune_code.is_not(None)),
        ctx,
    )
    with ctx.store.transaction() as session:
        codes = {code for code in session.scalars(statement) if code}
        codes |= forum_listed.listed_communes(session, ctx)
    gazetteer = load_gazetteer()
    lang = current_language()
    named = []
    for code in codes:
        commune, province = gazetteer.get(code), gazetteer.get(code[:2])
        label = ", ".join(p.name(lang) for p in (commune, province) if p) or code
        named.append((code, label))
    return sorted(named, key=lambda item: item[1])


def _people_statement(commune_code: str, ctx: AppContext) -> Select[tuple[Application]]:
    return visible_applications(
        select(Application)
        .where(Application.commune_code == commune_code, Application.reference.is_not(None))
        .order_by(Application.reference),
        ctx,
    )


def people_in_commune(ctx: AppContext, commune_code: str) -> list[Invitee]:
    """The civil parties and applicants of the laptop's records living in the commune."""
    with ctx.store.transaction() as session:
        return [_invitee(row) for row in session.scalars(_people_statement(commune_code, ctx))]


def plan_forum(ctx: AppContext, name: str, commune_code: str, held_on: date, place: str) -> str:
    """Plan a forum and invite everyone of the commune the officer may see; returns its id."""
    officer = signed_in(ctx)
    name, place = " ".join(name.split()), " ".join(place.split())
    if not name or len(name) > MAX_NAME:
        raise ForumError(
            _("Give the forum a name (at most {count} characters).").format(count=MAX_NAME)
        )
    if len(place) > MAX_PLACE:
        raise ForumError(
            _("The place is too long (at most {count} characters).").format(count=MAX_PLACE)
        )
    commune = load_gazetteer().get(commune_code)
    if commune is None or commune.level != "commune":
        raise ForumError(_("Choose a commune from the list."))
    forum_id = str(uuid.uuid4())
    now = clock.utc_now()
    with ctx.store.transaction() as session:
        session.add(
            Forum(
                id=forum_id,
                name=name,
                commune_code=commune_code,
                held_on=datetime.combine(held_on, datetime.min.time()),
                place=place,
                created_by=officer.id,
                created_at=now,
            )
        )
        session.flush()
        invited = _invite_missing(session, ctx, forum_id, commune_code, now)
        # The intake forms' forum answer offers this name first: records taken at the forum
        # carry the same spelling and are counted together ("By forum").
        for form in available_forms().values():
            forum_field = form.field_with_role(FieldRole.FORUM)
            if forum_field is not None and forum_field.remembered:
                remember_value(session, forum_field, name)
        record_audit(
            session,
            ctx,
            AuditAction.FORUM_PLAN,
            details={"forum_id": forum_id, "commune": commune_code, "invited": invited},
        )
    return forum_id


def _invite_missing(
    session: Session, ctx: AppContext, forum_id: str, commune_code: str, now: datetime
) -> int:
    """Invite the people of the commune (those the officer may see) not invited yet."""
    already = set(
        session.scalars(
            select(ForumInvitation.application_id).where(ForumInvitation.forum_id == forum_id)
        )
    )
    people = [
        p for p in session.scalars(_people_statement(commune_code, ctx)) if p.id not in already
    ]
    listed_keys = set(
        session.scalars(
            select(ForumListedInvitation.number_key).where(
                ForumListedInvitation.forum_id == forum_id
            )
        )
    )
    # A record naming a listed person already invited is that person: not invited twice.
    people = [
        p for p in people if not p.prior_reference_key or p.prior_reference_key not in listed_keys
    ]
    for person in people:
        session.add(ForumInvitation(forum_id=forum_id, application_id=person.id, invited_at=now))
    return len(people) + forum_listed.invite_listed(session, ctx, forum_id, commune_code, now)


def invite_newcomers(ctx: AppContext, forum_id: str) -> int:
    """Invite the people recorded in the forum's commune since it was planned (or whom another
    officer may see); returns how many were added. Audited."""
    signed_in(ctx)
    with ctx.store.transaction() as session:
        forum = session.get(Forum, forum_id)
        if forum is None:
            raise ForumError(_("This forum is not on this laptop."))
        added = _invite_missing(session, ctx, forum_id, forum.commune_code, clock.utc_now())
        record_audit(
            session,
            ctx,
            AuditAction.FORUM_PLAN,
            details={"forum_id": forum_id, "commune": forum.commune_code, "invited": added},
        )
    return added


def _invited_rows(
    session: Session, ctx: AppContext, forum_id: str
) -> list[tuple[Application, bool | None]]:
    statement = visible_applications(
        select(Application, ForumInvitation.attended)
        .join(ForumInvitation, ForumInvitation.application_id == Application.id)
        .where(ForumInvitation.forum_id == forum_id)
        .order_by(Application.reference),
        ctx,
    )
    return [(row, attended) for row, attended in session.execute(statement).tuples()]


def _listed_invitees(session: Session, ctx: AppContext, forum_id: str) -> list[Invitee]:
    """The people of the list invited to a forum, masked as the list masks them (and when a
    newer list no longer holds them: their number only); none for a role that does not see it."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return []
    invitees = []
    for invitation, person in forum_listed.listed_invitations(session, forum_id):
        withheld = person is None or person.masked
        invitees.append(
            Invitee(
                application_id="",
                reference=invitation.number,
                name_km="" if withheld or person is None else person.name_km,
                name_latin="" if withheld or person is None else person.name_latin,
                identity_protected=withheld,
                attended=invitation.attended,
                listed_number=invitation.number,
            )
        )
    return invitees


def forum_invitees(ctx: AppContext, forum_id: str) -> list[Invitee]:
    """The people invited to a forum (those the officer may see), with their attendance: the
    laptop's records, then the people of the office's list."""
    with ctx.store.transaction() as session:
        return [
            *(_invitee(row, attended) for row, attended in _invited_rows(session, ctx, forum_id)),
            *_listed_invitees(session, ctx, forum_id),
        ]


def forums(ctx: AppContext) -> list[ForumSummary]:
    """Every forum on the laptop, newest first, with invited and attended counts (of the people
    the officer may see)."""
    signed_in(ctx)
    visible_ids = visible_applications(select(Application.id), ctx)
    counts = (
        select(
            ForumInvitation.forum_id,
            func.count(),
            func.count().filter(ForumInvitation.attended.is_(True)),
        )
        .where(ForumInvitation.application_id.in_(visible_ids))
        .group_by(ForumInvitation.forum_id)
    )
    contact_forms = [
        f.id for f in available_forms().values() if f.field_with_role(FieldRole.CONTACT_KIND)
    ]
    taken = visible_applications(
        select(
            Application.forum,
            func.count().filter(Application.form_id.in_(contact_forms)),
            func.count().filter(Application.form_id.not_in(contact_forms)),
        )
        .where(Application.reference.is_not(None), Application.forum.is_not(None))
        .group_by(Application.forum),
        ctx,
    )
    with ctx.store.transaction() as session:
        by_forum = {fid: (int(i), int(a)) for fid, i, a in session.execute(counts).tuples()}
        for fid, (invited, came) in forum_listed.listed_counts(session, ctx).items():
            records_invited, records_came = by_forum.get(fid, (0, 0))
            by_forum[fid] = (records_invited + int(invited), records_came + int(came))
        at_forum = {name: (int(c), int(r)) for name, c, r in session.execute(taken).tuples()}
        rows = list(session.scalars(select(Forum).order_by(Forum.held_on.desc(), Forum.name)))
        return [
            ForumSummary(
                id=f.id,
                name=f.name,
                commune_code=f.commune_code,
                commune=_commune_name(f.commune_code),
                held_on=f.held_on.date(),
                place=f.place,
                invited=by_forum.get(f.id, (0, 0))[0],
                attended=by_forum.get(f.id, (0, 0))[1],
                contacts=at_forum.get(f.name, (0, 0))[0],
                records=at_forum.get(f.name, (0, 0))[1],
            )
            for f in rows
        ]


def _note_attendance(
    invitation: ForumInvitation | ForumListedInvitation | None, attended: bool, officer_id: str
) -> None:
    """Note on an invitation (of a record, or of a person of the office's list) whether the
    person came, and who noted it when."""
    if invitation is None:
        raise ForumError(_("This person was not invited to this forum."))
    invitation.attended = attended
    invitation.attendance_recorded_by = officer_id
    invitation.attendance_recorded_at = clock.utc_now()


def record_attendance(ctx: AppContext, forum_id: str, application_id: str, attended: bool) -> None:
    """Mark whether an invited person came (audited; a field officer only for their records)."""
    officer = signed_in(ctx)
    with ctx.store.transaction() as session:
        load_visible(session, ctx, application_id)
        invitation = session.get(ForumInvitation, (forum_id, application_id))
        _note_attendance(invitation, attended, officer.id)
        record_audit(
            session,
            ctx,
            AuditAction.FORUM_ATTENDANCE,
            application_id,
            {"forum_id": forum_id, "attended": attended},
        )


def record_listed_attendance(ctx: AppContext, forum_id: str, number: str, attended: bool) -> None:
    """Mark whether an invited person of the office's list came (audited, by number; roles that
    see the list only)."""
    officer = authorize(ctx, Action.CIVIL_PARTY_LIST)
    with ctx.store.transaction() as session:
        invitation = session.get(ForumListedInvitation, (forum_id, number))
        _note_attendance(invitation, attended, officer.id)
        record_audit(
            session,
            ctx,
            AuditAction.FORUM_ATTENDANCE,
            details={"forum_id": forum_id, "number": number, "attended": attended},
        )


def forum_counts(ctx: AppContext) -> ForumCounts:
    """Forums, invitations and attendance (of the people the officer may see)."""
    summaries = forums(ctx)
    return ForumCounts(
        forums=len(summaries),
        invited=sum(s.invited for s in summaries),
        attended=sum(s.attended for s in summaries),
    )


def print_invitations(ctx: AppContext, forum_id: str, out: Path) -> int:
    """Write one invitation per invited person to ``out``; returns the page count. Each is
    audited as a printed record (document "forum_invitation")."""
    summary = next((f for f in forums(ctx) if f.id == forum_id), None)
    if summary is None:
        raise ForumError(_("This forum is not on this laptop."))
    invitees = forum_invitees(ctx, forum_id)
    if not invitees:
        raise ForumError(_("Nobody is invited to this forum."))
    now = court_service.court_now(ctx)
    about = ABOUT_OPEN if now.proceedings_possible else ABOUT_CLOSED
    projects = tuple(
        Text(
            f"គម្រោងសំណងក្នុងខេត្តរបស់លោកអ្នក៖ {p.title.km} ({p.where.km})។",
            f"A reparation project in your province: {p.title.en} ({p.where.en}).",
        )
        for p in court_service.reparations().in_province(summary.commune_code)
        if p.judgment.day <= now.day
    )
    place = summary.place or summary.commune
    invitations = [
        Invitation(
            reference=person.reference,
            forum_name=summary.name,
            held_on=summary.held_on,
            place=place,
            about=about,
            name_km=person.name_km,
            name_latin=person.name_latin,
            name_withheld=person.identity_protected,
            projects=projects,
        )
        for person in invitees
    ]
    buffer = io.BytesIO()
    with court_service.printing(ctx):
        pages = render_invitations(invitations, buffer)
    write_pdf(out, buffer.getvalue(), ctx.home)
    listed = [person for person in invitees if person.listed_number]
    with ctx.store.transaction() as session:
        if listed:
            record_audit(
                session,
                ctx,
                AuditAction.LISTED_PEOPLE_PRINT,
                details={
                    "document": "forum_invitation",
                    "forum_id": forum_id,
                    "people": len(listed),
                    "redacted": sum(1 for person in listed if person.identity_protected),
                },
            )
        for person in invitees:
            if person.listed_number:
                continue
            record_audit(
                session,
                ctx,
                AuditAction.RECORD_PRINT,
                person.application_id,
                {
                    "document": "forum_invitation",
                    "forum_id": forum_id,
                    "redacted": person.identity_protected,
                },
            )
    return pages
