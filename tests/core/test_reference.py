"""Tests for app.core.reference: format, error detection and tolerant typing."""

from __future__ import annotations

import re

import pytest

from app.core.reference import (
    ALPHABET,
    MAX_SEQUENCE,
    device_code,
    new_reference,
    normalize_reference,
    validate_reference,
)

CANONICAL = re.compile(r"^VSS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$")
SAMPLE = [
    new_reference(f"device-{device}", sequence)
    for device in range(20)
    for sequence in (0, 1, 2, 31, 32, 999, 10_000, MAX_SEQUENCE)
]


def test_format_is_grouped_crockford_and_valid() -> None:
    reference = new_reference("4b1d7c8e-laptop-kampot", 17)
    assert CANONICAL.match(reference), reference
    assert validate_reference(reference)
    assert not set(reference[4:]) & set("ILOU")


def test_references_are_stable_and_distinct_per_device_and_sequence() -> None:
    assert new_reference("dev-a", 5) == new_reference("dev-a", 5)
    assert new_reference(" dev-a ", 5) == new_reference("dev-a", 5)
    same_device = {new_reference("dev-a", n) for n in range(2000)}
    assert len(same_device) == 2000
    assert len(set(SAMPLE)) == len(SAMPLE)
    assert device_code("dev-a") != device_code("dev-b")
    assert new_reference("dev-a", 1)[4:8] == device_code("dev-a")


@pytest.mark.parametrize("sequence", [-1, MAX_SEQUENCE + 1])
def test_sequence_out_of_range_is_a_clear_value_error(sequence: int) -> None:
    with pytest.raises(ValueError, match="sequence must be between"):
        new_reference("dev-a", sequence)


def test_empty_device_id_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="device_id"):
        new_reference("  ", 1)


def _significant_positions(reference: str) -> list[int]:
    return [index for index, ch in enumerate(reference) if index > 3 and ch != "-"]


def test_every_single_character_typo_is_detected() -> None:
    checked = 0
    for reference in SAMPLE:
        for index in _significant_positions(reference):
            for symbol in ALPHABET:
                if symbol == reference[index]:
                    continue
                typo = reference[:index] + symbol + reference[index + 1 :]
                assert not validate_reference(typo), (reference, typo)
                assert normalize_reference(typo) is None
                checked += 1
    assert checked == len(SAMPLE) * 9 * 31


def test_every_adjacent_transposition_is_detected() -> None:
    checked = 0
    for reference in SAMPLE:
        symbols = [reference[i] for i in _significant_positions(reference)]
        for index in range(len(symbols) - 1):
            if symbols[index] == symbols[index + 1]:
                continue
            swapped = symbols.copy()
            swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
            body = "".join(swapped)
            typo = f"VSS-{body[:4]}-{body[4:8]}-{body[8]}"
            assert not validate_reference(typo), (reference, typo)
            checked += 1
    assert checked > len(SAMPLE) * 5


def test_validate_is_strict_about_the_canonical_form() -> None:
    reference = new_reference("dev-a", 42)
    assert not validate_reference(reference.lower())
    assert not validate_reference(reference.replace("-", ""))
    assert not validate_reference("XYZ" + reference[3:])
    assert not validate_reference(reference + "0")
    assert not validate_reference("")


def test_normalize_accepts_what_people_type() -> None:
    body = new_reference("dev-zero-one", 1)  # sequence 0001: contains both 0 and 1
    assert normalize_reference(body) == body
    assert normalize_reference(body.lower()) == body
    assert normalize_reference(body.replace("-", "")) == body
    assert normalize_reference(body[4:]) == body
    assert normalize_reference(" vss " + body[4:].replace("-", " ").lower() + " ") == body
    typed_lookalikes = body[:4] + body[4:].replace("0", "O").replace("1", "l")
    assert normalize_reference(typed_lookalikes) == body
    khmer_digits = body[:4] + body[4:].translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert normalize_reference(khmer_digits) == body


@pytest.mark.parametrize(
    "typed", ["", "VSS", "VSS-1234-5678", "VSS-1234-5678-90", "VSS-12U4-5678-9", "hello world"]
)
def test_normalize_rejects_non_references(typed: str) -> None:
    assert normalize_reference(typed) is None
