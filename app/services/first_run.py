"""First run on a laptop: the set-up that creates the encrypted store and its first
administrator, and what a cut-off set-up leaves behind."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from app.core import clock
from app.i18n import _
from app.services.account_rules import (
    AccountError,
    check_display_name,
    check_password,
    check_username,
)
from app.services.audit import AuditAction, record_audit
from app.services.before_sign_in import is_first_run as is_first_run
from app.services.before_sign_in import setup_incomplete
from app.services.context import AppContext, SignedInOfficer, open_app
from app.services.security import Role
from app.services.settings import AppSettings, SettingsError, store_initial_settings
from app.store.keyring import Keyring, keyring_path, new_database_key
from app.store.location import database_path
from app.store.models import Officer
from app.store.restore_journal import (
    SETUP_MARKER_NAME,
    early_events,
    forget_early_events,
    set_aside,
)

STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_SETUP_MARK = b"set-up in progress"


# --- first run ----------------------------------------------------------------------------------


def _store_files(home: Path) -> list[Path]:
    db = database_path(home)
    return [db.with_name(db.name + suffix) for suffix in STORE_SUFFIXES]


def begin_setup(home: Path) -> None:
    """Mark ``home`` as being set up (or restored); leftovers of an earlier try are removed.

    Refuses when a finished store is there, or a database file whose keyring is missing (that file
    might hold records: it is never deleted here).
    """
    if Keyring.exists(home) and not setup_incomplete(home):
        raise AccountError(_("This computer is already set up."))
    if setup_incomplete(home):
        discard_incomplete_setup(home)
    elif any(path.exists() for path in _store_files(home)):
        raise AccountError(
            _(
                "There is a data file here without its key file. "
                "Restore a backup, or ask the office for help."
            )
        )
    home.mkdir(parents=True, exist_ok=True)
    (home / SETUP_MARKER_NAME).write_bytes(_SETUP_MARK)


def finish_setup(home: Path) -> None:
    (home / SETUP_MARKER_NAME).unlink(missing_ok=True)


def discard_incomplete_setup(home: Path) -> None:
    """Remove what an interrupted set-up left behind (it never holds records: the set-up writes
    only the first administrator and the settings). A marker left by anything else (a restore of
    an older version) may sit beside records: those files are moved aside, never deleted."""
    marker = home / SETUP_MARKER_NAME
    ours = marker.is_file() and marker.read_bytes() == _SETUP_MARK
    leftovers = [path for path in [*_store_files(home), keyring_path(home)] if path.exists()]
    if ours:
        for path in leftovers:
            path.unlink(missing_ok=True)
    elif leftovers:
        set_aside(home, leftovers)
    finish_setup(home)


def add_officer_row(
    session: Session, officer_id: str, username: str, display_name: str, role: Role
) -> None:
    session.add(
        Officer(
            id=officer_id,
            username=username,
            display_name=display_name,
            role=str(role),
            organisation=None,
            active=True,
            created_at=clock.utc_now(),
        )
    )
    session.flush()


def first_run_setup(
    home: Path,
    admin_username: str,
    admin_display_name: str,
    password: str,
    device_name: str,
    language: str,
) -> tuple[AppContext, str]:
    """Create the encrypted store and its first administrator; returns the signed-in context and
    the recovery code (show it once; it is not stored anywhere readable)."""
    username = check_username(admin_username)
    display_name = check_display_name(admin_display_name)
    check_password(password, (username, display_name))
    try:
        settings = AppSettings(language=language, device_name=device_name.strip()).validated()
    except SettingsError as error:
        raise AccountError(str(error)) from error

    begin_setup(home)
    db_key = new_database_key()
    ctx: AppContext | None = None
    try:
        ctx = open_app(home, db_key)
        officer_id = str(uuid.uuid4())
        with ctx.store.transaction() as session:
            add_officer_row(session, officer_id, username, display_name, Role.ADMINISTRATOR)
            record_audit(
                session,
                ctx,
                AuditAction.ACCOUNT_CHANGE,
                details={"change": "first_run_setup", "username": username},
                officer_id=officer_id,
            )
        store_initial_settings(ctx, settings)
        # The keyring is written last: its presence marks a finished set-up.
        _key, recovery_code = Keyring.create(home, username, password, db_key=db_key)
        keyring = Keyring.load(home)
        for event in early_events(home):  # refused restores before this set-up
            keyring.note_event(str(event.pop("action")), event)
        forget_early_events(home)
        finish_setup(home)
    except BaseException:
        if ctx is not None:
            ctx.close()
        discard_incomplete_setup(home)
        raise
    ctx.officer = SignedInOfficer(officer_id, username, display_name, str(Role.ADMINISTRATOR))
    ctx.db_key = db_key
    return ctx, recovery_code
