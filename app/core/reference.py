"""Reference numbers for finalised applications, made to be read aloud, written by hand and typed.

Format: ``VSS-DDDD-NNNN-C``

- ``DDDD``: four Crockford base-32 characters derived from the device id (SHA-256, first 20 bits).
- ``NNNN``: the device's own record counter in base 32 (0 to 1,048,575 per device).
- ``C``: a check character (Damm algorithm over GF(32), same alphabet), which catches every
  single wrong character and every swap of two neighbouring characters.

The alphabet is Crockford's base 32: digits and capitals without I, L, O and U, so a reference read
over a bad phone line or copied from a handwritten receipt has no 0/O or 1/I/L confusion;
``normalize_reference`` maps those look-alikes back when a person types them.

Uniqueness without coordination: two devices produce the same references only if their device
ids hash to the same 20-bit prefix (within one device the counter never repeats). For 10 devices
the probability that any two share a prefix is about C(10, 2) / 2**20 = 45 / 1,048,576 ≈ 4.3e-5
(1 in 23,000), however many records each makes (10,000 each uses under 1% of the counter range).
For 100 devices it is about 0.5%, so the central server must still enforce uniqueness and report a
clash; the record's UUID, not this reference, is the key used for sync.
"""

from __future__ import annotations

import hashlib
import re

from app.core.khmer_text import from_khmer_digits

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
PREFIX = "VSS"
DEVICE_CHARS = 4
SEQUENCE_CHARS = 4
MAX_SEQUENCE = 32**SEQUENCE_CHARS - 1
_BODY_CHARS = DEVICE_CHARS + SEQUENCE_CHARS + 1
_CANONICAL = re.compile(rf"^{PREFIX}-([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})-([{ALPHABET}])$")
# Look-alikes people type for Crockford symbols.
_TYPED_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·/]+")


def _gf32_times_x(value: int) -> int:
    """Multiply by x in GF(2^5) with the primitive polynomial x^5 + x^2 + 1."""
    value <<= 1
    if value & 0b100000:
        value ^= 0b100101
    return value


def _damm_interim(symbols: str) -> int:
    """Damm's check over the quasigroup a∘b = x·a + b in GF(32): it is totally anti-symmetric
    (x ≠ 0, 1), so any single substitution or adjacent transposition changes the result."""
    interim = 0
    for symbol in symbols:
        interim = _gf32_times_x(interim) ^ _VALUE[symbol]
    return interim


def check_character(symbols: str) -> str:
    """The character that makes the Damm check of ``symbols + check`` come out as zero."""
    return ALPHABET[_gf32_times_x(_damm_interim(symbols))]


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def device_code(device_id: str) -> str:
    """The four-character part of every reference made on this device."""
    if not device_id.strip():
        raise ValueError("device_id must not be empty")
    digest = hashlib.sha256(device_id.strip().encode("utf-8")).digest()
    return _encode(int.from_bytes(digest[:3], "big") >> 4, DEVICE_CHARS)


def new_reference(device_id: str, sequence: int) -> str:
    """The reference for the ``sequence``-th finalised application of this device.

    Raises ValueError for an empty device id or a sequence outside 0..1,048,575.
    """
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence must be between 0 and {MAX_SEQUENCE}, got {sequence}")
    body = device_code(device_id) + _encode(sequence, SEQUENCE_CHARS)
    return f"{PREFIX}-{body[:4]}-{body[4:]}-{check_character(body)}"


def validate_reference(ref: str) -> bool:
    """True only for a reference in canonical form (``VSS-DDDD-NNNN-C``) with a correct check
    character. Use ``normalize_reference`` first for anything a person typed."""
    match = _CANONICAL.match(ref)
    if match is None:
        return False
    return _damm_interim("".join(match.groups())) == 0


def normalize_reference(user_typed: str) -> str | None:
    """The canonical reference for what a person typed, or None if it is not a valid reference.

    Accepts lower case, missing or extra dashes and spaces, a missing ``VSS`` prefix, Khmer
    digits, and O for 0, I or L for 1. A wrong check character gives None: the person should be
    asked to read the reference again.
    """
    compact = _SEPARATORS.sub("", from_khmer_digits(user_typed)).upper()
    if len(compact) == len(PREFIX) + _BODY_CHARS and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    if len(compact) != _BODY_CHARS:
        return None
    body = compact.translate(_TYPED_LOOKALIKES)
    if any(symbol not in _VALUE for symbol in body):
        return None
    if _damm_interim(body) != 0:
        return None
    return f"{PREFIX}-{body[:4]}-{body[4:8]}-{body[8]}"


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def prior_reference_key(user_typed: str) -> str | None:
    """The key under which an earlier number is matched (follow-up contacts, registry): the
    canonical reference when it is one of ours, otherwise the court's number in upper case with
    Khmer digits as ASCII and without spaces, dashes or slashes (people write them differently)."""
    reference = normalize_reference(user_typed)
    if reference is not None:
        return reference
    compact = _NOT_ALPHANUMERIC.sub("", from_khmer_digits(user_typed)).upper()
    return compact[:120] or None
