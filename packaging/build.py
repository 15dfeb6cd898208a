#!/usr/bin/env python3
"""Build the one-folder app with PyInstaller, then check that the built app starts.

    .venv/bin/python packaging/build.py          (or: python3 packaging/dev.py package)
    .venv/bin/python packaging/build.py --smoke-only   (check an existing dist/ build again)

Steps: compile the gettext catalogs (.po -> .mo) and the Khmer word-break table, run PyInstaller
with packaging/vss-outreach.spec into dist/vss-outreach/, run the built program with ``--version``
and with ``--home <tmp> --quit-after-start`` (Qt's offscreen platform, so no display is needed),
and print the build time and the folder size. Exits non-zero when any step fails. Runs with the
project's venv Python.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "vss-outreach.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
APP_NAME = "vss-outreach"
DOMAIN = "vss_outreach"
SMOKE_TIMEOUT_SECONDS = 120


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


def compile_catalogs() -> list[Path]:
    """Compile every locales/<lang>/LC_MESSAGES/vss_outreach.po (fuzzy entries included)."""
    written = []
    for po_path in sorted((ROOT / "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name, domain=DOMAIN)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=True)
        written.append(mo_path)
    if not written:
        raise SystemExit("[build] no catalogs found under locales/")
    return written


def executable() -> Path:
    suffix = ".exe" if os.name == "nt" else ""
    return DIST / APP_NAME / f"{APP_NAME}{suffix}"


def run_pyinstaller(clean: bool) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise SystemExit(f"[build] PyInstaller failed ({result.returncode})")


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


# A windowed Windows program may have no console streams: output checks are skipped when it is empty
# there (the exit code and the files written are still checked).
NO_CONSOLE_OUTPUT = os.name == "nt"
SMOKE_USER = "smoke"
SMOKE_PASSWORD = "smoke-test-passphrase-2026"  # a throw-away account in a temporary folder
# Three chunks of a bulk import: the fewest for which it starts its worker on the second core
# (app/services/bulk_import.py, import_checks.WORKER_MIN_CHUNKS).
SMOKE_IMPORT_RECORDS = 1100


def smoke_steps(
    home: Path, version: str, bundle: Path
) -> list[tuple[list[str], Callable[[str], str | None]]]:
    """(arguments, check of the output returning an error or None) for each run of the app."""

    def expect_version(output: str) -> str | None:
        if not output and NO_CONSOLE_OUTPUT:
            return None
        return None if output.strip() == f"{APP_NAME} {version}" else f"expected {version}"

    def anything(_output: str) -> str | None:
        return None

    def forms_from_bundle(output: str) -> str | None:
        # The bundled forms must be read, never the checkout's.
        if not output and NO_CONSOLE_OUTPUT:
            return None
        lines = [line for line in output.splitlines() if line.endswith(": OK")]
        inside = [line for line in lines if line.startswith(str(bundle))]
        return None if lines and inside == lines else "forms not read from the bundle"

    def khmer_output(output: str) -> str | None:
        # Messages come from the bundled Khmer catalog (the English msgids have no Khmer letters).
        if not output and NO_CONSOLE_OUTPUT:
            return None
        return None if any("\u1780" <= ch <= "\u17ff" for ch in output) else "no Khmer message"

    def pdf_written(_output: str) -> str | None:
        pdf = home / "leaflet.pdf"
        ok = pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
        return None if ok else "no PDF written"

    def database_created(_output: str) -> str | None:
        return None if (home / "vss-outreach.db").exists() else "no database created"

    def second_core_used(_output: str) -> str | None:
        # A bulk import of more than one chunk checks the later chunks on a worker process, which
        # a frozen build starts by running itself again (multiprocessing.freeze_support in
        # app/main.py); the import notes in the log how many records the worker checked.
        log = home / "logs" / "vss-outreach.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        found = re.findall(r"(\d+) of (\d+) records checked on the second core", text)
        return None if found and int(found[-1][0]) > 0 else "the second core checked nothing"

    user = ["--home", str(home), "--user", SMOKE_USER]
    return [
        (["--version"], expect_version),
        (["--home", str(home), "--quit-after-start"], anything),  # the first-run screen
        (["check-forms"], forms_from_bundle),
        ([*user, "setup", "--name", "Smoke Test", "--device", "smoke"], database_created),
        ([*user, "--quit-after-start"], anything),  # signed in: the main window
        ([*user, "demo-data", "--count", "3"], khmer_output),
        ([*user, "demo-data", "--count", str(SMOKE_IMPORT_RECORDS)], second_core_used),
        ([*user, "print", "leaflet", "--out", str(home / "leaflet.pdf")], pdf_written),
    ]


def smoke_test(program: Path, version: str) -> None:
    """Run the built program: the required checks (``--version``, ``--home <tmp>
    --quit-after-start``), then set-up, the signed-in window, records and a printed PDF, which
    load the encrypted store, the migrations, the fonts and the Khmer shaping from the bundle."""
    if not program.exists():
        raise SystemExit(f"[build] no built program at {program}")
    env = {k: v for k, v in os.environ.items() if k != "VSS_OUTREACH_RESOURCES"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["VSS_OUTREACH_PASSWORD"] = SMOKE_PASSWORD
    with tempfile.TemporaryDirectory(prefix="vss-smoke-") as tmp:
        home = Path(tmp) / "home"
        env["VSS_OUTREACH_HOME"] = str(home)
        for arguments, check in smoke_steps(home, version, program.parent):
            started = time.perf_counter()
            # Run from the temporary folder so nothing is found in the checkout by accident.
            result = subprocess.run(
                [str(program), *arguments],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=SMOKE_TIMEOUT_SECONDS,
                check=False,
            )
            seconds = time.perf_counter() - started
            shown = " ".join([program.name, *arguments]).replace(tmp, "<tmp>")
            output = (result.stdout + result.stderr).strip()
            problem = f"exit code {result.returncode}" if result.returncode else check(output)
            if problem:
                say(f"smoke test FAILED ({problem}): {shown}")
                print(output, file=sys.stderr)
                raise SystemExit(1)
            say(f"smoke test ok ({seconds:.1f} s): {shown}")


def folder_size_mb(folder: Path) -> float:
    files = [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    total = sum(path.stat().st_size for path in files)
    return total / 1_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke-only", action="store_true", help="only test an existing build")
    parser.add_argument("--no-clean", action="store_true", help="reuse PyInstaller's cache")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if not args.smoke_only:
        mo_files = compile_catalogs()
        say(f"compiled {len(mo_files)} catalogs")
        # The word breaks of the Khmer texts (app.core.word_segmenter), bundled beside the .mo.
        subprocess.run([sys.executable, "-m", "app.i18n.word_breaks"], cwd=ROOT, check=True)
        say(f"running PyInstaller with {SPEC.relative_to(ROOT)}")
        run_pyinstaller(clean=not args.no_clean)
    build_seconds = time.perf_counter() - started
    smoke_test(executable(), project_version())
    folder = DIST / APP_NAME
    if not args.smoke_only:
        say(f"build time: {build_seconds:.0f} s")
    say(f"folder: {folder.relative_to(ROOT)} ({folder_size_mb(folder):.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
