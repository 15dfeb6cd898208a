"""The first window is painted before the store and the services are imported (issue 20).

The app runs in a child process with ``--report-modules``: it paints the first window (set-up or
sign-in), writes the names in ``sys.modules`` at that moment and quits. None of the modules below
may be among them: each costs start-up time an officer waits through, and they load on a thread
while the officer types the password (app.ui.app.preload_after_first_paint).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fresh_interpreter import last_json_line
from tests.ui.app_run import (
    OFFICER,
    PASSWORD,
    app_environment,
    officer_laptop,
    read_report,
    run_app,
)

# Packages and modules that must NOT be imported before the first paint (a name and its submodules).
NOT_BEFORE_FIRST_PAINT = (
    "sqlalchemy",
    "alembic",
    "sqlcipher3",
    "reportlab",
    "uharfbuzz",
    "yaml",
    # The keyring's cryptography and key derivation load when a password is checked.
    "cryptography",
    "argon2",
    # The Khmer segmenter's model: the window's own texts are broken from the prebuilt table
    # (app.core.word_segmenter); the model loads on the preload thread.
    "pycrfsuite",
    # The error log's file handler is made at its first entry (app.services.error_log).
    "logging.handlers",
    "app.store.db",
    "app.store.models",
    "app.pdf",
    "app.sync",
    "app.core.forms",
    "app.services.accounts",
    "app.services.context",
    "app.services.records",
    "app.services.settings",
    "app.services.audit",
    "app.services.court",
    "app.services.printing",
    "app.ui.main_window",
    "app.ui.registry",
    "app.ui.wizard",
    "app.ui.about",
)


def _modules_at_first_paint(home: Path, *extra: str) -> set[str]:
    report = home.parent / f"{home.name}-modules.json"
    done = run_app(home, *extra, "--report-modules", str(report))
    assert done.returncode == 0, done.stderr
    loaded = read_report(report)
    assert "PySide6.QtWidgets" in loaded and "app.ui.sign_in" in loaded  # it did paint a window
    return set(loaded)


def _last_json_line(code: str, tmp_path: Path) -> Any:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and read the JSON it printed
    last."""
    return last_json_line(code, app_environment(tmp_path))


def _forbidden(loaded: set[str]) -> list[str]:
    return sorted(
        name
        for name in loaded
        for banned in NOT_BEFORE_FIRST_PAINT
        if name == banned or name.startswith(banned + ".")
    )


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_sign_in_window_is_painted_before_the_store_is_imported(
    tmp_path: Path, language: str
) -> None:
    home = officer_laptop(tmp_path)
    loaded = _modules_at_first_paint(home, "--lang", language)
    assert _forbidden(loaded) == []


def test_the_set_up_window_is_painted_before_the_store_is_imported(tmp_path: Path) -> None:
    home = tmp_path / "new-laptop"
    loaded = _modules_at_first_paint(home)
    assert _forbidden(loaded) == []
    assert not (home / "vss-outreach.db").exists()


def test_the_store_loads_on_a_thread_and_the_window_on_the_ui_thread_after_it(
    tmp_path: Path,
) -> None:
    """The preload thread imports the store and the services, never the main window's Qt
    modules; the UI thread imports those once the thread is done (Qt imported on two threads at
    once crashed PySide6 now and then)."""
    code = (
        "import sys, json, time\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.ui.app import PRELOADED_MODULES, preload_after_first_paint\n"
        "from app.ui.preload import STORE_MODULES, WINDOW_MODULES\n"
        "qt = QApplication([])\n"
        "before = 'sqlalchemy' in sys.modules\n"
        "preload_after_first_paint().join(120)\n"
        "after_thread = [all(m in sys.modules for m in STORE_MODULES),"
        " any(m in sys.modules for m in WINDOW_MODULES)]\n"
        "deadline = time.monotonic() + 60\n"
        "while not all(m in sys.modules for m in PRELOADED_MODULES) and time.monotonic() < deadline:\n"
        "    qt.processEvents(); time.sleep(0.01)\n"
        "print(json.dumps([before, *after_thread, all(m in sys.modules for m in PRELOADED_MODULES)]))\n"
    )
    printed = _last_json_line(code, tmp_path)
    assert printed == [False, True, False, True]


