"""Which passwords are refused: too short, too common, or a trivial pattern.

Pure rules, no I/O here except reading the bundled list (``assets/passwords/common.txt``). The
service layer turns a refusal into a translated message; the screens show the rules *before* the
officer types (see :func:`app.services.accounts.password_rules`).
"""

from __future__ import annotations

import string
from enum import StrEnum
from functools import lru_cache

from app.core.resources import assets_dir

MIN_LENGTH = 8
MAX_LENGTH = 200
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_ALPHABETS = (string.digits, string.ascii_lowercase)


class Weakness(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    PATTERN = "pattern"
    NAME = "name"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = assets_dir() / "passwords" / "common.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def _core(password: str) -> str:
    """Lower case, with the digits and symbols people add at the end removed."""
    folded = password.casefold().strip()
    stripped = folded.rstrip(string.digits + string.punctuation + " ")
    return stripped or folded


def _is_run(text: str) -> bool:
    """Every character follows the previous one in an alphabet or a keyboard row (either way)."""
    if len(text) < 3:
        return False
    for sequence in (*_ALPHABETS, *_KEYBOARD_ROWS):
        for line in (sequence, sequence[::-1]):
            if text in line * 3:
                return True
    return False


def _is_repetition(text: str) -> bool:
    """The same one to four characters over and over ("aaaaaaaa", "abcabcabc", "12121212")."""
    for size in range(1, 5):
        unit = text[:size]
        if len(text) >= 2 * size and (unit * (len(text) // size + 1)).startswith(text):
            return True
    return False


def weakness(password: str, names: tuple[str, ...] = ()) -> Weakness | None:
    """Why ``password`` is refused, or None when it may be used. ``names``: the officer's user
    name and full name (a password made of them is refused)."""
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return Weakness.TOO_LONG
    folded = password.casefold()
    compact = "".join(folded.split())
    core = _core(password)
    if core in common_passwords() or compact in common_passwords():
        return Weakness.COMMON
    if _is_run(compact) or _is_repetition(compact) or _is_run(core) or len(set(compact)) <= 2:
        return Weakness.PATTERN
    for name in names:
        folded_name = "".join(name.casefold().split())
        if len(folded_name) < 3:
            continue
        if compact in folded_name or len(compact.replace(folded_name, "")) < 6:
            return Weakness.NAME
    return None
