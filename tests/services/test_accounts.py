"""Accounts on a real encrypted store: set-up, sign-in, lockout, recovery, roles, data at rest."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.demo_answers import demo_answers
from app.services import form_catalogue, records
from app.services.accounts import (
    AccountError,
    PasswordPolicyError,
    RecoveryDelayed,
    SignInFailed,
    SignInLocked,
    first_run_setup,
    is_first_run,
    lock,
    sign_in,
    sign_in_with_recovery,
    sign_out,
    unlock,
    waiting_reset_notice,
)
from app.services.audit import AuditAction, verify_audit_chain
from app.services.backup import create_backup
from app.services.context import AppContext, open_app
from app.services.officers import (
    change_password,
    create_officer,
    deactivate_officer,
    list_officers,
    reset_password,
)
from app.services.security import PermissionDenied, SessionLocked, signed_in
from app.services.settings import load_settings
from app.store.db import StoreError
from app.store.keyring import FAST_KDF_ENV, Keyring
from app.store.location import database_path
from app.store.models import AuditEntry
from tests.officers import SUPERVISOR, add_officers

ADMIN_PASSWORD = "admin password 1"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


@pytest.fixture
def admin(home: Path) -> Iterator[tuple[AppContext, str]]:
    ctx, code = first_run_setup(home, "Admin", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    yield ctx, code
    ctx.close()


def _actions(ctx: AppContext) -> list[str]:
    with ctx.store.transaction() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_first_run_creates_an_encrypted_store_and_the_administrator(home: Path) -> None:
    assert is_first_run(home)
    ctx, code = first_run_setup(home, " Admin ", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "en")
    try:
        assert not is_first_run(home)
        assert ctx.officer is not None and ctx.officer.username == "admin"
        assert ctx.officer.role == "administrator"
        assert load_settings(ctx).device_name == "Laptop 7"
        assert load_settings(ctx).language == "en"
        assert _actions(ctx) == [AuditAction.ACCOUNT_CHANGE]
        assert len(code.split("-")) == 7
    finally:
        ctx.close()
    assert not database_path(home).read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(StoreError):
        open_app(home)  # without the key the file cannot be read
    with pytest.raises(AccountError):
        first_run_setup(home, "other", "Other", ADMIN_PASSWORD, "Laptop 8", "km")


def test_first_run_checks_its_input_before_creating_anything(home: Path) -> None:
    with pytest.raises(PasswordPolicyError):
        first_run_setup(home, "admin", "Sok Admin", "short", "Laptop 7", "en")
    with pytest.raises(AccountError):
        first_run_setup(home, "admin", "Sok Admin", ADMIN_PASSWORD, "Laptop 7", "fr")
    assert is_first_run(home)
    assert not home.exists() or not any(home.iterdir())


def test_an_interrupted_setup_is_redone(home: Path) -> None:
    home.mkdir(parents=True)
    (home / ".setup-incomplete").write_bytes(b"")
    database_path(home).write_bytes(b"half a database")
    assert is_first_run(home)
    ctx, _code = first_run_setup(home, "admin", "Sok Admin", ADMIN_PASSWORD, "Laptop", "km")
    ctx.close()
    assert not (home / ".setup-incomplete").exists()


def test_sign_in_with_the_right_password_only(admin: tuple[AppContext, str], home: Path) -> None:
    admin[0].close()
    with pytest.raises(SignInFailed) as refused:
        sign_in(home, "admin", "wrong password")
    assert str(refused.value) == "Wrong user name or password."
    with pytest.raises(SignInFailed):
        sign_in(home, "nobody", ADMIN_PASSWORD)
    ctx = sign_in(home, "ADMIN", ADMIN_PASSWORD)
    try:
        assert ctx.officer is not None and ctx.officer.username == "admin"
        actions = _actions(ctx)
        # The two failures, noted while the store was closed, reach the audit log at sign-in.
        assert actions[-3:] == ["login_failed", "login_failed", "login"]
        assert Keyring.load(home).pending_events() == []
        assert verify_audit_chain(ctx).intact
    finally:
        ctx.close()


def test_repeated_failures_lock_sign_in(admin: tuple[AppContext, str], home: Path) -> None:
    admin[0].close()
    for _ in range(3):
        with pytest.raises(SignInFailed):
            sign_in(home, "admin", "wrong password")
    with pytest.raises(SignInLocked) as locked:
        sign_in(home, "admin", ADMIN_PASSWORD)
    assert 0 < locked.value.retry_after_seconds <= 30


def test_the_wait_after_wrong_passwords_is_short_and_told_in_the_officers_language(
    admin: tuple[AppContext, str], home: Path
) -> None:
    from app.i18n import set_language

    admin[0].close()
    set_language("km")
    for _ in range(3):
        with pytest.raises(SignInFailed):
            sign_in(home, "admin", "wrong password")
    with pytest.raises(SignInLocked) as locked:
        sign_in(home, "admin", ADMIN_PASSWORD)
    seconds = locked.value.retry_after_seconds
    assert 0 < seconds <= 5
    # The real wait, in Khmer words and digits (not rounded up to "1 minute").
    digits = str(seconds).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert str(locked.value) == (
        f"បានវាយពាក្យសម្ងាត់ខុសច្រើនដងពេក។ សូមរង់ចាំ {digits} វិនាទី ហើយព្យាយាមម្តងទៀត។"
    )
    # However many wrong tries came before, the wait never passes a minute.
    data = json.loads((home / "keyring.json").read_text())
    data["officers"]["admin"].update(failed_attempts=40, locked_until=None)
    (home / "keyring.json").write_text(json.dumps(data))
    with pytest.raises(SignInFailed):
        sign_in(home, "admin", "wrong password")
    with pytest.raises(SignInLocked) as locked:
        sign_in(home, "admin", ADMIN_PASSWORD)
    assert 55 <= locked.value.retry_after_seconds <= 60


def test_recovery_code_resets_the_password(admin: tuple[AppContext, str], home: Path) -> None:
    ctx, code = admin
    create_officer(ctx, "dara", "Dara", "field_officer", "dara password 1")
    ctx.close()
    with pytest.raises(SignInFailed):
        sign_in_with_recovery(home, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "dara", "new password 2")
    ctx = sign_in_with_recovery(home, code, "dara", "new password 2")
    try:
        assert ctx.officer is not None and ctx.officer.role == "field_officer"
        assert ctx.new_recovery_code and ctx.new_recovery_code != code
    finally:
        ctx.close()
    with pytest.raises(SignInFailed):
        sign_in(home, "dara", "dara password 1")
    ctx = sign_in(home, "dara", "new password 2")
    try:
        assert "account_change" in _actions(ctx)
        assert verify_audit_chain(ctx).intact
    finally:
        ctx.close()


def _let_the_wait_pass(home: Path) -> None:
    """Move the waiting reset's time into the past (as if 72 hours had gone by)."""
    data = json.loads((home / "keyring.json").read_text())
    data["waiting_reset"]["effective_at"] -= 72 * 3600 + 1
    (home / "keyring.json").write_text(json.dumps(data))


