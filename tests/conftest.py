"""Shared fixtures: a fresh data folder per test, an open app context, Khmer as the start language."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.i18n import DEFAULT_LANGUAGE, set_language, translator
from app.services.context import AppContext, open_app
from app.store.location import HOME_ENV
from tests.officers import SUPERVISOR, add_officers


def pytest_sessionstart(session: pytest.Session) -> None:
    """The Khmer word-break table is made with the catalogs (packaging/dev.py, app.core
    .word_segmenter); made here too when it is missing or older than a catalog, as in a fresh
    checkout or after a .po was edited (the first paint must not need the segmenter's model)."""
    from app.core.resources import locales_dir
    from app.core.word_segmenter import table_path
    from app.i18n.word_breaks import write_word_breaks

    table = table_path()
    catalogs = list(locales_dir().glob("*/LC_MESSAGES/vss_outreach.po"))
    if not table.exists() or any(po.stat().st_mtime > table.stat().st_mtime for po in catalogs):
        write_word_breaks()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(folder))
    return folder


@pytest.fixture
def ctx(home: Path) -> Iterator[AppContext]:
    """An open store with a supervisor signed in (nobody signed in sees no record at all)."""
    context = open_app(home)
    add_officers(context, (SUPERVISOR,))
    context.officer = SUPERVISOR
    yield context
    context.close()


@pytest.fixture(autouse=True)
def _give_back_references_to_none() -> None:
    """PySide6 6.12 on Python 3.11 drops references to None (app/ui/none_guard.py): top up
    before each test as the application's timer does every second."""
    from app.ui import none_guard

    none_guard.top_up()


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    set_language(DEFAULT_LANGUAGE)
    translator.khmer_digits = True
    yield
    set_language(DEFAULT_LANGUAGE)
    translator.khmer_digits = True


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
