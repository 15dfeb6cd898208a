"""What the main window needs, loaded on a thread before it is asked for (issue 20).

The sign-in window is painted first; SQLAlchemy, the store and the services then load on a
thread while the officer types the password, and the main window's Qt modules on the UI thread
once that thread is done (app.ui.app.preload_after_first_paint). Signing in from the
environment (forum kiosks, the start-up bench) starts the same thread before Qt is even imported,
so they load while the password's key is derived (Argon2id lets other threads run:
app.services.key_unlock), and the UI thread imports the window's modules as soon as the store's
are loaded (app.main). This module imports no Qt, so main.py can start it that early. The
segmenter's model, which no first paint needs, waits for the first frame.
"""

from __future__ import annotations

import importlib
import threading
import time

# In the order signing in needs them: the accounts and settings services (and with them
# SQLAlchemy and the models), the SQLCipher module and SQLAlchemy's SQLite dialect (opening the
# store); then the services the main window and its first page use (records, the start page's
# counts, the court's status). They use no Qt, so the thread loads them: imported by the window's
# modules after Qt, PySide6's import hook read the source of each (~30 modules). Then the main
# window and its first page, which the UI thread imports once the thread is done.
STORE_MODULES = (
    "app.services.accounts",
    "app.services.settings",
    "sqlcipher3.dbapi2",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "app.services.records",
    "app.services.start",
    "app.services.court",
)
WINDOW_MODULES = ("app.ui.main_window", "app.ui.start_page")
PRELOADED_MODULES = (*STORE_MODULES, *WINDOW_MODULES)

_started: threading.Thread | None = None
# The thread's own CPU seconds once the store's modules were loaded (SQLAlchemy, the models and
# the services): the start-up bench reports it beside the filled window's CPU (issue 20).
_store_modules_cpu: list[float] = []
_starting = threading.Lock()
_store_loaded = threading.Event()
_first_frame = threading.Event()
# How long the thread waits for the first frame before loading what no first paint needs anyway.
FIRST_FRAME_WAIT_S = 30.0


def _load() -> None:
    try:
        from app.services.key_unlock import load_unwrap_modules

        # First what checking a password imports (cryptography, argon2: ~16 ms): an officer who
        # presses Enter while the rest loads then finds the sign-in's thread ready to derive.
        load_unwrap_modules()
        for name in STORE_MODULES:
            importlib.import_module(name)
    finally:
        _store_modules_cpu.append(time.thread_time())
        _store_loaded.set()  # (an import error is raised again where the module is used)
    from sqlalchemy.orm import configure_mappers

    from app.core.khmer_text import load_word_segmenter
    from app.i18n import format_number
    from app.services.form_catalogue import available_forms

    configure_mappers()  # the models' relationships, else resolved by the first query
    format_number(0)  # the reading language's number formats, read by the first counts
    # What no first paint needs waits for the first frame (signing in from the environment, the
    # filled main window's): the forms, parsed and checked (~0.3 s of CPU, no Qt object made),
    # and the segmenter's model for Khmer the prebuilt table does not hold (names, form texts;
    # loading it holds the interpreter ~50 ms).
    _first_frame.wait(FIRST_FRAME_WAIT_S)
    available_forms()
    load_word_segmenter()


def store_modules_cpu() -> float | None:
    """The preload thread's CPU seconds spent loading the store's modules (None before they
    are loaded, or when the thread was not started)."""
    return _store_modules_cpu[0] if _store_modules_cpu else None


def first_frame_painted() -> None:
    """The app's first window is on screen (app.ui.app calls this)."""
    _first_frame.set()


def import_window_modules() -> None:
    """The main window's modules (and with them Qt), on the calling thread: call from the UI
    thread only, never while another thread may import Qt (see :func:`start_preload`)."""
    for name in WINDOW_MODULES:
        importlib.import_module(name)


def wait_for_store_modules() -> None:
    """Wait until the thread has loaded the store's modules (at once if it was not started).
    Signing in from the environment imports Qt only then: once PySide6 is loaded, its import
    hook reads the source of every module imported after it (~0.2 s CPU more for these)."""
    if _started is not None:
        _store_loaded.wait()


def start_preload() -> threading.Thread:
    """Start loading on a thread (once per process: a second call returns the same thread).
    Python's import lock, and the form catalogue's own, make a sign-in that comes first wait.

    Never the main window's modules (WINDOW_MODULES): importing PySide6 modules on this thread
    while the main thread imports Qt or builds widgets crashed the process now and then (PySide6
    creates its enums lazily, not thread-safely); the UI thread imports them after this one is
    done (app.ui.app.preload_after_first_paint)."""
    global _started
    with _starting:
        if _started is None:
            _started = threading.Thread(target=_load, name="preload", daemon=True)
            _started.start()
        return _started