def _changes(ctx: AppContext) -> list[str]:
    with ctx.store.transaction() as session:
        return [
            str(entry.details.get("change"))
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.action == AuditAction.ACCOUNT_CHANGE)
            )
        ]


def test_the_recovery_code_resets_an_administrator_only_after_72_hours(
    admin: tuple[AppContext, str], home: Path
) -> None:
    ctx, code = admin
    create_officer(ctx, "dara", "Dara", "field_officer", "dara password 1")
    ctx.close()
    with pytest.raises(RecoveryDelayed) as delayed:
        sign_in_with_recovery(home, code, "admin", "taken over pw 9")
    assert "72" in str(delayed.value)
    # The new password does not open anything yet; a second request is refused.
    with pytest.raises(SignInFailed) as early:
        sign_in(home, "admin", "taken over pw 9")
    assert "takes effect" in str(early.value)
    with pytest.raises(SignInFailed):
        sign_in_with_recovery(home, code, "admin", "another try pw 8")
    # Every sign-in meanwhile shows it (before typing, and after signing in).
    notice = waiting_reset_notice(home)
    assert notice is not None and "admin" in notice
    officer = sign_in(home, "dara", "dara password 1")
    try:
        assert officer.notices == [notice]
        assert "admin_reset_requested" in _changes(officer)
    finally:
        officer.close()
    # 72 hours later the new password completes it, and the used code is replaced.
    _let_the_wait_pass(home)
    ctx = sign_in(home, "admin", "taken over pw 9")
    try:
        assert ctx.officer is not None and ctx.officer.role == "administrator"
        assert ctx.new_recovery_code and ctx.new_recovery_code != code
        assert "admin_reset_completed" in _changes(ctx)
    finally:
        ctx.close()
    assert waiting_reset_notice(home) is None
    with pytest.raises(SignInFailed):
        sign_in(home, "admin", ADMIN_PASSWORD)
    with pytest.raises(SignInFailed):
        sign_in_with_recovery(home, code, "dara", "new password 3")  # the old code is spent


