"""A restore or a backup killed (SIGKILL, in a real subprocess) at every step: the data folder then
holds either the old data or the restored data, the next start cleans up or finishes, and nothing
that may hold records is ever deleted."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import records
from app.services.accounts import first_run_setup, is_first_run, sign_in
from app.services.backup import BACKUP_SUFFIX, create_backup
from app.store.keyring import FAST_KDF_ENV
from app.store.location import DATABASE_FILE_NAME
from app.store.restore_journal import KILL_ENV, set_aside_folders

PASSWORD = "admin password 1"
REPO = Path(__file__).resolve().parents[2]

RESTORE_STEPS = [
    "restore:extracted",
    "restore:rekeyed",
    "restore:prepared",
    "restore:committed",
    "restore:set-aside",
    "restore:set-aside-wal",
    "restore:set-aside-shm",
    "restore:set-aside-journal",
    "restore:database",
    "restore:old-keyring",
    "restore:keyring",
]
COMMITTED = RESTORE_STEPS.index("restore:committed")

_RESTORE = """
import sys
from pathlib import Path
from app.services.restore import RestoreCredentials, restore_backup
restore_backup(Path(sys.argv[1]), Path(sys.argv[2]), RestoreCredentials("admin", sys.argv[3]))
"""
_BACKUP = """
import sys
from pathlib import Path
from app.services.accounts import sign_in
from app.services.backup import create_backup
ctx = sign_in(Path(sys.argv[1]), "admin", sys.argv[2])
create_backup(ctx, Path(sys.argv[3]))
"""


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


def _run(script: str, args: list[str], kill_at: str | None) -> int:
    env = {**os.environ, FAST_KDF_ENV: "1"}
    env.pop(KILL_ENV, None)
    if kill_at is not None:
        env[KILL_ENV] = kill_at
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, cwd=REPO, capture_output=True, timeout=120
    )
    return done.returncode


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FAST_KDF_ENV, "1")
        home = tmp_path_factory.mktemp("source") / "home"
        ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "en")
        try:
            ids = [records.start_application(ctx, "civil_party") for _ in range(3)]
            made = create_backup(ctx, home.parent / "usb")
        finally:
            ctx.close()
    yield made, ids


@pytest.mark.parametrize("step", RESTORE_STEPS)
def test_a_restore_killed_at_any_step_leaves_old_or_restored_data(
    step: str, backup: tuple[Path, list[str]], tmp_path: Path
) -> None:
    backup_file, ids = backup
    home = tmp_path / "laptop"
    home.mkdir()
    # Old data: a data file whose key file was lost (it may hold records; never to be deleted).
    old = home / DATABASE_FILE_NAME
    old.write_bytes(os.urandom(64 * 1024))
    (home / f"{DATABASE_FILE_NAME}-wal").write_bytes(os.urandom(4096))
    old_sha = _sha(old)

    assert _run(_RESTORE, [str(backup_file), str(home), PASSWORD], step) == -9

    restored = RESTORE_STEPS.index(step) >= COMMITTED
    assert is_first_run(home) is not restored  # the next start settles what was left
    assert not list(home.glob(".restore-*"))  # no staging folder, no journal
    if restored:
        ctx = sign_in(home, "admin", PASSWORD)
        try:
            assert {records.get_application(ctx, i, audit=False).id for i in ids} == set(ids)
        finally:
            ctx.close()
        (aside,) = set_aside_folders(home)
        assert _sha(aside / DATABASE_FILE_NAME) == old_sha
        assert (aside / f"{DATABASE_FILE_NAME}-wal").exists()
    else:
        assert _sha(old) == old_sha and set_aside_folders(home) == []
    # Either way, running the restore again finishes it (or finds it done).
    if not restored:
        assert _run(_RESTORE, [str(backup_file), str(home), PASSWORD], None) == 0
        assert not is_first_run(home)
        (aside,) = set_aside_folders(home)
        assert _sha(aside / DATABASE_FILE_NAME) == old_sha


@pytest.mark.parametrize("step", ["backup:snapshot", "backup:written"])
def test_a_killed_backup_leaves_no_file_that_looks_like_a_backup(step: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "en")
    records.start_application(ctx, "complaint")
    ctx.close()
    usb = tmp_path / "usb"
    assert _run(_BACKUP, [str(home), PASSWORD, str(usb)], step) == -9
    assert list(usb.iterdir())  # leftovers of the killed backup...
    assert not list(usb.glob(f"*{BACKUP_SUFFIX}"))  # ...none of which looks like a backup
    assert _run(_BACKUP, [str(home), PASSWORD, str(usb)], None) == 0
    assert [p.suffix for p in usb.iterdir()] == [BACKUP_SUFFIX]  # the next one cleaned up


def test_set_up_never_deletes_a_data_file_it_did_not_make(home: Path) -> None:
    """A set-up marker of an older version's restore sits beside a restored data file: a new
    set-up moves that file aside instead of deleting it."""
    home.mkdir(parents=True)
    (home / ".setup-incomplete").write_bytes(b"")
    (home / DATABASE_FILE_NAME).write_bytes(b"records of an older restore")
    ctx, _code = first_run_setup(home, "admin", "Admin", PASSWORD, "Laptop", "en")
    ctx.close()
    (aside,) = set_aside_folders(home)
    assert (aside / DATABASE_FILE_NAME).read_bytes() == b"records of an older restore"
    sign_in(home, "admin", PASSWORD).close()


def test_a_half_written_pre_migration_copy_is_removed_at_start(home: Path) -> None:
    (home / "backups").mkdir(parents=True)
    part = home / "backups" / "pre-migration-abc-20260101T000000Z.db.part"
    part.write_bytes(b"half")
    is_first_run(home)
    assert not part.exists()


def test_a_journal_that_cannot_be_read_is_kept_for_the_next_start(home: Path) -> None:
    home.mkdir(parents=True)
    staging = home / ".restore-staging-x"
    staging.mkdir()
    (staging / DATABASE_FILE_NAME).write_bytes(b"restored")
    (home / ".restore-journal.json").write_text("{not json")
    assert is_first_run(home)  # no crash at start...
    assert (home / ".restore-journal.json").exists()  # ...and nothing the journal names is lost
    assert (staging / DATABASE_FILE_NAME).read_bytes() == b"restored"
