"""What the screens before sign-in need, without opening the store: whether this laptop is set up,
who can sign in here, and the password rules.

The sign-in window is painted before SQLAlchemy, ReportLab and the other services are imported
(they load on a thread while the officer types: app.ui.app). So this module imports only the
keyring file reader and translations; tests/ui/test_first_paint.py keeps it that way.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.core.passwords import MIN_LENGTH
from app.i18n import _, format_datetime, format_number
from app.store.admin_reset import waiting_reset
from app.store.keyring import Keyring, KeyringError
from app.store.location import data_dir
from app.store.restore_journal import SETUP_MARKER_NAME, settle_leftovers


def default_home() -> Path:
    """The data folder: VSS_OUTREACH_HOME if set, else the user's data folder."""
    return data_dir()


def setup_incomplete(home: Path) -> bool:
    return (home / SETUP_MARKER_NAME).exists()


def is_first_run(home: Path) -> bool:
    """True until a set-up (or a restore) has finished in ``home``. A restore killed after its
    commit point is finished first, and leftovers of killed restores are removed."""
    settle_leftovers(home)
    return not Keyring.exists(home) or setup_incomplete(home)


def known_usernames(home: Path) -> list[str]:
    """User names that can sign in here (read from the keyring; no password needed)."""
    try:
        return Keyring.load(home).usernames()
    except KeyringError:
        return []


def password_rules() -> str:
    """The rules, shown next to every box where a new password is typed (before typing)."""
    return _(
        "At least {count} characters. Not a common password (such as password123 or "
        "qwertyuiop), not the same or consecutive keys (11111111, abcdefgh), not your name. "
        "A short sentence you can remember is best."
    ).format(count=format_number(MIN_LENGTH))


def reset_date_text(moment: float) -> str:
    """When a waiting reset of the administrator's password takes effect, as the officer reads it."""
    return format_datetime(datetime.fromtimestamp(moment))


def waiting_reset_notice(home: Path) -> str | None:
    """What every sign-in screen shows while an administrator's reset waits (None: nothing)."""
    try:
        waiting = waiting_reset(Keyring.load(home))
    except KeyringError:
        return None
    if waiting is None:
        return None
    return _(
        "The password of the administrator {username} was reset with the recovery code and "
        "takes effect on {date}. If the administrator did not ask for this, they should sign "
        "in now with their current password: that cancels it."
    ).format(username=waiting.username, date=reset_date_text(waiting.effective_at))
