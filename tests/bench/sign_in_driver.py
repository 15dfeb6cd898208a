"""The app started as an officer starts it (no password in the environment), driven through its
sign-in window: ``python -m tests.bench.sign_in_driver HOME PASSWORD REPORT``.

The password is typed TYPING_S after the sign-in window is shown (the preload thread loads the
store's modules meanwhile, as it does while an officer types) and Enter pressed; the app then
runs as it does for an officer: the key is derived and the store opened on a worker, the main
window built and shown. Once it is painted (rendered in the next turn of the event loop, as the
smoke tests and the other start-up figures take it) the app quits and this writes REPORT, as the
app's ``--report-painted`` does: the wall-clock times the window was shown, Enter was pressed,
the sign-in was done and the main window painted, and the process's CPU (all threads) at Enter
and at the paint ("..._cpu"). Used by tests/bench/bench_startup.py; nothing of the app is
replaced, only watched.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

TYPING_S = 1.5
GIVE_UP_MS = 60_000


def _watch(password: str, moments: dict[str, float]) -> None:
    import app.ui.app as window_start
    import app.ui.sign_in as sign_in
    from app.ui import qt_start

    shown = sign_in.SignInDialog.showEvent

    def typed_after_shown(dialog: Any, event: Any) -> None:
        shown(dialog, event)
        if moments:
            return
        from PySide6.QtCore import QTimer

        def enter() -> None:
            dialog.password.setText(password)
            moments["enter"], moments["enter_cpu"] = time.time(), time.process_time()
            dialog.attempt()
            # A password the store refuses leaves the dialog open: give up, not wait forever.
            QTimer.singleShot(GIVE_UP_MS, dialog, dialog.reject)

        moments["shown"] = time.time()
        QTimer.singleShot(int(TYPING_S * 1000), enter)

    sign_in.SignInDialog.showEvent = typed_after_shown  # type: ignore[method-assign]
    run_main_window = window_start._run_main_window

    def quit_once_painted(qt_app: Any, ctx: Any, *arguments: Any) -> int:
        moments["signed_in"] = time.time()

        def painted() -> None:
            moments["painted"], moments["painted_cpu"] = time.time(), time.process_time()

        def quit_after(app: Any, window: Any, shot: Any, report: Any, _after: Any = None) -> None:
            qt_start.quit_after_first_frame(app, window, shot, report, painted)

        window_start.quit_after_first_frame = quit_after  # type: ignore[assignment]
        language, _quit, screenshot, *rest = arguments
        return int(run_main_window(qt_app, ctx, language, True, screenshot, *rest))

    window_start._run_main_window = quit_once_painted  # type: ignore[assignment]


def main(home: str, password: str, report: Path) -> int:
    os.environ.pop("VSS_OUTREACH_PASSWORD", None)
    moments: dict[str, float] = {}
    _watch(password, moments)
    from app.main import main as app_main

    code = app_main(["--home", home])
    if code != 0 or "painted" not in moments:
        print(f"the main window was not painted (exit code {code})", file=sys.stderr)
        return 1
    report.write_text(json.dumps(moments), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
