"""Turning an officer's password into a key-wrapping key (Argon2id), and writing key files so that
a crash leaves the old or the new content.

Test-speed knob: with the environment variable ``VSS_OUTREACH_FAST_KDF=1`` new entries use Argon2id
with 8 MiB of memory and one pass instead of the real parameters. Only tests set it; never set it
on an officer's laptop (entries made with it stay weak until the password is changed).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAST_KDF_ENV = "VSS_OUTREACH_FAST_KDF"
KEY_BYTES = 32

# Real parameters: 64 MiB, 5 passes, 2 lanes (about 0.3-0.6 s on an ordinary laptop; measured by
# tests/bench/bench_security.py). Stored with each entry, so they can be raised later.
MEMORY_COST_KIB = 65536
TIME_COST = 5
PARALLELISM = 2
FAST_MEMORY_COST_KIB = 8192
FAST_TIME_COST = 1


class UnsupportedKdf(ValueError):
    """An entry names a key derivation this app does not know."""


@dataclass(frozen=True)
class KdfParams:
    memory_cost_kib: int
    time_cost: int
    parallelism: int

    @classmethod
    def default(cls) -> KdfParams:
        if os.environ.get(FAST_KDF_ENV) == "1":
            return cls(FAST_MEMORY_COST_KIB, FAST_TIME_COST, 1)
        return cls(MEMORY_COST_KIB, TIME_COST, PARALLELISM)

    def to_json(self) -> dict[str, Any]:
        from argon2.low_level import ARGON2_VERSION

        return {
            "kdf": "argon2id",
            "version": ARGON2_VERSION,
            "memory_cost_kib": self.memory_cost_kib,
            "time_cost": self.time_cost,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KdfParams:
        if data.get("kdf") != "argon2id":
            raise UnsupportedKdf(f"Unsupported key derivation {data.get('kdf')!r}")
        return cls(int(data["memory_cost_kib"]), int(data["time_cost"]), int(data["parallelism"]))


def derive_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    """The 32-byte key-wrapping key for ``password`` (NFC-normalised UTF-8)."""
    # Imported here: the sign-in window is painted before the key derivation is loaded.
    from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw

    return hash_secret_raw(
        secret=unicodedata.normalize("NFC", password).encode("utf-8"),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
        version=ARGON2_VERSION,
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new content."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    if os.name == "posix":  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
