"""Switching an officer off rotates the database key: a keyring copied before no longer opens the
store; the remaining officers and the recovery code still do; a rotation cut off midway is
finished or abandoned at the next sign-in."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from app.core.demo_answers import demo_answers
from app.services import accounts, officers, records
from app.services.audit import verify_audit_chain
from app.services.key_rotation import REKEY_SUFFIX, export_with_new_key, key_opens
from app.store.keyring import FAST_KDF_ENV, Keyring, new_database_key
from app.store.location import database_path

ADMIN = "admin password 1"
DARA = "dara's own words 7"
VANNA = "vanna's own words 9"


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


def _set_up(home: Path) -> tuple[str, list[str]]:
    ctx, code = accounts.first_run_setup(home, "admin", "Admin", ADMIN, "Laptop", "en")
    try:
        officers.create_officer(ctx, "dara", "Dara", "field_officer", DARA)
        officers.create_officer(ctx, "vanna", "Vanna", "field_officer", VANNA)
        form = records.form_definition("civil_party")
        ids = []
        for seed in range(3):
            application_id = records.start_application(ctx, form.id)
            records.finalize_application(
                ctx, application_id, demo_answers(form, random.Random(seed))
            )
            ids.append(application_id)
    finally:
        ctx.close()
    return code, ids


def test_a_keyring_copied_before_deactivation_no_longer_opens_the_store(
    home: Path, tmp_path: Path
) -> None:
    code, ids = _set_up(home)
    stolen = tmp_path / "copied-by-vanna"
    shutil.copytree(home, stolen)  # keyring and database, while Vanna still had access
    old_key = Keyring.load(stolen).unwrap("vanna", VANNA)

    ctx = accounts.sign_in(home, "admin", ADMIN)
    try:
        progress: list[tuple[int, int]] = []
        result = officers.deactivate_officer(
            ctx, "vanna", lambda done, total: progress.append((done, total))
        )
        assert result is not None and result.needs_new_password == [] and result.recovery_followed
        assert progress and progress[-1][0] == progress[-1][1]
        assert [records.get_application(ctx, i).id for i in ids] == ids  # the store works on
    finally:
        ctx.close()

    db = database_path(home)
    assert not key_opens(db, old_key)
    # The copied keyring put back beside today's store: Vanna's password opens nothing.
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copyfile(db, database_path(mixed))
    shutil.copyfile(stolen / "keyring.json", mixed / "keyring.json")
    with pytest.raises(accounts.AccountError):
        accounts.sign_in(mixed, "vanna", VANNA)
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(home, "vanna", VANNA)

    for username, password in (("dara", DARA), ("admin", ADMIN)):
        ctx = accounts.sign_in(home, username, password)
        try:
            assert verify_audit_chain(ctx).intact
        finally:
            ctx.close()
    ctx = accounts.sign_in_with_recovery(home, code, "dara", "a brand new phrase 3")
    ctx.close()


@pytest.mark.parametrize("replaced", [False, True])
def test_a_rotation_cut_off_midway_is_settled_at_the_next_sign_in(
    home: Path, replaced: bool
) -> None:
    _set_up(home)
    keyring = Keyring.load(home)
    old_key = keyring.unwrap("dara", DARA)
    new_key = new_database_key()
    db = database_path(home)
    temp = db.with_name(db.name + REKEY_SUFFIX)
    export_with_new_key(db, old_key, temp, new_key)
    keyring.begin_rotation(old_key, new_key)
    if replaced:  # the new file took the old one's place; the keyring was not finished
        db.with_name(db.name + "-wal").unlink(missing_ok=True)
        db.with_name(db.name + "-shm").unlink(missing_ok=True)
        temp.replace(db)
    ctx = accounts.sign_in(home, "dara", DARA)
    try:
        assert ctx.db_key == (new_key if replaced else old_key)
        assert not Keyring.load(home).rotation_pending()
        assert not temp.exists()
    finally:
        ctx.close()
    ctx = accounts.sign_in(home, "admin", ADMIN)
    ctx.close()
