"""The laptop's sync commands as an officer runs them (real processes, a real server on loopback),
a server that never answers, a byte flipped on the way, and two syncs at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from app.i18n import set_language
from app.server.main import main as server_main
from app.services import sync
from app.services.context import AppContext
from app.services.sync_lock import sync_lock
from app.sync.crypto import ServerKeys
from tests.sync.harness import FaultProxy, LiveServer, add_records, live_server, outbox_states
from tests.test_cli import run


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[LiveServer, list[str]]]:
    keys_dir = tmp_path / "keys"
    assert server_main(["init-keys", str(keys_dir)]) == 0
    database_url = f"sqlite:///{tmp_path / 'office.db'}"
    with live_server(database_url, ServerKeys.load(keys_dir)) as server:
        yield server, ["--db", database_url, "--keys", str(keys_dir)]


def test_the_sync_command_enrols_sends_and_reports_in_the_interface_language(
    tmp_path: Path, office: tuple[LiveServer, list[str]]
) -> None:
    server, options = office
    home = tmp_path / "laptop"
    made = run(home, "--user", "admin", "setup", "--name", "Sok Dara", "--device", "Laptop 7")
    assert made.returncode == 0, made.stderr
    assert run(home, "--user", "admin", "demo-data", "--count", "4").returncode == 0

    refused = run(home, "--user", "admin", "--lang", "en", "sync")
    assert refused.returncode == 1
    assert "not enrolled with the central office" in refused.stderr

    _enrol(home, tmp_path, server, options)

    # no address saved: the enrolment file's address is used
    done = run(home, "--user", "admin", "--lang", "en", "sync")
    assert done.returncode == 0, done.stderr
    assert "Done: 4 records acknowledged, 0 refused, 4 status updates." in done.stdout
    khmer = run(home, "--user", "admin", "--lang", "km", "sync")
    assert khmer.returncode == 0 and "០" in khmer.stdout  # Khmer text, Khmer digits

    # a second sync while one runs waits, then says so (no "database is locked" crash)
    with sync_lock(home):
        started = time.monotonic()
        busy = run(home, "--user", "admin", "--lang", "en", "sync")
    assert busy.returncode == 1
    assert "Another sync is running on this laptop" in busy.stderr
    assert 5 < time.monotonic() - started < 120


def _enrol(home: Path, tmp_path: Path, server: LiveServer, options: list[str]) -> None:
    """The laptop's enrolment request, enrolled at the office, its file installed: by commands."""
    request = tmp_path / "request.json"
    assert run(home, "--user", "admin", "enrolment-request", "--out", str(request)).returncode == 0
    assert json.loads(request.read_text(encoding="utf-8"))["device_name"] == "Laptop 7"
    enrolment = tmp_path / "enrolment.json"
    assert (
        server_main(
            [
                "enrol-device",
                *options,
                "--request",
                str(request),
                "--server-url",
                server.url,
                "--out",
                str(enrolment),
            ]
        )
        == 0
    )
    installed = run(home, "--user", "admin", "--lang", "en", "install-enrolment", str(enrolment))
    assert installed.returncode == 0, installed.stderr
    assert "enrolled with the central office" in installed.stdout


def test_the_usb_commands_carry_records_to_the_office_and_its_receipts_back(
    tmp_path: Path, office: tuple[LiveServer, list[str]]
) -> None:
    server, options = office
    home = tmp_path / "laptop"
    made = run(home, "--user", "admin", "setup", "--name", "Sok Dara", "--device", "Laptop 7")
    assert made.returncode == 0, made.stderr
    _enrol(home, tmp_path, server, options)
    assert run(home, "--user", "admin", "demo-data", "--count", "3").returncode == 0
    stick = tmp_path / "stick"
    exported = run(home, "--user", "admin", "export-batches", str(stick))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.split() == ["3"]  # records copied, none synced yet
    assert server_main(["import", *options, str(stick)]) == 0
    assert len(server.version_ids()) == 3
    receipts = run(home, "--user", "admin", "import-receipts", str(stick))
    assert receipts.returncode == 0, receipts.stderr
    assert receipts.stdout.split() == ["3"]  # records acknowledged by the office
    again = run(home, "--user", "admin", "--lang", "en", "sync")  # nothing left to send
    assert again.returncode == 0, again.stderr
    assert "Done: 0 records acknowledged" in again.stdout


def test_a_server_that_accepts_but_never_answers_is_abandoned_in_time(
    device: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sync.REQUEST_TIMEOUT <= 30  # the stated time in the code and README
    monkeypatch.setattr(sync, "REQUEST_TIMEOUT", 1.5)
    set_language("en")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections (the kernel does), never reads or answers
    add_records(device, 5)
    try:
        started = time.monotonic()
        result = sync.sync_now(device, f"http://127.0.0.1:{silent.getsockname()[1]}")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert elapsed < 3 * 1.5, elapsed
    assert result.error is not None and "did not answer within 1 seconds" in result.error
    assert result.remaining == 5


class FlipProxy(FaultProxy):
    """Passes every exchange, but flips one byte in the body of the first ``flips`` POSTs."""

    def __init__(self, upstream_port: int, flips: int) -> None:
        super().__init__(upstream_port, cut=0, drop=0)
        self.flips = flips

    def _handle(self, client: socket.socket, kind: str, cut_fraction: float) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        try:
            request = bytearray(self._read_request(client))
            head_end = request.find(b"\r\n\r\n") + 4
            with self.lock:
                flip = request.startswith(b"POST") and self.flips > 0
                self.flips -= int(flip)
            if flip and len(request) > head_end:
                request[head_end + (len(request) - head_end) // 2] ^= 0x01
            upstream.sendall(bytes(request))
            client.sendall(self._read_all(upstream))
        except OSError:
            return
        finally:
            for end in (client, upstream):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


def test_one_flipped_byte_is_a_damaged_transfer_to_retry_not_enrol_again(
    device: AppContext, server: LiveServer
) -> None:
    set_language("en")
    add_records(device, 10)
    proxy = FlipProxy(server.port, flips=100).start()
    try:
        result = sync.sync_now(device, proxy.url)
    finally:
        proxy.stop()
    assert result.error is not None
    assert "damaged on the way" in result.error and "enrol" not in result.error
    assert result.quarantined == 0 and server.version_ids() == []
    assert set(outbox_states(device).values()) <= {"pending", "in_batch"}

    # one damaged request among good ones: retried within the same sync
    proxy = FlipProxy(server.port, flips=1).start()
    try:
        again = sync.sync_now(device, proxy.url)
    finally:
        proxy.stop()
    assert again.complete, again.error
    assert set(outbox_states(device).values()) == {"acknowledged"}


def test_threads_of_one_process_share_the_lock_without_deadlock(home: Path) -> None:
    order: list[str] = []

    def hold() -> None:
        with sync_lock(home):
            order.append("first in")
            time.sleep(0.5)
            order.append("first out")

    thread = threading.Thread(target=hold)
    thread.start()
    time.sleep(0.1)
    with sync_lock(home, wait_seconds=5):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]
