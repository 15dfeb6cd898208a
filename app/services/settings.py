"""Device settings officers and administrators change: typed, validated, stored in the device DB."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from urllib.parse import urlparse

from app.core.errors import UserFacingError
from app.i18n import LANGUAGES, _, set_language, translator
from app.services.context import AppContext, get_setting, set_setting

SETTINGS_KEY = "app_settings"


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

    def validated(self) -> AppSettings:
        if self.language not in LANGUAGES:
            raise SettingsError(_("Unknown language."))
        if not 1 <= self.idle_lock_minutes <= 240:
            raise SettingsError(_("The idle lock time must be between 1 and 240 minutes."))
        if self.server_url:
            parsed = urlparse(self.server_url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise SettingsError(
                    _("The server address must start with http:// or https:// and name a host.")
                )
        if len(self.device_name) > 100:
            raise SettingsError(_("The device name is too long (100 characters at most)."))
        return self


def load_settings(ctx: AppContext) -> AppSettings:
    stored = get_setting(ctx, SETTINGS_KEY, {}) or {}
    known = {f.name for f in fields(AppSettings)}
    return AppSettings(**{k: v for k, v in stored.items() if k in known})


def apply_settings(settings: AppSettings) -> None:
    """Make the settings take effect in this process (language and digits switch at once)."""
    translator.khmer_digits = settings.khmer_digits
    set_language(settings.language)


def save_settings(ctx: AppContext, settings: AppSettings) -> AppSettings:
    settings = settings.validated()
    set_setting(ctx, SETTINGS_KEY, asdict(settings))
    apply_settings(settings)
    return settings
