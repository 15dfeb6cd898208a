"""The office keeps its memory whatever is sent: chunked floods without authentication, bodies far
over the limit from an enrolled device, decompression bombs, dense JSON and one huge record.

The server runs as its own process (``vss-outreach-server serve``) so that its peak resident memory
(VmHWM in /proc) is its alone. Stated bound: MEMORY_BOUND_MB above the idle server's peak.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from app.server.main import main as server_main
from app.server.models import Conflict, create_server_engine
from app.sync import batch as batch_format
from app.sync.crypto import ServerKeys, b64encode, public_bytes
from app.sync.format import canonical_json, record_digest
from app.sync.protocol import BATCHES_PATH

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")

MEMORY_BOUND_MB = 200
FLOOD_MB = 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


class Office:
    def __init__(self, tmp_path: Path) -> None:
        self.keys_dir = tmp_path / "keys"
        self.db = f"sqlite:///{tmp_path / 'office.db'}"
        assert server_main(["init-keys", str(self.keys_dir)]) == 0
        self.keys = ServerKeys.load(self.keys_dir)
        self.device_key = Ed25519PrivateKey.generate()
        self.device_id = str(uuid.uuid4())
        public = b64encode(public_bytes(self.device_key.public_key()))
        enrol = ["enrol-device", "--db", self.db, "--keys", str(self.keys_dir)]
        assert server_main([*enrol, "--device-id", self.device_id, "--public-key", public]) == 0
        self.port = _free_port()

    def seal_plain(self, plain: bytes, batch_id: str) -> bytes:
        """A correctly signed and encrypted batch around arbitrary content bytes."""
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = public_bytes(ephemeral.public_key())
        server_public = self.keys.public.encryption
        key = batch_format._derive_key(
            ephemeral.exchange(server_public), ephemeral_public, public_bytes(server_public)
        )
        nonce = os.urandom(12)
        header = canonical_json(
            {
                "batch_id": batch_id,
                "device_id": self.device_id,
                "created_at": "2026-01-01T00:00:00",
                "records": 1,
                "ephemeral": b64encode(ephemeral_public),
                "nonce": b64encode(nonce),
            }
        )
        compressor = zlib.compressobj(9)
        compressed = compressor.compress(plain) + compressor.flush()
        ciphertext = AESGCM(key).encrypt(nonce, compressed, header)
        prefix = batch_format._PREFIX.pack(
            batch_format.MAGIC, batch_format.FORMAT_VERSION, len(header), len(ciphertext)
        )
        signed = prefix + header + ciphertext
        return signed + self.device_key.sign(signed)

    def header_bytes(self, device_id: str) -> bytes:
        header = canonical_json({"batch_id": str(uuid.uuid4()), "device_id": device_id})
        prefix = batch_format._PREFIX.pack(
            batch_format.MAGIC, batch_format.FORMAT_VERSION, len(header), 1 << 30
        )
        return prefix + header


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Office, subprocess.Popen[bytes]]]:
    office = Office(tmp_path)
    command = [sys.executable, "-m", "app.server.main", "serve", "--db", office.db]
    command += ["--keys", str(office.keys_dir), "--host", "127.0.0.1", "--port", str(office.port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", office.port, timeout=5)
            connection.request("GET", "/v1/ping")
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)
    yield office, process
    process.terminate()
    process.wait(timeout=30)


def _chunked_post(port: int, first: bytes, total_mb: int) -> int | None:
    """POST ``first`` then zeros up to ``total_mb`` MB, chunked; the status, or None if cut off."""
    zeros = b"\0" * (1 << 20)

    def body() -> Iterator[bytes]:
        yield first
        for _ in range(total_mb):
            yield zeros

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "POST", BATCHES_PATH, body=body(), encode_chunked=True,
            headers={"Content-Type": "application/octet-stream"},
        )  # fmt: skip
        return connection.getresponse().status
    except OSError:
        return None  # the server stopped reading and closed: also a refusal
    finally:
        connection.close()


def _post(port: int, data: bytes) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", BATCHES_PATH, body=data)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_servers_memory_stays_bounded_under_floods(
    office: tuple[Office, subprocess.Popen[bytes]],
) -> None:
    server, process = office
    _post(server.port, b"VSSB too short")  # warm every code path once
    baseline = _peak_mb(process.pid)

    with ThreadPoolExecutor(8) as pool:
        # chunked uploads without authentication: garbage, then a foreign device's header
        unknown = [pool.submit(_chunked_post, server.port, b"x" * 100, FLOOD_MB) for _ in range(4)]
        foreign = server.header_bytes(str(uuid.uuid4()))
        unknown += [pool.submit(_chunked_post, server.port, foreign, FLOOD_MB) for _ in range(4)]
        statuses = [future.result() for future in unknown]
    assert all(status in (None, 400, 403, 413) for status in statuses), statuses
    after_unknown = _peak_mb(process.pid)

    with ThreadPoolExecutor(4) as pool:
        # an enrolled device's header, then far more than a batch may hold
        enrolled = server.header_bytes(server.device_id)
        futures = [pool.submit(_chunked_post, server.port, enrolled, FLOOD_MB) for _ in range(4)]
        assert all(future.result() in (None, 413) for future in futures)

    # decompression bomb: 200 MB of content in a small upload
    bomb_plain = b'{"audit":[],"records":[{"x":"' + b"a" * (FLOOD_MB << 20) + b'"}]}'
    bomb = server.seal_plain(bomb_plain, str(uuid.uuid4()))
    del bomb_plain
    assert len(bomb) < 1024 * 1024
    # dense JSON: small text, many objects once parsed
    batch_id = str(uuid.uuid4())
    dense_plain = canonical_json(
        {"audit": [{}] * 2_000_000, "batch_id": batch_id, "device_id": server.device_id,
         "records": []}
    )  # fmt: skip
    dense = server.seal_plain(dense_plain, batch_id)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda data: _post(server.port, data), [bomb, bomb, dense, dense]))
    assert [status for status, _ in answers] == [400, 400, 400, 400]
    assert {answer["error"] for _, answer in answers} == {"corrupt"}

    # one huge record inside the per-batch bound: refused (422) and not kept
    batch_id = str(uuid.uuid4())
    record = {
        "version_id": str(uuid.uuid4()), "application_id": str(uuid.uuid4()),
        "reference": "HUGE-1", "form_id": "complaint", "form_version": 1, "version_no": 1,
        "answers": {"narrative": "ក" * (2 << 20)},
    }  # fmt: skip
    record["content_sha256"] = record_digest(record)
    huge = server.seal_plain(
        canonical_json(
            {"audit": [], "batch_id": batch_id, "device_id": server.device_id, "records": [record]}
        ),
        batch_id,
    )
    status, receipt = _post(server.port, huge)
    assert status == 200
    (conflict,) = receipt["body"]["conflicts"]  # type: ignore[index]
    assert conflict["status"] == 422 and "larger than" in conflict["reason"]

    peak = _peak_mb(process.pid)
    print(  # the measured figures belong in the test log
        f"\nserver peak RSS: idle {baseline:.0f} MB, after unauthenticated floods "
        f"{after_unknown:.0f} MB, after all floods {peak:.0f} MB (bound +{MEMORY_BOUND_MB} MB)"
    )
    assert peak - baseline < MEMORY_BOUND_MB
    assert process.poll() is None

    engine = create_server_engine(server.db)
    with sessionmaker(engine)() as session:
        payloads = list(session.scalars(select(Conflict.payload)))
    engine.dispose()
    assert payloads == [{}]  # the refused record was not stored
