"""The ``vss-outreach`` command: the desktop app, and the officer's command-line tools.

The tools themselves are in app.commands. Tools that touch records sign in like the app does:
``--user NAME`` and the password typed at the prompt (or, for scripts, in the environment variable
VSS_OUTREACH_PASSWORD). Errors are printed translated, in the language chosen with ``--lang``
(Khmer by default), and exit non-zero.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import PASSWORD_ENV
from app.core.errors import UserFacingError

if TYPE_CHECKING:
    from app.ui.signed_in_start import FrameStart, KeyUnlocking


class _VersionAction(argparse.Action):
    """``--version``; the version is read only when asked (reading it costs start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        import app

        print(f"vss-outreach {app.__version__}")
        parser.exit()


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vss-outreach",
        description="VSS Outreach: intake, rights information, printing and sync for the VSS.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--home", type=Path, help="data folder (default: the user data folder)")
    parser.add_argument("--lang", choices=["km", "en"], help="interface language (default: Khmer)")
    parser.add_argument("--user", help="sign in as this officer (password from the prompt)")
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="open the first window, then exit 0 (smoke test)",
    )
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the first window, then exit")
    # For tests/ui/test_first_paint.py: the modules loaded when the first window is painted.
    parser.add_argument("--report-modules", type=Path, help=argparse.SUPPRESS)
    # For tests/bench/bench_startup.py: when the main window's frame and the filled window were
    # painted (signing in from the environment with --quit-after-start).
    parser.add_argument("--report-painted", type=Path, help=argparse.SUPPRESS)
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    setup = commands.add_parser("setup", help="first-run set-up: create the administrator")
    setup.add_argument("--name", required=True, help="the administrator's full name")
    setup.add_argument("--device", required=True, help="a name for this laptop")

    check = commands.add_parser("check-forms", help="validate form definition files")
    check.add_argument("paths", nargs="*", type=Path, help="files (default: every form in forms/)")

    demo = commands.add_parser("demo-data", help="fill the store with synthetic applications")
    demo.add_argument("--count", type=int, default=100)
    demo.add_argument("--seed", type=int, default=1975)

    printing = commands.add_parser("print", help="print a document to a PDF file")
    documents = printing.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    blank = documents.add_parser("blank", help="a blank paper form")
    blank.add_argument("--form", required=True, dest="form_id")
    blank.add_argument("--out", required=True, type=Path)
    record = documents.add_parser("record", help="a filled application")
    record.add_argument("reference")
    record.add_argument("--out", required=True, type=Path)
    record.add_argument(
        "--full-copy-reason",
        help="print the names of an identity-protected applicant (audited) and say why",
    )
    receipt = documents.add_parser("receipt", help="the applicant's receipt")
    receipt.add_argument("reference")
    receipt.add_argument("--out", required=True, type=Path)
    leaflet = documents.add_parser("leaflet", help="the rights leaflet")
    leaflet.add_argument("--out", required=True, type=Path)
    forum = documents.add_parser("forum", help="every final application of a forum, one PDF")
    forum.add_argument("--forum", help="forum name (default: every final application)")
    forum.add_argument("--out", required=True, type=Path)

    backup = commands.add_parser("backup", help="write a verified encrypted backup")
    backup.add_argument("folder", type=Path)
    restore = commands.add_parser("restore", help="restore a backup into an empty data folder")
    restore.add_argument("backup_file", type=Path)
    restore.add_argument(
        "--office-keys",
        type=Path,
        help="the office's key folder (restores without an officer's password)",
    )

    sync = commands.add_parser("sync", help="send waiting records to the central office")
    sync.add_argument("--server", help="server address (default: from the settings)")
    export = commands.add_parser("export-batches", help="write waiting batches to a USB folder")
    export.add_argument("folder", type=Path)
    receipts = commands.add_parser("import-receipts", help="read the office's receipts from USB")
    receipts.add_argument("folder", type=Path)
    request = commands.add_parser(
        "enrolment-request", help="write this laptop's enrolment request for the office"
    )
    request.add_argument("--out", required=True, type=Path)
    install = commands.add_parser("install-enrolment", help="install the office's enrolment file")
    install.add_argument("file", type=Path)
    return parser


