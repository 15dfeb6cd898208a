"""What an officer's account must look like (user name, password, name, role) and how a wait is
told; the messages are translated and safe to show."""

from __future__ import annotations

from app.core.errors import UserFacingError
from app.core.passwords import MAX_LENGTH, MIN_LENGTH, Weakness, weakness
from app.i18n import _, format_number
from app.services.before_sign_in import password_rules as password_rules
from app.services.security import Role

MIN_PASSWORD_LENGTH = MIN_LENGTH
MAX_PASSWORD_LENGTH = MAX_LENGTH


class AccountError(UserFacingError):
    """An account action was refused; the message is translated and safe to show."""


class PasswordPolicyError(AccountError):
    pass


# --- checks -------------------------------------------------------------------------------------


def normalize_username(username: str) -> str:
    return username.strip().casefold()


def check_username(username: str) -> str:
    name = normalize_username(username)
    if not 2 <= len(name) <= 50 or any(ch.isspace() for ch in name):
        raise AccountError(_("A user name needs 2 to 50 characters, without spaces."))
    return name


def check_password(password: str, names: tuple[str, ...] = ()) -> None:
    """Refuse a too short, too long, common or trivial password (``names``: the officer's user
    name and full name)."""
    problem = weakness(password, names)
    if problem is None:
        return
    messages = {
        Weakness.TOO_SHORT: _("The password must have at least {count} characters.").format(
            count=format_number(MIN_PASSWORD_LENGTH)
        ),
        Weakness.TOO_LONG: _("The password is too long."),
        Weakness.COMMON: _("This password is one of the most common ones. Choose another."),
        Weakness.PATTERN: _(
            "This password is too easy to guess (the same or consecutive keys). Choose another."
        ),
        Weakness.NAME: _("The password must not be made of the officer's name."),
    }
    raise PasswordPolicyError(messages[problem])


def check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > 200:
        raise AccountError(_("Please type the officer's name (200 characters at most)."))
    return name


def check_role(role: str) -> Role:
    if role not in Role._value2member_map_:
        raise AccountError(_("Unknown role."))
    return Role(role)


def wait_text(seconds: int) -> str:
    """A wait as the officer reads it: "45 seconds", "4 minutes 30 seconds" (not rounded up to
    whole minutes, which made a 5-second wait read "1 minute")."""
    seconds = max(1, int(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return _("{seconds} seconds").format(seconds=format_number(rest))
    if not rest:
        return _("{minutes} minutes").format(minutes=format_number(minutes))
    return _("{minutes} minutes {seconds} seconds").format(
        minutes=format_number(minutes), seconds=format_number(rest)
    )


def wait_message(seconds: int) -> str:
    return _("Too many wrong passwords. Please wait {wait} and try again.").format(
        wait=wait_text(seconds)
    )
