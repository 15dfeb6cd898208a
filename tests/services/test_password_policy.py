"""The password rules apply wherever a password is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.accounts import PasswordPolicyError, first_run_setup
from app.services.officers import create_officer
from app.store.keyring import FAST_KDF_ENV


def test_common_and_trivial_passwords_are_refused_everywhere(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    with pytest.raises(PasswordPolicyError):
        first_run_setup(home, "admin", "Admin", "Password2026!", "Laptop", "en")
    ctx, _code = first_run_setup(home, "admin", "Admin", "rice fields at dawn", "Laptop", "en")
    try:
        for weak in ("12345678", "qwertyuiop", "dara2026", "cambodia1"):
            with pytest.raises(PasswordPolicyError):
                create_officer(ctx, "dara", "Dara", "field_officer", weak)
        create_officer(ctx, "dara", "Dara", "field_officer", "the river in march")
    finally:
        ctx.close()
