"""Roles and permission checks, enforced here in the service layer (the UI only hides buttons).

* field officer: own records and drafts;
* supervisor: every record on the device, corrections, exports, the audit log;
* administrator: accounts and settings, and everything a supervisor may do.
"""

from __future__ import annotations

from enum import StrEnum

from app.core.errors import UserFacingError
from app.i18n import _
from app.services.context import AppContext, SignedInOfficer


class Role(StrEnum):
    FIELD_OFFICER = "field_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class PermissionDenied(UserFacingError):
    """The signed-in officer's role does not allow this action (message is translated)."""


class NotSignedIn(PermissionDenied):
    pass


class SessionLocked(NotSignedIn):
    """The screen is locked (idle or by hand); the officer must type their password again."""


def role_label(role: str) -> str:
    labels = {
        Role.FIELD_OFFICER: _("Field officer"),
        Role.SUPERVISOR: _("Supervisor"),
        Role.ADMINISTRATOR: _("Administrator"),
    }
    return labels.get(Role(role), role) if role in Role._value2member_map_ else role


def signed_in(ctx: AppContext) -> SignedInOfficer:
    if ctx.officer is None:
        raise NotSignedIn(_("Please sign in first."))
    if ctx.locked:
        raise SessionLocked(_("The app is locked. Type your password to go on."))
    return ctx.officer


def has_role(ctx: AppContext, *roles: Role) -> bool:
    return ctx.officer is not None and not ctx.locked and ctx.officer.role in roles


def require_role(ctx: AppContext, *roles: Role) -> SignedInOfficer:
    """The signed-in officer, if their role is one of ``roles``; PermissionDenied otherwise."""
    officer = signed_in(ctx)
    if officer.role not in roles:
        raise PermissionDenied(
            _("Your role ({role}) may not do this. Ask a supervisor.").format(
                role=role_label(officer.role)
            )
        )
    return officer


def sees_all_records(ctx: AppContext) -> bool:
    return has_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)


def ensure_unlocked(ctx: AppContext) -> None:
    """Refuse any record work while the session is locked (idle lock or "Lock now")."""
    if ctx.locked:
        raise SessionLocked(_("The app is locked. Type your password to go on."))
