"""The app's day and the moments records are stamped with: one home for both.

Records, audit entries and sync rows are stamped in UTC (naive datetimes, as the store keeps
them), so that two laptops and the office order them alike. The app's *day* (what is true about
the court today, which deadlines are close, the date printed on a receipt) is the laptop's
calendar day. The two meet when a stamp is read as a day: a stamp's day is the calendar day on
the laptop at that moment, never the UTC date, or a laptop west of UTC would see a record made
this evening as made tomorrow (and one east of UTC, a record made before dawn as made
yesterday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def today() -> date:
    """The app's day: the laptop's calendar day (the training date, where one is set, is
    ``app.services.court.as_of``'s)."""
    return date.today()


def utc_now() -> datetime:
    """Now, as records are stamped: UTC, naive."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(stamp: datetime) -> datetime:
    """The laptop's clock at ``stamp`` (a naive UTC stamp, as stored), naive: what an officer is
    shown, so that in Cambodia a draft saved at 09:00 reads 09:00, not 02:00."""
    return stamp.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def day_of(stamp: datetime) -> date:
    """The laptop's calendar day at ``stamp`` (a naive UTC stamp, as stored)."""
    return local_time(stamp).date()


def start_of(day: date) -> datetime:
    """The naive UTC stamp at which ``day`` begins on the laptop: the stamps of ``day`` are those
    from ``start_of(day)`` up to ``start_of(day + 1 day)`` (a bound for a query on stamps)."""
    return datetime.combine(day, time()).astimezone(UTC).replace(tzinfo=None)
