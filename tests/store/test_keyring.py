from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.store.db import Store, StoreError
from app.store.key_derivation import MEMORY_COST_KIB, KdfParams
from app.store.keyring import (
    FAST_KDF_ENV,
    KEYRING_FILE_NAME,
    RECOVERY_ALPHABET,
    Keyring,
    KeyringError,
    KeyringMissing,
    TooManyAttempts,
    WrongPassword,
    WrongRecoveryCode,
    delay_after,
)
from app.store.models import Setting


@pytest.fixture(autouse=True)
def _fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_create_then_unwrap_gives_the_same_key(tmp_path: Path) -> None:
    key, code = Keyring.create(tmp_path, "dara", "correct horse")
    assert len(key) == 32
    assert Keyring.exists(tmp_path)
    keyring = Keyring.load(tmp_path)
    assert keyring.unwrap("dara", "correct horse") == key
    assert keyring.unwrap_recovery(code) == key
    # The file holds no key in the clear, and records its parameters per entry.
    text = (tmp_path / KEYRING_FILE_NAME).read_text()
    assert key.hex() not in text
    entry = json.loads(text)["officers"]["dara"]
    assert entry["params"]["kdf"] == "argon2id"
    # Format 2: a password-wrapped private key, and the database key sealed to its public key.
    fields = {"salt", "public", "wrapped_private", "sealed", "failed_attempts", "locked_until"}
    assert fields <= set(entry)


def test_recovery_code_format(tmp_path: Path) -> None:
    _key, code = Keyring.create(tmp_path, "dara", "correct horse")
    groups = code.split("-")
    assert len(groups) == 7 and all(len(group) == 4 for group in groups)
    assert set(code.replace("-", "")) <= set(RECOVERY_ALPHABET)
    assert not set("01IO") & set(RECOVERY_ALPHABET)
    # Typed in lower case with spaces instead of dashes, it still works.
    assert Keyring.load(tmp_path).unwrap_recovery(code.lower().replace("-", " ")) == _key


def test_wrong_password_and_unknown_user_are_refused(tmp_path: Path) -> None:
    Keyring.create(tmp_path, "dara", "correct horse")
    keyring = Keyring.load(tmp_path)
    with pytest.raises(WrongPassword):
        keyring.unwrap("dara", "wrong horse")
    with pytest.raises(WrongPassword):
        keyring.unwrap("nobody", "correct horse")
    # The user name is bound to the wrapped key: another entry's blob does not open under a new name.
    data = json.loads((tmp_path / KEYRING_FILE_NAME).read_text())
    data["officers"]["mallory"] = data["officers"]["dara"]
    (tmp_path / KEYRING_FILE_NAME).write_text(json.dumps(data))
    with pytest.raises(WrongPassword):
        Keyring.load(tmp_path).unwrap("mallory", "correct horse")


def test_wrong_recovery_code_is_refused(tmp_path: Path) -> None:
    _key, code = Keyring.create(tmp_path, "dara", "correct horse")
    keyring = Keyring.load(tmp_path)
    other = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(WrongRecoveryCode):
        keyring.unwrap_recovery(other)
    with pytest.raises(WrongRecoveryCode):
        keyring.unwrap_recovery("not a code")


def test_wrong_key_cannot_open_the_database(tmp_path: Path) -> None:
    key, _code = Keyring.create(tmp_path, "dara", "correct horse")
    store = Store(tmp_path / "data.db", key)
    with store.transaction() as session:
        session.add(Setting(key="probe", value="ok"))
    store.close()
    with pytest.raises(StoreError):
        Store(tmp_path / "data.db", bytes(32))
    with pytest.raises(StoreError):
        Store(tmp_path / "data.db")  # no key at all
    reopened = Store(tmp_path / "data.db", Keyring.load(tmp_path).unwrap("dara", "correct horse"))
    try:
        with reopened.transaction() as session:
            assert session.get(Setting, "probe") is not None
    finally:
        reopened.close()


def test_repeated_failures_impose_a_short_growing_persisted_delay(tmp_path: Path) -> None:
    Keyring.create(tmp_path, "dara", "correct horse")
    clock = Clock()
    keyring = Keyring.load(tmp_path, clock=clock)
    for _ in range(2):
        with pytest.raises(WrongPassword):
            keyring.unwrap("dara", "nope nope")
    with pytest.raises(WrongPassword):
        keyring.unwrap("dara", "nope nope")  # third failure: now a wait begins
    with pytest.raises(TooManyAttempts) as waited:
        keyring.unwrap("dara", "correct horse")  # a try during the wait is not checked
    assert waited.value.retry_after_seconds == 5
    # The wait survives reloading the file (restarting the app).
    with pytest.raises(TooManyAttempts):
        Keyring.load(tmp_path, clock=clock).unwrap("dara", "correct horse")
    clock.now += 6
    keyring = Keyring.load(tmp_path, clock=clock)
    with pytest.raises(WrongPassword):
        keyring.unwrap("dara", "nope nope")
    with pytest.raises(TooManyAttempts) as waited:
        keyring.unwrap("dara", "correct horse")
    assert waited.value.retry_after_seconds == 10
    clock.now += 11
    assert len(Keyring.load(tmp_path, clock=clock).unwrap("dara", "correct horse")) == 32
    entry = json.loads((tmp_path / KEYRING_FILE_NAME).read_text())["officers"]["dara"]
    assert entry["failed_attempts"] == 0 and entry["locked_until"] is None
    # Failures were noted for the audit log.
    events = Keyring.load(tmp_path).pending_events()
    failures = sum(int(e.get("count", 1)) for e in events if e["action"] == "login_failed")
    assert failures >= 4


