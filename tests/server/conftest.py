"""The sync fixtures (server keys, PostgreSQL, live server) are shared with the server tests."""

from tests.sync.conftest import database_url, device, postgres, server, server_keys

__all__ = ["database_url", "device", "postgres", "server", "server_keys"]
