"""The ``vss-outreach-server`` command and the status endpoint, as an office would use them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.server.main import main as server_main
from app.services import errors, sync, sync_enrolment
from app.services.context import AppContext, open_app
from app.sync.crypto import sign_document
from app.sync.protocol import status_request
from tests.officers import as_administrator
from tests.sync.harness import LiveServer, add_records, device_public_b64

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_the_api_and_a_device_syncs_with_it(tmp_path: Path, home: Path) -> None:
    keys = tmp_path / "keys"
    database = f"sqlite:///{tmp_path / 'office.db'}"
    assert server_main(["init-keys", str(keys)]) == 0
    assert server_main(["init-keys", str(keys)]) == 1  # never overwrites keys
    ctx = as_administrator(open_app(home))
    try:
        enrolment = tmp_path / "enrolment.json"
        assert server_main([
            "enrol-device", "--db", database, "--keys", str(keys), "--device-id", ctx.device_id,
            "--public-key", device_public_b64(ctx), "--name", "Kampot laptop 2",
            "--out", str(enrolment),
        ]) == 0  # fmt: skip
        sync_enrolment.install_enrolment(ctx, json.loads(enrolment.read_text(encoding="utf-8")))
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-m", "app.server.main", "serve", "--db", database,
             "--keys", str(keys), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not sync.server_reachable(url, timeout=1):
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
            add_records(ctx, 5)
            result = sync.sync_now(ctx, url)
            assert result.complete and result.acknowledged == 5
            reference = _a_reference(ctx)
            assert server_main(["set-status", reference, "lawyer_assigned", "--db", database]) == 0
            assert server_main(["set-status", reference, "sleeping", "--db", database]) == 1
            assert server_main(["set-status", "NO-SUCH-REF", "admitted", "--db", database]) == 1
            assert sync.sync_now(ctx, url).status_updates == 1
            assert (
                server_main(["revoke-device", "--device-id", ctx.device_id, "--db", database]) == 0
            )
            add_records(ctx, 1, start=50)
            refused = sync.sync_now(ctx, url)
            assert refused.error is not None and refused.remaining == 1
        finally:
            process.terminate()
            process.wait(timeout=20)
    finally:
        ctx.close()
    assert not sync.server_reachable(url, timeout=1)


def _a_reference(ctx: AppContext) -> str:
    from sqlalchemy import select

    from app.store.models import Application

    with ctx.store.transaction() as session:
        reference = session.scalars(select(Application.reference)).first()
    assert reference is not None
    return reference


def test_enrolment_file_for_another_laptop_is_refused(tmp_path: Path, home: Path) -> None:
    ctx = as_administrator(open_app(home))
    try:
        with pytest.raises(errors.SyncError):
            sync_enrolment.install_enrolment(ctx, {"device_id": "someone-else"})
        with pytest.raises(errors.SyncError):
            sync_enrolment.install_enrolment(
                ctx, {"device_id": ctx.device_id, "server_signing_public": "x"}
            )
        assert not sync_enrolment.is_enrolled(ctx)
    finally:
        ctx.close()


def _post_status(server: LiveServer, document: object) -> int:
    request = urllib.request.Request(
        f"{server.url}/v1/status", data=json.dumps(document).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _challenge(server: LiveServer) -> dict[str, object]:
    with urllib.request.urlopen(f"{server.url}/v1/status/challenge", timeout=10) as response:
        challenge: dict[str, object] = json.loads(response.read())
    return challenge


def test_status_requests_must_be_signed_by_the_device_and_run_once(
    device: AppContext, server: LiveServer
) -> None:
    key = sync_enrolment.device_keys(device)
    challenge = _challenge(server)
    good = sign_document(key, status_request(device.device_id, challenge, []))
    assert _post_status(server, good) == 200
    assert _post_status(server, good) == 409  # a captured request cannot be replayed
    fresh = sign_document(key, status_request(device.device_id, _challenge(server), []))
    forged = {**fresh, "body": {**fresh["body"], "ack": [1, 2, 3]}}
    assert _post_status(server, forged) == 403  # altered after signing
    stranger = sign_document(
        Ed25519PrivateKey.generate(), status_request(device.device_id, _challenge(server), [])
    )
    assert _post_status(server, stranger) == 403
    unknown = sign_document(key, status_request("unknown-device", _challenge(server), []))
    assert _post_status(server, unknown) == 403
    own_challenge = sign_document(key, {"nonce": "chosen-by-the-sender", "issued": 2_000_000_000})
    invented = sign_document(key, status_request(device.device_id, own_challenge, []))
    assert _post_status(server, invented) == 403  # only the office's challenges count
