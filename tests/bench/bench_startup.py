"""Start-up figures: the first window (sign-in) and the signed-in main window, each against a
bare PySide6 window in the same run, run in turn (A B A B ...) and compared pair by pair so a
machine that slows down mid-run does not skew the ratio. Key derivation (Argon2id, meant to be
slow) is measured on its own and taken out of the main window's figures.

Signing in from the environment paints the main window's frame (navigation, the start page with
its counts to come) once the password is checked, and fills it in once the store is open
(app.ui.signed_in_start). Both moments are reported by the app (``--report-painted``: wall-clock
times) and compared with the moment the bare window was painted (it prints its own); the process
figures (start to exit) are kept beside them. So is the CPU time each process had used when it
painted (all its threads; the key derivation's own CPU taken out), a steadier figure than wall
time on a shared machine: a busy machine stretches the wall clock, much less the work done."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RUNS = 5
# What a bare PySide6 window costs: import, QApplication, one window painted, quit.
BARE_WINDOW = (
    "import time;"
    "from PySide6.QtWidgets import QApplication, QWidget;"
    "from PySide6.QtCore import QTimer;"
    "a = QApplication([]); w = QWidget(); w.show();"
    "QTimer.singleShot(0, lambda: (w.grab(), print(time.time(), time.process_time()), a.quit()));"
    " a.exec()"
)
# The child's start (wall clock), its run to exit, peak RSS, and what it printed last.
_MEASURE = (
    "import resource, subprocess, sys, time, json;"
    "w = time.time(); s = time.perf_counter();"
    "out = subprocess.run(sys.argv[1:], check=True, capture_output=True, text=True).stdout;"
    "e = time.perf_counter() - s;"
    "print(json.dumps([e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, w,"
    " (out.strip().splitlines() or [''])[-1]]))"
)


def _measure(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds and peak RSS (MB) of one child process, measured from a fresh parent, with
    the wall-clock time it was started at and the last line it printed."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], env=env, check=True, capture_output=True, text=True
    )
    elapsed, rss, started, printed = json.loads(out.stdout.strip().splitlines()[-1])
    return float(elapsed), float(rss), float(started), str(printed)


def _painted(run: tuple[float, float, float, str], report: Path | None) -> dict[str, float]:
    """Seconds from a child's start to its paints, and its CPU seconds then ("..._cpu"): the
    bare window prints both; the app writes its frame's and filled window's to ``report``."""
    _elapsed, _rss, started, printed = run
    if report is None:
        moment, cpu = printed.split()
        return {"painted": float(moment) - started, "painted_cpu": float(cpu)}
    moments = json.loads(report.read_text(encoding="utf-8"))
    return {
        name: float(value) if name.endswith("_cpu") else float(value) - started
        for name, value in moments.items()
    }


def _paired(app: list[str], env: dict[str, str], report: Path | None = None) -> dict[str, Any]:
    bare = [sys.executable, "-c", BARE_WINDOW]
    _measure(app, env)  # warm-up: file cache, compiled byte code
    _measure(bare, env)
    pairs = []
    painted = []
    for _run in range(RUNS):
        app_run, bare_run = _measure(app, env), _measure(bare, env)
        pairs.append((app_run[:2], bare_run[:2]))
        app_painted = _painted(app_run, report) if report is not None else {}
        painted.append((app_painted, _painted(bare_run, None)))
    return {
        "app_s": statistics.median(a[0] for a, _b in pairs),
        "bare_s": statistics.median(b[0] for _a, b in pairs),
        "ratio": statistics.median(a[0] / b[0] for a, b in pairs),
        "app_mb": statistics.median(a[1] for a, _b in pairs),
        "bare_mb": statistics.median(b[1] for _a, b in pairs),
        "bare_painted_s": statistics.median(b["painted"] for _a, b in painted),
        "bare_painted_cpu_s": statistics.median(b["painted_cpu"] for _a, b in painted),
        "pairs": pairs,
        "painted": painted,
    }


# Compiled byte code for every run after the warm-up, as an installed app has it (the PyInstaller
# build bundles .pyc files): with PYTHONDONTWRITEBYTECODE set in the shell, every run compiled the
# app's modules from source again (~0.1-0.3 s here) while the bare window's PySide6 modules come
# compiled from site-packages. Kept in a folder of its own, not in the source tree.
_BYTE_CODE = Path(tempfile.gettempdir()) / "vss-outreach-bench-pycache"


def _environment(password: str | None) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(_BYTE_CODE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("VSS_OUTREACH_PASSWORD", None)
    if password is not None:
        env["VSS_OUTREACH_PASSWORD"] = password
    return env


def key_derivation_s(password: str) -> float:
    """Argon2id with the real parameters, as signing in runs it once (median of three)."""
    return key_derivation(password)[0]


def key_derivation(password: str) -> tuple[float, float]:
    """Argon2id with the real parameters, as signing in runs it once: wall and CPU seconds (its
    lanes run on threads of their own), each the median of three."""
    from app.store.keyring import KdfParams, derive_key

    wall, cpu = [], []
    for _run in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        derive_key(password, secrets.token_bytes(16), KdfParams.default())
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def after_enter(home: Path, password: str, kdf: float, kdf_cpu: float) -> dict[str, float]:
    """How officers sign in: the sign-in window, the password typed (tests.bench.sign_in_driver),
    Enter; from Enter to the main window painted, paired with bare windows as above. The key
    derivation (wall and CPU, measured alone) is taken out as in the other figures."""
    report = home.parent / "after-enter.json"
    driver = [sys.executable, "-m", "tests.bench.sign_in_driver", str(home), password, str(report)]
    pairs = _paired(driver, _environment(None), report)["painted"]
    return {
        "main_window_after_enter_s": statistics.median(
            a["painted"] - a["enter"] for a, _b in pairs
        ),
        "main_window_after_enter_without_kdf_vs_bare_ratio": statistics.median(
            (a["painted"] - a["enter"] - kdf) / b["painted"] for a, b in pairs
        ),
        "main_window_after_enter_cpu_without_kdf_vs_bare_ratio": statistics.median(
            (a["painted_cpu"] - a["enter_cpu"] - kdf_cpu) / b["painted_cpu"] for a, b in pairs
        ),
    }


def startup(home: Path, password: str) -> dict[str, float]:
    app = [sys.executable, "-m", "app.main", "--home", str(home), "--quit-after-start"]
    first = _paired(app, _environment(None))
    report = home.parent / "painted.json"
    main = _paired(
        [*app, "--user", "bench", "--report-painted", str(report)], _environment(password), report
    )
    kdf, kdf_cpu = key_derivation(password)
    without_kdf = [(a[0] - kdf) / b[0] for a, b in main["pairs"]]
    painted = main["painted"]

    def painted_ratio(moment: str) -> float:
        return float(statistics.median((a[moment] - kdf) / b["painted"] for a, b in painted))

    def cpu_ratio(moment: str) -> float:
        key = f"{moment}_cpu"
        return float(statistics.median((a[key] - kdf_cpu) / b["painted_cpu"] for a, b in painted))

    return {
        "first_window_s": first["app_s"],
        "bare_window_s": first["bare_s"],
        "first_window_vs_bare_ratio": first["ratio"],
        "main_window_s": main["app_s"],
        "key_derivation_s": kdf,
        "main_window_without_kdf_vs_bare_ratio": statistics.median(without_kdf),
        # Start to paint (not to exit), the bare window's paint likewise.
        "bare_window_painted_s": main["bare_painted_s"],
        "main_window_frame_painted_s": statistics.median(a["frame"] for a, _b in painted),
        "main_window_frame_without_kdf_vs_bare_ratio": painted_ratio("frame"),
        "main_window_filled_painted_s": statistics.median(a["filled"] for a, _b in painted),
        "main_window_filled_without_kdf_vs_bare_ratio": painted_ratio("filled"),
        # The same moments in CPU seconds (the process's, all threads), against the bare
        # window's CPU when it painted.
        "key_derivation_cpu_s": kdf_cpu,
        "bare_window_painted_cpu_s": main["bare_painted_cpu_s"],
        "main_window_frame_cpu_s": statistics.median(a["frame_cpu"] for a, _b in painted),
        "main_window_frame_cpu_without_kdf_vs_bare_ratio": cpu_ratio("frame"),
        "main_window_filled_cpu_s": statistics.median(a["filled_cpu"] for a, _b in painted),
        "main_window_filled_cpu_without_kdf_vs_bare_ratio": cpu_ratio("filled"),
        # Of the filled window's CPU: the preload thread's loading of SQLAlchemy, the models
        # and the services, and the ratio with that taken out too (what a start that loaded
        # them after the filled paint would at best come to).
        "main_window_store_modules_cpu_s": statistics.median(
            a["store_modules_cpu"] for a, _b in painted
        ),
        "main_window_filled_cpu_without_kdf_and_store_modules_vs_bare_ratio": statistics.median(
            (a["filled_cpu"] - kdf_cpu - a["store_modules_cpu"]) / b["painted_cpu"]
            for a, b in painted
        ),
        # Signing in from the sign-in window, as officers do (the store's modules loaded while
        # the password is typed): from Enter to the main window painted.
        **after_enter(home, password, kdf, kdf_cpu),
        "rss_first_window_mb": first["app_mb"],
        "rss_main_window_mb": main["app_mb"],
        "rss_bare_window_mb": first["bare_mb"],
    }


def main_window_memory(home: Path, password: str) -> dict[str, float]:
    app = [sys.executable, "-m", "app.main", "--home", str(home), "--quit-after-start"]
    elapsed, rss, _started, _printed = _measure([*app, "--user", "bench"], _environment(password))
    return {"main_window_s": elapsed, "rss_main_window_mb": rss}


STARTUP_RECORDS = 500


def run(records: int = STARTUP_RECORDS) -> dict[str, float]:
    """``--only startup``: the start-up figures on a store of ``records`` applications (the
    app group measures them at 100,000), without the list, search and wizard figures."""
    from tests.bench.bench_app import PASSWORD, build_store

    os.environ.setdefault("VSS_OUTREACH_FAST_KDF", "0")
    with tempfile.TemporaryDirectory(prefix="vss-bench-startup-") as name:
        home = Path(name) / "home"
        build_store(home, records).close()
        return startup(home, PASSWORD)
