"""Fixtures: server keys, a PostgreSQL cluster for the session, a live server per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.context import AppContext
from app.sync.crypto import ServerKeys
from tests.sync.harness import LiveServer, PostgresCluster, enrolled_device, live_server


@pytest.fixture(scope="session")
def server_keys() -> ServerKeys:
    return ServerKeys.generate()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster().start()  # must start: a missing PostgreSQL fails the tests
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'office.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database()


@pytest.fixture
def server(database_url: str, server_keys: ServerKeys) -> Iterator[LiveServer]:
    with live_server(database_url, server_keys) as running:
        yield running


@pytest.fixture
def device(home: Path, server: LiveServer, server_keys: ServerKeys) -> Iterator[AppContext]:
    ctx = enrolled_device(home, server, server_keys)
    yield ctx
    ctx.close()
