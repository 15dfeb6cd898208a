"""Device settings: typed, validated, stored in the device DB.

Changing them is for supervisors and administrators only (a field officer could otherwise point
the laptop at another server or switch the idle lock off); every change is audited with the names
of the settings that changed. The longest idle lock is office policy, set by an administrator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any
from urllib.parse import urlparse

from app.core.errors import UserFacingError
from app.i18n import LANGUAGES, _, set_language, translator
from app.services.audit import AuditAction, record_audit
from app.services.context import AppContext, get_setting
from app.services.security import Action, authorize
from app.store.models import Setting

SETTINGS_KEY = "app_settings"
POLICY_KEY = "office_policy"
DEFAULT_IDLE_LOCK_MAX_MINUTES = 30
LONGEST_IDLE_LOCK_MINUTES = 240


class SettingsError(UserFacingError, ValueError):
    """A setting value was refused; the message is translated."""


@dataclass(frozen=True)
class AppSettings:
    language: str = "km"
    khmer_digits: bool = True
    idle_lock_minutes: int = 10
    server_url: str = ""
    device_name: str = ""
    backup_folder: str = ""

    def validated(self, idle_lock_max: int = LONGEST_IDLE_LOCK_MINUTES) -> AppSettings:
        if self.language not in LANGUAGES:
            raise SettingsError(_("Unknown language."))
        if not 1 <= self.idle_lock_minutes <= idle_lock_max:
            raise SettingsError(
                _("The idle lock time must be between 1 and {maximum} minutes.").format(
                    maximum=idle_lock_max
                )
            )
        if self.server_url:
            parsed = urlparse(self.server_url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise SettingsError(
                    _("The server address must start with http:// or https:// and name a host.")
                )
        if len(self.device_name) > 100:
            raise SettingsError(_("The device name is too long (100 characters at most)."))
        return self


@dataclass(frozen=True)
class OfficePolicy:
    """Limits the office sets for this laptop (administrators only)."""

    idle_lock_max_minutes: int = DEFAULT_IDLE_LOCK_MAX_MINUTES
    # Who may restore a backup made on this laptop: administrators, and supervisors too when the
    # office allows it (the backup key is sealed only to them; see app.store.backup_keys).
    supervisors_may_restore: bool = False

    def restore_roles(self) -> tuple[str, ...]:
        if self.supervisors_may_restore:
            return ("supervisor", "administrator")
        return ("administrator",)

    def validated(self) -> OfficePolicy:
        if not 1 <= self.idle_lock_max_minutes <= LONGEST_IDLE_LOCK_MINUTES:
            raise SettingsError(
                _("The idle lock time must be between 1 and {maximum} minutes.").format(
                    maximum=LONGEST_IDLE_LOCK_MINUTES
                )
            )
        return self


def load_policy(ctx: AppContext) -> OfficePolicy:
    stored = get_setting(ctx, POLICY_KEY, {}) or {}
    try:
        return OfficePolicy(
            idle_lock_max_minutes=int(
                stored.get("idle_lock_max_minutes", DEFAULT_IDLE_LOCK_MAX_MINUTES)
            ),
            supervisors_may_restore=stored.get("supervisors_may_restore") is True,
        ).validated()
    except (TypeError, ValueError, SettingsError):
        return OfficePolicy()


def save_policy(ctx: AppContext, policy: OfficePolicy) -> OfficePolicy:
    """Set the office's limits; administrators only, audited. A shorter maximum also shortens
    the idle lock already set."""
    authorize(ctx, Action.OFFICE_POLICY)
    policy = policy.validated()
    with ctx.store.transaction() as session:
        session.merge(Setting(key=POLICY_KEY, value=asdict(policy)))
        record_audit(session, ctx, AuditAction.SETTINGS_CHANGE, details={"policy": asdict(policy)})
    return policy


def load_settings(ctx: AppContext) -> AppSettings:
    """The stored settings; an idle lock longer than the office allows is read as the maximum."""
    stored = get_setting(ctx, SETTINGS_KEY, {}) or {}
    known = {f.name for f in fields(AppSettings)}
    settings = AppSettings(**{k: v for k, v in stored.items() if k in known})
    maximum = load_policy(ctx).idle_lock_max_minutes
    if settings.idle_lock_minutes > maximum:
        settings = replace(settings, idle_lock_minutes=maximum)
    return settings


def apply_settings(settings: AppSettings) -> None:
    """Make the settings take effect in this process (language and digits switch at once)."""
    translator.khmer_digits = settings.khmer_digits
    set_language(settings.language)


def save_settings(ctx: AppContext, settings: AppSettings) -> AppSettings:
    """Validate and store ``settings``; supervisors and administrators only, never while locked
    (PermissionDenied, audited); the change is audited with the names of what changed."""
    authorize(ctx, Action.SETTINGS)
    settings = settings.validated(load_policy(ctx).idle_lock_max_minutes)
    with ctx.store.transaction() as session:
        row = session.get(Setting, SETTINGS_KEY)
        before: dict[str, Any] = dict(row.value) if row is not None and row.value else {}
        after = asdict(settings)
        changed = sorted(name for name, value in after.items() if before.get(name) != value)
        session.merge(Setting(key=SETTINGS_KEY, value=after))
        if changed:
            record_audit(session, ctx, AuditAction.SETTINGS_CHANGE, details={"changed": changed})
    apply_settings(settings)
    return settings


def store_initial_settings(ctx: AppContext, settings: AppSettings) -> AppSettings:
    """The settings chosen at first-run set-up (audited there); refused once any are stored."""
    settings = settings.validated(load_policy(ctx).idle_lock_max_minutes)
    with ctx.store.transaction() as session:
        if session.get(Setting, SETTINGS_KEY) is not None:
            raise SettingsError(_("This computer is already set up."))
        session.add(Setting(key=SETTINGS_KEY, value=asdict(settings)))
    apply_settings(settings)
    return settings
