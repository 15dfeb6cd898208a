"""The officer's command-line tools (``vss-outreach COMMAND``; the parser is in app.main).

Tools that touch records sign in like the app does: ``--user NAME`` and the password typed at the
prompt (or, for scripts, in the environment variable VSS_OUTREACH_PASSWORD). Errors are printed
translated and exit non-zero (app.main). The services, and the translations' catalogue, are
imported by each command when it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import UserFacingError

if TYPE_CHECKING:
    from app.services.context import AppContext

PASSWORD_ENV = "VSS_OUTREACH_PASSWORD"


class CommandError(UserFacingError):
    """A translated message for the officer; the command exits 1."""


def _password(prompt: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    import getpass

    return getpass.getpass(prompt)


def command_home(args: argparse.Namespace) -> Path:
    from app.store.location import data_dir

    home: Path = args.home or data_dir()
    return home


@contextmanager
def _signed_in(args: argparse.Namespace) -> Iterator[AppContext]:
    """The store opened by the officer ``--user`` names, for the command's work; closed when the
    command is done, whatever happened."""
    from app.i18n import _
    from app.services.accounts import AccountError, is_first_run, sign_in

    home = command_home(args)
    if is_first_run(home):
        raise CommandError(_("This computer is not set up yet.") + " (vss-outreach setup)")
    if not args.user:
        raise CommandError(_("Please sign in first.") + " (--user)")
    try:
        ctx = sign_in(home, args.user, _password(_("Password") + ": "))
    except AccountError as error:
        raise CommandError(error.message) from error
    try:
        yield ctx
    finally:
        ctx.close()


def _cmd_setup(args: argparse.Namespace) -> int:
    from app.i18n import _
    from app.services.accounts import AccountError, first_run_setup

    if not args.user:
        raise CommandError(_("Please sign in first.") + " (--user)")
    password = _password(_("Password") + ": ")
    import getpass

    if os.environ.get(PASSWORD_ENV) is None and password != getpass.getpass(
        _("Password again") + ": "
    ):
        raise CommandError(_("The two passwords are not the same."))
    try:
        ctx, code = first_run_setup(
            command_home(args), args.user, args.name, password, args.device, args.lang or "km"
        )
    except AccountError as error:
        raise CommandError(error.message) from error
    ctx.close()
    print(_("Recovery code"), code, sep=": ")
    return 0


def _cmd_check_forms(args: argparse.Namespace) -> int:
    from app.core.forms import check_form_file
    from app.core.resources import forms_dir

    paths = args.paths or sorted(forms_dir().glob("*.yaml"))
    failed = False
    for path in paths:
        problems = check_form_file(path)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: OK")
    return 1 if failed else 0


def _cmd_demo_data(args: argparse.Namespace) -> int:
    import random

    from app.core.demo_answers import demo_answers
    from app.i18n import _
    from app.services import form_catalogue, records
    from app.services.places import random_place

    with _signed_in(args) as ctx:
        rng = random.Random(args.seed)
        forms = list(form_catalogue.available_forms().values())
        items = (
            (form.id, demo_answers(form, rng, pick_place=random_place))
            for form in (rng.choice(forms) for _ in range(args.count))
        )
        records.import_applications(
            ctx, items, progress=lambda done: print(f"{done}/{args.count}", flush=True)
        )
    from app.i18n import format_number

    print(_("Records: {count}").format(count=format_number(args.count)))
    return 0


def _by_reference(ctx, typed: str) -> str:  # type: ignore[no-untyped-def]
    from app.i18n import _
    from app.services import records

    application_id = records.find_by_reference(ctx, typed)
    if application_id is None:
        raise CommandError(
            _("No application has the reference {reference}.").format(reference=typed)
        )
    return application_id


def _cmd_print(args: argparse.Namespace) -> int:
    from app.services import printing

    if args.document == "blank":
        pages = printing.print_blank_form(args.form_id, args.out)
    elif args.document == "leaflet":
        document = printing.leaflet_pdf()
        printing.write_pdf(args.out, document.data)
        pages = document.pages
    else:
        with _signed_in(args) as ctx:
            if args.document == "record":
                pages = printing.print_application(
                    ctx,
                    _by_reference(ctx, args.reference),
                    args.out,
                    full_copy_reason=args.full_copy_reason,
                )
            elif args.document == "receipt":
                pages = printing.print_receipt(ctx, _by_reference(ctx, args.reference), args.out)
            else:
                ids = printing.application_ids_for_forum(ctx, args.forum)
                pages = printing.print_applications(
                    ctx,
                    ids,
                    args.out,
                    progress=lambda done, total: print(f"{done}/{total}", flush=True),
                ).pages
    print(f"{args.out}: {pages}")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from app.services.backup import create_backup

    with _signed_in(args) as ctx:
        print(create_backup(ctx, args.folder))
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    """Restore as ``--user`` (whose role may restore; the password of the backup's time) or,
    at the office, with ``--office-keys``."""
    from app.i18n import _
    from app.services.restore import RestoreCredentials, restore_backup

    if args.office_keys is not None:
        from app.sync.crypto import ServerKeys

        credentials = RestoreCredentials(office_keys=ServerKeys.load(args.office_keys))
    else:
        if not args.user:
            print(_("Give --user: an administrator of the backup."), file=sys.stderr)
            return 2
        credentials = RestoreCredentials(args.user, _password(_("Password") + ": "))
    restore_backup(args.backup_file, command_home(args), credentials)
    return 0


def run_command(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "setup": _cmd_setup,
        "check-forms": _cmd_check_forms,
        "demo-data": _cmd_demo_data,
        "print": _cmd_print,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
    }
    sync_handlers = _sync_handlers()
    handlers.update(sync_handlers)
    return handlers[args.command](args)


def _sync_handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    def sync(args: argparse.Namespace) -> int:
        from app.i18n import _, format_number
        from app.services.sync import sync_now
        from app.services.sync_enrolment import office_url
        from app.services.sync_outcome import outcome_sentences

        with _signed_in(args) as ctx:
            result = sync_now(ctx, args.server or office_url(ctx))
        for sentence in outcome_sentences(result):
            print(sentence)
        if result.remaining:
            waiting = format_number(result.remaining)
            print(_("{count} records are still waiting to be sent.").format(count=waiting))
        if result.error is not None:
            print(result.error, file=sys.stderr)
        return 0 if result.complete else 1

    def export_batches(args: argparse.Namespace) -> int:
        from app.services.sync_usb import export_batches as export

        with _signed_in(args) as ctx:
            print(export(ctx, args.folder))
        return 0

    def import_receipts(args: argparse.Namespace) -> int:
        from app.services.sync_usb import import_receipts as read_receipts

        with _signed_in(args) as ctx:
            print(read_receipts(ctx, args.folder))
        return 0

    def enrolment_request(args: argparse.Namespace) -> int:
        from app.i18n import _
        from app.services.sync_enrolment import enrolment_request as make_request

        with _signed_in(args) as ctx:
            document = make_request(ctx)
        args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        print(_("Enrolment request written: {path}").format(path=args.out))
        return 0

    def install_enrolment(args: argparse.Namespace) -> int:
        from app.i18n import _
        from app.services.sync_enrolment import install_enrolment as install

        try:
            document = json.loads(args.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(_("This enrolment file is damaged.")) from error
        if not isinstance(document, dict):
            raise CommandError(_("This enrolment file is damaged."))
        with _signed_in(args) as ctx:
            install(ctx, document)
        print(_("This laptop is enrolled with the central office."))
        return 0

    return {
        "sync": sync,
        "export-batches": export_batches,
        "import-receipts": import_receipts,
        "enrolment-request": enrolment_request,
        "install-enrolment": install_enrolment,
    }
