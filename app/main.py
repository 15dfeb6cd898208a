"""The ``vss-outreach`` command: the desktop app, and the officer's command-line tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vss-outreach",
        description="VSS Outreach: intake, rights information, printing and sync for the VSS.",
    )
    parser.add_argument("--version", action="version", version=f"vss-outreach {__version__}")
    parser.add_argument("--home", type=Path, help="data folder (default: the user data folder)")
    parser.add_argument("--lang", choices=["km", "en"], help="interface language (default: Khmer)")
    parser.add_argument(
        "--quit-after-start",
        action="store_true",
        help="open the main window, then exit 0 (smoke test)",
    )
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the main window, then exit")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from app.ui.app import run_gui  # Qt is loaded only for the window, not for CLI tools

        return run_gui(
            home=args.home,
            language=args.lang,
            quit_after_start=args.quit_after_start,
            screenshot=args.screenshot,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
