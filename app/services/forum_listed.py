"""The forum side of the office's civil-party list: who of the list a forum in a commune
invites, the invitations stored by number, and their counts (app.services.forums builds on it).

Only the roles that see the list (``Action.CIVIL_PARTY_LIST``) invite, see or count people of
the list; for any other role these give nothing (nothing refused: the forum still serves the
records). A person is never invited twice: a record invited to the same forum whose earlier
number (``prior_reference_key``) is the person's ``number_key`` stands for them. Deceased people
are not invited: their successors come forward through a contact of their own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.context import AppContext
from app.services.security import Action, may
from app.store.models import Application, ForumInvitation, ForumListedInvitation, ListedPerson

__all__ = [
    "invite_listed",
    "listed_communes",
    "listed_counts",
    "listed_in_commune",
    "listed_invitations",
]


def listed_in_commune(ctx: AppContext, commune_code: str) -> int:
    """How many living people of the office's list a forum in the commune invites (0 for a role
    that does not see the list: only a count, nothing refused)."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return 0
    statement = select(func.count()).where(
        ListedPerson.commune_code == commune_code, ListedPerson.deceased.is_(False)
    )
    with ctx.store.transaction() as session:
        return int(session.scalar(statement) or 0)


def invite_listed(
    session: Session, ctx: AppContext, forum_id: str, commune_code: str, now: datetime
) -> int:
    """Invite the living people of the office's list in the commune not invited yet, nor named
    (by their number) by a record invited to the forum; none for a role that does not see the
    list."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return 0
    session.flush()
    taken = set(
        session.scalars(
            select(ForumListedInvitation.number_key).where(
                ForumListedInvitation.forum_id == forum_id
            )
        )
    ) | set(
        session.scalars(
            select(Application.prior_reference_key)
            .join(ForumInvitation, ForumInvitation.application_id == Application.id)
            .where(
                ForumInvitation.forum_id == forum_id, Application.prior_reference_key.is_not(None)
            )
        )
    )
    people = [
        p
        for p in session.scalars(
            select(ListedPerson).where(
                ListedPerson.commune_code == commune_code, ListedPerson.deceased.is_(False)
            )
        )
        if p.number_key not in taken
    ]
    for person in people:
        session.add(
            ForumListedInvitation(
                forum_id=forum_id,
                number=person.number,
                number_key=person.number_key,
                invited_at=now,
            )
        )
    return len(people)


def listed_invitations(
    session: Session, forum_id: str
) -> list[tuple[ForumListedInvitation, ListedPerson | None]]:
    """A forum's invitations of listed people by number, with the person as the list on the
    laptop holds them now (None once a newer list no longer does). Callers check the role."""
    statement = (
        select(ForumListedInvitation, ListedPerson)
        .outerjoin(ListedPerson, ListedPerson.number == ForumListedInvitation.number)
        .where(ForumListedInvitation.forum_id == forum_id)
        .order_by(ForumListedInvitation.number)
    )
    return [(invitation, person) for invitation, person in session.execute(statement).tuples()]


def listed_counts(session: Session, ctx: AppContext) -> dict[str, tuple[int, int]]:
    """forum id -> (listed people invited, came); empty for a role that does not see the list."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return {}
    statement = select(
        ForumListedInvitation.forum_id,
        func.count(),
        func.count().filter(ForumListedInvitation.attended.is_(True)),
    ).group_by(ForumListedInvitation.forum_id)
    return {fid: (int(i), int(a)) for fid, i, a in session.execute(statement).tuples()}


def listed_communes(session: Session, ctx: AppContext) -> set[str]:
    """The communes where people of the list live; empty for a role that does not see it."""
    if not may(ctx, Action.CIVIL_PARTY_LIST):
        return set()
    return set(session.scalars(select(ListedPerson.commune_code).distinct()))
