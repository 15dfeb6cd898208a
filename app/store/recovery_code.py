"""The recovery code: 28 symbols written on paper at set-up and kept at the office.

It wraps a copy of the database key (see :mod:`app.store.keyring`). It carries 140 random bits,
so a plain HKDF turns it into a wrapping key (no password stretching needed).
"""

from __future__ import annotations

import secrets

# 32 symbols (5 bits each), without 0/O and 1/I, which are easy to confuse on paper.
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECOVERY_GROUPS = 7
RECOVERY_GROUP_SIZE = 4  # 28 symbols = 140 bits
RECOVERY_AD = b"vss-outreach recovery"
RECOVERY_NAME = "vss-outreach recovery"  # associated data of a sealed recovery entry
_KEY_BYTES = 32


class MalformedRecoveryCode(ValueError):
    """The typed code has the wrong length or a symbol that is not in the alphabet."""


def format_recovery_code(symbols: str) -> str:
    return "-".join(
        symbols[i : i + RECOVERY_GROUP_SIZE] for i in range(0, len(symbols), RECOVERY_GROUP_SIZE)
    )


def new_recovery_code() -> str:
    count = RECOVERY_GROUPS * RECOVERY_GROUP_SIZE
    return format_recovery_code("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(count)))


def recovery_symbols(typed: str) -> str:
    """Upper case, spaces and dashes removed; MalformedRecoveryCode for a foreign symbol."""
    symbols = "".join(ch for ch in typed.upper() if ch not in " -\t\n")
    if len(symbols) != RECOVERY_GROUPS * RECOVERY_GROUP_SIZE or any(
        ch not in RECOVERY_ALPHABET for ch in symbols
    ):
        raise MalformedRecoveryCode("The recovery code has the wrong length or symbols")
    return symbols


def recovery_wrapping_key(symbols: str, salt: bytes) -> bytes:
    # Imported here: the sign-in window is painted before cryptography is loaded (issue 20).
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=salt, info=RECOVERY_AD)
    return hkdf.derive(symbols.encode("ascii"))
