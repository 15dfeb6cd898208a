"""Real pieces for sync tests: a uvicorn server in a thread, a throw-away PostgreSQL cluster, a TCP
proxy that injects faults, and devices with records inserted straight into their store."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.server.app import create_app
from app.server.models import RecordVersion
from app.server.service import enrol_device
from app.services import sync_enrolment
from app.services.context import AppContext, open_app
from app.services.records import version_payload
from app.store.models import Application, ApplicationVersion, OutboxItem
from app.sync.crypto import ServerKeys, b64encode, public_bytes
from app.sync.format import record_digest
from tests.officers import as_administrator

PG_BIN = Path("/usr/lib/postgresql/15/bin")


# --- server in a thread ------------------------------------------------------------------------


class LiveServer:
    """uvicorn serving ``app`` on a loopback port from a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_keep_alive=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sessions(self) -> sessionmaker[Session]:
        sessions: sessionmaker[Session] = self.app.state.sessions
        return sessions

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.socket.close()
        self.app.state.engine.dispose()

    def version_ids(self) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(RecordVersion.version_id)))


@contextmanager
def live_server(database_url: str, keys: ServerKeys) -> Iterator[LiveServer]:
    server = LiveServer(create_app(database_url, keys)).start()
    try:
        yield server
    finally:
        server.stop()


# --- PostgreSQL --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """initdb + pg_ctl in a temp folder; run as ``postgres`` when the tests run as root."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vss-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        argv = list(command)
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        completed = subprocess.run(argv, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {completed.stdout}\n{completed.stderr}")

    def start(self) -> PostgresCluster:
        if self.as_root:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "log"), "-w", "-t", "60", "start",
        )  # fmt: skip
        return self

    def create_database(self) -> str:
        import psycopg

        name = "vss_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- fault-injecting proxy ---------------------------------------------------------------------


@dataclass
class FaultStats:
    connections: int = 0
    cut_uploads: int = 0
    dropped_replies: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    kinds: list[str] = field(default_factory=list)
    request_lines: list[str] = field(default_factory=list)  # "POST /v1/batches", in order


class FaultProxy:
    """A loopback TCP proxy. Per connection it either passes the exchange through, cuts the
    upload part-way (the server never sees a whole request), or forwards the whole request and
    then throws the server's reply away (the server committed; the client never hears so).
    ``plan`` fixes the kind of the first connections instead ("pass", "cut" or "drop", in
    order); the connections after it pass."""

    def __init__(
        self,
        upstream_port: int,
        cut: float = 0.25,
        drop: float = 0.25,
        seed: int = 7,
        plan: list[str] | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.cut, self.drop = cut, drop
        self.plan = plan
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.stats = FaultStats()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.running = False
        self.listener.close()
        self.thread.join(timeout=5)

    def _accept(self) -> None:
        while self.running:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                roll = self.random.random()
                kind = (
                    "cut" if roll < self.cut else "drop" if roll < self.cut + self.drop else "pass"
                )
                if self.plan is not None:
                    planned = self.stats.connections
                    kind = self.plan[planned] if planned < len(self.plan) else "pass"
                cut_fraction = self.random.random()
                self.stats.connections += 1
            threading.Thread(
                target=self._handle, args=(client, kind, cut_fraction), daemon=True
            ).start()

    def _handle(self, client: socket.socket, kind: str, cut_fraction: float) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        try:
            request = self._read_request(client)
            with self.lock:
                self.stats.request_lines.append(
                    " ".join(request.split(b"\r\n", 1)[0].decode("latin-1").split()[:2])
                )
            if kind == "cut" and len(request) > 1:
                upstream.sendall(request[: max(1, int(len(request) * cut_fraction))])
                self._count("cut", sent=int(len(request) * cut_fraction))
                return
            upstream.sendall(request)
            reply = self._read_all(upstream)
            if kind == "drop":
                self._count("drop", sent=len(request))
                return
            client.sendall(reply)
            self._count("pass", sent=len(request), received=len(reply))
        except OSError:
            return
        finally:
            for end in (client, upstream):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _count(self, kind: str, sent: int = 0, received: int = 0) -> None:
        with self.lock:
            self.stats.kinds.append(kind)
            self.stats.bytes_up += sent
            self.stats.bytes_down += received
            if kind == "cut":
                self.stats.cut_uploads += 1
            elif kind == "drop":
                self.stats.dropped_replies += 1

    @staticmethod
    def _read_request(client: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _sep, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _colon, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    @staticmethod
    def _read_all(upstream: socket.socket) -> bytes:
        data = b""
        while True:
            chunk = upstream.recv(65536)
            if not chunk:
                return data
            data += chunk


# --- devices -----------------------------------------------------------------------------------


def enrolled_device(home: Path, server: LiveServer, keys: ServerKeys) -> AppContext:
    """A device store in ``home`` enrolled with the server (as the enrol-device CLI would)."""
    ctx = as_administrator(open_app(home))
    request = sync_enrolment.enrolment_request(ctx)
    enrol_device(server.sessions, request["device_id"], request["signing_public"], "test laptop")
    sync_enrolment.install_enrolment(ctx, {"device_id": ctx.device_id, **keys.public.to_json()})
    return ctx


def add_records(ctx: AppContext, count: int, start: int = 0) -> list[str]:
    """``count`` final applications with one version and an outbox row each; their version ids."""
    now = datetime(2025, 3, 1, 9, 30, 15, 123456)
    version_ids: list[str] = []
    with ctx.store.transaction() as session:
        for number in range(start, start + count):
            application = Application(
                id=str(uuid.uuid4()),
                form_id="complaint",
                form_version=1,
                status="final",
                reference=f"T{ctx.device_id[:4].upper()}-{number:06d}",
                created_at=now,
                updated_at=now,
                finalized_at=now,
                current_version=1,
            )
            answers: dict[str, Any] = {
                "applicant_name": {"km": f"សុខ ដារ៉ា {number}", "latin": f"Sok Dara {number}"},
                "birth_year": 1950 + number % 30,
                "narrative": "ខ្ញុំត្រូវបានជម្លៀសចេញពីភូមិនៅឆ្នាំ ១៩៧៥ ។ " * 4,
                "province_code": f"{number % 25 + 1:02d}",
            }
            version = ApplicationVersion(
                id=str(uuid.uuid4()),
                application_id=application.id,
                version_no=1,
                form_version=1,
                answers=answers,
                reason=None,
                created_by=None,
                created_at=now,
                content_sha256="",
            )
            version.content_sha256 = record_digest(version_payload(application, version))
            session.add(application)
            session.add(version)
            session.add(
                OutboxItem(version_id=version.id, state="pending", attempts=0, created_at=now)
            )
            version_ids.append(version.id)
    return version_ids


def outbox_states(ctx: AppContext) -> dict[str, str]:
    with ctx.store.transaction() as session:
        return dict(session.execute(select(OutboxItem.version_id, OutboxItem.state)).tuples().all())


def device_public_b64(ctx: AppContext) -> str:
    return b64encode(public_bytes(sync_enrolment.device_keys(ctx).public_key()))
