"""The Khmer UI speaks Khmer (issue 14, item 8): digits, times of day, audit actions, citations,
waits, and the same name for a page in the menu and its title."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.i18n import (
    birth_year_text,
    citation,
    format_datetime,
    format_time,
    set_language,
    translator,
)
from app.services.accounts import wait_text
from app.services.audit import AuditAction, action_label

LATIN_DIGITS = set("0123456789")


def test_khmer_times_of_day_never_say_am_or_pm() -> None:
    set_language("km")
    parts = {}
    for hour in range(24):
        text = format_datetime(datetime(2026, 11, 30, hour, 7))
        assert "AM" not in text and "PM" not in text
        assert not LATIN_DIGITS & set(text), text
        parts[hour] = text.rsplit(" ", 1)[-1]
    assert parts[8] == "ព្រឹក" and parts[12] == "ថ្ងៃត្រង់" and parts[15] == "រសៀល"
    assert parts[19] == "ល្ងាច" and parts[22] == "យប់" and parts[2] == "យប់"
    assert format_time(datetime(2026, 1, 1, 15, 4)) == "ម៉ោង ៣:០៤ រសៀល"
    assert format_time(datetime(2026, 1, 1, 0, 30)) == "ម៉ោង ១២:៣០ យប់"
    set_language("en")
    assert "PM" in format_datetime(datetime(2026, 11, 30, 15, 4))


def test_khmer_digits_follow_the_setting() -> None:
    set_language("km")
    assert birth_year_text(1955) == "កើតឆ្នាំ ១៩៥៥"
    assert wait_text(270) == "៤ នាទី ៣០ វិនាទី"
    translator.khmer_digits = False
    assert birth_year_text(1955) == "កើតឆ្នាំ 1955"


def test_lockout_wait_is_the_real_wait() -> None:
    set_language("en")
    assert wait_text(5) == "5 seconds"  # not "1 minute"
    assert wait_text(60) == "1 minutes"
    assert wait_text(299) == "4 minutes 59 seconds"


@pytest.mark.parametrize("action", list(AuditAction))
def test_every_audit_action_has_a_khmer_name(action: AuditAction) -> None:
    set_language("en")
    english = action_label(action)
    assert english != action.value and "_" not in english
    set_language("km")
    khmer = action_label(action)
    assert khmer != english and any("\u1780" <= ch <= "\u17ff" for ch in khmer)


def test_rule_citations_in_khmer() -> None:
    set_language("km")
    assert citation("ECCC Internal Rules, Rule 23bis") == "វិធានផ្ទៃក្នុងនៃ អ.វ.ត.ក វិធាន ២៣bis"
    assert citation("ECCC Law, Articles 5 and 6") == "ច្បាប់ អ.វ.ត.ក មាត្រា ៥ និង ៦"
    khmer = citation("ECCC Law, Article 3 (1956 Penal Code)")
    assert not any("a" <= ch.lower() <= "z" for ch in khmer) and not LATIN_DIGITS & set(khmer)
    set_language("en")
    assert citation("ECCC Law, Article 1") == "ECCC Law, Article 1"