def test_the_administrator_cancels_a_waiting_reset_by_signing_in(
    admin: tuple[AppContext, str], home: Path
) -> None:
    ctx, code = admin
    ctx.close()
    with pytest.raises(RecoveryDelayed):
        sign_in_with_recovery(home, code, "admin", "taken over pw 9")
    ctx = sign_in(home, "admin", ADMIN_PASSWORD)
    try:
        assert len(ctx.notices) == 1 and "cancelled" in ctx.notices[0]
        assert ctx.new_recovery_code and ctx.new_recovery_code != code
        assert _changes(ctx)[-2:] == ["admin_reset_requested", "admin_reset_cancelled"]
    finally:
        ctx.close()
    assert waiting_reset_notice(home) is None
    data = json.loads((home / "keyring.json").read_text())
    assert data["waiting_reset"] is None
    # The cancelled password never takes effect; the old code is spent.
    with pytest.raises(SignInFailed):
        sign_in(home, "admin", "taken over pw 9")
    with pytest.raises(SignInFailed):
        sign_in_with_recovery(home, code, "admin", "taken over pw 9")
    sign_in(home, "admin", ADMIN_PASSWORD).close()


def test_roles_are_enforced(admin: tuple[AppContext, str], home: Path) -> None:
    ctx, _code = admin
    create_officer(ctx, "dara", "Dara", "field_officer", "dara password")
    create_officer(ctx, "sokha", "Sokha", "supervisor", "sokha password")
    with pytest.raises(AccountError):
        create_officer(ctx, "Dara", "Dara again", "field_officer", "dara password")
    with pytest.raises(PasswordPolicyError):
        create_officer(ctx, "vanna", "Vanna", "field_officer", "short")
    ctx.close()

    field = sign_in(home, "dara", "dara password")
    try:
        with pytest.raises(PermissionDenied):
            create_officer(field, "vanna", "Vanna", "field_officer", "vanna password")
        with pytest.raises(PermissionDenied):
            reset_password(field, "sokha", "sokha password 2")
        with pytest.raises(PermissionDenied):
            list_officers(field)
        with pytest.raises(PermissionDenied):
            create_backup(field, home.parent / "backups-out")
    finally:
        field.close()

    supervisor = sign_in(home, "sokha", "sokha password")
    try:
        reset_password(supervisor, "dara", "dara new password")
        with pytest.raises(AccountError):
            reset_password(supervisor, "admin", "taken over!!")  # no climbing above one's role
        assert [o.username for o in list_officers(supervisor)] == ["admin", "dara", "sokha"]
        with pytest.raises(PermissionDenied):
            deactivate_officer(supervisor, "dara")
    finally:
        supervisor.close()
    sign_in(home, "dara", "dara new password").close()


def test_deactivated_officer_can_no_longer_sign_in(
    admin: tuple[AppContext, str], home: Path
) -> None:
    ctx, _code = admin
    create_officer(ctx, "dara", "Dara", "field_officer", "dara password")
    deactivate_officer(ctx, "dara")
    with pytest.raises(AccountError):
        deactivate_officer(ctx, "admin")  # not oneself
    assert [o.active for o in list_officers(ctx) if o.username == "dara"] == [False]
    assert not Keyring.load(home).has("dara")
    with pytest.raises(SignInFailed):
        sign_in(home, "dara", "dara password")


