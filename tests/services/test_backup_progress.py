"""Backup and restore report their progress and stop cleanly when the officer cancels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import JobCancelled
from app.services import records
from app.services.accounts import first_run_setup, is_first_run, sign_in
from app.services.backup import (
    BACKUP_PROGRESS_TOTAL,
    SNAPSHOT_SHARE,
    backup_cancelled,
    create_backup,
    verify_backup,
)
from app.services.context import AppContext
from app.services.restore import (
    COMMIT_STEP,
    RESTORE_STEPS,
    RestoreCredentials,
    restore_backup,
    restore_cancelled,
)
from app.store.keyring import FAST_KDF_ENV, Keyring
from tests.services.test_backup import _add_records

PASSWORD = "admin password 1"
ADMIN = RestoreCredentials("admin", PASSWORD)


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


@pytest.fixture
def admin(home: Path) -> Iterator[AppContext]:
    ctx, _code = first_run_setup(home, "admin", "Sok Admin", PASSWORD, "Laptop 7", "en")
    yield ctx
    ctx.close()


class Watch:
    """Records the progress reports; ``cancelled()`` turns true once ``cancel_at`` (a progress
    number) has been reported, or at the ``cancel_on_call``-th question."""

    def __init__(self, cancel_at: int | None = None, cancel_on_call: int | None = None) -> None:
        self.reports: list[tuple[int, int]] = []
        self.calls = 0
        self.cancel_at = cancel_at
        self.cancel_on_call = cancel_on_call

    def progress(self, number: int, total: int) -> None:
        self.reports.append((number, total))

    def cancelled(self) -> bool:
        self.calls += 1
        if self.cancel_on_call is not None and self.calls >= self.cancel_on_call:
            return True
        return self.cancel_at is not None and any(n >= self.cancel_at for n, _t in self.reports)

    def numbers(self) -> list[int]:
        return [number for number, _total in self.reports]


def test_backup_progress_rises_to_the_total(admin: AppContext, tmp_path: Path) -> None:
    _add_records(admin, 4)
    watch = Watch()
    backup = create_backup(admin, tmp_path / "usb", watch.progress, watch.cancelled)
    numbers = watch.numbers()
    assert numbers == sorted(numbers) and numbers[0] == 0
    assert watch.reports[-1] == (BACKUP_PROGRESS_TOTAL, BACKUP_PROGRESS_TOTAL)
    assert {total for _n, total in watch.reports} == {BACKUP_PROGRESS_TOTAL}
    assert SNAPSHOT_SHARE in numbers and len(set(numbers)) >= 5  # steps, not just busy
    assert verify_backup(backup)["record_count"] == 4


def _left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_backup_cancelled_during_the_snapshot_leaves_no_file(
    admin: AppContext, home: Path, tmp_path: Path
) -> None:
    saved = _add_records(admin, 30)
    usb = tmp_path / "usb"
    # The first question is before the snapshot; the second comes from SQLite's progress
    # handler in the middle of the copy.
    watch = Watch(cancel_on_call=2)
    with pytest.raises(JobCancelled) as raised:
        create_backup(admin, usb, watch.progress, watch.cancelled)
    assert raised.value.message == backup_cancelled().message
    assert max(watch.numbers()) < SNAPSHOT_SHARE  # stopped inside the snapshot
    assert _left_in(usb) == []  # no half-written archive, no work folder
    # The store is untouched: still open and working, and it opens again after sign-in.
    assert records.get_application(admin, next(iter(saved)), audit=False).answers
    again = sign_in(home, "admin", PASSWORD)
    try:
        for application_id, answers in saved.items():
            assert records.get_application(again, application_id, audit=False).answers == answers
    finally:
        again.close()
    # The next backup into the same folder works and is alone there.
    backup = create_backup(admin, usb)
    assert _left_in(usb) == [backup.name]


def test_a_backup_cancelled_while_it_is_read_back_leaves_no_file(
    admin: AppContext, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    watch = Watch(cancel_at=SNAPSHOT_SHARE + 15)  # the archive is written, not yet renamed
    with pytest.raises(JobCancelled):
        create_backup(admin, usb, watch.progress, watch.cancelled)
    assert max(watch.numbers()) == SNAPSHOT_SHARE + 15
    assert _left_in(usb) == []


@pytest.fixture
def saved(admin: AppContext) -> dict[str, dict[str, object]]:
    return _add_records(admin, 20)


@pytest.fixture
def backup(admin: AppContext, saved: dict[str, dict[str, object]], tmp_path: Path) -> Path:
    return create_backup(admin, tmp_path / "usb")


def test_restore_progress_counts_every_step(backup: Path, tmp_path: Path) -> None:
    watch = Watch()
    restore_backup(backup, tmp_path / "new-home", ADMIN, watch.progress, watch.cancelled)
    assert watch.numbers() == list(range(RESTORE_STEPS + 1))
    assert {total for _n, total in watch.reports} == {RESTORE_STEPS}
    sign_in(tmp_path / "new-home", "admin", PASSWORD).close()


@pytest.mark.parametrize("cancel_at", range(COMMIT_STEP))
def test_a_restore_cancelled_before_the_commit_point_changes_nothing(
    backup: Path, tmp_path: Path, cancel_at: int
) -> None:
    new_home = tmp_path / "new-home"
    watch = Watch(cancel_at=cancel_at)
    with pytest.raises(JobCancelled) as raised:
        restore_backup(backup, new_home, ADMIN, watch.progress, watch.cancelled)
    assert raised.value.message == restore_cancelled().message
    assert max(watch.numbers()) == cancel_at
    assert is_first_run(new_home) and not Keyring.exists(new_home)
    assert _left_in(new_home) == []  # the staging folder is gone
    restore_backup(backup, new_home, ADMIN)  # and a second try goes through
    sign_in(new_home, "admin", PASSWORD).close()


def test_a_cancelled_restore_leaves_what_was_in_the_folder(backup: Path, tmp_path: Path) -> None:
    new_home = tmp_path / "new-home"
    new_home.mkdir()
    (new_home / "notes.txt").write_text("the officer's own notes", encoding="utf-8")
    watch = Watch(cancel_at=3)  # while the database is re-encrypted
    with pytest.raises(JobCancelled):
        restore_backup(backup, new_home, ADMIN, watch.progress, watch.cancelled)
    assert _left_in(new_home) == ["notes.txt"]
    assert (new_home / "notes.txt").read_text(encoding="utf-8") == "the officer's own notes"


def test_a_cancel_after_the_commit_point_is_not_heard(
    backup: Path, saved: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    new_home = tmp_path / "new-home"
    watch = Watch(cancel_at=COMMIT_STEP)
    restore_backup(backup, new_home, ADMIN, watch.progress, watch.cancelled)
    assert watch.numbers()[-1] == RESTORE_STEPS
    restored = sign_in(new_home, "admin", PASSWORD)
    try:
        for application_id, answers in saved.items():
            assert records.get_application(restored, application_id, audit=False).answers == answers
    finally:
        restored.close()