def _import_before_qt(signing_in: bool) -> None:
    """Import what the first window needs that does not use Qt, before Qt: once PySide6 is loaded,
    its import hook reads the source of every module imported after it (looking for
    ``from __feature__``), which made the sign-in window ~0.15 s slower to appear. Signing in
    from the environment (forum kiosks) checks the password first (``_sign_in_before_qt``)."""
    import ctypes  # noqa: F401 (the stdlib modules the first window's code imports)
    import html  # noqa: F401

    import app.core.line_breaks
    import app.services.before_sign_in
    import app.services.error_log
    from app.core.word_segmenter import load_table
    from app.i18n import current_language

    if signing_in:
        import app.services.key_unlock  # noqa: F401 (the key is unlocked before the store opens)
    if current_language() == "km":
        # The word breaks of the window's own texts; the segmenter's model (60-100 ms) loads on
        # the preload thread after the first paint (app.ui.preload).
        load_table()


def _start_unlocking(args: argparse.Namespace) -> KeyUnlocking | None:
    """Signing in from the environment: the password starts unlocking the key on a thread, while
    this one imports Qt and builds the main window's frame (``unlock_with_frame``), painted once
    the password is checked; the store opens behind it (app.ui.signed_in_start). None on a laptop
    not set up yet (the set-up window opens)."""
    from app.services.before_sign_in import default_home, is_first_run
    from app.services.error_log import configure_logging
    from app.ui.signed_in_start import KeyUnlocking

    home: Path = args.home or default_home()
    if is_first_run(home):
        return None
    configure_logging(home)  # a bug while the store opens is logged for the office
    return KeyUnlocking(home, args.user, os.environ[PASSWORD_ENV])


def _frame_when_unlocked(unlocking: KeyUnlocking) -> FrameStart:
    """Qt and the main window's frame, built while the key is derived (app.ui.signed_in_start)."""
    from app.ui.signed_in_start import unlock_with_frame

    return unlock_with_frame(unlocking)


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The window's own options are read without making the commands' parsers (about twenty,
    ~10 ms before the first window); a command, --help or a mistake goes to the full parser."""
    given = sys.argv[1:] if argv is None else list(argv)
    if not {"-h", "--help"} & set(given):
        args, rest = build_parser(with_commands=False).parse_known_args(given)
        if not rest:
            return args
    return build_parser().parse_args(given)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    from app.i18n import set_language

    if args.lang:
        set_language(args.lang)
    if args.command is None:
        # No cycle collection until the first window is painted (app.ui.app turns it back on):
        # importing and building the window allocates enough to run ~10 full passes (~30 ms).
        gc.disable()
        signing_in = bool(args.user) and PASSWORD_ENV in os.environ
        from app.services.key_unlock import AccountError

        try:
            # The key derivation starts first: the rest of the start overlaps it.
            unlocking = _start_unlocking(args) if signing_in else None
            _import_before_qt(signing_in)
            started = None if unlocking is None else _frame_when_unlocked(unlocking)
        except AccountError as error:
            print(error, file=sys.stderr)
            return 1
        except Exception as error:  # a bug: its traceback goes to the log, an apology to stderr
            from app.services.error_log import describe

            print(describe(error, "sign_in_before_qt"), file=sys.stderr)
            return 1
        from app.ui.app import run_gui  # Qt is loaded only for the window, not for CLI tools

        return run_gui(
            home=args.home,
            language=args.lang,
            quit_after_start=args.quit_after_start,
            screenshot=args.screenshot,
            username=args.user,
            modules_report=args.report_modules,
            started=started,
            painted_report=args.report_painted,
        )
    from app.commands import command_home, run_command
    from app.services.error_log import configure_logging, describe

    configure_logging(command_home(args))
    try:
        return run_command(args)
    except UserFacingError as error:
        print(error.full_text(), file=sys.stderr)
        return 1
    except Exception as error:  # a bug: its traceback goes to the log, an apology to the officer
        print(describe(error, f"command {args.command}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # a bulk import's worker is this program started again
        __import__("multiprocessing").freeze_support()
    sys.exit(main())
