"""``vss-outreach-server``: run the central office API and manage devices, keys and statuses.

    vss-outreach-server init-keys DIR
    vss-outreach-server serve --db URL --keys DIR [--host H] [--port P] [--workers N]
                              [--tls-cert PEM --tls-key PEM]
    vss-outreach-server migrate                  (bring the database schema up to date)
    vss-outreach-server enrol-device --device-id ID --public-key B64 [--name N] [--out FILE]
    vss-outreach-server enrol-device --request FILE [--out FILE]
    vss-outreach-server revoke-device --device-id ID
    vss-outreach-server import FOLDER            (a USB export; receipts go to FOLDER/receipts)
    vss-outreach-server set-status REF STATUS [--note TEXT]
    vss-outreach-server clashes                  (records refused: their reference was taken)
    vss-outreach-server import-list FILE [--language km|en]   (the office's list, CSV or XLSX)
    vss-outreach-server set-provinces --device-id ID CODE...  (provinces a laptop serves)
    vss-outreach-server export-list --device-id ID FOLDER     (a laptop's list onto its stick)

``enrol-device --provinces CODE...`` names the provinces at enrolment.

``--db`` defaults to ``$VSS_SERVER_DB`` or ``sqlite:///vss-outreach-server.db``; ``--keys`` to
``$VSS_SERVER_KEYS`` or ``./server-keys``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.core.table_file import MAX_FILE_BYTES
from app.i18n import _, set_language
from app.sync.crypto import ServerKeys
from app.sync.format import canonical_json
from app.sync.stick import StickError, stick_folder
from app.sync.tls import spki_sha256_pem

from .models import create_server_engine, migrate_schema
from .office_list import (
    ListImportError,
    enrol_list,
    import_list,
    set_provinces,
    write_list_to_stick,
)
from .service import (
    ServerError,
    enrol_device,
    reference_clashes,
    revoke_device,
    set_status,
)
from .usb_import import import_folder

DEFAULT_DB = "sqlite:///vss-outreach-server.db"
DEFAULT_KEYS = "server-keys"


def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(create_server_engine(url), expire_on_commit=False)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=os.environ.get("VSS_SERVER_DB", DEFAULT_DB))
    common.add_argument(
        "--keys", type=Path, default=Path(os.environ.get("VSS_SERVER_KEYS", DEFAULT_KEYS))
    )
    parser = argparse.ArgumentParser(
        prog="vss-outreach-server", description="VSS Outreach central office server"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, parents=[common])

    init = command("init-keys", "create the server key pair in DIR")
    init.add_argument("dir", type=Path)

    serve = command("serve", "run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (chain) to serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of that certificate")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (one database)")

    command("migrate", "bring the office database schema up to date")

    enrol = command("enrol-device", "enrol a laptop; prints its enrolment file")
    enrol.add_argument("--device-id")
    enrol.add_argument("--public-key")
    enrol.add_argument("--name", default="")
    enrol.add_argument("--request", type=Path, help="the enrolment request file from the laptop")
    enrol.add_argument("--server-url", default="", help="written into the enrolment file")
    enrol.add_argument(
        "--tls-cert", type=Path, help="the office's TLS certificate: its key is pinned in the file"
    )
    enrol.add_argument("--out", type=Path)
    enrol.add_argument("--provinces", nargs="*", default=[], help="province codes it serves")

    revoke = command("revoke-device", "refuse every further batch of a device")
    revoke.add_argument("--device-id", required=True)

    importer = command("import", "import a USB export folder")
    importer.add_argument("folder", type=Path)

    status = command("set-status", "report a court status for a reference")
    status.add_argument("reference")
    status.add_argument("status")
    status.add_argument("--note")

    command("clashes", "list records refused because another record holds their reference")

    list_import = command("import-list", "import the office's list of civil parties (CSV/XLSX)")
    list_import.add_argument("file", type=Path)
    list_import.add_argument("--language", choices=("km", "en"), default="km")

    provinces = command("set-provinces", "name the provinces a laptop serves")
    provinces.add_argument("--device-id", required=True)
    provinces.add_argument("codes", nargs="+")

    list_export = command("export-list", "write a laptop's list onto its stick")
    list_export.add_argument("--device-id", required=True)
    list_export.add_argument("folder", type=Path)
    return parser


def _enrolment(args: argparse.Namespace) -> dict[str, Any]:
    device_id, public_key, name = args.device_id, args.public_key, args.name
    request: dict[str, Any] = {}
    if args.request is not None:
        request = json.loads(args.request.read_text(encoding="utf-8"))
        device_id = device_id or request.get("device_id")
        public_key = public_key or request.get("signing_public")
        name = name or request.get("device_name") or ""
    if not device_id or not public_key:
        raise ServerError("give --device-id and --public-key, or --request FILE")
    keys = ServerKeys.load(args.keys)
    sessions = _sessions(args.db)
    enrol_device(sessions, device_id, public_key, name)
    list_public = request.get("list_public") if args.request is not None else None
    if args.provinces or list_public:
        enrol_list(sessions, device_id, args.provinces, list_public)
    document = {
        "kind": "vss-outreach-enrolment",
        "device_id": device_id,
        "server_url": args.server_url,
        **keys.public.to_json(),
    }
    if args.tls_cert is not None:
        document["tls_public_key_sha256"] = spki_sha256_pem(args.tls_cert.read_bytes())
    return document


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "init-keys":
            ServerKeys.generate().save(args.dir)
            print(f"Keys written to {args.dir}")
        elif args.command == "serve":
            import uvicorn

            from .asgi import DB_ENV, KEYS_ENV

            ServerKeys.load(args.keys)  # fail here, not in every worker
            if (args.tls_cert is None) != (args.tls_key is None):
                raise ServerError("give both --tls-cert and --tls-key, or neither")
            certificate = str(args.tls_cert) if args.tls_cert is not None else None
            private_key = str(args.tls_key) if args.tls_key is not None else None
            migrate_schema(args.db)  # once, before any worker starts
            os.environ[DB_ENV], os.environ[KEYS_ENV] = args.db, str(args.keys.resolve())
            uvicorn.run(
                "app.server.asgi:create_app_from_env",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                ssl_certfile=certificate,
                ssl_keyfile=private_key,
                log_level="warning",
            )
        elif args.command == "migrate":
            migrate_schema(args.db)
            print("Database schema is up to date")
        elif args.command == "enrol-device":
            text = canonical_json(_enrolment(args)).decode("utf-8")
            if args.out is not None:
                args.out.write_text(text, encoding="utf-8")
            print(text)
        elif args.command == "revoke-device":
            revoke_device(_sessions(args.db), args.device_id)
            print(f"Device {args.device_id} revoked")
        elif args.command == "import":
            counts = import_folder(_sessions(args.db), ServerKeys.load(args.keys), args.folder)
            print(f"Imported {counts['accepted']} batches, refused {counts['refused']}")
            return 0 if counts["refused"] == 0 else 1
        elif args.command == "set-status":
            set_status(_sessions(args.db), args.reference, args.status, args.note)
            print(f"{args.reference}: {args.status}")
        elif args.command == "clashes":
            clashes = reference_clashes(_sessions(args.db))
            for clash in clashes:
                print(canonical_json(clash).decode("utf-8"))
            print(f"{len(clashes)} reference clashes")
        else:
            return _list_command(args)
    except (ServerError, ListImportError, StickError, FileExistsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _list_command(args: argparse.Namespace) -> int:
    if args.command == "import-list":
        set_language(args.language)
        if args.file.stat().st_size > MAX_FILE_BYTES:
            raise ListImportError(
                _("The file is larger than {size} MB.").format(size=MAX_FILE_BYTES // 2**20)
            )
        outcome = import_list(_sessions(args.db), args.file.read_bytes(), args.file.name)
        for problem in outcome.problems:
            print(problem, file=sys.stderr)
        if outcome.problems:
            print(_("Nothing was imported: correct the file and import it again."), file=sys.stderr)
            return 1
        print(_("{count} people imported.").format(count=outcome.people))
    elif args.command == "set-provinces":
        set_provinces(_sessions(args.db), args.device_id, args.codes)
        print(f"{args.device_id}: {' '.join(sorted(set(args.codes)))}")
    elif args.command == "export-list":
        with stick_folder(args.folder, create=True) as stick:
            people = write_list_to_stick(
                _sessions(args.db), ServerKeys.load(args.keys), stick, args.device_id
            )
        if not people:
            raise ServerError(
                "no list for this laptop: name its provinces and let it send its list key"
            )
        print(f"{people} people written for {args.device_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
