#!/usr/bin/env python3
"""One entry point for developers and CI; needs only Python 3 to start.

    python3 packaging/dev.py run [APP ARGS]   install what is needed, then start the app
    python3 packaging/dev.py test             install what is needed, then lint, type-check and test
    python3 packaging/dev.py bench            print the performance figures (tests/bench)
    python3 packaging/dev.py i18n             extract messages and update the .po catalogs
    python3 packaging/dev.py package          build the one-folder PyInstaller bundle

It bootstraps ``uv`` into ``.tools/`` when it is not on PATH, installs the locked dependencies
(``uv.lock``) into ``.venv/``, installs the few Debian packages Qt and the tests need when run as
root on Debian/Ubuntu (and says exactly which ones otherwise), and compiles the translations.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
UV_VERSION = "0.13.9"

# Shared libraries the PySide6 wheels load on Linux, and the Debian packages that provide them.
QT_LIBRARIES = {
    "EGL": "libegl1",
    "GL": "libgl1",
    "xkbcommon": "libxkbcommon0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "fontconfig": "libfontconfig1",
    "dbus-1": "libdbus-1-3",
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
}
# Programs the tests use: poppler reads PDFs back, PostgreSQL serves the central server's tests.
TEST_PROGRAMS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(command: list[str], **kwargs: object) -> None:
    result = subprocess.run(command, cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        say(f"failed ({result.returncode}): {' '.join(command)}")
        sys.exit(result.returncode)


def find_uv() -> str:
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    bin_dir = TOOLS / ("Scripts" if os.name == "nt" else "bin")
    uv = bin_dir / ("uv.exe" if os.name == "nt" else "uv")
    if not uv.exists():
        say("installing uv into .tools/ (once)")
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        python = bin_dir / ("python.exe" if os.name == "nt" else "python")
        run([str(python), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"])
    return str(uv)


def postgres_installed() -> bool:
    return bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))


def missing_debian_packages(for_tests: bool) -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    missing = {pkg for lib, pkg in QT_LIBRARIES.items() if ctypes.util.find_library(lib) is None}
    if for_tests:
        missing |= {pkg for prog, pkg in TEST_PROGRAMS.items() if shutil.which(prog) is None}
        if not postgres_installed():
            missing.add("postgresql")
        if shutil.which("xvfb-run") is None:
            missing.add("xvfb")
    return sorted(missing)


def ensure_system_packages(for_tests: bool) -> None:
    missing = missing_debian_packages(for_tests)
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing Debian packages: {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "update", "-qq"], env=env)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
        return
    say("these system packages are missing; install them, then run this again:")
    say(f"  sudo apt-get install {' '.join(missing)}")
    sys.exit(1)


def sync_environment(uv: str, dev: bool) -> None:
    # Bytecode compiled at install: start-up does not pay for compiling every module.
    command = [
        uv,
        "sync",
        "--frozen",
        "--all-extras",
        "--compile-bytecode",
        "--python",
        sys.executable,
    ]
    if not dev:
        command.append("--no-dev")
    run(command)


def venv_bin(name: str) -> str:
    folder = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
    return str(folder / (f"{name}.exe" if os.name == "nt" else name))


def compile_translations() -> None:
    run(
        [
            venv_bin("pybabel"),
            "compile",
            "--use-fuzzy",
            "-d",
            "locales",
            "-D",
            "vss_outreach",
            "-f",
        ],
        stdout=subprocess.DEVNULL,
    )
    # The word breaks of the Khmer texts, so the first window needs no segmenter model.
    run([venv_bin("python"), "-m", "app.i18n.word_breaks"])


def prepare(dev: bool, for_tests: bool = False) -> None:
    ensure_system_packages(for_tests)
    sync_environment(find_uv(), dev)
    compile_translations()


def cmd_run(args: list[str]) -> None:
    prepare(dev=False)
    run([venv_bin("vss-outreach"), *args])


def cmd_test(args: list[str]) -> None:
    prepare(dev=True, for_tests=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    say("ruff check")
    run([venv_bin("ruff"), "check", "app", "tests", "packaging"])
    say("ruff format --check")
    run([venv_bin("ruff"), "format", "--check", "app", "tests", "packaging"])
    say("mypy app")
    run([venv_bin("mypy"), "app"])
    say("import contracts")
    run([venv_bin("lint-imports")])
    say("pytest")
    run([venv_bin("pytest"), *args], env=env)


def cmd_bench(args: list[str]) -> None:
    prepare(dev=True, for_tests=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run([venv_bin("python"), "-m", "tests.bench", *args], env=env)


def cmd_i18n(_args: list[str]) -> None:
    prepare(dev=True)
    pot = "locales/vss_outreach.pot"
    run(
        [
            venv_bin("pybabel"),
            "extract",
            "-F",
            "locales/babel.cfg",
            "-k",
            "N_",
            "-o",
            pot,
            "--no-location",
            "--sort-output",
            "app",
        ]
    )
    run(
        [
            venv_bin("pybabel"),
            "update",
            "-i",
            pot,
            "-d",
            "locales",
            "-D",
            "vss_outreach",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        ]
    )


def cmd_package(args: list[str]) -> None:
    prepare(dev=True)
    run([venv_bin("python"), "packaging/build.py", *args])


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "bench": cmd_bench,
    "i18n": cmd_i18n,
    "package": cmd_package,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
