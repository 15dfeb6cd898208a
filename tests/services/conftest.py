"""Fixtures shared by the service tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest


@pytest.fixture
def laptop_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[tuple[str, int]], None]]:
    """Set the process's local time zone, as the laptop's clock would be set: a POSIX zone string
    (no zone files needed) and its offset from UTC in hours, checked. Needs time.tzset (POSIX)."""
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset (POSIX)")

    def use(zone: tuple[str, int]) -> None:
        name, hours = zone
        monkeypatch.setenv("TZ", name)
        time.tzset()
        assert datetime(2010, 1, 29, 12).astimezone().utcoffset() == timedelta(hours=hours)

    yield use
    monkeypatch.undo()
    time.tzset()
