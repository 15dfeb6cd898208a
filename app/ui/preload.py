"""What the main window needs, loaded on a thread before it is asked for (issue 20).

The sign-in window is painted first; SQLAlchemy, the store, the services and the main window's
modules then load on a thread while the officer types the password. Signing in from the
environment (forum kiosks, the start-up bench) starts the same thread before Qt is even imported,
so they load while the password's key is derived (Argon2id lets other threads run:
app.services.key_unlock). This module imports no Qt, so main.py can start it that early.
"""

from __future__ import annotations

import importlib
import threading

# In the order signing in needs them: the accounts and settings services (and with them
# SQLAlchemy and the models), the SQLCipher module and SQLAlchemy's SQLite dialect (opening the
# store), then the main window and its first page.
PRELOADED_MODULES = (
    "app.services.accounts",
    "app.services.settings",
    "sqlcipher3.dbapi2",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "app.ui.main_window",
    "app.ui.start_page",
)

_started: threading.Thread | None = None
_starting = threading.Lock()


def _load() -> None:
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    from app.i18n import format_number
    from app.services.form_catalogue import available_forms

    available_forms()  # the forms the first page lists, parsed and checked (no Qt object made)
    format_number(0)  # the reading language's number formats, read by the first counts


def start_preload() -> threading.Thread:
    """Start loading on a thread (once per process: a second call returns the same thread).
    Python's import lock, and the form catalogue's own, make a sign-in that comes first wait."""
    global _started
    with _starting:
        if _started is None:
            _started = threading.Thread(target=_load, name="preload", daemon=True)
            _started.start()
        return _started