def test_the_key_is_unlocked_without_the_store_and_the_preload_starts_without_qt(
    tmp_path: Path,
) -> None:
    """Signing in from the environment unlocks the key (Argon2id) while the store's modules load
    on a thread started before Qt: the first half of signing in must not import the store (or
    nothing would load beside the key derivation), and the thread's module must not import Qt."""
    code = (
        "import sys, json\n"
        "import app.services.key_unlock, app.ui.preload\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    printed = _last_json_line(code, tmp_path)
    loaded = set(printed)
    assert "app.services.key_unlock" in loaded and "app.store.keyring" in loaded
    assert _forbidden(loaded) == []
    assert sorted(name for name in loaded if name.split(".")[0] == "PySide6") == []


def test_the_unlocking_thread_starts_the_key_derivation_without_importing(tmp_path: Path) -> None:
    """Signing in from the environment, the unlocking thread imports nothing on its way to the
    key derivation and after it: its modules (cryptography, argon2) are imported by the thread
    that starts it, so it does not wait for the interpreter at each of them while the UI thread
    imports Qt (it reached Argon2id 130-150 ms after it started; the frame waited for it)."""
    home = officer_laptop(tmp_path)
    code = (
        "import sys, json, threading\n"
        "from pathlib import Path\n"
        "imported_by = []\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        imported_by.append((threading.current_thread().name, name))\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from app.ui.signed_in_start import KeyUnlocking\n"
        f"unlocking = KeyUnlocking(Path({str(home)!r}), {OFFICER!r}, {PASSWORD!r})\n"
        "unlocked = unlocking.result()\n"
        "on_thread = sorted({n for t, n in imported_by if t == 'sign-in'})\n"
        "before = sorted({n.split('.')[0] for t, n in imported_by if t == 'MainThread'})\n"
        "print(json.dumps([on_thread, 'cryptography' in before, 'argon2' in before,"
        " len(unlocked.db_key)]))\n"
    )
    on_thread, cryptography_first, argon2_first, key_bytes = _last_json_line(code, tmp_path)
    assert on_thread == []
    assert cryptography_first and argon2_first
    assert key_bytes == 32


def test_the_kiosk_preload_never_imports_qt_on_its_thread(tmp_path: Path) -> None:
    """Signing in from the environment, the main thread imports Qt and builds the window while
    the preload thread still runs: that thread must not import PySide6 too (PySide6 creates its
    enums lazily and not thread-safely; starts crashed now and then when both did)."""
    code = (
        "import sys, json\n"
        "from app.ui.preload import STORE_MODULES, first_frame_painted, start_preload\n"
        "first_frame_painted()  # (the segmenter's model waits for it)\n"
        "start_preload().join(120)\n"
        "print(json.dumps([all(m in sys.modules for m in STORE_MODULES),"
        " sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6')]))\n"
    )
    printed = _last_json_line(code, tmp_path)
    assert printed == [True, []]


def test_cycle_collection_is_off_until_the_first_paint_and_on_after_it(tmp_path: Path) -> None:
    """app.main turns Python's cycle collector off for the start (it ran ~10 full passes over
    the freshly imported modules); the app turns it back on once the first window is painted."""
    code = (
        "import gc, json, sys\n"
        "import app.ui.app as ui\n"
        "seen = []\n"
        "paint = ui.quit_after_first_frame\n"
        "def spy(*args, **kwargs):\n"
        "    seen.append(gc.isenabled())\n"
        "    return paint(*args, **kwargs)\n"
        "ui.quit_after_first_frame = spy\n"
        "from app.main import main\n"
        f"code = main(['--home', {str(tmp_path / 'home')!r}, '--quit-after-start'])\n"
        "print(json.dumps([code, *seen, gc.isenabled(), gc.get_freeze_count() > 0]))\n"
    )
    assert _last_json_line(code, tmp_path) == [0, False, True, True]


def test_qts_namespace_and_event_enums_are_not_built_before_the_first_paint(
    tmp_path: Path,
) -> None:
    """PySide6 builds a class's Python enums when the class is first named: Qt's namespace
    (~100 enums, ~50 ms) and QEvent (~10 ms) cost more than the rest of the sign-in window's
    widgets together, and the window needs neither to be painted."""
    home = officer_laptop(tmp_path)
    code = (
        "import json, sys\n"
        "import app.ui.qt_start as ui\n"
        "def report(_path):\n"
        "    core = vars(sys.modules['PySide6.QtCore'])\n"
        "    print(json.dumps(['Qt' in core, 'QEvent' in core, 'SignInDialog' in str(\n"
        "        [type(w).__name__ for w in ui.QApplication.topLevelWidgets()])]))\n"
        "ui._write_loaded_modules = report\n"
        "from app.main import main\n"
        f"main(['--home', {str(home)!r}, '--report-modules', 'unused'])\n"
    )
    assert _last_json_line(code, tmp_path) == [False, False, True]


def test_qts_namespace_is_not_built_before_the_signed_in_window_is_painted(
    tmp_path: Path,
) -> None:
    """Nor before the filled main window's first paint (signed in from the environment): its
    pages, the status bar and the start page's counts need none of Qt's namespace; the lock
    screen (built at the first lock) and Ctrl+L are there without it."""
    home = officer_laptop(tmp_path)
    code = (
        "import json, os, sys\n"
        f"os.environ['VSS_OUTREACH_PASSWORD'] = {PASSWORD!r}\n"
        "import app.ui.qt_start as ui\n"
        "def report(_path):\n"
        "    core = vars(sys.modules['PySide6.QtCore'])\n"
        "    windows = [w for w in ui.QApplication.topLevelWidgets() if w.isVisible()]\n"
        "    print(json.dumps(['Qt' in core, [type(w).__name__ for w in windows],\n"
        "        [w.attached and w.lock_action.shortcut().toString() for w in windows]]))\n"
        "ui._write_loaded_modules = report\n"
        "from app.main import main\n"
        f"main(['--home', {str(home)!r}, '--user', {OFFICER!r}, '--report-modules', 'unused'])\n"
    )
    assert _last_json_line(code, tmp_path) == [False, ["MainWindow"], ["Ctrl+L"]]


def test_the_segmenters_model_waits_for_the_first_frame(tmp_path: Path) -> None:
    """Signing in from the environment, the preload thread still runs while the main window is
    built: the segmenter's model (no first paint needs it, the window's own texts are in the
    prebuilt table) is loaded only once the first frame is painted."""
    code = (
        "import sys, json, time\n"
        "from app.ui.preload import first_frame_painted, start_preload\n"
        "thread = start_preload()\n"
        "deadline = time.monotonic() + 60\n"
        "while 'babel.numbers' not in sys.modules and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "time.sleep(0.3)\n"
        "before = ['pycrfsuite' in sys.modules, thread.is_alive()]\n"
        "first_frame_painted()\n"
        "thread.join(120)\n"
        "print(json.dumps([*before, 'pycrfsuite' in sys.modules, thread.is_alive()]))\n"
    )
    assert _last_json_line(code, tmp_path) == [False, True, True, False]


# What the main window's frame must not import either (signing in from the environment, it is
# painted once the password is checked, while the store's modules load on the preload thread):
# the store and the services, the pages' modules, and the lock screen and idle-lock watch (made
# once the store is open: nothing to lock before).
NOT_BEFORE_THE_FRAME = (
    *(name for name in NOT_BEFORE_FIRST_PAINT if name != "app.ui.main_window"),
    "app.services.start",
    "app.services.form_catalogue",
    "app.ui.lock_screen",
    "app.ui.input_watch",
    "app.ui.sizing",
)


def test_the_main_windows_frame_is_painted_without_the_store(tmp_path: Path) -> None:
    """The frame (navigation, toolbar, the start page with its counts to come) is built and
    painted from Qt alone: nothing of the store, and no class of Qt's namespace of enums (~60 ms)
    named on the way."""
    code = (
        "import json, sys\n"
        "from app.ui.app import create_qt_application\n"
        "qt = create_qt_application()\n"
        "from app.ui.main_window import MainWindow\n"
        "window = MainWindow(None)\n"
        "window.showMaximized()\n"
        "window.grab()\n"
        "core = vars(sys.modules['PySide6.QtCore'])\n"
        "print(json.dumps([sorted(sys.modules), 'Qt' in core, window.attached]))\n"
    )
    loaded, qt_namespace, attached = _last_json_line(code, tmp_path)
    banned = sorted(
        name
        for name in loaded
        for prefix in NOT_BEFORE_THE_FRAME
        if name == prefix or name.startswith(prefix + ".")
    )
    assert banned == []
    assert "app.ui.start_page" in loaded  # the frame does show the start page
    assert qt_namespace is False
    assert attached is False
