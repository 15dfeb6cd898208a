"""Roles and permission checks, enforced here in the service layer (the UI only hides buttons).

* field officer: own records and drafts, network sync to the enrolled office;
* supervisor: every record on the device, corrections, USB exports, backups, settings, the audit log;
* administrator: accounts, enrolment, office policy, and everything a supervisor may do.

Every refused action is written to the audit log (:func:`app.services.audit.record_refusal`), with
repeats folded together so that a flood of refusals cannot bury the real entries.
"""

from __future__ import annotations

import sys
from enum import StrEnum

from app.core.errors import UserFacingError
from app.i18n import _
from app.services.audit import record_refusal
from app.services.context import AppContext, SignedInOfficer


class Role(StrEnum):
    FIELD_OFFICER = "field_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class Action(StrEnum):
    """Actions checked by :func:`authorize` (the audit log names refusals by these)."""

    ENROL = "enrol"
    SYNC = "sync"
    EXPORT_USB = "export_usb"
    IMPORT_RECEIPTS = "import_receipts"
    SETTINGS = "settings"
    OFFICE_POLICY = "office_policy"
    BACKUP = "backup"
    ROTATE_KEY = "rotate_key"
    MANAGE_ACCOUNTS = "manage_accounts"
    READ_AUDIT = "read_audit"
    CIVIL_PARTY_LIST = "civil_party_list"


_ALL_ROLES = ("field_officer", "supervisor", "administrator")
_SUPERVISORS = ("supervisor", "administrator")
_ADMINISTRATORS = ("administrator",)

# Who may do what. Network sync sends batches sealed to the office key to the enrolled office, so
# field officers may; a USB export puts every officer's records on a stick, so only supervisors.
ACTION_ROLES: dict[Action, tuple[str, ...]] = {
    Action.ENROL: _ADMINISTRATORS,
    Action.SYNC: _ALL_ROLES,
    Action.EXPORT_USB: _SUPERVISORS,
    Action.IMPORT_RECEIPTS: _ALL_ROLES,
    Action.SETTINGS: _SUPERVISORS,
    Action.OFFICE_POLICY: _ADMINISTRATORS,
    Action.BACKUP: _SUPERVISORS,
    Action.ROTATE_KEY: _ADMINISTRATORS,
    Action.MANAGE_ACCOUNTS: _ADMINISTRATORS,
    Action.READ_AUDIT: _SUPERVISORS,
    # The office's list names people the court knows: the officers who meet them see it; an
    # administrator (accounts, keys) has no need to.
    Action.CIVIL_PARTY_LIST: ("field_officer", "supervisor"),
}


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


def _check_role(ctx: AppContext, roles: tuple[Role, ...]) -> SignedInOfficer:
    officer = signed_in(ctx)
    if officer.role not in roles:
        raise PermissionDenied(
            _("Your role ({role}) may not do this. Ask a supervisor.").format(
                role=role_label(officer.role)
            )
        )
    return officer


def _refusal_reason(error: PermissionDenied) -> str:
    if isinstance(error, SessionLocked):
        return "locked"
    return "not_signed_in" if isinstance(error, NotSignedIn) else "role"


def require_role(ctx: AppContext, *roles: Role) -> SignedInOfficer:
    """The signed-in officer, if their role is one of ``roles``; otherwise the refusal is audited
    (named by the calling service function) and PermissionDenied raised. Call it before opening
    a transaction: the refusal is written in a transaction of its own."""
    try:
        return _check_role(ctx, roles)
    except PermissionDenied as error:
        record_refusal(ctx, sys._getframe(1).f_code.co_name, _refusal_reason(error))
        raise


def may(ctx: AppContext, action: Action) -> bool:
    """Whether the signed-in, unlocked officer may do ``action`` (for showing buttons)."""
    return has_role(ctx, *(Role(role) for role in ACTION_ROLES[action]))


def authorize(ctx: AppContext, action: Action) -> SignedInOfficer:
    """The signed-in officer if they may do ``action`` now; otherwise the refusal is audited and
    NotSignedIn, SessionLocked or PermissionDenied is raised. Call it outside any transaction."""
    try:
        return _check_role(ctx, tuple(Role(role) for role in ACTION_ROLES[action]))
    except PermissionDenied as error:
        record_refusal(ctx, str(action), _refusal_reason(error))
        raise


def sees_all_records(ctx: AppContext) -> bool:
    return has_role(ctx, Role.SUPERVISOR, Role.ADMINISTRATOR)


def ensure_unlocked(ctx: AppContext) -> None:
    """Refuse any record work while the session is locked (idle lock or "Lock now")."""
    if ctx.locked:
        raise SessionLocked(_("The app is locked. Type your password to go on."))