def test_change_password(admin: tuple[AppContext, str], home: Path) -> None:
    ctx, _code = admin
    with pytest.raises(SignInFailed):
        change_password(ctx, "not the old one", "brand new password")
    change_password(ctx, ADMIN_PASSWORD, "brand new password")
    sign_out(ctx)
    with pytest.raises(SignInFailed):
        sign_in(home, "admin", ADMIN_PASSWORD)
    sign_in(home, "admin", "brand new password").close()


def test_lock_and_unlock(admin: tuple[AppContext, str]) -> None:
    ctx, _code = admin
    lock(ctx)
    with pytest.raises(SessionLocked):
        signed_in(ctx)
    with pytest.raises(PermissionDenied):
        list_officers(ctx)
    with pytest.raises(SignInFailed):
        unlock(ctx, "wrong password")
    unlock(ctx, ADMIN_PASSWORD)
    assert signed_in(ctx).username == "admin"
    actions = _actions(ctx)
    # The refused list_officers while locked is audited too.
    assert actions[-4:] == ["lock", "refused", "login_failed", "unlock"]
    assert verify_audit_chain(ctx).intact


# --- nothing readable on disk --------------------------------------------------------------------

KHMER_MARKER = "សម្ងាត់ក្រអូបសាកល្បង"
LATIN_MARKER = "Zqxmarkerwulf"


def _marker_patterns() -> list[bytes]:
    patterns: list[bytes] = []
    for marker in (KHMER_MARKER, LATIN_MARKER.lower()):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            patterns.append(marker.encode(encoding))
        patterns.append(json.dumps(marker).strip('"').encode("ascii"))  # JSON \\u escapes
    return patterns


def _files_with_markers(folder: Path) -> list[str]:
    found = []
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert files
    for path in files:
        data = path.read_bytes().lower()
        if any(pattern.lower() in data for pattern in _marker_patterns()):
            found.append(str(path))
    return found


def _answers(form_id: str, seed: int) -> dict[str, object]:
    form = form_catalogue.form_definition(form_id)
    return demo_answers(
        form,
        random.Random(seed),
        overrides={
            "applicant_name": {"km": KHMER_MARKER, "latin": LATIN_MARKER},
            "applicant_other_names": f"{LATIN_MARKER} {KHMER_MARKER}",
        },
    )


def test_planted_markers_never_reach_the_disk(admin: tuple[AppContext, str], home: Path) -> None:
    ctx, _code = admin
    draft = records.start_application(ctx, "complaint")
    records.save_draft(ctx, draft, _answers("complaint", 1))
    final = records.start_application(ctx, "complaint")
    records.finalize_application(ctx, final, _answers("complaint", 2))
    # The markers really are in the store (and in its search index).
    assert records.get_application(ctx, final).answers["applicant_name"]["latin"] == LATIN_MARKER
    create_backup(ctx, home / "backups")
    assert _files_with_markers(home) == []  # while open: database, -wal, -shm
    ctx.close()
    assert _files_with_markers(home) == []  # after closing
    # The check can fail: an unencrypted store with the same content is caught.
    plain_home = home.parent / "plain"
    plain = open_app(plain_home)
    add_officers(plain, (SUPERVISOR,))
    plain.officer = SUPERVISOR
    try:
        records.save_draft(
            plain, records.start_application(plain, "complaint"), _answers("complaint", 1)
        )
    finally:
        plain.close()
    assert _files_with_markers(plain_home) != []


def test_a_switched_off_account_comes_back_with_a_new_password(
    admin: tuple[AppContext, str], home: Path
) -> None:
    from app.services.officers import reactivate_officer

    ctx, _code = admin
    create_officer(ctx, "vanna", "Vanna", "field_officer", "first password")
    deactivate_officer(ctx, "vanna")
    with pytest.raises(AccountError):
        sign_in(home, "vanna", "first password")
    reactivate_officer(ctx, "vanna", "second password")
    with pytest.raises(AccountError):
        sign_in(home, "vanna", "first password")
    back = sign_in(home, "vanna", "second password")
    assert back.officer is not None and back.officer.role == "field_officer"
    back.close()
