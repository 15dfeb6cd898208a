"""The command line: the window's own options are read without building the commands' parsers
(start-up time before the first window, issue 20); commands, --help and mistakes are read by the
full parser as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.main import parse_arguments


def test_the_windows_options_are_read_without_a_command() -> None:
    args = parse_arguments(
        ["--home", "data", "--lang", "en", "--user", "dara", "--quit-after-start"]
    )
    assert args.command is None
    assert (args.home, args.lang, args.user, args.quit_after_start) == (
        Path("data"),
        "en",
        "dara",
        True,
    )


def test_a_command_is_read_by_the_full_parser() -> None:
    args = parse_arguments(["--user", "admin", "backup", "usb"])
    assert (args.command, args.user, args.folder) == ("backup", "admin", Path("usb"))
    printed = parse_arguments(["print", "record", "VSS-1", "--out", "a.pdf"])
    assert (printed.command, printed.document, printed.reference) == ("print", "record", "VSS-1")


def test_help_lists_the_commands_and_mistakes_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as helped:
        parse_arguments(["--help"])
    assert helped.value.code == 0
    assert "demo-data" in capsys.readouterr().out
    for wrong in (["--bogus"], ["--lang", "fr"], ["no-such-command"]):
        with pytest.raises(SystemExit) as refused:
            parse_arguments(wrong)
        assert refused.value.code == 2
