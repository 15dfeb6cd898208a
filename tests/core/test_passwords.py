"""Common passwords and trivial patterns are refused; ordinary sentences are not."""

from __future__ import annotations

import pytest

from app.core.passwords import Weakness, common_passwords, weakness


def test_the_bundled_list_is_read() -> None:
    assert {"password", "qwertyuiop", "cambodia"} <= common_passwords()


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", Weakness.TOO_SHORT),
        ("x" * 201, Weakness.TOO_LONG),
        ("password", Weakness.COMMON),
        ("Password2026!", Weakness.COMMON),  # digits and symbols at the end do not help
        ("QWERTYUIOP", Weakness.COMMON),
        ("PhnomPenh1979", Weakness.COMMON),
        ("11111111", Weakness.PATTERN),
        ("12345678", Weakness.PATTERN),
        ("87654321", Weakness.PATTERN),
        ("abcdefghij", Weakness.PATTERN),
        ("abcabcabcabc", Weakness.PATTERN),
        ("12121212", Weakness.PATTERN),
        ("asdfghjkl;", Weakness.COMMON),
        ("poiuytrewq", Weakness.PATTERN),
        ("aaaabbbb", Weakness.PATTERN),
        ("sokdara1", Weakness.NAME),
        ("Sok Dara 2026", Weakness.NAME),
    ],
)
def test_weak_passwords_are_refused(password: str, why: Weakness) -> None:
    assert weakness(password, ("sokdara", "Sok Dara")) == why


@pytest.mark.parametrize(
    "password",
    ["rice fields at dawn", "my grandmother's kettle", "ដើមត្នោតខ្ពស់៣", "Kampot pepper 77 x"],
)
def test_ordinary_sentences_pass(password: str) -> None:
    assert weakness(password, ("sokdara", "Sok Dara")) is None
