"""The office as deployed: ``serve`` with TLS and two worker processes on one PostgreSQL, several
laptops syncing at once through their own command, the TLS key pinned by the enrolment file, and
health and metrics endpoints."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from app.server.main import main as server_main
from app.server.models import RecordVersion, create_server_engine
from app.sync import tls
from tests.sync.harness import PostgresCluster, _free_port
from tests.test_cli import run

pytestmark = pytest.mark.postgres
LAPTOPS = 3
RECORDS = 6


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vss office")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def office(tmp_path: Path, postgres: PostgresCluster) -> Iterator[dict[str, object]]:
    keys = tmp_path / "keys"
    assert server_main(["init-keys", str(keys)]) == 0
    cert, key = _certificate(tmp_path, "office")
    database_url = postgres.create_database()
    port = _free_port()
    command = [sys.executable, "-m", "app.server.main", "serve", "--db", database_url]
    command += ["--keys", str(keys), "--port", str(port), "--workers", "2"]
    command += ["--tls-cert", str(cert), "--tls-key", str(key)]
    process = subprocess.Popen(command, start_new_session=True)
    url = f"https://127.0.0.1:{port}"
    pin = tls.spki_sha256_pem(cert.read_bytes())
    deadline = time.monotonic() + 90
    while True:
        try:
            with tls.opener(pin).open(url + "/v1/health", timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.3)
    yield {
        "url": url,
        "pin": pin,
        "cert": cert,
        "db": database_url,
        "keys": keys,
        "pid": process.pid,
    }
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def _laptop(tmp_path: Path, office: dict[str, object], number: int) -> Path:
    home = tmp_path / f"laptop{number}"
    made = run(
        home, "--user", "admin", "setup", "--name", "Sok Dara", "--device", f"Laptop {number}"
    )
    assert made.returncode == 0, made.stderr
    assert run(home, "--user", "admin", "demo-data", "--count", str(RECORDS)).returncode == 0
    request, enrolment = home.parent / f"request{number}.json", home.parent / f"enrol{number}.json"
    assert run(home, "--user", "admin", "enrolment-request", "--out", str(request)).returncode == 0
    enrol = ["enrol-device", "--db", str(office["db"]), "--keys", str(office["keys"])]
    enrol += ["--request", str(request), "--server-url", str(office["url"])]
    enrol += ["--tls-cert", str(office["cert"]), "--out", str(enrolment)]
    assert server_main(enrol) == 0
    assert run(home, "--user", "admin", "install-enrolment", str(enrolment)).returncode == 0
    return home


def test_laptops_sync_at_once_over_tls_with_two_workers(
    tmp_path: Path, office: dict[str, object]
) -> None:
    assert len(_children(int(office["pid"]))) >= 2  # type: ignore[call-overload]
    with ThreadPoolExecutor(LAPTOPS) as pool:
        homes = list(pool.map(lambda n: _laptop(tmp_path, office, n), range(LAPTOPS)))
        results = list(pool.map(lambda h: run(h, "--user", "admin", "--lang", "en", "sync"), homes))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert f"Done: {RECORDS} records acknowledged, 0 refused, {RECORDS} status" in result.stdout
    engine = create_server_engine(str(office["db"]), migrate=False)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(RecordVersion))
    engine.dispose()
    assert stored == LAPTOPS * RECORDS

    with tls.opener(str(office["pin"])).open(f"{office['url']}/v1/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert f"vss_record_versions_stored {LAPTOPS * RECORDS}" in metrics
    assert f"vss_devices_enrolled {LAPTOPS}" in metrics
    assert "vss_statuses_owed 0" in metrics  # every laptop acknowledged its statuses


def test_a_pin_that_does_not_match_is_refused_and_plain_http_gets_nothing(
    tmp_path: Path, office: dict[str, object]
) -> None:
    home = _laptop(tmp_path, office, 9)
    other, _key = _certificate(tmp_path, "impostor")
    # the enrolment file pinned another key: nothing is sent, and the officer is told why
    enrolment = json.loads((tmp_path / "enrol9.json").read_text(encoding="utf-8"))
    enrolment["tls_public_key_sha256"] = tls.spki_sha256_pem(other.read_bytes())
    (tmp_path / "enrol9.json").write_text(json.dumps(enrolment), encoding="utf-8")
    assert (
        run(home, "--user", "admin", "install-enrolment", str(tmp_path / "enrol9.json")).returncode
        == 0
    )
    refused = run(home, "--user", "admin", "--lang", "en", "sync")
    assert refused.returncode == 1
    assert "security certificate does not match the enrolment file" in refused.stderr
    # references and statuses never travel in the clear: plain HTTP to the TLS port fails
    plain = str(office["url"]).replace("https://", "http://")
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        urllib.request.urlopen(plain + "/v1/ping", timeout=5).read()