def test_a_colleague_guessing_cannot_hold_the_officer_off_for_more_than_a_minute(
    tmp_path: Path,
) -> None:
    Keyring.create(tmp_path, "dara", "correct horse")
    clock = Clock()
    keyring = Keyring.load(tmp_path, clock=clock)
    waits = []
    for _ in range(40):  # a colleague guessing whenever the laptop lets them
        with pytest.raises(WrongPassword):
            keyring.unwrap("dara", "nope nope")
        try:
            keyring.unwrap("dara", "still wrong")
        except TooManyAttempts as error:
            waits.append(error.retry_after_seconds)
            clock.now += error.retry_after_seconds
        except WrongPassword:
            waits.append(0)
    assert max(waits) == 60 and waits[-1] == 60
    with pytest.raises(WrongPassword):
        keyring.unwrap("dara", "nope nope")
    # Tries turned away during a wait were not counted: they did not lengthen it.
    with pytest.raises(TooManyAttempts) as waited:
        keyring.unwrap("dara", "correct horse")
    assert waited.value.retry_after_seconds == 60
    for _ in range(10):
        with pytest.raises(TooManyAttempts):
            keyring.unwrap("dara", "nope nope")
    clock.now += 60
    assert len(Keyring.load(tmp_path, clock=clock).unwrap("dara", "correct horse")) == 32


def test_a_flood_of_wrong_passwords_is_folded_and_keeps_a_noted_restore(tmp_path: Path) -> None:
    Keyring.create(tmp_path, "dara", "correct horse")
    keyring = Keyring.load(tmp_path)
    keyring.note_event("restore", {"backup": "vss-backup-1.vssbak"})
    for guess in range(500):  # alternating names cannot be folded...
        keyring.note_event("login_failed", {"username": f"guess-{guess % 2}"})
    events = Keyring.load(tmp_path).pending_events()
    assert len(events) == 200
    assert events[0]["action"] == "restore"  # ...but the failures go first when the list is full
    for _guess in range(500):
        keyring.note_event("login_failed", {"username": "dara"})
    events = Keyring.load(tmp_path).pending_events()
    assert events[0]["action"] == "restore"
    assert events[-1]["username"] == "dara" and events[-1]["count"] == 500


def test_delay_schedule_is_capped() -> None:
    assert [delay_after(n) for n in range(1, 9)] == [0, 0, 5, 10, 20, 40, 60, 60]
    assert delay_after(50) == 60


def test_change_and_reset_password_and_add_and_remove(tmp_path: Path) -> None:
    key, code = Keyring.create(tmp_path, "dara", "first password")
    keyring = Keyring.load(tmp_path)
    keyring.change_password("dara", "first password", "second password")
    with pytest.raises(WrongPassword):
        keyring.unwrap("dara", "first password")
    assert keyring.unwrap("dara", "second password") == key
    with pytest.raises(WrongPassword):
        keyring.change_password("dara", "wrong", "third password")

    keyring.add_officer("sokha", "sokha password", key)
    assert keyring.usernames() == ["dara", "sokha"]
    with pytest.raises(KeyringError):
        keyring.add_officer("sokha", "again", key)
    with pytest.raises(KeyringError):
        keyring.add_officer("vanna", "vanna password", bytes(32))  # not this keyring's key

    recovered = Keyring.load(tmp_path).unwrap_recovery(code)
    Keyring.load(tmp_path).reset_password_with_key("dara", "after recovery", recovered)
    assert Keyring.load(tmp_path).unwrap("dara", "after recovery") == key

    Keyring.load(tmp_path).remove("sokha")
    with pytest.raises(WrongPassword):
        Keyring.load(tmp_path).unwrap("sokha", "sokha password")


def test_replacing_the_recovery_code_retires_the_old_one(tmp_path: Path) -> None:
    key, old_code = Keyring.create(tmp_path, "dara", "first password")
    new_code = Keyring.load(tmp_path).replace_recovery_code(key)
    with pytest.raises(WrongRecoveryCode):
        Keyring.load(tmp_path).unwrap_recovery(old_code)
    assert Keyring.load(tmp_path).unwrap_recovery(new_code) == key


def test_missing_damaged_and_existing_keyrings(tmp_path: Path) -> None:
    with pytest.raises(KeyringMissing):
        Keyring.load(tmp_path)
    Keyring.create(tmp_path, "dara", "first password")
    with pytest.raises(KeyringError):
        Keyring.create(tmp_path, "dara", "first password")
    (tmp_path / KEYRING_FILE_NAME).write_text("{ not json")
    with pytest.raises(KeyringError):
        Keyring.load(tmp_path)
    # No temporary files are left behind by atomic writes.
    assert [p.name for p in tmp_path.iterdir()] == [KEYRING_FILE_NAME]


def test_real_parameters_meet_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FAST_KDF_ENV)
    params = KdfParams.default()
    assert params.memory_cost_kib >= 65536 == MEMORY_COST_KIB
    assert params.time_cost >= 1 and params.parallelism >= 1
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    assert KdfParams.default().memory_cost_kib == 8192
