"""Officer accounts for service and UI tests that need roles but not passwords."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.services.context import AppContext, SignedInOfficer
from app.store.models import Officer

FIELD_OFFICER = SignedInOfficer("officer-1", "dara", "Dara", "field_officer")
OTHER_OFFICER = SignedInOfficer("officer-2", "vanna", "Vanna", "field_officer")
SUPERVISOR = SignedInOfficer("supervisor-1", "sokha", "Sokha", "supervisor")
ADMINISTRATOR = SignedInOfficer("admin-1", "admin", "Admin", "administrator")
ALL_OFFICERS = (FIELD_OFFICER, OTHER_OFFICER, SUPERVISOR)


def as_administrator(ctx: AppContext) -> AppContext:
    """``ctx`` signed in as the administrator (enrolment, settings and exports need a role)."""
    with ctx.store.transaction() as session:
        known = session.get(Officer, ADMINISTRATOR.id) is not None
    if not known:
        add_officers(ctx, [ADMINISTRATOR])
    ctx.officer = ADMINISTRATOR
    return ctx


def add_officers(ctx: AppContext, officers: Iterable[SignedInOfficer] = ALL_OFFICERS) -> None:
    """The officer rows that records point to (real accounts are made by app.services.accounts)."""
    with ctx.store.transaction() as session:
        for officer in officers:
            session.merge(
                Officer(
                    id=officer.id,
                    username=officer.username,
                    display_name=officer.display_name,
                    role=officer.role,
                    active=True,
                    created_at=datetime(2026, 1, 1),
                )
            )
