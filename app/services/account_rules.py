"""What an officer's account must look like (user name, password, name, role) and how a wait is
told; the messages are translated and safe to show."""

from __future__ import annotations

from app.core.passwords import MAX_LENGTH, MIN_LENGTH, Weakness, weakness
from app.i18n import _, format_number
from app.services.before_sign_in import password_rules as password_rules

# Defined with the first half of signing in, which must not import the store (key_unlock).
from app.services.key_unlock import AccountError as AccountError
from app.services.key_unlock import normalize_username as normalize_username
from app.services.key_unlock import wait_message as wait_message
from app.services.key_unlock import wait_text as wait_text
from app.services.security import Role

MIN_PASSWORD_LENGTH = MIN_LENGTH
MAX_PASSWORD_LENGTH = MAX_LENGTH


class PasswordPolicyError(AccountError):
    pass


# --- checks -------------------------------------------------------------------------------------


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
